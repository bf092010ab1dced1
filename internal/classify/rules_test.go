package classify

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/smtpcode"
)

// ruleCase is one recipient's facts and the row of rules.go that must
// decide it.
type ruleCase struct {
	rule   string // id of the deciding row
	diag   string // Diagnostic-Code text, as the parser unfolds it
	status string // Status field
	reply  int
	cmd    string
	stage  dsn.Stage // set before CompleteFacts; it then reads the rest
	remote string    // Remote-MTA
	dtype  string    // diagnostic type; "smtp" when empty
	rcpt   string    // recipient; user@example.org when empty
	mta    string    // Report.DecodedBy; rfc3464 when empty
	action dsn.Action
	reason Reason
	hard   bool
}

func (c ruleCase) facts() (*dsn.Report, *dsn.Recipient) {
	rc := &dsn.Recipient{
		Recipient:      c.rcpt,
		Action:         c.action,
		ReplyCode:      smtpcode.ReplyCode(c.reply),
		Command:        c.cmd,
		Stage:          c.stage,
		Diagnostic:     c.diag,
		DiagnosticType: c.dtype,
		RemoteMTA:      c.remote,
	}
	if rc.Recipient == "" {
		rc.Recipient = "user@example.org"
	}
	if rc.Action == "" {
		rc.Action = dsn.ActionFailed
	}
	if rc.DiagnosticType == "" {
		rc.DiagnosticType = "smtp"
	}
	if c.status != "" {
		rc.Status = smtpcode.MustStatus(c.status)
	}
	dsn.CompleteFacts(rc)
	mta := c.mta
	if mta == "" {
		mta = "rfc3464"
	}
	rep := &dsn.Report{
		Kind:         dsn.KindBounce,
		DecodedBy:    mta,
		ReportingMTA: "mta.sender.example",
		Original:     dsn.Original{From: "news@sender.example", ReturnPath: "bounce@sender.example"},
		Recipients:   []dsn.Recipient{*rc},
	}
	return rep, rc
}

// decidedBy returns the rules.go row id named by the verdict's evidence.
func decidedBy(v Verdict) string {
	for _, e := range v.Evidence {
		if isRuleID(e.RuleID) {
			return e.RuleID
		}
	}
	return ""
}

