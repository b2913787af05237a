#!/bin/sh
# Client-suite timing under load (issue 10 item 2). Not a test: prints numbers.
# Saturates every core with busy loops (nice 0, the runner too), then runs the whole client
# suite with --jobs 8 against the reference client and, if installed, npm eventsource (per-process
# adapter, and the test service), ROUNDS times each. A false failure is a failed case that is
# not a known deviation (conformance/expectations/*.json): the target is zero.
#   bench/client_saturation.sh BUILD_DIR [ROUNDS]     (default: build, 3)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/conformance/tests/wait.sh"
build=${1:-build}
rounds=${2:-3}
ssespec="$build/conformance/ssespec"
node_dir="$here/conformance/adapters/node-eventsource"
known="$here/conformance/expectations/node-eventsource.json"
cores=$(nproc)
work=$(mktemp -d)
burners=""
service=""
cleanup() {
  for pid in $burners $service; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
for _ in $(seq "$cores"); do
  sh -c 'while :; do :; done' &
  burners="$burners $!"
done
echo "load: $cores busy loops on $cores cores; --jobs 8; $rounds round(s) each"

# Prints "name round failed false-failures seconds" for one run.
measure() {
  name=$1
  round=$2
  shift 2
  start=$(date +%s.%N)
  "$ssespec" client -q --strict --jobs 8 --json "$work/run.json" "$@" >"$work/out.txt" 2>&1 || true
  end=$(date +%s.%N)
  node -e '
    const fs = require("fs");
    const run = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const known = process.argv[2] ? new Set(JSON.parse(fs.readFileSync(process.argv[2], "utf8")).failures.map((f) => f.id)) : new Set();
    const failed = run.cases.filter((c) => c.verdict === "fail");
    const unexpected = failed.filter((c) => !known.has(c.id));
    const secs = (Number(process.argv[4]) - Number(process.argv[3])).toFixed(1);
    console.log(`${process.argv[5]}\tround ${process.argv[6]}\tfailed ${failed.length}\tfalse ${unexpected.length}\t${secs} s`);
    for (const c of unexpected) console.log(`    ${c.id}: ${c.message}`);
  ' "$work/run.json" "${KNOWN:-}" "$start" "$end" "$name" "$round"
}

for r in $(seq "$rounds"); do
  KNOWN="" measure "reference client" "$r" --name reference \
    --capabilities close,close-in-handler,headers,last-event-id,post,comments,read-timeout -- "$ssespec" connect
done
if [ -d "$node_dir/node_modules/eventsource" ]; then
  for r in $(seq "$rounds"); do
    KNOWN="$known" measure "npm eventsource (process)" "$r" --name eventsource --capabilities close,close-in-handler,headers,post \
      -- node "$node_dir/adapter.mjs"
  done
  node "$node_dir/service.mjs" 0 >"$work/service.txt" &
  service=$!
  wait_for_line "the npm eventsource test service" $service "$work/service.txt" '^listening on '
  url=$(sed -n 's/^listening on //p' "$work/service.txt")
  for r in $(seq "$rounds"); do
    KNOWN="$known" measure "npm eventsource (service)" "$r" --name eventsource-service --service "$url"
  done
fi
