#!/usr/bin/env bash
# The console (issue 18): on a pipe, a run prints its summary and only the unexpected failures
# (known ones counted, not listed) and no progress line; on a terminal (a pty from script(1)),
# one updating progress line; --verbose lists every case and every known failure.
#   console_test.sh SSESPEC BROKEN_ENCODER_ADAPTER.mjs
set -uo pipefail
ssespec="$1" adapter="$2"
command -v script >/dev/null || { echo "skipped: script(1) (bsdutils) is not installed"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
encoder=("$ssespec" encoder --name broken -- node "$adapter" inject)

# The baseline: every failure of the injecting encoder, then one of them taken out (unexpected).
"${encoder[@]:0:4}" --write-expectations "$work/all.json" "${encoder[@]:4}" >"$work/record.out" 2>&1 \
  || { fail "--write-expectations exited $?"; cat "$work/record.out"; exit 1; }
unexpected="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["failures"][0]["id"])' "$work/all.json")"
known="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["failures"][1]["id"])' "$work/all.json")"
python3 - "$work/all.json" "$work/some.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["failures"] = doc["failures"][1:]
json.dump(doc, open(sys.argv[2], "w"), indent=2)
PY
known_count="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["failures"]))' "$work/some.json")"

# Pipe mode.
"${encoder[@]:0:4}" --expectations "$work/some.json" "${encoder[@]:4}" >"$work/pipe.out" 2>&1
status=$?
[ "$status" -eq 1 ] || fail "pipe run: exit $status, want 1 (one unexpected failure)"
grep -q "^FAIL $unexpected" "$work/pipe.out" || fail "pipe run does not list the unexpected failure $unexpected"
grep -q "^FAIL $known" "$work/pipe.out" && fail "pipe run lists the known failure $known"
grep -q "^$known_count known failures (see report" "$work/pipe.out" || fail "pipe run does not count $known_count known failures"
grep -q $'\r' "$work/pipe.out" && fail "pipe run has a progress line (carriage return)"
grep -q "^PASS " "$work/pipe.out" && fail "pipe run lists passing cases"

# --verbose: the old full listing.
"${encoder[@]:0:4}" --verbose --expectations "$work/some.json" "${encoder[@]:4}" >"$work/verbose.out" 2>&1
grep -q "^PASS " "$work/verbose.out" || fail "--verbose does not list passing cases"
grep -q "known .*$known" "$work/verbose.out" || fail "--verbose does not list the known failure $known"

# Terminal mode: script(1) gives the run a pty.
quoted="$(printf '%q ' "${encoder[@]:0:4}" --expectations "$work/some.json" "${encoder[@]:4}")"
script -qec "$quoted" /dev/null >"$work/tty.out" 2>&1 </dev/null
total="$(grep -o '[0-9]* cases, [0-9]* failed, in' "$work/pipe.out" | cut -d' ' -f1)"
grep -q $'\r\x1b\\[K  1/'"$total"' cases, ' "$work/tty.out" || fail "terminal run has no progress line \"1/$total cases\""
grep -q "$total/$total cases, [0-9]* failed" "$work/tty.out" || fail "terminal run's progress line does not reach $total/$total"
grep -q 'left' "$work/tty.out" || fail "terminal run's progress line has no time left"
grep -q "FAIL.* $unexpected" "$work/tty.out" || fail "terminal run does not list the unexpected failure"

if [ "$failures" -gt 0 ]; then
  for f in pipe tty; do echo "--- $f output:"; cat -v "$work/$f.out" | head -40; done
  exit 1
fi
echo "console: pipe and terminal modes as documented"
