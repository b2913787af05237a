#!/usr/bin/env bash
# Each client library's whole suite timed in the three ways `ssespec client` drives an adapter:
# per process (one adapter process per case), persistent (--persistent: one process for every
# case, over stdio) and service (--service: a long-lived test service over HTTP). Prints a table;
# a mode the adapter does not speak reads "n/a (mode not supported by this adapter)".
#   bench/suite_modes.sh [SSESPEC] [NAME...]   NAME: only these libraries (default: all)
# Run it on a quiet machine: the figures are wall times, and each suite runs --jobs 4 cases at once.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ssespec="${1:-$root/${BUILD_DIR:-build}/conformance/ssespec}"
shift || true
[ -x "$ssespec" ] || { echo "usage: bench/suite_modes.sh [SSESPEC] [NAME...]: no ssespec at $ssespec (build first)" >&2; exit 2; }
. "$root/conformance/tests/wait.sh"
npm="$root/conformance/adapters/npm-clients"
node_es="$root/conformance/adapters/node-eventsource"
node_es2="$root/conformance/adapters/node-eventsource-2"  # Debian's eventsource 2.0.2 (its expectations: node-eventsource-2.json)
go_dir="$root/${BUILD_DIR:-build}/go-donovanhide-eventsource"
has_persistent=0
"$ssespec" client --help 2>/dev/null | grep -q -- '--persistent' && has_persistent=1

# NAME | capabilities | per-process adapter | persistent adapter ("" : none) | service ("" : none)
libraries=(
  "reference-client|close,close-in-handler,headers,last-event-id,post,comments,read-timeout|$ssespec connect||"
  "node-eventsource|close,close-in-handler,headers,post|node $node_es/adapter.mjs|node $node_es/adapter.mjs|node $node_es/service.mjs 0"
  "node-eventsource-2|close,close-in-handler,headers|node $node_es2/adapter.mjs|node $node_es2/adapter.mjs|"
  "eventsource-4||node $npm/eventsource-4.mjs|node $npm/eventsource-4.mjs|"
  "undici||node $npm/undici.mjs|node $npm/undici.mjs|"
  "extended-eventsource||node $npm/extended-eventsource.mjs|node $npm/extended-eventsource.mjs|"
  "fetch-event-source||node $npm/fetch-event-source.mjs|node $npm/fetch-event-source.mjs|"
  "eventsource-client||node $npm/eventsource-client.mjs|node $npm/eventsource-client.mjs|"
  "reconnecting-eventsource||node $npm/reconnecting-eventsource.mjs|node $npm/reconnecting-eventsource.mjs|"
  "go-donovanhide-eventsource||$go_dir/go-donovanhide-adapter||"
)

work="$(mktemp -d)"
service_pid=""
trap '[ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null; rm -rf "$work"' EXIT

expectations_of() {  # the library's expectations file, if it has one
  local f="$root/conformance/expectations/$1.json"
  [ -f "$f" ] && echo "--expectations $f"
}

timed() {  # timed COMMAND...: prints "12.3 s" (and the exit status when not 0 or 1)
  local start end status
  start=$(date +%s.%N)
  "$@" >"$work/out" 2>&1
  status=$?
  end=$(date +%s.%N)
  local took
  took=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }')
  case "$status" in
    0) echo "$took" ;;
    1) echo "$took (unexpected failures)" ;;
    *) echo "$took (exit $status: $(tail -n1 "$work/out"))" ;;
  esac
}

run_mode() {  # run_mode NAME CAPS MODE ADAPTER
  local name="$1" caps="$2" mode="$3" adapter="$4"
  local args=(client -q --strict --name "$name")
  [ -n "$caps" ] && args+=(--capabilities "$caps")
  # shellcheck disable=SC2207
  args+=($(expectations_of "$name"))
  case "$mode" in
    process) timed "$ssespec" "${args[@]}" -- $adapter ;;
    persistent) timed "$ssespec" "${args[@]}" --persistent -- $adapter ;;
    service)
      $adapter >"$work/service.log" 2>&1 &
      service_pid=$!
      if ! wait_for_line "the $name test service" "$service_pid" "$work/service.log" '^listening on ' >/dev/null 2>&1; then
        echo "n/a (the service did not start: $(tail -n1 "$work/service.log"))"
      else
        local url
        url=$(sed -n 's/^listening on //p' "$work/service.log" | head -n1)
        timed "$ssespec" client -q --strict --jobs 8 --name "$name" --service "$url" $(expectations_of "$name")
      fi
      kill "$service_pid" 2>/dev/null
      wait "$service_pid" 2>/dev/null
      service_pid="" ;;
  esac
}

printf '%-28s %-30s %-30s %s\n' library "per process" persistent service
for entry in "${libraries[@]}"; do
  IFS='|' read -r name caps process persistent service <<<"$entry"
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  if [ "$name" = go-donovanhide-eventsource ] && [ ! -x "$go_dir/go-donovanhide-adapter" ]; then
    "$root/conformance/adapters/go-donovanhide-eventsource/build.sh" "$go_dir" >/dev/null 2>&1 \
      || { printf '%-28s %s\n' "$name" "n/a (the Go adapter does not build here)"; continue; }
  fi
  cells=("$(run_mode "$name" "$caps" process "$process")")
  if [ -z "$persistent" ]; then
    cells+=("n/a (mode not supported by this adapter)")
  elif [ "$has_persistent" -eq 0 ]; then
    cells+=("n/a (this ssespec has no --persistent)")
  else
    cells+=("$(run_mode "$name" "$caps" persistent "$persistent")")
  fi
  if [ -z "$service" ]; then
    cells+=("n/a (mode not supported by this adapter)")
  else
    cells+=("$(run_mode "$name" "$caps" service "$service")")
  fi
  printf '%-28s %-30s %-30s %s\n' "$name" "${cells[@]}"
done
