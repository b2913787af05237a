# shellcheck shell=sh
# Waiting in the test and CI scripts (POSIX sh; sourced, not run). A script waits for a
# condition (a readiness line, an open port, a written file), never for a fixed time, and every
# wait is bounded by tens of seconds: a machine busy with other work is slow, not broken. When a
# wait runs out it names what did not come up.

# How long a wait may take, in seconds.
wait_bound=30

# wait_for WHAT COMMAND...: runs COMMAND every 0.1 s until it succeeds. After $wait_bound s
# prints "WHAT did not come up within N s" on stderr and returns 1.
wait_for() {
  wait_what=$1
  shift
  wait_deadline=$(($(date +%s) + wait_bound))
  until "$@"; do
    if [ "$(date +%s)" -ge "$wait_deadline" ]; then
      echo "$wait_what did not come up within $wait_bound s" >&2
      return 1
    fi
    sleep 0.1
  done
}

# wait_for_line WHAT PID FILE PATTERN: waits until FILE, the output of the background process
# PID, has a line matching the extended regular expression PATTERN. Returns 1 at once if PID
# exits first, and prints FILE on stderr whenever the line does not come. FILE must be the
# process's own (a fresh file per process): a file shared with an earlier process can still
# hold that process's line when the poll first reads it.
wait_for_line() {
  wait_what=$1 wait_pid=$2 wait_file=$3 wait_pattern=$4
  wait_deadline=$(($(date +%s) + wait_bound))
  until grep -qE "$wait_pattern" "$wait_file" 2>/dev/null; do
    if ! kill -0 "$wait_pid" 2>/dev/null; then
      echo "$wait_what exited before printing a line matching '$wait_pattern'; its output:" >&2
    elif [ "$(date +%s)" -ge "$wait_deadline" ]; then
      echo "$wait_what did not print a line matching '$wait_pattern' within $wait_bound s; its output:" >&2
    else
      sleep 0.1
      continue
    fi
    sed 's/^/    /' "$wait_file" >&2 2>/dev/null
    return 1
  done
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT. curl connects
# and holds the connection for at most 1 s; it exits 7 only when the connection is refused.
port_open() {
  curl -s -o /dev/null --max-time 1 "telnet://127.0.0.1:$1" </dev/null 2>/dev/null
  [ $? -ne 7 ]
}
