#!/usr/bin/env bash
# `ssespec server --h2c` against the frame-level test server (h2_frame_server.cpp): each case
# asserts the exit status and the verdict line of the check it is about.
# Usage: h2_frame_test.sh SSESPEC H2_FRAME_SERVER
set -uo pipefail
ssespec=$1
frame_server=$2
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT

# Starts the frame server with its own output file; prints its port once it says so (20 s bound).
start() {
  local out="$work/server-$#-$RANDOM.out"
  "$frame_server" "$@" >"$out" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    if grep -q '^listening on ' "$out"; then awk '/^listening on /{print $3; exit}' "$out"; return; fi
    sleep 0.1
  done
  echo "h2_frame_server $* did not print 'listening on' within 20 s: $(cat "$out")" >&2
  exit 1
}

failures=0
# expect NAME EXIT PATTERN -- ssespec server arguments
expect() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local got
  "$ssespec" server --verbose "$@" >"$work/$name.out" 2>&1  # --verbose: PASS lines too
  got=$?
  if [ "$got" != "$want" ] || ! grep -Eq -- "$pattern" "$work/$name.out"; then
    echo "FAILED $name: exit $got (wanted $want), pattern /$pattern/"
    cat "$work/$name.out"
    failures=$((failures + 1))
  else
    echo "ok $name: $(grep -Em1 -- "$pattern" "$work/$name.out")"
  fi
}

port=$(start)
limited=$(start --max-concurrent 2)
url="http://127.0.0.1:$port"
t=(--h2c --timeout 1.5)
expect ok 0 '^PASS server/h2/flow-control' -- "${t[@]}" "$url/ok"
expect ok-says-no-browser 0 '^INFO server/h2/negotiation: h2c.*no browser speaks h2c' -- "${t[@]}" -f 'server/h2/negotiation' "$url/ok"
for field in connection/keep-alive keep-alive/timeout=5 proxy-connection/keep-alive transfer-encoding/chunked upgrade/h2c; do
  expect "field-${field%%/*}" 1 "^FAIL server/h2/fields/connection-specific: .*${field%%/*}: .*\[breaks h2c clients" -- \
    "${t[@]}" -f 'server/h2/fields/*' "$url/field/$field"
done
expect te 0 '^WARN server/h2/fields/te: te: gzip' -- "${t[@]}" -f 'server/h2/fields/*' "$url/field/te/gzip"
expect uppercase 1 '^FAIL server/h2/fields/names: field name "X-Upper"' -- "${t[@]}" -f 'server/h2/fields/*' "$url/field/X-Upper/1"
expect content-length 1 '^FAIL server/h2/fields/content-length: content-length: 1000 on a stream still open' -- \
  "${t[@]}" -f 'server/h2/fields/*' "$url/field/content-length/1000"
expect silent 1 '^FAIL server/h2/http/response: no response HEADERS within --timeout' -- "${t[@]}" "$url/silent"
expect held 0 '^WARN server/h2/response/headers-held: the response HEADERS came only with the first DATA' -- \
  "${t[@]}" -f 'server/h2/response/*' "$url/held"
expect end-stream 0 '^INFO server/h2/stream/ending: END_STREAM after' -- "${t[@]}" -f 'server/h2/stream/ending' "$url/end/400"
expect reset-timer 1 '^FAIL server/h2/stream/ending: RST_STREAM\(INTERNAL_ERROR\) after .* a second connection.*a server timeout' -- \
  "${t[@]}" -f 'server/h2/stream/ending' "$url/reset/2/400"
expect goaway 0 '^PASS server/h2/connection/goaway: GOAWAY\(NO_ERROR\) after .* a new connection got 200' -- \
  "${t[@]}" -f 'server/h2/connection/goaway' "$url/goaway/400"
expect overrun 1 '^FAIL server/h2/flow-control: with a stream window of 64 bytes withheld, the server sent past it' -- \
  "${t[@]}" -f 'server/h2/flow-control' "$url/overrun"
expect stall 1 '^FAIL server/h2/flow-control: .*only what was queued came' -- "${t[@]}" -f 'server/h2/flow-control' "$url/stall-after-update"
expect max-concurrent 0 '^WARN server/h2/connection/max-concurrent-streams: SETTINGS_MAX_CONCURRENT_STREAMS 2: of 3 streams on one connection, 1, 2 got HEADERS; 3 waited' -- \
  "${t[@]}" -f 'server/h2/connection/*' "http://127.0.0.1:$limited/ok"
expect cancel 0 '^PASS server/h2/connection/cancel-frees-stream: after RST_STREAM\(CANCEL\) of stream 1, stream 5 got HEADERS' -- \
  "${t[@]}" -f 'server/h2/connection/*' "http://127.0.0.1:$limited/ok"
expect http2-needs-https 2 '--http2 needs an https:// URL' -- --http2 "$url/ok"
[ "$failures" -eq 0 ] || { echo "$failures case(s) failed"; exit 1; }
