package classify

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/phrase"
)

// rule is one row of the reason table. A row matches when every condition
// it sets holds; the first matching row in table order decides the reason.
//
// Conditions:
//   - phrases: at least one of these lower-case substrings occurs in the
//     lower-cased diagnostic text (nil: no text condition);
//   - status: a pattern on the enhanced status code, "C.S.D" where C is
//     4, 5 or x (either), S a number and D a number, a range "606-649" or
//     "*" ("": any status);
//   - codes: the SMTP reply code lies in this inclusive range ("550",
//     "500-504"; "": any);
//   - class: 4 or 5, the class of the failure (status class, else reply
//     class); 0: any;
//   - command: the SMTP command the reply answered ("RCPT", "DATA", "MAIL");
//   - mta: Report.DecodedBy, the recogniser that read the bounce;
//   - host: a suffix of the rejecting host's name;
//   - dtype: the RFC 3464 diagnostic type ("smtp", "x-unix").
//
// notHard marks evidence too weak for a hard bounce even when the reason is
// one that usually is. weak marks a row so broad that a phrase found in the
// report's text overrules it.
// side overrides the reason's default side (defaultSide) for this row.
// src names the samples in testdata/bounces/maildir/bsd and the RFC section
// or vendor document behind the row; the evidence's Source shows the
// documents only (ruleSource), and its RuleID the row's id, which is
// stable: clients may key on it.
type rule struct {
	id      string
	reason  Reason
	phrases []string
	status  string
	codes   string
	class   int
	command string
	mta     string
	host    string
	dtype   string
	// namesSender: the diagnostic names the envelope sender's domain, which
	// is not the recipient's.
	namesSender bool
	// rcptDomain: the recipient's domain is this one.
	rcptDomain string
	// rcptDomainMissing: the diagnostic says that the recipient's domain
	// itself does not exist ("DNS domain example.com does not exist"), not
	// an address in it (facts.domainMissing).
	rcptDomainMissing bool
	// stages: the SMTP stage the reply answered is one of these
	// (dsn.Recipient.Stage; 0: any). mailboxStages is the usual value of
	// rows that name a mailbox reason (issue 10 item 2).
	stages stageSet
	// transient: the failure is not a permanent reply (a 5yz reply with a
	// class 5 or no enhanced code): queue give-ups and timeouts are the
	// sending queue's words, and a server's permanent reply beside them
	// says why it gave up.
	transient bool
	side      Side
	notHard   bool
	weak      bool
	src       string

	// compiled at init
	defSide   Side     // the reason's DefaultSide (defaultSide)
	canBeHard bool     // the reason's CanBeHard (isHardReason)
	source    string   // ruleSource, built once
	ids       []uint16 // phraseIDs of phrases
	st        statusPattern
	codeLo    int
	codeHi    int
	hasText   bool
}

// userUnknownPhrases say that the mailbox does not exist. They are shared by
// the rows that reread them after DATA or MAIL FROM.
var userUnknownPhrases = p(
	"user unknown",
	"unknown user",
	"no such user",
	"no such mailbox",
	"no such recipient",
	"no such account",
	"user not found",
	"user not exist",
	"user does not exist",
	"user doesn't exist",
	"recipient not found",
	"recipient unknown",
	"unknown recipient",
	"invalid recipient",
	"recipient does not exist",
	"recipient address rejected: undeliverable",
	"mailbox not found",
	"mailbox does not exist",
	"mailbox unknown",
	"address does not exist",
	"address not found",
	"address couldn't be found",
	"account does not exist",
	"this user doesn't have",
	"no mailbox here",
	"not a valid mailbox",
	"invalid mailbox",
	"invalid address",
	"unknown or illegal alias",
	"unknown local part",
	"not a registered gateway user",
	"invalid final delivery userid",
	"inactive email address",
	"no valid recipients",
	"is not a valid user",
	"bad destination mailbox address",
	"adresse destinataire invalide",
	"#5.1.0 address rejected",
	"does not exist",
	"please check if address is correct",
	"not our customer",
	"no account by that name",
	"wasn't found at the destination domain",
	"recipient not found by smtp address lookup",
	"no such address",
	"unknown mailbox",
	"not a valid recipient",
	"no such person",
	"address is possibly incorrect",
)

// hostUnknownPhrases say that the domain does not exist.
var hostUnknownPhrases = p(
	"point to non-existent hosts",
	"mx records point to",
	"host unknown",
	"unknown host",
	"host or domain name not found",
	"domain does not exist",
	"domain not found",
	"no such domain",
	"unrouteable address",
	"unroutable address",
	"couldn't find any host named",
	"domain is not reachable",
	"domain name not found",
	"unknown domain",
	"bad destination system address",
	"nxdomain",
	"host not found",
	"domain doesn't exist",
	"domain is invalid",
	"invalid domain",
	"dns lookup failure",
)

// p is shorthand for a phrase list.
func p(phrases ...string) []string { return phrases }

