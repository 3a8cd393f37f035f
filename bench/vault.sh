#!/usr/bin/env bash
# Benchmark: the escrow vault (first deposit, second deposit with 1% of the
# files changed, audit, restore) over a large real source tree, against a
# parallel sha256sum pipeline, git and restic on the same tree.
#
# Usage: bench/vault.sh
#
# Environment:
#   ESCROW_BENCH_DIR            cache and scratch directory (default /var/tmp/escrow-bench)
#   ESCROW_BENCH_TREE           benchmark this directory instead of linux-source-6.1
#   ESCROW_BENCH_RUNS           timed runs of escrow and sha256sum (default 3)
#   ESCROW_BENCH_GIT_RUNS       timed runs of git, at most ESCROW_BENCH_RUNS (default 1)
#   ESCROW_BENCH_RESTIC_RUNS    timed runs of restic, at most ESCROW_BENCH_RUNS (default 1)
#   ESCROW_BENCH_BASELINE_ONLY  if 1, skip building and running escrow
#
# The result table goes to stdout, progress to stderr.
# Exits 0 whether the targets are met or not; non-zero only if something broke.
set -euo pipefail

# Targets.
readonly TARGET_FIRST_VS_HASH=1.5       # first deposit / sha256sum, at most
readonly TARGET_FIRST_VS_GIT=0.25       # first deposit / git init+add+commit, at most
readonly TARGET_FIRST_VS_RESTIC=0.25    # first deposit / restic init+backup, at most
readonly TARGET_SECOND_VS_HASH=1.2      # second deposit / sha256sum, at most
readonly TARGET_GROWTH_VS_ZSTD=2        # vault growth / zstd -3 of the changed files, at most
readonly TARGET_AUDIT_VS_RESTIC=1       # audit / restic check --read-data, at most
readonly TARGET_RESTORE_VS_RESTIC=1     # restore / restic restore, at most
readonly TARGET_RSS_MIB=300             # peak RSS of every escrow command, strictly below
readonly CHANGE_EVERY=100               # v2 changes every Nth file of the sorted list

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$SCRIPT_DIR/lib.sh"

# git and restic take several times as long as escrow; by default they run once.
RUNS_GIT=${ESCROW_BENCH_GIT_RUNS:-1}
RUNS_RESTIC=${ESCROW_BENCH_RESTIC_RUNS:-1}
require_positive_int ESCROW_BENCH_GIT_RUNS "$RUNS_GIT"
require_positive_int ESCROW_BENCH_RESTIC_RUNS "$RUNS_RESTIC"
bench_init

# --- 1. build, tree, tools ------------------------------------------------
cd -- "$REPO_ROOT"
build_escrow
prepare_tree
ensure_gnu_time
for tool in git restic zstd; do
    if ! command -v "$tool" >/dev/null; then
        apt_install "$tool"
        command -v "$tool" >/dev/null || die "$tool still missing after installing it"
    fi
done
write_manifest

# git and restic see only the settings below, not the user's.
for var in $(compgen -e); do
    case $var in
        GIT_* | RESTIC_*) unset "$var" ;;
    esac
done
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export RESTIC_PASSWORD=bench
VERSION_GIT=$(git --version)
VERSION_RESTIC=$(restic version | awk '{ print $1, $2; exit }')

