#!/usr/bin/env bash
# The cluster on this machine (issue 14): PostgreSQL (started if stopped), three instances of a
# release build and nginx (deploy/nginx/sqe-registry.conf) on loopback; then kill -9, a rolling
# restart and an edge cache under wrk load, and lifecycle actions timed across instances. See
# bench/cluster.py for the phases; results in docs/PERFORMANCE.md.
# Usage: bench/cluster.sh [--old-binary PATH] [--count N] [--seconds S] [--actions N]
# Needs: wrk, nginx (Debian's nginx-light), psql, python3; installs nothing itself.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk nginx psql python3; do
  command -v "$tool" >/dev/null || { echo "bench/cluster.sh needs $tool (apt-get install wrk nginx-light postgresql-client)"; exit 2; }
done
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 2; }
cargo build --release --quiet
exec python3 bench/cluster.py "$@"
