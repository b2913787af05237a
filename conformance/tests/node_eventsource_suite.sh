#!/bin/sh
# The whole client suite against npm eventsource; passes when its failures are exactly those in
# conformance/expectations/node-eventsource.json. Exit 77 (CTest: skipped) without Node.js or
# without `npm ci --prefix conformance/adapters/node-eventsource`.
set -eu
ssespec="$1"
here=$(cd "$(dirname "$0")/.." && pwd)
adapter="$here/adapters/node-eventsource"
if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED: node is not installed" >&2
  exit 77
fi
if [ ! -d "$adapter/node_modules/eventsource" ]; then
  echo "SKIPPED: run 'npm ci --prefix conformance/adapters/node-eventsource' first" >&2
  exit 77
fi
exec "$ssespec" client -q --strict --name "npm eventsource" --capabilities close,close-in-handler,headers,post \
  --expectations "$here/expectations/node-eventsource.json" -- node "$adapter/adapter.mjs"
