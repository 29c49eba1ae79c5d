#!/usr/bin/env bash
# Benchmark of the bulk downloads (issue 5: peak memory growth ≤ 50 MB at 1,000,000
# certificates; issue 12: written once per revision, stored gzip, served with Range), printed
# and meant for docs/PERFORMANCE.md, for the CSV and the JSON Lines file:
#  - the first request (the file is written, the reader waits: there is no previous file),
#    then the stored gzip, then the same decompressed for a client without gzip; next to nginx
#    serving the same gzip bytes as a static file in the same run (this machine is shared:
#    compare ratios, not absolutes);
#  - the server's resident memory before and its peak (VmHWM, reset through clear_refs);
#  - 16 parallel downloads right after a change: how many files were written (1) and the
#    slowest answer (the previous file is served while the new one is written).
# Usage: bench/downloads.sh [DATABASE_URL]
#   default: a demo SQLite database of $COUNT (default 100000) certificates in bench-out/,
#   generated on first use. For the issue's figure:
#   COUNT=1000000 bench/downloads.sh            (generating takes ~6 min in a release build)
# Needs: curl, nginx (apt-get install nginx-light). Linux (/proc).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
COUNT=${COUNT:-100000}
OUT=bench-out
PORT=18092
NGINX_PORT=18093
mkdir -p "$OUT/downloads-static" "$OUT/downloads-nginx/logs"

# SQE_BENCH_BIN: a binary built already (else the release build of this checkout).
BIN=${SQE_BENCH_BIN:-}
if [ -z "$BIN" ]; then
  cargo build --release --quiet
  BIN=${CARGO_TARGET_DIR:-target}/release/sqe-registry
fi
URL=${1:-}
if [ -z "$URL" ]; then
  DB="$OUT/downloads-$COUNT.db"
  [ -f "$DB" ] || DATABASE_URL="sqlite://$DB" "$BIN" demo --count "$COUNT" --seed 1 >/dev/null
  URL="sqlite://$DB"
fi

server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -f "$OUT/downloads-nginx.pid" ] && kill "$(cat "$OUT/downloads-nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

cat > "$OUT/downloads-nginx/nginx.conf" <<CONF
worker_processes 1;
pid $PWD/$OUT/downloads-nginx.pid;
error_log $PWD/$OUT/downloads-nginx/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  types { text/csv csv; application/x-ndjson jsonl; }
  server { listen 127.0.0.1:$NGINX_PORT; root $PWD/$OUT/downloads-static; }
}
CONF
nginx -p "$PWD/$OUT/downloads-nginx" -c "$PWD/$OUT/downloads-nginx/nginx.conf"

DATABASE_URL="$URL" SQE_BIND="127.0.0.1:$PORT" SQE_PUBLIC_URL="http://127.0.0.1:$PORT" \
  RUST_LOG=info "$BIN" serve 2>"$OUT/downloads-server.log" &
server_pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
# Warm up: the pool's connections and the page cache are then in place.
curl -sf "http://127.0.0.1:$PORT/" -o /dev/null
curl -sf "http://127.0.0.1:$PORT/downloads" -o /dev/null

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$server_pid/status"; }
# The peak of RssAnon (heap) while a command runs, sampled every 20 ms (the first download:
# the one that writes the file): VmHWM would count the
# database pages SQLite reads through mmap, which are the kernel's page cache, not ours.
anon_peak() {  # $1: where the command's output goes; the rest: the command
  local peak=0 v out=$1
  shift
  "$@" >"$out" &
  local job=$!
  while kill -0 $job 2>/dev/null; do
    v=$(kib RssAnon); [ "${v:-0}" -gt "$peak" ] && peak=$v
    sleep 0.02
  done
  wait $job
  echo "$peak"
}

echo "| file | rows | gzip size | first (written) | stored gzip | nginx, same bytes | decompressed | heap before | peak heap | growth |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for file in sqe-registry.csv sqe-registry.jsonl; do
  before=$(kib RssAnon)
  peak=$(anon_peak "$OUT/first-time" curl -sf -w '%{time_total}' -o /dev/null "http://127.0.0.1:$PORT/downloads/$file")
  first=$(cat "$OUT/first-time")
  stored=$(curl -sf -w '%{time_total}' -H 'Accept-Encoding: gzip' -o "$OUT/downloads-static/$file.gz" \
    "http://127.0.0.1:$PORT/downloads/$file")
  plain=$(curl -sf -w '%{time_total}' -o "$OUT/downloads-static/$file" "http://127.0.0.1:$PORT/downloads/$file")
  theirs=$(curl -sf -w '%{time_total}' -o /dev/null "http://127.0.0.1:$NGINX_PORT/$file.gz")
  size=$(stat -c %s "$OUT/downloads-static/$file.gz")
  rows=$(wc -l < "$OUT/downloads-static/$file")
  printf '| %s | %s | %.1f MB | %.2f s | %.3f s | %.3f s | %.2f s | %.1f MB | %.1f MB | **%.1f MB** |\n' \
    "$file" "$rows" "$(echo "$size / 1000000" | bc -l)" "$first" "$stored" "$theirs" "$plain" \
    "$(echo "$before / 1024" | bc -l)" "$(echo "$peak / 1024" | bc -l)" \
    "$(echo "($peak - $before) / 1024" | bc -l)"
done

# A change, then 16 parallel downloads of the CSV.
written_before=$(grep -c "download written" "$OUT/downloads-server.log" || true)
python3 - "$URL" <<'PY'
import sqlite3, subprocess, sys
url = sys.argv[1]
sql = "UPDATE registry_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'revision'"
if url.startswith("postgres"):
    subprocess.run(["psql", url.split("?")[0], "-qc", sql], check=True)
else:
    db = sqlite3.connect(url.removeprefix("sqlite://")); db.execute(sql); db.commit()
PY
sleep 1.2
curls=()
for i in $(seq 1 16); do
  curl -sf -w '%{time_total}\n' -H 'Accept-Encoding: gzip' -o /dev/null "http://127.0.0.1:$PORT/downloads/sqe-registry.csv" &
  curls+=($!)
done > "$OUT/downloads-parallel.txt"
wait "${curls[@]}"
sleep 0.5
for _ in $(seq 1 600); do
  [ "$(grep -c "download written" "$OUT/downloads-server.log")" -gt "$written_before" ] && break; sleep 0.1
done
written=$(( $(grep -c "download written" "$OUT/downloads-server.log") - written_before ))
echo
echo "16 parallel downloads after a change: slowest $(sort -n "$OUT/downloads-parallel.txt" | tail -1) s; files written: $written"
