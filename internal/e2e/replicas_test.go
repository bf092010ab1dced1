package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/redistest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// bouncedBin builds ./cmd/bounced once per test binary.
func bouncedBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bounced-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "bounced")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/bounced/bounced/cmd/bounced").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/bounced: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// replica is one running `bounced serve` process.
type replica struct {
	name   string
	cmd    *exec.Cmd
	addr   string
	client pb.BounceServiceClient
	exited chan struct{}
	log    strings.Builder
	mu     sync.Mutex
}

// startReplica runs `bounced serve` on a free loopback port with args,
// waits for its "bounced serving" log line, and stops it with SIGTERM
// when t ends.
func startReplica(t *testing.T, name string, args ...string) *replica {
	t.Helper()
	// A generous cache budget: on a busy machine a read that times out
	// would skip its write too, and the counts below would be off.
	cmd := exec.Command(bouncedBin(t), append([]string{"serve", "--listen", "127.0.0.1:0", "--log-level", "info", "--cache-timeout", "5s"}, args...)...)
	cmd.Env = append(os.Environ(), "BOUNCED_REDIS=", "BOUNCED_LISTEN=")
	setProcAttr(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &replica{name: name, cmd: cmd, exited: make(chan struct{})}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			r.mu.Lock()
			r.log.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			var l struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "bounced serving" {
				addrc <- l.Addr
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() { r.stop(t) })
	select {
	case r.addr = <-addrc:
	case <-r.exited:
		t.Fatalf("%s exited at start:\n%s", name, r.output())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not log \"bounced serving\" in 30s:\n%s", name, r.output())
	}
	conn, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	r.client = pb.NewBounceServiceClient(conn)
	return r
}

func (r *replica) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

// stop sends SIGTERM (the server flushes its batched writes) and waits.
func (r *replica) stop(t *testing.T) {
	select {
	case <-r.exited:
		return
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(20 * time.Second):
		r.cmd.Process.Kill()
		<-r.exited
		t.Errorf("%s did not stop 20s after SIGTERM", r.name)
	}
	if st := r.cmd.ProcessState; st != nil && !st.Success() && !t.Failed() {
		t.Errorf("%s exited with %v:\n%s", r.name, st, r.output())
	}
}

// relayDenied is a Postfix report of "454 4.7.1 Relay access denied" from
// a host that is neither the sender's relay nor, by its name, the
// recipient's MX, for a message from sender: alone it cannot say whose
// side acts (DESIGN.md, "Relaying denied"). Modelled on the Postfix
// bounce template (bounce(5)).
func relayDenied(sender, rcptDomain string) []byte {
	return []byte(strings.NewReplacer("SENDER", sender, "RCPTDOM", rcptDomain).Replace(`Return-Path: <>
Date: Mon, 23 Nov 2026 09:12:41 +0100 (CET)
From: MAILER-DAEMON@mail.shop.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: SENDER
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="XYZ"

--XYZ
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.shop.example.

<bob@RCPTDOM>: host mail.hostingco.example[192.0.2.77] said: 454 4.7.1
    <bob@RCPTDOM>: Relay access denied (in reply to RCPT TO command)

--XYZ
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.shop.example
Arrival-Date: Fri, 20 Nov 2026 09:02:11 +0100 (CET)

Final-Recipient: rfc822; bob@RCPTDOM
Action: failed
Status: 4.7.1
Remote-MTA: dns; mail.hostingco.example
Diagnostic-Code: smtp; 454 4.7.1 <bob@RCPTDOM>: Relay access denied

--XYZ
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: SENDER
To: bob@RCPTDOM
Subject: Quote for the winter order
Message-ID: <q-2026-1120-0902@shop.example>
Date: Fri, 20 Nov 2026 09:02:10 +0100

--XYZ--
`))
}

