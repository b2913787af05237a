#!/usr/bin/env bash
# Installs ssespec's .deb on this machine the way a user would (apt-get install ./ssespec_*.deb)
# and runs it from a temporary folder with the source checkout and the build tree hidden, so any
# use of a compiled-in source path fails. Then the relocatable .tar.gz and find_package(ssespec).
# It removes the package and its temporary files on every exit, so it can run again.
#
#   package_test.sh BUILD_DIR SOURCE_DIR
# Needs root (apt-get, and a private mount namespace to hide the trees) and opt-in with
# SSESPEC_INSTALL_TEST=1 (.ci/run sets it): it changes the machine's installed packages.
set -euo pipefail

if [ "${1:-}" = --hidden ]; then
  # Second stage, in a private mount namespace: the trees are hidden under empty tmpfs mounts,
  # visible to this process and its children only. The build tree first: it may lie inside the checkout.
  shift
  work=$1 corpus_version=$2 build_dir=$3 source_dir=$4
  for dir in "$build_dir" "$source_dir"; do mount -t tmpfs -o ro,size=1k ssespec-hidden "$dir"; done
  [ -z "$(ls -A "$source_dir")" ] || { echo "FAIL: $source_dir is still visible"; exit 1; }
  cd "$work"
  . "$work/wait.sh"
  step() { echo "== $*"; }

  step "ssespec --version names the program and the corpus"
  version=$(ssespec --version)
  echo "$version"
  grep -qx "ssespec [0-9.]*" <<<"$(head -1 <<<"$version")" || { echo "FAIL: no program version"; exit 1; }
  grep -q "^fixture corpus $corpus_version (/usr/share/ssespec/fixtures)$" <<<"$version" \
    || { echo "FAIL: expected fixture corpus $corpus_version from /usr/share/ssespec/fixtures"; exit 1; }

  step "the data and docs are installed"
  for f in fixtures/VERSION fixtures/schema/parse.schema.json browser-tests/package-lock.json \
           browser-tests/node_modules/playwright-core/package.json doc/README.md doc/conformance/ADAPTERS.md; do
    [ -s "/usr/share/ssespec/$f" ] || { echo "FAIL: /usr/share/ssespec/$f is missing"; exit 1; }
  done

  step "ssespec fixtures path / export"
  [ "$(ssespec fixtures path)" = /usr/share/ssespec/fixtures ] || { echo "FAIL: fixtures path"; exit 1; }
  ssespec fixtures export "$work/corpus"
  for f in VERSION README.md REPLAYING.md schema/parse.schema.json parse/line-endings.json; do
    [ -s "$work/corpus/$f" ] || { echo "FAIL: export lacks $f"; exit 1; }
  done

  step "ssespec corpus"
  ssespec corpus -q

  step "ssespec client -- ssespec connect"
  ssespec client -q --name "installed reference client" -- ssespec connect

  step "ssespec server against ssespec serve"
  ssespec serve --port 0 >"$work/serve.log" 2>&1 &
  serve_pid=$!
  trap 'kill "$serve_pid" 2>/dev/null || true' EXIT
  wait_for_line "ssespec serve" "$serve_pid" "$work/serve.log" 'listening on http://127\.0\.0\.1:[0-9]+' \
    || { echo "FAIL: ssespec serve did not start"; exit 1; }
  url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/serve.log" | head -1)
  ssespec server -q "$url/demo/clock"
  kill "$serve_pid"
  wait "$serve_pid" 2>/dev/null || true
  trap - EXIT

  step "ssespec browser (one fixture file, Chromium)"
  ssespec browser -q --filter client/open --timeout 120

  step "the .tar.gz runs from wherever it is unpacked"
  mkdir "$work/tgz"
  tar -xzf "$work"/pkg/ssespec-*.tar.gz -C "$work/tgz"
  tgz_bin=$(echo "$work"/tgz/ssespec-*/bin/ssespec)
  [ "$("$tgz_bin" fixtures path)" = "$(dirname "$(dirname "$tgz_bin")")/share/ssespec/fixtures" ] \
    || { echo "FAIL: the unpacked program does not use its own fixtures"; exit 1; }
  "$tgz_bin" corpus -q --filter parse/line-endings

  step "find_package(ssespec) and ssespec::parser from the installed package"
  cmake -S "$work/consumer" -B "$work/consumer-build" >/dev/null
  cmake --build "$work/consumer-build" >/dev/null
  "$work/consumer-build/consumer"
  echo "PASS: installed ssespec works with no source or build tree in reach"
  exit 0
fi

[ "${SSESPEC_INSTALL_TEST:-}" = 1 ] || {
  echo "skipped: installs a package on this machine; set SSESPEC_INSTALL_TEST=1 to run it (.ci/run does)"
  exit 77
}
[ "$(id -u)" = 0 ] || { echo "FAIL: needs root (apt-get install, mount namespace)"; exit 1; }
unshare --mount --propagation private true 2>/dev/null \
  || { echo "FAIL: cannot make a private mount namespace (unshare --mount); a container needs CAP_SYS_ADMIN"; exit 1; }
build_dir=$(realpath "$1")
source_dir=$(realpath "$2")
marker="$build_dir/package_test.installed"  # the package on this machine is ours (an interrupted run)

installed() { dpkg-query -W -f='${Status}' ssespec 2>/dev/null | grep -q "install ok installed"; }
apt() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -qq "$@" >/dev/null; }

if installed; then
  if [ -f "$marker" ]; then
    apt purge ssespec && rm -f "$marker"
  else
    echo "FAIL: a ssespec package is already installed, not by this test; it is left alone (apt-get purge ssespec to run this test)"
    exit 1
  fi
fi

work=$(mktemp -d /tmp/ssespec-package-test.XXXXXX)
cleanup() {
  if [ -f "$marker" ]; then apt purge ssespec && rm -f "$marker"; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== cpack: .deb and .tar.gz"
cpack --config "$build_dir/CPackConfig.cmake" -G "DEB;TGZ" -B "$work/pkg" >/dev/null
# The consumer project is copied out now: the source tree is hidden in the second stage.
cp -r "$(dirname "$(realpath "$0")")/consumer" "$work/consumer"
cp "$(realpath "$0")" "$work/package_test.sh"
cp "$(dirname "$(realpath "$0")")/../wait.sh" "$work/wait.sh"

echo "== apt-get install ./ssespec_*.deb"
touch "$marker"
(cd "$work/pkg" && apt install ./ssespec_*.deb)
[ "$(command -v ssespec)" = /usr/bin/ssespec ] || { echo "FAIL: ssespec is not /usr/bin/ssespec"; exit 1; }

corpus_version=$(head -1 "$source_dir/fixtures/VERSION")
unshare --mount --propagation private \
  bash "$work/package_test.sh" --hidden "$work" "$corpus_version" "$build_dir" "$source_dir"
