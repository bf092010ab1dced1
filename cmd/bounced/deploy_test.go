package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const deployDir = "../../deploy"

// serveHelp is the output of `bounced serve -h`.
func serveHelp(t *testing.T, bin string) string {
	t.Helper()
	out, _ := exec.Command(bin, "serve", "-h").CombinedOutput()
	return string(out)
}

// serveEnv returns the BOUNCED_* variables `bounced serve -h` names.
func serveEnv(t *testing.T, bin string) map[string]bool {
	t.Helper()
	vars := map[string]bool{}
	for _, v := range envRef.FindAllString(serveHelp(t, bin), -1) {
		vars[v] = true
	}
	if !vars["BOUNCED_LISTEN"] || !vars["BOUNCED_TLS_CERT"] {
		t.Fatalf("serve -h names %v; the parser no longer reads it", vars)
	}
	return vars
}

// serveFlags returns the flag names `bounced serve -h` lists.
func serveFlags(t *testing.T, bin string) map[string]bool {
	t.Helper()
	out := serveHelp(t, bin)
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+--?([a-z][a-z0-9-]+)`).FindAllStringSubmatch(out, -1) {
		flags[m[1]] = true
	}
	if !flags["listen"] || !flags["tls-cert"] || !flags["auth-token-file"] {
		t.Fatalf("serve -h lists %v; the parser no longer reads it:\n%s", flags, out)
	}
	return flags
}

// deployFiles are the files an operator copies: every manifest, the unit,
// the env example, the compose file and the Dockerfile.
func deployFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(deployDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch ext := filepath.Ext(p); {
		case d.IsDir(), ext == ".json":
		case ext == ".yaml", ext == ".service", ext == ".example", d.Name() == "Dockerfile":
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 8 {
		t.Fatalf("deploy files: %v", files)
	}
	return files
}

var (
	envRef  = regexp.MustCompile(`\bBOUNCED_[A-Z0-9_]+\b`)
	flagRef = regexp.MustCompile(`(?:^|[\s"'\[,])--([a-z][a-z0-9-]+)`)
	// Lines that hold bounced's own arguments.
	argLine = regexp.MustCompile(`^\s*(?:-?\s*args:|-?\s*command:|ExecStart=|ENTRYPOINT|CMD).*\bserve\b`)
)

// TestDeployFiles checks that every flag and BOUNCED_* variable the deploy
// files mention is one `bounced serve -h` knows, that the builder image's
// Go matches go.mod, and that the image is named in one place.
func TestDeployFiles(t *testing.T) {
	bin := buildBinary(t)
	flags, vars := serveFlags(t, bin), serveEnv(t, bin)
	for _, f := range deployFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, v := range envRef.FindAllString(line, -1) {
				if !vars[v] {
					t.Errorf("%s:%d: %s is not a variable bounced serve -h names", f, i+1, v)
				}
			}
			if !argLine.MatchString(line) {
				continue
			}
			for _, m := range flagRef.FindAllStringSubmatch(line, -1) {
				if !flags[m[1]] {
					t.Errorf("%s:%d: --%s is no flag of bounced serve", f, i+1, m[1])
				}
			}
		}
	}

	// The builder's Go is go.mod's major.minor.
	mod, _ := os.ReadFile("../../go.mod")
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	docker, _ := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	from := regexp.MustCompile(`(?m)^FROM golang:(\d+\.\d+)\S* AS build`).FindSubmatch(docker)
	if goLine == nil || from == nil || string(goLine[1]) != string(from[1]) {
		t.Errorf("go.mod says go %s, the Dockerfile builds with golang:%s", goLine, from)
	}
	if !strings.Contains(string(docker), "-X main.version=${VERSION}") {
		t.Error("the Dockerfile does not stamp the version with -ldflags -X main.version")
	}

	// One image reference: the Deployment names "bounced", kustomize maps it.
	manifest, _ := os.ReadFile(filepath.Join(deployDir, "kubernetes/base/bounced.yaml"))
	kust, _ := os.ReadFile(filepath.Join(deployDir, "kubernetes/base/kustomization.yaml"))
	if imgs := regexp.MustCompile(`(?m)^\s+image: (\S+)`).FindAllStringSubmatch(string(manifest), -1); len(imgs) != 1 || imgs[0][1] != "bounced" {
		t.Errorf("base manifest images %v, want one placeholder \"bounced\"", imgs)
	}
	if !regexp.MustCompile(`(?m)^images:\n  - name: bounced\n    newName: \S+`).Match(kust) {
		t.Error("kustomization.yaml does not set the bounced image")
	}
	for _, want := range []string{"clusterIP: None", "name: bounced-headless", "kind: HorizontalPodAutoscaler", "name: cpu",
		"prometheus.io/scrape", "path: /readyz", "path: /healthz"} {
		if !strings.Contains(string(manifest), want) {
			t.Errorf("base manifest lacks %q", want)
		}
	}
}

