package smtpcode

import (
	"strconv"
	"strings"
	"testing"
)

// TestRegistryTable checks the shape of the registry table: ordered by
// subject and detail with no duplicates, every row filled in, every subject
// registered, and nothing but the comments' own words (no RFC text pasted).
func TestRegistryTable(t *testing.T) {
	if len(registry) != 81 {
		// RFC 3463 (49) + 3886 (1) + 4468 (1) + 4954 (5) + 5248 (3) + 6531 (4)
		// + 6710 (3) + 7293 (3) + 7372 (7) + 7505 (2) + mailbomb draft, 8617, 8689 (3).
		t.Errorf("len(registry) = %d, want 81", len(registry))
	}
	for i, e := range registry {
		code := "X." + strconv.Itoa(e.Subject) + "." + strconv.Itoa(e.Detail)
		if i > 0 {
			p := registry[i-1]
			if p.Subject > e.Subject || (p.Subject == e.Subject && p.Detail >= e.Detail) {
				t.Errorf("registry[%d] %s comes after X.%d.%d, want ascending and unique", i, code, p.Subject, p.Detail)
			}
		}
		if e.Subject < 0 || e.Subject > maxSubject {
			t.Errorf("registry[%d] %s: subject not registered", i, code)
		}
		if e.Detail < 0 || e.Detail > 999 {
			t.Errorf("registry[%d] %s: detail out of range", i, code)
		}
		if e.Classes == 0 || e.Classes&^c245 != 0 {
			t.Errorf("registry[%d] %s: Classes = %b, want a non-empty subset of 2, 4, 5", i, code, e.Classes)
		}
		if e.Title == "" || e.Meaning == "" || e.Ref == "" {
			t.Errorf("registry[%d] %s: empty Title, Meaning or Ref: %+v", i, code, e)
		}
		if !strings.HasSuffix(e.Meaning, ".") || strings.HasSuffix(e.Title, ".") {
			t.Errorf("registry[%d] %s: Meaning should be a sentence and Title not: %+v", i, code, e)
		}
		if e.Detail == 0 && !e.Classes.Has(2) {
			// RFC 3463 section 3: X.N.0 "other or undefined" fits any class.
			t.Errorf("registry[%d] %s: an X.N.0 code should allow every class", i, code)
		}
	}
	for i, s := range subjects {
		if s.num != i || s.name == "" || s.meaning == "" {
			t.Errorf("subjects[%d] = %+v, want num %d and a name and meaning", i, s, i)
		}
	}
	// Every registered subject has its X.N.0 row.
	for n := 0; n <= maxSubject; n++ {
		if _, ok := Lookup(Status{5, n, 0}); !ok {
			t.Errorf("Lookup(5.%d.0) not found, want the subject's X.N.0 row", n)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		s       Status
		ok      bool
		title   string
		ref     string
		inClass bool // e.Classes.Has(s.Class)
	}{
		// RFC 3463 section 3.1.
		{Status{5, 0, 0}, true, "Undefined status", "RFC 3463 section 3.1", true},
		{Status{2, 0, 0}, true, "Undefined status", "RFC 3463 section 3.1", true},
		// RFC 3463 section 3.2.
		{Status{5, 1, 1}, true, "Recipient mailbox does not exist", "RFC 3463 section 3.2", true},
		// RFC 3463 section 3.2 via the registry's associated 451: 4.1.1 is in class.
		{Status{4, 1, 1}, true, "Recipient mailbox does not exist", "RFC 3463 section 3.2", true},
		// RFC 3463 section 3.2: 2.1.5 is for success only.
		{Status{2, 1, 5}, true, "Recipient address is valid", "RFC 3463 section 3.2", true},
		{Status{5, 1, 5}, true, "Recipient address is valid", "RFC 3463 section 3.2", false},
		// RFC 7505 section 6: null MX, recipient and sender.
		{Status{5, 1, 10}, true, "Recipient domain has a null MX", "RFC 7505 section 6", true},
		{Status{5, 7, 27}, true, "Sender domain has a null MX", "RFC 7505 section 6", true},
		// RFC 3463 section 3.3: mailbox full in both classes.
		{Status{4, 2, 2}, true, "Mailbox full", "RFC 3463 section 3.3", true},
		{Status{5, 2, 2}, true, "Mailbox full", "RFC 3463 section 3.3", true},
		// RFC 3463 section 3.5: routing loop is transient only, Postfix sends 5.4.6.
		{Status{5, 4, 6}, true, "Routing loop detected", "RFC 3463 section 3.5", false},
		// RFC 4954 section 6.
		{Status{5, 5, 6}, true, "Authentication line too long", "RFC 4954 section 6", true},
		{Status{5, 7, 8}, true, "Authentication credentials invalid", "RFC 4954 section 6", true},
		{Status{4, 7, 12}, true, "Password transition needed", "RFC 4954 section 6", true},
		// RFC 3463 section 3.8.
		{Status{5, 7, 1}, true, "Delivery not authorized", "RFC 3463 section 3.8", true},
		// RFC 5248.
		{Status{5, 7, 13}, true, "User account disabled", "RFC 5248", true},
		// RFC 6531: X.6.10 is a deprecated duplicate but still registered.
		{Status{5, 6, 10}, true, "UTF-8 reply needed (deprecated duplicate of X.6.8)", "RFC 6531", true},
		// RFC 7372 section 3.
		{Status{5, 7, 26}, true, "Several authentication checks failed", "RFC 7372 section 3", true},
		{Status{4, 7, 24}, true, "SPF check error", "RFC 7372 section 3", true},
		// Mailbomb draft: Free and Orange send 4.7.28.
		{Status{4, 7, 28}, true, "Mail flood detected", "draft-levine-mailbomb-header", true},
		// RFC 8689.
		{Status{5, 7, 30}, true, "REQUIRETLS not available on the way", "RFC 8689", true},
		// Unregistered details.
		{Status{5, 1, 11}, false, "", "", false},
		{Status{5, 7, 31}, false, "", "", false},
		{Status{5, 7, 606}, false, "", "", false},
		// Unregistered subject.
		{Status{5, 8, 0}, false, "", "", false},
		// Zero and invalid classes are not looked up.
		{Status{}, false, "", "", false},
		{Status{3, 1, 1}, false, "", "", false},
		{Status{5, 1000, 1}, false, "", "", false},
	}
	for _, tt := range tests {
		e, ok := Lookup(tt.s)
		if ok != tt.ok || e.Title != tt.title || e.Ref != tt.ref {
			t.Errorf("Lookup(%v) = %q, %q, %v, want %q, %q, %v", tt.s, e.Title, e.Ref, ok, tt.title, tt.ref, tt.ok)
		}
		if ok && (e.Subject != tt.s.Subject || e.Detail != tt.s.Detail) {
			t.Errorf("Lookup(%v) = X.%d.%d, want X.%d.%d", tt.s, e.Subject, e.Detail, tt.s.Subject, tt.s.Detail)
		}
		if got := e.Classes.Has(tt.s.Class); got != tt.inClass {
			t.Errorf("Lookup(%v).Classes.Has(%d) = %v, want %v", tt.s, tt.s.Class, got, tt.inClass)
		}
	}
}

func TestClassesHas(t *testing.T) {
	tests := []struct {
		c     Classes
		class int
		want  bool
	}{
		// RFC 3463 section 3.2 X.1.5: success only.
		{c2, 2, true}, {c2, 4, false}, {c2, 5, false},
		// RFC 3463 section 3.4 X.3.1: transient only.
		{c4, 2, false}, {c4, 4, true}, {c4, 5, false},
		// RFC 3463 section 3.2 X.1.2: permanent only.
		{c5, 2, false}, {c5, 4, false}, {c5, 5, true},
		// Not classes.
		{c245, 0, false}, {c245, 3, false}, {c245, 1, false},
	}
	for _, tt := range tests {
		if got := tt.c.Has(tt.class); got != tt.want {
			t.Errorf("Classes(%03b).Has(%d) = %v, want %v", tt.c, tt.class, got, tt.want)
		}
	}
}

func TestEntries(t *testing.T) {
	got := Entries()
	if len(got) != len(registry) || got[0] != registry[0] {
		t.Fatalf("Entries() = %d rows starting %+v, want the %d registry rows", len(got), got[0], len(registry))
	}
	got[0].Title = "changed"
	if registry[0].Title == "changed" {
		t.Errorf("Entries() returned the table itself, want a copy")
	}
}

func TestSubjectName(t *testing.T) {
	tests := []struct {
		subject int
		want    string
	}{
		// RFC 3463 section 2, the subject sub-codes.
		{0, "Other or undefined"},
		{1, "Addressing"},
		{2, "Mailbox"},
		{3, "Mail system"},
		{4, "Network and routing"},
		{5, "Mail delivery protocol"},
		{6, "Message content or media"},
		{7, "Security or policy"},
		// Not registered.
		{8, ""},
		{999, ""},
		{-1, ""},
	}
	for _, tt := range tests {
		if got := SubjectName(tt.subject); got != tt.want {
			t.Errorf("SubjectName(%d) = %q, want %q", tt.subject, got, tt.want)
		}
	}
}

func TestStatusDescribe(t *testing.T) {
	tests := []struct {
		s    Status
		want string
	}{
		// RFC 3463 section 3.2, in all three classes.
		{Status{5, 1, 1}, "Recipient mailbox does not exist (permanent failure)"},
		{Status{4, 1, 1}, "Recipient mailbox does not exist (transient failure)"},
		{Status{2, 1, 5}, "Recipient address is valid (success)"},
		// RFC 3463 section 3.3.
		{Status{4, 2, 2}, "Mailbox full (transient failure)"},
		// RFC 7505 section 6.
		{Status{5, 1, 10}, "Recipient domain has a null MX (permanent failure)"},
		// RFC 3463 section 3.1.
		{Status{5, 0, 0}, "Undefined status (permanent failure)"},
		// Unregistered details fall back to the subject (RFC 3463 section 2).
		{Status{5, 1, 42}, "Problem with the sender's or the recipient's address, detail 42 unregistered (permanent failure)"},
		{Status{5, 7, 606}, "Refused for security or policy reasons, detail 606 unregistered (permanent failure)"},
		{Status{4, 4, 99}, "Network or routing problem, detail 99 unregistered (transient failure)"},
		{Status{2, 0, 1}, "Undefined problem, detail 1 unregistered (success)"},
		// Unregistered subject: the class alone.
		{Status{5, 9, 1}, "Unregistered status (permanent failure)"},
		// Zero and invalid give "".
		{Status{}, ""},
		{Status{3, 1, 1}, ""},
		{Status{5, -1, 1}, ""},
	}
	for _, tt := range tests {
		if got := tt.s.Describe(); got != tt.want {
			t.Errorf("%v.Describe() = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestRepliesTable(t *testing.T) {
	for i, r := range replies {
		if _, err := ParseReplyCode(r.code.String()); err != nil {
			t.Errorf("replies[%d] = %d: %v", i, r.code, err)
		}
		if i > 0 && replies[i-1].code >= r.code {
			t.Errorf("replies[%d] = %d comes after %d, want ascending and unique", i, r.code, replies[i-1].code)
		}
		if r.title == "" || r.ref == "" {
			t.Errorf("replies[%d] = %+v, want a title and a ref", i, r)
		}
	}
	// RFC 5321 section 4.2.3 and RFC 7504: the codes the issue names.
	for _, c := range []ReplyCode{211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452, 455,
		500, 501, 502, 503, 504, 521, 550, 551, 552, 553, 554, 555, 556} {
		if strings.HasPrefix(c.Describe(), "Unlisted") {
			t.Errorf("ReplyCode(%d) missing from the reply table", c)
		}
	}
}

func TestReplyCodeDescribe(t *testing.T) {
	tests := []struct {
		c    ReplyCode
		want string
	}{
		// RFC 5321 section 4.2.3.
		{250, "Requested action completed (success)"},
		{354, "Start sending the message data (intermediate)"},
		{421, "Service not available, closing the connection (transient failure)"},
		{450, "Mailbox unavailable for now (transient failure)"},
		{550, "Mailbox unavailable or refused by policy (permanent failure)"},
		{554, "Transaction failed (permanent failure)"},
		// RFC 7504.
		{521, "Host does not accept mail (permanent failure)"},
		{556, "Domain does not accept mail (permanent failure)"},
		// RFC 4954 section 6.
		{535, "Authentication credentials invalid (permanent failure)"},
		// Well-formed but not in the table: the class alone.
		{559, "Unlisted reply (permanent failure)"},
		{200, "Unlisted reply (success)"},
		{459, "Unlisted reply (transient failure)"},
		// Zero and malformed codes give "".
		{0, ""},
		{199, ""},
		{560, ""},
		{469, ""},
		{499, ""},
		{600, ""},
	}
	for _, tt := range tests {
		if got := tt.c.Describe(); got != tt.want {
			t.Errorf("ReplyCode(%d).Describe() = %q, want %q", int(tt.c), got, tt.want)
		}
	}
}
