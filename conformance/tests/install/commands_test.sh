#!/usr/bin/env bash
# The commands a CI gate and other test suites use: `fixtures path` and `fixtures export`,
# --exclude beside --filter, and the expectations workflow (record with --write-expectations,
# then compare). Every step asserts an exit status and what was written.
#   commands_test.sh SSESPEC_BIN FIXTURES_DIR
set -euo pipefail
ssespec=$1
fixtures=$(realpath "$2")
work=$(mktemp -d /tmp/ssespec-commands-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
status() { set +e; "$@" >"$work/out" 2>&1; echo $?; set -e; }

echo "== fixtures path, --version"
[ "$("$ssespec" fixtures path)" = "$fixtures" ] || fail "fixtures path is not $fixtures"
[ "$("$ssespec" fixtures --fixtures "$work" path)" = "$work" ] || fail "--fixtures does not override"
[ "$(SSESPEC_FIXTURES="$work" "$ssespec" fixtures path)" = "$work" ] || fail "SSESPEC_FIXTURES does not override"
"$ssespec" --version | grep -qx "fixture corpus $(head -1 "$fixtures/VERSION") ($fixtures)" || fail "--version lacks the corpus version"

echo "== fixtures export"
"$ssespec" fixtures export "$work/corpus" >/dev/null
diff -r "$fixtures" "$work/corpus" || fail "the export differs from the corpus"
echo keep >"$work/taken"
[ "$(status "$ssespec" fixtures export "$work/taken")" = 2 ] || fail "export onto a file must exit 2"
[ "$(status "$ssespec" fixtures export "$work/corpus")" = 2 ] || fail "export into a non-empty folder must exit 2"
grep -q "not an empty folder" "$work/out" || fail "no clear message: $(cat "$work/out")"
[ "$(cat "$work/taken")" = keep ] || fail "export overwrote a file"

echo "== --exclude"
all=$("$ssespec" corpus --list --filter parse/bom | wc -l)
left=$("$ssespec" corpus --list --filter parse/bom --exclude 'parse/bom/*second*' | wc -l)
excluded=$("$ssespec" corpus --list --filter 'parse/bom/*second*' | wc -l)
[ "$excluded" -gt 0 ] && [ "$left" -eq $((all - excluded)) ] || fail "corpus --exclude: $all - $excluded != $left"
[ "$("$ssespec" client --list --exclude client --exclude browser | grep -vc '^parse/')" = 0 ] || fail "client --exclude"
[ "$("$ssespec" browser --list --filter client/open -x client/open/no-open-on-failure | wc -l)" = \
  $(( $("$ssespec" browser --list --filter client/open | wc -l) - 1 )) ] || fail "browser --exclude"
[ "$(status "$ssespec" corpus --filter parse/bom --exclude parse)" = 2 ] || fail "excluding everything must exit 2"

echo "== expectations: record, compare, notice a fix"
cases=(--filter client/open --exclude client/open/no-open-on-failure)
[ "$(status "$ssespec" client -q "${cases[@]}" --write-expectations "$work/exp.json" -- false)" = 0 ] || fail "recording exits 0"
[ "$(grep -c '"id"' "$work/exp.json")" = 5 ] || fail "5 failures recorded: $(cat "$work/exp.json")"
[ "$(status "$ssespec" client -q "${cases[@]}" --expectations "$work/exp.json" -- false)" = 0 ] || fail "the same failures must exit 0"
[ "$(status "$ssespec" client -q "${cases[@]}" --expectations "$work/exp.json" -- "$ssespec" connect)" = 1 ] \
  || fail "cases that now pass must exit 1"
grep -q "NOW PASSES" "$work/out" || fail "no NOW PASSES line"
cp "$work/exp.json" "$work/exp.before"
[ "$(status "$ssespec" client -q "${cases[@]}" --write-expectations "$work/none/exp.json" -- false)" = 2 ] || fail "unwritable file must exit 2"
cmp -s "$work/exp.json" "$work/exp.before" || fail "a failed write changed another file"
echo "PASS"
