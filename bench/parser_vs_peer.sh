#!/usr/bin/env bash
# The reference parser against eventsource-parser 4 (bench/parser-peer, pinned by its
# package-lock.json) on the same 100 MB streams, fed in the same 64 KiB slices, with memchr's
# line split of those bytes beside them, in one run. Prints numbers; asserts nothing.
#
#   bench/parser_vs_peer.sh [path/to/parser_bench] [path/to/an older parser_bench]
#
# The streams are parser_bench's own (--dump_streams), so every side parses the same bytes. An
# older parser_bench (e.g. built from the commit before a parser change) is measured in the same
# rounds, for before/after figures. Every figure is MB/s (10^6 bytes) of process CPU time, the
# median over ROUNDS rounds (default 3) that interleave the programs, so a burst of load on a
# shared machine hits them alike. parse/memchr is how close the parser comes to memchr alone.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
after=${1:-$root/build/bench/parser_bench}
before=${2:-}
rounds=${ROUNDS:-3}
kinds=(typical tiny megabyte_lines crlf non_ascii)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$after" ] || { echo "no parser_bench at $after (build first)" >&2; exit 2; }
[ -z "$before" ] || [ -x "$before" ] || { echo "no parser_bench at $before" >&2; exit 2; }
[ -d "$root/bench/parser-peer/node_modules/eventsource-parser" ] ||
  npm ci --prefix "$root/bench/parser-peer" --no-audit --no-fund --loglevel=error >/dev/null

"$after" --dump_streams="$work"
names=$(IFS='|'; echo "${kinds[*]}")

# bench TOOL BINARY FILTER: appends "TOOL/<measure> <kind> <MB/s>" lines to $work/results.
bench() {
  "$2" --benchmark_filter="$3" --benchmark_min_time=0.5 --benchmark_format=csv 2>/dev/null |
    awk -F, -v tool="$1" '$1 ~ /^"(parse|memchr)\// {
      gsub(/"/, "", $1); split($1, name, "/"); printf "%s/%s %s %.0f\n", tool, name[1], name[2], $6 / 1e6 }' >>"$work/results"
}

files=("${kinds[@]/#/$work/}")
files=("${files[@]/%/.sse}")
echo "load average before: $(uptime | sed 's/.*load average: //')"
for _ in $(seq "$rounds"); do
  bench after "$after" "^(parse|memchr)/($names)\$"
  [ -z "$before" ] || bench before "$before" "^parse/($names)\$"
  node "$root/bench/parser-peer/peer_bench.mjs" 65536 1 "${files[@]}" |
    awk '{ printf "peer/%s %s %s\n", $1, $2, $3 }' >>"$work/results"
done
echo "load average after:  $(uptime | sed 's/.*load average: //')"
echo "MB/s, median of $rounds rounds; x = the reference parser (after) divided by the other"
echo

# Medians per (tool/measure, kind), then one row per stream kind.
sort -k1,1 -k2,2 -k3,3n "$work/results" |
  awk '{ key = $1 " " $2; values[key, ++count[key]] = $3 }
       END { for (key in count) print key, values[key, int((count[key] + 1) / 2)] }' >"$work/medians"
awk -v kinds="${kinds[*]}" -v has_before="${before:+1}" '
  { median[$1, $2] = $3 }
  function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.2fx", a / b) : "-" }
  function cell(v) { return v == "" ? "-" : v }
  END {
    printf "%-15s", "stream"
    if (has_before) printf " %9s", "before"
    printf " %9s", "after"
    if (has_before) printf " %8s", "change"
    printf " %11s %12s %8s %10s %10s %10s\n", "peer feed", "peer dec+fd", "memchr",
           "x peer fd", "x peer d+f", "x memchr"
    n = split(kinds, kind, " ")
    for (i = 1; i <= n; ++i) {
      k = kind[i]; a = median["after/parse", k]; b = median["before/parse", k]
      pf = median["peer/feed", k]; pd = median["peer/decode+feed", k]; m = median["after/memchr", k]
      printf "%-15s", k
      if (has_before) printf " %9s", cell(b)
      printf " %9s", cell(a)
      if (has_before) printf " %8s", ratio(a, b)
      printf " %11s %12s %8s %10s %10s %10s\n", cell(pf), cell(pd), cell(m), ratio(a, pf), ratio(a, pd), ratio(a, m)
    }
  }' "$work/medians"
