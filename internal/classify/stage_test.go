package classify

import (
	"testing"

	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/smtpcode"
)

// TestEximGenericStatus: Exim writes "Status: 5.0.0" (or 4.0.0) whatever
// the remote said; the verdict's status is the remote's enhanced code from
// the diagnostic (issue 10).
func TestEximGenericStatus(t *testing.T) {
	for _, c := range []struct{ field, diag, want string }{
		{"5.0.0", "552 5.2.2 <quota.user@isp.example>: mailbox is full: quota exceeded", "5.2.2"},
		{"4.0.0", "451 4.7.1 Greylisted, try again later", "4.7.1"},
		{"5.0.0", "550 Unrouteable address", "5.0.0"}, // no enhanced code in the reply: the field stays
	} {
		rc := &dsn.Recipient{Recipient: "user@isp.example", Action: dsn.ActionFailed, Status: smtpcode.MustStatus(c.field),
			DiagnosticType: "smtp", Diagnostic: c.diag}
		dsn.CompleteFacts(rc)
		rep := &dsn.Report{Kind: dsn.KindBounce, DecodedBy: "exim", Recipients: []dsn.Recipient{*rc}}
		if v := Classify(rep, rc, nil); v.Status.String() != c.want {
			t.Errorf("Classify(Status %s, %q).Status = %s, want %s", c.field, c.diag, v.Status, c.want)
		}
	}
}

// TestStage checks the stage conditions (issue 10 item 2): before RCPT TO
// a refusal is about the sending host; mailbox reasons need a mailbox
// stage; "user unknown" stays userunknown at every stage (item 7).
func TestStage(t *testing.T) {
	cases := []struct {
		name   string
		stage  dsn.Stage
		reply  int
		status string
		diag   string
		reason Reason
		side   Side
		hard   bool
	}{
		// Exim "after initial connection": "not allowed" would read as an AUTH problem at RCPT.
		{"greeting, access words", dsn.StageConnect, 554, "5.7.1", "554 5.7.1 mail.town.example: Your IP 203.0.113.25 is not allowed to connect", Blocked, SideSender, false},
		// qmail-remote "Connected to ... but greeting failed": no cause given.
		{"greeting, no cause", dsn.StageConnect, 554, "", "554 mx.closed.example ESMTP not accepting messages from 203.0.113.25", Blocked, SideSender, false},
		// Cisco's reject at the greeting names the cause: kept.
		{"greeting, reputation", dsn.StageConnect, 554, "", "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation.", BadReputation, SideSender, false},
		// A mailbox-full reason at HELO is implausible: the sending host was refused.
		{"helo, mailbox words", dsn.StageHelo, 552, "5.2.2", "552 5.2.2 mailbox full", Blocked, SideSender, false},
		// The same words at RCPT TO are the mailbox.
		{"rcpt, mailbox words", dsn.StageRcpt, 552, "5.2.2", "552 5.2.2 mailbox full", MailboxFull, SideRecipient, false},
		// "User unknown" after DATA: userunknown, hard (the documented policy).
		{"end of data, user unknown", dsn.StageEndOfData, 554, "", "554 delivery error: dd This user doesn't have a yahoo.com account (gone.user@yahoo.com) [0]", UserUnknown, SideRecipient, true},
		// A 450 4.1.1 is soft at any stage.
		{"rcpt, 450 4.1.1", dsn.StageRcpt, 450, "4.1.1", "450 4.1.1 <u@example.org>: Recipient address rejected: User unknown in virtual mailbox table", UserUnknown, SideRecipient, false},
	}
	for _, c := range cases {
		rc := &dsn.Recipient{Recipient: "u@example.org", Action: dsn.ActionFailed, ReplyCode: smtpcode.ReplyCode(c.reply),
			Stage: c.stage, DiagnosticType: "smtp", Diagnostic: c.diag}
		if c.status != "" {
			rc.Status = smtpcode.MustStatus(c.status)
		}
		if c.reply/100 == 4 {
			rc.Action = dsn.ActionDelayed
		}
		dsn.CompleteFacts(rc)
		rep := &dsn.Report{Kind: dsn.KindBounce, DecodedBy: "rfc3464", Recipients: []dsn.Recipient{*rc}}
		v := Classify(rep, rc, nil)
		if v.Reason != c.reason || v.Side != c.side || v.Hard != c.hard {
			t.Errorf("%s: Classify(%q at %s) = %s %s hard=%v, want %s %s hard=%v (evidence %+v)",
				c.name, c.diag, c.stage, v.Reason, v.Side, v.Hard, c.reason, c.side, c.hard, v.Evidence)
		}
	}
}

// TestWeakRecipientNeverHard: an address the bounce does not name (taken
// from the returned message) is never a hard bounce (issue 10 item 1).
func TestWeakRecipientNeverHard(t *testing.T) {
	for _, weak := range []bool{false, true} {
		rc := &dsn.Recipient{Recipient: "u@example.org", Action: dsn.ActionFailed, ReplyCode: 550, Stage: dsn.StageRcpt,
			Status: smtpcode.MustStatus("5.1.1"), DiagnosticType: "smtp", Diagnostic: "550 5.1.1 User unknown", Weak: weak}
		rep := &dsn.Report{Kind: dsn.KindBounce, DecodedBy: "generic-original", Recipients: []dsn.Recipient{*rc}}
		v := Classify(rep, rc, nil)
		if v.Reason != UserUnknown || v.Hard == weak {
			t.Errorf("Classify(weak=%v) = %s hard=%v, want userunknown hard=%v", weak, v.Reason, v.Hard, !weak)
		}
	}
}
