package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bounced/bounced/internal/bounce"
	"github.com/bounced/bounced/internal/domaincache"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// latin1 is a DSN whose fields, diagnostic and returned headers hold raw
// ISO-8859-1 bytes with no charset declared (issue 8).
const latin1 = "From: postmaster@mail.sender.example\n" +
	"To: news@sender.example\n" +
	"Subject: Unzustellbar\n" +
	"MIME-Version: 1.0\n" +
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n\n" +
	"--b1\nContent-Type: text/plain\n\nEmpf\xe4nger unbekannt.\n\n" +
	"--b1\nContent-Type: message/delivery-status\n\n" +
	"Reporting-MTA: dns; mail.sender.example\n\n" +
	"Final-Recipient: rfc822; m\xfcller@empf\xe4nger.example\n" +
	"Action: failed\nStatus: 5.1.1\n" +
	"Diagnostic-Code: smtp; 550 5.1.1 <m\xfcller@empf\xe4nger.example>: Empf\xe4nger unbekannt\n\n" +
	"--b1\nContent-Type: text/rfc822-headers\n\n" +
	"Message-ID: <m-1@sender.example>\nFrom: J\xfcrgen <news@sender.example>\nSubject: Gr\xfc\xdfe\n\n" +
	"--b1--\n"

// TestParseLatin1Batch: the Latin-1 bounce and a good file after it, in
// one batch: two lines, both valid UTF-8, exit status 0.
func TestParseLatin1Batch(t *testing.T) {
	bin := buildBinary(t)
	f := filepath.Join(t.TempDir(), "latin1.eml")
	if err := os.WriteFile(f, []byte(latin1), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(corpus, "bsd", "rfc3464-01.eml")
	for _, format := range []string{"jsonl", "text"} {
		out, err := exec.Command(bin, "parse", "--format="+format, "--audience=admin,marketer", f, good).Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", format, err, out)
		}
		if !utf8.Valid(out) {
			t.Errorf("%s: output is not valid UTF-8", format)
		}
		if format == "text" {
			if !strings.Contains(string(out), "side: recipient") || !strings.Contains(string(out), "  1. ") || strings.Contains(string(out), "reply code: 0") {
				t.Errorf("text output lacks the side or the steps, or prints a 0 code:\n%s", out)
			}
			continue
		}
		lines := readLines(t, out)
		if len(lines) != 2 || lines[0].Source != f || lines[0].Error != nil || len(lines[0].Recipients) != 1 ||
			lines[1].Source != good || lines[1].Error != nil || len(lines[1].Recipients) != 1 {
			t.Errorf("lines = %+v, want the Latin-1 bounce then the good file, both parsed", lines)
		}
	}
}

// TestHelp: -h exits 0 and lists every flag with its BOUNCED_* variable.
func TestHelp(t *testing.T) {
	bin := buildBinary(t)
	for _, cmd := range []string{"serve", "parse"} {
		out, err := exec.Command(bin, cmd, "-h").CombinedOutput()
		if err != nil {
			t.Errorf("%s -h: %v, want exit status 0", cmd, err)
		}
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		var c Config
		var env envErrors
		if cmd == "serve" {
			bindServe(fs, &c, &env)
		} else {
			bindLimits(fs, &c, &env)
			for _, n := range []string{"format", "audience", "language"} {
				fs.String(n, "", "")
			}
		}
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(string(out), "--"+f.Name) || !strings.Contains(string(out), envName(f.Name)) {
				t.Errorf("%s -h does not list --%s with %s:\n%s", cmd, f.Name, envName(f.Name), out)
			}
		})
	}
}

// TestInvalidValues: malformed values fail at start with exit status 2
// and a message naming the setting.
func TestInvalidValues(t *testing.T) {
	bin := buildBinary(t)
	one := filepath.Join(corpus, "bsd", "rfc3464-01.eml")
	cases := []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"serve", "--log-level=loud"}, "", "--log-level"},
		{[]string{"serve"}, "BOUNCED_LOG_LEVEL=verbose", "--log-level"},
		{[]string{"serve", "--redis=redis://host/notanumber"}, "", "--redis"},
		{[]string{"serve", "--redis=localhost"}, "", "--redis"},
		{[]string{"serve", "--redis=host:99999"}, "", "--redis"},
		{[]string{"parse", "--language=xx", one}, "", "--language"},
		{[]string{"parse", "--audience=boss", one}, "", "--audience"},
		{[]string{"parse", one}, "BOUNCED_AUDIENCE=boss", "--audience"},
		{[]string{"parse", "--format=xml", one}, "", "--format"},
	}
	for _, tc := range cases {
		cmd := exec.Command(bin, tc.args...)
		cmd.Env = os.Environ()
		if tc.env != "" {
			cmd.Env = append(cmd.Env, tc.env)
		}
		out, err := cmd.CombinedOutput()
		if exitStatus(err) != 2 || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v %s: %v %q, want exit status 2 naming %s", tc.args, tc.env, err, out, tc.want)
		}
	}
}

// TestServeRedisDown: serve --redis with nothing listening logs a warning
// at start and serves anyway.
func TestServeRedisDown(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "serve", "--listen=127.0.0.1:0", "--redis=redis://127.0.0.1:1/0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	warned, serving := false, false
	sc := bufio.NewScanner(stderr)
	deadline := time.Now().Add(10 * time.Second)
	for !serving && time.Now().Before(deadline) && sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			continue
		}
		if rec["level"] == "WARN" && strings.Contains(rec["msg"].(string), "redis does not answer") {
			warned = true
		}
		serving = serving || rec["msg"] == "bounced serving"
	}
	if !warned || !serving {
		t.Errorf("warned %v serving %v, want a WARN about Redis and the service up", warned, serving)
	}
}

// TestDefaultsArePackageDefaults: the CLI's defaults are the packages'.
func TestDefaultsArePackageDefaults(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c Config
	var env envErrors
	bindServe(fs, &c, &env)
	if err := parseConfig(fs, nil, &c, env); err != nil {
		t.Fatal(err)
	}
	if c.CacheTTL != domaincache.DefaultTTL || c.CacheTimeout != bounce.DefaultCacheTimeout ||
		c.CacheFlushEvery != domaincache.DefaultFlushEvery || c.CacheDomains != domaincache.DefaultMemorySize {
		t.Errorf("defaults = %+v, want the packages' constants", c)
	}
}

// TestPrinterUnencodable: a response that cannot be encoded prints one
// line with its source and an INTERNAL error, and counts as a failure.
func TestPrinterUnencodable(t *testing.T) {
	var buf strings.Builder
	p := &printer{w: &buf}
	if p.print(&pb.ParseResponse{Source: "x.eml", DecodedBy: "\xe4"}) {
		t.Error("print of an unencodable response reported success")
	}
	if !p.print(&pb.ParseResponse{Source: "y.eml", Kind: pb.Kind_KIND_BOUNCE}) {
		t.Error("print of a good response reported failure")
	}
	lines := readLines(t, []byte(buf.String()))
	if len(lines) != 2 || lines[0].Source != "x.eml" || lines[0].Error == nil || lines[0].Error.Code != 13 ||
		lines[1].Source != "y.eml" || lines[1].Error != nil {
		t.Errorf("lines = %+v, want x.eml's INTERNAL error then y.eml", lines)
	}
}
