#!/usr/bin/env bash
# Benchmark: `escrow check` over a large real source tree versus a parallel
# coreutils sha256sum pipeline over the same files.
#
# Usage: bench/check-vs-sha256sum.sh
#
# Environment:
#   ESCROW_BENCH_DIR            cache directory (default /var/tmp/escrow-bench)
#   ESCROW_BENCH_TREE           benchmark this directory instead of linux-source-6.1
#   ESCROW_BENCH_RUNS           timed runs per command (default 3)
#   ESCROW_BENCH_BASELINE_ONLY  if 1, skip building and running escrow
#
# The result table goes to stdout, progress to stderr.
# Exits 0 whether the targets are met or not; non-zero only if something broke.
set -euo pipefail

# Targets.
readonly TARGET_RATIO=0.75   # escrow wall time / baseline wall time, at most
readonly TARGET_RSS_MIB=200  # escrow peak RSS, strictly below

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$SCRIPT_DIR/lib.sh"

bench_init

# --- 1. build -------------------------------------------------------------
cd -- "$REPO_ROOT"
build_escrow

# --- 2. tree --------------------------------------------------------------
prepare_tree

# --- 3. GNU time ----------------------------------------------------------
ensure_gnu_time

# --- 4. manifest ----------------------------------------------------------
write_manifest
REPORT=$WORK_TMP/report.json

# --- 5. measure -----------------------------------------------------------
log "counting files in $TREE"
tree_stats "$TREE"

run_escrow() {  # run_escrow [timed]
    # 0 = all requirements met, 1 = some not met: both are a completed check.
    run_cmd "escrow check" "0 1" "${1:-untimed}" -- \
        "$ESCROW_BIN" check "$TREE" --manifest "$MANIFEST" --format json --output "$REPORT" -q
}

log "warm-up (untimed)"
if [[ $BASELINE_ONLY != 1 ]]; then
    run_escrow
fi
run_baseline

ESCROW_BEST="" ESCROW_RSS_KIB=0 BASE_BEST=""
for ((i = 1; i <= RUNS; i++)); do
    if [[ $BASELINE_ONLY != 1 ]]; then
        run_escrow timed
        read -r t m <<<"$LAST_MEASURE"
        log "run $i/$RUNS escrow:   ${t}s, ${m} KiB"
        ESCROW_BEST=$(min "${ESCROW_BEST:-$t}" "$t")
        ESCROW_RSS_KIB=$(max "$ESCROW_RSS_KIB" "$m")
    fi
    run_baseline timed
    read -r t m <<<"$LAST_MEASURE"
    log "run $i/$RUNS baseline: ${t}s, ${m} KiB"
    BASE_BEST=$(min "${BASE_BEST:-$t}" "$t")
done

# --- 6. report ------------------------------------------------------------
echo
row "tree" "$TREE"
row "files" "$FILE_COUNT"
row "total size" "$(awk -v b="$TOTAL_BYTES" 'BEGIN { printf "%.3f GB (%d bytes)", b / 1e9, b }')"
row "runs (best of)" "$RUNS"
row "baseline best wall" "${BASE_BEST}s  (find | xargs -n 2000 -P $NPROC sha256sum)"

if [[ $BASELINE_ONLY == 1 ]]; then
    row "baseline throughput" "$(awk -v b="$TOTAL_BYTES" -v t="$BASE_BEST" 'BEGIN { if (t > 0) printf "%.1f MB/s", b / 1e6 / t; else print "n/a" }')"
    echo
    echo "escrow not run (ESCROW_BENCH_BASELINE_ONLY=1)"
    exit 0
fi

RATIO=$(awk -v e="$ESCROW_BEST" -v b="$BASE_BEST" 'BEGIN { if (b > 0) printf "%.3f", e / b; else print "inf" }')
THROUGHPUT=$(awk -v by="$TOTAL_BYTES" -v t="$ESCROW_BEST" 'BEGIN { if (t > 0) printf "%.1f", by / 1e6 / t; else print "inf" }')
RSS_MIB=$(awk -v k="$ESCROW_RSS_KIB" 'BEGIN { printf "%.1f", k / 1024 }')
RATIO_OK=$(awk -v r="$RATIO" -v t="$TARGET_RATIO" 'BEGIN { print (r != "inf" && r + 0 <= t + 0) ? "PASS" : "FAIL" }')
RSS_OK=$(awk -v m="$RSS_MIB" -v t="$TARGET_RSS_MIB" 'BEGIN { print (m + 0 < t + 0) ? "PASS" : "FAIL" }')

row "escrow best wall" "${ESCROW_BEST}s"
row "ratio escrow/baseline" "$RATIO   target <= $TARGET_RATIO   $RATIO_OK"
row "escrow throughput" "$THROUGHPUT MB/s"
row "escrow peak RSS" "$RSS_MIB MiB   target < $TARGET_RSS_MIB MiB   $RSS_OK"
echo
if [[ $RATIO_OK == PASS && $RSS_OK == PASS ]]; then
    echo "overall: PASS"
else
    echo "overall: FAIL"
fi
