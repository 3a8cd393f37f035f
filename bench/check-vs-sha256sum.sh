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

BENCH_DIR=${ESCROW_BENCH_DIR:-/var/tmp/escrow-bench}
RUNS=${ESCROW_BENCH_RUNS:-3}
BASELINE_ONLY=${ESCROW_BENCH_BASELINE_ONLY:-0}
readonly PKG=linux-source-6.1
readonly TARBALL=/usr/src/$PKG.tar.xz
readonly GNU_TIME=/usr/bin/time

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

if ! [[ $RUNS =~ ^[1-9][0-9]*$ ]]; then
    die "ESCROW_BENCH_RUNS must be a positive integer (got '$RUNS')"
fi

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    else
        sudo "$@"
    fi
}

APT_UPDATED=0
apt_install() {
    if [[ $APT_UPDATED -eq 0 ]]; then
        log "apt-get update"
        as_root apt-get update >&2
        APT_UPDATED=1
    fi
    log "apt-get install -y $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2
}

# Temporary files, removed on exit.
WORK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/escrow-bench.XXXXXX")
EXTRACT_TMP=""
cleanup() {
    rm -rf -- "$WORK_TMP"
    if [[ -n $EXTRACT_TMP ]]; then
        rm -rf -- "$EXTRACT_TMP"
    fi
}
trap cleanup EXIT

# --- 1. build -------------------------------------------------------------
cd -- "$REPO_ROOT"
ESCROW_BIN=${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/escrow
if [[ $BASELINE_ONLY != 1 ]]; then
    command -v cargo >/dev/null || die "cargo not found"
    log "cargo build --release"
    cargo build --release >&2
    [[ -x $ESCROW_BIN ]] || die "expected binary at $ESCROW_BIN after build"
fi

# --- 2. tree --------------------------------------------------------------
if [[ -n ${ESCROW_BENCH_TREE:-} ]]; then
    [[ -d $ESCROW_BENCH_TREE ]] || die "ESCROW_BENCH_TREE is not a directory: $ESCROW_BENCH_TREE"
    TREE=$(cd -- "$ESCROW_BENCH_TREE" && pwd)
else
    TREE=$BENCH_DIR/$PKG
    if [[ -d $TREE ]]; then
        log "using cached tree $TREE"
    else
        if [[ ! -f $TARBALL ]]; then
            apt_install "$PKG"
            [[ -f $TARBALL ]] || die "$TARBALL still missing after installing $PKG"
        fi
        mkdir -p -- "$BENCH_DIR"
        # Leftovers of an interrupted extraction are never reused.
        rm -rf -- "$BENCH_DIR"/.extract.*
        EXTRACT_TMP=$(mktemp -d "$BENCH_DIR/.extract.XXXXXX")
        log "extracting $TARBALL into $BENCH_DIR (one-off)"
        tar -xJf "$TARBALL" --no-same-owner -C "$EXTRACT_TMP"
        [[ -d $EXTRACT_TMP/$PKG ]] || die "$TARBALL has no top-level $PKG/ directory"
        mv -- "$EXTRACT_TMP/$PKG" "$TREE"
        rm -rf -- "$EXTRACT_TMP"
        EXTRACT_TMP=""
    fi
fi

# --- 3. GNU time ----------------------------------------------------------
if [[ ! -x $GNU_TIME ]]; then
    apt_install time
    [[ -x $GNU_TIME ]] || die "$GNU_TIME still missing after installing time"
fi

# --- 4. manifest ----------------------------------------------------------
MANIFEST=$WORK_TMP/manifest.toml
REPORT=$WORK_TMP/report.json
cat >"$MANIFEST" <<'EOF'
schema-version = 1

[[module]]
id = "tree"
name = "tree"
paths = ["**"]
EOF

# --- 5. measure -----------------------------------------------------------
log "counting files in $TREE"
FILE_COUNT=$(find "$TREE" -type f | wc -l)
TOTAL_BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }')

NPROC=$(nproc)
# shellcheck disable=SC2016  # $1 and $2 are expanded by the inner bash
readonly BASELINE_SCRIPT='find "$1" -type f -print0 | xargs -0 -n 2000 -P "$2" sha256sum > /dev/null'

# Each timed_* function leaves "WALL_SECONDS PEAK_RSS_KIB" in $LAST_MEASURE.
LAST_MEASURE=""

run_escrow() {  # run_escrow [timed]
    local stderr_file=$WORK_TMP/escrow.stderr time_file=$WORK_TMP/escrow.time status
    local -a cmd=("$ESCROW_BIN" check "$TREE" --manifest "$MANIFEST"
                  --format json --output "$REPORT" -q)
    set +e
    if [[ ${1:-} == timed ]]; then
        "$GNU_TIME" -f '%e %M' -o "$time_file" "${cmd[@]}" >/dev/null 2>"$stderr_file"
    else
        "${cmd[@]}" >/dev/null 2>"$stderr_file"
    fi
    status=$?
    set -e
    # 0 = all requirements met, 1 = some not met: both are a completed check.
    if [[ $status -ne 0 && $status -ne 1 ]]; then
        printf 'escrow check exited with status %d; its stderr:\n' "$status" >&2
        cat -- "$stderr_file" >&2
        exit 1
    fi
    if [[ ${1:-} == timed ]]; then
        # GNU time prefixes "Command exited with non-zero status N" when N != 0.
        LAST_MEASURE=$(tail -n 1 -- "$time_file")
    fi
}

run_baseline() {  # run_baseline [timed]
    local stderr_file=$WORK_TMP/baseline.stderr time_file=$WORK_TMP/baseline.time status
    local -a cmd=(bash -c "set -o pipefail; $BASELINE_SCRIPT" baseline "$TREE" "$NPROC")
    set +e
    if [[ ${1:-} == timed ]]; then
        "$GNU_TIME" -f '%e %M' -o "$time_file" "${cmd[@]}" 2>"$stderr_file"
    else
        "${cmd[@]}" 2>"$stderr_file"
    fi
    status=$?
    set -e
    if [[ $status -ne 0 ]]; then
        printf 'baseline pipeline exited with status %d; its stderr:\n' "$status" >&2
        cat -- "$stderr_file" >&2
        exit 1
    fi
    if [[ ${1:-} == timed ]]; then
        LAST_MEASURE=$(tail -n 1 -- "$time_file")
    fi
}

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }

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
row() { printf '%-28s %s\n' "$1" "$2"; }

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
