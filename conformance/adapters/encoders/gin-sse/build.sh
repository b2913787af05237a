#!/bin/sh
# Builds the gin-contrib/sse encoder adapter against Debian's golang-github-gin-contrib-sse-dev,
# without Go modules (GOPATH=/usr/share/gocode), into OUT_DIR:
#   build.sh OUT_DIR   ->   OUT_DIR/gin-sse-adapter
# Exit 77 if Go or the library is not installed (apt-get install golang-go golang-github-gin-contrib-sse-dev).
set -eu
out="${1:?usage: build.sh OUT_DIR}"
here=$(cd "$(dirname "$0")" && pwd)
command -v go >/dev/null 2>&1 || { echo "SKIPPED: apt-get install golang-go" >&2; exit 77; }
[ -d /usr/share/gocode/src/github.com/gin-contrib/sse ] || { echo "SKIPPED: apt-get install golang-github-gin-contrib-sse-dev" >&2; exit 77; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$here"
GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$out/go-cache" GOFLAGS= go build -o "$out/gin-sse-adapter" adapter.go
