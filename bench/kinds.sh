#!/usr/bin/env bash
# Every kind of public URL alone under `wrk -t2 -c64`, one line each (requests/s, p99, errors),
# on a registry given by DATABASE_URL (e.g. the 1,000,000-certificate bench database).
# Usage: DATABASE_URL=sqlite://bench-out/bench-1000000.db bench/kinds.sh [SECONDS]   (default 5)
#        SQE_BENCH_BIN=path/to/sqe-registry to use another build.
# Needs: wrk, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
SECONDS_EACH=${1:-5}
PORT=18100
BIN=${SQE_BENCH_BIN:-target/release/sqe-registry}
[ -n "${SQE_BENCH_BIN:-}" ] || cargo build --release --quiet
SQE_BIND="127.0.0.1:$PORT" SQE_PUBLIC_URL="http://127.0.0.1:$PORT" RUST_LOG=error "$BIN" serve &
server_pid=$!
OUT=bench-out/kinds-nginx
NGINX_PORT=18101
cleanup() {
  kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true
  [ -f "$OUT/nginx.pid" ] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$PORT"
number=$(curl -s "$base/api/v1/certificates?status=valid&per_page=1" | python3 -c "import json,sys; print(json.load(sys.stdin)['items'][0]['number'])")
code=$(curl -s "$base/api/v1/certificates/$number" | python3 -c "import json,sys; print(json.load(sys.stdin)['company']['credit_code'])")
# A report from the public, for its private follow-up page (the form wants 3 s between serving
# and sending).
follow=$(python3 - "$base" <<'PY'
import re, sys, time, urllib.request, urllib.parse
base = sys.argv[1]
html = urllib.request.urlopen(base + "/reports/new").read().decode()
token = re.search(r'name="t" value="([^"]+)"', html).group(1)
time.sleep(3.1)
class Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
data = urllib.parse.urlencode({"t": token, "kind": "wrong_data", "what": "bench"}).encode()
try:
    urllib.request.build_opener(Keep).open(base + "/reports", data)
except urllib.error.HTTPError as e:
    print(e.headers["Location"].split("?")[0])
PY
)
echo "machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u +%F); database: ${DATABASE_URL%%\?*}"
printf '%-48s %12s %10s %8s\n' "URL (Accept-Encoding: gzip, br)" "req/s" "p99" "errors"
for path in / "/search?q=%E4%BC%98%E9%80%89" "/search?q=%E7%A7%91%E6%8A%80&page=50" "/search?page=50" \
  "/certificates/$number" "/certificates/$number/embed" "/certificates/$number/print" "/companies/$code" \
  "/badge/$number.svg" "/badge/$number.png" "/qr/$number.png" "/certificates/$number/events.atom" \
  /feeds/events.atom /statistics /about /misuse /downloads /sitemap.xml /sitemaps/certificates-1.xml \
  "/api/v1/certificates?q=%E4%BC%98%E9%80%89" "/api/v1/certificates/$number" "/api/v1/lookup?domain=example.com" \
  "/api/v1/companies?page=2" /reports/new /privacy /log/ /log/keys /log/policy /downloads/README.txt "$follow" \
  "/certificates/$number/credential.json" "/certificates/$number/status.json" /credentials/1 \
  "/certificates/$number/baked-badge.png" "/certificates/$number/credential-proof" \
  /status/revocation/0 /status/suspension/0 /.well-known/did.json; do
  out=$(curl -s -o /dev/null -w "%{http_code}" "$base$path")
  res=$(wrk -t2 -c64 -d"${SECONDS_EACH}s" --timeout 5s --latency -H "Accept-Encoding: gzip, br" "$base$path" 2>&1)
  rps=$(echo "$res" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$res" | awk '$1=="99%" {print $2}')
  errors=$(echo "$res" | awk '/Non-2xx|Socket errors/ {s=s $0 "; "} END {print s}')
  printf '%-48s %12s %10s %8s %s\n' "${path:0:48}" "$rps" "${p99:-–}" "$out" "${errors}"
done

# The reference in the same run: nginx (2 workers, no access log) serving the bytes of the
# verification page as a static file, and ours on the same page without compression.
mkdir -p "$OUT/static" "$OUT/logs"
curl -s -o "$OUT/static/page.html" "$base/certificates/$number"
cat > "$OUT/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; }
  server { listen 127.0.0.1:$NGINX_PORT; root $PWD/$OUT/static; etag on; }
}
CONF
nginx -p "$PWD/$OUT" -c "$PWD/$OUT/nginx.conf"
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$NGINX_PORT/page.html" >/dev/null && break; sleep 0.1; done
rps() { wrk -t2 -c64 -d"${SECONDS_EACH}s" --timeout 5s "$1" 2>&1 | awk '/Requests\/sec/ {print $2}'; }
ours=$(rps "$base/certificates/$number")
ref=$(rps "http://127.0.0.1:$NGINX_PORT/page.html")
echo "reference: verification page uncompressed, ours $ours req/s, nginx same $(wc -c < "$OUT/static/page.html") bytes $ref req/s, ratio $(python3 -c "print(f'{$ours/$ref:.2f}')")"
