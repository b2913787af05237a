#!/bin/sh
# `ssespec server` over HTTP/2 against one real server (CTest label `h2`), asserting its verdict.
# Certificates are made here with openssl; every server listens on 127.0.0.1.
# Usage: h2_servers_test.sh SSESPEC CASE   (exit 77: a tool the case needs is absent)
# Cases: node-core node-core-max-concurrent node-compat node-compat-te node-compat-keep-alive
#        node-compat-tutorial go-tls go-tls-keep-alive go-tls-upgrade go-write-timeout
#        nginx-h2-buffering-off nginx-h2-buffering-on nginx-h2-upgrade
set -u
ssespec=$1
case_name=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../wait.sh"
work=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT

. "$here/../servers_lib.sh"

need openssl
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>"$work/openssl.log" \
  || { echo "FAIL $case_name: openssl could not make a certificate"; cat "$work/openssl.log"; exit 1; }
chmod 644 "$work/key.pem"  # nginx workers run as nobody when started as root

node_h2() { need node; start node "$here/node_h2.js" "$1" "$work/cert.pem" "$work/key.pem"; }

go_tls() {  # [WRITE_TIMEOUT]
  need go
  # Standard library only, offline: no module download; caches in the temp dir unless set.
  GOFLAGS=-mod=mod GOPROXY=off GOCACHE=${GOCACHE:-$work/gocache} GOPATH=${GOPATH:-$work/gopath} \
    go build -o "$work/go-sse" "$here/../go-nethttp/main.go" || exit 1
  start "$work/go-sse" 0 "$work/cert.pem" "$work/key.pem" "$@"
}

# nginx http2 over TLS in front of the Node server $2 of real/servers.js, proxy_buffering $1, over
# HTTP/1.1 to the upstream (nginx's default 1.0 gets an unchunked body, which it buffers for h2 too).
nginx_h2() {
  need node
  [ -d "$here/../real/node_modules" ] || skip "run: npm ci --prefix conformance/tests/servers/real"
  start node "$here/../real/servers.js" "$2" 0
  nginx_in_front "$1" "ssl http2" "ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem; proxy_http_version 1.1;"
}

# want_exit: the exit status; want: verdict lines (extended regexps) that must appear;
# unwanted: a regexp no line may match; clean=1: no FAIL or WARN at all.
timeout=2
protocol=--http2
clean=0
want=""
unwanted=""
case "$case_name" in
  node-core) node_h2 core; want_exit=0; clean=1 ;;
  node-compat) node_h2 compat; want_exit=0; clean=1 ;;
  node-compat-te|node-compat-keep-alive)
    node_h2 "${case_name#node-}"; want_exit=1
    want='^FAIL server/h2/http/response: no response HEADERS within --timeout' ;;
  node-core-max-concurrent)
    node_h2 core-max-concurrent; want_exit=0
    want="^WARN server/h2/connection/max-concurrent-streams: SETTINGS_MAX_CONCURRENT_STREAMS 2: of 3 streams on one connection, 1, 2 got HEADERS; 3 waited: a page's EventSource beyond the limit stays CONNECTING"
    unwanted='^FAIL ' ;;
  # The tutorial's line that never ends, now over h2 (Node drops its Connection field).
  node-compat-tutorial)
    node_h2 compat-tutorial; timeout=3; want_exit=1
    want='^FAIL server/h2/stream/grammar/event-terminated: [0-9]+ bytes in [0-9]+ pieces over [0-9.]+ s and not one line break: clients hold it all as one unfinished line, so no client ever dispatches an event'
    unwanted='^FAIL server/h2/(http|fields)/' ;;
  go-tls) go_tls; protocol=""; want_exit=0; clean=1 ;;
  # A handler setting an HTTP/1.1 connection field: Go 1.19's http2 server drops Connection and
  # Transfer-Encoding itself (net/http/h2_bundle.go), and sends Keep-Alive and Upgrade as set.
  go-tls-keep-alive|go-tls-upgrade)
    if [ "$case_name" = go-tls-keep-alive ]; then field='keep-alive: timeout=5'; export SSE_EXTRA_HEADER='Keep-Alive: timeout=5'
    else field='upgrade: h2c'; export SSE_EXTRA_HEADER='Upgrade: h2c'; fi
    go_tls; want_exit=1
    want="^FAIL server/h2/fields/connection-specific: connection-specific field\\(s\\) in the response HEADERS: $field: the response is malformed" ;;
  go-write-timeout)
    go_tls 1500ms; timeout=3; want_exit=1
    want='^FAIL server/h2/stream/ending: ' ;;
  # The head waits for the upstream's first event (1 s): a WARN, and nothing else.
  nginx-h2-buffering-off)
    nginx_h2 off express5-slow; timeout=3; want_exit=0
    want='^WARN server/h2/response/headers-held: the response HEADERS came only with the first DATA'
    unwanted='^(FAIL|WARN) server/(h2/)?(http|headers|stream)' ;;
  # Both protocols: h2 clients get every event, HTTP/1.1 clients nothing (nginx buffers their body).
  nginx-h2-buffering-on)
    nginx_h2 on express5 ; protocol=""; want_exit=1
    want='^FAIL server/http/response: .*\[breaks HTTP/1.1 clients\]'
    unwanted='^FAIL server/h2/' ;;
  # The upstream sends Upgrade, Proxy-Connection (and Node's own Connection, Keep-Alive,
  # Transfer-Encoding): nginx 1.22 drops the last three and forwards the first two to h2 clients.
  nginx-h2-upgrade)
    nginx_h2 off express5-upgrade; want_exit=1
    want='^FAIL server/h2/fields/connection-specific: connection-specific field\(s\) in the response HEADERS: upgrade: h2c, proxy-connection: keep-alive: the response is malformed' ;;
  *) echo "unknown case $case_name"; exit 2 ;;
esac

# shellcheck disable=SC2086  # $protocol is one flag or none
"$ssespec" server $protocol --timeout "$timeout" --clients 5 --cacert "$work/cert.pem" \
  "https://127.0.0.1:$port/events" >"$work/out" 2>&1
status=$?
[ -n "${SSESPEC_SHOW:-}" ] && cat "$work/out"
verdicts=$(grep -E '^(FAIL|WARN) ' "$work/out" | cut -d: -f1 | tr '\n' ' ')
echo "$case_name: exit $status; ${verdicts:-no FAIL or WARN}"
failed=0
[ "$status" -eq "$want_exit" ] || failed=1
[ "$clean" -eq 1 ] && [ -n "$verdicts" ] && failed=1
if [ -n "$want" ]; then grep -Eq "$want" "$work/out" || failed=1; fi
if [ -n "$unwanted" ]; then grep -Eq "$unwanted" "$work/out" && failed=1; fi
if [ "$failed" -ne 0 ]; then
  echo "FAIL $case_name: want exit $want_exit${want:+ and /$want/}${unwanted:+, none of /$unwanted/}$([ "$clean" -eq 1 ] && echo ', no FAIL/WARN')"
  cat "$work/out"
  for log in "$work"/err.* "$work/nginx/start.log" "$work/nginx/error.log"; do
    [ -s "$log" ] && { echo "--- $log"; tail -20 "$log"; }
  done
  exit 1
fi
echo "ok   $case_name"
