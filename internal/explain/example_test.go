package explain_test

import (
	"fmt"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
	"github.com/bounced/bounced/internal/smtpcode"
)

// A relay denial decided on the sender's side, explained to the person who
// sent the message, in French.
func ExampleExplain() {
	rcpt := &dsn.Recipient{
		Recipient:  "kijitora@example.org",
		Status:     smtpcode.MustStatus("5.7.1"),
		ReplyCode:  554,
		Diagnostic: "554 5.7.1 <kijitora@example.org>: Relay access denied",
		RemoteMTA:  "smtp.example.ne.jp",
	}
	v := classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideSender}

	e := explain.Explain(v, &dsn.Report{}, rcpt, explain.EndUser, "fr-CA")
	fmt.Println(e.Language, e.Audience)
	fmt.Println(e.Headline)
	for i, s := range e.Steps {
		fmt.Printf("%d. %s\n", i+1, s)
	}
	// Output:
	// fr END_USER
	// Votre message n'est pas parti : votre serveur veut que vous vous identifiiez
	// 1. Dans les paramètres du compte de votre logiciel de messagerie, activez l'authentification du serveur sortant (SMTP), avec le même identifiant et le même mot de passe que pour la réception.
	// 2. Réglez le port du serveur sortant sur 587 avec STARTTLS, ou utilisez les réglages donnés par votre fournisseur.
	// 3. Renvoyez le message.
}

// The bounce of an out-of-office reply refused by a platform's no-reply
// address: the explanation says the client's mailbox is fine.
func ExampleExplain_autoReply() {
	rep := &dsn.Report{Original: dsn.Original{
		From:      "client@client.example",
		Subject:   "Automatic reply: March newsletter",
		AutoReply: dsn.AutoReplyMarkers{AutoSubmitted: "auto-replied"},
		Found:     true,
	}}
	rcpt := &dsn.Recipient{
		Recipient: "no-reply@platform.example",
		Status:    smtpcode.MustStatus("5.7.1"),
		ReplyCode: 550,
	}
	v := classify.Verdict{Reason: classify.NoRelaying, Side: classify.SideRecipient,
		OriginalIsAutoReply: true} // as classify.Classify sets it for this rep

	e := explain.Explain(v, rep, rcpt, explain.Marketer, "en")
	fmt.Println(e.Headline)
	fmt.Println(e.WhoseSide)
	// Output:
	// The client's out-of-office reply was refused with “relaying denied”; their mailbox is fine
	// The platform's side: its return or no-reply address refuses replies. The client's mailbox is fine, and their normal mail in both directions is not affected.
}

// A domain's history, judged by classify and put into words.
func ExampleDomain() {
	a := classify.AssessDomain(classify.History{
		Domain:          "migrated.example",
		Total:           40,
		DistinctSenders: 25,
		Reasons:         map[string]int64{"norelaying": 36, "userunknown": 4},
		Sides:           map[string]int64{"recipient": 40},
	})
	fmt.Println(explain.Domain(a, "en"))
	fmt.Println(explain.Domain(a, "fr"))
	// Output:
	// migrated.example: 40 bounces from 25 distinct senders; mostly norelaying (90%), recipient side (100%); looks misconfigured: its MX denied relaying 36 times to 25 distinct senders, so it does not accept mail for the domain
	// migrated.example : 40 rejets venant de 25 expéditeurs distincts ; surtout norelaying (90 %), côté destinataire (100 %) ; semble mal configuré : son MX a refusé de relayer 36 fois pour 25 expéditeurs distincts, il n'accepte donc pas le courrier du domaine
}
