#!/usr/bin/env bash
# Scan accuracy on the labelled set (tests/it/accuracy.rs, tests/it/accuracy/*.rs): the
# current build scored side by side with a baseline commit's binary on the same cases.
#
# Usage: bench/scan-accuracy.sh [BASELINE_COMMIT]   (default: 9363320, before the issue-13 work)
#
# Prints, for each binary, the per-rule table (true positives, false positives, misses,
# precision, recall), the deny-level precision and recall, and the credential precision; then
# the summary lines of both. Only the current build is held to the targets (deny-level
# precision and recall >= 0.95, credential precision >= 0.8): the test
# `accuracy::the_scan_meets_its_accuracy_targets` asserts them in `cargo test`.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
BASE=${1:-9363320}
cd -- "$REPO_ROOT"

OUT=$(mktemp -d)
WT=$OUT/baseline
cleanup() {
    git worktree remove --force "$WT" >/dev/null 2>&1 || true
    rm -rf -- "$OUT"
}
trap cleanup EXIT

printf '==> building the baseline (%s)\n' "$BASE" >&2
git worktree add --detach "$WT" "$BASE" >/dev/null
cargo build --quiet --manifest-path "$WT/Cargo.toml" --target-dir "$REPO_ROOT/target/accuracy-baseline" --bin escrow
BASE_BIN=$REPO_ROOT/target/accuracy-baseline/debug/escrow

score() {  # score LABEL [BIN]
    local label=$1 bin=${2:-}
    printf '==> scoring %s\n' "$label" >&2
    env ${bin:+ESCROW_ACCURACY_BIN=$bin} ESCROW_ACCURACY_NO_ASSERT=1 \
        ESCROW_ACCURACY_OUT="$OUT/$label.txt" \
        cargo test --quiet --test it accuracy::the_scan_meets_its_accuracy_targets >/dev/null 2>&1
    printf '\n######## %s\n\n' "$label"
    cat "$OUT/$label.txt"
}

score "baseline-$BASE" "$BASE_BIN"
score "current-$(git rev-parse --short HEAD)"

printf '\n######## summary\n\n%-24s %s\n' "" "$(grep -h 'scan accuracy set' "$OUT/current-"*.txt)"
for f in "$OUT"/baseline-*.txt "$OUT"/current-*.txt; do
    label=$(basename "$f" .txt)
    grep -E '^(deny-level|credential precision|overall)' "$f" | sed "s/^/$label  /"
done