// ruleCases has at least one case per row of rules.go; TestEveryRuleHasACase
// keeps it that way. Each case names its source.
var ruleCases = []ruleCase{
	// Yahoo, https://senders.yahooinc.com/smtp-error-codes; lhost-qmail-19
	{rule: "yahoo-tss04", reason: BadReputation, status: "4.7.0", reply: 421, remote: "mta6.am0.yahoodns.net", diag: "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"},
	// Yahoo TSS09
	{rule: "yahoo-tss09", reason: Blocked, status: "4.7.0", reply: 421, diag: "421 4.7.0 [TSS09] All messages from 192.0.2.25 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes"},
	// Yahoo TS02
	{rule: "yahoo-ts02", reason: RateLimited, status: "4.7.0", reply: 421, diag: "421 4.7.0 [TS02] Messages from 192.0.2.25 temporarily deferred due to unexpected volume"},
	// rhost-microsoft-01
	{rule: "ms-banned-ip", reason: Blocked, status: "5.7.606", reply: 550, remote: "example.com.mail.protection.outlook.com", diag: "550 5.7.606 Access denied, banned sending IP [198.51.100.222]. To request removal from this list please visit https://sender.office.com/ and follow the directions."},
	// rhost-microsoft-05
	{rule: "ms-ip-reputation", reason: BadReputation, status: "4.7.650", reply: 451, remote: "outlook-com.olc.protection.outlook.com", diag: "451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation."},
	// Exchange Online 5.7.708
	{rule: "ms-tenant-threshold", reason: BadReputation, status: "5.7.708", reply: 550, diag: "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP."},
	// lhost-exim-54
	{rule: "ms-block-list", reason: Blocked, reply: 550, diag: "550 NN-222 (NEKO-CAT-222) Unfortunately, messages from 203.0.113.2 weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)."},
	// rhost-microsoft-04
	{rule: "ms-dmarc", reason: AuthFailure, status: "5.7.509", reply: 550, diag: "550 5.7.509 Access denied, sending domain [EXAMPLE.JP] does not pass DMARC verification and has a DMARC policy of reject."},
	// Exchange Online 5.7.515
	{rule: "ms-auth-level", reason: AuthFailure, status: "5.7.515", reply: 550, diag: "550 5.7.515 Access denied, sending domain [example.jp] doesn't meet the required authentication level."},
	// Exchange Online 5.7.512
	{rule: "ms-rfc5322", reason: NotCompliantRFC, status: "5.7.512", reply: 550, diag: "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant."},
	// Exchange 2013+ 5.7.54
	{rule: "ms-relay", reason: NoRelaying, status: "5.7.54", reply: 550, diag: "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain"},
	// Exchange Online 5.7.64
	{rule: "ms-relay-tenant", reason: NoRelaying, status: "5.7.64", reply: 550, diag: "550 5.7.64 TenantAttribution; Relay Access Denied"},
	// Exchange Online 5.7.57
	{rule: "ms-anonymous", reason: SecurityError, status: "5.7.57", reply: 530, diag: "530 5.7.57 Client not authenticated to send mail. [DM6PR11CA0031.namprd11.prod.outlook.com]"},
	// Exchange Online directory-based edge blocking
	{rule: "ms-dbeb", reason: UserUnknown, hard: true, status: "5.4.1", reply: 550, remote: "example-com.mail.protection.outlook.com", diag: "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DB5EUR03FT011.eop-EUR03.prod.protection.outlook.com]"},
	// lhost-exchange2007-01
	{rule: "exchange-recip-not-found", reason: UserUnknown, hard: true, status: "5.1.1", reply: 550, diag: "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"},
	// lhost-exchange2007-04
	{rule: "exchange-auth-required", reason: SecurityError, status: "5.7.1", reply: 550, diag: "550 5.7.1 RESOLVER.RST.AuthRequired; authentication required"},
	// Exchange RESOLVER.ADR.RecipLimit
	{rule: "exchange-recip-limit", reason: RateLimited, status: "5.5.3", reply: 550, diag: "550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients"},
	// lhost-exchange2007-05
	{rule: "exchange-queue-expired", reason: Expired, status: "4.4.7", reply: 550, diag: "550 4.4.7 QUEUE.Expired; message expired"},
	// lhost-postfix-59 (Gmail's multi-line reply as the parser unfolds it)
	{rule: "google-rate-user", reason: RateLimited, status: "5.2.1", reply: 550, remote: "alt1.gmail-smtp-in.l.google.com", diag: "550-5.2.1 The user you are trying to contact is receiving mail at a rate that 550-5.2.1 prevents additional messages from being delivered. For more 550-5.2.1 information, please visit 550 5.2.1 https://support.google.com/mail/?p=ReceivingRate"},
	// Gmail 4.7.28
	{rule: "google-unsolicited-rate", reason: RateLimited, status: "4.7.28", reply: 421, diag: "421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address."},
	// lhost-postfix-29
	{rule: "google-multiple-from", reason: NotCompliantRFC, status: "5.7.1", reply: 550, diag: "550-5.7.1 [2401:2500:102:3032:192.0.2.222 13] Messages with multiple 550 5.7.1 addresses in From: header are not accepted. v14si1155795plk.134 - gsmtp"},
	// lhost-sendmail-31
	{rule: "google-content-security", reason: PolicyViolation, status: "5.7.0", reply: 552, diag: "552-5.7.0 This message was blocked because its content presents a potential 552-5.7.0 security issue. Please visit 552-5.7.0 https://support.google.com/mail/answer/6590 to review our message 552 5.7.0 content and attachment content guidelines."},
	// Gmail 5.7.1 direct delivery refused
	{rule: "google-not-authorized-direct", reason: Blocked, status: "5.7.1", reply: 550, diag: "550-5.7.1 [192.0.2.1] The IP you're using to send mail is not authorized to send email directly to our servers. Please use the SMTP relay at your service provider instead."},
	// rhost-gsuite-12
	{rule: "google-groups-spam", reason: SpamDetected, status: "5.0.0", rcpt: "group@example.com", diag: "Your email to group group@example.com was rejected due to spam classification. To address this issue:"},
	// Gmail 4.7.40
	{rule: "google-dmarc-record", reason: AuthFailure, status: "4.7.40", reply: 421, diag: "421-4.7.40 Gmail requires bulk senders to publish a DMARC record."},
	// Gmail 5.7.32
	{rule: "google-from-alignment", reason: AuthFailure, status: "5.7.32", reply: 550, diag: "550-5.7.32 Your email has been blocked because the sender is not aligned."},
	// rhost-franceptt-03
	{rule: "orange-spam", reason: SpamDetected, status: "5.2.0", reply: 550, diag: "550 5.2.0 Mail rejete. Mail rejected. OFR_506 [506]"},
	// rhost-franceptt-06
	{rule: "orange-ip-blocked", reason: Blocked, reply: 550, remote: "smtp-in.orange.fr", diag: "550 mwinf5c04 ME Adresse IP source bloquee pour incident de spam. Client host blocked for spamming issues. OFR006_102 Ref"},
	// rhost-franceptt-08
	{rule: "orange-service-refused", reason: SystemError, status: "4.2.0", reply: 421, diag: "421 4.2.0 Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR005_505 [505]"},
	// rhost-franceptt-05 (a blocked account may be unblocked: not hard)
	{rule: "laposte-account-blocked", reason: Suspend, status: "5.5.0", reply: 550, diag: "550 5.5.0 Le compte du destinataire est bloque. The recipient account is blocked. LPN007_426"},
	// rhost-franceptt-12
	{rule: "laposte-client-rejected", reason: PolicyViolation, status: "5.7.1", reply: 554, diag: "554 5.7.1 <xxxx.xxxx.net[192.0.2.1]:49309>: Client host rejected: #216 lpn LPN000_630"},
	// rhost-cox-01
	{rule: "cox-blocklist", reason: Blocked, status: "5.1.0", reply: 550, remote: "cxr.mx.a.cloudfilter.net", diag: "550 5.1.0 <bounce@mailer.example.com> sender rejected. Refer to Error Codes section at https://www.cox.com/residential/support/email-error-codes.html for more information. AUP#CDRBL"},
	// Cox CXDNS
	{rule: "cox-ptr", reason: RequirePTR, reply: 554, diag: "554 cxr.mx.a.cloudfilter.net cox.net ESMTP not accepting connections from 192.0.2.1: AUP#CXDNS"},
	// rhost-tencent-01
	{rule: "tencent-frequency", reason: RateLimited, reply: 550, remote: "mx3.qq.com", diag: "550 Ip frequency limited [V2VkIEFwciAgMyAxNjozNjo1OSBKU1QgMjAxOQo=] Blocked IP 192.0.2.22"},
	// rhost-nttdocomo-02
	{rule: "docomo-data-filter", reason: Rejected, status: "5.0.0", reply: 550, cmd: "DATA", remote: "mfsmax.docomo.ne.jp", diag: "550 Unknown user azumakuniyuki@ntt.docomo.example.ne.jp"},
	// rhost-kddi-01
	{rule: "kddi-domain-filter", reason: Filtered, status: "5.0.0", reply: 550, remote: "lsean.ezweb.ne.jp", diag: "550 : User unknown"},
	// lhost-exim-31: vague, so not hard
	{rule: "cpanel-may-not-exist", reason: HostUnknown, diag: "The mail server could not deliver mail to kijitora@example.net.  The account or domain may not exist, they may be blacklisted, or missing the proper dns entries."},
	// lhost-postfix-77
	{rule: "ses-not-verified", reason: NoRelaying, status: "5.0.0", reply: 554, remote: "email-smtp.ap-northeast-1.amazonaws.com", diag: "554 Message rejected: Email address is not verified. The following identities failed the check in region AP-NORTHEAST-1: postmaster@libsisimai.org"},
	// lhost-qmail-14
	{rule: "dmarc", reason: AuthFailure, status: "5.7.26", reply: 550, diag: "550-5.7.26 Unauthenticated email from example.jp is not accepted due to domain's 550-5.7.26 DMARC policy. Please contact the administrator of example.jp domain"},
	// lhost-exim-29
	{rule: "spf-dkim", reason: AuthFailure, status: "5.0.0", reply: 550, diag: "550 Bad SPF records for [example.org:192.0.2.2], see http://spf.pobox.com/"},
	// lhost-sendmail-07
	{rule: "relay-denied", reason: NoRelaying, status: "5.7.1", reply: 554, remote: "mailin-01.mx.example.com", diag: "554 5.7.1 <kijitora@example.org>: Relay access denied"},
	// lhost-exim-43
	{rule: "reverse-dns", reason: RequirePTR, status: "5.7.1", reply: 550, diag: "550 5.7.1 Connections not accepted from servers without a valid sender domain. Fix reverse DNS for 203.0.113.2"},
	// lhost-exim-37
	{rule: "sender-domain-named", reason: Rejected, reply: 553, cmd: "DATA", remote: "mx.example.net", rcpt: "kijitora@example.net", diag: "553 sender.example does not exist"},
	// lhost-postfix-11
	{rule: "sender-rejected", reason: Rejected, status: "5.1.8", reply: 553, diag: "553 5.1.8 <root@vagrant.example.com>... Domain of sender address root@vagrant.example.com does not exist"},
	// Lotus Domino
	{rule: "notes-not-listed", reason: UserUnknown, hard: true, reply: 550, diag: "550 User kijitora (kijitora@example.org) not listed in Domino Directory"},
	// lhost-imailserver-06
	{rule: "blocklist-url", reason: SpamDetected, reply: 550, diag: "550-REJECTED - Blacklisted URL in message. (example.com) in [black]. 550-See http://lookup.uribl.com. - Blacklisted Link"},
	// lhost-amazonses-15
	{rule: "blocklist", reason: Blocked, status: "5.7.1", reply: 554, diag: "554 5.7.1 <e22-33.smtp-out.amazonses.com[192.0.2.127]>: Client host rejected: blocked using mail.neko.example.com; Please see http://mail.neko.example.com/rbl/?ip=192.0.2.12"},
	// lhost-gmail-07
	{rule: "starttls", reason: FailedSTARTTLS, reply: 500, diag: "The error that the other server returned was: 500 Remote server does not support TLS (state 6)."},
	// lhost-sendmail-53
	{rule: "auth-required", reason: SecurityError, status: "5.0.0", reply: 550, diag: "550 Unauthenticated senders not allowed"},
	// lhost-postfix-54 with the command the text gives
	{rule: "address-at-mail-from", reason: Rejected, status: "5.7.1", reply: 550, cmd: "MAIL", diag: "550 5.7.1 Access denied"},
	// RFC 3463 X.1.x answered to MAIL FROM
	{rule: "status-at-mail-from", reason: Rejected, status: "5.1.7", reply: 553, cmd: "MAIL", diag: "553 5.1.7 <root@localhost>... Sender syntax"},
	// lhost-mailru-05 (RFC 7505 null MX)
	{rule: "null-mx", reason: NotAccept, hard: true, diag: "an MX or SRV record indicated no SMTP service"},
	// lhost-postfix-34
	{rule: "dns-temporary", reason: NetworkError, diag: "Name service error for domain example.com: Host not found, try again"},
	// rfc3464-53
	{rule: "dns-transient", reason: NetworkError, status: "4.0.0", diag: "DNS Error: 80335577 DNS type 'mx' lookup of example.jp responded with code NXDOMAIN"},
	// lhost-qmail-13
	{rule: "host-unknown", reason: HostUnknown, hard: true, status: "5.1.2", diag: "Sorry, I couldn't find any host named cx.libsisimai.com. (#5.1.2)"},
	// rhost-aol-06
	{rule: "dns-network", reason: NetworkError, status: "5.4.4", dtype: "x-outbound-mail-relay", diag: "Name service error for name=libsisimai.org type=MX: Malformed or unexpected name server reply"},
	// lhost-postfix-16
	{rule: "has-moved", reason: HasMoved, hard: true, status: "5.1.6", reply: 550, diag: "550 5.1.6 recipient no longer on server: kijitora@example.go.jp"},
	// rhost-google-01
	{rule: "suspended", reason: Suspend, hard: true, status: "5.2.1", reply: 550, remote: "aspmx.l.google.com", diag: "550 5.2.1 The email account that you tried to reach is disabled. g0000000000ggg.00"},
	// lhost-postfix-61: frozen, not gone
	{rule: "suspended-for-now", reason: Suspend, status: "5.0.0", reply: 550, cmd: "RCPT", remote: "mx3.email.ua", diag: "550 Mailbox is frozen. See http://mail.i.ua/err/3/"},
	// lhost-amazonworkmail-08
	{rule: "mailbox-full", reason: MailboxFull, status: "5.2.2", reply: 550, diag: "550 5.2.2 <kijitora@libsisimai.org>... Mailbox Full"},
	// lhost-postfix-35 answered after DATA
	// "User unknown" after DATA stays userunknown (issue 10 item 7; the labels say filtered).
	{rule: "user-unknown", reason: UserUnknown, hard: true, status: "5.0.0", reply: 550, cmd: "DATA", remote: "mx.example.or.jp", diag: "550 <x@example.or.jp>: User unknown"},
	// lhost-postfix-02
	{rule: "user-unknown", reason: UserUnknown, hard: true, status: "5.2.1", reply: 550, cmd: "RCPT", diag: "550 5.2.1 <filtered@example.co.jp>... User Unknown"},
	// lhost-sendmail-05
	{rule: "too-large", reason: EmailTooLarge, status: "5.2.3", reply: 552, diag: "552 5.2.3 Message size exceeds fixed maximum message size (10485760)"},
	// lhost-postfix-62
	{rule: "virus", reason: VirusDetected, status: "5.0.0", reply: 550, cmd: "DATA", diag: "550 Virus Detected; Content Rejected"},
	// lhost-postfix-39
	{rule: "spam", reason: SpamDetected, status: "5.6.0", reply: 554, diag: "554 5.6.0 This message has been scored as spam with a probability of more than 50%"},
	// lhost-postfix-78
	{rule: "rfc-violation", reason: NotCompliantRFC, status: "5.0.0", reply: 554, diag: "554 Transaction failed: Duplicate header 'Subject'."},
	// lhost-sendmail-06
	{rule: "content", reason: ContentError, status: "5.6.9", reply: 550, diag: "550 5.6.9 improper use of 8-bit data in message header"},
	// lhost-postfix-09
	{rule: "rate-limit", reason: RateLimited, status: "4.3.2", reply: 452, cmd: "MAIL", diag: "452 4.3.2 Connection rate limit exceeded."},
	// lhost-sendmail-39
	{rule: "system-full", reason: SystemFull, status: "4.4.5", reply: 452, diag: "452 4.4.5 Insufficient disk space; try again later"},
	// lhost-dragonfly-13
	{rule: "mailer-error", reason: MailerError, status: "5.3.0", reply: 554, diag: "554 5.3.0 <mailererror@libsisimai.net>: Recipient address rejected: Mailer error."},
	// lhost-amazonworkmail-03
	{rule: "system-error", reason: SystemError, status: "5.3.5", reply: 550, diag: "550 5.3.5 <kuroneko@example.org>... Internal System Error"},
	// lhost-postfix-53
	{rule: "syntax", reason: SyntaxError, status: "5.0.0", reply: 504, remote: "mfsmax.docomo.ne.jp", diag: "504 Command parameter not implemented"},
	// lhost-postfix-42
	{rule: "policy", reason: PolicyViolation, status: "5.0.0", reply: 550, cmd: "RCPT", diag: "550 Denied by policy"},
	// lhost-ezweb-01
	{rule: "filtered", reason: Filtered, rcpt: "x@ezweb.ne.jp", diag: "Each of the following recipients was rejected by a remote mail server."},
	// lhost-sendmail-29
	{rule: "delay-warning", reason: Expired, status: "4.5.0", reply: 421, action: dsn.ActionDelayed, diag: "Deferred: 421 Warning: message still undelivered after 4 hours Will keep trying until message is 8 hours old"},
	// lhost-exim-06
	{rule: "expired", reason: Expired, diag: "retry timeout exceeded"},
	// lhost-postfix-15
	{rule: "timeout", reason: Expired, status: "4.4.1", dtype: "x-postfix", diag: "connect to bukkoji.example.org[192.0.2.1]:25: Connection timed out"},
	// lhost-postfix-56
	{rule: "network", reason: NetworkError, status: "4.4.2", dtype: "x-postfix", diag: "lost connection with mx2.qq.com[184.105.206.86] while receiving the initial server greeting"},
	// lhost-sendmail-55
	{rule: "x-unix", reason: MailerError, status: "4.5.0", dtype: "x-unix", action: dsn.ActionDelayed, diag: "71"},
	// rhost-gsuite-01: too vague for a hard bounce
	{rule: "st-x.1.0", reason: UserUnknown, status: "5.1.0", reply: 550, diag: "550 #5.1.0 Rejected."},
	{rule: "st-x.1.1", reason: UserUnknown, hard: true, status: "5.1.1", reply: 550, diag: "550 5.1.1 <x@example.org>: nope"},
	{rule: "st-x.1.2", reason: HostUnknown, hard: true, status: "5.1.2", diag: "5.1.2 bad destination"},
	// lhost-dragonfly-22
	{rule: "st-x.1.3", reason: UserUnknown, hard: true, status: "5.1.3", reply: 501, diag: "501 5.1.3 <syntaxerror@libsisimai.net>: Recipient address rejected: bad syntax"},
	{rule: "st-x.1.4", reason: UserUnknown, hard: true, status: "5.1.4", reply: 550, diag: "550 5.1.4 ambiguous"},
	{rule: "st-x.1.6", reason: HasMoved, hard: true, status: "5.1.6", reply: 550, diag: "550 5.1.6 gone"},
	{rule: "st-x.1.7", reason: Rejected, status: "5.1.7", reply: 553, diag: "553 5.1.7 bad sender syntax"},
	// lhost-messagingserver-11
	{rule: "st-x.1.8", reason: Rejected, status: "5.1.8", reply: 501, diag: "501 5.1.8 Bad sender's system address"},
	// lhost-messagingserver-10
	{rule: "st-x.1.10", reason: NotAccept, hard: true, status: "5.1.10"},
	// lhost-powermta-01 without text
	// A bare X.2.1 (mailbox disabled) with no words: too little for a hard bounce (issue 10 item 6).
	{rule: "st-x.2.1", reason: Suspend, status: "5.2.1", reply: 550, diag: "550 5.2.1 <kijitora@example.jp>"},
	{rule: "st-x.2.2", reason: MailboxFull, status: "4.2.2", reply: 450, diag: "450 4.2.2 <kijitora@example.jp>"},
	{rule: "st-x.2.3", reason: EmailTooLarge, status: "5.2.3", reply: 552},
	{rule: "st-x.2.4", reason: SystemError, status: "5.2.4", reply: 550},
	{rule: "st-x.3.1", reason: SystemFull, status: "4.3.1", reply: 452},
	// lhost-dragonfly-16 (RFC 3463 X.3.2 with RFC 7504 521)
	{rule: "st-x.3.2", reason: NotAccept, hard: true, status: "5.3.2", reply: 521, diag: "521 5.3.2 <notaccept@libsisimai.net>: Recipient address rejected"},
	{rule: "st-x.3.4", reason: EmailTooLarge, status: "5.3.4", reply: 552},
	// rfc3464-43
	{rule: "st-x.3.x", reason: SystemError, status: "5.3.0", reply: 554, diag: "554 5.3.0 Message could not be delivered"},
	// rhost-aol-01 without text
	{rule: "st-5.4.4", reason: HostUnknown, hard: true, status: "5.4.4"},
	{rule: "st-x.4.5", reason: SystemError, status: "4.4.5", reply: 451},
	// rhost-outlook-06
	{rule: "st-x.4.7", reason: Expired, status: "4.4.7", action: dsn.ActionDelayed},
	// rfc3464-34
	{rule: "st-x.4.x", reason: NetworkError, status: "4.4.1", action: dsn.ActionDelayed},
	{rule: "st-x.5.3", reason: RateLimited, status: "4.5.3", reply: 452},
	{rule: "st-x.5.6", reason: SecurityError, status: "5.5.6", reply: 500},
	{rule: "st-x.5.x", reason: SyntaxError, status: "5.5.2", reply: 501},
	{rule: "st-x.6.x", reason: ContentError, status: "5.6.7", reply: 553},
	{rule: "st-x.7.2", reason: PolicyViolation, status: "5.7.2", reply: 550},
	{rule: "st-x.7.8", reason: SecurityError, status: "5.7.8", reply: 535},
	// lhost-amazonses-08
	{rule: "st-x.7.9", reason: SecurityError, status: "5.7.9", reply: 550, diag: "550 5.7.9 Rejected"},
	{rule: "st-x.7.10", reason: FailedSTARTTLS, status: "5.7.10", reply: 523},
	{rule: "st-x.7.11", reason: SecurityError, status: "5.7.11", reply: 538},
	{rule: "st-x.7.12", reason: SecurityError, status: "4.7.12", reply: 432},
	// lhost-dragonfly-21 without text
	{rule: "st-x.7.13", reason: Suspend, hard: true, status: "5.7.13", reply: 525},
	{rule: "st-x.7.14", reason: SecurityError, status: "5.7.14", reply: 535},
	{rule: "st-x.7.15", reason: PolicyViolation, status: "4.7.15", reply: 450},
	{rule: "st-x.7.16", reason: EmailTooLarge, status: "5.7.16", reply: 550},
	{rule: "st-x.7.17", reason: HasMoved, hard: true, status: "5.7.17", reply: 550},
	{rule: "st-x.7.20", reason: AuthFailure, status: "5.7.23", reply: 550},
	// rhost-google-06 without text
	{rule: "st-x.7.25", reason: RequirePTR, status: "5.7.25", reply: 550},
	// rhost-google-04 without text
	{rule: "st-x.7.26", reason: AuthFailure, status: "5.7.26", reply: 550},
	{rule: "st-x.7.27", reason: Rejected, status: "5.7.27", reply: 550},
	{rule: "st-x.7.28", reason: RateLimited, status: "4.7.28", reply: 421},
	{rule: "st-x.7.29", reason: AuthFailure, status: "5.7.29", reply: 550},
	{rule: "st-x.7.30", reason: FailedSTARTTLS, status: "5.7.30", reply: 550},
	// lhost-gmail-05 after the status rows
	{rule: "access-denied", reason: SecurityError, status: "5.7.1", reply: 550, diag: "550 550 5.7.1 <this-local-part-does-not-exist-on-google-mail@gmail.com>... Access denied (state 13)"},
	{rule: "access-denied", reason: SecurityError, reply: 550, diag: "550 Access denied"},
	// lhost-postfix-38
	{rule: "blocked-generic", reason: Blocked, status: "4.0.0", diag: "554 Blocked - see https://www.example.net/"},
	// rhost-yahooinc-01 without the status
	{rule: "policy-generic", reason: PolicyViolation, reply: 554, diag: "554 Message not accepted, see our policy"},
	// lhost-googlegroups-07 (Spanish), read by the googlegroups recogniser
	{rule: "googlegroups-notice", reason: Rejected, mta: "googlegroups", rcpt: "libsisimai@googlegroups.com", diag: "Hola, kijitora@example.jp: Queremos informarte de que el grupo con el que has intentado ponerte en contacto (libsisimai) quizás no exista"},
	// lhost-fml-02 without the English sentence
	{rule: "fml-notice", reason: Rejected, mta: "fml", rcpt: "neko-nyaan@example.org", diag: "neko-nyaan ML"},
	// lhost-googlegroups-06 (Greek)
	{rule: "google-groups", reason: Rejected, rcpt: "libsisimai@googlegroups.com", diag: "Γεια σας kijitora@example.jp, Θα θέλαμε να σας ενημερώσουμε"},
	// lhost-dragonfly-17
	{rule: "onhold", reason: OnHold, status: "5.0.0", reply: 550, diag: "550 5.0.0 <onhold@libsisimai.net>: Recipient address rejected: On hold."},
	{rule: "rc-521", reason: NotAccept, hard: true, reply: 521, diag: "521 example.org"},
	{rule: "rc-556", reason: NotAccept, hard: true, reply: 556, diag: "556 example.org"},
	{rule: "rc-551", reason: HasMoved, hard: true, reply: 551, diag: "551 please try <y@example.net>"},
	{rule: "rc-552", reason: MailboxFull, reply: 552, diag: "552 sorry"},
	{rule: "rc-452", reason: SystemFull, reply: 452, diag: "452 sorry"},
	// lhost-bigfoot-02 would be hard by text; the bare code is not
	{rule: "rc-553", reason: UserUnknown, reply: 553, diag: "553 sorry"},
	{rule: "rc-530", reason: SecurityError, reply: 530, diag: "530 sorry"},
	{rule: "rc-534-538", reason: SecurityError, reply: 535, diag: "535 sorry"},
	{rule: "rc-500-504", reason: SyntaxError, reply: 502, diag: "502 sorry"},
	// lhost-postfix-49 without the Postfix wording
	{rule: "rc-421", reason: SystemError, reply: 421, diag: "421 sorry"},
	{rule: "rc-451", reason: SystemError, reply: 451, diag: "451 sorry"},
	// ---- issue 10: the public phrase base (testdata/samples/dev) ----
	{rule: "ms-unregistered-domain", reason: Rejected, status: "5.7.750", reply: 550, diag: "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains."},
	{rule: "ms-recipient-limit", reason: RateLimited, status: "5.1.90", reply: 550, diag: "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients."},
	{rule: "ms-remote-spam", reason: SpamDetected, status: "5.7.350", reply: 550, diag: "550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 Message rejected as spam by Content Filtering"},
	{rule: "exchange-recip-size", reason: EmailTooLarge, status: "5.2.3", reply: 550, diag: "550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient"},
	{rule: "outlook-rate", reason: RateLimited, reply: 421, cmd: "RCPT", action: dsn.ActionDelayed, diag: "421 RP-001 (BAY004-MC1F20) Unfortunately, some messages from 203.0.113.25 weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day."},
	{rule: "mimecast-envelope-blocked", reason: Rejected, reply: 550, cmd: "RCPT", diag: "550 Envelope blocked - User Entry - https://community.mimecast.com/docs/DOC-1369#550"},
	{rule: "mimecast-anti-spoofing", reason: PolicyViolation, reply: 550, cmd: "RCPT", diag: "550 Rejected by header based Anti-Spoofing policy: accounts@partner.example"},
	{rule: "barracuda-blocked", reason: SpamDetected, reply: 550, cmd: "DATA", diag: "550 permanent failure for one or more recipients (billing@clinic.example:blocked)"},
	{rule: "amavis-ube", reason: SpamDetected, status: "5.7.0", reply: 550, cmd: "DATA", diag: "550 5.7.0 Message content rejected, UBE, id=28147-07"},
	{rule: "amavis-banned", reason: PolicyViolation, status: "5.7.0", reply: 554, cmd: "DATA", diag: "554 5.7.0 Reject, id=31477-03 - BANNED: P=p003,L=1,M=multipart/mixed | P=p002,L=1/2,M=application/x-msdownload,T=exe,N=invoice.exe"},
	// RFC 3463 X.7.1 with no phrase: the registry's meaning decides (issue 10 item 5).
	{rule: "st-x.7.x", reason: SecurityError, status: "5.7.1", reply: 550, diag: "550 5.7.1 Message refused"},
	{rule: "tls-required", reason: FailedSTARTTLS, status: "4.7.0", reply: 421, cmd: "RCPT", action: dsn.ActionDelayed, diag: "421-4.7.0 TLS required for RCPT domain, closing connection."},
	{rule: "st-x.7.3", reason: SecurityError, status: "5.7.5", reply: 554, diag: "554 5.7.5 Cryptographic failure"},
	{rule: "ms-throttle", reason: RateLimited, status: "4.7.550", reply: 451, cmd: "RCPT", action: dsn.ActionDelayed, diag: "451 4.7.550 Access denied, please try again later"},
	{rule: "qmail-not-local", reason: NetworkError, status: "5.4.6", diag: "Sorry. Although I'm listed as a best-preference MX or A for that host, it isn't in my control/locals file, so I don't treat it as local. (#5.4.6)"},
	// The recipient's domain itself is missing; the same words after an address are a mailbox.
	{rule: "recipient-domain-missing", reason: HostUnknown, hard: true, status: "5.4.4", reply: 554, diag: "554 5.4.4 Remote host example.org: no such domain"},
	{rule: "user-unknown", reason: UserUnknown, hard: true, status: "5.1.1", reply: 550, diag: "550 5.1.1 <user@example.org> does not exist"},
	// A transient X.7.1 with no cause: decide later, not an AUTH problem.
	{rule: "st-4.7.x", reason: OnHold, status: "4.7.1", reply: 450, action: dsn.ActionDelayed, diag: "450 4.7.1 Message deferred"},
	// A 5yz with an X.4.x code is the queue's own conclusion: its give-up words decide.
	{rule: "expired", reason: Expired, status: "5.4.300", reply: 550, diag: "550 5.4.300 Message expired"},
	// Exim's pipe transport failed: a local delivery program.
	{rule: "mailer-error", reason: MailerError, status: "5.0.0", diag: "Child process of address_pipe transport returned 75 from command: /usr/bin/import"},
	{rule: "greylisting", reason: OnHold, status: "4.2.0", reply: 450, cmd: "RCPT", action: dsn.ActionDelayed, diag: "450 4.2.0 <x@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html"},
	// Cisco's reject text names reputation, at the greeting.
	{rule: "reputation", reason: BadReputation, reply: 554, stage: dsn.StageConnect, diag: "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation."},
	{rule: "temporary-rate", reason: RateLimited, status: "4.7.0", reply: 421, action: dsn.ActionDelayed, diag: "421-4.7.0 Mail sent from your IP address has been temporarily rate limited. Please visit the guidelines."},
	{rule: "helo-rejected", reason: Blocked, status: "4.7.1", reply: 450, cmd: "RCPT", action: dsn.ActionDelayed, diag: "450 4.7.1 <mail.sender.example>: Helo command rejected: Host not found"},
	{rule: "sending-quota", reason: RateLimited, status: "5.0.0", diag: "Domain sender.example has exceeded the max emails per hour (250/250 (100%)) allowed.  Message discarded."},
	// Postfix's "delivery temporarily suspended" is its queue's boilerplate, not a suspended account.
	{rule: "timeout", reason: Expired, status: "4.4.2", dtype: "x-postfix", diag: "delivery temporarily suspended: conversation with mx.slow.example[192.0.2.103] timed out while receiving the initial server greeting"},
	// qmail's "Giving up on 192.0.2.1." follows a permanent reply: the reply says why.
	{rule: "helo-rejected", reason: Blocked, status: "5.7.1", reply: 550, stage: dsn.StageHelo, diag: "Connected to 192.0.2.130 but my name was rejected. Remote host said: 550 5.7.1 Your HELO name is not valid here Giving up on 192.0.2.130."},
	// A 4.3.2 is a transient "system not accepting messages", not a domain that accepts none.
	{rule: "system-error", reason: SystemError, status: "4.3.2", reply: 421, action: dsn.ActionDelayed, diag: "421 4.3.2 Service currently unavailable"},
	{rule: "access-denied", reason: SecurityError, status: "5.7.1", reply: 550, cmd: "RCPT", remote: "mx.example.net", diag: "550 5.7.1 <user@example.org>... Access denied"},
	{rule: "postfix-access-client", reason: Blocked, status: "5.7.1", reply: 554, cmd: "RCPT", diag: "554 5.7.1 <unknown[198.51.100.24]>: Client host rejected: Access denied"},
	{rule: "mimecast-greylisting", reason: OnHold, reply: 451, cmd: "RCPT", remote: "eu-smtp-inbound-1.mimecast.com", diag: "451 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451"},
	{rule: "policy-quota", reason: RateLimited, status: "5.7.1", reply: 550, cmd: "RCPT", diag: "550 5.7.1 Email quota exceeded."},
	{rule: "mail-from-quota", reason: RateLimited, status: "5.2.2", reply: 550, cmd: "MAIL", diag: "550 5.2.2 Submission quota exceeded. Please slow down and try again later."},
	{rule: "null-mx-sender", reason: Rejected, status: "5.7.27", reply: 550, cmd: "MAIL", diag: "550-5.7.27 The sender address/domain has a null MX."},
	{rule: "rc-553-mail", reason: Rejected, reply: 553, cmd: "MAIL", diag: "553 <bounce@app2>... Real domain name required for sender address"},
	{rule: "relay-denied", reason: NoRelaying, status: "5.4.1", reply: 550, cmd: "RCPT", diag: "550 5.4.1 Relay Access Denied"},
	{rule: "postfix-access-recipient", reason: PolicyViolation, status: "5.7.1", reply: 554, cmd: "RCPT", remote: "mx1.example.eu", diag: "554 5.7.1 <kijitora@exmaple.ch>: Recipient address rejected: Access denied"},
	{rule: "messagelabs-denied", reason: PolicyViolation, reply: 554, cmd: "DATA", remote: "mail1.bemta.messagelabs.com", diag: "554 Denied (Mode: normal)"},
	{rule: "greeting-refused", reason: Blocked, status: "4.0.0", reply: 421, stage: dsn.StageConnect, diag: "421 Service not available, closing transmission channel"},
	{rule: "st-5.7.other", reason: SecurityError, status: "5.7.135", reply: 550, cmd: "RCPT", diag: "550 5.7.135 Delivery not completed"},
	{rule: "mail-loop", reason: NetworkError, status: "5.3.0", reply: 554, diag: "554 5.3.0 Local delivery failed: mail loop"},
	{rule: "mailbox-unavailable", reason: UserUnknown, hard: true, reply: 550, cmd: "RCPT", diag: "550 Requested action not taken: mailbox unavailable"},
	{rule: "st-4.3.0", reason: OnHold, status: "4.3.0", reply: 451, diag: "451 4.3.0 This message could not be delivered due to a recipient error. Please try again later."},
}

