#!/bin/sh
# Builds the adapter against Debian's golang-github-donovanhide-eventsource-dev, without Go
# modules (the library is found in GOPATH=/usr/share/gocode), into OUT_DIR:
#   build.sh OUT_DIR   ->   OUT_DIR/go-donovanhide-adapter
# Exit 77 if Go or the library is not installed (apt-get install golang-go
# golang-github-donovanhide-eventsource-dev).
set -eu
out="${1:?usage: build.sh OUT_DIR}"
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v go >/dev/null 2>&1; then
  echo "SKIPPED: go is not installed (apt-get install golang-go)" >&2
  exit 77
fi
if [ ! -d /usr/share/gocode/src/github.com/donovanhide/eventsource ]; then
  echo "SKIPPED: apt-get install golang-github-donovanhide-eventsource-dev" >&2
  exit 77
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
# The Go build cache lives in OUT_DIR, so a build tree holds everything it made.
cd "$here"
GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$out/go-cache" GOFLAGS= \
  go build -o "$out/go-donovanhide-adapter" adapter.go
