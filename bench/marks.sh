#!/usr/bin/env bash
# Benchmarks of the SQE mark, printed and meant for docs/PERFORMANCE.md:
#  - cached badge SVG and PNG throughput under wrk, next to nginx serving the same bytes as
#    static files in the same run (this machine is shared: compare ratios, not absolutes);
#  - the cost of recording sightings: badge throughput with a foreign Referer on every request
#    against none, rounds alternated;
#  - the cached verification page, as sent to a browser (brotli), to an older client (gzip)
#    and uncompressed, next to nginx serving the same bytes with the same Content-Encoding;
#  - cold badge, QR PNG and verification page latency over HTTP (database read + render),
#    one request per certificate so that none is cached.
# Render times without HTTP: `cargo bench --bench marks`.
# Usage: bench/marks.sh [ROUNDS]   (default 5; medians are reported)
#        SQE_BENCH_BIN=path/to/sqe-registry bench/marks.sh   (another build, e.g. a "before")
# Needs: wrk, nginx (apt-get install wrk nginx-light), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
ROUNDS=${1:-5}
OUT=bench-out
PORT=18090
NGINX_PORT=18091
mkdir -p "$OUT/marks-static" "$OUT/marks-nginx/logs"

BIN=${SQE_BENCH_BIN:-target/release/sqe-registry}
[ -n "${SQE_BENCH_BIN:-}" ] || cargo build --release --quiet
DB="$OUT/marks.db"
[ -f "$DB" ] || DATABASE_URL="sqlite://$DB" "$BIN" demo --count 300 --seed 1 >/dev/null

server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -f "$OUT/marks-nginx.pid" ] && kill "$(cat "$OUT/marks-nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

cat > "$OUT/marks-nginx/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$OUT/marks-nginx.pid;
error_log $PWD/$OUT/marks-nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { image/svg+xml svg; image/png png; text/html html; }
  server {
    listen 127.0.0.1:$NGINX_PORT; root $PWD/$OUT/marks-static; etag on;
    location = /page.br.html { add_header Content-Encoding br; add_header Vary Accept-Encoding; }
    location = /page.gz.html { add_header Content-Encoding gzip; add_header Vary Accept-Encoding; }
  }
}
CONF
nginx -p "$PWD/$OUT/marks-nginx" -c "$PWD/$OUT/marks-nginx/nginx.conf"

DATABASE_URL="sqlite://$DB" SQE_BIND="127.0.0.1:$PORT" SQE_PUBLIC_URL="http://127.0.0.1:$PORT" \
  RUST_LOG=warn "$BIN" serve &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

numbers=$(python3 - "$DB" <<'PY'
import sqlite3, sys
for (n,) in sqlite3.connect(sys.argv[1]).execute(
        "SELECT number FROM certificates WHERE status = 'valid' ORDER BY id"):
    print(n)
PY
)
number=$(echo "$numbers" | head -1)
ours="http://127.0.0.1:$PORT"
curl -sf "$ours/badge/$number.svg" -o "$OUT/marks-static/badge.svg"
curl -sf "$ours/badge/$number.png" -o "$OUT/marks-static/badge.png"
curl -sf "$ours/certificates/$number" -o "$OUT/marks-static/page.html"
curl -sf -H "Accept-Encoding: gzip" "$ours/certificates/$number" -o "$OUT/marks-static/page.gz.html"
curl -sf -H "Accept-Encoding: br" "$ours/certificates/$number" -o "$OUT/marks-static/page.br.html"

wrk_rps() { wrk -t2 -c32 -d5s "$@" | awk '/Requests\/sec/ {print $2}'; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.0f}')" "$@"; }

echo "machine: $(nproc) cores, $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u +%F)"
for kind in svg png; do
  o=(); n=()
  for _ in $(seq 1 "$ROUNDS"); do
    o+=("$(wrk_rps "$ours/badge/$number.$kind")")
    n+=("$(wrk_rps "http://127.0.0.1:$NGINX_PORT/badge.$kind")")
  done
  mo=$(median "${o[@]}"); mn=$(median "${n[@]}")
  echo -e "cached badge $kind\tours=$mo req/s\tnginx=$mn req/s\tratio=$(python3 -c "print(f'{$mo/$mn:.2f}')")\tbytes=$(wc -c < "$OUT/marks-static/badge.$kind")\trounds: ours ${o[*]} / nginx ${n[*]}"
done

# The verification page: what a browser (br), an older client (gzip) and a tool (none) get.
for coding in br gzip identity; do
  case $coding in br) file=page.br.html ;; gzip) file=page.gz.html ;; *) file=page.html ;; esac
  o=(); n=()
  for _ in $(seq 1 "$ROUNDS"); do
    o+=("$(wrk_rps -H "Accept-Encoding: $coding" "$ours/certificates/$number")")
    n+=("$(wrk_rps -H "Accept-Encoding: $coding" "http://127.0.0.1:$NGINX_PORT/$file")")
  done
  mo=$(median "${o[@]}"); mn=$(median "${n[@]}")
  sent=$(curl -s -H "Accept-Encoding: $coding" -D - -o /dev/null "$ours/certificates/$number" | tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding" {print $2}')
  echo -e "cached page Accept-Encoding: $coding\tours=$mo req/s\tnginx=$mn req/s\tratio=$(python3 -c "print(f'{$mo/$mn:.2f}')")\tsent: ${sent:-identity}, $(wc -c < "$OUT/marks-static/$file") bytes\trounds: ours ${o[*]} / nginx ${n[*]}"
done

plain=(); referred=()
for _ in $(seq 1 "$ROUNDS"); do
  plain+=("$(wrk_rps "$ours/badge/$number.svg")")
  referred+=("$(wrk_rps -H "Referer: https://fake-shop.example.com/index.html" "$ours/badge/$number.svg")")
done
mp=$(median "${plain[@]}"); mr=$(median "${referred[@]}")
echo -e "sighting recording\twithout=$mp req/s\twith foreign Referer=$mr req/s\tcost=$(python3 -c "print(f'{(1 - $mr/$mp)*100:.1f} %')")\trounds: ${plain[*]} / ${referred[*]}"
sleep 6
curl -s "$ours/certificates/$number" >/dev/null
echo "sightings written: $(DATABASE_URL="sqlite://$DB" "$BIN" sightings list --certificate "$number" 2>/dev/null | head -1)"

echo "$numbers" | python3 -c '
import http.client, statistics, sys, time
numbers = [l.strip() for l in sys.stdin if l.strip()]
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
def cold(path_fmt, label, headers={}):
    times = []
    for n in numbers:
        start = time.perf_counter()
        conn.request("GET", path_fmt.format(n), headers=headers)
        r = conn.getresponse(); r.read()
        times.append((time.perf_counter() - start) * 1e3)
        assert r.status == 200, (r.status, n)
    times.sort()
    p = lambda q: times[int((len(times) - 1) * q)]
    print(f"cold {label} over HTTP ({len(times)} certificates)\tp50={p(0.5):.2f} ms\tp95={p(0.95):.2f} ms\tmax={times[-1]:.2f} ms")
cold("/badge/{}.png?size=s&theme=dark", "badge PNG s dark")
cold("/badge/{}.png", "badge PNG m")
cold("/badge/{}.png?scale=2", "badge PNG m scale=2")
cold("/qr/{}.png", "QR PNG m")
cold("/qr/{}.png?size=l&scale=2", "QR PNG l scale=2")
cold("/certificates/{}", "verification page, br", {"Accept-Encoding": "gzip, br"})
' "$PORT"