// moreCases are samples from the corpus that test the order of the rows.
var moreCases = []ruleCase{
	// A network cause in the diagnostic, the queue's give-up in the report's text: expired (as inside one diagnostic).
	{rule: "network", reason: NetworkError, diag: "Routing: Could not find a gateway for user@example.org"},
	// Consequence and cause (issue 10 item 3): the standard 550 text yields to the status code and to cause phrases.
	{rule: "st-x.2.1", reason: Suspend, status: "5.2.1", reply: 550, cmd: "RCPT", diag: "550 5.2.1 Mailbox unavailable - inactive"},
	{rule: "policy", reason: PolicyViolation, status: "5.7.1", reply: 550, cmd: "RCPT", diag: "550 5.7.1 Mailbox unavailable, blocked for policy reasons"},
	{rule: "dmarc", reason: AuthFailure, status: "5.7.1", reply: 554, cmd: "DATA", diag: "554 5.7.1 The message has been blocked: domain example.net failed DMARC"},
	{rule: "reputation", reason: BadReputation, status: "5.7.1", reply: 550, cmd: "DATA", diag: "550 5.7.1 Message rejected: the message has been blocked because of its reputation"},
	{rule: "sender-rejected", reason: Rejected, status: "5.7.1", reply: 550, cmd: "RCPT", diag: "550 5.7.1 Recipient rejected: this mailbox does not accept mail from your domain"},
	{rule: "sender-rejected", reason: Rejected, status: "5.7.1", reply: 550, cmd: "RCPT", diag: "550 5.7.1 Your email has been blocked because the recipient has blocked you"},
	// A greeting that states its cause keeps it (issue 10 item 2: the stage row is below the cause phrases).
	{rule: "reverse-dns", reason: RequirePTR, reply: 554, stage: dsn.StageConnect, diag: "554-gmx.net (mxgmx116) Nemesis ESMTP Service not available 554-No SMTP service 554-Bad DNS PTR resource record"},
	{rule: "blocklist", reason: Blocked, status: "5.7.511", reply: 550, cmd: "RCPT", diag: "550 5.7.511 Access denied, banned sender[198.51.100.24]. To request removal from this list please forward this message to delist@messaging.microsoft.com."},
	{rule: "sender-rejected", reason: Rejected, status: "5.7.129", reply: 550, cmd: "RCPT", diag: "550 5.7.129 RESOLVER.RST.RestrictedToRecipientsPermission; you are not allowed to send to this recipient"},
	{rule: "policy", reason: PolicyViolation, reply: 552, cmd: "DATA", diag: "552 MS-Office file containing VBA macros found inside of the email"},
	{rule: "suspended-for-now", reason: Suspend, status: "5.7.1", reply: 554, cmd: "RCPT", diag: "554 5.7.1 The recipient's account has been locked"},
	// Apple's iCloud postmaster page: a per-recipient volume deferral is a rate limit, not a policy hold.
	{rule: "rate-limit", reason: RateLimited, status: "4.7.1", reply: 421, cmd: "RCPT", remote: "mx02.mail.icloud.com", diag: "421 4.7.1 Messages to seed.box@me.com deferred due to excessive volume. Try again later - https://support.apple.com/en-us/HT204137"},
	// lhost-sendmail-36: the phrase overrules the Status field (5.1.1)
	{rule: "blocklist", reason: Blocked, status: "5.1.1", reply: 550, remote: "inbound-smtp.us-west-2.amazonaws.com", diag: "550 5.7.1 IP address blacklisted by recipient"},
	// rhost-godaddy-02
	{rule: "blocklist", reason: Blocked, status: "5.1.3", reply: 553, remote: "smtp.secureserver.net", diag: "553 http://www.spamhaus.org/query/bl?ip=192.0.2.222"},
	// lhost-exim-57: an address, not an IP, is on the list
	{rule: "sender-rejected", reason: Rejected, diag: `"Sorry, you are sending to/from an address that has been blacklisted"`},
	// lhost-amazonses-01: SES's own prefix, the remote reply's status decides
	{rule: "access-denied", reason: SecurityError, status: "5.1.0", reply: 550, remote: "[192.0.2.222]", diag: "5.1.0 - Unknown address error 550-'5.7.1 <000001321defbd2a@email-bounces.amazonses.com>... Access denied' (delivery attempts: 0)"},
	// lhost-amazonses-03
	{rule: "mailbox-full", reason: MailboxFull, status: "5.0.0", reply: 550, diag: "5.1.0 - Unknown address error 550-'5.2.2 <kijitora@example.jp>... Mailbox Full' (delivery attempts: 0)"},
	// lhost-mailfoundry-02: the text overrules 5.1.1
	{rule: "mailbox-full", reason: MailboxFull, reply: 552, diag: "552 sorry, mailbox kijitora@example.org is over quota temporarily (#5.1.1)"},
	// lhost-amazonses-19: a temporary lock is no hard bounce
	{rule: "suspended-for-now", reason: Suspend, status: "5.7.1", reply: 550, diag: "550 5.7.1 <kijitora@example.com>: Recipient address rejected: User kijitora@example.com temporary locked. Please try again later!"},
	// lhost-opensmtpd-12: a delay is never hard (issue item 5)
	{rule: "null-mx", reason: NotAccept, status: "4.0.0", action: dsn.ActionDelayed, diag: "No MX found for domain"},
	// lhost-postfix-44
	{rule: "relay-denied", reason: NoRelaying, status: "5.0.0", reply: 501, dtype: "x-postfix", diag: "host nyaan.example.jp[192.0.2.2] said: 501 Rcpt-To validation failed: RCPT TO not accepted: 5.7.1 This system is not configured to relay mail (r) from <nekonyaans@p2.example.com> to <kijitora@example.jp>"},
	// rhost-messagelabs-01: a relay denial that asks for SMTP AUTH stays norelaying (sender side)
	{rule: "relay-denied", reason: NoRelaying, status: "5.0.0", reply: 550, diag: "550-Please turn on SMTP Authentication in your mail client. 550-mail0.bemta0.messagelabs.com [198.51.100.21]:22222 is not permitted to 550 relay through this server without authentication."},
	// lhost-exim-30: "Access denied" for a recipient is not proof it does not exist
	// lhost-postfix-17
	{rule: "dns-network", reason: NetworkError, status: "5.4.4", dtype: "x-postfix", diag: "Name service error for name=example.org type=MX: Malformed or unexpected name server reply"},
	// rhost-aol-05
	{rule: "host-unknown", reason: HostUnknown, hard: true, status: "5.4.4", dtype: "x-outbound-mail-relay", diag: "Host or domain name not found. Name service error for name=example.jp type=A: Host not found"},
	// rhost-yahooinc-03
	{rule: "user-unknown", reason: UserUnknown, hard: true, status: "5.0.0", reply: 554, diag: "554 delivery error: dd This user doesn't have a yahoo.com account (this-local-part-does-not-exist@yahoo.com) [0] - mta1061.mail.ne1.yahoo.com"},
	// lhost-gsuite-14 to a Google Group address: a status row beats the group row
	{rule: "user-unknown", reason: UserUnknown, hard: true, status: "5.1.1", reply: 550, rcpt: "libsisimai-2@googlegroups.com", diag: "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos"},
	// a 4.x user unknown (LDAP lookup failure) is not hard
	{rule: "user-unknown", reason: UserUnknown, status: "4.1.1", reply: 450, diag: "450 4.1.1 <x@example.org>: Recipient address rejected: User unknown in local recipient table"},
	// Barracuda, SpamCop and SORBS listings
	{rule: "blocklist", reason: Blocked, reply: 554, diag: "554 Service unavailable; Client host [192.0.2.1] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.1"},
	{rule: "blocklist", reason: Blocked, status: "5.7.1", reply: 550, diag: "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.1"},
	{rule: "blocklist", reason: Blocked, status: "5.7.1", reply: 554, diag: "554 5.7.1 Rejected: 192.0.2.1 listed at dnsbl.sorbs.net"},
	// lhost-postfix-80: the sender's domain, not the IP, is on the list
	{rule: "sender-rejected", reason: Rejected, status: "5.1.0", reply: 550, diag: "550-5.1.0 MXIN506 MailFrom domain is listed in Spamhaus. To request removal from this list see https://www.spamhaus.org/query/lookup/ (MXIN506)"},
	// lhost-office365-01: Microsoft's 5.1.10 is "recipient not found", not a null MX
	{rule: "user-unknown", reason: UserUnknown, hard: true, status: "5.1.10", reply: 550, diag: "550 5.1.10 The email address wasn't found at the destination domain. It might be misspelled or it might not exist any longer."},
	// amavis BANNED notice
	{rule: "amavis-banned", reason: PolicyViolation, status: "5.7.0", reply: 554, diag: "554 5.7.0 Reject, id=12345-01 - BANNED: .exe,P=p003,L=1,M=multipart/mixed | P=p002,L=1/2,M=application/x-msdownload,T=exe,N=setup.exe: banned content"},
	// lhost-qmail-07 and lhost-x2-06: the queue gave up
	{rule: "expired", reason: Expired, status: "4.4.1", diag: "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1) I'm not going to try again; this message has been in the queue too long."},
}

