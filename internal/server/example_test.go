package server_test

import (
	"context"
	"fmt"

	"google.golang.org/grpc/codes"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/explain"
	"github.com/bounced/bounced/internal/server"
)

// ErrorResponse is what a stream or the CLI answers for a message that
// failed: its source and the google.rpc.Status Parse would return.
func ExampleErrorResponse() {
	_, err := bounce.New(bounce.Config{}).Parse(context.Background(), bounce.Request{Raw: []byte("\x00\x01")})
	r := server.ErrorResponse("junk.eml", err)
	fmt.Println(r.GetSource(), codes.Code(r.GetError().GetCode()), len(r.GetError().GetDetails()))
	// Output: junk.eml InvalidArgument 1
}

// ToProto writes one explanation per audience, in the order asked.
func ExampleToProto() {
	raw := []byte("From: MAILER-DAEMON@mx.example.org\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
		"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n" +
		"Final-Recipient: rfc822; nobody@example.net\nAction: failed\nStatus: 5.1.1\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: user unknown\n--b--\n")
	auds := server.ToAudiences(nil) // empty: [MARKETER]
	auds = append(auds, explain.Admin)
	res, err := bounce.New(bounce.Config{}).Parse(context.Background(), bounce.Request{Raw: raw, Audience: auds[0]})
	if err != nil {
		panic(err)
	}
	r := server.ToProto(res, auds, "en").GetRecipients()[0]
	fmt.Println(r.GetRecipient(), r.GetStatus(), r.GetReason(), r.GetSide())
	fmt.Println(r.GetStatusMeaning())
	for _, e := range r.GetExplanations() {
		fmt.Println(e.GetAudience())
	}
	// Output:
	// nobody@example.net 5.1.1 REASON_USER_UNKNOWN SIDE_RECIPIENT
	// Recipient mailbox does not exist (permanent failure)
	// AUDIENCE_MARKETER
	// AUDIENCE_ADMIN
}
