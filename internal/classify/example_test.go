package classify_test

import (
	"fmt"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/smtpcode"
)

func ExampleClassify() {
	// What the parser reads out of a Postfix bounce (lhost-postfix-02).
	rep := &dsn.Report{
		Kind:         dsn.KindBounce,
		DecodedBy:    "postfix",
		ReportingMTA: "mta.sender.example",
		Recipients: []dsn.Recipient{{
			Recipient:      "userunknown@example.co.jp",
			Action:         dsn.ActionFailed,
			Status:         smtpcode.MustStatus("5.1.1"),
			ReplyCode:      550,
			Command:        "RCPT",
			DiagnosticType: "smtp",
			Diagnostic:     "550 5.1.1 <userunknown@example.co.jp>... User Unknown",
			RemoteMTA:      "mx.example.co.jp",
		}},
	}
	dsn.CompleteFacts(&rep.Recipients[0]) // what dsn.Parse does
	v := classify.Classify(rep, &rep.Recipients[0], nil)
	fmt.Println(v.Reason, v.Side, v.Hard, v.Confidence, v.Status)
	for _, e := range v.Evidence {
		fmt.Printf("%s %s %q\n", e.Signal, e.RuleID, e.Value)
	}

	// A relay denial from the recipient domain's own MX, seen before by
	// twelve different senders.
	rep.Recipients[0] = dsn.Recipient{
		Recipient:  "bob@recipient.example",
		Action:     dsn.ActionFailed,
		Status:     smtpcode.MustStatus("5.7.1"),
		ReplyCode:  554,
		Command:    "RCPT",
		Diagnostic: "554 5.7.1 <bob@recipient.example>: Relay access denied",
		RemoteMTA:  "mx1.recipient.example",
	}
	hist := &classify.History{Domain: "recipient.example", Total: 30, DistinctSenders: 12,
		Reasons: map[string]int64{"norelaying": 30}}
	dsn.CompleteFacts(&rep.Recipients[0])
	v = classify.Classify(rep, &rep.Recipients[0], hist)
	fmt.Println(v.Reason, v.Side, v.Hard, v.Confidence)
	// Output:
	// userunknown recipient true 0.95 5.1.1
	// phrase user-unknown "user unknown"
	// status st-x.1.1 "5.1.1 agrees"
	// status hard-permanent "5.1.1: permanent, retrying the address is pointless"
	// norelaying recipient false 0.9
}

func ExampleReasonByName() {
	ri, ok := classify.ReasonByName("norelaying")
	fmt.Println(ok, ri.DefaultSide, ri.CanBeHard)
	fmt.Println(ri.Meaning)
	// Output:
	// true unknown false
	// relaying denied: the refusing server will not pass the mail on
}

// A domain that many senders see refusing to relay for it: its MX does not
// accept the domain (DESIGN.md, "Relaying denied").
func ExampleAssessDomain() {
	a := classify.AssessDomain(classify.History{
		Domain: "migrated.example", Total: 40, DistinctSenders: 25,
		Reasons: map[string]int64{"norelaying": 36, "userunknown": 4},
		Sides:   map[string]int64{"recipient": 40},
	})
	fmt.Println(a.DominantReason, a.DominantSide, a.DominantShare, a.LooksMisconfigured, a.LooksDead)
	// Output: norelaying recipient 0.9 true false
}
