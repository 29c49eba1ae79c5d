#!/usr/bin/env bash
# What anonymous clients can make the server keep: 50,000 requests with distinct made-up 7 KB
# certificate numbers (badges SVG and PNG, QR codes, verification pages) and distinct 1 KB
# referrers, then 50,000 requests for real badges and pages with distinct 1 KB referrers.
# Prints the server's resident memory before, after each phase, and the growth (target: at
# most 30 MB in all), and checks the server still answers.
# Usage: bench/abuse.sh [REQUESTS]   (default 50000 per phase)
#        SQE_BENCH_BIN=path/to/sqe-registry bench/abuse.sh
# Needs: python3.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
REQUESTS=${1:-50000}
OUT=bench-out
PORT=18097
mkdir -p "$OUT"

BIN=${SQE_BENCH_BIN:-target/release/sqe-registry}
[ -n "${SQE_BENCH_BIN:-}" ] || cargo build --release --quiet
DB="$OUT/abuse.db"
[ -f "$DB" ] || DATABASE_URL="sqlite://$DB" "$BIN" demo --count 300 --seed 1 >/dev/null

DATABASE_URL="sqlite://$DB" SQE_BIND="127.0.0.1:$PORT" SQE_PUBLIC_URL="http://127.0.0.1:$PORT" \
  RUST_LOG=error "$BIN" serve &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

echo "machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u +%F)"
python3 - "$PORT" "$server_pid" "$REQUESTS" "$DB" <<'PY'
import http.client, sqlite3, sys, threading, time

port, pid, total, db = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
numbers = [n for (n,) in sqlite3.connect(db).execute(
    "SELECT number FROM certificates WHERE status = 'valid' ORDER BY id LIMIT 50")]

def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

def run(paths_of, label):
    statuses = {}
    lock = threading.Lock()
    def worker(start):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(start, total, 4):
            path, referer = paths_of(i)
            try:
                conn.request("GET", path, headers={"Referer": referer})
                r = conn.getresponse(); r.read(); code = r.status
            except Exception as e:  # a refused request is an answer too; reconnect
                code = type(e).__name__
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                statuses[code] = statuses.get(code, 0) + 1
    started = time.time()
    threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    [t.start() for t in threads]; [t.join() for t in threads]
    print(f"{label}: {total} requests in {time.time() - started:.1f} s, answers {statuses}, "
          f"resident {rss_mb():.1f} MB")

pad = "9" * 7000
kinds = ["/badge/{}.svg", "/badge/{}.png", "/qr/{}.svg", "/certificates/{}"]
def made_up(i):
    referer = f"https://x{i}-{'r' * 1000}.example.com/"
    return kinds[i % 4].format(f"{pad}{i}"), referer
def real(i):
    referer = f"https://shop{i}-{'r' * 1000}.example.com/"
    kind = kinds[i % 4] if i % 4 != 2 else "/badge/{}.svg?size=s"
    return kind.format(numbers[i % len(numbers)]), referer

time.sleep(1)
before = rss_mb()
print(f"resident before: {before:.1f} MB")
run(made_up, "made-up 7 KB numbers, 1 KB referrers")
run(real, "real numbers, distinct 1 KB referrers")
after = rss_mb()
print(f"growth: {after - before:.1f} MB (target: at most 30 MB)")
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
conn.request("GET", f"/badge/{numbers[0]}.svg"); r = conn.getresponse(); r.read()
print(f"a real badge afterwards: {r.status}")
PY
