#!/usr/bin/env bash
# Benchmark: peak memory of `escrow check` on a tar.gz of many tiny files
# (target: under 300 MiB at 2,000,000 entries, the default --max-files).
#
# The archive (N one-byte files, 1,000 to a folder) is generated once into the
# bench folder and reused. Beside escrow, the same run measures:
#   - `tar -tzf ARCHIVE | wc -l`, a floor: reading the archive, holding nothing;
#   - optionally an older escrow binary (ESCROW_BENCH_OLD_BIN), for comparison.
#
# Usage: bench/archive-memory.sh [N]        (default N = 2000000)
# Environment: ESCROW_BENCH_DIR, ESCROW_BENCH_RUNS (see lib.sh);
#   ESCROW_BENCH_OLD_BIN: another escrow binary to measure the same way
#   (e.g. one built from an earlier commit).
# Exits 0 whether the target is met or not; non-zero only if something broke.
set -euo pipefail

readonly TARGET_MIB=300

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$SCRIPT_DIR/lib.sh"

N=${1:-2000000}
require_positive_int N "$N"
OLD_BIN=${ESCROW_BENCH_OLD_BIN:-}

bench_init
cd -- "$REPO_ROOT"
build_escrow
ensure_gnu_time
write_manifest
command -v python3 >/dev/null || die "python3 is needed to generate the archive"

ARCHIVE=$BENCH_DIR/tiny-$N.tar.gz
if [[ ! -f $ARCHIVE ]]; then
    log "creating $ARCHIVE with $N entries (one-off)"
    mkdir -p -- "$BENCH_DIR"
    python3 - "$N" "$ARCHIVE.partial" <<'PY'
import io, sys, tarfile, zlib
n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "wb") as raw:
    gz = tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1)
    data = b"x"
    for i in range(n):
        info = tarfile.TarInfo(f"tiny/d{i // 1000:05d}/f{i:07d}.txt")
        info.size = len(data)
        info.mode = 0o644
        info.mtime = 1700000000
        gz.addfile(info, io.BytesIO(data))
    gz.close()
PY
    mv -- "$ARCHIVE.partial" "$ARCHIVE"
fi

# wait_for_staging: escrow removes its staging folder in the background.
wait_for_staging() {
    for _ in $(seq 300); do
        compgen -G "${TMPDIR:-/tmp}/escrow-staging-*" >/dev/null || return 0
        sleep 1
    done
}

# measure WHAT BIN: the highest peak RSS (KiB) and best wall time over RUNS.
measure() {
    local what=$1 bin=$2 best="" rss=0 wall r
    for ((i = 1; i <= RUNS; i++)); do
        wait_for_staging
        run_cmd "$what" "0 1" timed -- "$bin" check "$ARCHIVE" --manifest "$MANIFEST" \
            --format json --output "$WORK_TMP/report.json" -q --max-files "$N"
        read -r wall r <<<"$LAST_MEASURE"
        log "run $i/$RUNS $what: ${wall}s, ${r} KiB"
        if [[ -z $best ]]; then best=$wall; else best=$(min "$best" "$wall"); fi
        rss=$(max "$rss" "$r")
    done
    MEASURED="$best $rss"
}

run_cmd "tar -tzf | wc -l" 0 timed -- bash -c 'tar -tzf "$1" | wc -l' tar "$ARCHIVE"
read -r tar_wall tar_rss <<<"$LAST_MEASURE"
log "tar -tzf | wc -l: ${tar_wall}s, ${tar_rss} KiB"

measure "escrow check" "$ESCROW_BIN"
read -r esc_wall esc_rss <<<"$MEASURED"
if [[ -n $OLD_BIN ]]; then
    measure "old escrow check" "$OLD_BIN"
    read -r old_wall old_rss <<<"$MEASURED"
fi
wait_for_staging

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
per_entry() { awk -v k="$1" -v n="$N" 'BEGIN { printf "%.0f", k * 1024 / n }'; }
verdict=$(awk -v k="$esc_rss" -v t="$TARGET_MIB" 'BEGIN { print (k / 1024 < t ? "PASS" : "FAIL") }')

row "archive" "$ARCHIVE ($(stat -c %s -- "$ARCHIVE") bytes)"
row "entries" "$N"
row "tar -tzf | wc -l" "$(mib "$tar_rss") MiB peak, ${tar_wall}s"
if [[ -n $OLD_BIN ]]; then
    row "old escrow check" "$(mib "$old_rss") MiB peak ($(per_entry "$old_rss") B/entry), ${old_wall}s"
fi
row "escrow check" "$(mib "$esc_rss") MiB peak ($(per_entry "$esc_rss") B/entry), ${esc_wall}s"
row "target" "< $TARGET_MIB MiB: $verdict"