// rules is the reason table. Order matters: provider-specific codes first,
// then specific phrases, then the enhanced status codes of the RFCs, then
// generic phrases, then bare reply codes. A phrase placed above the status
// rows must be specific enough to overrule a status code.
var rules = []rule{
	// ---- Provider codes that name their cause exactly. ----
	// Yahoo/AOL, https://senders.yahooinc.com/smtp-error-codes
	{id: "yahoo-tss04", reason: BadReputation, phrases: p(
		"[tss04]",
		"[ts01]",
	), src: "lhost-qmail-19; Yahoo TSS04: deferred for volume or user complaints"},
	{id: "yahoo-tss09", reason: Blocked, phrases: p(
		"[tss09]",
		"[ts03]",
		"[bl21]",
		"[bl22]",
		"[bl23]",
	), src: "Yahoo TSS09/BL21-23: IP permanently deferred or on Spamhaus/Spamcop"},
	{id: "yahoo-ts02", reason: RateLimited, phrases: p("[ts02]"), src: "Yahoo TS02: unexpected volume"},
	// Microsoft (Exchange Online, Outlook.com), https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online
	{id: "ms-banned-ip", reason: Blocked, status: "5.7.606-649",
		src: "rhost-microsoft-01, lhost-qmail-09; 5.7.606-649 banned sending IP"},
	{id: "ms-throttle", reason: RateLimited, status: "4.7.500-649",
		src: "Exchange Online / Outlook.com 4.7.500-699 access denied, please try again later (new or " +
			"unproven sending IP throttled)"},
	{id: "ms-ip-reputation", reason: BadReputation, status: "x.7.650-683",
		src: "rhost-microsoft-05; 4.7.650 rate limited due to IP reputation"},
	{id: "ms-unregistered-domain", reason: Rejected, status: "5.7.750",
		src: "Exchange Online 5.7.750 client blocked from sending from unregistered domains"},
	{id: "ms-recipient-limit", reason: RateLimited, status: "5.1.90",
		src: "Exchange Online 5.1.90 daily limit for message recipients reached"},
	{id: "ms-remote-spam", reason: SpamDetected, status: "5.7.350",
		src: "Exchange Online 5.7.350 remote server returned message detected as spam"},
	{id: "ms-tenant-threshold", reason: BadReputation, status: "5.7.700-749",
		src: "Exchange Online 5.7.705/5.7.708 tenant or IP over threshold"},
	{id: "ms-block-list", reason: Blocked, phrases: p(
		"part of their network is on our block list",
		"(s3140)",
		"(s3150)",
		"weren't sent. please contact your internet service provider",
		"sc-001",
		"sc-004",
	), src: "lhost-exim-54, lhost-ezweb-08; Outlook.com S3150/SC-004"},
	{id: "ms-dmarc", reason: AuthFailure, status: "5.7.509",
		src: "lhost-dragonfly-02, rhost-microsoft-04; 5.7.509 DMARC reject"},
	{id: "ms-auth-level", reason: AuthFailure, status: "5.7.515",
		src: "Exchange Online 5.7.515 sender domain below authentication level"},
	{id: "ms-rfc5322", reason: NotCompliantRFC, status: "5.7.512",
		src: "Exchange Online 5.7.512 message must be RFC 5322 section 3.6.2 compliant"},
	{id: "ms-relay", reason: NoRelaying, status: "5.7.54",
		src: "Exchange 5.7.54 unable to relay recipient in non-accepted domain"},
	{id: "ms-relay-tenant", reason: NoRelaying, status: "5.7.64",
		src: "Exchange Online 5.7.64 TenantAttribution; relay access denied"},
	{id: "ms-anonymous", reason: SecurityError, status: "5.7.57",
		src: "Exchange Online 5.7.57 client not authenticated to send anonymous mail"},
	// Matched without the host: gateways (m-FILTER) relay the answer, and X.4.1 with
	// "access denied" is this answer (RFC 3463 3.5 makes X.4.1 a network code).
	// Not a bare "access denied": Exchange Online's "550 5.4.1 Relay Access Denied" is a relay refusal.
	{id: "ms-dbeb", reason: UserUnknown, status: "5.4.1", phrases: p(
		"rejected: access denied",
		"rejected : access denied",
	),
		src: "lhost-mfilter-04; Exchange Online 5.4.1 directory-based edge blocking: recipient not " +
			"found"},
	{id: "exchange-recip-not-found", reason: UserUnknown, phrases: p(
		"resolver.adr.recipnotfound",
		"resolver.adr.exrecipnotfound",
		"resolver.adr.recipientnotfound",
	), src: "Microsoft NDR reference: 5.1.1/5.1.10 RESOLVER.ADR.RecipNotFound; lhost-exchange2007-01"},
	{id: "exchange-auth-required", reason: SecurityError, phrases: p(
		"resolver.rst.authrequired",
		"resolver.rst.sendernotauthenticated",
		"resolver.rst.notauthorized",
	), src: "Microsoft NDR reference: 5.7.1 RESOLVER.RST.AuthRequired, NotAuthorized; " +
		"lhost-exchange2007-04"},
	{id: "exchange-recip-limit", reason: RateLimited, phrases: p("resolver.adr.reciplimit"),
		src: "Exchange RESOLVER.ADR.RecipLimit"},
	{id: "exchange-recip-size", reason: EmailTooLarge, phrases: p("resolver.rst.recipsizelimit"),
		src: "Exchange Online 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient"},
	{id: "exchange-queue-expired", reason: Expired, phrases: p("queue.expired"),
		src: "Microsoft NDR reference: 4.4.7 QUEUE.Expired; lhost-exchange2007-05"},
	// Google, https://support.google.com/a/answer/3726730
	{id: "google-rate-user", reason: RateLimited, side: SideRecipient, phrases: p(
		"can receive per hour",
		"they can receive",
		"receiving mail at a rate that prevents",
		"receiving mail too quickly",
	), src: "lhost-postfix-59; Gmail 4.2.1/5.2.1 recipient receives too much mail"},
	{id: "google-unsolicited-rate", reason: RateLimited, phrases: p("unusual rate of unsolicited mail"),
		src: "Gmail 4.7.28: unusual rate of unsolicited mail"},
	// Outlook.com, https://sendersupport.olc.protection.outlook.com/pm/troubleshooting.aspx
	{id: "outlook-rate", reason: RateLimited, phrases: p(
		"rp-001",
		"rp-002",
		"rp-003",
		"we have limits for how many messages",
	), src: "Outlook.com RP-001..003: messages or recipients per hour or day over the limit"},
	// Mimecast, https://community.mimecast.com (Mimecast SMTP error codes)
	{id: "mimecast-envelope-blocked", reason: Rejected, phrases: p(
		"envelope blocked",
		"blocked senders",
	), src: "Mimecast 550 Envelope blocked - User/Domain Entry, Rejected by header-based Blocked " +
		"Senders: the recipient blocks the sender"},
	{id: "mimecast-anti-spoofing", reason: PolicyViolation, phrases: p("anti-spoofing policy"),
		src: "Mimecast 550 Rejected by header based Anti-Spoofing policy"},
	{id: "mimecast-greylisting", reason: OnHold, class: 4, phrases: p("internal resource temporarily unavailable"),
		src: "Mimecast SMTP error codes: 451 Internal resource temporarily unavailable (greylisting, retry " +
			"within 1 minute to 12 hours)"},
	// Symantec/Broadcom Email Security.cloud (MessageLabs), KB 162445: "554 Denied (Mode: normal)" for suspicious content.
	{id: "messagelabs-denied", reason: PolicyViolation, phrases: p("denied (mode:"),
		src: "Broadcom KB 162445, Outbound mail returned by MAILER-DAEMON@messagelabs.com: 554 Denied (Mode: normal)"},
	// Barracuda, https://campus.barracuda.com (Email Security Gateway SMTP error codes)
	{id: "barracuda-blocked", reason: SpamDetected, phrases: p(":blocked)"),
		src: "Barracuda 550 permanent failure for one or more recipients (addr:blocked): scored as " +
			"spam or blocked by policy"},
	// amavisd-new, https://www.ijs.si/software/amavisd/ (D_REJECT responses)
	{id: "amavis-ube", reason: SpamDetected, phrases: p(
		"content rejected, ube",
		", ube, id=",
	), src: "amavisd-new 550 5.7.0 Message content rejected, UBE"},
	{id: "amavis-banned", reason: PolicyViolation, phrases: p(
		"- banned:",
		"- banned ",
	), src: "amavisd-new 554 5.7.0 Reject, id=... - BANNED: banned file name or type"},
	// Greylisting (Postgrey, Mimecast, rspamd): come back later, nothing else is wrong.
	{id: "greylisting", reason: OnHold, class: 4, phrases: p(
		"greylist",
		"graylist",
		"grey-list",
		"gray-list",
	), src: "Postgrey 450 4.2.0 Greylisted; Mimecast 451 Greylisting in action; Rspamd greylist " +
		"action"},
	{id: "google-multiple-from", reason: NotCompliantRFC, phrases: p(
		"multiple addresses in from",
		"messages with multiple",
	), src: "Gmail SMTP errors: 550 5.7.1 messages with multiple addresses in From: header are not " +
		"accepted; lhost-postfix-29, lhost-sendmail-43"},
	{id: "google-content-security", reason: PolicyViolation, phrases: p(
		"content presents a potential security issue",
		"its content presents a potential",
		"content and attachment content guidelines",
	), src: "lhost-sendmail-31, lhost-sendmail-34; Gmail 5.7.0"},
	{id: "google-not-authorized-direct", reason: Blocked, phrases: p(
		"not authorized to send email directly to our servers",
		"please use the smtp relay at your service provider",
	), src: "Gmail 5.7.1 IP not authorized"},
	{id: "google-groups-spam", reason: SpamDetected, phrases: p("rejected due to spam classification"),
		src: "Google Groups' rejection wording; rfc3464-61, rhost-gsuite-12"},
	{id: "google-dmarc-record", reason: AuthFailure, status: "x.7.40",
		src: "Gmail 4.7.40: sending domain lacks DMARC/authentication for bulk mail"},
	{id: "google-from-alignment", reason: AuthFailure, status: "x.7.32",
		src: "Gmail 5.7.32: From: not aligned with SPF or DKIM domain"},
	// Orange / La Poste, https://postmaster.orange.fr (error codes OFR/LPN)
	{id: "orange-spam", reason: SpamDetected, phrases: p(
		"ofr_506",
		"ofr004_506",
	), src: "rhost-franceptt-03; Orange OFR_506 spam"},
	{id: "orange-ip-blocked", reason: Blocked, phrases: p(
		"ofr006_",
		"adresse ip source bloquee",
	), src: "rhost-franceptt-06; Orange OFR006 IP blocked"},
	{id: "orange-service-refused", reason: SystemError, phrases: p("ofr005_"),
		src: "rhost-franceptt-08; Orange OFR005 service refused, try later"},
	{id: "laposte-account-blocked", reason: Suspend, notHard: true, phrases: p(
		"lpn007_426",
		"le compte du destinataire est bloque",
		"recipient account is blocked",
	), src: "La Poste postmaster error code LPN007 (recipient account blocked); rhost-franceptt-05"},
	{id: "laposte-client-rejected", reason: PolicyViolation, phrases: p("lpn000_630"),
		src: "La Poste postmaster error code LPN000 (client rejected); rhost-franceptt-12"},
	// Cox, https://www.cox.com/residential/support/email-error-codes.html
	{id: "cox-blocklist", reason: Blocked, phrases: p(
		"aup#cdrbl",
		"aup#cxbl",
		"aup#bl",
	), src: "Cox email error codes AUP#CDRBL, AUP#CXBL; rhost-cox-01"},
	{id: "cox-ptr", reason: RequirePTR, phrases: p("aup#cxdns"), src: "Cox CXDNS: no reverse DNS"},
	// Tencent QQ
	{id: "tencent-frequency", reason: RateLimited, phrases: p(
		"ip frequency limited",
		"connection frequency limited",
		"domain frequency limited",
	), src: "Tencent QQ Mail frequency-limit replies; rhost-tencent-01, rhost-tencent-02"},
	// NTT docomo answers "Unknown user" after DATA when its own filter refuses the sender's domain (Sisimai Rhost::NTTDocomo).
	{id: "docomo-data-filter", reason: Rejected, command: "DATA", host: "docomo.ne.jp", phrases: p(
		"unknown user",
		"user unknown",
	), src: "rhost-nttdocomo-02, rhost-nttdocomo-03"},
	// KDDI au (ezweb.ne.jp) answers "550 : User unknown" when the recipient's domain filter refuses the sender (Sisimai Rhost::KDDI).
	{id: "kddi-domain-filter", reason: Filtered, host: "ezweb.ne.jp", phrases: p("550 : user unknown"),
		src: "lhost-postfix-35, lhost-sendmail-50, rhost-kddi-01, rfc3464-57, rhost-gsuite-08"},
	// cPanel's Exim replaces the reason with a vague sentence.
	{id: "cpanel-may-not-exist", reason: HostUnknown, notHard: true, phrases: p("the account or domain may not exist"),
		src: "Exim (cPanel build) rewording of 'Unrouteable address'; lhost-exim-31: cPanel's " +
			"rewording of an unroutable address; too vague for a hard bounce"},
	// Amazon SES sandbox: the platform refuses to relay for an unverified identity.
	{id: "ses-not-verified", reason: NoRelaying, phrases: p(
		"email address is not verified",
		"identities failed the check",
	), src: "Amazon SES developer guide: sandbox, email address is not verified; lhost-postfix-77"},

	// qmail-remote(8): the recipient domain's MX points at a host that does not treat the domain as local.
	{id: "qmail-not-local", reason: NetworkError, side: SideRecipient, phrases: p(
		"listed as a best-preference mx",
		"isn't in my control/locals file",
	), src: "qmail-remote(8): 'Although I'm listed as a best-preference MX or A for that host' (the " +
		"recipient domain's MX is misconfigured)"},

	// ---- Sender authentication: SPF, DKIM, DMARC (RFC 7372, RFC 7489). ----
	{id: "dmarc", reason: AuthFailure, phrases: p(
		"dmarc policy",
		"dmarc verification",
		"dmarc rejection",
		"dmarc initiative",
		"dmarc check",
		"dmarc fail",
		"owner dmarc",
		"per dmarc",
		"domain's dmarc",
		"(rfc 7489)",
		"failed dmarc",
		"fails dmarc",
	), src: "lhost-qmail-14, lhost-postfix-72, lhost-postfix-73, lhost-sendmail-58"},
	{id: "spf-dkim", reason: AuthFailure, phrases: p(
		"spf record",
		"spf check",
		"spf fail",
		"spf unauthorized",
		"required authentication level",
		"spf validation",
		"bad spf",
		"spf softfail",
		"spf hardfail",
		"fails to pass spf",
		"did not pass spf",
		"dkim signature",
		"dkim check",
		"dkim fail",
		"dkim = did not pass",
		"dkim validation",
		"sender is unauthenticated",
		"unauthenticated email",
		"unauthenticated mail",
		"requires all senders to authenticate",
		"multiple authentication checks failed",
		"does not pass authentication checks",
		"dkim authentication",
		"spf authentication",
		"authentication information",
		"fails to pass authentication",
		"authentication checks",
		"sender policy framework",
		"domainkeys",
		"designated as permitted sender",
		"not a permitted sender",
	), src: "RFC 7208 (SPF), RFC 6376 (DKIM), RFC 7372; lhost-exim-29, lhost-sendmail-60, " +
		"rhost-google-04, lhost-dragonfly-05"},

	// ---- Relaying denied (DESIGN.md "Relaying denied"); side decided by relaySide. ----
	{id: "relay-denied", reason: NoRelaying, phrases: p(
		"relay access denied",
		"relaying denied",
		"relay denied",
		"relay not permitted",
		"relaying not permitted",
		"not permitted to relay",
		"we do not relay",
		"unable to relay",
		"cannot relay",
		"can't relay",
		"relaying to <",
		"relaying disallowed",
		"relay prohibited",
		"relaying prohibited",
		"relaying is prohibited",
		"relay not allowed",
		"relaying not allowed",
		"not allowed to relay",
		"no relaying",
		"not configured to relay",
		"insecure mail relay",
		"mail relay denied",
		"isn't in my list of allowed rcpthosts",
		"not in my list of allowed rcpthosts",
		"relay access is denied",
		"relaying mail to",
		"open relay",
	), src: "lhost-sendmail-07, lhost-postfix-44, lhost-v5sendmail-06, lhost-dragonfly-15; Postfix " +
		"reject_unauth_destination, Exim, Exchange, qmail rcpthosts"},

	// ---- The sending host's reverse DNS (RFC 7372 X.7.25), then the envelope sender or its domain (RFC 3463 X.1.7, X.1.8). ----
	{id: "reverse-dns", reason: RequirePTR, phrases: p(
		"reverse dns",
		"no ptr record",
		"ptr record",
		"ptr resource record",
		"dns ptr",
		"reverse lookup",
		"rdns",
		"reverse-dns",
		"reverse hostname",
		"without a valid sender domain",
		"mismatches client ip",
		"unverifyable sending ip",
		"no reverse",
		"cannot find your hostname",
		"cannot resolve your hostname",
		"client host name is unknown",
		"not resolve to your",
		"does not match your ip",
		"ptr mismatch",
		"ip name lookup failed",
		"cannot find your reverse hostname",
	), src: "Postfix reject_unknown_client_hostname, Sendmail require_rdns ('IP name lookup " +
		"failed'); lhost-exim-32, lhost-exim-34, lhost-exim-41, lhost-exim-43, lhost-outlook-09, " +
		"rhost-google-06"},
	{id: "sender-domain-named", reason: Rejected, namesSender: true, phrases: p(
		"does not exist",
		"no such domain",
		"domain not found",
		"unknown domain",
		"domain unknown",
		"unresolvable",
		"could not be resolved",
	), src: "lhost-exim-37: 553 <sender's domain> does not exist"},
	// The recipient's domain named on its own as missing: a domain, not a mailbox (before the user-unknown
	// rows, whose "does not exist" it would otherwise meet).
	{id: "recipient-domain-missing", reason: HostUnknown, rcptDomainMissing: true, stages: mailboxStages,
		src: "Microsoft NDR reference 5.4.310 (DNS domain does not exist); RFC 3463 3.2 X.1.2"},
	{id: "sender-rejected", reason: Rejected, phrases: p(
		"sender address rejected",
		"sender rejected",
		"sender was rejected",
		"domain of sender address",
		"unroutable sender",
		"sender verify failed",
		"sender verification failed",
		"sender address verification",
		"sender denied",
		"sender not allowed",
		"sender unknown",
		"unknown sender",
		"invalid sender",
		"sender domain",
		"mailfrom domain",
		"mail from domain",
		"sender is not allowed",
		"mail from address",
		"rejected mail from",
		"address that has been blacklisted",
		"you are not a member",
		"not a member of this",
		"not have permission to post",
		"may not exist, or you may not have permission",
		"can't determine purported responsible address",
		"envelope sender",
		"from address is not",
		"return path",
		"senders are not allowed",
		"sending to yourself",
		"send e-mail to yourself",
		"allowed-senders",
		"allowed senders",
		"only accepting mail from",
		"not authorized to receive mail from",
		"not allowed to send to this recipient",
		"only accepts mail from",
		"accepts mail only from",
		"not accept mail from",
		"not accepting mail from",
		"doesn't accept mail from",
		"recipient has blocked",
		"has blocked you",
	), src: "Postfix reject_unknown_sender_domain, reject_unverified_sender (Sender address " +
		"rejected); Exim verify = sender (Sender verify failed); lhost-postfix-11, " +
		"lhost-postfix-80, lhost-exim-36, rhost-gsuite-11, lhost-courier-03, lhost-exim-57, " +
		"lhost-fml-02, lhost-googlegroups-02"},

	// ---- The sending IP on a blocklist. Lotus Domino's "not listed in" first: it means an unknown user. ----
	{id: "notes-not-listed", reason: UserUnknown, phrases: p(
		"not listed in domino directory",
		"not listed in public name & address book",
		"not listed in the domino directory",
	), src: "Lotus Domino: user not listed in the directory"},
	{id: "blocklist-url", reason: SpamDetected, phrases: p(
		"blacklisted url",
		"uribl",
		"surbl",
		"blocked url",
		"url in message",
	), src: "SURBL and URIBL, domain blocklists for URLs in message bodies (surbl.org, uribl.com); " +
		"lhost-imailserver-06"},
	// Causes about the sending host and volume: before the blocklist row, whose "blocked" words they explain.
	{id: "reputation", reason: BadReputation, phrases: p(
		"poor reputation",
		"low reputation",
		"bad reputation",
		"reputation of the sending",
		"sender reputation",
		"ip reputation",
		"domain reputation",
		"reputation is too low",
		"due to reputation",
		"of its reputation",
		"because of reputation",
	), src: "Cisco AsyncOS HAT REJECT (sending MTA's poor reputation); Gmail 421 4.7.0 very low " +
		"reputation of the sending IP/domain"},
	{id: "temporary-rate", reason: RateLimited, phrases: p(
		"has been temporarily rate limited",
		"rate limited due to",
	), src: "Gmail 421 4.7.0/4.7.28 mail temporarily rate limited"},
	// Postfix access(5) REJECT without text answers "<what> rejected: Access denied": what was refused names the
	// cause (the sender's address: sender-rejected above).
	{id: "postfix-access-client", reason: Blocked, phrases: p("client host rejected: access denied"),
		src: "Postfix access(5) REJECT, check_client_access (Client host rejected: Access denied)"},
	{id: "postfix-access-recipient", reason: PolicyViolation, phrases: p("recipient address rejected: access denied"),
		src: "Postfix access(5) REJECT, check_recipient_access (Recipient address rejected: Access denied); " +
			"lhost-exim-30"},
	{id: "helo-rejected", reason: Blocked, phrases: p(
		"helo command rejected",
		"ehlo command rejected",
		"helo name",
		"invalid helo",
		"bad helo",
		"helo/ehlo",
	), src: "Postfix smtpd_helo_restrictions (Helo command rejected); qmail-remote 'but my name was " +
		"rejected'"},
	{id: "sending-quota", reason: RateLimited, phrases: p(
		"sending quota",
		"daily quota",
		"hourly quota",
		"daily limit",
		"emails per hour",
		"messages per hour",
		"recipients per hour",
		"received this hour",
		"max emails per",
	), src: "Exim ratelimit ACL (cPanel max emails per hour); Cisco AsyncOS recipients per hour; " +
		"Microsoft 5.1.90; Gmail 5.4.5 daily sending limit"},
	// A quota refused under a security/policy code (RFC 3463 3.8: X.7.x) or at MAIL FROM (no mailbox
	// named yet, RFC 5321 3.3) is the sender's sending quota; a full mailbox is X.2.2 at RCPT or DATA.
	{id: "policy-quota", reason: RateLimited, status: "x.7.*", phrases: p("quota"),
		src: "RFC 3463 3.8; Gmail 550 5.7.1 Email quota exceeded (sending limits)"},
	{id: "mail-from-quota", reason: RateLimited, command: "MAIL", phrases: p("quota"),
		src: "RFC 5321 3.3 (MAIL FROM names no recipient); Exchange Online 5.2.2 submission quota exceeded"},
	{id: "blocklist", reason: Blocked, phrases: p(
		"blocked using",
		"listed at",
		"listed in",
		"is listed on",
		"spamhaus",
		"barracuda",
		"spamcop",
		"sorbs",
		"blacklisted",
		"blacklist",
		"blocklisted",
		"blocklist",
		"block list",
		"dnsbl",
		" rbl",
		"rbl:",
		"rbl ",
		"/rbl",
		"banned sending ip",
		"banned sender",
		"client host blocked",
		"client host rejected: blocked",
		"ip address blacklisted",
		"please use the smtp server of your isp",
		"use your provider's smtp",
		"dynamic ip",
		"dynamic address",
		"dial-up",
		"dialup",
		"residential",
		"not accepting connections",
		"a problem occurred. (ask your postmaster",
		"client host rejected",
		"not allowed to connect",
		"not in whitelist",
		"not whitelisted",
		"not in allowlist",
		"not on the allow list",
	), src: "RFC 5782 DNS blocklists; Postfix reject_rbl_client (blocked using); lhost-amazonses-15, " +
		"rhost-godaddy-02, lhost-sendmail-36, lhost-exim-01, lhost-postfix-38, lhost-postfix-49, " +
		"lhost-sendmail-56, lhost-sendmail-16"},

	// ---- Authentication and TLS required (RFC 4954, RFC 3207). ----
	// The receiving side requires TLS and the sender did not use it: the sender must turn TLS on.
	{id: "tls-required", reason: FailedSTARTTLS, side: SideSender, phrases: p(
		"tls is required",
		"tls required",
		"must use tls",
		"encryption required",
		"secure connection required",
		"must issue a starttls",
	), src: "Gmail 421 4.7.0 TLS required for RCPT domain; Gmail 530 5.7.0 Must issue a STARTTLS " +
		"command first; RFC 3207 4"},
	{id: "starttls", reason: FailedSTARTTLS, phrases: p(
		"starttls",
		"does not support tls",
		"tls negotiation",
		"tls handshake",
		"requiretls",
		"ssl handshake",
	), src: "lhost-gmail-07; RFC 3207"},
	{id: "auth-required", reason: SecurityError, phrases: p(
		"authentication required",
		"authentication is required",
		"requires authentication",
		"must authenticate",
		"must be authenticated",
		"not authenticated",
		"please authenticate",
		"authenticate first",
		"smtp authentication",
		"smtp auth",
		"auth required",
		"unauthenticated senders",
		"unauthenticated relay",
		"authentication failed",
		"authentication credentials",
		"invalid credentials",
		"does not advertise auth",
		"pop before smtp",
		"pop-before-smtp",
	), src: "lhost-sendmail-53, rhost-messagelabs-01, lhost-googleworkspace-01; RFC 4954"},

	// ---- The recipient's address, domain and host. ----
	// An address error answered to MAIL FROM is about the sender (lhost-postfix-11, lhost-postfix-54).
	{id: "address-at-mail-from", reason: Rejected, command: "MAIL", phrases: append(append(p(
		"access denied",
		"rejected",
	), userUnknownPhrases...), hostUnknownPhrases...), src: "lhost-postfix-11, lhost-postfix-54, lhost-exim-51"},
	{id: "status-at-mail-from", reason: Rejected, command: "MAIL", status: "x.1.*",
		src: "RFC 3463 3.2 X.1.x answered to MAIL FROM: the sender's address"},
	// RFC 7505 4.2: X.7.27 is the sender's domain with a null MX, whose words ("null MX") the next row reads as the
	// recipient's; only when the text says so (Sendmail answers "550 5.7.27 Host does not accept mail" for the recipient).
	{id: "null-mx-sender", reason: Rejected, status: "x.7.27", phrases: p("sender"),
		src: "RFC 7505 4.2 X.7.27 sender address has null MX; Gmail 550 5.7.27"},
	{id: "null-mx", reason: NotAccept, phrases: p(
		"null mx",
		"does not accept mail",
		"indicated no smtp service",
		"not accepting network messages",
		"accepts no mail",
		"doesn't accept mail",
		"no mx record found",
		"no mx found",
		"no mx or a record",
		"couldn't find a mail exchanger",
		"could not find a mail exchanger",
		"is not accepting mail",
	), src: "lhost-mailru-05, lhost-sendmail-57, lhost-qmail-11, lhost-yahoo-09, lhost-opensmtpd-12; " +
		"RFC 7505"},
	{id: "dns-temporary", reason: NetworkError, phrases: p(
		"host not found, try again",
		"temporary failure in name resolution",
		"temporary dns",
		"dns temporary",
		"dns timeout",
		"servfail",
		"host lookup did not complete",
	), src: "Postfix smtp(8) name service errors; RFC 1035 SERVFAIL; Exim specification (dnslookup " +
		"router: host lookup did not complete); lhost-postfix-34"},
	{id: "dns-transient", reason: NetworkError, class: 4, phrases: p(
		"name service error",
		"dns error",
		"dns lookup failure",
		"dns lookup failed",
		"host name lookup failure",
		"malformed or unexpected name server reply",
		"nxdomain",
		"host not found",
		"domain not found",
	), src: "rfc3464-53, rhost-gsuite-04, rhost-gsuite-13: a transient DNS answer"},
	{id: "host-unknown", reason: HostUnknown, stages: mailboxStages, phrases: hostUnknownPhrases,
		src: "lhost-courier-04, lhost-qmail-13, lhost-v5sendmail-02, rhost-aol-05, rhost-outlook-03, " +
			"lhost-mailru-06, lhost-dragonfly-04"},
	{id: "dns-network", reason: NetworkError, phrases: p(
		"name service error",
		"dns error",
		"malformed or unexpected name server reply",
	), src: "Postfix smtp(8) name service errors; lhost-postfix-17"},
	{id: "has-moved", reason: HasMoved, stages: mailboxStages, phrases: p(
		"no longer on server",
		"has moved",
		"address has changed",
		"mailbox has moved",
		"user has moved",
		"moved permanently",
		"no longer available at this address",
		"is no longer valid",
		"mailbox owner has changed",
	), src: "lhost-postfix-16, rhost-apple-01"},
	// Locked, frozen or suspended accounts are administrative states that are commonly lifted: not hard.
	{id: "suspended-for-now", reason: Suspend, stages: mailboxStages, notHard: true, phrases: p(
		"account is locked",
		"account has been locked",
		"temporary locked",
		"temporarily locked",
		"temporarily disabled",
		"mailbox is frozen",
		"account is frozen",
		"account has been suspended",
		"account is suspended",
		"account suspended",
		"mailbox is suspended",
		"mailbox suspended",
	), src: "lhost-amazonses-19, lhost-postfix-61, rhost-iua-01, lhost-qmail-10"},
	// Disabled, inactive or discontinued: RFC 3463 X.2.1 and RFC 5248 X.7.13; hard with a permanent code (issue item 2).
	{id: "suspended", reason: Suspend, stages: mailboxStages, phrases: p(
		"account that you tried to reach is disabled",
		"account that you tried to reach is inactive",
		"account is disabled",
		"account has been disabled",
		"account disabled",
		"disabled recipient",
		"recipient address is disabled",
		"mailbox disabled",
		"mailbox is disabled",
		"mailbox is inactive",
		"mailbox inactive",
		"account is inactive",
		"account inactive",
		"account has expired",
		"account expired",
		"has been disabled or discontinued",
		"account has been deactivated",
		"account is deactivated",
	), src: "lhost-amazonses-20, rhost-google-07, lhost-sendmail-35, lhost-x2-02, lhost-ezweb-03"},
	{id: "mailbox-full", reason: MailboxFull, stages: mailboxStages, phrases: p(
		"mailbox full",
		"mailbox is full",
		"mail box full",
		"mailbox size limit",
		"over quota",
		"quota exceeded",
		"exceeded quota",
		"exceeds quota",
		"quota exceed",
		"storage quota",
		"exceeded storage allocation",
		"exceeded its storage",
		"mailbox exceeded",
		"mailbox has exceeded",
		"mailbox is over",
		"mailfolder is full",
		"boite du destinataire pleine",
		"too much mail data",
		"recipient's mailbox exceeded",
		"messages in recipient's mailbox exceeded",
		"insufficient quota",
		"mailbox would exceed",
		"mailbox exceeds",
		"over its quota",
		"over the allowed quota",
		"exceeded its quota",
		"quota full",
		"mailbox quota",
		"out of storage space",
		"file too large",
	), src: "lhost-amazonworkmail-08, lhost-gmail-19, lhost-qmail-08, lhost-mailfoundry-02, " +
		"lhost-x2-04, lhost-biglobe-01"},
	// "User unknown" is userunknown at every stage (issue 10 item 7): a filter's refusal after DATA that
	// words itself as an unknown user is the provider's documented behaviour only where a host row says so
	// (docomo-data-filter, kddi-domain-filter above). The labels call some of these filtered; the scorer
	// accepts filtered=userunknown for this policy difference.
	{id: "user-unknown", reason: UserUnknown, phrases: userUnknownPhrases,
		src: "lhost-postfix-02, lhost-office365-01, lhost-qmail-01, lhost-exim-59, lhost-x2-01, " +
			"rhost-gsuite-14, rhost-yahooinc-03, lhost-imailserver-03, lhost-verizon-01, " +
			"lhost-trendmicro-02, rhost-apple-04"},

	// ---- Message size, content, spam, viruses. ----
	{id: "too-large", reason: EmailTooLarge, phrases: p(
		"message too large",
		"message too big",
		"message is too big",
		"message is too large",
		"message size exceeds",
		"message length exceeds",
		"size exceeds",
		"exceeds size limit",
		"exceeds the size limit",
		"size limit exceeded",
		"exceeded the size",
		"too large",
		"message size limit",
		"mail size limit",
		"exceeds maximum message size",
		"message exceeds",
		"email size exceeded",
		"maximum email size",
	), src: "RFC 1870 SIZE; RFC 3463 X.3.4; Postfix message_size_limit; lhost-sendmail-05, " +
		"lhost-dragonfly-08, lhost-dragonfly-14, lhost-receivingses-05"},
	{id: "virus", reason: VirusDetected, phrases: p(
		"virus",
		"malware",
		"infected",
		"trojan",
	), src: "amavisd-new and ClamAV virus rejections (INFECTED); lhost-postfix-62"},
	{id: "spam", reason: SpamDetected, phrases: p(
		"spam",
		"unsolicited",
		"junk mail",
		"bulk mail",
		"bulk e-mail",
		"mail rejete",
		"message rejected as spam",
		"suspicious",
		"phishing",
	), src: "lhost-exim-55, lhost-postfix-39, lhost-amavis-03; Microsoft Defender for Office 365 " +
		"(phishing verdicts), Gmail 5.7.1 suspicious/phishing"},
	{id: "rfc-violation", reason: NotCompliantRFC, phrases: p(
		"valid address in from",
		"no from: header",
		"missing a valid",
		"duplicate header",
		"rfc 5322",
		"rfc5322",
		"rfc 2822",
		"rfc2822",
		"rfc 822",
		"not rfc compliant",
		"line limit exceeded",
		"line too long",
		"lines too long",
		"bare lf",
		"bare linefeed",
		"missing required header",
		"message-id header",
		"date header",
	), src: "RFC 5322 3.6 header fields; Gmail 550 5.7.1 not RFC 5322 compliant; lhost-postfix-78, " +
		"lhost-exim-58"},
	{id: "content", reason: ContentError, phrases: p(
		"media error",
		"8-bit data",
		"8bit data",
		"header error",
		"malformed header",
		"invalid header",
		"bad header",
		"header syntax",
		"mime error",
		"invalid mime",
		"malformed mime",
		"content encoding",
		"encoding error",
		"character set",
	), src: "RFC 2045-2049 MIME, RFC 6152 8BITMIME, RFC 3463 X.6.x; lhost-sendmail-06, " +
		"lhost-dragonfly-07, lhost-exim-03"},

	// ---- Rates and connections. ----
	{id: "rate-limit", reason: RateLimited, phrases: p(
		"exceeded the number of messages",
		"number of messages allowed",
		"too much mail",
		"per hour",
		"rate limit",
		"too many connections",
		"too many recipients",
		"too many messages",
		"too many concurrent",
		"too many errors",
		"connection rate",
		"message rate",
		"try again later, closing",
		"throttl",
		"exceeded the rate",
		"sending limit",
		"max message per",
		"maximum number of",
		"too fast",
		"slow down",
		"excessive volume",
	), src: "Postfix anvil(8) and smtpd_client_*_rate_limit; RFC 3463 X.7.28; Apple iCloud 421 4.7.1 " +
		"deferred due to excessive volume; lhost-postfix-09, lhost-postfix-55"},

	// ---- Receiving-side systems. ----
	{id: "system-full", reason: SystemFull, phrases: p(
		"insufficient disk space",
		"not enough disk space",
		"out of disk",
		"disk full",
		"insufficient system storage",
		"mail system full",
		"system storage",
	), src: "RFC 5321 4.2.2 452 insufficient system storage; RFC 3463 X.3.1; lhost-sendmail-39, " +
		"rfc3464-01"},
	// A mail loop is the cause a local delivery failure or a system error states: RFC 3463 3.5 X.4.6.
	{id: "mail-loop", reason: NetworkError, phrases: p(
		"mail loop",
		"routing loop",
		"loop detected",
		"message is looping",
		"hop count exceeded",
		"too many hops",
	), src: "RFC 3463 3.5 X.4.6 routing loop detected; Exim 'Too many \"Received\" headers - suspected mail " +
		"loop'; qmail-local 'This message is looping'; Microsoft 5.4.14 hop count exceeded"},
	{id: "mailer-error", reason: MailerError, phrases: p(
		"child process of",
		"transport returned",
		"mailer error",
		"pipe to |",
		"procmail",
		"local delivery failed",
		"delivery program",
		"command died",
		"command output",
		"operating system error",
	), src: "RFC 3464 2.3.6 x-unix diagnostics; Postfix local(8), pipe(8); Sendmail prog mailer; " +
		"lhost-dragonfly-13, lhost-sendmail-18, lhost-exim-44, rfc3464-04"},
	{id: "system-error", reason: SystemError, phrases: p(
		"internal system error",
		"internal error",
		"system error",
		"system config error",
		"configuration error",
		"server error",
		"local error",
		"temporary local problem",
		"service refuse",
		"service currently unavailable",
		"service temporarily unavailable",
		"resources temporarily unavailable",
		"temporarily unavailable",
		"temporary system problem",
	), src: "RFC 3463 3.4 X.3.0 other mail system status (the receiving system failed); " +
		"lhost-amazonworkmail-03, lhost-dragonfly-23"},
	{id: "syntax", reason: SyntaxError, phrases: p(
		"command parameter not implemented",
		"syntax error",
		"command unrecognized",
		"command not recognized",
		"unrecognized command",
		"malformed address",
		"bad sequence of commands",
		"command not implemented",
		"invalid command",
	), src: "RFC 5321 4.2.2 500-504, 4.3.2; lhost-postfix-53, lhost-exim-52"},
	{id: "policy", reason: PolicyViolation, phrases: p(
		"policy reasons",
		"does not allow",
		"administrative prohibition",
		"policy that prohibited",
		"security policies",
		"local policy",
		"banned content",
		"banned attachment",
		"banned file",
		"denied by policy",
		"policy violation",
		"violates our policy",
		"against our policy",
		"prohibited by policy",
		"by local policy",
		"host network not allowed",
		"due to local policy",
		"policy rejection",
		"attachment not allowed",
		"attachments are not allowed",
		"prohibited attachment",
		"blocked attachment",
		"attachment type",
		"file type",
		"content restrictions",
		"unacceptable content",
		"vba macros",
	), src: "RFC 3463 X.7.1; Postfix access(5) REJECT; Mimecast 554 security policies; Broadcom " +
		"Email Security.cloud KB 162445 (content restrictions, VBA macros); " +
		"lhost-postfix-42, lhost-postfix-67, rhost-mimecast-01, lhost-dragonfly-18"},
	{id: "filtered", reason: Filtered, stages: mailboxStages, phrases: p(
		"filtered",
		"rejected by the domain filter",
		"refused by recipient's filter",
		"rejected by recipient",
		"blocked by the recipient",
		"recipient's mail filter",
		"content filter",
		"recipients was rejected by a remote mail server",
		"rejected by destination domain",
	), src: "RFC 3463 3.8 X.7.1 message refused by the recipient's filter; lhost-ezweb-01 (EZweb's " +
		"notice without a reply: its domain filter), rhost-zoho-04 (Zoho 541 5.4.1: the " +
		"recipient domain's own rules)"},

	// ---- Queue expiry, timeouts and the network. ----
	// The queue gave up (X.4.7) whatever network trouble the text describes (rhost-outlook-07).
	{id: "st-x.4.7", reason: Expired, status: "x.4.7", src: "RFC 3463 3.5 X.4.7 delivery time expired; rhost-outlook-07"},
	{id: "expired", reason: Expired, transient: true, phrases: p(
		"retry timeout exceeded",
		"message expired",
		"envelope expired",
		"in the queue too long",
		"could not be delivered for too long",
		"could not deliver for the last",
		"delivery time expired",
		"delivery expired",
		"giving up",
		"after multiple retries",
		"retry time",
		"have been failing for a long time",
		"has been in the queue too long",
		"will be deleted from queue",
		"queue timeout",
		"was aborted after",
		"message timed out",
		"unable to deliver in",
		"expired after",
	), src: "Exim retry rules (retry timeout exceeded), qmail-send queuelifetime, Sendmail " +
		"Timeout.queuereturn; lhost-exim-06, lhost-amazonses-17, lhost-opensmtpd-06, " +
		"lhost-x2-03, lhost-dragonfly-29, lhost-sendmail-12"},
	{id: "timeout", reason: Expired, transient: true, phrases: p(
		"timed out",
		"timeout",
		"did not accept our requests to connect",
		"host not reachable",
		"unable to contact destination",
		"socket error",
	), src: "RFC 5321 4.5.3.2 timeouts; Postfix smtp(8) conversation timeouts; lhost-postfix-15, " +
		"lhost-v5sendmail-01, rfc3464-55, lhost-gmail-11, lhost-zoho-04"},
	{id: "network", reason: NetworkError, phrases: p(
		"network error",
		"lost connection",
		"connection reset",
		"error transferring to",
		"could not find a gateway",
		"wasn't able to establish an smtp connection",
		"unable to connect",
		"connection refused",
		"no route to host",
	), src: "lhost-opensmtpd-04, lhost-postfix-56, lhost-domino-03, lhost-qmail-07, lhost-x3-02"},

	// A local delivery program (pipe, procmail, maildrop) failed: RFC 3464 2.3.6 diagnostic type "x-unix".
	{id: "x-unix", reason: MailerError, dtype: "x-unix", src: "lhost-postfix-43, lhost-sendmail-18, lhost-sendmail-55"},

	// ---- Enhanced status codes: RFC 3463, RFC 5248 registry, RFC 7372, RFC 7505, RFC 4954. ----
	{id: "st-x.1.0", reason: UserUnknown, status: "x.1.0", notHard: true, weak: true,
		src: "RFC 3463 3.2 X.1.0 other address status; rhost-gsuite-01"},
	{id: "st-x.1.1", reason: UserUnknown, status: "x.1.1", src: "RFC 3463 3.2 X.1.1 bad destination mailbox address"},
	{id: "st-x.1.2", reason: HostUnknown, status: "x.1.2", src: "RFC 3463 3.2 X.1.2 bad destination system address"},
	{id: "st-x.1.3", reason: UserUnknown, status: "x.1.3",
		src: "RFC 3463 3.2 X.1.3 bad destination mailbox address syntax"},
	{id: "st-x.1.4", reason: UserUnknown, status: "x.1.4",
		src: "RFC 3463 3.2 X.1.4 destination mailbox address ambiguous"},
	{id: "st-x.1.6", reason: HasMoved, status: "x.1.6",
		src: "RFC 3463 3.2 X.1.6 destination mailbox has moved, no forwarding address"},
	{id: "st-x.1.7", reason: Rejected, status: "x.1.7", src: "RFC 3463 3.2 X.1.7 bad sender's mailbox address syntax"},
	{id: "st-x.1.8", reason: Rejected, status: "x.1.8", src: "RFC 3463 3.2 X.1.8 bad sender's system address"},
	{id: "st-x.1.10", reason: NotAccept, status: "x.1.10", src: "RFC 7505 4.1 X.1.10 recipient address has null MX"},
	{id: "st-x.2.1", reason: Suspend, status: "x.2.1", notHard: true,
		src: "RFC 3463 3.3 X.2.1 mailbox disabled, not accepting messages"},
	{id: "st-x.2.2", reason: MailboxFull, status: "x.2.2", src: "RFC 3463 3.3 X.2.2 mailbox full"},
	{id: "st-x.2.3", reason: EmailTooLarge, status: "x.2.3",
		src: "RFC 3463 3.3 X.2.3 message length exceeds administrative limit"},
	{id: "st-x.2.4", reason: SystemError, status: "x.2.4", src: "RFC 3463 3.3 X.2.4 mailing list expansion problem"},
	{id: "st-x.3.1", reason: SystemFull, status: "x.3.1", src: "RFC 3463 3.4 X.3.1 mail system full"},
	{id: "st-x.3.2", reason: NotAccept, status: "5.3.2", src: "RFC 3463 3.4 X.3.2 system not accepting network messages"},
	{id: "st-x.3.4", reason: EmailTooLarge, status: "x.3.4", src: "RFC 3463 3.4 X.3.4 message too big for system"},
	// 4.3.0 is "other or undefined mail system status", transient: no cause is named, decide later.
	{id: "st-4.3.0", reason: OnHold, status: "4.3.0", weak: true,
		src: "RFC 3463 3.4 X.3.0 other or undefined mail system status, with class 4; rfc3464-43"},
	{id: "st-x.3.x", reason: SystemError, status: "x.3.*", weak: true, src: "RFC 3463 3.4 X.3.0/3/5 mail system status"},
	{id: "st-5.4.4", reason: HostUnknown, status: "5.4.4", src: "RFC 3463 3.5 X.4.4 unable to route"},
	{id: "st-x.4.5", reason: SystemError, status: "x.4.5", src: "RFC 3463 3.5 X.4.5 mail system congestion"},
	{id: "st-x.4.x", reason: NetworkError, status: "x.4.*", weak: true,
		src: "RFC 3463 3.5 X.4.x network and routing status"},
	{id: "st-x.5.3", reason: RateLimited, status: "x.5.3", src: "RFC 3463 3.6 X.5.3 too many recipients"},
	{id: "st-x.5.6", reason: SecurityError, status: "x.5.6",
		src: "RFC 4954 6 X.5.6 authentication exchange line too long"},
	{id: "st-x.5.x", reason: SyntaxError, status: "x.5.1-5", weak: true,
		src: "RFC 3463 3.6 X.5.1-5 invalid command, syntax error, arguments, protocol version"},
	{id: "st-x.6.x", reason: ContentError, status: "x.6.*", weak: true,
		src: "RFC 3463 3.7, RFC 6531/6533 X.6.x message content or media status"},
	{id: "st-x.7.2", reason: PolicyViolation, status: "x.7.2",
		src: "RFC 3463 3.8 X.7.2 mailing list expansion prohibited"},
	{id: "st-x.7.3", reason: SecurityError, status: "x.7.3-7",
		src: "RFC 3463 3.8 X.7.3-X.7.7 security conversion, security features, cryptographic " +
			"failures, message integrity"},
	{id: "st-x.7.8", reason: SecurityError, status: "x.7.8", src: "RFC 4954 6 X.7.8 authentication credentials invalid"},
	{id: "st-x.7.9", reason: SecurityError, status: "x.7.9", src: "RFC 4954 6 X.7.9 authentication mechanism is too weak"},
	{id: "st-x.7.10", reason: FailedSTARTTLS, status: "x.7.10", src: "RFC 5248 X.7.10 encryption needed"},
	{id: "st-x.7.11", reason: SecurityError, status: "x.7.11",
		src: "RFC 4954 6 X.7.11 encryption required for requested authentication mechanism"},
	{id: "st-x.7.12", reason: SecurityError, status: "x.7.12", src: "RFC 4954 6 X.7.12 a password transition is needed"},
	{id: "st-x.7.13", reason: Suspend, status: "x.7.13", src: "RFC 5248 X.7.13 user account disabled"},
	{id: "st-x.7.14", reason: SecurityError, status: "x.7.14", src: "RFC 5248 X.7.14 trust relationship required"},
	{id: "st-x.7.15", reason: PolicyViolation, status: "x.7.15", src: "RFC 6710 X.7.15 priority level is too low"},
	{id: "st-x.7.16", reason: EmailTooLarge, status: "x.7.16",
		src: "RFC 6710 X.7.16 message is too big for the specified priority"},
	{id: "st-x.7.17", reason: HasMoved, status: "x.7.17-18",
		src: "RFC 7293 X.7.17/18 mailbox or domain owner has changed"},
	{id: "st-x.7.20", reason: AuthFailure, status: "x.7.20-24",
		src: "RFC 7372 3.1/3.2 X.7.20-24 DKIM and SPF validation failed"},
	{id: "st-x.7.25", reason: RequirePTR, status: "x.7.25", src: "RFC 7372 3.3 X.7.25 reverse DNS validation failed"},
	{id: "st-x.7.26", reason: AuthFailure, status: "x.7.26",
		src: "RFC 7372 3.4 X.7.26 multiple authentication checks failed; Gmail 5.7.26 unauthenticated " +
			"sender"},
	{id: "st-x.7.27", reason: Rejected, status: "x.7.27", src: "RFC 7505 4.2 X.7.27 sender address has null MX"},
	{id: "st-x.7.28", reason: RateLimited, status: "x.7.28",
		src: "RFC 5248 registry X.7.28 mail flood detected; Gmail 4.7.28"},
	{id: "st-x.7.29", reason: AuthFailure, status: "x.7.29", src: "RFC 8617 X.7.29 ARC validation failure"},
	{id: "st-x.7.30", reason: FailedSTARTTLS, status: "x.7.30", src: "RFC 8689 X.7.30 REQUIRETLS support required"},

	// ---- Generic phrases: weaker than a status code. ----
	// A delay notice says the queue is still trying: a consequence; the code or a cause phrase says why.
	{id: "delay-warning", reason: Expired, transient: true, weak: true, phrases: p(
		"could not be delivered for",
		"will be retried for",
		"will keep trying",
		"still undelivered after",
		"this is a warning message only",
		"delivery has been delayed",
		"has been delayed",
	), src: "lhost-gmail-08, lhost-sendmail-29: a delay warning, not delivered in time yet"},
	// RFC 5321 4.2.2's own text for 550 ("Requested action not taken: mailbox unavailable") says a mailbox
	// refused, not why: a status code (X.2.1 disabled, X.7.1 policy) or a cause phrase decides first.
	{id: "mailbox-unavailable", reason: UserUnknown, weak: true, phrases: p(
		"mailbox unavailable",
		"mailbox is unavailable",
	), src: "RFC 5321 4.2.2 550 mailbox unavailable; Zoho, Mimecast and Cisco 550 mailbox unavailable"},
	{id: "access-denied", reason: SecurityError, weak: true, phrases: p(
		"access denied",
		"not authorized",
		"unauthorized",
		"permission denied",
		"not permitted",
	), src: "lhost-amazonses-01, lhost-gmail-05"},
	{id: "blocked-generic", reason: Blocked, weak: true, phrases: p(
		"blocked",
		"banned",
		"bloquee",
	), src: "lhost-postfix-38"},
	{id: "policy-generic", reason: PolicyViolation, phrases: p("policy"), weak: true, src: "rhost-yahooinc-01"},
	// Refused at the greeting or at HELO/EHLO with no cause stated above ("refused to talk to me", "421 Service not
	// available"): the sending host was refused, before any recipient was named (issue 10 item 2). Below the cause
	// phrases, so that a greeting that says why (a missing PTR, a rate, a blocklist) keeps its cause.
	{id: "greeting-refused", reason: Blocked, codes: "400-599", stages: stagesOf(dsn.StageConnect, dsn.StageHelo), weak: true,
		src: "RFC 5321 3.1, 4.1.1.1, 4.2.2 (421/554 greeting); Postfix smtp(8) 'refused to talk to me'; " +
			"lhost-postfix-50"},
	// X.7.0/X.7.1 are the registry's catch-alls for security and policy: a weak phrase names the cause better.
	{id: "st-x.7.x", reason: SecurityError, status: "5.7.0-1", weak: true,
		src: "RFC 3463 3.8 X.7.0/X.7.1 other security or policy status, delivery not authorized"},
	// A detail code the registry does not hold (Microsoft's 5.7.1NN/5.7.5NN, vendors' own) still says its subject,
	// RFC 3463 3.8 "security or policy status": read as the X.7.0 catch-all (issue 10 item 5).
	{id: "st-5.7.other", reason: SecurityError, status: "5.7.31-999", weak: true,
		src: "RFC 3463 2 (subject 7, detail undefined by the registry read as X.7.0) and 3.8"},
	// A transient X.7.0/X.7.1 with no cause stated is a policy deferral (throttling, greylisting): decide later.
	{id: "st-4.7.x", reason: OnHold, status: "4.7.0-1", weak: true,
		src: "RFC 3463 3.8 X.7.0/X.7.1 with class 4: a persistent transient policy refusal"},
	// Notices of mailing list software: the list refused the sender (any language).
	{id: "googlegroups-notice", reason: Rejected, mta: "googlegroups", weak: true,
		src: "lhost-googlegroups-02..14: Google Groups, the group may not exist or the sender may not " +
			"post"},
	{id: "fml-notice", reason: Rejected, mta: "fml", weak: true,
		src: "lhost-fml-02: fml, the sender is not a member of the list"},
	// Google Groups refuses posts from non-members, in the sender's language (lhost-googlegroups-06 is Greek).
	{id: "google-groups", reason: Rejected, rcptDomain: "googlegroups.com", weak: true,
		src: "lhost-googlegroups-02..14: the group may not exist or the sender may not post"},
	{id: "onhold", reason: OnHold, weak: true, phrases: p(
		"on hold",
		"try again later",
		"please try again",
	), src: "lhost-dragonfly-17, rfc3464-43"},

	// ---- Bare reply codes, RFC 5321 4.2.2 and RFC 7504. ----
	{id: "rc-521", reason: NotAccept, codes: "521", weak: true, src: "RFC 7504 3 521 host does not accept mail"},
	{id: "rc-556", reason: NotAccept, codes: "556", weak: true, src: "RFC 7504 3 556 domain does not accept mail"},
	{id: "rc-551", reason: HasMoved, codes: "551", weak: true, src: "RFC 5321 4.2.2 551 user not local"},
	{id: "rc-552", reason: MailboxFull, codes: "552", weak: true, src: "RFC 5321 4.2.2 552 exceeded storage allocation"},
	{id: "rc-452", reason: SystemFull, codes: "452", weak: true, src: "RFC 5321 4.2.2 452 insufficient system storage"},
	{id: "rc-553-mail", reason: Rejected, codes: "553", command: "MAIL", weak: true,
		src: "RFC 5321 4.2.2 553 mailbox name not allowed, answered to MAIL FROM: the sender's mailbox"},
	{id: "rc-553", reason: UserUnknown, codes: "553", notHard: true, weak: true,
		src: "RFC 5321 4.2.2 553 mailbox name not allowed"},
	{id: "rc-530", reason: SecurityError, codes: "530", weak: true, src: "RFC 4954 6 530 authentication required"},
	{id: "rc-534-538", reason: SecurityError, codes: "534-538", weak: true, src: "RFC 4954 6 534/535/538 authentication"},
	{id: "rc-500-504", reason: SyntaxError, codes: "500-504", weak: true, src: "RFC 5321 4.2.2 500-504 syntax errors"},
	{id: "rc-421", reason: SystemError, codes: "421", weak: true, src: "RFC 5321 4.2.2 421 service not available"},
	{id: "rc-451", reason: SystemError, codes: "451", weak: true, src: "RFC 5321 4.2.2 451 local error in processing"},
}

