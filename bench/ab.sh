#!/usr/bin/env bash
# A/B of two builds on the same URLs, alternating A and B for several rounds so that the
# machine's drift falls on both alike; each build serves its own copy of the database.
# Usage: SQE_AB_A=path/to/old SQE_AB_B=path/to/new DATABASE_URL=sqlite://bench-out/ab.db \
#        bench/ab.sh [ROUNDS] [SECONDS]        (defaults 5 rounds, 4 s per URL)
# Prints one line per round and URL, then the median requests/s of A and B per URL and B/A.
# Needs: wrk, python3; SQLite only (the database file is copied for each build).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
ROUNDS=${1:-5}
SECS=${2:-4}
PORT=18150
db=${DATABASE_URL#sqlite://}
cp "$db" "$db.a"; cp "$db" "$db.b"
out=$(mktemp)
serve() {
  DATABASE_URL="sqlite://$2" SQE_DATA_DIR="$(dirname "$db")/ab-data" SQE_BIND="127.0.0.1:$PORT" \
    SQE_PUBLIC_URL="http://127.0.0.1:$PORT" RUST_LOG=error "$1" serve &
  pid=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
}
serve "$SQE_AB_B" "$db.b"
number=$(curl -s "http://127.0.0.1:$PORT/api/v1/certificates?status=valid&per_page=1" | python3 -c "import json,sys; print(json.load(sys.stdin)['items'][0]['number'])")
kill $pid; wait $pid 2>/dev/null || true
urls=(/ "/certificates/$number" "/badge/$number.svg" /about)
echo "machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u +%F)"
for round in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    if [ $side = A ]; then serve "$SQE_AB_A" "$db.a"; else serve "$SQE_AB_B" "$db.b"; fi
    for u in "${urls[@]}"; do
      curl -s -o /dev/null "http://127.0.0.1:$PORT$u"
      rps=$(wrk -t2 -c64 -d"${SECS}s" -H "Accept-Encoding: gzip, br" "http://127.0.0.1:$PORT$u" | awk '/Requests\/sec/ {print $2}')
      echo "$round $side $u $rps" | tee -a "$out"
    done
    kill $pid; wait $pid 2>/dev/null || true
  done
done
python3 - "$out" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r, side, url, rps = line.split()
    rows[(url, side)].append(float(rps))
print(f"{'URL':40} {'A median':>10} {'B median':>10} {'B/A':>6}")
for url in dict.fromkeys(u for u, _ in rows):
    a, b = statistics.median(rows[(url, 'A')]), statistics.median(rows[(url, 'B')])
    print(f"{url[:40]:40} {a:10.0f} {b:10.0f} {b/a:6.2f}")
PY
rm -f "$out" "$db.a" "$db.b"
