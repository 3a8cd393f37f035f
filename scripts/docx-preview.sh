#!/usr/bin/env bash
# Look at a Word file as it prints: LibreOffice turns it into a PDF, poppler into PNG pages.
#   scripts/docx-preview.sh report.docx out/      → out/report.pdf, out/report-1.png, …
# For developers (not used in CI). Needs: libreoffice-writer-nogui (soffice), poppler-utils
# (pdftoppm), fonts-noto-cjk. The file names SimSun (宋体) and SimHei (黑体), which Linux
# lacks; a temporary fontconfig file maps them to Noto Serif / Sans CJK SC, so Chinese shows
# simplified-Chinese glyph forms rather than fontconfig's default Japanese ones.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 FILE.docx OUTDIR" >&2
    exit 2
fi
docx=$1
out=$2
for tool in soffice pdftoppm; do
    command -v "$tool" >/dev/null || {
        echo "$0: $tool is missing (apt-get install libreoffice-writer-nogui poppler-utils fonts-noto-cjk)" >&2
        exit 1
    }
done
[ -f "$docx" ] || { echo "$0: no such file: $docx" >&2; exit 1; }
mkdir -p "$out"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

alias_font() { # FAMILY… → TARGET
    local target=$1
    shift
    for family in "$@"; do
        printf '  <alias binding="same"><family>%s</family><prefer><family>%s</family></prefer></alias>\n' \
            "$family" "$target"
    done
}
{
    echo '<?xml version="1.0"?>'
    echo '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
    echo '<fontconfig>'
    echo '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
    alias_font "Noto Serif CJK SC" SimSun 宋体 NSimSun
    alias_font "Noto Sans CJK SC" SimHei 黑体 "Microsoft YaHei"
    echo '</fontconfig>'
} >"$tmp/fonts.conf"
export FONTCONFIG_FILE="$tmp/fonts.conf"

soffice --headless --norestore "-env:UserInstallation=file://$tmp/lo" \
    --convert-to pdf --outdir "$tmp" "$docx" >"$tmp/soffice.log" 2>&1 || {
    cat "$tmp/soffice.log" >&2
    exit 1
}
name=$(basename "${docx%.*}")
[ -f "$tmp/$name.pdf" ] || { cat "$tmp/soffice.log" >&2; exit 1; }
cp "$tmp/$name.pdf" "$out/$name.pdf"
pdftoppm -png -r 60 "$out/$name.pdf" "$out/$name"
if command -v pdfinfo >/dev/null; then
    pdfinfo "$out/$name.pdf" | grep -E '^(Pages|Page size):'
fi
ls "$out/$name"*.png
