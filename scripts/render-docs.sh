#!/usr/bin/env bash
# Render the sample's documents to HTML and photograph them with headless Chromium, for the
# README: docs/<name>.png (the first A4 screen of each, 794×1123 px). The PDFs are kept in the
# temporary folder printed at the end (not committed).
#
#   bash scripts/render-docs.sh            # builds the release binary first
#   ESCROW_BIN=target/debug/escrow bash scripts/render-docs.sh
#
# Needs chromium (apt-get install chromium fonts-noto-cjk poppler-utils). Every run gives the
# same pages: the clock is fixed per step (ESCROW_NOW) and the vault is a new temporary one.
# Nothing is fetched: Chromium runs behind a dead proxy with a resolver that finds no host.
set -euo pipefail
cd "$(dirname "$0")/.."

SAMPLE=fixtures/deliveries/his-sample
UPDATE=fixtures/deliveries/his-update-v2.4
MANIFEST=manifests/chaoyang-his.toml

# The steps, in order, one per line: NAME|ESCROW_NOW|escrow arguments (split at spaces).
# A step named "-" only prepares the vault; any other step is a document, rendered with
# `--format html --output $OUT/NAME.html` and photographed into docs/NAME.png.
STEPS=(
    "check-zh|2026-11-02T02:00:00Z|check $UPDATE --manifest $MANIFEST --lang zh"
    "check-en|2026-11-02T02:00:00Z|check $UPDATE --manifest $MANIFEST --lang en"
    "letter-zh|2026-11-02T02:00:00Z|check $UPDATE --manifest $MANIFEST --letter --lang zh"
    "deposit-zh|2026-11-02T03:00:00Z|deposit $SAMPLE --manifest $MANIFEST --label v2.3 --lang zh"
    "-|2026-11-02T04:00:00Z|golive 门诊预约改版 --date 2026-11-02"
    "deposit-update-zh|2026-11-05T02:00:00Z|deposit $UPDATE --manifest $MANIFEST --label v2.4 --for 门诊预约改版 --lang zh"
    "status-zh|2026-11-10T02:00:00Z|status --lang zh"
    "status-en|2026-11-10T02:00:00Z|status --lang en"
)

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$CHROMIUM" ]]; then
    echo "render-docs: chromium is missing: apt-get install chromium fonts-noto-cjk poppler-utils" >&2
    exit 1
fi

if [[ -z "${ESCROW_BIN:-}" ]]; then
    cargo build --release --locked --quiet
    ESCROW_BIN=target/release/escrow
fi
ESCROW_BIN=$(realpath "$ESCROW_BIN")

TMP=$(mktemp -d)
OUT="$TMP/html"
PDF="$TMP/pdf"
mkdir -p "$OUT" "$PDF" docs
export ESCROW_VAULT="$TMP/vault" NO_COLOR=1 LANG=C.UTF-8
unset LC_ALL LC_MESSAGES

for step in "${STEPS[@]}"; do
    IFS='|' read -r name now args <<<"$step"
    read -ra argv <<<"$args"
    if [[ "$name" == "-" ]]; then
        ESCROW_NOW="$now" "$ESCROW_BIN" "${argv[@]}" >/dev/null
        continue
    fi
    code=0
    ESCROW_NOW="$now" "$ESCROW_BIN" "${argv[@]}" --format html --output "$OUT/$name.html" \
        >/dev/null 2>"$TMP/$name.err" || code=$?
    # 0: passed, 1: the delivery or vault fails (still a document); anything else is an error.
    if [[ $code -gt 1 || ! -s "$OUT/$name.html" ]]; then
        echo "render-docs: \`escrow $args --format html\` failed (exit $code):" >&2
        cat "$TMP/$name.err" >&2
        exit 1
    fi
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$TMP/profile-$name" \
        --proxy-server=socks5://127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' \
        --no-pdf-header-footer --print-to-pdf="$PDF/$name.pdf" \
        --screenshot="docs/$name.png" --window-size=794,1123 \
        "file://$OUT/$name.html" 2>"$TMP/$name.chromium.log" >/dev/null
    echo "docs/$name.png  ($PDF/$name.pdf)"
done
echo "HTML and PDFs: $TMP"
