// Package classify holds bounced's policy: it reads the facts that package
// dsn found in a bounce (status and reply codes, the SMTP command, the
// diagnostic text, the recogniser that read it, the action) together with
// what is remembered of the remote domain, and says why the message failed
// (a Reason from the vocabulary in testdata/bounces/REASONS.md), whose side
// must act (Side), whether retrying the address is pointless (hard bounce),
// how sure it is, and which signals decided (Evidence).
//
// It reads no fact out of text itself: the status and reply codes, the
// command and stage, the rejecting host and its registered domain come
// from package dsn, read once there. The one policy that picks between the
// report's Status field and the remote server's own code is decisiveStatus;
// its choice is reported as Verdict.Status. Each piece of Evidence names
// its Signal, a stable RuleID (a row id of rules.go, or "relay.<check>")
// and the Source behind it (an RFC or vendor document, never a file name).
//
// The reason vocabulary is one table, Reasons (reasons.go): each reason's
// default side, whether it can be a hard bounce, and its meaning; explain,
// server and domaincache read it instead of retyping it. AssessDomain
// (domain.go) judges a domain's remembered history: dominant reason and
// side, and whether it looks dead or misconfigured; explain.Domain says it
// in words.
//
// ClassifyWith also takes the rejecting host's history and DNS evidence
// (Input, dns.go), looked up by the caller: whether the host that refused
// to relay is one of the recipient domain's MX hosts (RFC 5321 5.1) decides
// a relay denial's side outright; a domain that does not exist or
// publishes a null MX (RFC 7505) is hostunknown; a listing of the sending
// IP on a DNS blocklist (RFC 5782) is named; one host refusing to relay for
// two unrelated domains in one bounce, or for many domains of one sender
// over time, is the sender's relay. CompareDNS (dnsagree.go) says whether
// DNS agrees with a domain's remembered history.
//
// The reason table is data: rules.go holds one ordered slice where the first
// matching row wins, each row citing the public document behind it (an RFC,
// an MTA's manual, a provider's published error codes) and the samples of
// testdata/bounces/maildir or testdata/samples it was checked against.
// Sources:
//   - RFC 3463 and the RFC 5248 registry: enhanced status codes (X.1.1
//     unknown mailbox, X.2.2 mailbox full, X.7.1 delivery not authorized ...);
//   - RFC 5321 section 4.2 and RFC 7504: reply codes (521, 556);
//   - RFC 7372: X.7.20-X.7.26 for DKIM, SPF and reverse DNS failures;
//   - RFC 7505: null MX, X.1.10 and X.7.27;
//   - RFC 4954: SMTP AUTH codes X.7.8, X.7.9, X.7.11, X.7.12, 530, 535, 538;
//   - RFC 3834: automatic replies, reason vacation;
//   - RFC 5965: feedback reports, reason feedback;
//   - the manuals of Postfix, Exim, Sendmail, qmail, amavisd-new and Rspamd;
//   - the published error codes of Microsoft (Exchange Online NDR
//     reference, Outlook.com), Google, Yahoo/AOL, Apple iCloud, Mimecast,
//     Proofpoint, Cisco, Barracuda, Orange/La Poste and Cox.
//
// The table is in tiers (issue 10), so that a cause outranks the words
// that only state a consequence:
//  1. provider codes: a vendor's documented status code or tag
//     (Microsoft 5.7.606-649, 5.7.7xx, 5.7.750; Yahoo [TSS04]; Outlook.com
//     S3150, RP-001; Mimecast, Barracuda, amavisd-new wordings);
//  2. causes on the sender's side: SPF, DKIM and DMARC, relaying, reverse
//     DNS, the envelope sender's address or domain, reputation, HELO names,
//     sending quotas, blocklists, AUTH and TLS requirements. They come before
//     the mailbox phrases because such a reply often quotes a mailbox
//     ("Sender verify failed ... User unknown");
//  3. causes on the recipient's side: unknown user, unknown or mail-less
//     domain, moved, suspended or disabled, full mailbox;
//  4. content: size, viruses, spam, RFC 5322 form, encoding, policy;
//  5. rates, receiving systems, queue expiry, timeouts and the network;
//  6. the registered meaning of the enhanced status code (the fallback:
//     every failure code of the registry internal/smtpcode holds has a
//     code-only row, or is listed as naming no cause);
//  7. consequence boilerplate as weak rows ("mailbox unavailable",
//     "blocked", "access denied", "policy"), then a refusal at the greeting
//     or HELO with no cause stated (blocked), then the catch-alls
//     X.7.0/X.7.1 and the vendors' unregistered X.7.NNN details read as
//     X.7.0, then bare reply codes; anything left is undefined (onhold for
//     a transient failure).
//
// A cause stated in the report's own text also outranks a consequence in
// the diagnostic in one case: a network failure with no server reply in a
// report that says the queue gave up is expired, as the two read inside
// one diagnostic (the expired row comes before the network row).
//
// A row that can decide before the weak rows carries a condition beyond
// its phrases (status, reply code, stage, command, host, format) or cites
// a public source (TestRowsCiteOrCondition): a phrase seen in one sample
// does not become a global rule. A specific status code breaks ties; it
// does not override a cause phrase (the phrase rows come first, and the
// code is shown in the evidence as agreeing or overruled).
//
// The SMTP stage (dsn.Recipient.Stage) is a condition rows can use: the
// mailbox reasons (unknown host, moved, disabled, full) need a stage where a
// mailbox is in question (RCPT TO, DATA, end of data, delivery, or
// unknown). A refusal at the greeting or at HELO/EHLO is about the sending
// host (RFC 5321 section 3.3: no recipient has been named yet): a reason
// that cannot be given there becomes blocked, side SENDER, and a permanent
// refusal there with no stated cause is blocked too. A queue's give-up
// words (expired, timeout) do not decide beside a server's permanent
// reply, which says why it gave up.
//
// Hard bounces (hardBounce, the project's policy in REASONS.md): a mailbox
// or domain reason (userunknown, hostunknown, notaccept, hasmoved, suspend)
// on the recipient's side, with a permanent code (class 5; a "450 4.1.1"
// unknown user is soft), not refused at the greeting, HELO or MAIL FROM,
// for an address the bounce itself names (an address taken from the
// returned message, dsn.Recipient.Weak, never is). A blocklist, policy,
// content, rate-limit or relay refusal says nothing about the recipient's
// address and is never hard. "User unknown" is userunknown (hard) at
// every stage, also after DATA where the labels of the corpus say
// filtered: a documented policy difference.
//
// Deviations: the reason names follow the most used open-source classifier,
// but its labels are one opinion; where they call a refusal of the sender's
// IP a hard bounce, or a disabled mailbox soft, this package follows the
// rule above. A relay denial is put on the sender's or the recipient's side
// only when the evidence says which (DESIGN.md "Relaying denied"); otherwise
// the side is SideUnknown.
//
// Classify does no I/O; the tables (the rule index, the phrase matchers of
// the rows and of the relay, blocklist and temporary word lists) are built
// once at init and only read afterwards, and the only state it writes are
// caches of answers that never change (see Classify), so it is safe for
// concurrent use.
package classify
