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
// The reason table is data: rules.go holds one ordered slice where the first
// matching row wins, each row citing a sample of testdata/bounces/maildir or
// the RFC behind it. Sources:
//   - RFC 3463 and the RFC 5248 registry: enhanced status codes (X.1.1
//     unknown mailbox, X.2.2 mailbox full, X.7.1 delivery not authorized ...);
//   - RFC 5321 section 4.2 and RFC 7504: reply codes (521, 556);
//   - RFC 7372: X.7.20-X.7.26 for DKIM, SPF and reverse DNS failures;
//   - RFC 7505: null MX, X.1.10 and X.7.27;
//   - RFC 4954: SMTP AUTH codes X.7.8, X.7.9, X.7.11, X.7.12, 530, 535, 538;
//   - RFC 3834: automatic replies, reason vacation;
//   - RFC 5965: feedback reports, reason feedback;
//   - published error codes of Google, Microsoft, Yahoo, Orange and Cox.
//
// Hard bounces are only unknown users, unknown hosts or null MX, moved and
// disabled mailboxes, with a permanent code: a blocklist, policy, content,
// rate-limit or relay refusal says nothing about the recipient's address.
//
// Deviations: the reason names follow the most used open-source classifier,
// but its labels are one opinion; where they call a refusal of the sender's
// IP a hard bounce, or a disabled mailbox soft, this package follows the
// rule above. A relay denial is put on the sender's or the recipient's side
// only when the evidence says which (DESIGN.md "Relaying denied"); otherwise
// the side is SideUnknown.
//
// Classify does no I/O and keeps no state; the tables are built once at
// init and only read afterwards, so it is safe for concurrent use.
package classify
