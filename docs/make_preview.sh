#!/usr/bin/env bash
# Render the sample office's October 2026 支援レポート (本人用 and 事業主用) and print
# them to PNG as a person would see the printed page: LibreOffice headless → PDF →
# pdftoppm. Needs: apt-get install libreoffice-calc poppler-utils fonts-noto-cjk
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=.venv/bin
[ -x "$bin/teichaku" ] || bin=$(dirname "$(command -v teichaku)")
for who in user employer; do
  "$bin/teichaku" report samples/office.xlsx --month 2026-10 --user 0003 --for "$who" --out "$work/$who" >/dev/null
  soffice --headless --convert-to pdf --outdir "$work/$who" "$work/$who"/*.xlsx >/dev/null 2>&1
  pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$work/$who"/*.pdf "docs/report-preview-$who"
done
"$bin/teichaku" plan samples/office.xlsx --user 0003 --date 2026-10-31 --out "$work/plan" >/dev/null
soffice --headless --convert-to pdf --outdir "$work/plan" "$work/plan"/*.xlsx >/dev/null 2>&1
pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$work/plan"/*.pdf docs/plan-preview
ls -1 docs/*-preview*.png