func TestRules(t *testing.T) {
	for _, list := range [][]ruleCase{ruleCases, moreCases} {
		for _, c := range list {
			rep, rc := c.facts()
			v := Classify(rep, rc, nil)
			if got := decidedBy(v); got != c.rule {
				t.Errorf("Classify(%q, status %q) decided by rule %q, want %q (evidence %+v)", c.diag, c.status, got, c.rule, v.Evidence)
			}
			if v.Reason != c.reason || v.Hard != c.hard {
				t.Errorf("Classify(%q, status %q) = %s hard=%v, want %s hard=%v", c.diag, c.status, v.Reason, v.Hard, c.reason, c.hard)
			}
		}
	}
}

// publicSource matches a src that names a public document: an RFC, an MTA's
// or a provider's documentation, a blocklist operator.
var publicSource = []string{"RFC", "Postfix", "Exim", "Sendmail", "qmail", "Gmail", "Google", "Microsoft", "Exchange",
	"Outlook", "Yahoo", "Cisco", "Mimecast", "Barracuda", "amavis", "Orange", "La Poste", "Cox", "Apple", "Amazon SES",
	"Proofpoint", "Tencent", "Lotus", "http", "Rspamd", "Postgrey", "DESIGN.md", "SURBL", "Broadcom", "Symantec",
	"Trend Micro", "Haraka", "iCloud", "Zoho"}