// waitTotal polls GetDomainVerdict on r until the domain's total is want
// or 10 s pass, and returns the last verdict.
func waitTotal(t *testing.T, r *replica, domain string, want int64) *pb.DomainVerdict {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := r.client.GetDomainVerdict(ctx, &pb.GetDomainVerdictRequest{Domain: domain})
		if err != nil {
			t.Fatalf("%s: GetDomainVerdict(%s) = %v", r.name, domain, err)
		}
		v := resp.GetVerdict()
		if int64(v.GetSummary().GetTotal()) == want || time.Now().After(deadline) {
			return v
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReplicasShareMemory runs two `bounced serve` processes on one Redis.
// Replica 1 sees relay denials for one domain from six distinct senders;
// replica 2, which saw none, reports that history (GetDomainVerdict) and
// uses it: the same ambiguous denial, UNKNOWN without history, becomes
// the recipient's side because many senders are refused.
func TestReplicasShareMemory(t *testing.T) {
	ctx := context.Background()
	srv := redistest.StartLocal(t)
	r1 := startReplica(t, "replica 1", "--redis", srv.URL())
	r2 := startReplica(t, "replica 2", "--redis", srv.URL())
	const domain = "migrated.example"

	probe := &pb.ParseRequest{Raw: relayDenied("probe@other-shop.example", domain), SkipCache: true}
	resp, err := r2.client.Parse(ctx, probe)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.GetRecipients()[0].GetSide(); got != pb.Side_SIDE_UNKNOWN {
		t.Fatalf("replica 2, no history: side %v, want SIDE_UNKNOWN (the test needs an ambiguous denial)", got)
	}

	const senders = 6
	for i := range senders {
		resp, err := r1.client.Parse(ctx, &pb.ParseRequest{Raw: relayDenied(fmt.Sprintf("owner@shop%d.example", i), domain)})
		if err != nil {
			t.Fatalf("replica 1: Parse #%d = %v", i, err)
		}
		if st := resp.GetCacheStatus(); st != pb.CacheStatus_CACHE_STATUS_HIT && st != pb.CacheStatus_CACHE_STATUS_MISS {
			t.Fatalf("replica 1: Parse #%d cache status %v, want HIT or MISS", i, st)
		}
	}

	v := waitTotal(t, r2, domain, senders)
	s := v.GetSummary()
	if nr := s.GetReasons()[pb.Reason_REASON_NO_RELAYING.String()]; s.GetTotal() != senders || s.GetDistinctSenders() != senders || nr != senders {
		t.Errorf("replica 2: GetDomainVerdict(%s) = total %d, senders %d, reasons %v; want %d, %d, REASON_NO_RELAYING %d",
			domain, s.GetTotal(), s.GetDistinctSenders(), s.GetReasons(), senders, senders, senders)
	}
	if v.GetDominantReason() != pb.Reason_REASON_NO_RELAYING {
		t.Errorf("replica 2: dominant reason %v, want REASON_NO_RELAYING", v.GetDominantReason())
	}

	probe.SkipCache = false
	resp, err = r2.client.Parse(ctx, probe)
	if err != nil {
		t.Fatal(err)
	}
	rc := resp.GetRecipients()[0]
	if resp.GetCacheStatus() != pb.CacheStatus_CACHE_STATUS_HIT || rc.GetSide() != pb.Side_SIDE_RECIPIENT || rc.GetDomain().GetDistinctSenders() != senders {
		t.Errorf("replica 2, with replica 1's history: cache %v, side %v, history senders %d; want HIT, SIDE_RECIPIENT, %d",
			resp.GetCacheStatus(), rc.GetSide(), rc.GetDomain().GetDistinctSenders(), senders)
	}
	found := false
	for _, ev := range rc.GetEvidence() {
		found = found || ev.GetSignal() == pb.Signal_SIGNAL_DOMAIN_HISTORY
	}
	if !found {
		t.Errorf("replica 2: no domain_history evidence in %v", rc.GetEvidence())
	}
}

// TestReplicasCountOnce sends, at the same time, unary calls to replica 1
// and a stream to replica 2, every message with several recipients in
// one domain; both batch their writes (--cache-flush-every). The domain's
// total is exactly the number of recipients sent: nothing lost, nothing
// counted twice, before and after both replicas stop.
func TestReplicasCountOnce(t *testing.T) {
	ctx := context.Background()
	srv := redistest.StartLocal(t)
	r1 := startReplica(t, "replica 1", "--redis", srv.URL(), "--cache-flush-every", "20ms")
	r2 := startReplica(t, "replica 2", "--redis", srv.URL(), "--cache-flush-every", "20ms")
	const domain = "count.example"
	const perMessage, messages = 3, 150

	msg := func(i int) []byte {
		var rcpts []string
		for j := range perMessage {
			rcpts = append(rcpts, fmt.Sprintf("u%d-%d@%s", i, j, domain))
		}
		return manyRecipients(fmt.Sprintf("s%d@shop.example", i%10), rcpts)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*messages)
	wg.Go(func() {
		for i := range messages {
			resp, err := r1.client.Parse(ctx, &pb.ParseRequest{Raw: msg(i)})
			if err != nil {
				errs <- fmt.Errorf("replica 1: Parse #%d: %w", i, err)
				continue
			}
			if n := len(resp.GetRecipients()); n != perMessage {
				errs <- fmt.Errorf("replica 1: Parse #%d: %d recipients, want %d", i, n, perMessage)
			}
		}
	})
	wg.Go(func() {
		stream, err := r2.client.ParseStream(ctx)
		if err != nil {
			errs <- err
			return
		}
		go func() {
			for i := range messages {
				if err := stream.Send(&pb.ParseStreamRequest{Request: &pb.ParseRequest{Raw: msg(messages + i)}}); err != nil {
					errs <- fmt.Errorf("replica 2: Send #%d: %w", i, err)
					return
				}
			}
			stream.CloseSend()
		}()
		for i := range messages {
			resp, err := stream.Recv()
			if err != nil {
				errs <- fmt.Errorf("replica 2: Recv #%d: %w", i, err)
				return
			}
			if n := len(resp.GetResponse().GetRecipients()); n != perMessage {
				errs <- fmt.Errorf("replica 2: response #%d: %d recipients, want %d", i, n, perMessage)
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	const want = 2 * messages * perMessage
	if got := int64(waitTotal(t, r1, domain, want).GetSummary().GetTotal()); got != want {
		t.Fatalf("GetDomainVerdict(%s).total = %d, want %d recipients sent", domain, got, want)
	}
	// Nothing is written twice later, when the replicas flush and stop.
	r1.stop(t)
	r2.stop(t)
	r3 := startReplica(t, "replica 3", "--redis", srv.URL())
	if got := int64(waitTotal(t, r3, domain, want).GetSummary().GetTotal()); got != want {
		t.Errorf("after both replicas stopped: total = %d, want %d", got, want)
	}
}

// manyRecipients is an RFC 3464 report with one failed recipient per
// address (550 5.1.1) for a message sender sent.
func manyRecipients(sender string, rcpts []string) []byte {
	var b strings.Builder
	b.WriteString("From: MAILER-DAEMON@mail.shop.example\r\nTo: " + sender + "\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.shop.example\r\n")
	for _, r := range rcpts {
		fmt.Fprintf(&b, "\r\nFinal-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <%s>: User unknown\r\n", r, r)
	}
	b.WriteString("\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: " + sender + "\r\nSubject: News\r\n\r\n--B--\r\n")
	return []byte(b.String())
}
