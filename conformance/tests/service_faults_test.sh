#!/bin/sh
# Service mode against fake services with one fault each (issue 18).
#   service_faults_test.sh SSESPEC FAULT
#   dies             a service that exits after its first stream: the run stops with exit 2
#                    naming the case that was running, and counts no later case.
#   keep-alive       every stream posts its callbacks through a keep-alive agent of its own: the
#                    whole suite, --jobs 4, has no time-out and no failure (the reference client
#                    passes every case).
#   single-threaded  one stream at a time (a create is answered once the previous stream is
#                    deleted), --jobs 4, one case that takes 7 s (steady progress) and quick ones
#                    held behind it: no failure.
#   comments         a service with `comments`: the 100,000-comment case skips, naming the
#                    comments, instead of timing out; comments-observed is still graded.
#   ld-listen        LaunchDarkly's event-type-listeners without ssespec-listen: the cases with
#                    events named open or error skip with the reason, not fail.
#   restart          LaunchDarkly's `restart`: the restart cases pass through a service that has
#                    it, and skip, naming the capability, through one that has not.
# The fakes but `dies` are conformance/tests/services/fakes/ld_fake_service.mjs, which runs the
# reference client (SSESPEC connect) for each stream. Exit 77 (CTest: skipped) without Node.js.
set -eu
ssespec="$1"
fault="$2"
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/wait.sh"
if ! command -v node >/dev/null 2>&1; then echo "SKIPPED: node is not installed" >&2; exit 77; fi
work=$(mktemp -d)
service=""
trap 'if [ -n "$service" ]; then kill $service 2>/dev/null || true; fi; rm -rf "$work"' EXIT

# start_fake FAULT: starts ld_fake_service.mjs with that fault; sets $service and $url.
start_fake() {
  if [ -n "$service" ]; then kill $service 2>/dev/null || true; wait $service 2>/dev/null || true; fi
  log="$work/service-$1.log"
  node "$here/tests/services/fakes/ld_fake_service.mjs" "$ssespec" "$1" >"$log" 2>"$work/service-$1.err" &
  service=$!
  wait_for_line "the fake service ($1)" $service "$log" '^listening on ' || exit 1
  url=$(sed -n 's/^listening on //p' "$log")
}

# run_client NAME ARGS...: runs the client suite against $url; output in $work/NAME.txt, the
# JSON report in $work/NAME.json, the exit status in $status.
run_client() {
  name=$1
  shift
  status=0
  "$ssespec" client -q --service "$url" --json "$work/$name.json" "$@" >"$work/$name.txt" 2>&1 || status=$?
  cat "$work/$name.txt"
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# verdict NAME ID: the verdict of case ID in $work/NAME.json (empty if it did not run).
verdict() {
  node -e 'const r = require(process.argv[1]); const c = r.cases.find((c) => c.id === process.argv[2]);
           process.stdout.write(c ? c.verdict : "")' "$work/$1.json" "$2"
}

# message NAME ID: that case's message.
message() {
  node -e 'const r = require(process.argv[1]); const c = r.cases.find((c) => c.id === process.argv[2]);
           process.stdout.write(c ? c.message : "")' "$work/$1.json" "$2"
}

# expect_skip NAME ID TEXT: case ID was skipped with a message containing TEXT.
expect_skip() {
  v=$(verdict "$1" "$2")
  m=$(message "$1" "$2")
  [ "$v" = skip ] || fail "$2: $v, expected skip ($m)"
  case "$m" in *"$3"*) ;; *) fail "$2: skipped as \"$m\", expected a reason with \"$3\"" ;; esac
  echo "ok: $2 skips: $m"
}

# expect_pass NAME ID
expect_pass() {
  v=$(verdict "$1" "$2")
  [ "$v" = pass ] || fail "$2: ${v:-not run}, expected pass ($(message "$1" "$2"))"
  echo "ok: $2 passes"
}

