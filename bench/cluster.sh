#!/usr/bin/env bash
# The cluster on this machine (issue 14): PostgreSQL (started if stopped), three instances of a
# release build and nginx (deploy/nginx/sqe-registry.conf) on loopback; then kill -9, a rolling
# restart and an edge cache under wrk load, and lifecycle actions timed across instances. See
# bench/cluster.py for the phases; results in docs/PERFORMANCE.md.
# Usage: bench/cluster.sh [--old-binary PATH] [--count N] [--seconds S] [--actions N]
# Needs wrk and nginx: installed from Debian's packages (wrk, nginx-light) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (apt-get)"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts its own nginx on port 80; this bench runs nginx of its own on loopback ports.
  $sudo_ nginx -s stop 2>/dev/null || true
fi
for tool in wrk nginx psql python3; do
  command -v "$tool" >/dev/null || { echo "bench/cluster.sh needs $tool"; exit 2; }
done
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 2; }
cargo build --release --quiet
exec python3 bench/cluster.py "$@"