// stageSet is a set of dsn.Stage values, one bit each; the zero set means
// any stage.
type stageSet uint16

func stagesOf(list ...dsn.Stage) stageSet {
	var s stageSet
	for _, st := range list {
		s |= 1 << uint(st)
	}
	return s
}

func (s stageSet) has(st dsn.Stage) bool { return s&(1<<uint(st)) != 0 }

// mailboxStages are the stages at which a server speaks of a mailbox: RCPT
// TO, DATA and end of data, local delivery, and unknown (most bounces do
// not say). At the greeting, HELO and MAIL FROM no recipient has been
// named yet (RFC 5321 section 3.3), so a mailbox reason is implausible.
var mailboxStages = stagesOf(dsn.StageUnknown, dsn.StageRcpt, dsn.StageData, dsn.StageEndOfData, dsn.StageDelivery)

// statusPattern is a compiled rule.status: class 0 means 4 or 5; a subject
// or detail of -1 means any.
type statusPattern struct {
	set     bool
	class   int
	subject int
	lo, hi  int
}

func (sp statusPattern) match(class, subject, detail int) bool {
	if !sp.set {
		return true
	}
	if class != 4 && class != 5 {
		return false
	}
	if sp.class != 0 && sp.class != class {
		return false
	}
	if sp.subject >= 0 && sp.subject != subject {
		return false
	}
	if sp.lo >= 0 && (detail < sp.lo || detail > sp.hi) {
		return false
	}
	return true
}

