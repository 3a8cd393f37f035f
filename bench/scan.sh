#!/usr/bin/env bash
# Benchmark: `escrow check` with the technical-barrier scan on, versus the same
# check with the scan off and a parallel coreutils sha256sum pipeline, over a
# large real source tree. Also prints what the scan found there: the tree is a
# clean, public codebase, so every deny-level finding is a false positive.
#
# Usage: bench/scan.sh
#
# Environment:
#   ESCROW_BENCH_DIR   cache directory (default /var/tmp/escrow-bench)
#   ESCROW_BENCH_TREE  benchmark this directory instead of linux-source-6.1
#   ESCROW_BENCH_RUNS  timed runs per command (default 3)
set -euo pipefail

readonly TARGET_RATIO=2.0   # scan-on wall time / sha256sum wall time, at most

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT

source "$SCRIPT_DIR/lib.sh"

bench_init

cd -- "$REPO_ROOT"
build_escrow
prepare_tree
ensure_gnu_time

write_manifest
MANIFEST_OFF=$MANIFEST
write_manifest scan
MANIFEST_ON=$MANIFEST
REPORT=$WORK_TMP/report.json

log "counting files in $TREE"
tree_stats "$TREE"

run_check() {  # run_check MANIFEST [timed]
    # 0 = pass, 1 = deny-level findings: both are a completed check.
    run_cmd "escrow check" "0 1" "${2:-untimed}" -- \
        "$ESCROW_BIN" check "$TREE" --manifest "$1" --format json --output "$REPORT" -q
}

log "warm-up (untimed)"
run_check "$MANIFEST_OFF"
run_baseline

ON_BEST="" OFF_BEST="" BASE_BEST="" ON_RSS_KIB=0
for ((i = 1; i <= RUNS; i++)); do
    # Alternate, so that page-cache eviction hurts every command alike.
    run_baseline timed
    read -r t _ <<<"$LAST_MEASURE"
    log "run $i/$RUNS sha256sum:      ${t}s"
    BASE_BEST=$(min "${BASE_BEST:-$t}" "$t")
    run_check "$MANIFEST_OFF" timed
    read -r t _ <<<"$LAST_MEASURE"
    log "run $i/$RUNS check, no scan: ${t}s"
    OFF_BEST=$(min "${OFF_BEST:-$t}" "$t")
    run_check "$MANIFEST_ON" timed
    read -r t m <<<"$LAST_MEASURE"
    log "run $i/$RUNS check + scan:   ${t}s, ${m} KiB"
    ON_BEST=$(min "${ON_BEST:-$t}" "$t")
    ON_RSS_KIB=$(max "$ON_RSS_KIB" "$m")
done

RATIO=$(awk -v e="$ON_BEST" -v b="$BASE_BEST" 'BEGIN { if (b > 0) printf "%.3f", e / b; else print "inf" }')
RATIO_OK=$(awk -v r="$RATIO" -v t="$TARGET_RATIO" 'BEGIN { print (r != "inf" && r + 0 <= t + 0) ? "PASS" : "FAIL" }')

echo
row "tree" "$TREE"
row "files" "$FILE_COUNT"
row "total size" "$(awk -v b="$TOTAL_BYTES" 'BEGIN { printf "%.3f GB (%d bytes)", b / 1e9, b }')"
row "runs (best of)" "$RUNS"
row "sha256sum best wall" "${BASE_BEST}s  (find | xargs -n 2000 -P $NPROC sha256sum)"
row "check, scan off" "${OFF_BEST}s"
row "check + scan" "${ON_BEST}s, peak RSS $(awk -v k="$ON_RSS_KIB" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
row "ratio scan/sha256sum" "$RATIO   target <= $TARGET_RATIO   $RATIO_OK"
echo
echo "findings of the scan (count, code, rule, severity):"
python3 - "$REPORT" <<'PY'
import collections, json, sys
r = json.load(open(sys.argv[1]))
c = collections.Counter((f["code"], f.get("rule") or "-", f["severity"]) for f in r["findings"])
for (code, rule, sev), n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])):
    print(f"  {n:6d}  {code:24s} {rule:30s} {sev}")
deny = sum(n for (_, _, s), n in c.items() if s == "deny")
print(f"  deny-level: {deny}")
print("  scan:", json.dumps(r.get("scan")))
PY
echo
echo "overall: $RATIO_OK"
[[ $RATIO_OK == PASS ]]
