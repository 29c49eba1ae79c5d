#!/usr/bin/env bash
# Crash test of `sqe-registry import`: kill -9 in the middle of a long import, then check that
# the database is consistent (PRAGMA integrity_check on SQLite), holds either all rows of the
# import or none, and that the registry revision moved only with a complete import. Then the same
# file is imported to the end, and once more (everything unchanged).
#
# The file: `sqe-registry demo --count N` into a scratch SQLite database, then `export` (so the
# rows look like real ones and the export format is exercised too). Each target database gets
# the same certification bodies and scheme versions, copied with sqlite3 / psql.
#
# Usage: bench/crash.sh [ROWS]    (default 20000). Runs on SQLite, and on PostgreSQL when
# 127.0.0.1:5432 answers (user postgres). Needs sqlite3 (apt-get install sqlite3) and, for
# PostgreSQL, psql. Uses the debug build (a longer write phase gives more room to kill in);
# CRASH_PROFILE=release for the release build. Results are meant for docs/IMPORT.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-20000}
PROFILE=${CRASH_PROFILE:-dev}
OUT=bench-out/crash
PG_ADMIN=${SQE_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export PGOPTIONS="--client-min-messages=warning"
rm -rf "$OUT" && mkdir -p "$OUT"

cargo build --quiet --profile "$PROFILE"
dir=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
# A copy, so that another build in the same target folder cannot swap the binary mid-run.
cp "${CARGO_TARGET_DIR:-target}/$dir/sqe-registry" "$OUT/sqe-registry"
BIN=$OUT/sqe-registry
export RUST_LOG=info RUST_BACKTRACE=0

echo "== generating $ROWS certificates"
DATABASE_URL="sqlite://$OUT/source.db" "$BIN" demo --count "$ROWS" --seed 1 2>/dev/null
DATABASE_URL="sqlite://$OUT/source.db" "$BIN" export --output "$OUT/big.csv" 2>/dev/null
echo "$(($(wc -l < "$OUT/big.csv") - 1)) rows, $(du -h "$OUT/big.csv" | cut -f1) in $OUT/big.csv"

reference_sql() {  # the source's bodies and scheme versions as portable INSERTs
  sqlite3 "$OUT/source.db" "
    SELECT 'INSERT INTO certification_bodies (code, name_zh, name_en, approval_number, website) VALUES ('
      || quote(code) || ',' || quote(name_zh) || ',' || quote(name_en) || ','
      || quote(approval_number) || ',' || quote(website) || ');' FROM certification_bodies;
    SELECT 'INSERT INTO scheme_versions (slug, standard_code, title_zh, title_en, effective_from, illustrative) VALUES ('
      || quote(slug) || ',' || quote(standard_code) || ',' || quote(title_zh) || ','
      || quote(title_en) || ',' || quote(effective_from) || ','
      || CASE WHEN illustrative THEN 'true' ELSE 'false' END || ');' FROM scheme_versions;"
}

# sql BACKEND URL QUERY: one value
sql() {
  if [ "$1" = sqlite ]; then sqlite3 "${2#sqlite://}" "$3"; else psql -qAt "$2" -c "$3"; fi
}

fresh_target() {  # fresh_target BACKEND NAME → prints the URL of a migrated, empty registry
  local url
  if [ "$1" = sqlite ]; then
    rm -f "$OUT/$2.db" "$OUT/$2.db-wal" "$OUT/$2.db-shm"
    url="sqlite://$OUT/$2.db"
  else
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" -c \
      "CREATE DATABASE $2 TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    url="${PG_ADMIN%/*}/$2"
  fi
  DATABASE_URL="$url" "$BIN" migrate 2>/dev/null
  if [ "$1" = sqlite ]; then
    reference_sql | sqlite3 "${url#sqlite://}"
  else
    reference_sql | psql -q "$url" >/dev/null
  fi
  echo "$url"
}

state() {  # state BACKEND URL → "certificates events audit revision"
  sql "$1" "$2" "SELECT (SELECT COUNT(*) FROM certificates) || ' ' || (SELECT COUNT(*) FROM certificate_events)
    || ' ' || (SELECT COUNT(*) FROM audit_log) || ' ' || (SELECT value FROM registry_meta WHERE key = 'revision')"
}

integrity() {  # SQLite's own check; on both, rows no certificate points to (a half import)
  local check="-"
  [ "$1" = sqlite ] && check=$(sql sqlite "$2" "PRAGMA integrity_check")
  echo "$check/$(sql "$1" "$2" "SELECT (SELECT COUNT(*) FROM platforms WHERE id NOT IN
    (SELECT platform_id FROM certificates)) + (SELECT COUNT(*) FROM companies WHERE id NOT IN
    (SELECT company_id FROM certificates))")"
}

wait_for_writing() {  # wait_for_writing LOG PID: until the import starts its write transaction
  until grep -q "writing certificates" "$1" 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || break
    sleep 0.02
  done
}

run_backend() {
  local backend=$1 url before start mid end ms log pid status after
  echo
  echo "== $backend"
  url=$(fresh_target "$backend" sqe_crash_timing)
  log="$OUT/import-$backend-timing.log"
  start=$(date +%s%N)
  DATABASE_URL="$url" "$BIN" import "$OUT/big.csv" >/dev/null 2>"$log" &
  pid=$!
  wait_for_writing "$log" "$pid"
  mid=$(date +%s%N)
  wait "$pid"
  end=$(date +%s%N)
  ms=$(((end - mid) / 1000000))
  echo "a full import of $ROWS rows: $(((end - start) / 1000000)) ms, of which writing (one transaction) $ms ms"
  [ "$backend" = postgres ] && psql -q "$PG_ADMIN" -c "DROP DATABASE sqe_crash_timing WITH (FORCE)"
  url=$(fresh_target "$backend" sqe_crash)
  before=$(state "$backend" "$url")
  echo "before: certificates events audit revision = $before"
  echo "integrity: PRAGMA integrity_check (SQLite; - on PostgreSQL) / platforms and companies without a certificate"
  printf '%-22s %-12s %-26s %-10s %s\n' "kill -9 after" "exit" "cert events audit rev" "integrity" "verdict"
  for pct in 10 50 90; do
    log="$OUT/import-$backend-$pct.log"
    DATABASE_URL="$url" "$BIN" import "$OUT/big.csv" >/dev/null 2>"$log" &
    pid=$!
    wait_for_writing "$log" "$pid"
    sleep "$(awk "BEGIN { print $ms * $pct / 100 / 1000 }")"
    kill -9 "$pid" 2>/dev/null || true
    status=0
    wait "$pid" 2>/dev/null || status=$?
    after=$(state "$backend" "$url")
    local verdict="FAIL"
    if [ "$after" = "$before" ]; then verdict="ok: none written"; fi
    read -r c e a r <<<"$after"
    read -r c0 e0 a0 r0 <<<"$before"
    if [ "$c" = $((c0 + ROWS)) ] && [ "$e" = $((e0 + ROWS)) ] && [ "$r" = $((r0 + 1)) ]; then
      verdict="ok: all written (finished first)"
    fi
    printf '%-22s %-12s %-26s %-10s %s\n' "$pct% of writing" \
      "$([ "$status" = 137 ] && echo "SIGKILL" || echo "exit $status")" "$after" \
      "$(integrity "$backend" "$url")" "$verdict"
    [ "$verdict" = FAIL ] && { echo "inconsistent database after a kill"; exit 1; }
    # Keep the database as the kill left it for the next round only if nothing was written.
    [ "$after" = "$before" ] || url=$(fresh_target "$backend" sqe_crash)
  done
  DATABASE_URL="$url" "$BIN" import "$OUT/big.csv" 2>/dev/null | tail -1
  echo "after a complete import: $(state "$backend" "$url"), integrity $(integrity "$backend" "$url")"
  DATABASE_URL="$url" "$BIN" import "$OUT/big.csv" 2>/dev/null | tail -1
  echo "after a second run:     $(state "$backend" "$url")"
  [ "$backend" = postgres ] && psql -q "$PG_ADMIN" -c "DROP DATABASE sqe_crash WITH (FORCE)"
  return 0
}

run_backend sqlite
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && command -v psql >/dev/null; then
  run_backend postgres
else
  echo "PostgreSQL is not reachable: skipped"
fi
