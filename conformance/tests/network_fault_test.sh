#!/bin/sh
# Faults a network makes: a peer that vanishes without FIN or RST. In a network namespace of
# its own (unshare -rn: a user and network namespace, no root needed), nft drops every packet
# to and from the reference server's port on lo, and the test checks that
#   - `ssespec server` reports a server that never answers (SYNs dropped) within --timeout;
#   - `ssespec connect` (SSESPEC_READ_TIMEOUT_MS) reports a stream gone silent as an error;
#   - `ssespec load --silent-timeout` counts streams gone silent;
#   - the reference server frees a stream whose client went silent within its stated bound
#     (keepalive + TCP_USER_TIMEOUT of 30 s, PumpLimits::dead_peer in reference/server):
#     its descriptor is closed.
# The kernel here has no veth driver, so the dropped path is lo inside the namespace.
# Usage: network_fault_test.sh SSESPEC   (exit 77: namespaces or nft not available here)
set -u
if [ "${1:-}" != "--inside" ]; then
  command -v nft >/dev/null 2>&1 || { echo "SKIP: nft not found (Debian: nftables)"; exit 77; }
  unshare -rn true 2>/dev/null || { echo "SKIP: cannot make a user + network namespace here (unshare -rn)"; exit 77; }
  unshare -rn nft list ruleset >/dev/null 2>&1 || { echo "SKIP: nft cannot filter in a user namespace here"; exit 77; }
  exec unshare -rn "$0" --inside "$@"
fi
shift
ssespec=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/wait.sh"
work=$(mktemp -d)
pids=""
trap 'exec 3>&-; for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
within() { awk -v t="$1" -v bound="$2" 'BEGIN { exit !(t <= bound) }'; }

ip link set lo up
"$ssespec" serve --port 0 >"$work/serve" 2>&1 &
server=$!
pids="$pids $server"
wait_for_line "ssespec serve" $server "$work/serve" 'listening on http://127\.0\.0\.1:[0-9]+' || exit 1
port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve" | head -1 | sed 's/.*://')
clock="http://127.0.0.1:$port/demo/clock"
descriptors() { ls "/proc/$server/fd" | wc -l; }
# Called by wait_for on each poll (an argument $(descriptors) would be read once).
fds_above() { [ "$(descriptors)" -gt "$1" ]; }
fds_at_most() { [ "$(descriptors)" -le "$1" ]; }
idle_fds=$(descriptors)

# Every packet to or from the server's port vanishes (lo's packets all pass the output hook).
silence() {
  nft add table inet fault &&
    nft add chain inet fault out '{ type filter hook output priority 0; }' &&
    nft add rule inet fault out tcp dport "$port" drop &&
    nft add rule inet fault out tcp sport "$port" drop
}
unsilence() { nft delete table inet fault; }

# 1. `ssespec server`: SYNs unanswered, no RST: "connect timed out", exit 2, within --timeout.
silence || exit 1
start=$(now)
"$ssespec" server --timeout 2 "$clock" >"$work/check" 2>&1
status=$?
took=$(since "$start")
unsilence
echo "ssespec server, silent server: exit $status after $took s: $(cat "$work/check")"
[ "$status" -eq 2 ] || fail "ssespec server exit $status, want 2"
grep -q "connect timed out" "$work/check" || fail "ssespec server did not say the connect timed out"
within "$took" 4 || fail "ssespec server took $took s with --timeout 2"

# 2. `ssespec connect` on a stream that goes silent: an error line within its read timeout. Its
# standard input stays open (fd 3) or it would close at once.
mkfifo "$work/connect.in"
SSESPEC_READ_TIMEOUT_MS=3000 "$ssespec" connect --reconnection-time 600000 "$clock" <"$work/connect.in" >"$work/connect" 2>&1 &
connect=$!
pids="$pids $connect"
exec 3>"$work/connect.in"
wait_for_line "ssespec connect" $connect "$work/connect" '"message"' || exit 1
wait_for "the server's stream descriptor" fds_above "$idle_fds" || exit 1
silence || exit 1
start=$(now)
wait_for_line "ssespec connect's error for the silent stream" $connect "$work/connect" '"error"' || fail "ssespec connect reported no error"
took=$(since "$start")
echo "ssespec connect, silent stream, read timeout 3 s: error line after $took s"
within "$took" 6 || fail "ssespec connect took $took s with a 3 s read timeout"

# 3. The reference server, whose client went silent while ticks are unacknowledged: the stream
# is freed (its descriptor closed) after about dead_peer = 30 s (TCP_USER_TIMEOUT).
wait_bound=60
wait_for "the server freeing the silent stream" fds_at_most "$idle_fds" || fail "the reference server kept the silent stream"
took=$(since "$start")
wait_bound=30
echo "reference server, silent client: stream freed after $took s (stated bound: about 30 s)"
within "$took" 36 || fail "the reference server took $took s, stated bound about 30 s"
unsilence
exec 3>&-

# 4. `ssespec load --silent-timeout 2`: 5 streams open, then silence: all 5 counted silent.
"$ssespec" load "$clock" --clients 5 --duration 8 --silent-timeout 2 --no-reconnect >"$work/load" 2>&1 &
load=$!
pids="$pids $load"
base=$(descriptors)
wait_for "5 streams on the server" fds_above $((base + 4)) || exit 1
silence || exit 1
wait "$load" || fail "ssespec load exited $?"
cat "$work/load"
grep -q "5 silent (no byte within --silent-timeout)" "$work/load" || fail "ssespec load did not count 5 silent streams"
grep -q "streams held:     0 of 5" "$work/load" || fail "ssespec load still held silent streams"
unsilence

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
