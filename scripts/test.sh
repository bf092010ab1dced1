#!/usr/bin/env bash
# Runs every test of bounced, installing what they need first.
# Used by `make test` and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "redis-server and redis-cli (the domain cache tests start their own servers, Cluster and Sentinels)"
# redis-server also runs the Sentinels (--sentinel); redis-cli (redis-tools)
# creates the test Cluster. Both are needed even with BOUNCED_TEST_REDIS_URL.
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server redis-tools >/dev/null
fi
redis-server --version
redis-cli --version

step "dovecot-imapd and postfix (the IMAP and LMTP ingest tests start throwaway instances)"
if ! command -v dovecot >/dev/null 2>&1 || ! command -v postfix >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # No system configuration: the tests write their own in a temporary directory.
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dovecot-imapd postfix >/dev/null
fi
dovecot --version || true
postconf -d mail_version 2>/dev/null || true

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v '^internal/gen/'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi

step "go vet"
go vet ./...

step "buf lint (STANDARD + COMMENTS) and generated code up to date"
go tool -modfile=tools/go.mod buf lint
go tool -modfile=tools/go.mod buf generate
go tool -modfile=tools/go.mod buf build proto --as-file-descriptor-set -o internal/server/bounced.binpb
cp internal/gen/openapi/bounced.swagger.json internal/server/openapi.json
git diff --exit-code -- internal/gen internal/server/bounced.binpb internal/server/openapi.json
if [ -n "$(git status --porcelain -- internal/gen internal/server/bounced.binpb internal/server/openapi.json)" ]; then echo "untracked generated files"; exit 1; fi

step "buf breaking (FILE rules) against the v1 freeze and the previous commit"
./scripts/buf-breaking.sh

step "go test -race"
go test -race -shuffle=on -count=1 ./...

step "fuzz FuzzParse (${FUZZTIME:-30s})"
go test ./internal/dsn -run '^$' -fuzz '^FuzzParse$' -fuzztime "${FUZZTIME:-30s}"

echo
echo "all tests passed"
