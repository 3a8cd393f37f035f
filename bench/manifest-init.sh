#!/usr/bin/env bash
# Benchmark: `escrow manifest init` on a large tree against `escrow check` with the scan off on
# the same tree (target: init takes at most 1.5 times as long). Both read the whole inventory
# (every file hashed); init then detects modules, finds documents, counts the tables of the
# .sql scripts, parses the dependency files, and checks its draft against the tree. Runs
# alternate (check, init, check, init, …) and the best wall time of each is compared.
#
# Usage: bench/manifest-init.sh
# Environment: ESCROW_BENCH_DIR, ESCROW_BENCH_TREE, ESCROW_BENCH_RUNS (see lib.sh); the default
# tree is the linux-source-6.1 tree extracted into the bench folder.
# Exits 0 whether the target is met or not; non-zero only if something broke.
set -euo pipefail

readonly TARGET_RATIO=1.5

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$SCRIPT_DIR/lib.sh"

bench_init
cd -- "$REPO_ROOT"
build_escrow
prepare_tree
ensure_gnu_time
write_manifest
tree_stats "$TREE"

# One untimed run of each first: the tree in the page cache for both.
run_cmd "escrow check" "0 1" untimed -- "$ESCROW_BIN" check "$TREE" --manifest "$MANIFEST" \
    --format json --output "$WORK_TMP/report.json" -q
run_cmd "escrow manifest init" 0 untimed -- "$ESCROW_BIN" manifest init "$TREE" \
    --output "$WORK_TMP/draft.toml" --force -q

best_check="" best_init="" rss_check=0 rss_init=0
for ((i = 1; i <= RUNS; i++)); do
    run_cmd "escrow check" "0 1" timed -- "$ESCROW_BIN" check "$TREE" --manifest "$MANIFEST" \
        --format json --output "$WORK_TMP/report.json" -q
    read -r wall rss <<<"$LAST_MEASURE"
    log "run $i/$RUNS escrow check (scan off): ${wall}s, ${rss} KiB"
    if [[ -z $best_check ]]; then best_check=$wall; else best_check=$(min "$best_check" "$wall"); fi
    rss_check=$(max "$rss_check" "$rss")

    run_cmd "escrow manifest init" 0 timed -- "$ESCROW_BIN" manifest init "$TREE" \
        --output "$WORK_TMP/draft.toml" --force -q
    read -r wall rss <<<"$LAST_MEASURE"
    log "run $i/$RUNS escrow manifest init: ${wall}s, ${rss} KiB"
    if [[ -z $best_init ]]; then best_init=$wall; else best_init=$(min "$best_init" "$wall"); fi
    rss_init=$(max "$rss_init" "$rss")
done

# The draft must load and the tree must meet it (the scan stays off: its findings are not the
# draft's business).
{ cat -- "$WORK_TMP/draft.toml"; printf '\n[scan]\nenabled = false\n'; } >"$WORK_TMP/draft-noscan.toml"
run_cmd "escrow check of the draft" "0 1" untimed -- "$ESCROW_BIN" check "$TREE" \
    --manifest "$WORK_TMP/draft-noscan.toml" --format json --output "$WORK_TMP/draft-report.json" -q
unmet=$(grep -c '"status": *"unmet"' "$WORK_TMP/draft-report.json" || true)

ratio=$(awk -v a="$best_init" -v b="$best_check" 'BEGIN { printf "%.3f", a / b }')
verdict=$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r <= t ? "PASS" : "FAIL") }')
echo
row "tree" "$TREE"
row "files / bytes" "$FILE_COUNT / $(awk -v b="$TOTAL_BYTES" 'BEGIN { printf "%.1f MB", b / 1e6 }')"
row "runs (best of, alternating)" "$RUNS"
row "check (scan off) best wall" "${best_check}s"
row "manifest init best wall" "${best_init}s"
row "ratio init/check" "$ratio   target <= $TARGET_RATIO   $verdict"
row "check peak RSS" "$(awk -v k="$rss_check" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
row "init peak RSS" "$(awk -v k="$rss_init" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
row "draft requirements unmet" "$unmet (the draft must be met by the tree it came from: 0)"
