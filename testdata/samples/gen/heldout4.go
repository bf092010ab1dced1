package main

// Public sources of the fourth held-out set (other providers' postmaster pages).
const (
	srcComcast = "Comcast postmaster: SMTP error codes (postmaster.comcast.net/smtp-error-codes.php)"
	srcATT     = "AT&T postmaster: error codes (abuse-att.net / postmaster.att.net)"
	srcZoho    = "Zoho Mail help: bounce and SMTP error messages"
	srcMailru  = "Mail.ru postmaster help: SMTP replies (help.mail.ru)"
	srcGMX     = "GMX / WEB.DE postmaster: SMTP error messages (postmaster.gmx.net)"
	srcTOnline = "Deutsche Telekom (T-Online) postmaster: rejection codes (postmaster.t-online.de)"
)

// heldout4Cases were written after the fourth freeze (git commit "freeze
// rules (round 4)"), from providers the earlier sets did not cover. Do not
// tune rules to them.
var heldout4Cases = []sample{
	{set: "heldout4", source: "comcast", name: "comcast-block-for-spam", mta: "postfix",
		rcpt: "viewer@comcast.net", host: "mx2.comcast.net", ip: "192.0.2.160", stage: conn,
		reply:  "554 resimta-po-12v.sys.comcast.net resimta-po-12v.sys.comcast.net 203.0.113.25 Comcast block for spam.  Please see http://postmaster.comcast.net/smtp-error-codes.php#BL000010",
		reason: "blocked", alt: "spamdetected", side: "sender", src: srcComcast + ", BL000010"},
	{set: "heldout4", source: "comcast", name: "comcast-not-our-customer", mta: "exim",
		rcpt: "gone.viewer@comcast.net", host: "mx1.comcast.net", ip: "192.0.2.161", stage: rcpt,
		reply:  "550 5.1.1 <gone.viewer@comcast.net> Not our Customer",
		reason: "userunknown", side: "recipient", hard: true, src: srcComcast + ", 550 5.1.1 Not our Customer"},
	{set: "heldout4", source: "comcast", name: "comcast-rate-limit", mta: "postfix",
		rcpt: "viewer2@comcast.net", host: "mx1.comcast.net", ip: "192.0.2.161", stage: rcpt, delayed: true,
		reply:  "421 4.7.0 resimta-h1p-028481.sys.comcast.net RL000001 The IP 203.0.113.25 has exceeded the number of messages allowed. Please see http://postmaster.comcast.net/smtp-error-codes.php#RL000001",
		reason: "ratelimited", side: "sender", src: srcComcast + ", RL000001"},
	{set: "heldout4", source: "att", name: "att-fix-reverse-dns", mta: "sendmail",
		rcpt: "someone@att.net", host: "ff-ip4-mx-vip1.prodigy.net", ip: "192.0.2.162", stage: conn,
		reply:  "550 5.7.1 Connections not accepted from servers without a valid sender domain.flph829 Fix reverse DNS for 203.0.113.25",
		reason: "requireptr", side: "sender", src: srcATT + ", flph829 fix reverse DNS"},
	{set: "heldout4", source: "att", name: "att-dnsbl", mta: "postfix",
		rcpt: "another@sbcglobal.net", host: "ff-ip4-mx-vip2.prodigy.net", ip: "192.0.2.163", stage: conn,
		reply:  "553 5.3.0 flpd575 DNSBL:RBL 521< 203.0.113.25 >_is_blocked.For assistance forward this error to abuse_rbl@abuse-att.net",
		reason: "blocked", side: "sender", src: srcATT + ", DNSBL 521 is_blocked"},
	{set: "heldout4", source: "zoho", name: "zoho-flagged-spam", mta: "exim",
		rcpt: "owner@zoho-customer.example", host: "mx.zoho.com", ip: "192.0.2.164", stage: data,
		reply:  "554 5.7.1 Email cannot be delivered. Reason: Email flagged as Spam.",
		reason: "spamdetected", side: "sender", src: srcZoho + ", 554 5.7.1 flagged as Spam"},
	{set: "heldout4", source: "zoho", name: "zoho-user-does-not-exist", mta: "postfix",
		rcpt: "nobody@zoho-customer.example", host: "mx.zoho.com", ip: "192.0.2.164", stage: rcpt,
		reply:  "550 5.1.1 User does not exist - <nobody@zoho-customer.example>",
		reason: "userunknown", side: "recipient", hard: true, src: srcZoho + ", 550 5.1.1 User does not exist"},
	{set: "heldout4", source: "mailru", name: "mailru-user-not-found", mta: "postfix",
		rcpt: "ivan.no@mail.ru", host: "mxs.mail.ru", ip: "192.0.2.165", stage: rcpt,
		reply:  "550 Message was not accepted -- invalid mailbox.  Local mailbox ivan.no@mail.ru is unavailable: user not found",
		reason: "userunknown", side: "recipient", hard: true, src: srcMailru + ", 550 invalid mailbox"},
	{set: "heldout4", source: "mailru", name: "mailru-spam-rejected", mta: "exim",
		rcpt: "olga@mail.ru", host: "mxs.mail.ru", ip: "192.0.2.165", stage: data,
		reply:  "550 spam message rejected. Please visit http://help.mail.ru/notspam-support/id?c=AbCdEf0123 or report details to abuse@corp.mail.ru. Error code: 0123ABCD.",
		reason: "spamdetected", side: "sender", src: srcMailru + ", 550 spam message rejected"},
	{set: "heldout4", source: "gmx", name: "gmx-mailbox-unavailable", mta: "postfix",
		rcpt: "hans.weg@gmx.de", host: "mx00.emig.gmx.net", ip: "192.0.2.166", stage: rcpt,
		reply:  "550 Requested action not taken: mailbox unavailable",
		reason: "userunknown", side: "recipient", hard: true, src: srcGMX + ", 550 mailbox unavailable"},
	{set: "heldout4", source: "gmx", name: "gmx-ip-block-listed", mta: "exim",
		rcpt: "karl@web.de", host: "mx-ha02.web.de", ip: "192.0.2.167", stage: conn,
		reply:  "554-web.de (mxweb011) Nemesis ESMTP Service not available\n554-No SMTP service\n554-IP address is block listed.\n554 For explanation visit https://postmaster.web.de/en/case?c=r0701&i=ip&v=203.0.113.25&r=1ABCD",
		reason: "blocked", side: "sender", src: srcGMX + ", IP address is block listed"},
	{set: "heldout4", source: "tonline", name: "tonline-problem-occurred", mta: "postfix",
		rcpt: "m.mueller@t-online.de", host: "mx00.t-online.de", ip: "192.0.2.168", stage: conn,
		reply:  "554 IP=203.0.113.25 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)",
		reason: "blocked", side: "sender", src: srcTOnline + ", (BL)"},
	{set: "heldout4", source: "postfix", name: "postfix-policyd-spf-fail", mta: "exim",
		rcpt: "buyer@spf-checker.example", host: "mx.spf-checker.example", ip: "192.0.2.169", stage: rcpt,
		reply:  "550 5.7.23 <buyer@spf-checker.example>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id=news@sender.example;ip=203.0.113.25;r=<UNKNOWN>",
		reason: "authfailure", side: "sender", src: srcPostfix + "; policyd-spf (pypolicyd-spf) reject message"},
	{set: "heldout4", source: "postfix", name: "postfix-helo-invalid-name", mta: "sendmail",
		rcpt: "desk@spf-checker.example", host: "mx.spf-checker.example", ip: "192.0.2.169", stage: rcpt,
		reply:  "501 5.5.2 <mail_sender>: Helo command rejected: Invalid name",
		reason: "blocked", alt: "syntaxerror", side: "sender", src: srcPostfix + ", reject_invalid_helo_hostname"},
	{set: "heldout4", source: "exim", name: "exim-relay-not-permitted", mta: "postfix",
		rcpt: "someone@elsewhere.example", host: "mail.exim-host.example", ip: "192.0.2.113", stage: rcpt,
		reply:  "550 relay not permitted",
		reason: "norelaying", src: srcExim + ", ACL require verify = recipient / relay not permitted"},
	{set: "heldout4", source: "sendmail", name: "sendmail-access-denied", mta: "exim",
		rcpt: "clerk@oldschool.example", host: "smtp.oldschool.example", ip: "192.0.2.120", stage: rcpt,
		reply:  "550 5.7.1 <clerk@oldschool.example>... Access denied",
		reason: "securityerror", alt: "blocked,policyviolation", side: "sender", src: srcSendm + ", access database REJECT"},
}
