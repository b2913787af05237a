#!/bin/sh
# One Debian-packaged client library's whole client suite; passes when its failures are exactly
# those in conformance/expectations/NAME.json. The options are the ones .ci/main-job runs it with
# (what its API cannot report, what its adapter can do).
#   debian_clients_suite.sh SSESPEC NAME [process|persistent [ssespec client options...]]
#   NAME: php-symfony-eventsource, python-mastodon, node-eventsource-2. "process" (the default):
#   one adapter process per case; "persistent": one for every case (--persistent; node-eventsource-2,
#   whose adapter runs each case in a worker thread, and python-mastodon, each case on a thread of
#   its own, so a crash stays that case's own).
#   Later arguments (--filter ...) go to ssespec.
# Exit 77 (CTest: skipped) when the library's Debian package is not installed (.ci/install-deps).
set -eu
ssespec="$1"
name="$2"
mode="${3:-process}"
[ $# -ge 3 ] && shift 3 || shift $#
here=$(cd "$(dirname "$0")/.." && pwd)
adapter="$here/adapters/$name"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
case "$name" in
  # --timeout 15: the adapter decodes UTF-8 in PHP code, and a 10 MiB event took over 5 s with no
  # progress under ASan on a busy machine (the adapter's time, not the library's behaviour).
  php-symfony-eventsource) package=php-symfony-http-client; declared="--cannot-report ready-state --timeout 15"
                           command="php $adapter/adapter.php" ;;
  python-mastodon) package=python3-mastodon; declared="--cannot-report open,ready-state,last-event-id"
                   command="/usr/bin/python3 $adapter/adapter.py" ;;
  node-eventsource-2) package=node-eventsource; declared=""; command="node $adapter/adapter.mjs" ;;
  *) echo "debian_clients_suite.sh: unknown library $name" >&2; exit 2 ;;
esac
if ! installed "$package"; then
  echo "SKIPPED: the Debian package $package is not installed (.ci/install-deps)" >&2
  exit 77
fi
persistent=""
case "$mode" in
  process) ;;
  persistent) [ "$name" = node-eventsource-2 ] || [ "$name" = python-mastodon ] || { echo "debian_clients_suite.sh: $name has no persistent adapter" >&2; exit 2; }
              persistent=--persistent ;;
  *) echo "debian_clients_suite.sh: unknown mode $mode (process or persistent)" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086 # $declared, $persistent and $command are word lists
exec "$ssespec" client -q --strict $declared $persistent "$@" --capabilities close,close-in-handler,headers --name "$name" \
  --expectations "$here/expectations/$name.json" -- $command