// TestRowsCiteOrCondition checks issue 10 item 3: a row that can decide
// before the weak rows either carries a condition beyond its phrases (a
// status, reply code, stage, command, host, format, recipient domain or
// class) or cites a public source, so that a phrase seen in one sample does
// not become a global rule on its own.
func TestRowsCiteOrCondition(t *testing.T) {
	for _, r := range rules {
		if r.weak {
			continue
		}
		cond := r.status != "" || r.codes != "" || r.stages != 0 || r.command != "" || r.host != "" || r.mta != "" ||
			r.rcptDomain != "" || r.dtype != "" || r.class != 0 || r.namesSender || r.transient
		cited := false
		for _, p := range publicSource {
			cited = cited || strings.Contains(r.src, p)
		}
		if !cond && !cited {
			t.Errorf("rule %q has no condition and cites no public source (src %q)", r.id, r.src)
		}
	}
}

// registryWithoutReason lists the registered codes (RFC 5248 registry, as
// internal/smtpcode holds it) whose meaning names no reason: the
// verdict then falls to the reply code and then to undefined (issue 10
// item 5).
var registryWithoutReason = map[string]string{
	"0.0":  "undefined status: the reply code decides",
	"1.5":  "destination address valid: a success detail",
	"1.9":  "relayed to a non-DSN system: says nothing of a failure",
	"2.0":  "other mailbox status: too vague",
	"5.0":  "other protocol status: too vague",
	"7.19": "RRVS check not possible (RFC 7293): names no cause",
}

