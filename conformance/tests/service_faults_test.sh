#!/bin/sh
# Service mode against fake services with one fault each (issue 18).
#   service_faults_test.sh SSESPEC dies   a service that exits after its first stream: the run
#       stops with exit 2 naming the case that was running, and counts no later case.
# Exit 77 (CTest: skipped) without Node.js.
set -eu
ssespec="$1"
fault="$2"
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/wait.sh"
if ! command -v node >/dev/null 2>&1; then echo "SKIPPED: node is not installed" >&2; exit 77; fi
work=$(mktemp -d)
service=""
trap 'if [ -n "$service" ]; then kill $service 2>/dev/null || true; fi; rm -rf "$work"' EXIT
case "$fault" in
  dies)
    node "$here/tests/services/fakes/dying_service.mjs" >"$work/service.log" &
    service=$!
    wait_for_line "the dying fake service" $service "$work/service.log" '^listening on ' || exit 1
    url=$(sed -n 's/^listening on //p' "$work/service.log")
    status=0
    "$ssespec" client -q --jobs 1 --service "$url" --json "$work/run.json" >"$work/out.txt" 2>&1 || status=$?
    cat "$work/out.txt"
    if [ "$status" -ne 2 ]; then echo "FAIL: exit $status, expected 2 (the service is gone)" >&2; exit 1; fi
    grep -q "is gone" "$work/out.txt" || { echo "FAIL: no 'is gone' message" >&2; exit 1; }
    grep -q "running then: " "$work/out.txt" || { echo "FAIL: the running case is not named" >&2; exit 1; }
    if grep -q "Connection refused" "$work/out.txt" && [ "$(grep -c 'Connection refused' "$work/out.txt")" -gt 2 ]; then
      echo "FAIL: later cases were counted as failures" >&2; exit 1
    fi
    echo "PASS: the run stopped (exit 2) and named the running case" ;;
  *) echo "unknown fault $fault" >&2; exit 2 ;;
esac