func parseStatusPattern(s string) (statusPattern, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return statusPattern{}, fmt.Errorf("classify: bad status pattern %q", s)
	}
	sp := statusPattern{set: true}
	switch parts[0] {
	case "x":
	case "4", "5":
		sp.class = int(parts[0][0] - '0')
	default:
		return statusPattern{}, fmt.Errorf("classify: bad status class in %q", s)
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil {
		return statusPattern{}, fmt.Errorf("classify: bad status subject in %q", s)
	}
	sp.subject = n
	if parts[2] == "*" {
		sp.lo, sp.hi = -1, -1
		return sp, nil
	}
	lo, hi, err := parseRange(parts[2])
	if err != nil {
		return statusPattern{}, fmt.Errorf("classify: bad status detail in %q: %w", s, err)
	}
	sp.lo, sp.hi = lo, hi
	return sp, nil
}

func parseRange(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "-")
	lo, err := strconv.Atoi(a)
	if err != nil {
		return 0, 0, err
	}
	hi := lo
	if ok {
		if hi, err = strconv.Atoi(b); err != nil {
			return 0, 0, err
		}
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("empty range %q", s)
	}
	return lo, hi, nil
}

// compileRules checks and compiles the table, giving its phrases ids in
// pt; it runs once at init.
func compileRules(rs []rule, pt *phraseTable) error {
	seen := make(map[string]bool, len(rs))
	for i := range rs {
		r := &rs[i]
		if r.id == "" || seen[r.id] {
			return fmt.Errorf("classify: rule %d: missing or duplicate id %q", i, r.id)
		}
		seen[r.id] = true
		if r.reason == "" || r.src == "" {
			return fmt.Errorf("classify: rule %q: reason and src are required", r.id)
		}
		for _, ph := range r.phrases {
			if ph == "" || ph != strings.ToLower(ph) {
				return fmt.Errorf("classify: rule %q: phrase %q must be non-empty lower case", r.id, ph)
			}
		}
		r.hasText = len(r.phrases) > 0
		r.defSide, r.canBeHard = defaultSide(r.reason), isHardReason(r.reason)
		r.ids = make([]uint16, len(r.phrases))
		for k, ph := range r.phrases {
			id, err := pt.intern(ph)
			if err != nil {
				return err
			}
			r.ids[k] = id
		}
		if r.status != "" {
			sp, err := parseStatusPattern(r.status)
			if err != nil {
				return err
			}
			r.st = sp
		}
		if r.codes != "" {
			lo, hi, err := parseRange(r.codes)
			if err != nil {
				return fmt.Errorf("classify: rule %q: bad codes %q: %w", r.id, r.codes, err)
			}
			r.codeLo, r.codeHi = lo, hi
		}
		if !r.hasText && r.status == "" && r.codes == "" && r.dtype == "" && r.rcptDomain == "" && r.mta == "" && !r.rcptDomainMissing {
			return fmt.Errorf("classify: rule %q: needs phrases, status, codes, dtype, rcptDomain or mta", r.id)
		}
		r.source = buildRuleSource(r) // reads the compiled st and codeHi
	}
	return nil
}