// TestRegistryFallback checks that every failure code of the enhanced
// status code registry has a code-only row, the fallback when no phrase
// decides (issue 10 item 5), unless it is listed above.
func TestRegistryFallback(t *testing.T) {
	for _, e := range smtpcode.Entries() {
		key := strconv.Itoa(e.Subject) + "." + strconv.Itoa(e.Detail)
		for _, class := range []int{4, 5} {
			found := false
			for _, r := range rules {
				if !r.hasText && r.st.set && r.command == "" && r.stages == 0 && r.st.match(class, e.Subject, e.Detail) {
					found = true
					break
				}
			}
			_, exempt := registryWithoutReason[key]
			if !found && !exempt {
				t.Errorf("registered code %d.%s (%s, %s) has no code-only row", class, key, e.Title, e.Ref)
			}
			if found && exempt {
				t.Errorf("registered code %d.%s has a row; drop it from registryWithoutReason", class, key)
			}
		}
	}
}

func TestEveryRuleHasACase(t *testing.T) {
	have := map[string]bool{}
	for _, c := range ruleCases {
		have[c.rule] = true
	}
	for _, r := range rules {
		if !have[r.id] {
			t.Errorf("rule %q (%s) has no case in ruleCases", r.id, r.src)
		}
	}
}

// TestNoShadowedPhrase finds phrases that can never decide because an
// earlier row without further conditions matches them first.
func TestNoShadowedPhrase(t *testing.T) {
	for i := range rules {
		r := &rules[i]
		if !r.hasText || r.command != "" || r.host != "" || r.class != 0 || r.st.set || r.codeHi != 0 ||
			r.namesSender || r.rcptDomain != "" || r.mta != "" || r.dtype != "" {
			continue
		}
		for _, ph := range r.phrases {
			f := &facts{}
			f.codeRows = index.codeRows(f)
			if j, _ := first(f, scanText(ph), false); j != i {
				t.Errorf("rule %q: phrase %q is decided by earlier rule %q", r.id, ph, rules[j].id)
			}
		}
	}
}

