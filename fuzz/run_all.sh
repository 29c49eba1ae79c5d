#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600) and prints one line per target.
# Usage: fuzz/run_all.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")"
SECS=${1:-600}
cargo +nightly fuzz build >/dev/null 2>&1 || { echo "cargo +nightly fuzz build failed"; exit 1; }
status=0
for target in hostname credit_code search_query csv_rows score_sheet indicator_tree; do
  log="target/fuzz-$target.log"
  mkdir -p target
  cargo +nightly fuzz run "$target" -- -max_total_time="$SECS" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}')
  if [ $rc -eq 0 ]; then verdict="no crash"; else verdict="CRASH (see $log, artifacts/$target/)"; status=1; fi
  printf '%-16s %8ss  %12s runs  %s\n' "$target" "$SECS" "${runs:-?}" "$verdict"
done
exit $status