func init() {
	var pt phraseTable
	if err := compileRules(rules, &pt); err != nil {
		panic(err)
	}
	// The words domainMissing looks for are found by the same scan, so
	// that a diagnostic with none of them is not searched for its domain.
	for _, w := range domainMissingWords {
		id, err := pt.intern(w)
		if err != nil {
			panic(err)
		}
		domainMissingIDs = append(domainMissingIDs, id)
	}
	// The matcher folds ASCII case, so that the report's text and most
	// diagnostics are scanned without a lower-cased copy (scanReportText,
	// scansAsIs). That needs ASCII phrases: a phrase with another letter
	// would miss its capital in the text.
	for _, ph := range pt.list {
		if !isASCII(ph) {
			panic(fmt.Sprintf("classify: phrase %q is not ASCII (texts are scanned with their other runes as they are)", ph))
		}
	}
	m, err := phrase.CompileFold(pt.list)
	if err != nil {
		panic(err)
	}
	phraseList, phrases = pt.list, m
	x, err := buildIndex(rules, len(pt.list))
	if err != nil {
		panic(err)
	}
	index = x
}

// hostKind says what a host name tells about its role.
type hostKind int

const (
	hostOther    hostKind = iota
	hostInbound           // an MX that receives mail for hosted domains
	hostOutbound          // a submission or smarthost relay that sends for its users
)