func TestCompileRulesRejectsBadRows(t *testing.T) {
	bad := [][]rule{
		{{id: "a", reason: Blocked, phrases: p("Upper"), src: "x"}},
		{{id: "a", reason: Blocked, phrases: p("x"), src: "x"}, {id: "a", reason: Blocked, phrases: p("y"), src: "x"}},
		{{id: "a", reason: Blocked, src: "x"}},
		{{id: "a", reason: Blocked, phrases: p("x")}},
		{{id: "a", reason: Blocked, status: "5.7", src: "x"}},
		{{id: "a", reason: Blocked, status: "7.1.1", src: "x"}},
		{{id: "a", reason: Blocked, status: "5.1.9-2", src: "x"}},
		{{id: "a", reason: Blocked, codes: "55x", src: "x"}},
	}
	for i, rs := range bad {
		if err := compileRules(rs, &phraseTable{}); err == nil {
			t.Errorf("compileRules(bad table %d) = nil, want an error", i)
		}
	}
}

func TestStatusPattern(t *testing.T) {
	tests := []struct {
		pat  string
		st   string
		want bool
	}{
		{"x.1.1", "5.1.1", true},
		{"x.1.1", "4.1.1", true},
		{"5.1.1", "4.1.1", false},
		{"5.7.606-649", "5.7.606", true},
		{"5.7.606-649", "5.7.649", true},
		{"5.7.606-649", "5.7.650", false},
		{"x.4.*", "4.4.7", true},
		{"x.4.*", "5.5.1", false},
		{"x.1.1", "2.1.1", false},
	}
	for _, tt := range tests {
		sp, err := parseStatusPattern(tt.pat)
		if err != nil {
			t.Fatalf("parseStatusPattern(%q): %v", tt.pat, err)
		}
		st := smtpcode.MustStatus(tt.st)
		if got := sp.match(st.Class, st.Subject, st.Detail); got != tt.want {
			t.Errorf("pattern %q match %s = %v, want %v", tt.pat, tt.st, got, tt.want)
		}
	}
}

