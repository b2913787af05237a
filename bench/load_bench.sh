#!/usr/bin/env bash
# The reference server's /demo/clock against an Express 5 baseline (bench/servers/express-clock),
# in the same run, with `ssespec load`: 1,000 and 10,000 streams of a broadcast tick, a
# 5,000-connection burst, and the four attacks of issue 13. Prints numbers; asserts nothing.
#
#   bench/load_bench.sh [path/to/ssespec]      (default build/conformance/ssespec)
#
# Targets (issue 13): p99 delivery spread < 50 ms, < 30% of one core, <= 4 KiB RSS per stream;
# the burst fully served; under attack a new client's first event in < 100 ms while the others
# keep ticking. CPU is the server process's user+system time over a 3 s window after the ramp;
# RSS per stream is (RSS then - RSS before the run) / streams held. The load generator shares
# the machine, so run it on an otherwise idle host.
set -euo pipefail
ulimit -n "$(ulimit -Hn)"  # one descriptor per stream, on both sides

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/conformance/tests/wait.sh"
bin=${1:-$root/build/conformance/ssespec}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -x "$bin" ] || { echo "no ssespec binary at $bin (build first)" >&2; exit 2; }
[ -d "$root/bench/servers/express-clock/node_modules" ] ||
  npm ci --prefix "$root/bench/servers/express-clock" --no-audit --no-fund --loglevel=error >/dev/null

# start_server NAME: sets server_pid and port.
start_server() {
  local log=$work/$1.log
  case $1 in
    reference) "$bin" serve --port 0 --no-fixtures >"$log" 2>&1 & ;;
    express) node "$root/bench/servers/express-clock/server.mjs" 0 >"$log" 2>&1 & ;;
  esac
  server_pid=$!
  pids+=("$server_pid")
  wait_for_line "the $1 server" "$server_pid" "$log" 'listening on http://127\.0\.0\.1:[0-9]+' || exit 1
  port=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$log" | head -n1)
}

