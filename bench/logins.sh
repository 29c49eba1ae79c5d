#!/usr/bin/env bash
# Public pages while logins flood: a verification page under `wrk -t1 -c32` alone, then while
# 50 parallel clients post login attempts as fast as they are answered. Three floods:
#   one network, default limits (the rate limit and the throttle stop it early);
#   one network, no rate limit (the throttle alone: 20 failures per network, then refused
#     unchecked);
#   250 networks (127.0.0.2–251), no rate limit (every attempt verified: the Argon2 gate alone).
# Prints requests/s of the page alone and during each flood, the ratio (target ≥ 0.8 for the
# flood from one network), the login answers, and how long the right password takes from a
# network without failures during the flood.
# Usage: bench/logins.sh [SECONDS]   (default 10)   SQE_BENCH_BIN=… to skip the build.
# Needs: wrk, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
OUT=bench-out
PORT=18102
mkdir -p "$OUT"
BIN=${SQE_BENCH_BIN:-target/release/sqe-registry}
[ -n "${SQE_BENCH_BIN:-}" ] || cargo build --release --quiet
DB="$OUT/logins.db"
rm -f "$DB" "$DB"-wal "$DB"-shm
DATABASE_URL="sqlite://$DB" "$BIN" demo --count 2000 --seed 1 >/dev/null
echo "the staff password 1" | DATABASE_URL="sqlite://$DB" RUST_LOG=error "$BIN" user add --username ops --role admin >/dev/null
number=$(python3 -c "import sqlite3; print(sqlite3.connect('$DB').execute(\"SELECT number FROM certificates WHERE status='valid' LIMIT 1\").fetchone()[0])")
echo "machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u +%F)"

run() {  # $1 label, $2 rate-limit setting for logins (default|off), $3 networks
  local limit_env=()
  [ "$2" = off ] && limit_env=(SQE_RATE_LIMIT_LOGIN=off)
  env "${limit_env[@]}" DATABASE_URL="sqlite://$DB" SQE_BIND="127.0.0.1:$PORT" \
    SQE_PUBLIC_URL="http://127.0.0.1:$PORT" RUST_LOG=error "$BIN" serve &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  local url="http://127.0.0.1:$PORT/certificates/$number"
  local alone during
  alone=$(wrk -t1 -c32 -d"${SECS}s" "$url" | awk '/Requests\/sec/ {print $2}')
  python3 bench/login_flood.py "$PORT" "$3" "$((SECS + 2))" >"$OUT/flood.txt" &
  local flood=$!
  sleep 1
  during=$(wrk -t1 -c32 -d"${SECS}s" "$url" | awk '/Requests\/sec/ {print $2}')
  wait $flood
  kill $pid; wait $pid 2>/dev/null || true
  printf '%-44s alone %9s req/s   during %9s req/s   ratio %s\n' "$1" "$alone" "$during" \
    "$(python3 -c "print(f'{$during / $alone:.2f}')")"
  sed 's/^/    /' "$OUT/flood.txt"
}
run "flood from one network, default limits" default 1
run "flood from one network, no rate limit" off 1
run "flood from 250 networks, no rate limit" off 250
