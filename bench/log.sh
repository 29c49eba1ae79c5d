#!/usr/bin/env bash
# The transparency log on a large registry (issue 16):
#  1. the backfill: `sqe-registry log start` appends the recorded history once (timed; a log
#     that has begun is left as it is — reset with bench/log-reset.sql to measure it again);
#  2. each kind of log URL under `wrk -t2 -c64`, and the tiles next to nginx (2 workers, no
#     access log) serving the same bytes as static files, in the same run;
#  3. the log's cost per write (cargo bench --bench log_append: append + signed checkpoint,
#     rolled back).
# Usage: DATABASE_URL=sqlite://bench-out/bench-1000000.db bench/log.sh [SECONDS]   (default 5)
#        SQE_BENCH_BIN=path/to/sqe-registry to use another build; SQE_BENCH_SKIP_APPEND=1 skips 3.
# Needs: wrk, nginx (apt-get install wrk nginx-light), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
SECONDS_EACH=${1:-5}
PORT=18110
NGINX_PORT=18111
OUT=bench-out/log-nginx
BIN=${SQE_BENCH_BIN:-target/release/sqe-registry}
[ -n "${SQE_BENCH_BIN:-}" ] || cargo build --release --quiet
mkdir -p "$OUT/static/tile/0" "$OUT/static/tile/entries" "$OUT/logs"

echo "machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u +%F); database: ${DATABASE_URL%%\?*}"
start=$(date +%s.%N)
RUST_LOG=info "$BIN" log start 2>&1 | grep -E "transparency log" | sed 's/^.*INFO //'
echo "log start: $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"

SQE_BIND="127.0.0.1:$PORT" SQE_PUBLIC_URL="http://127.0.0.1:$PORT" RUST_LOG=error "$BIN" serve &
server_pid=$!
cleanup() {
  kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true
  [ -f "$OUT/nginx.pid" ] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
size=$(curl -s "$base/log/checkpoint" | sed -n 2p)
echo "log size: $size entries"
last=$(( (size - 1) / 256 ))
width=$(( size % 256 ))
last_tile=$(python3 -c "
n=$last; g=[]
while True:
    g.append(n % 1000); n //= 1000
    if n == 0: break
g=g[::-1]
print('/'.join(('x%03d' if i < len(g)-1 else '%03d') % v for i, v in enumerate(g)))")
partial="/log/tile/0/$last_tile${width:+.p/$width}"
[ "$width" = 0 ] && partial="/log/tile/0/$last_tile"

cat > "$OUT/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGINX_PORT; root $PWD/$OUT/static; etag on;
    location = /entries.gz { add_header Content-Encoding gzip; add_header Vary Accept-Encoding; }
  }
}
CONF
curl -s -o "$OUT/static/checkpoint" "$base/log/checkpoint"
curl -s -o "$OUT/static/tile0" "$base/log/tile/0/000"
curl -s -o "$OUT/static/entries" "$base/log/tile/entries/000"
curl -s -H "Accept-Encoding: gzip" -o "$OUT/static/entries.gz" "$base/log/tile/entries/000"
nginx -p "$PWD/$OUT" -c "$PWD/$OUT/nginx.conf"
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$NGINX_PORT/tile0" >/dev/null && break; sleep 0.1; done

run() { # url [header] -> "req/s p99"
  local res
  if [ -n "${2:-}" ]; then res=$(wrk -t2 -c64 -d"${SECONDS_EACH}s" --timeout 5s --latency -H "$2" "$1" 2>&1)
  else res=$(wrk -t2 -c64 -d"${SECONDS_EACH}s" --timeout 5s --latency "$1" 2>&1); fi
  echo "$(echo "$res" | awk '/Requests\/sec/ {print $2}') $(echo "$res" | awk '$1=="99%" {print $2}')"
}
printf '%-44s %12s %10s %8s\n' "URL" "req/s" "p99" "status"
for path in /log/checkpoint /log/keys /log/policy "/log/proof/$((size / 2))" "$partial" /log/tile/1/000 /log/tile/2/000.p/1; do
  code=$(curl -s -o /dev/null -w "%{http_code}" "$base$path")
  read -r rps p99 <<<"$(run "$base$path")"
  printf '%-44s %12s %10s %8s\n' "$path" "$rps" "$p99" "$code"
done
compare() { # label ours-path nginx-path [header]
  read -r ours _ <<<"$(run "$base$2" "${4:-}")"
  read -r ref _ <<<"$(run "http://127.0.0.1:$NGINX_PORT$3" "${4:-}")"
  echo "$1: ours $ours req/s, nginx $ref req/s, ratio $(python3 -c "print(f'{$ours/$ref:.2f}')")"
}
compare "checkpoint /log/checkpoint ($(wc -c < "$OUT/static/checkpoint") bytes)" /log/checkpoint /checkpoint
compare "full tile /log/tile/0/000 ($(wc -c < "$OUT/static/tile0") bytes)" /log/tile/0/000 /tile0
compare "entry bundle /log/tile/entries/000 ($(wc -c < "$OUT/static/entries") bytes)" /log/tile/entries/000 /entries
compare "entry bundle, gzip ($(wc -c < "$OUT/static/entries.gz") bytes)" /log/tile/entries/000 /entries.gz "Accept-Encoding: gzip"
kill $server_pid; wait $server_pid 2>/dev/null || true
[ -n "${SQE_BENCH_SKIP_APPEND:-}" ] || cargo bench --quiet --bench log_append 2>/dev/null | grep "log append"