# established N: at least N TCP connections to the server's port are established.
established() { [ "$(ss -Htn state established "( sport = :$port )" | wc -l)" -ge "$1" ]; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
field() {
  python3 -c "import json,sys; v=eval(sys.argv[2], {'round': round}, json.load(open(sys.argv[1]))); print(f'{v:.1f}' if isinstance(v, float) else v)" "$@"
}

# streams NAME CLIENTS: CLIENTS streams at 2000 connects/s; prints one row, saves figures.
streams() {
  local name=$1 clients=$2 rate=2000
  local ramp=$(( clients / rate + 2 ))
  local json=$work/$name-$clients.json
  local rss0 ticks0 ticks1 rss1 hz
  hz=$(getconf CLK_TCK)
  rss0=$(rss_kib "$server_pid")
  "$bin" load "http://127.0.0.1:$port/demo/clock" --clients "$clients" --rate "$rate" \
    --duration $(( ramp + 6 )) --json "$json" >/dev/null &
  local load_pid=$!
  pids+=("$load_pid")
  sleep "$ramp"
  ticks0=$(cpu_ticks "$server_pid")
  sleep 3
  ticks1=$(cpu_ticks "$server_pid")
  rss1=$(rss_kib "$server_pid")
  wait "$load_pid"
  local cpu held per_stream
  cpu=$(python3 -c "print(round(100 * ($ticks1 - $ticks0) / $hz / 3, 1))")
  held=$(field "$json" heldAtEnd)
  per_stream=$(python3 -c "print(round(($rss1 - $rss0) / max(1, $held), 2))")
  printf '%-10s %6d streams: held %6d, failed %4s, p99 spread %6s ms, p99 lag %6s ms, p99 first event %7s ms, %5s%% CPU, %5s KiB RSS/stream, %8s events/s\n' \
    "$name" "$clients" "$held" "$(field "$json" connectFailures)" "$(field "$json" "spreadMs['p99']")" \
    "$(field "$json" "lagMs['p99']")" "$(field "$json" "firstEventMs['p99']")" "$cpu" "$per_stream" \
    "$(field "$json" "round(eventsPerS)")"
  echo "$cpu $per_stream $(field "$json" "spreadMs['p99']")" >"$work/$name-$clients.figures"
}

burst() {
  local name=$1 json=$work/$1-burst.json
  "$bin" load "http://127.0.0.1:$port/demo/clock" --clients 5000 --burst --duration 6 --json "$json" >/dev/null
  printf '%-10s   5000 burst:   held %6s, failed %4s, reconnects %4s, p99 first event %7s ms, max %7s ms\n' "$name" \
    "$(field "$json" heldAtEnd)" "$(field "$json" connectFailures)" "$(field "$json" reconnects)" \
    "$(field "$json" "firstEventMs['p99']")" "$(field "$json" "firstEventMs['max']")"
}

# attacks NAME: 1,000 streams ticking; then 16 slowloris, 300 idle, one never-reading and one
# slow-reading client; then 20 new clients, one every 100 ms.
attacks() {
  local name=$1 background=$work/$1-attack-background.json probe=$work/$1-attack-probe.json
  local heavy=/demo/clock
  if [ "$name" = reference ]; then
    # The reference server can also serve what hurt it before: 16 x 1 MiB per connection.
    python3 -c "
import json
chunk = 'data: ' + 'x' * (1 << 20) + '\n\n'
c = {'status': 200, 'headers': [['Content-Type', 'text/event-stream']], 'chunks': [chunk] * 16, 'end': 'hang'}
print(json.dumps({'connections': [c, c]}))" >"$work/heavy.json"
    heavy=$(curl -s --data-binary "@$work/heavy.json" "http://127.0.0.1:$port/sessions" | field /dev/stdin path)
  fi
  "$bin" load "http://127.0.0.1:$port/demo/clock" --clients 1000 --rate 2000 --duration 16 --json "$background" >/dev/null &
  local background_pid=$!
  pids+=("$background_pid")
  wait_for "1,000 streams to $name" established 1000 || exit 1
  local attackers=()
  python3 "$root/bench/attack.py" "$port" slowloris 16 --max-seconds 12 >"$work/$name-slowloris.log" 2>&1 & attackers+=($!)
  python3 "$root/bench/attack.py" "$port" idle 300 --max-seconds 12 >"$work/$name-idle.log" 2>&1 & attackers+=($!)
  python3 "$root/bench/attack.py" "$port" never-read "$heavy" --max-seconds 12 >"$work/$name-never.log" 2>&1 & attackers+=($!)
  sleep 0.3
  python3 "$root/bench/attack.py" "$port" slow-read "$heavy" --max-seconds 12 >"$work/$name-slow.log" 2>&1 & attackers+=($!)
  pids+=("${attackers[@]}")
  sleep 4
  "$bin" load "http://127.0.0.1:$port/demo/clock" --clients 20 --rate 10 --duration 4 --json "$probe" >/dev/null
  wait "$background_pid"
  for pid in "${attackers[@]}"; do wait "$pid" || true; done  # they end by themselves
  sed "s/^/$name   /" "$work/$name"-{slowloris,idle,never,slow}.log | grep ended
  printf '%-10s attacked: new clients held %2s/20, first event p50 %6s ms p99 %7s ms; the 1000 others: held %4s, %6s events/s, p99 spread %6s ms\n' "$name" \
    "$(field "$probe" heldAtEnd)" "$(field "$probe" "firstEventMs['p50']")" "$(field "$probe" "firstEventMs['p99']")" \
    "$(field "$background" heldAtEnd)" "$(field "$background" "round(eventsPerS)")" "$(field "$background" "spreadMs['p99']")"
}

echo "ssespec load bench: $(nproc) cores, $(uname -r), ulimit -n $(ulimit -n), $(date -u +%FT%TZ)"
for name in reference express; do
  start_server "$name"
  streams "$name" 1000
  streams "$name" 10000
  burst "$name"
  attacks "$name"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
done
for clients in 1000 10000; do
  read -r rc rr rs <"$work/reference-$clients.figures"
  read -r ec er es <"$work/express-$clients.figures"
  python3 -c "
r = lambda a, b: f'{a / b:.1f}x' if b > 0 else 'n/a'
print(f'express / reference at $clients streams: CPU {r($ec, $rc)}, RSS per stream {r($er, $rr)}, p99 spread {r($es, $rs)}')"
done
