package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/tlsreload/certtest"
)

// `bounced serve`, plaintext and with --tls-cert, answers a message ten
// times --max-message-bytes (five times the gRPC receive limit) with
// MESSAGE_TOO_LARGE, unary and in a stream that goes on (issue 9).
func TestServeOversizedMessage(t *testing.T) {
	const limit = 64 << 10
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			args := []string{fmt.Sprintf("--max-message-bytes=%d", limit)}
			creds := insecure.NewCredentials()
			if useTLS {
				ca := certtest.NewCA(t, "test CA")
				files := certtest.Write(t, t.TempDir(), "server", ca.Issue(t, certtest.Options{CN: "bounced"}), ca)
				args = append(args, "--tls-cert="+files.Cert, "--tls-key="+files.Key)
				creds = credentials.NewTLS(&tls.Config{RootCAs: ca.Pool()})
			}
			p := startServe(t, args...)
			conn, err := grpc.NewClient(p.addr, grpc.WithTransportCredentials(creds), grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(1<<30)))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			c := pb.NewBounceServiceClient(conn)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			big := &pb.ParseRequest{Raw: []byte(strings.Repeat("x", 10*limit))}
			_, err = c.Parse(ctx, big)
			if reason := reasonOf(err); status.Code(err) != codes.ResourceExhausted || reason != "MESSAGE_TOO_LARGE" {
				t.Errorf("unary: %v (reason %q), want RESOURCE_EXHAUSTED MESSAGE_TOO_LARGE", err, reason)
			}
			stream, err := c.ParseStream(ctx)
			if err != nil {
				t.Fatal(err)
			}
			small := &pb.ParseRequest{Raw: []byte("From: MAILER-DAEMON@example.org\nSubject: x\n\nhello\n")}
			for _, r := range []*pb.ParseRequest{small, big, small} {
				if err := stream.Send(&pb.ParseStreamRequest{Request: r}); err != nil {
					t.Fatal(err)
				}
			}
			_ = stream.CloseSend()
			for i := range 3 {
				r, err := stream.Recv()
				if err != nil {
					t.Fatalf("answer %d: %v", i+1, err)
				}
				reason := reasonOf(status.FromProto(r.GetResponse().GetError()).Err())
				if want := map[bool]string{true: "MESSAGE_TOO_LARGE", false: ""}[i == 1]; reason != want {
					t.Errorf("answer %d: reason %q, want %q", i+1, reason, want)
				}
			}
		})
	}
}

func reasonOf(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}
