#!/usr/bin/env bash
# A PostgreSQL backup restored for real (docs/DEPLOYMENT.md): a demo registry is dumped with
# `pg_dump -Fc`, restored into an empty database with `pg_restore`, and an instance started on
# the copy must serve the same certificates, events and revision; then the original is changed
# and the copy must not be. Usage: bench/pg-restore.sh [COUNT] (default 2000). Needs psql,
# pg_dump, pg_restore and curl; PostgreSQL on 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-2000}
OUT=bench-out/pg-restore
PG_ADMIN=${SQE_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SOURCE=${PG_ADMIN%/*}/sqe_restore_source
COPY=${PG_ADMIN%/*}/sqe_restore_copy
PORT=18195
export PGOPTIONS="--client-min-messages=warning"
rm -rf "$OUT" && mkdir -p "$OUT"
cargo build --release --quiet
BIN=target/release/sqe-registry
for db in sqe_restore_source sqe_restore_copy; do
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
    -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
done
DATABASE_URL=$SOURCE RUST_LOG=warn "$BIN" demo --count "$COUNT" --seed 9 >/dev/null
started=$(date +%s.%N)
pg_dump -Fc -f "$OUT/registry.dump" "$SOURCE"
dumped=$(date +%s.%N)
pg_restore --no-owner --exit-on-error -d "$COPY" "$OUT/registry.dump"
restored=$(date +%s.%N)
facts="SELECT (SELECT count(*) FROM certificates) || ' certificates, ' || (SELECT count(*) FROM certificate_events) || ' events, ' || (SELECT count(*) FROM search_tokens) || ' tokens, revision ' || (SELECT value FROM registry_meta WHERE key = 'revision')"
a=$(psql -qAt "$SOURCE" -c "$facts"); b=$(psql -qAt "$COPY" -c "$facts")
echo "source: $a"
echo "copy:   $b"
[ "$a" = "$b" ] || { echo "FAILED: the copy differs"; exit 1; }
printf 'dump %.1f s (%s), restore %.1f s\n' "$(echo "$dumped - $started" | bc)" "$(du -h "$OUT/registry.dump" | cut -f1)" "$(echo "$restored - $dumped" | bc)"
number=$(psql -qAt "$COPY" -c "SELECT number FROM certificates WHERE status = 'valid' ORDER BY id LIMIT 1")
DATABASE_URL=$COPY SQE_BIND=127.0.0.1:$PORT SQE_DATA_DIR=$OUT/data RUST_LOG=warn "$BIN" serve >"$OUT/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$PORT/certificates/$number" | grep -q "verdict-valid" \
  || { echo "FAILED: the copy does not serve $number"; exit 1; }
curl -fs "http://127.0.0.1:$PORT/search?q=%E7%A7%91%E6%8A%80" | grep -q "CQM-SQE\|DEMO-SQE" \
  || { echo "FAILED: the copy's search finds nothing"; exit 1; }
psql -qAt "$SOURCE" -c "UPDATE certificates SET status = 'revoked' WHERE number = '$number'"
[ "$(psql -qAt "$COPY" -c "SELECT status FROM certificates WHERE number = '$number'")" = valid ] \
  || { echo "FAILED: the copy follows the source"; exit 1; }
echo "restore OK: an instance on the copy serves $number and finds by name"
