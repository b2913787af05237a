#!/bin/sh
# The help texts against the code: every SSESPEC_* variable the program's sources name (as a
# string literal: getenv("SSESPEC_X"), or a constant of conformance/runner/environment.hpp) is
# named by some --help text; the check itself is shown to fail on a source that reads one
# more, undocumented; and an unknown command is named as such (exit 2).
#   help_test.sh SSESPEC SOURCE_DIR
set -u
ssespec=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# Every --help text: the top level's and each command's (the commands as --help lists them).
"$ssespec" --help >"$work/help" 2>&1
commands=$(sed -n '/^subcommands:/I,/^$/ s/^  \([a-z][a-z]*\) .*/\1/p' "$work/help")
[ -n "$commands" ] || fail "ssespec --help lists no commands"
for command in $commands; do "$ssespec" "$command" --help >>"$work/help" 2>&1; done

# quoted_variables DIR...: the SSESPEC_* names that the non-test C++ sources under DIR quote,
# one a line.
quoted_variables() {
  find "$@" \( -path '*/tests' -prune \) -o \( -name '*.cpp' -o -name '*.hpp' \) -exec grep -ohE '"SSESPEC_[A-Z0-9_]+"' {} + |
    tr -d '"' | sort -u
}
# undocumented_variables DIR...: those of them that no --help text names.
undocumented_variables() {
  quoted_variables "$@" | while read -r name; do grep -qw "$name" "$work/help" || echo "$name"; done
}

sources="$source_dir/conformance $source_dir/reference"
quoted=$(quoted_variables $sources | wc -l)
[ "$quoted" -ge 5 ] || fail "found only $quoted SSESPEC_* names in the sources (the search is broken)"
missing=$(undocumented_variables $sources)
if [ -n "$missing" ]; then
  fail "read by the code but in no --help text: $(echo $missing)"
else
  echo "ok   every one of the $quoted SSESPEC_* names in the sources is in a --help text"
fi

# The check must be able to fail: a source that reads a variable no help text names.
mkdir -p "$work/src"
printf '#include <cstdlib>\nconst char* x = std::getenv("SSESPEC_NOT_DOCUMENTED");\n' >"$work/src/new_reader.cpp"
if [ "$(undocumented_variables "$work/src")" = SSESPEC_NOT_DOCUMENTED ]; then
  echo "ok   a newly read, undocumented SSESPEC_NOT_DOCUMENTED is caught"
else
  fail "the check does not catch an undocumented variable"
fi

# An unknown command is named (CLI11 alone says "A subcommand is required"), exit 2.
"$ssespec" frobnicate >"$work/out" 2>&1
status=$?
if [ "$status" -eq 2 ] && grep -q "unknown command 'frobnicate'" "$work/out" && ! grep -q "subcommand is required" "$work/out"; then
  echo "ok   ssespec frobnicate: exit 2, $(head -1 "$work/out")"
else
  fail "ssespec frobnicate: exit $status, want 2 and \"unknown command 'frobnicate'\"; it printed: $(cat "$work/out")"
fi
# No command at all still asks for one; a known command keeps CLI11's own message.
"$ssespec" >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q "subcommand is required" "$work/out" || fail "ssespec with no command: $(cat "$work/out")"
"$ssespec" corpus frobnicate >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q "not expected: frobnicate" "$work/out" || fail "ssespec corpus frobnicate: $(cat "$work/out")"

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
