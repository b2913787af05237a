#!/bin/sh
# The whole client suite against npm eventsource; passes when its failures are exactly those in
# conformance/expectations/node-eventsource.json.
#   node_eventsource_suite.sh SSESPEC            one adapter process per case (adapter.mjs)
#   node_eventsource_suite.sh SSESPEC service    one long-lived test service (service.mjs), run
#       twice: with ssespec's extensions (every case the per-process adapter runs), and --plain,
#       speaking LaunchDarkly's protocol only (no open, no readyState: those cases are skipped).
#       The same expectations file holds for both: the modes must agree.
# Exit 77 (CTest: skipped) without Node.js or without
# `npm ci --prefix conformance/adapters/node-eventsource`.
set -eu
ssespec="$1"
mode="${2:-process}"
here=$(cd "$(dirname "$0")/.." && pwd)
adapter="$here/adapters/node-eventsource"
expectations="$here/expectations/node-eventsource.json"
if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED: node is not installed" >&2
  exit 77
fi
if [ ! -d "$adapter/node_modules/eventsource" ]; then
  echo "SKIPPED: run 'npm ci --prefix conformance/adapters/node-eventsource' first" >&2
  exit 77
fi
if [ "$mode" = process ]; then
  exec "$ssespec" client -q --strict --name "npm eventsource" --capabilities close,close-in-handler,headers,post \
    --expectations "$expectations" -- node "$adapter/adapter.mjs"
fi

out=$(mktemp)
service=""
trap 'if [ -n "$service" ]; then kill $service 2>/dev/null; fi; rm -f "$out"' EXIT

# Starts the service with the given flags, runs the suite through it, stops it.
run_service_suite() {
  name=$1
  shift
  : >"$out"
  node "$adapter/service.mjs" 0 "$@" >"$out" &
  service=$!
  url=""
  for _ in $(seq 100); do  # up to 10 s for Node to start
    url=$(sed -n 's/^listening on //p' "$out")
    [ -n "$url" ] && break
    kill -0 $service 2>/dev/null || { echo "the test service exited before listening" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { echo "the test service did not start within 10 s" >&2; exit 1; }
  status=0
  "$ssespec" client -q --strict --jobs 8 --name "$name" --service "$url" --expectations "$expectations" || status=$?
  kill $service
  wait $service 2>/dev/null || true
  service=""
  return $status
}

run_service_suite "npm eventsource (service)"
run_service_suite "npm eventsource (plain LaunchDarkly service)" --plain
