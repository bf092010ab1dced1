package main

// heldout2Cases were written from the documentation after the second
// freeze (git commit "freeze rules (round 2)"), once the first held-out set
// had been used to change rules. Do not tune rules to them.
var heldout2Cases = []sample{
	// ---- Microsoft ----
	{set: "heldout2", source: "microsoft", name: "ms-5.4.310-domain-does-not-exist", mta: "exchange", rcpt: "someone@nonexistent-domain.example", stage: none,
		reply:  "550 5.4.310 DNS domain nonexistent-domain.example does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=nonexistent-domain.example]",
		status: "5.4.310", code: "550", reason: "hostunknown", side: "recipient", hard: true, src: srcMS + ", 5.4.310"},
	{set: "heldout2", source: "microsoft", name: "ms-5.7.136-recipient-authentication", mta: "exchange", rcpt: "ceo@contoso.example", stage: none,
		reply:  "550 5.7.136 RESOLVER.RST.SenderNotAuthenticatedForRecipient; authentication required; Delivery restriction check failed because the sender was not authenticated when sending to this recipient",
		status: "5.7.136", code: "550", reason: "securityerror", alt: "rejected,policyviolation", side: "sender", src: srcMS + ", 5.7.136"},
	{set: "heldout2", source: "microsoft", name: "ms-5.6.11-bare-linefeeds", mta: "exchange", rcpt: "partner@legacy.example", stage: none,
		reply:  "554 5.6.11 SMTPSEND.BareLinefeedsAreIllegal; message contains bare linefeeds, which cannot be sent via DATA",
		status: "5.6.11", code: "554", reason: "notcompliantrfc", alt: "contenterror", side: "sender", src: srcMS + ", 5.6.11"},
	{set: "heldout2", source: "microsoft", name: "ms-5.7.705-tenant-threshold", mta: "exchange", rcpt: "client@elsewhere.example", stage: none,
		reply:  "550 5.7.705 Access denied, tenant has exceeded threshold. For more information please go to https://go.microsoft.com/fwlink/?LinkId=526653",
		status: "5.7.705", code: "550", reason: "badreputation", alt: "blocked", side: "sender", src: srcMS + ", 5.7.705"},

	// ---- Google ----
	{set: "heldout2", source: "google", name: "gmail-5.7.27-spf", mta: "postfix",
		rcpt: "fan@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.30", stage: data,
		reply:  "550-5.7.27 This mail has been blocked because the sender is unauthenticated.\n550-5.7.27 Gmail requires all senders to authenticate with SPF.\n550 5.7.27 https://support.google.com/mail/answer/81126 5b1f1si2.1 - gsmtp",
		reason: "authfailure", side: "sender", src: srcGoogle + ", 550 5.7.27"},
	{set: "heldout2", source: "google", name: "gmail-4.2.1-too-quickly", mta: "exim",
		rcpt: "celebrity@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.31", stage: rcpt, delayed: true,
		reply:  "450-4.2.1 The user you are trying to contact is receiving mail too quickly.\n450-4.2.1 Please resend your message at a later time.\n450 4.2.1 5b1f1si2.2 - gsmtp",
		reason: "ratelimited", side: "recipient", src: srcGoogle + ", 450 4.2.1"},
	{set: "heldout2", source: "google", name: "gmail-not-in-whitelist", mta: "postfix",
		rcpt: "it@workspace-customer.example", host: "aspmx.l.google.com", ip: "192.0.2.36", stage: rcpt, delayed: true,
		reply:  "421-4.7.0 IP not in whitelist for RCPT domain, closing connection. 5b1f1si2.3 - gsmtp",
		reason: "blocked", side: "sender", src: srcGoogle + ", 421 4.7.0 IP not in whitelist for RCPT domain"},
	{set: "heldout2", source: "google", name: "gmail-dmarc-not-accepted", mta: "sendmail",
		rcpt: "reader5@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.30", stage: data,
		reply:  "550-5.7.26 Unauthenticated email from sender.example is not accepted due to\n550-5.7.26 domain's DMARC policy. Please contact the administrator of\n550 5.7.26 sender.example domain. 5b1f1si2.4 - gsmtp",
		reason: "authfailure", side: "sender", src: srcGoogle + ", 550 5.7.26 DMARC"},
	{set: "heldout2", source: "google", name: "gmail-5.2.1-disabled", mta: "exim",
		rcpt: "ex.account@gmail.com", host: "gmail-smtp-in.l.google.com", ip: "192.0.2.31", stage: rcpt,
		reply:  "550-5.2.1 The email account that you tried to reach is disabled.\n550 5.2.1 5b1f1si2.5 - gsmtp",
		reason: "suspend", side: "recipient", hard: true, src: srcGoogle + ", 550 5.2.1 disabled"},

	// ---- Yahoo / AOL, Apple ----
	{set: "heldout2", source: "yahoo", name: "yahoo-ts03-permanent", mta: "postfix",
		rcpt: "reader6@yahoo.com", host: "mta7.am0.yahoodns.net", ip: "192.0.2.40", stage: conn, delayed: true,
		reply:  "421 4.7.1 [TS03] All messages from 203.0.113.25 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
		reason: "blocked", side: "sender", src: srcYahoo + ", [TS03]"},
	{set: "heldout2", source: "yahoo", name: "yahoo-unresolvable-from-domain", mta: "exim",
		rcpt: "reader7@yahoo.com", host: "mta5.am0.yahoodns.net", ip: "192.0.2.43", stage: mail, delayed: true,
		reply:  "451 Message temporarily deferred due to unresolvable RFC.5321 from domain; see https://postmaster.yahooinc.com/error-codes",
		reason: "rejected", alt: "onhold", side: "sender", src: srcYahoo + ", 451 unresolvable RFC.5321 from domain"},
	{set: "heldout2", source: "apple", name: "icloud-illegal-alias", mta: "postfix",
		rcpt: "old.name@mac.com", host: "mx01.mail.icloud.com", ip: "192.0.2.50", stage: rcpt,
		reply:  "550 5.1.1 <old.name@mac.com>: unknown or illegal alias: old.name@mac.com",
		reason: "userunknown", side: "recipient", hard: true, src: srcApple + ", 550 5.1.1 unknown or illegal alias"},
	{set: "heldout2", source: "apple", name: "icloud-gl01-deferred", mta: "exim",
		rcpt: "busy.bee@icloud.com", host: "mx02.mail.icloud.com", ip: "192.0.2.51", stage: rcpt, delayed: true,
		reply:  "421 4.7.0 [GL01] Message from (203.0.113.25) temporarily deferred - 4.16.50. Please refer to https://support.apple.com/en-us/HT204137",
		reason: "ratelimited", alt: "badreputation,onhold", side: "sender", src: srcApple + ", [GL01] temporarily deferred"},

	// ---- Postfix ----
	{set: "heldout2", source: "postfix", name: "postfix-sender-user-unknown", mta: "exim",
		rcpt: "board@strict.example", host: "mx.strict.example", ip: "192.0.2.102", stage: rcpt,
		reply:  "550 5.1.0 <news@sender.example>: Sender address rejected: User unknown in local recipient table",
		reason: "rejected", side: "sender", src: srcPostfix + ", reject_unlisted_sender"},
	{set: "heldout2", source: "postfix", name: "postfix-need-fqdn-address", mta: "postfix",
		rcpt: "admin@strict.example", host: "mx.strict.example", ip: "192.0.2.102", stage: rcpt,
		reply:  "504 5.5.2 <admin>: Recipient address rejected: need fully-qualified address",
		reason: "syntaxerror", alt: "userunknown", side: "sender", src: srcPostfix + ", reject_non_fqdn_recipient"},
	{set: "heldout2", source: "postfix", name: "postfix-recipient-domain-not-found", mta: "sendmail",
		rcpt: "x@no-such-place.example", host: "smtp.relay.example", ip: "192.0.2.123", stage: rcpt,
		reply:  "550 5.1.2 <x@no-such-place.example>: Recipient address rejected: Domain not found",
		reason: "hostunknown", side: "recipient", hard: true, src: srcPostfix + ", reject_unknown_recipient_domain"},
	{set: "heldout2", source: "postfix", name: "postfix-connection-refused-final", mta: "postfix",
		rcpt: "help@closed-port.example", stage: none, dsnSt: "4.4.1",
		reply:  "connect to mx.closed-port.example[192.0.2.124]:25: Connection refused",
		reason: "expired", alt: "networkerror", side: "network", src: srcPostfix + ", smtp(8) connect failures until maximal_queue_lifetime"},
	{set: "heldout2", source: "postfix", name: "postfix-lost-connection", mta: "postfix",
		rcpt: "big.files@dest.example", stage: none, dsnSt: "4.4.2", delayed: true,
		reply:  "lost connection with mx.dest.example[192.0.2.125] while sending end of data -- message may be sent more than once",
		reason: "networkerror", alt: "expired", side: "network", src: srcPostfix + ", smtp(8) lost connection"},

	// ---- Exim, Sendmail, qmail ----
	{set: "heldout2", source: "exim", name: "exim-mx-non-existent-hosts", mta: "exim",
		rcpt: "user@broken-mx.example", stage: none,
		reply:  "all relevant MX records point to non-existent hosts",
		reason: "hostunknown", alt: "notaccept", side: "recipient", hard: true, status: "5.0.0", src: srcExim + ", dnslookup router"},
	{set: "heldout2", source: "exim", name: "exim-spam-points", mta: "postfix",
		rcpt: "friend@sa-exim.example", host: "mail.sa-exim.example", ip: "192.0.2.114", stage: data,
		reply:  "550 This message scored 15.2 spam points.",
		reason: "spamdetected", side: "sender", src: srcExim + ", ACL with SpamAssassin (spam condition)"},
	{set: "heldout2", source: "sendmail", name: "sendmail-relaying-proper-auth", mta: "exim",
		rcpt: "client@somewhere.example", host: "smtp.isp.example", ip: "192.0.2.126", stage: rcpt,
		reply:  "550 5.7.1 <client@somewhere.example>... Relaying denied. Proper authentication required.",
		reason: "norelaying", side: "sender", src: srcSendm + ", relaying denied without SMTP AUTH"},
	{set: "heldout2", source: "qmail", name: "qmail-no-mail-exchanger", mta: "qmail",
		rcpt: "anyone@no-mx-no-a.example", stage: none,
		reply:  "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)",
		reason: "hostunknown", alt: "notaccept", side: "recipient", hard: true, status: "5.4.4", src: srcQmail + ", qmail-remote"},
	{set: "heldout2", source: "qmail", name: "qmail-banned-attachment", mta: "qmail",
		rcpt: "hr@qmail-filter.example", host: "mx.qmail-filter.example", ip: "192.0.2.132", stage: data,
		reply:  "554 5.7.1 This message has been blocked because it contains a banned attachment",
		reason: "policyviolation", side: "sender", src: srcQmail + ", qmail-remote 'failed after I sent the message' with a filter's reply"},

	// ---- Filters ----
	{set: "heldout2", source: "filters", name: "amavis-virus", mta: "postfix",
		rcpt: "desk@filtered.example", host: "mx.filtered.example", ip: "192.0.2.140", stage: data,
		reply:  "554 5.7.0 Reject, id=12345-03 - VIRUS: Eicar-Test-Signature",
		reason: "virusdetected", side: "sender", src: srcAmavis + ", virus (older VIRUS wording)"},

	// ---- Recipients ----
	{set: "heldout2", source: "recipients", name: "postfix-text-only-expanded-from", mta: "raw", raw: rawTextExpanded,
		rcpt: "team@alias2.example", stage: rcpt, reply: "550 5.1.1",
		reason: "userunknown", side: "recipient", hard: true, status: "5.1.1", code: "550", src: srcRFC + "; Postfix bounce(5) text without a DSN part"},
	{set: "heldout2", source: "recipients", name: "source-route-two-hops", mta: "raw", raw: rawRoute2,
		rcpt: "user@final.example", stage: none, reply: "550 5.1.1",
		reason: "userunknown", side: "recipient", hard: true, status: "5.1.1", code: "550", src: srcRFC},
}

