# Sourced by the benchmarks: they load the server from one address, so the per-network rate
# limits (src/web/limits.rs) would measure only the 429 path. bench/limits.sh measures those.
for kind in SEARCH API STATISTICS FEEDS DOWNLOADS LOGIN UNKNOWN_MARKS; do
  export "SQE_RATE_LIMIT_$kind=off"
done
