#!/usr/bin/env bash
# Mixed traffic over every kind of public URL (issue 12, section 1): badges and QR codes 60 %,
# verification pages 20 %, search and API 15 %, the rest 5 % (home, company, embed, print,
# feeds, statistics, about, misuse, downloads page, sitemaps, company list), under
# `wrk -t2 -c256` on the registry DATABASE_URL names; then every kind alone under 64
# connections (bench/kinds.sh). Target at 1,000,000 certificates: 0 errors, p99 <= 50 ms.
# Usage: DATABASE_URL=sqlite://bench-out/bench-1000000.db bench/load.sh [SECONDS] [KIND_SECONDS]
#        (defaults 60 and 4); SQE_BENCH_BIN=path/to/sqe-registry to use another build.
# Needs: wrk, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
SECONDS_MIX=${1:-60}
SECONDS_KIND=${2:-4}
PORT=18101
BIN=${SQE_BENCH_BIN:-target/release/sqe-registry}
[ -n "${SQE_BENCH_BIN:-}" ] || cargo build --release --quiet
OUT=bench-out/load
mkdir -p "$OUT"
SQE_BIND="127.0.0.1:$PORT" SQE_PUBLIC_URL="http://127.0.0.1:$PORT" RUST_LOG=error "$BIN" serve &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$PORT"

# The URL list: 1,000 lines in the mix's proportions, from real numbers of this registry.
python3 - "$base" "$OUT/paths.txt" <<'PY'
import json, random, sys, urllib.parse, urllib.request
base, out = sys.argv[1], sys.argv[2]
rng = random.Random(1)
def get(path):
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return json.load(r)
numbers, codes = [], []
for sort in ("grade", "name", "newest", "expiry"):
    for item in get(f"/api/v1/certificates?status=valid&sort={sort}&per_page=100")["items"]:
        numbers.append(item["number"])
for n in numbers[:20]:
    codes.append(get(f"/api/v1/certificates/{n}")["company"]["credit_code"])
q = lambda s: urllib.parse.quote(s)
searches = [f"/search?q={q(w)}" for w in ("科技", "优选", "商城", "网络", "有限公司", "云帆")]
searches += [f"/search?q={q(w)}&page={p}" for w in ("科技", "有限公司") for p in (2, 25, 50)]
searches += ["/search", "/search?page=50", "/search?stars=5", "/search?status=valid&sort=newest",
             f"/search?q={q('jd.com')}", f"/search?q={numbers[0]}", f"/search?q={codes[0]}"]
apis = [f"/api/v1/certificates?q={q(w)}" for w in ("科技", "优选", "商城")]
apis += ["/api/v1/certificates?page=50", "/api/v1/lookup?domain=example.com", "/api/v1/schemes"]
apis += [f"/api/v1/certificates/{n}" for n in numbers[:10]]
rest = ["/", "/?lang=en", "/statistics", "/about", "/misuse", "/downloads", "/feeds/events.atom",
        "/sitemap.xml", "/sitemaps/certificates-1.xml", "/api/v1/companies?page=2"]
rest += [f"/companies/{c}" for c in codes[:5]]
rest += [f"/certificates/{n}/{kind}" for n in numbers[:5] for kind in ("embed", "print", "events.atom")]
marks = [f"/badge/{n}.svg" for n in numbers] + [f"/badge/{n}.png" for n in numbers[:100]]
marks += [f"/qr/{n}.png" for n in numbers[:100]]
pages = [f"/certificates/{n}" for n in numbers] + [f"/certificates/{n}?lang=en" for n in numbers[:50]]
lines = ([rng.choice(marks) for _ in range(600)] + [rng.choice(pages) for _ in range(200)]
         + [rng.choice(searches + apis) for _ in range(150)] + [rng.choice(rest) for _ in range(50)])
rng.shuffle(lines)
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
# Warm-up: each distinct URL once, so the figures are of a running registry, not a cold start.
for path in sorted(set(lines)):
    try:
        urllib.request.urlopen(base + path, timeout=60).read()
    except Exception as e:
        print(f"warm-up {path}: {e}", file=sys.stderr)
PY
cat > "$OUT/mix.lua" <<LUA
local paths = {}
for line in io.lines("$PWD/$OUT/paths.txt") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Accept-Encoding"] = "gzip, br" })
end
LUA
echo "machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u +%F); database: ${DATABASE_URL%%\?*}"
echo "mixed traffic, wrk -t2 -c256 -d${SECONDS_MIX}s, $(sort -u "$OUT/paths.txt" | wc -l) distinct URLs:"
wrk -t2 -c256 -d"${SECONDS_MIX}s" --timeout 5s --latency -s "$OUT/mix.lua" "$base" \
  | grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|90|99)%|requests in"
kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null || true
SQE_BENCH_BIN="$BIN" bench/kinds.sh "$SECONDS_KIND"
