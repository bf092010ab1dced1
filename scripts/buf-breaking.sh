#!/usr/bin/env bash
# Checks proto/ for breaking changes (buf.yaml: FILE rules) against
#   1. the commit that froze bounced.v1, named in .buf-breaking-base, and
#   2. the previous commit (HEAD~1), when it is at or after the freeze.
# A ref missing from the clone (shallow CI checkout) is skipped with a
# message; any other failure fails the check. Run by scripts/test.sh and
# `make lint`.
set -euo pipefail
cd "$(dirname "$0")/.."
buf() { go tool -modfile=tools/go.mod buf "$@"; }

has() { git cat-file -e "$1^{commit}" 2>/dev/null; }

# The freeze commit: the id in .buf-breaking-base, or, when that id is not
# in this history (the branch was rebased after the id was written), the
# commit that added .buf-breaking-base.
base=$(sed -n 's/^\([0-9a-f]\{40\}\).*/\1/p' .buf-breaking-base | head -1)
shallow=$(git rev-parse --is-shallow-repository 2>/dev/null || echo false)
if [ -z "$base" ] || ! has "$base" || ! git merge-base --is-ancestor "$base" HEAD 2>/dev/null; then
  if [ "$shallow" = true ]; then
    base=""
  else
    base=$(git log --diff-filter=A --format=%H -- .buf-breaking-base 2>/dev/null | tail -1)
    [ -n "$base" ] && echo "buf breaking: .buf-breaking-base names no ancestor of HEAD; using $base, the commit that added it"
  fi
fi
checked=0
if [ -n "$base" ] && has "$base"; then
  echo "buf breaking: against the v1 freeze $base"
  buf breaking --against ".git#ref=$base"
  checked=1
else
  echo "buf breaking: the v1 freeze commit is not in this clone (shallow?); skipped"
fi

if has HEAD~1; then
  if [ -n "$base" ] && has "$base" && git merge-base --is-ancestor "$base" HEAD~1; then
    echo "buf breaking: against HEAD~1 $(git rev-parse HEAD~1)"
    buf breaking --against ".git#ref=HEAD~1"
    checked=1
  else
    echo "buf breaking: HEAD~1 is before the v1 freeze; skipped"
  fi
else
  echo "buf breaking: HEAD~1 is not in this clone (shallow?); skipped"
fi
[ "$checked" = 1 ] || echo "buf breaking: nothing to compare against"
