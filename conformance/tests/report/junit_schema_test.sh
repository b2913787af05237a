#!/usr/bin/env bash
# JUnit output of passing and failing runs validates against junit.xsd, and the schema itself
# rejects a malformed document (so this check can fail).
# Usage: junit_schema_test.sh SSESPEC_BINARY
set -euo pipefail
ssespec="$1"
here="$(cd "$(dirname "$0")" && pwd)"
xsd="$here/junit.xsd"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v xmllint >/dev/null || { echo "xmllint missing: apt-get install libxml2-utils"; exit 1; }

"$ssespec" corpus --quiet --junit "$work/pass.xml" >/dev/null
xmllint --noout --schema "$xsd" "$work/pass.xml"

# A corpus with a failing case whose data holds U+0000 and markup characters.
mkdir -p "$work/fixtures/parse"
cat >"$work/fixtures/parse/broken.json" <<'JSON'
{"description": "deliberately wrong expectations",
 "cases": [
  {"id": "wrong-data", "description": "expects the wrong data",
   "spec": [{"url": "https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage", "quote": "<&>"}],
   "chunks": ["data: a\u0000<b>&\n\n"], "expect": [{"type": "message", "data": "x", "lastEventId": ""}]},
  {"id": "right", "description": "passes",
   "spec": [{"url": "https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage"}],
   "chunks": ["data: a\n\n"], "expect": [{"type": "message", "data": "a", "lastEventId": ""}]}
 ]}
JSON
set +e
"$ssespec" corpus --quiet --fixtures "$work/fixtures" --junit "$work/fail.xml" >/dev/null
status=$?
set -e
[ "$status" -eq 1 ] || { echo "expected exit status 1 for a failing run, got $status"; exit 1; }
xmllint --noout --schema "$xsd" "$work/fail.xml"
grep -q '<failure message=' "$work/fail.xml" || { echo "no <failure> element for the failing case"; exit 1; }
grep -q 'failures="1"' "$work/fail.xml" || { echo "failure count missing"; exit 1; }

# The schema is not a rubber stamp: a testcase without a name is rejected.
sed 's/<testcase name="[^"]*"/<testcase/' "$work/fail.xml" >"$work/bad.xml"
if xmllint --noout --schema "$xsd" "$work/bad.xml" 2>/dev/null; then
  echo "junit.xsd accepted a testcase without a name"
  exit 1
fi
echo "JUnit output validates; malformed output is rejected"
