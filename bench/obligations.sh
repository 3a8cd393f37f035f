#!/usr/bin/env bash
# Benchmark: contract obligations (issue 17).
#
# 1. `obligations::status` on a ledger of 20,000 events (go-lives, deposits of which a third
#    fail, questions, answers) dated 2025-2026, where the official holiday notices decide every
#    day (the baseline), against the same ledger moved to 2027-2028, where every day comes from
#    the provisional calendar (lunar dates, solar terms, ranges).
# 2. `escrow status --all` over 80 vaults (one contract behind this tool lists 80 systems) of
#    200 events each, against the baseline of 80 separate `escrow status` runs.
#
# Usage: bench/obligations.sh
#
# Environment:
#   ESCROW_BENCH_DIR   scratch directory (default /var/tmp/escrow-bench)
#   ESCROW_BENCH_RUNS  timed runs of each `status --all` mode (default 3)
#
# The result table goes to stdout, progress to stderr.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$SCRIPT_DIR/lib.sh"

readonly EVENTS=20000 VAULTS=80 VAULT_EVENTS=200
bench_init
cd -- "$REPO_ROOT"
build_escrow
log "cargo build --release --example obligations_bench"
cargo build --release --example obligations_bench >&2
HELPER=${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/examples/obligations_bench

log "status() on $EVENTS events, official dates vs provisional dates"
read -r official provisional calendar_ms < <("$HELPER" "$EVENTS")

ALL=$WORK_TMP/all
log "writing $VAULTS vaults of $VAULT_EVENTS events"
"$HELPER" --vaults "$ALL" "$VAULTS" "$VAULT_EVENTS"
export ESCROW_NOW=2026-12-28T02:00:00Z

best() { # best wall seconds of RUNS runs of "$@"
    local best=999999 t
    for _ in $(seq "$RUNS"); do
        t=$(python3 -c "import time,subprocess,sys; s=time.perf_counter(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(f'{time.perf_counter()-s:.3f}')" "$@")
        best=$(python3 -c "print(min($best, $t))")
    done
    echo "$best"
}
separate() {
    for v in "$ALL"/*/; do
        "$ESCROW_BIN" status --vault "$v" --format json >/dev/null || true
    done
}
export -f separate
export ALL ESCROW_BIN
log "escrow status, $VAULTS times (baseline)"
base=$(best bash -c separate)
log "escrow status --all"
all=$(best "$ESCROW_BIN" status --all "$ALL" --format json)

printf '\n%-58s %12s\n' "measure" "result"
printf '%-58s %10s ms\n' "status() on $EVENTS events, official dates (baseline)" "$official"
printf '%-58s %10s ms\n' "status() on $EVENTS events, provisional dates" "$provisional"
printf '%-58s %10s ms\n' "building the cn calendar (official + provisional)" "$calendar_ms"
printf '%-58s %11s s\n' "$VAULTS x escrow status (baseline)" "$base"
printf '%-58s %11s s\n' "escrow status --all over $VAULTS vaults" "$all"
