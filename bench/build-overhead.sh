#!/usr/bin/env bash
# Benchmark: what the isolated build costs on top of the build itself.
#
# Usage: bench/build-overhead.sh
#
# Two deliveries built at test time in a temporary folder:
#   trivial  [build] command = "true": the fixed cost (copy, sandbox probe, sandbox start, log)
#   c-make   a C project of 40 source files built with `make -j2`
# Each is built with `escrow build` under bubblewrap, the `unshare` fallback and --no-sandbox,
# and, as the baseline, directly: `cp -a` of the delivery and the same command, no escrow.
#
# Environment:
#   ESCROW_BENCH_BUILD_RUNS     timed runs per row (default 20); the best and the mean are shown
#   ESCROW_BENCH_BASELINE_ONLY  if 1, skip building escrow (uses target/release/escrow as is)
#
# The table goes to stdout, progress to stderr. Run it on an otherwise idle machine: rows run one
# after another, never in parallel.
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

# time_runs CMD...: runs CMD once untimed, then BUILD_RUNS times; sets BEST and MEAN (seconds).
time_runs() {
    "$@" >/dev/null 2>"$WORK_TMP/err" || { cat "$WORK_TMP/err" >&2; die "failed: $*"; }
    local total=0 best="" t0 t1 dt i
    for ((i = 0; i < BUILD_RUNS; i++)); do
        t0=$(now_ns)
        "$@" >/dev/null 2>"$WORK_TMP/err" || { cat "$WORK_TMP/err" >&2; die "failed: $*"; }
        t1=$(now_ns)
        dt=$((t1 - t0))
        total=$((total + dt))
        if [[ -z $best || $dt -lt $best ]]; then best=$dt; fi
    done
    BEST=$(awk -v n="$best" 'BEGIN { printf "%.3f", n / 1e9 }')
    MEAN=$(awk -v n="$total" -v r="$BUILD_RUNS" 'BEGIN { printf "%.3f", n / r / 1e9 }')
}

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

printf '%-10s %-22s %10s %10s\n' delivery mode "best (s)" "mean (s)"
for project in trivial c-make; do
    dir=$WORK_TMP/$project
    manifest=$WORK_TMP/$project.toml
    cmd=$(sed -n 's/^command = "\(.*\)"$/\1/p' "$manifest")
    log "$project: direct"
    time_runs direct "$dir" "$cmd"
    printf '%-10s %-22s %10s %10s\n' "$project" "direct (cp -a + cmd)" "$BEST" "$MEAN"
    for mode in "--sandbox bwrap" "--sandbox unshare" "--no-sandbox"; do
        log "$project: escrow build $mode"
        # shellcheck disable=SC2086  # the mode is two words on purpose
        time_runs escrow_build "$dir" "$manifest" $mode
        printf '%-10s %-22s %10s %10s\n' "$project" "escrow $mode" "$BEST" "$MEAN"
    done
done
