#!/usr/bin/env bash
# Times the statistics page over HTTP with curl: the first request after a start, then for
# filters never asked for before the first (uncached) request and cached ones; the server's own
# timing of the whole unfiltered computation; and nginx serving the same bytes as a static file
# in the same run (this machine is shared: compare ratios).
# Usage: bench/stats.sh [SIZE] [BACKEND]     (default: 100000 sqlite; BACKEND sqlite|postgres)
# Example for the 1,000,000 target: bench/stats.sh 1000000 sqlite; bench/stats.sh 1000000 postgres
# Needs: curl, nginx (apt-get install nginx-light), psql for PostgreSQL. The data set is
# generated once (`sqe-registry demo --count SIZE --seed 1`) into bench-out/ or the database
# sqe_bench_SIZE, the same ones bench/run.sh uses.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
SIZE=${1:-100000}
BACKEND=${2:-sqlite}
PG_ADMIN=${SQE_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
OUT=bench-out
PORT=${SQE_BENCH_PORT:-18090}
NGINX_PORT=$((PORT + 1))
ROUNDS=20
mkdir -p "$OUT"

# SQE_BENCH_BIN: a binary built already (else the release build of this checkout).
BIN=${SQE_BENCH_BIN:-}
if [ -z "$BIN" ]; then
  cargo build --release --quiet
  BIN=${CARGO_TARGET_DIR:-target}/release/sqe-registry
fi

if [ "$BACKEND" = sqlite ]; then
  url="sqlite://$OUT/bench-$SIZE.db"
  [ -f "$OUT/bench-$SIZE.db" ] || DATABASE_URL="$url" "$BIN" demo --count "$SIZE" --seed 1 >/dev/null
else
  db="sqe_bench_$SIZE"
  url="$PG_ADMIN/$db"
  if ! psql "$PG_ADMIN/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
    psql "$PG_ADMIN/postgres" -qc "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    DATABASE_URL="$url" "$BIN" demo --count "$SIZE" --seed 1 >/dev/null
  fi
fi

server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -f "$OUT/nginx-stats.pid" ] && kill "$(cat "$OUT/nginx-stats.pid")" 2>/dev/null
  true
}
trap cleanup EXIT

start_server() {
  DATABASE_URL="$url" SQE_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve &
  server_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

# Milliseconds of one GET (the whole round trip).
ms() { curl -s -o /dev/null -w '%{time_total}' "$1" | awk '{printf "%.1f", $1 * 1000}'; }
# The median of ROUNDS GETs.
median_ms() {
  for _ in $(seq 1 "$ROUNDS"); do ms "$1"; echo; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $BACKEND $SIZE certificates; $(date -u +%F)"
# The server computes the unfiltered figures before it listens: the first reader gets them.
start_server
echo "/statistics: first after start $(ms "http://127.0.0.1:$PORT/statistics") ms"
# Then each filter never asked for before, computed while nothing else runs, then cached.
for path in "/statistics?province=440000" "/statistics?province=650000" "/statistics?year=2025" "/statistics?year=2025&province=440000"; do
  first=$(ms "http://127.0.0.1:$PORT$path")
  cached=$(median_ms "http://127.0.0.1:$PORT$path")
  echo "$path: first (uncached) ${first} ms, cached median ${cached} ms"
done
stop_server
# The whole computation with no filter (at start, as after each change in the background),
# timed by the server itself (from its log).
DATABASE_URL="$url" SQE_BIND="127.0.0.1:$PORT" RUST_LOG=sqe_registry=info "$BIN" serve 2>"$OUT/stats-server.log" &
server_pid=$!
for _ in $(seq 1 100); do grep -q "statistics computed" "$OUT/stats-server.log" 2>/dev/null && break; sleep 0.2; done
stop_server
grep "statistics computed" "$OUT/stats-server.log" | sed 's/\x1b\[[0-9;]*m//g' | sed 's/.*INFO //'

# nginx serving the same page's bytes, for scale.
start_server
mkdir -p "$OUT/nginx-stats/logs" "$OUT/static-stats"
curl -sf "http://127.0.0.1:$PORT/statistics" -o "$OUT/static-stats/statistics.html"
stop_server
cat > "$OUT/nginx-stats/nginx.conf" <<CONF
worker_processes 1;
pid $PWD/$OUT/nginx-stats.pid;
error_log $PWD/$OUT/nginx-stats/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  types { text/html html; }
  server { listen 127.0.0.1:$NGINX_PORT; root $PWD/$OUT/static-stats; }
}
CONF
nginx -p "$PWD/$OUT/nginx-stats" -c "$PWD/$OUT/nginx-stats/nginx.conf"
sleep 0.3
echo "nginx, same $(wc -c < "$OUT/static-stats/statistics.html") bytes: median $(median_ms "http://127.0.0.1:$NGINX_PORT/statistics.html") ms"
