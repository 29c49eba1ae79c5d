#!/usr/bin/env bash
# Public pages while logins flood: a verification page under `wrk -t1 -c32`, alone and while
# 50 parallel clients (bench/login_flood.py) post login attempts as fast as they are answered:
#   reference: the flood aimed at nginx answering every POST with 429 at once — what the flood
#     client's own CPU costs the page on this machine;
#   one network, default limits (the rate limit and the throttle stop it early);
#   one network, no rate limit (the throttle alone: 20 failures, then refused unchecked);
#   250 networks (127.0.0.2–251), no rate limit (every attempt verified: the Argon2 gate alone).
# Prints requests/s of the page and the ratio to the page alone and to the reference (target:
# ≥ 0.8 for a flood from one network), the login answers, and how long the right password takes
# from a network without failures during the flood.
# Usage: bench/logins.sh [SECONDS]   (default 10)   SQE_BENCH_BIN=… to skip the build.
# Needs: wrk, nginx (apt-get install nginx-light), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
unset SQE_RATE_LIMIT_LOGIN
SECS=${1:-10}
OUT=bench-out
PORT=18102
NGINX_PORT=18103
mkdir -p "$OUT/logins-nginx/logs"
BIN=${SQE_BENCH_BIN:-target/release/sqe-registry}
[ -n "${SQE_BENCH_BIN:-}" ] || cargo build --release --quiet
DB="$OUT/logins.db"
rm -f "$DB" "$DB"-wal "$DB"-shm
DATABASE_URL="sqlite://$DB" RUST_LOG=error "$BIN" demo --count 2000 --seed 1 >/dev/null
echo "the staff password 1" | DATABASE_URL="sqlite://$DB" RUST_LOG=error "$BIN" user add --username ops --role admin >/dev/null
number=$(python3 -c "import sqlite3; print(sqlite3.connect('$DB').execute(\"SELECT number FROM certificates WHERE status='valid' LIMIT 1\").fetchone()[0])")

cat > "$OUT/logins-nginx/nginx.conf" <<CONF
worker_processes 1;
pid $PWD/$OUT/logins-nginx.pid;
error_log $PWD/$OUT/logins-nginx/logs/error.log;
events { worker_connections 256; }
http {
  access_log off;
  default_type text/html;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /admin/login {
      if (\$request_method = POST) { return 429; }
      return 200 '<form><input type="hidden" name="csrf" value="x"></form>';
    }
  }
}
CONF
nginx -p "$PWD/$OUT/logins-nginx" -c "$PWD/$OUT/logins-nginx/nginx.conf"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -f "$OUT/logins-nginx.pid" ] && kill "$(cat "$OUT/logins-nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

start() {  # $1: extra environment (or empty)
  [ -n "$server_pid" ] && { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }
  env $1 DATABASE_URL="sqlite://$DB" SQE_BIND="127.0.0.1:$PORT" \
    SQE_PUBLIC_URL="http://127.0.0.1:$PORT" RUST_LOG=error "$BIN" serve &
  server_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
}
page() { wrk -t1 -c32 -d"${SECS}s" "http://127.0.0.1:$PORT/certificates/$number" | awk '/Requests\/sec/ {print $2}'; }
during() {  # $1 flood port, $2 networks: the page's req/s while the flood runs
  python3 bench/login_flood.py "$1" "$2" "$((SECS + 2))" >"$OUT/flood.txt" &
  local flood=$!
  sleep 1
  local rps; rps=$(page)
  wait $flood
  echo "$rps"
}
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

echo "machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u +%F)"
start ""
alone=$(page)
reference=$(during "$NGINX_PORT" 1)
printf '%-46s %9s req/s\n' "page alone" "$alone"
printf '%-46s %9s req/s   %s of alone\n' "reference: the flood aimed at nginx" "$reference" "$(ratio "$reference" "$alone")"
report() {  # $1 label, $2 req/s
  printf '%-46s %9s req/s   %s of alone, %s of the reference\n' "$1" "$2" "$(ratio "$2" "$alone")" "$(ratio "$2" "$reference")"
  sed 's/^/    /' "$OUT/flood.txt"
}
report "flood from one network, default limits" "$(during "$PORT" 1)"
start "SQE_RATE_LIMIT_LOGIN=off"
report "flood from one network, no rate limit" "$(during "$PORT" 1)"
report "flood from 250 networks, no rate limit" "$(during "$PORT" 250)"
