#!/bin/sh
# `ssespec load --shard K/N` in N local processes against the reference server's /demo/clock,
# merged by `ssespec load merge`, must count what one process counts on the same run, and give
# its percentiles within the noise of two runs on one machine.
# Usage: load_shard_test.sh SSESPEC   (run by ctest; every wait is bounded)
set -u
ssespec=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/wait.sh"
work=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
clients=30
shards=3

"$ssespec" serve --port 0 >"$work/serve" 2>&1 &
pids="$pids $!"
wait_for_line "ssespec serve" $! "$work/serve" 'listening on http://127\.0\.0\.1:[0-9]+' || exit 1
clock="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve" | head -1)/demo/clock"

# Everyone starts half a second past a whole second two seconds from now and runs 2.0 s: the
# clock ticks on whole seconds, so each stream sees its catch-up event plus exactly two ticks,
# none racing the run's end.
start_ms=$((($(date +%s) + 2) * 1000 + 500))
shard_pids=""
k=0
while [ "$k" -lt "$shards" ]; do
  "$ssespec" load "$clock" --clients "$clients" --duration 2 --shard "$k/$shards" \
    --source-addresses 127.0.0.2-127.0.0.7 --start-at "$start_ms" --json "$work/shard$k.json" >"$work/shard$k.out" 2>&1 &
  shard_pids="$shard_pids $!"
  k=$((k + 1))
done
pids="$pids $shard_pids"
"$ssespec" load "$clock" --clients "$clients" --duration 2 --start-at "$start_ms" --json "$work/whole.json" >"$work/whole.out" 2>&1 \
  || { echo "FAIL: the single process failed:"; cat "$work/whole.out"; exit 1; }
# Each shard ends by its own --duration, as the single process did.
for p in $shard_pids; do
  wait "$p" || { echo "FAIL: a shard failed:"; cat "$work"/shard*.out; exit 1; }
done
"$ssespec" load merge "$work"/shard*.json --json "$work/merged.json" >"$work/merged.out" 2>&1 \
  || { echo "FAIL: load merge failed:"; cat "$work/merged.out"; exit 1; }
cat "$work/merged.out" "$work/whole.out"

python3 - "$work/merged.json" "$work/whole.json" "$clients" <<'PY'
import json, sys
merged, whole, clients = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
failures = []
def same(key, want=None):
    got, other = merged[key], whole[key] if want is None else want
    if got != other:
        failures.append(f"{key}: merged {got}, one process {other}")
same("shards", 3)
same("clients", clients)
for key in ("heldAtEnd", "peakHeld", "connects", "connectFailures", "reconnects", "serverCloses", "serverResets", "events"):
    same(key)
same("events", 3 * clients)  # the catch-up event and two ticks each
for h in ("firstEventMs", "lagMs", "spreadMs"):
    if merged[h]["count"] != whole[h]["count"]:
        failures.append(f"{h} count: merged {merged[h]['count']}, one process {whole[h]['count']}")
# Two runs on a shared machine differ by scheduling, not by the merge: allow 0.1 ms (one
# bucket) plus 20 ms of noise on each percentile of the lag.
for p in ("p50", "p90", "p99"):
    if abs(merged["lagMs"][p] - whole["lagMs"][p]) > 20.1:
        failures.append(f"lagMs {p}: merged {merged['lagMs'][p]}, one process {whole['lagMs'][p]}")
for f in failures:
    print("FAIL", f)
print("all passed" if not failures else f"{len(failures)} failed")
sys.exit(1 if failures else 0)
PY
