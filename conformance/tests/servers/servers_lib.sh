# Shared by real_servers_test.sh and h2/h2_servers_test.sh (sourced): starting servers, skipping
# when a tool is absent, nginx as a proxy. The caller sets $case_name, $work and $pids.
# shellcheck shell=sh

skip() { echo "SKIP $case_name: $*"; exit 77; }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 not found (.ci/install-deps installs it)"; }

# Runs COMMAND... (prints "listening PORT") in the background and waits for that line; sets $port.
# Each server writes files of its own.
started=0
start() {
  started=$((started + 1))
  "$@" >"$work/port.$started" 2>"$work/err.$started" &
  pids="$pids $!"
  wait_for_line "the $case_name server ($*)" $! "$work/port.$started" '^listening [0-9]+' \
    || { echo "FAIL $case_name: the server did not start"; cat "$work/err.$started"; exit 1; }
  port=$(awk '/^listening/ {print $2}' "$work/port.$started")
}

# nginx (Debian's nginx-light) on a free port, proxying to 127.0.0.1:$port with its defaults
# except proxy_buffering ($1: on|off); $2 is added to `listen` (e.g. "ssl http2") and $3 to the
# server block (certificates). Sets $port to nginx's.
nginx_in_front() {
  [ -x /usr/sbin/nginx ] || skip "/usr/sbin/nginx not found (nginx-light)"
  upstream=$port
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  mkdir -p "$work/nginx/tmp"
  chmod 755 "$work" "$work/nginx"; chmod 777 "$work/nginx/tmp"  # workers run as nobody when started as root
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp;
  proxy_temp_path $work/nginx/tmp;
  server {
    listen 127.0.0.1:$port ${2:-};
    ${3:-}
    location / { proxy_pass http://127.0.0.1:$upstream; proxy_buffering $1; }
  }
}
CONF
  /usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>"$work/nginx/start.log" &
  pids="$pids $!"
  wait_for "nginx on 127.0.0.1:$port" port_open "$port" \
    || { echo "FAIL $case_name: nginx did not start"; cat "$work/nginx/start.log" "$work/nginx/error.log" 2>/dev/null; exit 1; }
}
