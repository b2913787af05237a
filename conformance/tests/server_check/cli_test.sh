#!/bin/sh
# `ssespec server` and `ssespec lint` from the command line: exit statuses and the JSON report.
# Usage: cli_test.sh SSESPEC NODE   (run by ctest; every step is bounded by --timeout)
set -u
ssespec=$1
node=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../wait.sh"
servers="$here/../servers"
work=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
failures=0

expect_status() {  # NAME WANT COMMAND...
  name=$1; want=$2; shift 2
  "$@" >"$work/out" 2>&1
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $name: exit $got, want $want"; sed 's/^/    /' "$work/out"; failures=$((failures + 1))
  else
    echo "ok   $name: exit $got"
  fi
}

# Runs `node SCRIPT ARGS... 0` and waits for its "listening PORT" line; sets $url_base. Each
# server writes a file of its own: polling a shared one could read the previous server's line.
servers_started=0
start_server() {  # SCRIPT ARGS...
  servers_started=$((servers_started + 1))
  out="$work/server.$servers_started"
  "$node" "$@" 0 >"$out" 2>&1 &
  pids="$pids $!"
  wait_for_line "test server $*" $! "$out" '^listening [0-9]+' || exit 1
  url_base="http://127.0.0.1:$(awk '/^listening/ {print $2}' "$out")"
}

expect_status "bad URL" 2 "$ssespec" server "not a url"
expect_status "https unsupported" 2 "$ssespec" server https://127.0.0.1:9/
expect_status "bad --header" 2 "$ssespec" server --header nocolon http://127.0.0.1:9/
expect_status "refused" 2 "$ssespec" server --timeout 2 http://127.0.0.1:9/

start_server "$servers/scenarios.js" good
expect_status "good server" 0 "$ssespec" server --events 2 --timeout 2 --clients 5 --json "$work/good.json" "$url_base/events"
grep -q '"server/robustness/abrupt-clients"' "$work/good.json" || { echo "FAIL good.json lacks the check ids"; failures=$((failures + 1)); }

start_server "$servers/scenarios.js" wrong-content-type
expect_status "wrong content type" 1 "$ssespec" server --events 2 --timeout 2 --clients 5 "$url_base/events"
grep -q "FAIL server/headers/content-type" "$work/out" || { echo "FAIL: no content-type FAIL line"; failures=$((failures + 1)); }

# The reference server's /demo/clock (ssespec serve): every check passes, no FAIL, no WARN.
"$ssespec" serve --port 0 >"$work/serve" 2>&1 &
pids="$pids $!"
wait_for_line "ssespec serve" $! "$work/serve" 'listening on http://127\.0\.0\.1:[0-9]+' || exit 1
clock="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve" | head -1)/demo/clock"
expect_status "reference /demo/clock" 0 "$ssespec" server --events 2 --timeout 5 --clients 5 "$clock"
if grep -qE "^(FAIL|WARN) " "$work/out"; then echo "FAIL: /demo/clock has a FAIL or WARN"; grep -E "^(FAIL|WARN) " "$work/out"; failures=$((failures + 1)); fi

expect_status "lint clean" 0 "$ssespec" lint "$here/streams/clean.txt"
expect_status "lint tutorial capture" 1 "$ssespec" lint "$here/streams/express-tutorial.txt"
grep -q "FAIL stream/grammar/event-terminated" "$work/out" || { echo "FAIL: no event-terminated FAIL line"; failures=$((failures + 1)); }
expect_status "lint tutorial with a single newline" 1 "$ssespec" lint "$here/streams/express-tutorial-single-newline.txt"
grep -q "FAIL stream/grammar/event-terminated" "$work/out" || { echo "FAIL: no event-terminated FAIL line"; failures=$((failures + 1)); }
expect_status "lint typos (warnings only)" 0 "$ssespec" lint "$here/streams/field-typos.txt"
grep -q "WARN stream/fields/unknown-name" "$work/out" || { echo "FAIL: no unknown-name WARN line"; failures=$((failures + 1)); }
expect_status "lint stdin" 1 sh -c "printf 'data: x\n' | '$ssespec' lint -"
expect_status "lint missing file" 2 "$ssespec" lint "$work/no-such-file"

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
