#!/usr/bin/env bash
# Database outages as a user meets them (issue 12 §2), printed for docs/PERFORMANCE.md:
#  - PostgreSQL (a cluster of the bench's own, port 5499, under /tmp) stopped for 20 s while
#    wrk fetches cached badges and a client keeps sending uncached requests, then started:
#    cached throughput ratio (target >= 0.9), p99 time to the 503 (target < 1 s), seconds to
#    recovery, 5xx other than 503 (target 0);
#  - SQLite with its write lock held by another process for 15 s: readers' throughput ratio,
#    and what a back-office write gets (a clear "busy" 503 after busy_timeout).
# Usage: bench/outage.sh [pg|sqlite|both]   (default both)
#        SQE_BENCH_BIN=path/to/sqe-registry bench/outage.sh   (another build)
# Needs: wrk (apt-get install wrk), PostgreSQL 15 server binaries (as on the CI machine), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
MODE=${1:-both}
[ -n "${SQE_BENCH_BIN:-}" ] || cargo build --release --quiet
case "$MODE" in
  both) python3 bench/outage.py pg; python3 bench/outage.py sqlite ;;
  *) python3 bench/outage.py "$MODE" ;;
esac