// freePort returns a loopback address nobody listens on.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// configMapEnv reads the data of the ConfigMap "bounced" in the base manifest.
func configMapEnv(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(deployDir, "kubernetes/base/bounced.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	in := false
	kv := regexp.MustCompile(`^  (BOUNCED_[A-Z0-9_]+): "?([^"]*)"?$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "data:":
			in = true
		case line == "---":
			in = false
		case in:
			if m := kv.FindStringSubmatch(line); m != nil {
				env[m[1]] = m[2]
			}
		}
	}
	if len(env) < 5 {
		t.Fatalf("ConfigMap data: %v", env)
	}
	return env
}

// envFileEnv reads deploy/bounced.env.example.
func envFileEnv(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir, "bounced.env.example"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "BOUNCED_") {
			env[k] = v
		}
	}
	return env
}

// TestDeployConfigStarts runs bounced with the Kubernetes ConfigMap's and
// the env example's settings (listeners moved to free loopback ports, Redis
// pointed nowhere) and probes the paths the manifests probe.
func TestDeployConfigStarts(t *testing.T) {
	bin := buildBinary(t)
	for name, env := range map[string]map[string]string{"configmap": configMapEnv(t), "env example": envFileEnv(t)} {
		t.Run(strings.ReplaceAll(name, " ", "-"), func(t *testing.T) {
			metrics, api := freePort(t), freePort(t)
			env["BOUNCED_LISTEN"] = freePort(t)
			env["BOUNCED_HTTP_LISTEN"] = api
			env["BOUNCED_METRICS_LISTEN"] = metrics
			if env["BOUNCED_REDIS"] != "" {
				// No Redis here: the cache is optional in the ConfigMap, so
				// the pod stays ready and Parse still answers.
				env["BOUNCED_REDIS"] = "redis://" + freePort(t) + "/0"
			}
			cmd := exec.Command(bin, "serve")
			cmd.Env = os.Environ()
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			for _, path := range []string{"/healthz", "/readyz"} {
				code := 0
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					resp, err := http.Get("http://" + metrics + path)
					if err == nil {
						resp.Body.Close()
						if code = resp.StatusCode; code == http.StatusOK {
							break
						}
					}
				}
				if code != http.StatusOK {
					t.Errorf("%s: GET %s = %d\n%s", name, path, code, stderr.String())
				}
			}
			raw, err := os.ReadFile(filepath.Join(corpus, "bsd", "rfc3464-01.eml"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Post("http://"+api+"/v1/parse", "message/rfc822", strings.NewReader(string(raw)))
			if err != nil {
				t.Fatalf("%s: POST /v1/parse: %v", name, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: POST /v1/parse = %d", name, resp.StatusCode)
			}
			// Logs are JSON lines, none of them an error.
			_ = cmd.Process.Signal(os.Interrupt)
			_ = cmd.Wait()
			for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
				var rec map[string]any
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Errorf("%s: log line %q is not JSON", name, l)
				} else if rec["level"] == "ERROR" {
					t.Errorf("%s: %s", name, fmt.Sprint(rec))
				}
			}
		})
	}
}

// TestReadmeListsEveryFlag keeps the README's flag table complete: every
// flag of `bounced serve -h` with its BOUNCED_* variable.
func TestReadmeListsEveryFlag(t *testing.T) {
	bin := buildBinary(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for f := range serveFlags(t, bin) {
		if f == "h" || f == "help" {
			continue
		}
		env := "BOUNCED_" + strings.ToUpper(strings.ReplaceAll(f, "-", "_"))
		row := fmt.Sprintf("| `--%s` | `%s` |", f, env)
		if !strings.Contains(string(readme), row) {
			t.Errorf("README's flag table has no row %q", row)
		}
	}
}
