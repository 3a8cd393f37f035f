#!/usr/bin/env bash
# Benchmark: what the isolated build costs on top of the build itself.
#
# Usage: bench/build-overhead.sh
#
# Two deliveries built at test time in a temporary folder:
#   trivial  [build] command = "true": the fixed cost (copy, sandbox probe, sandbox start, log)
#   c-make   a C project of 40 source files built with `make -j2`
# Each is built with `escrow build` under bubblewrap, the Landlock fallback and --no-sandbox,
# and, as the baseline, directly: `cp -a` of the delivery and the same command, no escrow.
#
# Environment:
#   ESCROW_BENCH_BUILD_RUNS     timed rounds (default 20); each round runs every mode once, and
#                               the best and the median of each mode are shown
#   ESCROW_BENCH_BASELINE_ONLY  if 1, skip building escrow (uses target/release/escrow as is)
#   ESCROW_BENCH_OLD_BIN        another escrow binary (an earlier version) to time in the same
#                               rounds, alternating with this one: modes old-bwrap, old-unshare
#                               (its fallback, `--sandbox unshare`) and old-none
#
# The table goes to stdout, progress to stderr. Runs are sequential, never in parallel; run it on
# an otherwise idle machine for stable figures.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$SCRIPT_DIR/lib.sh"

BUILD_RUNS=${ESCROW_BENCH_BUILD_RUNS:-20}
require_positive_int ESCROW_BENCH_BUILD_RUNS "$BUILD_RUNS"
bench_init
cd -- "$REPO_ROOT"
build_escrow
command -v bwrap >/dev/null || die "bwrap is not installed: apt-get install bubblewrap"
command -v make >/dev/null && command -v cc >/dev/null || die "make and cc are needed"

# --- the deliveries -------------------------------------------------------
TRIVIAL=$WORK_TMP/trivial
mkdir -p "$TRIVIAL/src"
echo 'int main(void) { return 0; }' >"$TRIVIAL/src/main.c"
cat >"$WORK_TMP/trivial.toml" <<'TOML'
schema-version = 1
[build]
command = "true"
TOML

CMAKE=$WORK_TMP/c-make
mkdir -p "$CMAKE/src"
for i in $(seq 1 40); do
    cat >"$CMAKE/src/m$i.c" <<C
#include <stdio.h>
#include <string.h>
int f$i(const char *s) { char b[64]; snprintf(b, sizeof b, "%s-%d", s, $i); return (int) strlen(b); }
C
done
{
    echo '#include <stdio.h>'
    for i in $(seq 1 40); do echo "int f$i(const char *s);"; done
    echo 'int main(void) { int n = 0;'
    for i in $(seq 1 40); do echo "n += f$i(\"x\");"; done
    echo 'printf("%d\n", n); return 0; }'
} >"$CMAKE/src/main.c"
cat >"$CMAKE/Makefile" <<'MAKE'
SRC := $(wildcard src/*.c)
OBJ := $(SRC:src/%.c=build/%.o)
all: dist/app
build/%.o: src/%.c
	@mkdir -p build
	cc -O2 -c -o $@ $<
dist/app: $(OBJ)
	@mkdir -p dist
	cc -o $@ $(OBJ)
MAKE
cat >"$WORK_TMP/c-make.toml" <<'TOML'
schema-version = 1
[build]
command = "make -j2"
outputs = ["dist/app"]
TOML

# --- timing ---------------------------------------------------------------
now_ns() { date +%s%N; }

direct() {  # direct DELIVERY COMMAND: the baseline, a copy and the command, no escrow
    local dir=$WORK_TMP/direct
    rm -rf -- "$dir"
    cp -a -- "$1" "$dir"
    (cd -- "$dir" && sh -c "$2")
}

escrow_build() {  # escrow_build DELIVERY MANIFEST SANDBOX-ARGS...
    local d=$1 m=$2
    shift 2
    "$ESCROW_BIN" build "$d" -m "$m" --format json -q --log "$WORK_TMP/build.log" "$@"
}

# once NAME CMD...: run CMD, append its wall time in ns to $WORK_TMP/NAME.times.
once() {
    local name=$1 t0 t1
    shift
    t0=$(now_ns)
    "$@" >/dev/null 2>"$WORK_TMP/err" || { cat "$WORK_TMP/err" >&2; die "failed: $*"; }
    t1=$(now_ns)
    echo $((t1 - t0)) >>"$WORK_TMP/$name.times"
}

# stats NAME: "best median" in seconds.
stats() {
    sort -n "$WORK_TMP/$1.times" | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f %.3f\n", v[1] / 1e9, m / 1e9 }'
}

MODES=(direct bwrap landlock none)
OLD_BIN=${ESCROW_BENCH_OLD_BIN:-}
if [[ -n $OLD_BIN ]]; then
    [[ -x $OLD_BIN ]] || die "ESCROW_BENCH_OLD_BIN=$OLD_BIN is not an executable"
    MODES+=(old-bwrap old-unshare old-none)
fi

old_build() {  # old_build DELIVERY MANIFEST SANDBOX-ARGS...: the same with the other binary
    local d=$1 m=$2
    shift 2
    "$OLD_BIN" build "$d" -m "$m" --format json -q --log "$WORK_TMP/build.log" "$@"
}
printf '%-10s %-24s %10s %12s %16s\n' delivery mode "best (s)" "median (s)" "median - direct"
for project in trivial c-make; do
    dir=$WORK_TMP/$project
    manifest=$WORK_TMP/$project.toml
    cmd=$(sed -n 's/^command = "\(.*\)"$/\1/p' "$manifest")
    log "$project: $BUILD_RUNS rounds of ${MODES[*]} (one warm-up round)"
    # Rounds alternate the modes, so that load from elsewhere on the machine hits them alike.
    for ((round = 0; round <= BUILD_RUNS; round++)); do
        for mode in "${MODES[@]}"; do
            case $mode in
                direct) once "$project-$mode" direct "$dir" "$cmd" ;;
                bwrap) once "$project-$mode" escrow_build "$dir" "$manifest" --sandbox bwrap ;;
                landlock) once "$project-$mode" escrow_build "$dir" "$manifest" --sandbox landlock ;;
                none) once "$project-$mode" escrow_build "$dir" "$manifest" --no-sandbox ;;
                old-bwrap) once "$project-$mode" old_build "$dir" "$manifest" --sandbox bwrap ;;
                old-unshare) once "$project-$mode" old_build "$dir" "$manifest" --sandbox unshare ;;
                old-none) once "$project-$mode" old_build "$dir" "$manifest" --no-sandbox ;;
            esac
        done
        if [[ $round -eq 0 ]]; then  # the warm-up round is not counted
            rm -f -- "$WORK_TMP/$project"-*.times
        fi
    done
    read -r _ base < <(stats "$project-direct")
    for mode in "${MODES[@]}"; do
        read -r best median < <(stats "$project-$mode")
        label=$mode
        case $mode in
            direct) label="direct (cp -a + command)" ;;
            bwrap) label="escrow, bwrap" ;;
            landlock) label="escrow, landlock" ;;
            none) label="escrow, --no-sandbox" ;;
            old-bwrap) label="old escrow, bwrap" ;;
            old-unshare) label="old escrow, unshare" ;;
            old-none) label="old escrow, --no-sandbox" ;;
        esac
        delta=$(awk -v a="$median" -v b="$base" 'BEGIN { printf "%+.3f", a - b }')
        printf '%-10s %-24s %10s %12s %16s\n' "$project" "$label" "$best" "$median" "$delta"
    done
done
