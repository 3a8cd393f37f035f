#!/usr/bin/env bash
# Benchmark: `escrow check` of a .tar.gz delivery against plain `tar -xzf` of the
# same file (target: escrow takes at most half as long: it reads the archive as a stream, writing
# almost nothing to disk). The archive is the
# linux-source-6.1 tree, gzipped once into the bench folder.
#
# Usage: bench/archive-vs-tar.sh
# Environment: ESCROW_BENCH_DIR, ESCROW_BENCH_TREE, ESCROW_BENCH_RUNS (see lib.sh);
# ESCROW_BENCH_OLD_BIN, another escrow binary (built from an earlier commit) timed in the same
# rounds; ESCROW_BENCH_SCAN=1 turns the technical-barrier scan on (off by default).
# Exits 0 whether the target is met or not; non-zero only if something broke.
set -euo pipefail

readonly TARGET_RATIO=0.5

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
write_manifest ${ESCROW_BENCH_SCAN:+scan}

ARCHIVE=$BENCH_DIR/$(basename -- "$TREE").tar.gz
if [[ ! -f $ARCHIVE ]]; then
    log "creating $ARCHIVE (one-off)"
    tar -czf "$ARCHIVE.partial" -C "$(dirname -- "$TREE")" "$(basename -- "$TREE")"
    mv -- "$ARCHIVE.partial" "$ARCHIVE"
fi
ARCHIVE_BYTES=$(stat -c %s -- "$ARCHIVE")

OLD_BIN=${ESCROW_BENCH_OLD_BIN:-}
best_tar="" best_escrow="" rss_escrow=0 best_old="" rss_old=0
for ((i = 1; i <= RUNS; i++)); do
    out=$WORK_TMP/x
    rm -rf -- "$out"
    mkdir -p -- "$out"
    sync
    run_cmd "tar -xzf" 0 timed -- tar -xzf "$ARCHIVE" -C "$out"
    read -r wall _ <<<"$LAST_MEASURE"
    log "run $i/$RUNS tar -xzf: ${wall}s"
    if [[ -z $best_tar ]]; then best_tar=$wall; else best_tar=$(min "$best_tar" "$wall"); fi
    rm -rf -- "$out"
    sync
    run_cmd "escrow check" "0 1" timed -- "$ESCROW_BIN" check "$ARCHIVE" --manifest "$MANIFEST" \
        --format json --output "$WORK_TMP/report.json" -q
    read -r wall rss <<<"$LAST_MEASURE"
    log "run $i/$RUNS escrow check: ${wall}s, ${rss} KiB"
    if [[ -z $best_escrow ]]; then best_escrow=$wall; else best_escrow=$(min "$best_escrow" "$wall"); fi
    rss_escrow=$(max "$rss_escrow" "$rss")
    # escrow removes its staging folder in the background: let that finish first.
    for _ in $(seq 120); do
        compgen -G "${TMPDIR:-/tmp}/escrow-staging-*" >/dev/null || break
        sleep 1
    done
    if [[ -n $OLD_BIN ]]; then
        run_cmd "old escrow check" "0 1" timed -- "$OLD_BIN" check "$ARCHIVE" --manifest "$MANIFEST" \
            --format json --output "$WORK_TMP/report-old.json" -q
        read -r wall rss <<<"$LAST_MEASURE"
        log "run $i/$RUNS old escrow check: ${wall}s, ${rss} KiB"
        if [[ -z $best_old ]]; then best_old=$wall; else best_old=$(min "$best_old" "$wall"); fi
        rss_old=$(max "$rss_old" "$rss")
        for _ in $(seq 120); do
            compgen -G "${TMPDIR:-/tmp}/escrow-staging-*" >/dev/null || break
            sleep 1
        done
    fi
done

ratio=$(awk -v a="$best_escrow" -v b="$best_tar" 'BEGIN { printf "%.3f", a / b }')
verdict=$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r <= t ? "PASS" : "FAIL") }')
echo
row "archive" "$ARCHIVE ($(awk -v b="$ARCHIVE_BYTES" 'BEGIN { printf "%.1f MB", b / 1e6 }'))"
row "runs (best of)" "$RUNS"
row "tar -xzf best wall" "${best_tar}s"
row "escrow check best wall" "${best_escrow}s"
row "ratio escrow/tar" "$ratio   target <= $TARGET_RATIO   $verdict"
row "escrow peak RSS" "$(awk -v k="$rss_escrow" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
if [[ -n $OLD_BIN ]]; then
    row "old escrow best wall" "${best_old}s"
    row "old escrow peak RSS" "$(awk -v k="$rss_old" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
fi
