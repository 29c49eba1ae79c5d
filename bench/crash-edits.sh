#!/usr/bin/env bash
# Crash test of the back office: a burst of lifecycle actions (suspend, then restore, on many
# certificates from several clients at once) against a running server, which is killed with
# kill -9 in the middle. Then: the database is consistent (PRAGMA integrity_check on SQLite),
# every action the server acknowledged (303) is in the audit log, every audit entry has its
# public event and its revision bump (one transaction: all three or none), each certificate's
# status is what its last event says, every event has its one transparency-log entry, the signed
# checkpoint names exactly the entries stored (its root recomputed by bench/log_root.py, an
# independent RFC 6962 implementation), and the server starts again and serves the page.
#
# Usage: bench/crash-edits.sh [SECONDS_BEFORE_KILL]   (default 3). SQLite, and PostgreSQL when
# 127.0.0.1:5432 answers. Needs curl, sqlite3 and psql. Results go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/unlimited.sh
AFTER=${1:-3}
OUT=bench-out/crash-edits
PG_ADMIN=${SQE_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=8093
CLIENTS=4
PASSWORD="crash test password 1"
export PGOPTIONS="--client-min-messages=warning" RUST_LOG=warn
rm -rf "$OUT" && mkdir -p "$OUT"
cargo build --quiet
cp "${CARGO_TARGET_DIR:-target}/debug/sqe-registry" "$OUT/sqe-registry"
BIN=$OUT/sqe-registry

sql() {
  if [ "$1" = sqlite ]; then sqlite3 "${2#sqlite://}" "$3"; else psql -qAt "$2" -c "$3"; fi
}

serve() {  # serve URL LOG → pid
  DATABASE_URL="$1" SQE_BIND="127.0.0.1:$PORT" "$BIN" serve >>"$2" 2>&1 &
  echo $!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return
    sleep 0.1
  done
}

client() {  # client N NUMBERS_FILE: logs in, then suspends and restores each number in turn
  local jar="$OUT/jar-$1" base="http://127.0.0.1:$PORT" token
  token=$(curl -fs -c "$jar" -b "$jar" "$base/admin/login" | grep -o 'name="csrf" value="[^"]*"' | cut -d'"' -f4)
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$token" \
    --data-urlencode "username=crash$1" --data-urlencode "password=$PASSWORD" "$base/admin/login"
  token=$(curl -fs -c "$jar" -b "$jar" "$base/admin/audit" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
  while read -r number; do
    for action in suspend restore; do
      code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" --data-urlencode "csrf=$token" \
        --data-urlencode "until=$UNTIL" --data-urlencode "reason_zh=压力测试" \
        "$base/admin/certificates/$number/$action" || true)
      [ "$code" = 303 ] && echo "$number $action" >>"$OUT/acked"
      [ "$code" = 000 ] && return 0
    done
  done <"$2"
}

run_backend() {
  local backend=$1 url log pid audit0 event0 rev0
  echo
  echo "== $backend"
  if [ "$backend" = sqlite ]; then
    url="sqlite://$OUT/edits.db"
  else
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS sqe_crash_edits WITH (FORCE)" \
      -c "CREATE DATABASE sqe_crash_edits TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    url="${PG_ADMIN%/*}/sqe_crash_edits"
  fi
  DATABASE_URL="$url" "$BIN" demo --count 2000 --seed 3 2>/dev/null
  for i in $(seq 1 $CLIENTS); do
    echo "$PASSWORD" | DATABASE_URL="$url" "$BIN" user add --username "crash$i" --role evaluator >/dev/null 2>&1
  done
  UNTIL=$(date -u -d '+20 days' +%F)
  export UNTIL
  sql "$backend" "$url" "SELECT number FROM certificates WHERE status = 'valid' AND expires_on > '$(date -u -d '+1 day' +%F)' ORDER BY id" \
    | split -n r/$CLIENTS - "$OUT/numbers-"
  audit0=$(sql "$backend" "$url" "SELECT COALESCE(MAX(id), 0) FROM audit_log")
  event0=$(sql "$backend" "$url" "SELECT COALESCE(MAX(id), 0) FROM certificate_events")
  rev0=$(sql "$backend" "$url" "SELECT value FROM registry_meta WHERE key = 'revision'")
  log="$OUT/serve-$backend.log"
  rm -f "$OUT/acked" && touch "$OUT/acked"
  pid=$(serve "$url" "$log")
  local i=0 clients=()
  for f in "$OUT"/numbers-*; do
    i=$((i + 1))
    client "$i" "$f" &
    clients+=($!)
  done
  sleep "$AFTER"
  kill -9 "$pid"
  wait "${clients[@]}" 2>/dev/null || true
  rm -f "$OUT"/numbers-*

  local acked audits events revs mismatched check="-" ok_log=1
  acked=$(wc -l <"$OUT/acked")
  audits=$(sql "$backend" "$url" "SELECT COUNT(*) FROM audit_log WHERE id > $audit0 AND action LIKE 'certificate.%'")
  events=$(sql "$backend" "$url" "SELECT COUNT(*) FROM certificate_events WHERE id > $event0")
  revs=$(( $(sql "$backend" "$url" "SELECT value FROM registry_meta WHERE key = 'revision'") - rev0 ))
  # Each touched certificate: its stored status against its latest event.
  mismatched=$(sql "$backend" "$url" "SELECT COUNT(*) FROM certificates c
    JOIN certificate_events e ON e.certificate_id = c.id AND e.id = (SELECT MAX(id) FROM certificate_events WHERE certificate_id = c.id)
    WHERE e.id > $event0 AND NOT ((e.kind = 'suspended' AND c.status = 'suspended') OR (e.kind = 'restored' AND c.status = 'valid'))")
  [ "$backend" = sqlite ] && check=$(sql sqlite "$url" "PRAGMA integrity_check")
  local missing=0
  while read -r number action; do
    n=$(sql "$backend" "$url" "SELECT COUNT(*) FROM audit_log WHERE id > $audit0 AND entity_id = '$number' AND action = 'certificate.$action'")
    [ "$n" -ge 1 ] || missing=$((missing + 1))
  done <"$OUT/acked"
  # The transparency log: one entry per event, and a checkpoint of exactly what is stored.
  local unlogged entries head_size head_root root_line
  unlogged=$(sql "$backend" "$url" "SELECT COUNT(*) FROM certificate_events e WHERE NOT EXISTS (SELECT 1 FROM log_entries l WHERE l.event_id = e.id)")
  entries=$(sql "$backend" "$url" "SELECT COUNT(*) FROM log_entries WHERE event_id > $event0")
  head_size=$(sql "$backend" "$url" "SELECT size FROM log_head")
  head_root=$(sql "$backend" "$url" "SELECT checkpoint FROM log_head" | sed -n 3p)
  if [ "$backend" = sqlite ]; then
    root_line=$(sql sqlite "$url" "SELECT hex(body) FROM log_entries ORDER BY idx" | python3 bench/log_root.py)
  else
    root_line=$(sql postgres "$url" "SELECT encode(body, 'hex') FROM log_entries ORDER BY idx" | python3 bench/log_root.py)
  fi
  echo "log: entries of the burst $entries, events without an entry $unlogged, checkpoint size $head_size, recomputed: $root_line, signed root: $head_root"
  [ "$unlogged" = 0 ] && [ "$entries" = "$events" ] || ok_log=0
  [ "$root_line" = "$head_size $head_root" ] || ok_log=0
  echo "killed after ${AFTER}s: acknowledged $acked, audit entries $audits, events $events, revision +$revs"
  echo "integrity: $check; acknowledged but missing: $missing; status differing from its last event: $mismatched"
  local ok=$ok_log
  [ "$backend" = sqlite ] && [ "$check" != ok ] && ok=0
  [ "$missing" = 0 ] && [ "$mismatched" = 0 ] || ok=0
  [ "$audits" = "$events" ] && [ "$audits" = "$revs" ] || ok=0
  [ "$audits" -ge "$acked" ] && [ "$audits" -le $((acked + CLIENTS)) ] || ok=0
  pid=$(serve "$url" "$log")
  local first
  first=$(head -1 "$OUT/acked" | cut -d' ' -f1)
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/certificates/$first")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "restarted: the verification page answers $code"
  [ "$code" = 200 ] || ok=0
  [ "$ok" = 1 ] && echo "PASS ($backend)" || { echo "FAIL ($backend)"; exit 1; }
}

run_backend sqlite
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then run_backend postgres; fi
