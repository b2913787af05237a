#!/bin/sh
# The whole client suite against npm eventsource; passes when its failures are exactly those in
# conformance/expectations/node-eventsource.json.
#   node_eventsource_suite.sh SSESPEC [process [OPTIONS...]]   one adapter process per case (adapter.mjs);
#       OPTIONS go to ssespec client (--filter ...)
#   node_eventsource_suite.sh SSESPEC persistent  one adapter process for every case (--persistent,
#       as .ci/main-job runs it: adapter.mjs speaks both through npm-clients/protocol.mjs)
#   node_eventsource_suite.sh SSESPEC service    one long-lived test service (service.mjs), run
#       twice: with ssespec's extensions (every case the per-process adapter runs), and --plain,
#       speaking LaunchDarkly's protocol only (no open, no readyState: those cases are skipped).
#       The same expectations file holds for both: the modes must agree.
# Exit 77 (CTest: skipped) without Node.js or without
# `npm ci --prefix conformance/adapters/node-eventsource`.
set -eu
ssespec="$1"
mode="${2:-process}"
[ $# -ge 2 ] && shift 2 || shift $#
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/wait.sh"
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
if [ "$mode" = process ] || [ "$mode" = persistent ]; then
  persistent=""
  if [ "$mode" = persistent ]; then persistent=--persistent; fi
  exec "$ssespec" client -q --strict $persistent "$@" --name "npm eventsource" --capabilities close,close-in-handler,headers,post \
    --expectations "$expectations" -- node "$adapter/adapter.mjs"
fi

work=$(mktemp -d)
service=""
trap 'if [ -n "$service" ]; then kill $service 2>/dev/null; fi; rm -rf "$work"' EXIT

# Starts the service with the given flags, runs the suite through it, stops it.
run_service_suite() {
  name=$1
  shift
  out=$(mktemp "$work/service.XXXXXX")  # one file per service: never a previous service's line
  node "$adapter/service.mjs" 0 "$@" >"$out" &
  service=$!
  wait_for_line "the npm eventsource test service" $service "$out" '^listening on ' || exit 1
  url=$(sed -n 's/^listening on //p' "$out")
  status=0
  "$ssespec" client -q --strict --jobs 8 --name "$name" --service "$url" --expectations "$expectations" || status=$?
  kill $service
  wait $service 2>/dev/null || true
  service=""
  return $status
}

run_service_suite "npm eventsource (service)"
run_service_suite "npm eventsource (plain LaunchDarkly service)" --plain
