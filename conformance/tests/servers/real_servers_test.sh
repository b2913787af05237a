#!/bin/sh
# `ssespec server` against one real server (CTest label `servers`), asserting its verdict:
# correct servers get no FAIL and no WARN; each classic mistake gets its FAIL.
# Usage: real_servers_test.sh SSESPEC CASE   (exit 77: a tool the case needs is absent)
# Cases: express5 better-sse hono fastify-sse go-nethttp aiohttp nginx-buffering-off
#        tutorial tutorial-single-newline express5-compression nginx-buffering-on nginx-buffering-on-1k
set -u
ssespec=$1
case_name=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../wait.sh"
work=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
timeout=2

. "$here/servers_lib.sh"

node_server() {  # NAME: a server of real/servers.js
  need node
  [ -d "$here/real/node_modules" ] || skip "run: npm ci --prefix conformance/tests/servers/real"
  start node "$here/real/servers.js" "$1" 0
}

expect_clean=1
want_fail=""
case "$case_name" in
  express5|better-sse|hono|fastify-sse) node_server "$case_name" ;;
  go-nethttp)
    need go
    # Standard library only: no module download; caches in the temp dir unless set.
    GOCACHE=${GOCACHE:-$work/gocache} GOPATH=${GOPATH:-$work/gopath} go build -o "$work/go-sse" "$here/go-nethttp/main.go" || exit 1
    start "$work/go-sse" 0 ;;
  aiohttp)
    /usr/bin/python3 -c 'import aiohttp' 2>/dev/null || skip "python3-aiohttp not installed"
    start /usr/bin/python3 "$here/aiohttp/server.py" 0 ;;
  nginx-buffering-off) node_server express5; nginx_in_front off ;;
  tutorial)
    [ -d "$here/express-tutorial/node_modules" ] || skip "run: npm ci --prefix conformance/tests/servers/express-tutorial"
    start node "$here/express-tutorial/server.js" 0
    timeout=3; expect_clean=0; want_fail="stream/grammar/event-terminated" ;;
  tutorial-single-newline)
    node_server express5-single-newline
    timeout=3; expect_clean=0; want_fail="stream/grammar/event-terminated" ;;
  express5-compression) node_server express5-compression; expect_clean=0; want_fail="server/stream/buffering" ;;
  nginx-buffering-on) node_server express5; nginx_in_front on; expect_clean=0; want_fail="server/http/response" ;;
  nginx-buffering-on-1k) node_server express5-1k; nginx_in_front on; expect_clean=0; want_fail="server/stream/buffering" ;;
  *) echo "unknown case $case_name"; exit 2 ;;
esac

"$ssespec" server --timeout "$timeout" --clients 5 "http://127.0.0.1:$port/events" >"$work/out" 2>&1
status=$?
[ -n "${SSESPEC_SHOW:-}" ] && cat "$work/out"
verdicts=$(grep -E '^(FAIL|WARN) ' "$work/out" | cut -d: -f1 | tr '\n' ' ')
echo "$case_name: exit $status; ${verdicts:-no FAIL or WARN}"
failed=0
if [ "$expect_clean" -eq 1 ]; then
  [ "$status" -eq 0 ] && [ -z "$verdicts" ] || failed=1
else
  [ "$status" -eq 1 ] && grep -q "^FAIL $want_fail" "$work/out" || failed=1
fi
if [ "$failed" -ne 0 ]; then
  echo "FAIL $case_name: want $([ "$expect_clean" -eq 1 ] && echo 'exit 0, no FAIL/WARN' || echo "exit 1 with FAIL $want_fail")"
  cat "$work/out"
  for log in "$work"/err.* "$work/nginx/start.log" "$work/nginx/error.log"; do
    [ -s "$log" ] && { echo "--- $log"; tail -20 "$log"; }
  done
  exit 1
fi
echo "ok   $case_name"
