#!/usr/bin/env bash
# Benchmarks of the registry core, printed and meant for docs/PERFORMANCE.md:
#  - search latency (p50/p95) by name fragment, domain, pasted URL and number, over HTTP, for
#    the HTML search and the JSON API search (same queries; their p95 ratio per kind and overall),
#    at each size, on SQLite and on PostgreSQL;
#  - verification-page throughput under wrk, next to nginx serving the same bytes as a static
#    file in the same run (this machine is shared: compare ratios, not absolute numbers).
# Usage: bench/run.sh [SIZE ...]      (default: 100000 1000000)
# Needs: wrk, nginx (apt-get install wrk nginx-light), psql, python3. Data sets are generated
# once into bench-out/ (SQLite) and databases sqe_bench_N (PostgreSQL) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
SIZES=("${@:-100000 1000000}")
read -r -a SIZES <<< "${SIZES[*]}"
PG_ADMIN=${SQE_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
OUT=bench-out
PORT=18080
NGINX_PORT=18081
mkdir -p "$OUT"

cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-target}/release/sqe-registry

server_pid=""
stop_server() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; server_pid=""; }
trap 'stop_server; [ -f "$OUT/nginx.pid" ] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true' EXIT

start_nginx() {
  mkdir -p "$OUT/nginx/logs" "$OUT/static"
  cat > "$OUT/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; }
  server { listen 127.0.0.1:$NGINX_PORT; root $PWD/$OUT/static; }
}
CONF
  nginx -p "$PWD/$OUT/nginx" -c "$PWD/$OUT/nginx/nginx.conf"
}

wrk_rps() { wrk -t2 -c32 -d10s "$1" | awk '/Requests\/sec/ {print $2}'; }

echo "machine: $(nproc) cores, $(uname -r); date: $(date -u +%F)"
start_nginx
for n in "${SIZES[@]}"; do
  for backend in sqlite postgres; do
    if [ "$backend" = sqlite ]; then
      url="sqlite://$OUT/bench-$n.db"
      fresh=$([ -f "$OUT/bench-$n.db" ] && echo no || echo yes)
    else
      db="sqe_bench_$n"
      url="$PG_ADMIN/$db"
      if psql "$PG_ADMIN/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then fresh=no; else
        psql "$PG_ADMIN/postgres" -qc "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        fresh=yes
      fi
    fi
    if [ "$fresh" = yes ]; then
      echo "generating $n certificates on $backend..."
      start=$(date +%s)
      DATABASE_URL="$url" "$BIN" demo --count "$n" --seed 1 >/dev/null
      echo "$backend $n: generated in $(( $(date +%s) - start )) s"
    fi
    DATABASE_URL="$url" SQE_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve &
    server_pid=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
    python3 bench/latency.py --base "http://127.0.0.1:$PORT" --db-url "$url" --total "$n" --label "$backend $n"
    number=$(python3 - "$url" <<'PY'
import sqlite3, subprocess, sys
url = sys.argv[1]
sql = "SELECT number FROM certificates WHERE id = 1"
if url.startswith("postgres"):
    print(subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True, check=True).stdout.strip())
else:
    print(sqlite3.connect(url.removeprefix("sqlite://")).execute(sql).fetchone()[0])
PY
)
    curl -sf "http://127.0.0.1:$PORT/certificates/$number" -o "$OUT/static/page.html"
    ours=$(wrk_rps "http://127.0.0.1:$PORT/certificates/$number")
    ref=$(wrk_rps "http://127.0.0.1:$NGINX_PORT/page.html")
    ratio=$(python3 -c "print(f'{$ours / $ref:.2f}')")
    echo -e "$backend $n\tverification page\tours=${ours} req/s\tnginx=${ref} req/s\tratio=${ratio}\tbytes=$(wc -c < "$OUT/static/page.html")"
    stop_server
  done
done