case "$fault" in
  dies)
    node "$here/tests/services/fakes/dying_service.mjs" >"$work/service.log" &
    service=$!
    wait_for_line "the dying fake service" $service "$work/service.log" '^listening on ' || exit 1
    url=$(sed -n 's/^listening on //p' "$work/service.log")
    run_client dies --jobs 1
    if [ "$status" -ne 2 ]; then fail "exit $status, expected 2 (the service is gone)"; fi
    grep -q "is gone" "$work/dies.txt" || fail "no 'is gone' message"
    grep -q "running then: " "$work/dies.txt" || fail "the running case is not named"
    if [ "$(grep -c 'Connection refused' "$work/dies.txt")" -gt 2 ]; then fail "later cases were counted as failures"; fi
    echo "PASS: the run stopped (exit 2) and named the running case" ;;
  keep-alive)
    start_fake keep-alive
    run_client keep-alive --jobs 4
    if grep -q "timed out" "$work/keep-alive.txt"; then fail "cases timed out: $(grep -c 'timed out' "$work/keep-alive.txt")"; fi
    [ "$status" -eq 0 ] || fail "exit $status: the reference client behind the service fails no case"
    echo "PASS: the whole suite through a keep-alive service: no time-out, no failure" ;;
  single-threaded)
    # One case with steady progress for 7 s (a chunk a second, so never 5 s without progress)
    # and six quick ones; the four workers' creates queue behind it at the service, longer than
    # the HTTP timeout (5 s) and than --startup-timeout 3, neither of which counts that wait.
    mkdir -p "$work/fixtures/client"
    quote='"spec": [{"url": "https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage", "quote": "Fire an event"}]'
    {
      printf '{"description": "A slow case, then quick ones (service_faults_test.sh single-threaded)", "cases": [\n'
      printf '{"id": "slow", "description": "Seven events a second apart", %s,\n' "$quote"
      printf ' "connections": [{"response": {"chunks": ["data: 1\\n\\n"'
      for i in 2 3 4 5 6 7 8; do printf ', {"delayMs": 1000}, "data: %s\\n\\n"' $i; done
      printf '], "end": "hang"}}],\n "expect": {"trace": [{"open": {}}'
      for i in 1 2 3 4 5 6 7 8; do printf ', {"message": {"data": "%s"}}' $i; done
      printf ']}}'
      for i in 1 2 3 4 5 6; do
        printf ',\n{"id": "quick-%s", "description": "One event", %s,\n' $i "$quote"
        printf ' "connections": [{"response": {"chunks": ["data: q\\n\\n"], "end": "hang"}}],\n'
        printf ' "expect": {"trace": [{"open": {}}, {"message": {"data": "q"}}]}}'
      done
      printf '\n]}\n'
    } >"$work/fixtures/client/one-at-a-time.json"
    start_fake single-threaded
    run_client single-threaded --jobs 4 --startup-timeout 3 --fixtures "$work/fixtures"
    [ "$status" -eq 0 ] || fail "exit $status: cases held behind the slow one failed"
    expect_pass single-threaded client/one-at-a-time/slow
    for i in 1 2 3 4 5 6; do expect_pass single-threaded client/one-at-a-time/quick-$i; done
    echo "PASS: one stream at a time, --jobs 4: the creates held behind a slow case waited, none failed" ;;
  comments)
    start_fake comments
    run_client comments --jobs 4 --filter parse/large-inputs/many-keep-alive-comments --filter client/library-options/comments-observed \
      --filter parse/comments
    expect_skip comments parse/large-inputs/many-keep-alive-comments "the stream carries 100000 comments"
    expect_pass comments client/library-options/comments-observed
    [ "$status" -eq 0 ] || fail "exit $status"
    echo "PASS: the comment flood skips with its reason; the other comment cases run" ;;
  ld-listen)
    start_fake ld-listen
    run_client ld-listen --jobs 4 --timeout 2 --filter client/events/named-open-is-a-message \
      --filter client/events/named-error-is-a-message --filter parse/field-event/event-named-like-api-events \
      --filter 'client/open/*'
    for id in client/events/named-open-is-a-message client/events/named-error-is-a-message \
              parse/field-event/event-named-like-api-events; do
      expect_skip ld-listen $id "needs capability 'ssespec-listen'"
    done
    expect_pass ld-listen client/open/open-before-first-message
    [ "$status" -eq 0 ] || fail "exit $status"
    echo "PASS: events named open or error skip with the reason through a LaunchDarkly listen service" ;;
  restart)
    start_fake restart
    run_client restart --jobs 4 --filter client/library-options
    for id in client/library-options/restart-reconnects client/library-options/restart-sends-last-event-id; do
      expect_pass restart $id
    done
    [ "$status" -eq 0 ] || fail "exit $status"
    start_fake none
    run_client no-restart --jobs 4 --filter client/library-options
    for id in client/library-options/restart-reconnects client/library-options/restart-sends-last-event-id; do
      expect_skip no-restart $id "needs capability 'restart'"
    done
    [ "$status" -eq 0 ] || fail "exit $status"
    echo "PASS: restart cases pass through a service with restart, and skip through one without" ;;
  *) echo "unknown fault $fault" >&2; exit 2 ;;
esac
