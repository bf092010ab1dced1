package main

// Public sources the replies are written from.
const (
	srcMS      = "Microsoft Learn: Email non-delivery reports and SMTP errors in Exchange Online (learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online)"
	srcOutlook = "Outlook.com postmaster troubleshooting (sendersupport.olc.protection.outlook.com/pm/troubleshooting.aspx)"
	srcGoogle  = "Google Workspace Admin Help: Gmail SMTP errors and codes (support.google.com/a/answer/3726730)"
	srcYahoo   = "Yahoo Sender Hub: SMTP error codes (senders.yahooinc.com/smtp-error-codes)"
	srcApple   = "Apple Support: Postmaster information for iCloud Mail (support.apple.com/102322)"
	srcMime    = "Mimecast Knowledge Base: Mimecast SMTP error codes (community.mimecast.com)"
	srcPP      = "Proofpoint Essentials documentation: SMTP error messages (help.proofpoint.com)"
	srcCisco   = "Cisco Secure Email (AsyncOS) user guide: Host Access Table, default SMTP responses of REJECT and rate-limit policies"
	srcBarra   = "Barracuda Campus: Barracuda Email Security Gateway SMTP error codes (campus.barracuda.com)"
	srcPostfix = "Postfix documentation: postconf(5) (unknown_local_recipient_reject_code, reject_unknown_client_hostname, reject_rbl_client, smtpd_helo_restrictions, reject_unknown_sender_domain), smtp(8), bounce(5) (www.postfix.org)"
	srcExim    = "Exim specification: chapters 'Retry configuration', 'The appendfile transport' (quota), 'Access control lists' (verify = sender) (www.exim.org/docs.html)"
	srcSendm   = "Sendmail Installation and Operation Guide, DSN and queue messages (www.proofpoint.com/us/products/email-protection/open-source-email-solution)"
	srcQmail   = "qmail-remote(8) and qmail-send(8) manual pages (cr.yp.to/qmail.html)"
	srcAmavis  = "amavisd-new documentation: final_*_destiny and the SMTP responses of D_REJECT (www.ijs.si/software/amavisd/)"
	srcRspamd  = "Rspamd documentation: actions (reject 'Spam message rejected', soft reject, greylist) (rspamd.com/doc/configuration/metrics.html)"
	srcRFC     = "RFC 3464 2.3.1-2.3.2 (Original-Recipient, Final-Recipient), RFC 5321 4.1.1.3 (source routes), RFC 6533 (utf-8 address type)"
)