// TestAutomatonAgreesWithContains: the one-pass phrase scan finds exactly
// the phrases containsWord finds.
func TestAutomatonAgreesWithContains(t *testing.T) {
	texts := []string{"", "a", "relay access denied relay", "user unknownuser unknown", "mailbox fullmailbox is full over quota",
		"mail.rspamd-user.example said: 451 try again later", "antispam; spam"}
	for _, c := range append(append([]ruleCase{}, ruleCases...), moreCases...) {
		texts = append(texts, strings.ToLower(c.diag))
	}
	texts = append(texts, phraseList...)
	texts = append(texts, strings.Join(phraseList, "|"))
	for _, text := range texts {
		h := scanText(text)
		for id, ph := range phraseList {
			if got, want := h.Has(id), containsWord(text, ph); got != want {
				t.Errorf("scan(%q) has %q = %v, containsWord = %v", text, ph, got, want)
			}
		}
	}
	if h := scanText("host mail.rspamd-user.example"); h.Has(phraseID(t, "spam")) {
		t.Errorf(`scan found "spam" inside "rspamd"`)
	}
}

// containsWord is the reference for scan: ph occurs in text, and when it
// starts with a letter or digit, at the start of a word.
func containsWord(text, ph string) bool {
	for off := 0; ; {
		i := strings.Index(text[off:], ph)
		if i < 0 {
			return false
		}
		start := off + i
		if !isWordByte(ph[0]) || start == 0 || !isWordByte(text[start-1]) {
			return true
		}
		off = start + 1
	}
}

func phraseID(t *testing.T, ph string) int {
	t.Helper()
	for id, p := range phraseList {
		if p == ph {
			return id
		}
	}
	t.Fatalf("phrase %q not in the table", ph)
	return 0
}

// isRuleID reports whether id names a row of rules.go.
func isRuleID(id string) bool {
	for i := range rules {
		if rules[i].id == id {
			return true
		}
	}
	return false
}

// TestIndexAgreesWithScan: the rule index only skips rows that cannot
// match. For every corpus recipient, and for each of a grid of status and
// reply codes put in its place, first and statusOnly give what asking
// every row in table order gives.
func TestIndexAgreesWithScan(t *testing.T) {
	scanFirst := func(f *facts, hits *hitSet, textOnly bool) (int, string) {
		for i := range rules {
			if textOnly && !rules[i].hasText {
				continue
			}
			if ph, ok := rules[i].match(f, hits); ok {
				return i, ph
			}
		}
		return -1, ""
	}
	scanStatusOnly := func(f *facts) int {
		for i := range rules {
			if !rules[i].decidesByCode() {
				continue
			}
			if _, ok := rules[i].match(f, nil); ok {
				return i
			}
		}
		return -1
	}
	var statuses []smtpcode.Status
	for _, c := range []int{0, 2, 4, 5, 6} {
		for _, s := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 99} {
			for _, d := range []int{0, 1, 2, 7, 8, 10, 26, 27, 64, 90, 350, 500, 606, 650, 700, 750, 999} {
				statuses = append(statuses, smtpcode.Status{Class: c, Subject: s, Detail: d})
			}
		}
	}
	replies := []smtpcode.ReplyCode{0, 99, 250, 421, 450, 451, 452, 500, 503, 521, 530, 535, 550, 551, 552, 553, 554, 556, 599, 999, 1000}
	n := 0
	for file, rep := range corpusReports(t) {
		for i := range rep.Recipients {
			var f facts
			f.gather(rep, &rep.Recipients[i], new([]byte))
			try := func(what string) {
				n++
				f.codeRows = index.codeRows(&f)
				gi, gp := first(&f, &f.hits, false)
				wi, wp := scanFirst(&f, &f.hits, false)
				if gi != wi || gp != wp {
					t.Fatalf("%s %s: first = %d %q, scanning all rows = %d %q", filepath.Base(file), what, gi, gp, wi, wp)
				}
				gi, _ = first(&f, &f.hits, true)
				wi, _ = scanFirst(&f, &f.hits, true)
				if gi != wi {
					t.Fatalf("%s %s: first(textOnly) = %d, scanning all rows = %d", filepath.Base(file), what, gi, wi)
				}
				if g, w := statusOnly(&f), scanStatusOnly(&f); g != w {
					t.Fatalf("%s %s: statusOnly = %d, scanning all rows = %d", filepath.Base(file), what, g, w)
				}
			}
			try("as parsed")
			// 60 combinations per recipient, a different stride of the
			// grid for each.
			for k := 0; k < 60; k++ {
				g := (n*7919 + k*104729) % (len(statuses) * len(replies))
				st, rc := statuses[g/len(replies)], replies[g%len(replies)]
				f.status, f.reply = st, rc
				try(st.String() + " " + rc.String())
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d cases tried", n)
	}
}

// TestStatusOnlyRemembered: statusOnly's remembered answers are those of
// asking the rows (statusOnlyRow), for every stage and a spread of codes,
// each asked twice (the second from the memory), with another diagnostic
// and reporting MTA each time (which the rows it asks may not read).
func TestStatusOnlyRemembered(t *testing.T) {
	replies := []smtpcode.ReplyCode{0, 250, 421, 450, 451, 452, 454, 500, 530, 535, 550, 551, 552, 553, 554, 571}
	diags := []string{"", "user unknown", "relay access denied", "mailbox full"}
	var n int
	for _, class := range []int{0, 2, 4, 5} {
		for sub := 0; sub <= 7; sub++ {
			for det := 0; det <= 10; det++ {
				for _, reply := range replies {
					for stage := dsn.StageUnknown; stage <= dsn.StageDelivery; stage++ {
						st := smtpcode.Status{Class: class, Subject: sub, Detail: det}
						if class == 0 {
							st = smtpcode.Status{}
						}
						for k := range 2 {
							rep := &dsn.Report{DecodedBy: []string{"postfix", "exim"}[k]}
							rc := &dsn.Recipient{Status: st, ReplyCode: reply, Stage: stage, Diagnostic: diags[n%len(diags)]}
							var f facts
							f.gather(rep, rc, new([]byte))
							if got, want := statusOnly(&f), statusOnlyRow(&f); got != want {
								t.Fatalf("statusOnly(%v, %d, %v) = %d, want %d", st, reply, stage, got, want)
							}
							n++
						}
					}
				}
			}
		}
	}
}
