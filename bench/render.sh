#!/usr/bin/env bash
# Benchmark: rendering the documents of a large check (human, JSON, Markdown, HTML, Word,
# SARIF, the letter to the vendor) against the check itself, on linux-source-6.1 with the
# technical-barrier scan on (thousands of findings: the largest report a real tree gives).
#
# Usage: bench/render.sh
#
# Environment:
#   ESCROW_BENCH_DIR   cache directory (default /var/tmp/escrow-bench)
#   ESCROW_BENCH_TREE  benchmark this directory instead of linux-source-6.1
#   ESCROW_BENCH_RUNS  timed runs of the check and of each renderer (default 3)
#
# The result table goes to stdout, progress to stderr.
# Exits 0 whether the target is met or not; non-zero only if something broke.
set -euo pipefail

readonly TARGET_SHARE=10   # each renderer, in percent of the check's wall time, at most

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$SCRIPT_DIR/lib.sh"

bench_init
cd -- "$REPO_ROOT"
build_escrow
log "cargo build --release --example render_bench"
cargo build --release --example render_bench >&2
RENDER_BIN=${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/examples/render_bench
prepare_tree
ensure_gnu_time
write_manifest scan
REPORT=$WORK_TMP/report.json

run_check() {  # run_check [timed]
    run_cmd "escrow check" "0 1" "${1:-untimed}" -- \
        "$ESCROW_BIN" check "$TREE" --manifest "$MANIFEST" --format json --output "$REPORT" -q
}

log "warm-up (untimed)"
run_check
CHECK_BEST=""
for ((i = 1; i <= RUNS; i++)); do
    run_check timed
    read -r t _ <<<"$LAST_MEASURE"
    log "run $i/$RUNS check: ${t}s"
    CHECK_BEST=$(min "${CHECK_BEST:-$t}" "$t")
done
FINDINGS=$(grep -c '"code":' "$REPORT" || true)

log "rendering (best of $RUNS each)"
"$RENDER_BIN" "$REPORT" "$RUNS" >"$WORK_TMP/render.txt"

echo
row "tree" "$TREE"
row "findings in the report" "$FINDINGS"
row "check best wall (baseline)" "${CHECK_BEST}s"
printf '%-14s %10s %12s %10s\n' format "best ms" bytes "% of check"
WORST=0
while read -r name ms bytes; do
    share=$(awk -v m="$ms" -v c="$CHECK_BEST" 'BEGIN { printf "%.2f", m / 10 / c }')
    WORST=$(max "$WORST" "$share")
    printf '%-14s %10s %12s %10s\n' "$name" "$ms" "$bytes" "$share"
done <"$WORK_TMP/render.txt"
echo
if awk -v w="$WORST" -v t="$TARGET_SHARE" 'BEGIN { exit !(w <= t) }'; then
    echo "overall: PASS (slowest renderer ${WORST}% of the check, target <= ${TARGET_SHARE}%)"
else
    echo "overall: FAIL (slowest renderer ${WORST}% of the check, target <= ${TARGET_SHARE}%)"
fi