// hostRule is one row of the host table: a host whose name has the prefix
// (if set) and the suffix (if set) has the kind. First match wins, so
// outbound names of a provider come before its catch-all inbound suffix.
type hostRule struct {
	prefix, suffix string
	kind           hostKind
	strong         bool // a provider's published name, not a naming habit
	src            string
}

// hostRules names the receiving MX hosts and sending relays of the large
// providers, then the naming habits of everyone else.
var hostRules = []hostRule{
	{prefix: "smtp.gmail.com", kind: hostOutbound, strong: true, src: "Google submission"},
	{prefix: "smtp-relay.gmail.com", kind: hostOutbound, strong: true, src: "Google Workspace SMTP relay"},
	{prefix: "smtp.googlemail.com", kind: hostOutbound, strong: true, src: "Google submission"},
	{suffix: ".google.com", kind: hostInbound, strong: true, src: "gmail-smtp-in.l.google.com, aspmx.l.google.com"},
	{suffix: ".googlemail.com", kind: hostInbound, strong: true, src: "Google MX"},
	{prefix: "smtp.office365.com", kind: hostOutbound, strong: true, src: "Microsoft 365 submission"},
	{prefix: "smtp-mail.outlook.com", kind: hostOutbound, strong: true, src: "Outlook.com submission"},
	{suffix: ".protection.outlook.com", kind: hostInbound, strong: true, src: "Exchange Online Protection MX"},
	{prefix: "smtp.mail.yahoo.com", kind: hostOutbound, strong: true, src: "Yahoo submission"},
	{suffix: ".yahoodns.net", kind: hostInbound, strong: true, src: "Yahoo/AOL MX"},
	{prefix: "smtp.mail.ru", kind: hostOutbound, strong: true, src: "Mail.ru submission"},
	{prefix: "mx", suffix: ".mail.ru", kind: hostInbound, strong: true, src: "mxs.mail.ru, mx*.mail.ru"},
	{prefix: "smtp.mail.me.com", kind: hostOutbound, strong: true, src: "iCloud submission"},
	{suffix: ".mail.icloud.com", kind: hostInbound, strong: true, src: "iCloud MX"},
	{prefix: "mx", suffix: ".me.com.akadns.net", kind: hostInbound, strong: true, src: "lhost-exim-59 iCloud MX"},
	{prefix: "mx", suffix: ".yandex.net", kind: hostInbound, strong: true, src: "Yandex MX"},
	{prefix: "mx", suffix: ".yandex.ru", kind: hostInbound, strong: true, src: "Yandex MX"},
	{prefix: "mx", suffix: ".qq.com", kind: hostInbound, strong: true, src: "Tencent MX"},
	{prefix: "smtp.zoho.", kind: hostOutbound, strong: true, src: "Zoho submission"},
	{prefix: "smtpin.zoho.", kind: hostInbound, strong: true, src: "Zoho MX"},
	{prefix: "mx", suffix: ".zoho.com", kind: hostInbound, strong: true, src: "Zoho MX"},
	{suffix: ".pphosted.com", kind: hostInbound, strong: true, src: "Proofpoint MX"},
	{suffix: ".mimecast.com", kind: hostInbound, strong: true, src: "Mimecast inbound"},
	{suffix: ".messagelabs.com", kind: hostInbound, strong: true, src: "Symantec MessageLabs"},
	{suffix: ".mx.cloudflare.net", kind: hostInbound, strong: true, src: "Cloudflare Email Routing"},
	{suffix: ".cloudfilter.net", kind: hostInbound, strong: true, src: "rhost-cox-01 Cox MX"},
	{suffix: ".barracudanetworks.com", kind: hostInbound, strong: true, src: "Barracuda Email Security"},
	{prefix: "secure.emailsrvr.com", kind: hostOutbound, strong: true, src: "Rackspace submission"},
	{prefix: "mx", suffix: ".emailsrvr.com", kind: hostInbound, strong: true, src: "Rackspace MX"},
	{prefix: "email-smtp.", suffix: ".amazonaws.com", kind: hostOutbound, strong: true, src: "lhost-postfix-77 Amazon SES"},
	{prefix: "inbound-smtp.", suffix: ".amazonaws.com", kind: hostInbound, strong: true, src: "lhost-sendmail-36 Amazon SES receiving"},
	{prefix: "smtp.sendgrid.net", kind: hostOutbound, strong: true, src: "SendGrid"},
	{prefix: "smtp.mailgun.org", kind: hostOutbound, strong: true, src: "Mailgun"},
	{prefix: "smtp.sparkpostmail.com", kind: hostOutbound, strong: true, src: "SparkPost"},
	{prefix: "smtp.postmarkapp.com", kind: hostOutbound, strong: true, src: "Postmark"},
	{prefix: "smtp.secureserver.net", kind: hostOutbound, strong: true, src: "GoDaddy relay"},
	{prefix: "smtpout.secureserver.net", kind: hostOutbound, strong: true, src: "GoDaddy relay"},
	{prefix: "smtp-in.orange.fr", kind: hostInbound, strong: true, src: "rhost-franceptt-06 Orange MX"},
	{prefix: "mx", suffix: ".gmx.net", kind: hostInbound, strong: true, src: "GMX MX"},
	// Naming habits: weak signals.
	{prefix: "mx", kind: hostInbound, src: "MX naming habit"},
	{prefix: "mail-in", kind: hostInbound, src: "MX naming habit"},
	{prefix: "mailin", kind: hostInbound, src: "MX naming habit"},
	{prefix: "inbound", kind: hostInbound, src: "MX naming habit"},
	{prefix: "smtp-in", kind: hostInbound, src: "MX naming habit"},
	{prefix: "smtpin", kind: hostInbound, src: "MX naming habit"},
	{prefix: "mfsmax.", kind: hostInbound, src: "NTT docomo MX"},
	{prefix: "relay", kind: hostOutbound, src: "relay naming habit"},
	{prefix: "smarthost", kind: hostOutbound, src: "relay naming habit"},
	{prefix: "outbound", kind: hostOutbound, src: "relay naming habit"},
	{prefix: "smtpout", kind: hostOutbound, src: "relay naming habit"},
	{prefix: "smtp-out", kind: hostOutbound, src: "relay naming habit"},
	{prefix: "mailout", kind: hostOutbound, src: "relay naming habit"},
	{prefix: "mail-out", kind: hostOutbound, src: "relay naming habit"},
	{prefix: "submission", kind: hostOutbound, src: "relay naming habit"},
	{prefix: "authsmtp", kind: hostOutbound, src: "relay naming habit"},
	{prefix: "smtp.", kind: hostOutbound, src: "submission naming habit"},
	{prefix: "smtpauth", kind: hostOutbound, src: "submission naming habit"},
}

// classifyHost returns the first host row matching the lower-case name.
func classifyHost(host string) (hostRule, bool) {
	for _, h := range hostRules {
		if h.prefix != "" && !strings.HasPrefix(host, h.prefix) {
			continue
		}
		if h.suffix != "" && !strings.HasSuffix(host, h.suffix) {
			continue
		}
		return h, true
	}
	return hostRule{}, false
}

// relaySenderPhrases and relayRecipientPhrases are texts that, next to a
// relay denial, point at one side (DESIGN.md "Relaying denied").
var relaySenderPhrases = []string{
	"authentication required", "authentication is required", "must authenticate", "without authentication",
	"turn on smtp authentication", "smtp auth", "not authenticated", "authenticate first", "pop before smtp",
	"pop-before-smtp", "use port 587", "submission port", "relay_from_hosts", "mynetworks",
	"sender verify failed", "blocked using", "ip name lookup failed", "proper authentication",
	"email address is not verified", "identities failed the check",
}

var relayRecipientPhrases = []string{
	"in my list of allowed rcpthosts", "not a local domain", "non-accepted domain", "not hosted here",
	"domain isn't in my list", "no such domain here", "not a valid domain for this server",
	"does not serve this domain", "relay recipient table",
}