// rawTextExpanded is an old Postfix bounce without a delivery-status part,
// its recipient line naming the alias the mailbox was expanded from.
const rawTextExpanded = `Return-Path: <>
Date: Mon, 16 Nov 2026 09:14:02 +0000
From: MAILER-DAEMON@mail.sender.example (Mail Delivery System)
To: news@sender.example
Subject: Undelivered Mail Returned to Sender

This is the Postfix program at host mail.sender.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

			The Postfix program

<pat@mailhost2.example> (expanded from <team@alias2.example>): host
    mailhost2.example[192.0.2.155] said: 550 5.1.1 <pat@mailhost2.example>:
    Recipient address rejected: User unknown in local recipient table (in reply
    to RCPT TO command)
`

// rawRoute2 is a DSN whose Final-Recipient carries a two-hop source route.
const rawRoute2 = `Return-Path: <>
Date: Mon, 16 Nov 2026 09:14:02 +0000
From: Mail Delivery System <MAILER-DAEMON@gw.sender.example>
To: news@sender.example
Subject: Delivery Status Notification (Failure)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="rt"

--rt
Content-Type: text/plain

Your message could not be delivered.

--rt
Content-Type: message/delivery-status

Reporting-MTA: dns; gw.sender.example

Final-Recipient: rfc822; <@hop1.example,@hop2.example:user@final.example>
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.final.example
Diagnostic-Code: smtp; 550 5.1.1 <user@final.example>: Recipient address rejected: User unknown

--rt--
`
