package smtpcode_test

import (
	"fmt"

	"github.com/bounced/bounced/internal/smtpcode"
)

func ExampleParseStatus() {
	st, err := smtpcode.ParseStatus("4.2.2")
	if err != nil {
		panic(err)
	}
	fmt.Println(st, st.Temporary(), st.Permanent())

	_, err = smtpcode.ParseStatus("5.01.1")
	fmt.Println(err)
	// Output:
	// 4.2.2 true false
	// smtpcode: malformed enhanced status code: "5.01.1"
}

func ExampleFind() {
	diag := "host mx.example.com[192.0.2.1] said: 554 5.7.1 <a@b>: Relay access denied (in reply to RCPT TO command)"
	st, start, end, ok := smtpcode.Find(diag)
	fmt.Println(st, diag[start:end], ok)

	st, _, _, _ = smtpcode.Find("550-5.1.1 The email account that you tried to reach does not exist.")
	fmt.Println(st)

	_, _, _, ok = smtpcode.Find("connect to 10.5.1.1: Connection timed out (Postfix 3.5.1.1)")
	fmt.Println(ok)
	// Output:
	// 5.7.1 5.7.1 true
	// 5.1.1
	// false
}

func ExampleFindReply() {
	c, at, ok := smtpcode.FindReply("#5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found")
	fmt.Println(c, at, ok, c.Permanent())
	// Output:
	// 550 12 true true
}

func ExampleParseReplyCode() {
	c, err := smtpcode.ParseReplyCode("421")
	fmt.Println(c, err, c.Temporary())

	_, err = smtpcode.ParseReplyCode("465")
	fmt.Println(err)
	// Output:
	// 421 <nil> true
	// smtpcode: malformed reply code: "465"
}

func ExampleLookup() {
	e, ok := smtpcode.Lookup(smtpcode.MustStatus("5.1.10"))
	fmt.Println(ok, e.Title, "-", e.Ref)

	// Postfix reports forwarding loops as 5.4.6, a class RFC 3463 does not
	// list for X.4.6: Lookup still finds it, Classes tells the difference.
	e, ok = smtpcode.Lookup(smtpcode.MustStatus("5.4.6"))
	fmt.Println(ok, e.Title, e.Classes.Has(5), e.Classes.Has(4))

	_, ok = smtpcode.Lookup(smtpcode.MustStatus("5.7.606"))
	fmt.Println(ok)
	// Output:
	// true Recipient domain has a null MX - RFC 7505 section 6
	// true Routing loop detected false true
	// false
}

func ExampleStatus_Describe() {
	fmt.Println(smtpcode.MustStatus("4.2.2").Describe())
	fmt.Println(smtpcode.MustStatus("5.7.606").Describe())
	// Output:
	// Mailbox full (transient failure)
	// Refused for security or policy reasons, detail 606 unregistered (permanent failure)
}

func ExampleReplyCode_Describe() {
	fmt.Println(smtpcode.ReplyCode(556).Describe())
	// Output:
	// Domain does not accept mail (permanent failure)
}

func ExampleSubjectName() {
	fmt.Println(smtpcode.SubjectName(smtpcode.MustStatus("5.2.2").Subject))
	// Output:
	// Mailbox
}

func ExampleEntries() {
	for _, e := range smtpcode.Entries() {
		if e.Subject == 7 && e.Detail >= 23 && e.Detail <= 25 {
			fmt.Printf("X.%d.%d %s (%s)\n", e.Subject, e.Detail, e.Title, e.Ref)
		}
	}
	// Output:
	// X.7.23 SPF check failed (RFC 7372 section 3)
	// X.7.24 SPF check error (RFC 7372 section 3)
	// X.7.25 Reverse DNS check failed (RFC 7372 section 3)
}
