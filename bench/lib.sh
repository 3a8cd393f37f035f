# shellcheck shell=bash
# Shared parts of the benchmark scripts: environment, package installs, the
# escrow build, the benchmark tree, the manifest and timing helpers.
#
# Sourced by bench/*.sh after they set SCRIPT_DIR and REPO_ROOT. Sourcing only
# defines variables and functions; the scripts call bench_init, build_escrow,
# prepare_tree, ensure_gnu_time and write_manifest themselves.
#
# Variables set here are read by the sourcing scripts.
# shellcheck disable=SC2034

BENCH_DIR=${ESCROW_BENCH_DIR:-/var/tmp/escrow-bench}
RUNS=${ESCROW_BENCH_RUNS:-3}
BASELINE_ONLY=${ESCROW_BENCH_BASELINE_ONLY:-0}
readonly PKG=linux-source-6.1
readonly TARBALL=/usr/src/$PKG.tar.xz
readonly GNU_TIME=/usr/bin/time

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# require_positive_int NAME VALUE
require_positive_int() {
    if ! [[ $2 =~ ^[1-9][0-9]*$ ]]; then
        die "$1 must be a positive integer (got '$2')"
    fi
}

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

# Temporary files, removed on exit, with every directory in CLEANUP_DIRS.
WORK_TMP=""
EXTRACT_TMP=""
CLEANUP_DIRS=()
cleanup() {
    if [[ -n $WORK_TMP ]]; then
        rm -rf -- "$WORK_TMP"
    fi
    if [[ -n $EXTRACT_TMP ]]; then
        rm -rf -- "$EXTRACT_TMP"
    fi
    local dir
    for dir in "${CLEANUP_DIRS[@]}"; do
        rm -rf -- "$dir"
    done
}

# bench_init: validates ESCROW_BENCH_RUNS, creates WORK_TMP, installs the
# cleanup trap.
bench_init() {
    require_positive_int ESCROW_BENCH_RUNS "$RUNS"
    WORK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/escrow-bench.XXXXXX")
    trap cleanup EXIT
}

# build_escrow: `cargo build --release` unless ESCROW_BENCH_BASELINE_ONLY=1.
# Sets ESCROW_BIN either way. Run from REPO_ROOT.
build_escrow() {
    ESCROW_BIN=${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/escrow
    if [[ $BASELINE_ONLY != 1 ]]; then
        command -v cargo >/dev/null || die "cargo not found"
        log "cargo build --release"
        cargo build --release >&2
        [[ -x $ESCROW_BIN ]] || die "expected binary at $ESCROW_BIN after build"
    fi
}

# prepare_tree: sets TREE to ESCROW_BENCH_TREE, or to the linux-source-6.1
# tree extracted once into BENCH_DIR (installing the package if needed).
prepare_tree() {
    if [[ -n ${ESCROW_BENCH_TREE:-} ]]; then
        [[ -d $ESCROW_BENCH_TREE ]] || die "ESCROW_BENCH_TREE is not a directory: $ESCROW_BENCH_TREE"
        TREE=$(cd -- "$ESCROW_BENCH_TREE" && pwd)
        return
    fi
    TREE=$BENCH_DIR/$PKG
    if [[ -d $TREE ]]; then
        log "using cached tree $TREE"
        return
    fi
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
}

ensure_gnu_time() {
    if [[ ! -x $GNU_TIME ]]; then
        apt_install time
        [[ -x $GNU_TIME ]] || die "$GNU_TIME still missing after installing time"
    fi
}

# write_manifest [scan]: one module matching every file; sets MANIFEST. The
# technical-barrier scan is off unless the argument is "scan" (bench/scan.sh
# measures it; the other scripts measure hashing, checks and storage).
write_manifest() {
    MANIFEST=$WORK_TMP/manifest${1:+-$1}.toml
    local enabled=false
    [[ ${1:-} == scan ]] && enabled=true
    cat >"$MANIFEST" <<MANIFEST_END
schema-version = 1

[scan]
enabled = $enabled

[[module]]
id = "tree"
name = "tree"
paths = ["**"]
MANIFEST_END
}

# tree_stats DIR: sets FILE_COUNT and TOTAL_BYTES (regular files only).
tree_stats() {
    FILE_COUNT=$(find "$1" -type f | wc -l)
    TOTAL_BYTES=$(find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }')
}

# Each timed run leaves "WALL_SECONDS PEAK_RSS_KIB" in LAST_MEASURE.
LAST_MEASURE=""

# run_cmd WHAT OK_STATUSES [timed] -- CMD...
# Runs CMD with its stdout in $WORK_TMP/cmd.stdout and its stderr in
# $WORK_TMP/cmd.stderr; with `timed`, under GNU time. An exit status not in
# the space-separated OK_STATUSES prints WHAT and CMD's stderr and exits 1.
run_cmd() {
    local what=$1 ok=$2 mode=$3 status
    shift 3
    [[ ${1:-} == -- ]] && shift
    local out=$WORK_TMP/cmd.stdout err=$WORK_TMP/cmd.stderr time_file=$WORK_TMP/cmd.time
    set +e
    if [[ $mode == timed ]]; then
        "$GNU_TIME" -f '%e %M' -o "$time_file" "$@" >"$out" 2>"$err"
    else
        "$@" >"$out" 2>"$err"
    fi
    status=$?
    set -e
    if [[ " $ok " != *" $status "* ]]; then
        printf '%s exited with status %d; its stderr:\n' "$what" "$status" >&2
        cat -- "$err" >&2
        exit 1
    fi
    if [[ $mode == timed ]]; then
        # GNU time prefixes "Command exited with non-zero status N" when N != 0.
        LAST_MEASURE=$(tail -n 1 -- "$time_file")
    fi
}

NPROC=$(nproc)
# shellcheck disable=SC2016  # $1 and $2 are expanded by the inner bash
readonly BASELINE_SCRIPT='find "$1" -type f -print0 | xargs -0 -n 2000 -P "$2" sha256sum > /dev/null'

# run_baseline [timed] [DIR]: the sha256sum pipeline over DIR (default TREE).
run_baseline() {
    run_cmd "baseline pipeline" 0 "${1:-untimed}" -- \
        bash -c "set -o pipefail; $BASELINE_SCRIPT" baseline "${2:-$TREE}" "$NPROC"
}

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }

row() { printf '%-28s %s\n' "$1" "$2"; }