var devCases = []sample{
	// ---- Microsoft 365 / Exchange Online ----
	{set: "dev", source: "microsoft", name: "ms-5.1.10-recipient-not-found", mta: "postfix",
		rcpt: "j.doe@contoso.example", host: "contoso-example.mail.protection.outlook.com", ip: "192.0.2.10", stage: rcpt,
		reply:  "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient j.doe@contoso.example not found by SMTP address lookup",
		reason: "userunknown", side: "recipient", hard: true, src: srcMS + ", 5.1.10"},
	{set: "dev", source: "microsoft", name: "ms-5.4.1-dbeb", mta: "exim",
		rcpt: "old.user@fabrikam.example", host: "fabrikam-example.mail.protection.outlook.com", ip: "192.0.2.11", stage: rcpt,
		reply:  "550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [AM4PEPF00027A5C.eurprd04.prod.outlook.com]",
		reason: "userunknown", side: "recipient", hard: true, src: srcMS + ", 5.4.1 (directory based edge blocking)"},
	{set: "dev", source: "microsoft", name: "ms-5.7.606-banned-ip", mta: "postfix",
		rcpt: "sales@contoso.example", host: "contoso-example.mail.protection.outlook.com", ip: "192.0.2.10", stage: rcpt,
		reply:  "550 5.7.606 Access denied, banned sending IP [203.0.113.25]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430)",
		reason: "blocked", side: "sender", src: srcMS + ", 5.7.606-649"},
	{set: "dev", source: "microsoft", name: "ms-5.7.23-spf", mta: "exchange",
		rcpt: "buyer@woodgrove.example", host: "woodgrove-example.mail.protection.outlook.com", ip: "192.0.2.12", stage: data,
		reply:  "550 5.7.23 The message was rejected because of Sender Policy Framework violation",
		reason: "authfailure", side: "sender", src: srcMS + ", 5.7.23"},
	{set: "dev", source: "microsoft", name: "ms-5.7.57-anonymous", mta: "exim",
		rcpt: "partner@tailspin.example", host: "smtp.office365.com", ip: "192.0.2.13", stage: mail,
		reply:  "530 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication unsuccessful [LO4P123CA0411.GBRP123.PROD.OUTLOOK.COM]",
		reason: "securityerror", side: "sender", src: srcMS + ", 5.7.57"},
	{set: "dev", source: "microsoft", name: "ms-5.7.509-dmarc", mta: "postfix",
		rcpt: "info@northwind.example", host: "northwind-example.mail.protection.outlook.com", ip: "192.0.2.14", stage: data,
		reply:  "550 5.7.509 Access denied, sending domain sender.example does not pass DMARC verification and has a DMARC policy of reject. [DB5PEPF00014B9E.eurprd02.prod.outlook.com]",
		reason: "authfailure", side: "sender", src: srcMS + ", 5.7.509"},
	{set: "dev", source: "microsoft", name: "ms-5.7.708-traffic-not-accepted", mta: "postfix",
		rcpt: "team@adatum.example", host: "adatum-example.mail.protection.outlook.com", ip: "192.0.2.15", stage: rcpt,
		reply:  "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(2007)",
		reason: "badreputation", alt: "blocked", side: "sender", src: srcMS + ", 5.7.700-749 (tenant and IP thresholds)"},
	{set: "dev", source: "microsoft", name: "ms-5.7.750-unregistered-domain", mta: "exchange",
		rcpt: "client@litware.example", stage: none,
		reply:  "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653",
		reason: "rejected", side: "sender", status: "5.7.750", code: "550", src: srcMS + ", 5.7.750"},
	{set: "dev", source: "microsoft", name: "ms-5.7.64-tenant-attribution", mta: "postfix",
		rcpt: "orders@proseware.example", host: "proseware-example.mail.protection.outlook.com", ip: "192.0.2.16", stage: rcpt,
		reply:  "550 5.7.64 TenantAttribution; Relay Access Denied [SN1NAM02FT0123.eop-nam02.prod.protection.outlook.com]",
		reason: "norelaying", src: srcMS + ", 5.7.64"},
	{set: "dev", source: "microsoft", name: "ms-5.2.2-mailbox-full", mta: "exchange",
		rcpt: "d.miller@wingtip.example", stage: none,
		reply:    "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot open mailbox.[EndDiagnosticData]",
		headline: "The recipient's mailbox is full and can't accept messages now.",
		reason:   "mailboxfull", side: "recipient", status: "5.2.2", code: "554", src: srcMS + ", 5.2.2"},
	{set: "dev", source: "microsoft", name: "ms-4.4.7-expired", mta: "exchange",
		rcpt: "it@fourthcoffee.example", stage: none, dsnSt: "4.4.7",
		reply:    "550 4.4.7 QUEUE.Expired; message expired [Message=SocketError] [LastAttemptedServerName=mx.fourthcoffee.example] [LastAttemptedIP=192.0.2.17:25]",
		headline: "Delivery has failed to these recipients or groups. The message couldn't be delivered in time.",
		reason:   "expired", side: "network", status: "4.4.7", code: "550", src: srcMS + ", 4.4.7"},
	{set: "dev", source: "microsoft", name: "ms-5.1.90-daily-recipient-limit", mta: "exchange",
		rcpt: "member@contoso.example", stage: none,
		reply:  "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients.",
		reason: "ratelimited", side: "sender", status: "5.1.90", code: "550", src: srcMS + ", 5.1.90"},

	// ---- Outlook.com ----
	{set: "dev", source: "outlook", name: "outlook-s3150-block-list", mta: "postfix",
		rcpt: "friend.person@outlook.com", host: "outlook-com.olc.protection.outlook.com", ip: "192.0.2.20", stage: rcpt,
		reply:  "550 5.7.1 Unfortunately, messages from [203.0.113.25] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [DB3PEPF0000885A.eurprd02.prod.outlook.com 2026-11-16T09:14:02.123Z 08DCF1A2B3C4D5E6]",
		reason: "blocked", side: "sender", src: srcOutlook + ", S3150"},
	{set: "dev", source: "outlook", name: "outlook-mailbox-unavailable", mta: "sendmail",
		rcpt: "nobody.here@hotmail.com", host: "hotmail-com.olc.protection.outlook.com", ip: "192.0.2.21", stage: rcpt,
		reply:  "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [AM3PEPF0000A78E.eurprd04.prod.outlook.com 2026-11-16T09:14:02.321Z 08DCF1A2B3C4D5E7]",
		reason: "userunknown", side: "recipient", hard: true, src: srcOutlook + ", mailbox unavailable"},
	{set: "dev", source: "outlook", name: "outlook-rp001-hourly-limit", mta: "postfix",
		rcpt: "reader@live.com", host: "live-com.olc.protection.outlook.com", ip: "192.0.2.22", stage: rcpt,
		reply:   "421 RP-001 (BAY004-MC1F20) Unfortunately, some messages from 203.0.113.25 weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day. You can also refer to http://mail.live.com/mail/troubleshooting.aspx#errors.",
		delayed: true, reason: "ratelimited", side: "sender", src: srcOutlook + ", RP-001"},

	// ---- Google ----
	{set: "dev", source: "google", name: "gmail-5.1.1-does-not-exist", mta: "postfix",
		rcpt: "no.such.person.2026@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.30", stage: rcpt,
		reply:  "550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking the recipient's email address for typos or\n550-5.1.1 unnecessary spaces. For more information, go to\n550 5.1.1  https://support.google.com/mail/?p=NoSuchUser 41be03b00d2f7-7f3a1c2b5a9si1234567a12.301 - gsmtp",
		reason: "userunknown", side: "recipient", hard: true, src: srcGoogle + ", 550 5.1.1"},
	{set: "dev", source: "google", name: "gmail-5.7.26-unauthenticated", mta: "exim",
		rcpt: "customer@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.31", stage: data,
		reply:  "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail\n550-5.7.26 requires all senders to authenticate with either SPF or DKIM.\n550-5.7.26\n550-5.7.26  Authentication results:\n550-5.7.26  DKIM = did not pass\n550-5.7.26  SPF [sender.example] with ip: [203.0.113.25] = did not pass\n550-5.7.26\n550-5.7.26  For instructions on setting up authentication, go to\n550 5.7.26  https://support.google.com/mail/answer/81126#authentication d2e1a72fcca58-72d3a4b5c6dsi9876543b3a.210 - gsmtp",
		reason: "authfailure", side: "sender", src: srcGoogle + ", 550 5.7.26"},
	{set: "dev", source: "google", name: "gmail-4.7.28-unsolicited-rate", mta: "postfix",
		rcpt: "subscriber@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.32", stage: data, delayed: true,
		reply:  "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating\n421-4.7.28 from your DKIM domain [sender.example  20]. To protect our users from\n421-4.7.28 spam, mail sent from your domain has been temporarily rate limited.\n421 4.7.28  https://support.google.com/mail/?p=UnsolicitedRateLimitError 5b1f17b1804b1-43168b2c3d4si55667788f.99 - gsmtp",
		reason: "ratelimited", side: "sender", src: srcGoogle + ", 421 4.7.28"},
	{set: "dev", source: "google", name: "gmail-4.7.0-low-ip-reputation", mta: "exim",
		rcpt: "pat.lee@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.33", stage: rcpt, delayed: true,
		reply:  "421-4.7.0 This message is suspicious due to the very low reputation of the\n421-4.7.0 sending IP address. To protect our users from spam, mail sent from\n421-4.7.0 your IP address has been temporarily rate limited. For more\n421 4.7.0 information, go to https://support.google.com/mail/answer/188131 a640c23a62f3a-a9a1b2c3d4esi123456766b.88 - gsmtp",
		reason: "badreputation", side: "sender", src: srcGoogle + ", 421 4.7.0 low reputation of the sending IP"},
	{set: "dev", source: "google", name: "gmail-5.2.2-over-quota", mta: "sendmail",
		rcpt: "full.inbox@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.34", stage: rcpt,
		reply:  "552-5.2.2 The recipient's inbox is out of storage space and inactive. Please direct the\n552-5.2.2 recipient to\n552 5.2.2  https://support.google.com/mail/?p=OverQuotaPerm 5b1f17b1804b1-4316a0b1c2dsi1122334f.45 - gsmtp",
		reason: "mailboxfull", side: "recipient", src: srcGoogle + ", 552 5.2.2"},
	{set: "dev", source: "google", name: "gmail-5.2.1-disabled", mta: "postfix",
		rcpt: "closed.account@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.35", stage: rcpt,
		reply:  "550-5.2.1 The email account that you tried to reach is inactive. For more\n550-5.2.1 information, go to\n550 5.2.1  https://support.google.com/mail/?p=DisabledUser 41be03b00d2f7-7f3a1c2b5a9si7654321a12.88 - gsmtp",
		reason: "suspend", side: "recipient", hard: true, src: srcGoogle + ", 550 5.2.1"},
	{set: "dev", source: "google", name: "gmail-5.7.1-policy-prohibited", mta: "exim",
		rcpt: "legal@workspace-customer.example", host: "aspmx.l.google.com", ip: "192.0.2.36", stage: data,
		reply:  "550-5.7.1 The user or domain that you are sending to (or from) has a policy that\n550-5.7.1 prohibited the mail that you sent. Please contact your domain\n550-5.7.1 administrator for further details. For more information, go to\n550 5.7.1  https://support.google.com/a/answer/172179 a1b2c3d4e5f6g-12345678si99.12 - gsmtp",
		reason: "policyviolation", side: "sender", src: srcGoogle + ", 550 5.7.1 policy that prohibited the mail"},
	{set: "dev", source: "google", name: "gmail-5.7.1-likely-unsolicited", mta: "postfix",
		rcpt: "deals.fan@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.37", stage: data,
		reply:  "550-5.7.1 [203.0.113.25      12] Gmail has detected that this message is\n550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,\n550-5.7.1 this message has been blocked. For more information, go to\n550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError 5b1f17b1804b1-43168b2c3d4si55667788f.12 - gsmtp",
		reason: "spamdetected", side: "sender", src: srcGoogle + ", 550 5.7.1 likely unsolicited mail"},
	{set: "dev", source: "google", name: "gmail-5.7.1-rfc5322", mta: "postfix",
		rcpt: "bob.reader@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.38", stage: data,
		reply:  "550-5.7.1 [203.0.113.25] Messages missing a valid Message-ID header are not\n550-5.7.1 accepted. For more information, go to\n550-5.7.1  https://support.google.com/mail/?p=RfcMessageNonCompliant and review\n550 5.7.1 RFC 5322 specifications. 5b1f17b1804b1-43168b2c3d4si55667788f.77 - gsmtp",
		reason: "notcompliantrfc", side: "sender", src: srcGoogle + ", 550 5.7.1 missing a valid Message-ID header"},
	{set: "dev", source: "google", name: "gmail-5.4.5-daily-sending-limit", mta: "gmail",
		rcpt: "colleague@elsewhere.example", stage: none,
		reply:    "550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp",
		headline: "** You have reached a limit for sending mail **",
		reason:   "ratelimited", side: "sender", status: "5.4.5", code: "550", src: srcGoogle + ", 550 5.4.5 daily sending limit"},

	// ---- Yahoo / AOL ----
	{set: "dev", source: "yahoo", name: "yahoo-tss04-deferred", mta: "postfix",
		rcpt: "reader2026@yahoo.com", host: "mta7.am0.yahoodns.net", ip: "192.0.2.40", stage: conn, delayed: true,
		reply:  "421 4.7.0 [TSS04] Messages from 203.0.113.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
		reason: "badreputation", alt: "ratelimited", side: "sender", src: srcYahoo + ", [TSS04]"},
	{set: "dev", source: "yahoo", name: "yahoo-no-account-after-data", mta: "exim",
		rcpt: "gone.user@yahoo.com", host: "mta6.am0.yahoodns.net", ip: "192.0.2.41", stage: data,
		reply:  "554 delivery error: dd This user doesn't have a yahoo.com account (gone.user@yahoo.com) [0] - mta4005.mail.gq1.yahoo.com",
		reason: "userunknown", side: "recipient", hard: true, src: srcYahoo + ", 554 delivery error: dd This user doesn't have a yahoo.com account"},
	{set: "dev", source: "yahoo", name: "yahoo-5.7.9-policy", mta: "postfix",
		rcpt: "aol.reader@aol.com", host: "mx-aol.mail.gm0.yahoodns.net", ip: "192.0.2.42", stage: data,
		reply:  "554 5.7.9 Message not accepted for policy reasons.  See https://postmaster.yahooinc.com/error-codes",
		reason: "policyviolation", side: "sender", src: srcYahoo + ", 554 5.7.9"},
	{set: "dev", source: "yahoo", name: "yahoo-550-5.7.9-unauthenticated", mta: "sendmail",
		rcpt: "shopper@yahoo.com", host: "mta5.am0.yahoodns.net", ip: "192.0.2.43", stage: data,
		reply:  "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
		reason: "authfailure", side: "sender", src: srcYahoo + ", 550 5.7.9 unauthenticated sender"},

	// ---- Apple iCloud ----
	{set: "dev", source: "apple", name: "icloud-cs01-local-policy", mta: "postfix",
		rcpt: "appleseed@icloud.com", host: "mx01.mail.icloud.com", ip: "192.0.2.50", stage: data,
		reply:  "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
		reason: "policyviolation", alt: "spamdetected", side: "sender", src: srcApple + ", [CS01]"},
	{set: "dev", source: "apple", name: "icloud-user-does-not-exist", mta: "exim",
		rcpt: "missing.person@me.com", host: "mx02.mail.icloud.com", ip: "192.0.2.51", stage: rcpt,
		reply:  "550 5.1.1 <missing.person@me.com>: user does not exist",
		reason: "userunknown", side: "recipient", hard: true, src: srcApple + ", 550 5.1.1 user does not exist"},

	// ---- Mimecast ----
	{set: "dev", source: "mimecast", name: "mimecast-anti-spoofing", mta: "postfix",
		rcpt: "accounts@partner.example", host: "eu-smtp-inbound-1.mimecast.com", ip: "192.0.2.60", stage: rcpt,
		reply:  "550 Rejected by header based Anti-Spoofing policy: accounts@partner.example - https://community.mimecast.com/docs/DOC-1369#550 [A1b2C3d4E5f6G7h8I9j0kL.uk12]",
		reason: "policyviolation", alt: "authfailure", side: "sender", src: srcMime + ", 550 Rejected by header based Anti-Spoofing policy"},
	{set: "dev", source: "mimecast", name: "mimecast-envelope-blocked", mta: "exim",
		rcpt: "procurement@partner.example", host: "us-smtp-inbound-2.mimecast.com", ip: "192.0.2.61", stage: rcpt,
		reply:  "550 Envelope blocked - User Entry - https://community.mimecast.com/docs/DOC-1369#550 [Zz9Yy8Xx7Ww6Vv5Uu4Tt.us55]",
		reason: "rejected", side: "sender", src: srcMime + ", 550 Envelope blocked - User Entry"},
	{set: "dev", source: "mimecast", name: "mimecast-invalid-recipient", mta: "sendmail",
		rcpt: "left.company@partner.example", host: "eu-smtp-inbound-2.mimecast.com", ip: "192.0.2.62", stage: rcpt,
		reply:  "550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 [Qq1Ww2Ee3Rr4Tt5Yy6.uk66]",
		reason: "userunknown", side: "recipient", hard: true, src: srcMime + ", 550 Invalid Recipient"},
	{set: "dev", source: "mimecast", name: "mimecast-greylisting", mta: "postfix",
		rcpt: "office@partner.example", host: "eu-smtp-inbound-1.mimecast.com", ip: "192.0.2.60", stage: rcpt, delayed: true,
		reply:  "451 Greylisting in action, please come back later - https://community.mimecast.com/docs/DOC-1369#451 [Aa1Bb2Cc3Dd4.uk77]",
		reason: "onhold", alt: "ratelimited", src: srcMime + ", 451 Greylisting in action"},

	// ---- Proofpoint ----
	{set: "dev", source: "proofpoint", name: "proofpoint-reputation-block", mta: "postfix",
		rcpt: "hr@enterprise.example", host: "mx0a-00123401.pphosted.com", ip: "192.0.2.70", stage: conn,
		reply:  "554 5.7.1 Service unavailable; Client host [203.0.113.25] blocked using prs.proofpoint.com; Blocked - see https://ipcheck.proofpoint.com/?ip=203.0.113.25",
		reason: "blocked", side: "sender", src: srcPP + ", client host blocked (Proofpoint Dynamic Reputation)"},
	{set: "dev", source: "proofpoint", name: "proofpoint-essentials-spam", mta: "exim",
		rcpt: "ceo@smallbiz.example", host: "mx1-us1.ppe-hosted.com", ip: "192.0.2.71", stage: data,
		reply:  "554 5.7.0 Message rejected due to spam content [ppe-hosted.com]",
		reason: "spamdetected", side: "sender", src: srcPP + ", 554 message rejected as spam"},

	// ---- Cisco Secure Email ----
	{set: "dev", source: "cisco", name: "cisco-sbrs-reject-greeting", mta: "postfix",
		rcpt: "purchasing@bigcorp.example", host: "esa1.bigcorp.iphmx.com", ip: "192.0.2.80", stage: conn,
		reply:  "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means.",
		reason: "badreputation", side: "sender", src: srcCisco + ", REJECT by sender reputation score"},
	{set: "dev", source: "cisco", name: "cisco-ldap-address-rejected", mta: "exim",
		rcpt: "retired@bigcorp.example", host: "esa2.bigcorp.iphmx.com", ip: "192.0.2.81", stage: rcpt,
		reply:  "550 #5.1.0 Address rejected.",
		reason: "userunknown", side: "recipient", hard: true, status: "5.1.0", src: srcCisco + ", LDAP accept query: 550 #5.1.0 Address rejected"},

	// ---- Barracuda ----
	{set: "dev", source: "barracuda", name: "barracuda-reputation", mta: "postfix",
		rcpt: "frontdesk@clinic.example", host: "d123456a.ess.barracudanetworks.com", ip: "192.0.2.90", stage: rcpt,
		reply:  "554 Service unavailable; Client host [203.0.113.25] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=203.0.113.25",
		reason: "blocked", side: "sender", src: srcBarra + ", 554 blocked using Barracuda Reputation"},
	{set: "dev", source: "barracuda", name: "barracuda-permanent-failure-blocked", mta: "exim",
		rcpt: "billing@clinic.example", host: "d123456a.ess.barracudanetworks.com", ip: "192.0.2.90", stage: data,
		reply:  "550 permanent failure for one or more recipients (billing@clinic.example:blocked)",
		reason: "spamdetected", alt: "policyviolation,filtered", side: "sender", src: srcBarra + ", 550 permanent failure for one or more recipients (...:blocked)"},

	// ---- Postfix's own and common Postfix receivers ----
	{set: "dev", source: "postfix", name: "postfix-relay-access-denied", mta: "sendmail",
		rcpt: "someone@not-hosted.example", host: "mx.hosting.example", ip: "192.0.2.100", stage: rcpt,
		reply:  "554 5.7.1 <someone@not-hosted.example>: Relay access denied",
		reason: "norelaying", src: srcPostfix + ", reject_unauth_destination"},
	{set: "dev", source: "postfix", name: "postfix-user-unknown-local", mta: "exim",
		rcpt: "typo.name@small.example", host: "mail.small.example", ip: "192.0.2.101", stage: rcpt,
		reply:  "550 5.1.1 <typo.name@small.example>: Recipient address rejected: User unknown in local recipient table",
		reason: "userunknown", side: "recipient", hard: true, src: srcPostfix + ", local_recipient_maps"},
	{set: "dev", source: "postfix", name: "postfix-450-4.1.1-user-unknown", mta: "postfix",
		rcpt: "maybe.user@small.example", host: "mail.small.example", ip: "192.0.2.101", stage: rcpt, delayed: true,
		reply:  "450 4.1.1 <maybe.user@small.example>: Recipient address rejected: User unknown in virtual mailbox table",
		reason: "userunknown", side: "recipient", hard: false, src: srcPostfix + ", unknown_virtual_mailbox_reject_code = 450"},
	{set: "dev", source: "postfix", name: "postfix-cannot-find-hostname", mta: "postfix",
		rcpt: "desk@strict.example", host: "mx.strict.example", ip: "192.0.2.102", stage: rcpt,
		reply:  "550 5.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.25]",
		reason: "requireptr", side: "sender", src: srcPostfix + ", reject_unknown_reverse_client_hostname"},
	{set: "dev", source: "postfix", name: "postfix-helo-rejected", mta: "exim",
		rcpt: "info@strict.example", host: "mx.strict.example", ip: "192.0.2.102", stage: rcpt,
		reply:  "504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname",
		reason: "blocked", alt: "syntaxerror", side: "sender", src: srcPostfix + ", reject_non_fqdn_helo_hostname"},
	{set: "dev", source: "postfix", name: "postfix-sender-domain-not-found", mta: "postfix",
		rcpt: "contact@strict.example", host: "mx.strict.example", ip: "192.0.2.102", stage: rcpt,
		reply:  "550 5.1.8 <news@sender.example>: Sender address rejected: Domain not found",
		reason: "rejected", side: "sender", src: srcPostfix + ", reject_unknown_sender_domain"},
	{set: "dev", source: "postfix", name: "postfix-host-not-found", mta: "postfix",
		rcpt: "someone@no-such-domain.example", stage: none, dsnSt: "5.4.4",
		reply:  "Host or domain name not found. Name service error for name=no-such-domain.example type=AAAA: Host not found",
		reason: "hostunknown", side: "recipient", hard: true, src: srcPostfix + ", smtp(8) DNS lookup of the destination"},
	{set: "dev", source: "postfix", name: "postfix-greeting-timeout", mta: "postfix",
		rcpt: "support@slow.example", stage: none, dsnSt: "4.4.2",
		reply:  "delivery temporarily suspended: conversation with mx.slow.example[192.0.2.103] timed out while receiving the initial server greeting",
		reason: "expired", side: "network", src: srcPostfix + ", smtp(8) timeouts, bounce after maximal_queue_lifetime"},
	{set: "dev", source: "postfix", name: "postfix-rbl-spamhaus", mta: "exim",
		rcpt: "office@strict.example", host: "mx.strict.example", ip: "192.0.2.102", stage: rcpt,
		reply:  "554 5.7.1 Service unavailable; Client host [203.0.113.25] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.25",
		reason: "blocked", side: "sender", src: srcPostfix + ", reject_rbl_client"},

	// ---- Exim ----
	{set: "dev", source: "exim", name: "exim-retry-timeout", mta: "exim",
		rcpt: "help@down.example", stage: none,
		reply:  "retry timeout exceeded",
		reason: "expired", side: "network", status: "5.0.0", src: srcExim + ", retry rules"},
	{set: "dev", source: "exim", name: "exim-all-hosts-failing", mta: "exim",
		rcpt: "sales@down.example", stage: none,
		reply:  "all hosts for 'down.example' have been failing for a long time (and retry time not reached)",
		reason: "expired", side: "network", status: "5.0.0", src: srcExim + ", retry rules"},
	{set: "dev", source: "exim", name: "exim-unrouteable", mta: "exim",
		rcpt: "user@unroutable.example", stage: none,
		reply:  "Unrouteable address",
		reason: "hostunknown", side: "recipient", hard: true, status: "5.0.0", src: srcExim + ", dnslookup router"},
	{set: "dev", source: "exim", name: "exim-sender-verify-callout", mta: "postfix",
		rcpt: "careers@verifying.example", host: "mx.verifying.example", ip: "192.0.2.110", stage: rcpt,
		reply:  "550-Verification failed for <news@sender.example>\n550-Called:   198.51.100.7\n550-Sent:     RCPT TO:<news@sender.example>\n550-Response: 550 5.1.1 <news@sender.example>: Recipient address rejected: User unknown\n550 Sender verify failed",
		reason: "rejected", side: "sender", src: srcExim + ", verify = sender/callout"},
	{set: "dev", source: "exim", name: "exim-remote-status-5.2.2", mta: "exim",
		rcpt: "quota.user@isp.example", host: "mx1.isp.example", ip: "192.0.2.111", stage: rcpt,
		reply:  "552 5.2.2 <quota.user@isp.example>: mailbox is full: quota exceeded",
		reason: "mailboxfull", side: "recipient", src: srcExim + ", Status 5.0.0 with the remote's enhanced code in Diagnostic-Code"},
	{set: "dev", source: "exim", name: "exim-greeting-rejected", mta: "exim",
		rcpt: "mayor@town.example", host: "mail.town.example", ip: "192.0.2.112", stage: conn,
		reply:  "554 5.7.1 mail.town.example: Your IP 203.0.113.25 is not allowed to connect",
		reason: "blocked", side: "sender", src: srcExim + ", SMTP error after initial connection"},

	// ---- Sendmail ----
	{set: "dev", source: "sendmail", name: "sendmail-host-unknown", mta: "sendmail",
		rcpt: "user@typo-domain.example", stage: none, dsnSt: "5.1.2",
		reply:  "Host unknown (Name server: typo-domain.example: host not found)",
		reason: "hostunknown", side: "recipient", hard: true, src: srcSendm + ", 550 5.1.2 Host unknown"},
	{set: "dev", source: "sendmail", name: "sendmail-deferred-timeout", mta: "sendmail",
		rcpt: "admin@unreachable.example", stage: none, dsnSt: "4.4.1", delayed: true,
		reply:  "Deferred: Connection timed out with mx.unreachable.example.",
		reason: "expired", side: "network", src: srcSendm + ", Deferred: Connection timed out"},
	{set: "dev", source: "sendmail", name: "sendmail-ip-name-lookup-failed", mta: "postfix",
		rcpt: "post@oldschool.example", host: "smtp.oldschool.example", ip: "192.0.2.120", stage: conn,
		reply:  "550 5.7.1 203.0.113.25 IP name lookup failed [203.0.113.25]",
		reason: "requireptr", side: "sender", src: srcSendm + ", FEATURE(`require_rdns')"},

	// ---- qmail ----
	{set: "dev", source: "qmail", name: "qmail-no-mailbox", mta: "qmail",
		rcpt: "nobody@qmail-host.example", stage: none,
		reply:  "Sorry, no mailbox here by that name. (#5.1.1)",
		reason: "userunknown", side: "recipient", hard: true, status: "5.1.1", src: srcQmail + ", qmail-local"},
	{set: "dev", source: "qmail", name: "qmail-queue-too-long", mta: "qmail",
		rcpt: "friend@gone.example", stage: none,
		reply:  "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)\nI'm not going to try again; this message has been in the queue too long.",
		reason: "expired", side: "network", status: "4.4.1", src: srcQmail + ", qmail-send queuelifetime"},
	{set: "dev", source: "qmail", name: "qmail-helo-rejected", mta: "qmail",
		rcpt: "webmaster@picky.example", host: "mx.picky.example", ip: "192.0.2.130", stage: helo,
		reply:  "550 5.7.1 Your HELO name is not valid here",
		reason: "blocked", side: "sender", src: srcQmail + ", qmail-remote: Connected to ... but my name was rejected"},

	// ---- Filters: amavis, rspamd, SpamAssassin ----
	{set: "dev", source: "filters", name: "amavis-ube", mta: "postfix",
		rcpt: "staff@filtered.example", host: "mx.filtered.example", ip: "192.0.2.140", stage: data,
		reply:  "550 5.7.0 Message content rejected, UBE, id=28147-07",
		reason: "spamdetected", side: "sender", src: srcAmavis + ", D_REJECT of spam"},
	{set: "dev", source: "filters", name: "amavis-banned", mta: "exim",
		rcpt: "invoices@filtered.example", host: "mx.filtered.example", ip: "192.0.2.140", stage: data,
		reply:  "554 5.7.0 Reject, id=31477-03 - BANNED: P=p003,L=1,M=multipart/mixed | P=p002,L=1/2,M=application/x-msdownload,T=exe,N=invoice.exe",
		reason: "policyviolation", side: "sender", src: srcAmavis + ", banned file names"},
	{set: "dev", source: "filters", name: "rspamd-spam-rejected", mta: "postfix",
		rcpt: "reader@rspamd-user.example", host: "mail.rspamd-user.example", ip: "192.0.2.141", stage: data,
		reply:  "554 5.7.1 Spam message rejected",
		reason: "spamdetected", side: "sender", src: srcRspamd},

	// ---- Recipients: the address the sender used, source routes, IDN ----
	{set: "dev", source: "recipients", name: "postfix-expanded-from", mta: "postfix",
		rcpt: "jane.smith@mailhost.example", origRcpt: "jane@alias.example", host: "mailhost.example", ip: "192.0.2.150", stage: rcpt,
		reply:  "550 5.1.1 <jane.smith@mailhost.example>: Recipient address rejected: User unknown in virtual mailbox table",
		reason: "userunknown", side: "recipient", hard: true, src: srcRFC + "; Postfix bounce(5) 'expanded from'"},
	{set: "dev", source: "recipients", name: "exim-ultimately-generated", mta: "exim",
		rcpt: "j.smith@forward.example", origRcpt: "john@alias.example", host: "mx.forward.example", ip: "192.0.2.151", stage: rcpt,
		reply:  "550 5.1.1 No such user",
		reason: "userunknown", side: "recipient", hard: true, src: srcRFC + "; Exim 'ultimately generated from'"},
	{set: "dev", source: "recipients", name: "source-route", mta: "postfix",
		rcpt: "user@dest.example", finalField: "@relay.example:user@dest.example", host: "mx.dest.example", ip: "192.0.2.152", stage: rcpt,
		reply:  "550 5.1.1 <user@dest.example>: Recipient address rejected: User unknown in local recipient table",
		reason: "userunknown", side: "recipient", hard: true, src: srcRFC},
	{set: "dev", source: "recipients", name: "idn-a-label", mta: "postfix",
		rcpt: "kunde@xn--bcher-kva.example", host: "mx.xn--bcher-kva.example", ip: "192.0.2.153", stage: rcpt,
		reply:  "550 5.1.1 <kunde@xn--bcher-kva.example>: Recipient address rejected: User unknown in local recipient table",
		reason: "userunknown", side: "recipient", hard: true, src: srcRFC + "; RFC 5890 A-labels"},
	{set: "dev", source: "recipients", name: "groups-without-blank-line", mta: "raw", raw: rawGroups,
		rcpt: "first@two.example", stage: rcpt, reply: "550 5.1.1",
		reason: "userunknown", side: "recipient", hard: true, status: "5.1.1", code: "550", src: srcRFC + "; RFC 3464 2.1 (a blank line should separate groups; some MTAs omit it)"},
	{set: "dev", source: "recipients", name: "groups-without-blank-line-2", sameFile: "groups-without-blank-line", index: 2,
		rcpt: "second@two.example", stage: rcpt, reply: "552 5.2.2",
		reason: "mailboxfull", side: "recipient", status: "5.2.2", code: "552", src: srcRFC + "; second group of the same message"},
	{set: "dev", source: "recipients", name: "unknown-body-list-headers", mta: "raw", raw: rawVague,
		rcpt: "real.target@vague.example", stage: none, reply: "",
		reason: "undefined", alt: "onhold,userunknown", hard: false, status: "", code: "", src: "DESIGN.md: addresses from the returned message's headers are never hard failures"},
	// ---- second batch: stages, causes beside consequences, documented texts that fell to undefined ----
	{set: "dev", source: "postfix", name: "postfix-too-many-connections-greeting", mta: "postfix",
		rcpt: "info@busy.example", host: "mx.busy.example", ip: "192.0.2.104", stage: conn, delayed: true,
		reply:  "421 4.7.0 mx.busy.example Error: too many connections from 203.0.113.25",
		reason: "ratelimited", side: "sender", src: srcPostfix + ", smtpd_client_connection_count_limit"},
	{set: "dev", source: "postfix", name: "postfix-helo-host-not-found", mta: "sendmail",
		rcpt: "sales@strict.example", host: "mx.strict.example", ip: "192.0.2.102", stage: rcpt,
		reply:   "450 4.7.1 <mail.sender.example>: Helo command rejected: Host not found",
		delayed: true, reason: "blocked", alt: "requireptr", side: "sender", src: srcPostfix + ", reject_unknown_helo_hostname"},
	{set: "dev", source: "postfix", name: "postfix-loops-back", mta: "postfix",
		rcpt: "user@loop.example", stage: none, dsnSt: "5.4.6",
		reply:  "mail for loop.example loops back to myself",
		reason: "networkerror", side: "network", src: srcPostfix + ", smtp(8) mail loops back to myself"},
	{set: "dev", source: "postfix", name: "postfix-message-size", mta: "exim",
		rcpt: "designer@studio.example", host: "mail.studio.example", ip: "192.0.2.105", stage: mail,
		reply:  "552 5.3.4 Message size exceeds fixed limit",
		reason: "emailtoolarge", side: "sender", src: srcPostfix + ", message_size_limit"},
	{set: "dev", source: "postfix", name: "postfix-insufficient-storage", mta: "postfix",
		rcpt: "clerk@full-disk.example", host: "mx.full-disk.example", ip: "192.0.2.106", stage: mail, delayed: true,
		reply:  "452 4.3.1 Insufficient system storage",
		reason: "systemfull", side: "recipient", src: srcPostfix + ", queue_minfree"},
	{set: "dev", source: "exim", name: "exim-appendfile-quota", mta: "exim",
		rcpt: "hoarder@local.example", stage: none,
		reply:  "mailbox is full (MTA-imposed quota exceeded while writing to /var/mail/hoarder)",
		reason: "mailboxfull", side: "recipient", status: "5.0.0", src: srcExim + ", appendfile quota"},
	{set: "dev", source: "exim", name: "exim-cpanel-hourly-limit", mta: "exim",
		rcpt: "prospect@elsewhere.example", stage: none,
		reply:  "Domain sender.example has exceeded the max emails per hour (250/250 (100%)) allowed.  Message discarded.",
		reason: "ratelimited", side: "sender", status: "5.0.0", src: srcExim + ", ratelimit ACL (cPanel's max emails per hour)"},
	{set: "dev", source: "sendmail", name: "sendmail-five-days", mta: "sendmail",
		rcpt: "owner@dead-mx.example", stage: none, dsnSt: "4.4.7",
		reply:  "Message could not be delivered for 5 days\nMessage will be deleted from queue",
		reason: "expired", side: "network", src: srcSendm + ", Timeout.queuereturn"},
	{set: "dev", source: "sendmail", name: "sendmail-service-currently-unavailable", mta: "sendmail",
		rcpt: "press@flaky.example", host: "mx.flaky.example", ip: "192.0.2.121", stage: rcpt, delayed: true,
		reply:  "421 4.3.2 Service currently unavailable",
		reason: "systemerror", side: "recipient", src: srcSendm + ", 421 4.3.2 service shutting down / unavailable"},
	{set: "dev", source: "qmail", name: "qmail-no-host", mta: "qmail",
		rcpt: "anyone@nowhere-at-all.example", stage: none,
		reply:  "Sorry, I couldn't find any host named nowhere-at-all.example. (#5.1.2)",
		reason: "hostunknown", side: "recipient", hard: true, status: "5.1.2", src: srcQmail + ", qmail-remote"},
	{set: "dev", source: "qmail", name: "qmail-greeting-failed", mta: "qmail",
		rcpt: "desk@closed.example", host: "mx.closed.example", ip: "192.0.2.131", stage: conn,
		reply:  "554 mx.closed.example ESMTP not accepting messages from 203.0.113.25",
		reason: "blocked", side: "sender", src: srcQmail + ", qmail-remote: Connected to ... but greeting failed"},
	{set: "dev", source: "filters", name: "spamassassin-milter", mta: "postfix",
		rcpt: "owner@sa-user.example", host: "mail.sa-user.example", ip: "192.0.2.142", stage: data,
		reply:  "550 5.7.1 Blocked by SpamAssassin",
		reason: "spamdetected", side: "sender", src: "spamass-milter(1): -r reject threshold"},
	{set: "dev", source: "filters", name: "amavis-infected", mta: "sendmail",
		rcpt: "accounts@filtered.example", host: "mx.filtered.example", ip: "192.0.2.140", stage: data,
		reply:  "554 5.7.0 Reject, id=12345-02 - INFECTED: Eicar-Signature",
		reason: "virusdetected", side: "sender", src: srcAmavis + ", virus D_REJECT"},
	{set: "dev", source: "yahoo", name: "yahoo-tss09-permanent", mta: "exim",
		rcpt: "reader3@yahoo.com", host: "mta5.am0.yahoodns.net", ip: "192.0.2.43", stage: conn, delayed: true,
		reply:  "421 4.7.0 [TSS09] All messages from 203.0.113.25 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
		reason: "blocked", side: "sender", src: srcYahoo + ", [TSS09]"},
	{set: "dev", source: "apple", name: "icloud-proofpoint-block", mta: "postfix",
		rcpt: "john.appleseed@icloud.com", host: "mx01.mail.icloud.com", ip: "192.0.2.50", stage: conn,
		reply:  "550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=203.0.113.25",
		reason: "blocked", side: "sender", src: srcApple + ", IP blocked by the inbound filter"},
	{set: "dev", source: "apple", name: "icloud-over-quota", mta: "exim",
		rcpt: "busy.person@icloud.com", host: "mx02.mail.icloud.com", ip: "192.0.2.51", stage: rcpt,
		reply:  "552 5.2.2 <busy.person@icloud.com>: user is over quota",
		reason: "mailboxfull", side: "recipient", src: srcApple + ", 552 5.2.2 over quota"},
	{set: "dev", source: "mimecast", name: "mimecast-security-policies", mta: "postfix",
		rcpt: "finance@partner.example", host: "eu-smtp-inbound-1.mimecast.com", ip: "192.0.2.60", stage: data,
		reply:  "554 Email rejected due to security policies - https://community.mimecast.com/docs/DOC-1369#554 [Pp0Oo9Ii8Uu7.uk88]",
		reason: "policyviolation", side: "sender", src: srcMime + ", 554 Email rejected due to security policies"},
	{set: "dev", source: "cisco", name: "cisco-recipients-this-hour", mta: "exim",
		rcpt: "events@bigcorp.example", host: "esa1.bigcorp.iphmx.com", ip: "192.0.2.80", stage: rcpt, delayed: true,
		reply:  "452 Too many recipients received this hour",
		reason: "ratelimited", side: "sender", src: srcCisco + ", mail flow policy rate limit"},
	{set: "dev", source: "google", name: "gmail-5.7.1-fails-authentication", mta: "postfix",
		rcpt: "parent@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.30", stage: data,
		reply:  "550-5.7.1 This message does not have authentication information or fails to\n550-5.7.1 pass authentication checks (SPF or DKIM). To best protect our users\n550-5.7.1 from spam, the message has been blocked. Please visit\n550 5.7.1  https://support.google.com/mail/answer/81126#authentication 5b1f17b1804b1-43168b2c3d4si5566f.11 - gsmtp",
		reason: "authfailure", side: "sender", src: srcGoogle + ", 550 5.7.1 fails to pass authentication checks"},
	{set: "dev", source: "google", name: "gmail-5.3.4-size", mta: "sendmail",
		rcpt: "photos@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.30", stage: mail,
		reply:  "552-5.3.4 Your message exceeded Google's message size limits. For more\n552-5.3.4 information, go to\n552 5.3.4  https://support.google.com/mail/?p=MaxSizeError 5b1f17b1804b1-43168b2c3d4si5566f.22 - gsmtp",
		reason: "emailtoolarge", side: "sender", src: srcGoogle + ", 552 5.3.4"},
	{set: "dev", source: "google", name: "gmail-tls-required", mta: "exim",
		rcpt: "secure@workspace-customer.example", host: "aspmx.l.google.com", ip: "192.0.2.36", stage: rcpt, delayed: true,
		reply:  "421-4.7.0 TLS required for RCPT domain, closing connection. For more\n421-4.7.0 information, go to\n421 4.7.0  https://support.google.com/a/answer/2520500 a1b2c3si99.33 - gsmtp",
		reason: "failedstarttls", side: "sender", alt: "securityerror", src: srcGoogle + ", 421 4.7.0 TLS required for RCPT domain"},
	{set: "dev", source: "google", name: "gmail-5.7.25-ptr", mta: "postfix",
		rcpt: "neighbour@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.30", stage: rcpt,
		reply:  "550-5.7.25 [203.0.113.25] The IP address sending this message does not have a\n550-5.7.25 PTR record setup, or the corresponding forward DNS entry does not\n550-5.7.25 point to the sending IP. As a policy, Gmail does not accept messages\n550-5.7.25 from IPs with missing PTR records. For more information, go to\n550 5.7.25  https://support.google.com/mail/answer/81126#ip-practices 5b1f1si5566f.44 - gsmtp",
		reason: "requireptr", side: "sender", src: srcGoogle + ", 550 5.7.25"},
	{set: "dev", source: "microsoft", name: "ms-5.7.350-remote-spam", mta: "exchange",
		rcpt: "client@external.example", stage: none,
		reply:  "550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 Message rejected as spam by Content Filtering",
		reason: "spamdetected", side: "sender", status: "5.7.350", code: "550", src: srcMS + ", 5.7.350"},
	{set: "dev", source: "microsoft", name: "ms-5.4.14-hop-count", mta: "exchange",
		rcpt: "loop@contoso.example", stage: none,
		reply:  "554 5.4.14 Hop count exceeded - possible mail loop ATTR34 [DB8EUR05FT012.eop-eur05.prod.protection.outlook.com]",
		reason: "networkerror", side: "network", status: "5.4.14", code: "554", src: srcMS + ", 5.4.14"},
	{set: "dev", source: "microsoft", name: "ms-5.2.3-recip-size-limit", mta: "exchange",
		rcpt: "archive@contoso.example", stage: none,
		reply:    "550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient",
		headline: "Your message is too big to be delivered to this recipient.",
		reason:   "emailtoolarge", side: "sender", status: "5.2.3", code: "550", src: srcMS + ", 5.2.3"},
	{set: "dev", source: "microsoft", name: "ms-5.7.1-spamhaus-as1450", mta: "postfix",
		rcpt: "office@contoso.example", host: "contoso-example.mail.protection.outlook.com", ip: "192.0.2.10", stage: rcpt,
		reply:  "550 5.7.1 Service unavailable, Client host [203.0.113.25] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/203.0.113.25 AS(1450) [BN8NAM12FT012.eop-nam12.prod.protection.outlook.com]",
		reason: "blocked", side: "sender", src: srcMS + ", 5.7.1 blocked using Spamhaus"},
}