# Scratch space on the same file system as the cached tree. Leftovers of an
# interrupted run are removed first.
mkdir -p -- "$BENCH_DIR"
rm -rf -- "$BENCH_DIR"/.vault-scratch.*
SCRATCH=$(mktemp -d "$BENCH_DIR/.vault-scratch.XXXXXX")
CLEANUP_DIRS+=("$SCRATCH")
if [[ $SCRATCH/ == "$TREE"/* ]]; then
    die "the scratch directory $SCRATCH is inside the tree; set ESCROW_BENCH_DIR elsewhere"
fi
export RESTIC_CACHE_DIR=$SCRATCH/restic-cache

# --- 2. the v2 tree -------------------------------------------------------
log "counting files in $TREE"
tree_stats "$TREE"
(( FILE_COUNT > 0 )) || die "the tree has no regular files"

# A full copy (not hard links), so TREE is never written and the two trees
# share no inodes. Same top-level name as TREE.
TREE2=$SCRATCH/v2/$(basename -- "$TREE")
log "copying the tree to $TREE2"
mkdir -p -- "$SCRATCH/v2"
cp -a -- "$TREE" "$TREE2"

# A tree of fewer than CHANGE_EVERY files (a quick test) gets its first file changed.
log "appending a line to every ${CHANGE_EVERY}th file of v2"
find "$TREE" -type f -printf '%P\0' | LC_ALL=C sort -z >"$WORK_TMP/files.list"
n=0 CHANGED_COUNT=0 CHANGED_BYTES=0 CHANGED_ZSTD_BYTES=0
while IFS= read -r -d '' rel; do
    n=$((n + 1))
    (( n % CHANGE_EVERY == 0 || (FILE_COUNT < CHANGE_EVERY && n == 1) )) || continue
    f=$TREE2/$rel
    if [[ -w $f ]]; then
        printf 'escrow-bench: line appended in v2\n' >>"$f"
    else
        mode=$(stat -c %a -- "$f")
        chmod u+w -- "$f"
        printf 'escrow-bench: line appended in v2\n' >>"$f"
        chmod "$mode" -- "$f"
    fi
    CHANGED_COUNT=$((CHANGED_COUNT + 1))
    CHANGED_BYTES=$((CHANGED_BYTES + $(stat -c %s -- "$f")))
    CHANGED_ZSTD_BYTES=$((CHANGED_ZSTD_BYTES + $(zstd -3 -q -c -- "$f" | wc -c)))
done <"$WORK_TMP/files.list"
sync

# --- 3. commands ----------------------------------------------------------
# git_snapshot new|existing GIT_REPO DIR MESSAGE: commit DIR into GIT_REPO,
# whose .git is outside DIR, so DIR is not written. Automatic gc is off: it
# would pack the repository in the background during later measurements.
git_snapshot() {
    local -a g=(git -c user.name=escrow-bench -c user.email=escrow-bench@example.invalid
                -c gc.auto=0 -c maintenance.auto=false)
    if [[ $1 == new ]]; then
        "${g[@]}" init -q "$2" || return
    fi
    "${g[@]}" -C "$2" --work-tree="$3" add -A -f &&
        "${g[@]}" -C "$2" --work-tree="$3" commit -q -m "$4"
}
export -f git_snapshot

# measure KEY WHAT OK_STATUSES CMD...: one timed run; keeps the best wall time
# in BEST[KEY] and the highest peak RSS in RSS_KIB[KEY]. The sync first writes
# back what earlier steps left dirty, so no command pays for another's writes.
declare -A BEST=() RSS_KIB=()
measure() {
    local key=$1 what=$2 ok=$3 t m
    shift 3
    sync
    run_cmd "$what" "$ok" timed -- "$@"
    read -r t m <<<"$LAST_MEASURE"
    log "run $RUN: $what: ${t}s, $m KiB"
    BEST[$key]=$(min "${BEST[$key]:-$t}" "$t")
    RSS_KIB[$key]=$(max "${RSS_KIB[$key]:-0}" "$m")
}

size_of() { du -sb -- "$1" | cut -f1; }

# grew KEY BYTES: GROWTH[KEY] = the largest growth seen over the runs.
declare -A SIZE_V1=() GROWTH=()
grew() { GROWTH[$1]=$(max "${GROWTH[$1]:-0}" "$2"); }
RESTORE_IDENTICAL="" RESTORE_MODES=""

# --- 4. measure -----------------------------------------------------------
log "warm-up (untimed): sha256sum over both trees"
run_baseline untimed "$TREE"
run_baseline untimed "$TREE2"

# restic's init and backup are timed apart; the first snapshot is their sum.
BEST_RESTIC_FIRST=""

for ((RUN = 1; RUN <= RUNS; RUN++)); do
    measure hash "sha256sum" 0 bash -c "set -o pipefail; $BASELINE_SCRIPT" baseline "$TREE" "$NPROC"

    if [[ $BASELINE_ONLY != 1 ]]; then
        vault=$SCRATCH/vault out=$SCRATCH/restore-escrow
        # deposit: 0 = the delivery passed its checks, 1 = it did not; both store a snapshot.
        measure escrow_first "escrow deposit v1" "0 1" \
            "$ESCROW_BIN" deposit "$TREE" --manifest "$MANIFEST" --label v1 --vault "$vault" -q
        log "snapshot v1: $(head -n 1 -- "$WORK_TMP/cmd.stdout")"
        SIZE_V1[escrow]=$(size_of "$vault")
        measure escrow_second "escrow deposit v2" "0 1" \
            "$ESCROW_BIN" deposit "$TREE2" --manifest "$MANIFEST" --label v2 --vault "$vault" -q
        log "snapshot v2: $(head -n 1 -- "$WORK_TMP/cmd.stdout")"
        grew escrow $(( $(size_of "$vault") - SIZE_V1[escrow] ))
        measure escrow_audit "escrow audit" 0 "$ESCROW_BIN" audit --vault "$vault" -q
        measure escrow_restore "escrow restore v1" 0 \
            "$ESCROW_BIN" restore v1 "$out" --vault "$vault" -q
        if [[ $RUN -eq 1 ]]; then
            log "comparing the restored v1 with $TREE (diff -r --no-dereference)"
            if diff -r --no-dereference -- "$TREE" "$out" >"$WORK_TMP/restore.diff" 2>&1; then
                RESTORE_IDENTICAL=yes
            else
                RESTORE_IDENTICAL=no
                log "restored tree differs from $TREE; first lines of diff -r:"
                head -n 20 -- "$WORK_TMP/restore.diff" >&2
            fi
            # Types and permission bits, which diff -r does not compare.
            if cmp -s <(cd -- "$TREE" && find . -mindepth 1 -printf '%p %y %m\n' | LC_ALL=C sort) \
                      <(cd -- "$out" && find . -mindepth 1 -printf '%p %y %m\n' | LC_ALL=C sort); then
                RESTORE_MODES=yes
            else
                RESTORE_MODES=no
            fi
        fi
        rm -rf -- "$vault" "$out"
    fi

    if [[ $RUN -le $RUNS_GIT ]]; then
        repo=$SCRATCH/git
        measure git_first "git v1 (init, add, commit)" 0 \
            bash -c 'git_snapshot "$@"' git_snapshot new "$repo" "$TREE" v1
        SIZE_V1[git]=$(size_of "$repo")
        measure git_second "git v2 (add, commit)" 0 \
            bash -c 'git_snapshot "$@"' git_snapshot existing "$repo" "$TREE2" v2
        grew git $(( $(size_of "$repo") - SIZE_V1[git] ))
        rm -rf -- "$repo"
    fi

    if [[ $RUN -le $RUNS_RESTIC ]]; then
        repo=$SCRATCH/restic out=$SCRATCH/restore-restic
        measure restic_init "restic init" 0 restic -r "$repo" init -q
        t_init=${LAST_MEASURE%% *}
        measure restic_backup1 "restic backup v1" 0 restic -r "$repo" backup -q --tag v1 "$TREE"
        t_backup=${LAST_MEASURE%% *}
        t_sum=$(awk -v a="$t_init" -v b="$t_backup" 'BEGIN { printf "%.2f", a + b }')
        BEST_RESTIC_FIRST=$(min "${BEST_RESTIC_FIRST:-$t_sum}" "$t_sum")
        SIZE_V1[restic]=$(size_of "$repo")
        # TREE2 has another path, so restic finds no parent snapshot and reads
        # every file, as escrow does.
        measure restic_second "restic backup v2" 0 restic -r "$repo" backup -q --tag v2 "$TREE2"
        grew restic $(( $(size_of "$repo") - SIZE_V1[restic] ))
        measure restic_check "restic check --read-data" 0 restic -r "$repo" check --read-data -q
        measure restic_restore "restic restore v1" 0 \
            restic -r "$repo" restore latest --tag v1 --target "$out" -q
        if [[ $RUN -eq 1 ]]; then
            # restic restores the absolute path of TREE below the target.
            restored=$(find "$out$TREE" -type f | wc -l)
            [[ $restored -eq $FILE_COUNT ]] ||
                die "restic restored $restored files of $FILE_COUNT"
        fi
        rm -rf -- "$repo" "$out" "$RESTIC_CACHE_DIR"
    fi
done
sync

# --- 5. report ------------------------------------------------------------
# secs VALUE: "1.23s", or "-" when VALUE is empty.
secs() { if [[ -n ${1:-} ]]; then printf '%ss' "$1"; else printf -- '-'; fi; }
# bytes VALUE: decimal units, or "-".
bytes() {
    if [[ -z ${1:-} ]]; then printf -- '-'; return; fi
    awk -v b="$1" 'BEGIN {
        if (b >= 1e9) printf "%.2f GB", b / 1e9
        else if (b >= 1e6) printf "%.1f MB", b / 1e6
        else if (b >= 1e3) printf "%.1f kB", b / 1e3
        else printf "%d B", b }'
}
mib() { if [[ -n ${1:-} ]]; then awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; else printf -- '-'; fi; }
# ratio A B: A / B to 3 decimals; "-" when either is missing, "inf" when B is 0.
ratio() {
    if [[ -z ${1:-} || -z ${2:-} ]]; then printf -- '-'; return; fi
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "inf" }'
}
# judge VALUE OP TARGET: PASS or FAIL (OP is <= or <).
judge() {
    awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
        if (v == "-" || v == "inf") { print "FAIL"; exit }
        ok = (op == "<=") ? (v + 0 <= t + 0) : (v + 0 < t + 0)
        print ok ? "PASS" : "FAIL" }'
}
cols() { printf '%-34s %-12s %-12s %-12s %s\n' "$@"; }

# Values of the escrow column ("-" when escrow was not run).
e() { if [[ $BASELINE_ONLY == 1 ]]; then printf -- '-'; else "$@"; fi; }

echo
row "tree" "$TREE"
row "files" "$FILE_COUNT"
row "total size" "$(awk -v b="$TOTAL_BYTES" 'BEGIN { printf "%.3f GB (%d bytes)", b / 1e9, b }')"
if (( FILE_COUNT < CHANGE_EVERY )); then which="the first file"; else which="every ${CHANGE_EVERY}th file"; fi
row "changed in v2" "$CHANGED_COUNT ($which, one line appended), $(bytes "$CHANGED_BYTES"); zstd -3: $(bytes "$CHANGED_ZSTD_BYTES")"
row "runs (best of)" "$RUNS; git $(min "$RUNS_GIT" "$RUNS"); restic $(min "$RUNS_RESTIC" "$RUNS")"
row "tools" "$VERSION_GIT; $VERSION_RESTIC; $NPROC CPUs"
echo
cols "" escrow sha256sum git restic
cols "hash the tree" - "$(secs "${BEST[hash]}")" - -
cols "first snapshot (v1)" "$(e secs "${BEST[escrow_first]:-}")" - \
    "$(secs "${BEST[git_first]}")" "$(secs "$BEST_RESTIC_FIRST")"
cols "  of which restic init" - - - "$(secs "${BEST[restic_init]}")"
cols "second snapshot (v2, 1% changed)" "$(e secs "${BEST[escrow_second]:-}")" - \
    "$(secs "${BEST[git_second]}")" "$(secs "${BEST[restic_second]}")"
cols "audit / check --read-data" "$(e secs "${BEST[escrow_audit]:-}")" - - \
    "$(secs "${BEST[restic_check]}")"
cols "restore v1" "$(e secs "${BEST[escrow_restore]:-}")" - - \
    "$(secs "${BEST[restic_restore]}")"
cols "stored size after v1" "$(e bytes "${SIZE_V1[escrow]:-}")" - \
    "$(bytes "${SIZE_V1[git]}")" "$(bytes "${SIZE_V1[restic]}")"
cols "growth v1 -> v2" "$(e bytes "${GROWTH[escrow]:-}")" - \
    "$(bytes "${GROWTH[git]}")" "$(bytes "${GROWTH[restic]}")"
cols "growth / zstd -3 of changed" "$(e ratio "${GROWTH[escrow]:-}" "$CHANGED_ZSTD_BYTES")" - \
    "$(ratio "${GROWTH[git]}" "$CHANGED_ZSTD_BYTES")" "$(ratio "${GROWTH[restic]}" "$CHANGED_ZSTD_BYTES")"
max_rss() {  # max_rss KEY...: highest peak RSS of these commands, in MiB
    local k m=0
    for k in "$@"; do m=$(max "$m" "${RSS_KIB[$k]:-0}"); done
    mib "$m"
}
cols "peak RSS, MiB" \
    "$(e max_rss escrow_first escrow_second escrow_audit escrow_restore)" \
    "$(max_rss hash)" "$(max_rss git_first git_second)" \
    "$(max_rss restic_init restic_backup1 restic_second restic_check restic_restore)"

if [[ $BASELINE_ONLY == 1 ]]; then
    echo
    echo "escrow not run (ESCROW_BENCH_BASELINE_ONLY=1)"
    exit 0
fi

OVERALL=PASS
target() {  # target NAME VALUE OP LIMIT
    local verdict
    verdict=$(judge "$2" "$3" "$4")
    [[ $verdict == PASS ]] || OVERALL=FAIL
    printf '%-44s %-10s %-10s %s\n' "$1" "$2" "$3 $4" "$verdict"
}

target_yes() {  # target_yes NAME yes|no
    local verdict=FAIL
    [[ $2 == yes ]] && verdict=PASS
    [[ $verdict == PASS ]] || OVERALL=FAIL
    printf '%-44s %-10s %-10s %s\n' "$1" "$2" "yes" "$verdict"
}

echo
printf '%-44s %-10s %-10s %s\n' target value limit result
target "first deposit / sha256sum" "$(ratio "${BEST[escrow_first]}" "${BEST[hash]}")" '<=' "$TARGET_FIRST_VS_HASH"
target "first deposit / git" "$(ratio "${BEST[escrow_first]}" "${BEST[git_first]}")" '<=' "$TARGET_FIRST_VS_GIT"
target "first deposit / restic" "$(ratio "${BEST[escrow_first]}" "$BEST_RESTIC_FIRST")" '<=' "$TARGET_FIRST_VS_RESTIC"
target "second deposit / sha256sum" "$(ratio "${BEST[escrow_second]}" "${BEST[hash]}")" '<=' "$TARGET_SECOND_VS_HASH"
target "vault growth / zstd -3 of changed files" "$(ratio "${GROWTH[escrow]}" "$CHANGED_ZSTD_BYTES")" '<=' "$TARGET_GROWTH_VS_ZSTD"
target "audit / restic check --read-data" "$(ratio "${BEST[escrow_audit]}" "${BEST[restic_check]}")" '<=' "$TARGET_AUDIT_VS_RESTIC"
target "restore / restic restore" "$(ratio "${BEST[escrow_restore]}" "${BEST[restic_restore]}")" '<=' "$TARGET_RESTORE_VS_RESTIC"
target_yes "restore v1 identical to the tree (diff -r)" "$RESTORE_IDENTICAL"
target "peak RSS deposit v1, MiB" "$(mib "${RSS_KIB[escrow_first]}")" '<' "$TARGET_RSS_MIB"
target "peak RSS deposit v2, MiB" "$(mib "${RSS_KIB[escrow_second]}")" '<' "$TARGET_RSS_MIB"
target "peak RSS audit, MiB" "$(mib "${RSS_KIB[escrow_audit]}")" '<' "$TARGET_RSS_MIB"
target "peak RSS restore, MiB" "$(mib "${RSS_KIB[escrow_restore]}")" '<' "$TARGET_RSS_MIB"
echo
row "restored permissions" "$( [[ $RESTORE_MODES == yes ]] && echo "same as the tree" || echo "differ from the tree (not a target)")"
echo
echo "overall: $OVERALL"
