#!/bin/sh
# Builds the Go adapter (Debian's golang-github-donovanhide-eventsource-dev) into BUILD_DIR and
# runs the close and events scenarios against it; passes when the failures are exactly those
# the expectations file lists for them. Exit 77 (CTest: skipped) without Go or the library.
set -eu
ssespec="$1"
build_dir="$2"
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/adapters/go-donovanhide-eventsource/build.sh" "$build_dir" || exit $?
exec "$ssespec" client -q --strict --jobs 2 --name "Go donovanhide/eventsource" \
  --filter client/close --filter client/events \
  --expectations "$here/expectations/go-donovanhide-eventsource.json" -- "$build_dir/go-donovanhide-adapter"