// rawGroups is a DSN whose two recipient groups are not separated by a
// blank line (RFC 3464 2.1 wants one).
const rawGroups = `Return-Path: <>
Date: Mon, 16 Nov 2026 09:14:02 +0000
From: Mail Delivery System <MAILER-DAEMON@gw.sender.example>
To: news@sender.example
Subject: Delivery Status Notification (Failure)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="grp"

--grp
Content-Type: text/plain

Delivery to the following recipients failed permanently.

--grp
Content-Type: message/delivery-status

Reporting-MTA: dns; gw.sender.example

Final-Recipient: rfc822; first@two.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.two.example
Diagnostic-Code: smtp; 550 5.1.1 <first@two.example>: Recipient address rejected: User unknown
Final-Recipient: rfc822; second@two.example
Action: failed
Status: 5.2.2
Remote-MTA: dns; mx.two.example
Diagnostic-Code: smtp; 552 5.2.2 <second@two.example>: Mailbox is full

--grp
Content-Type: text/rfc822-headers

From: Sender News <news@sender.example>
To: first@two.example, second@two.example
Subject: November offers
Message-ID: <20261116091401.groups@sender.example>

--grp--
`

// rawVague is a bounce whose body names no recipient; the returned
// message carries list headers and prose with other addresses.
const rawVague = `Return-Path: <>
Date: Mon, 16 Nov 2026 09:14:02 +0000
From: postmaster@vague.example
To: news@sender.example
Subject: Message could not be delivered
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="vg"

--vg
Content-Type: text/plain

Your message could not be delivered. If you think this is an error, write
to helpdesk@vague.example; if helpdesk@vague.example fails too, call us.

--vg
Content-Type: message/rfc822

From: Sender News <news@sender.example>
To: real.target@vague.example
Cc: other.person@vague.example
Subject: November offers
Message-ID: <20261116091401.vague@sender.example>
List-Unsubscribe: <mailto:unsubscribe@sender.example>
List-Help: <mailto:help@sender.example>

Hello, see our offers.
--vg--
`
