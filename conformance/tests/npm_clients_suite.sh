#!/bin/sh
# One npm-clients library's whole client suite through `ssespec client --persistent` (one Node
# process for every case); passes when its failures are exactly those in its expectations file.
#   npm_clients_suite.sh SSESPEC ADAPTER [process|persistent [ssespec client options...]]
#   e.g. eventsource-4; "process": one process per case; later arguments (--filter ...) go to ssespec
# Exit 77 (CTest: skipped) without Node.js or without `npm ci --prefix conformance/adapters/npm-clients`.
set -eu
ssespec="$1"
name="$2"
mode="${3:-persistent}"
[ $# -ge 3 ] && shift 3 || shift $#
here=$(cd "$(dirname "$0")/.." && pwd)
adapters="$here/adapters/npm-clients"
if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED: node is not installed" >&2
  exit 77
fi
if [ ! -d "$adapters/node_modules" ]; then
  echo "SKIPPED: run 'npm ci --prefix conformance/adapters/npm-clients' first" >&2
  exit 77
fi
persistent=--persistent
if [ "$mode" = process ]; then persistent=""; fi
exec "$ssespec" client -q --strict $persistent "$@" --name "$name" --expectations "$here/expectations/$name.json" \
  -- node "$adapters/$name.mjs"
