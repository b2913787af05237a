#!/bin/sh
# wait.sh, the test scripts' waiting: each wait ends when its condition holds, fails at once
# when the process it waits for exits first, and otherwise fails after its bound, naming what
# did not come up.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/wait.sh"
work=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
failures=0
check() {  # NAME CONDITION...: CONDITION must hold
  name=$1
  shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; sed 's/^/    /' "$work/err"; failures=$((failures + 1)); fi
}
seconds_since() { echo $(($(date +%s) - $1)); }

# A line that comes late is waited for.
(sleep 1; echo "listening 1234") >"$work/late" &
pids="$pids $!"
started=$(date +%s)
wait_for_line "late server" $! "$work/late" '^listening [0-9]+' 2>"$work/err"
check "a readiness line printed after 1 s is seen" [ $? -eq 0 ]

# A process that exits without the line fails at once, with its output.
sh -c 'echo "cannot bind"; exit 3' >"$work/exits" &
started=$(date +%s)
wait_for_line "exiting server" $! "$work/exits" '^listening' 2>"$work/err"
status=$?
check "a process that exits first fails the wait" [ "$status" -eq 1 ]
check "... at once, not after the bound" [ "$(seconds_since "$started")" -lt 5 ]
check "... naming it" grep -q "exiting server exited before printing a line matching '^listening'" "$work/err"
check "... and showing its output" grep -q "cannot bind" "$work/err"

# A process that stays silent fails after the bound, naming what did not come up.
sleep 30 >"$work/silent" &
pids="$pids $!"
wait_bound=2
started=$(date +%s)
wait_for_line "silent server" $! "$work/silent" '^listening' 2>"$work/err"
status=$?
check "a silent process fails the wait" [ "$status" -eq 1 ]
check "... after the bound" [ "$(seconds_since "$started")" -ge 2 ]
check "... naming it" grep -q "silent server did not print a line matching '^listening' within 2 s" "$work/err"

# wait_for: a condition that never holds fails after the bound with its name.
wait_for "the never-file" [ -e "$work/never" ] 2>"$work/err"
check "wait_for fails on a condition that never holds" [ $? -eq 1 ]
check "... naming it" grep -q "the never-file did not come up within 2 s" "$work/err"
(sleep 1; : >"$work/soon") &
wait_for "the soon-file" [ -e "$work/soon" ] 2>"$work/err"
check "wait_for succeeds once the condition holds" [ $? -eq 0 ]

# port_open: refused (nothing listens) and accepted.
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})" 2>/dev/null)
if [ -n "$port" ]; then
  check "port_open is false where nothing listens" sh -c "! { . '$here/wait.sh'; port_open $port; }"
  node -e "require('net').createServer((c)=>c.end()).listen($port,'127.0.0.1',()=>console.log('listening $port'))" >"$work/node" 2>&1 &
  pids="$pids $!"
  wait_bound=30
  wait_for_line "node listener" $! "$work/node" '^listening' 2>"$work/err"
  check "port_open is true where a server listens" port_open "$port"
else
  echo "skip port_open (no node)"
fi

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
