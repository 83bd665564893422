#!/usr/bin/env bash
# Print every workbook teichaku writes, from the bundled sample office, to PNG as a
# person would see the printed A4 pages: LibreOffice headless → PDF → pdftoppm.
#   check --out (with the sample claim file: its reconcile and 実績記録票 sheets too), rate --out, rate --designation-date --out, due --out,
#   report (本人用・事業主用), plan, and the blank book from init
# The pages land in docs/preview/ (older ones are removed), named after their sheet.
#
# Needs: apt-get install libreoffice-calc poppler-utils fonts-noto-cjk
# The workbooks ask for 游ゴシック (what Windows offices have); here a private
# fontconfig maps it to Noto Sans CJK JP, whose metrics are close, so the pages
# break and wrap as they will in Excel. TEICHAKU_TODAY fixes the 作成日.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=.venv/bin
[ -x "$bin/teichaku" ] || bin=$(dirname "$(command -v teichaku)")
export TEICHAKU_TODAY=${TEICHAKU_TODAY:-2026-11-28}
data=samples/office.xlsx
out=docs/preview
resolution=${RESOLUTION:-80}

cat >"$work/fonts.conf" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>游ゴシック</family><prefer><family>Noto Sans CJK JP</family></prefer></alias>
</fontconfig>
EOF
export FONTCONFIG_FILE="$work/fonts.conf"

mkdir -p "$work/xlsx/report-user" "$work/xlsx/report-employer" "$work/xlsx/plan"
t="$bin/teichaku"
"$t" check "$data" --month 2026-10 --claim samples/請求_2026-10.csv --out "$work/xlsx/check.xlsx" >/dev/null || test $? -eq 1
"$t" rate "$data" --year 2025 --out "$work/xlsx/rate.xlsx" >/dev/null
"$t" rate "$data" --designation-date 2021-04-01 --out "$work/xlsx/rate-designation.xlsx" >/dev/null
"$t" due "$data" --within 6 --out "$work/xlsx/due.xlsx" >/dev/null
"$t" report "$data" --month 2026-10 --user 0003 --for user --out "$work/xlsx/report-user" >/dev/null
"$t" report "$data" --month 2026-10 --user 0003 --for employer --out "$work/xlsx/report-employer" >/dev/null
"$t" plan "$data" --user 0003 --date 2026-10-31 --out "$work/xlsx/plan" >/dev/null
"$t" init "$work/xlsx/init" >/dev/null

# a profile of our own, so a LibreOffice already open (or another run) does not interfere
lo=(soffice "-env:UserInstallation=file://$work/profile" --headless --convert-to pdf)
mkdir -p "$work/pdf" "$out"
rm -f "$out"/*.png
for name in check rate rate-designation due; do
  "${lo[@]}" --outdir "$work/pdf" "$work/xlsx/$name.xlsx" >/dev/null 2>&1
done
for name in report-user report-employer plan init; do
  "${lo[@]}" --outdir "$work/pdf/$name" "$work/xlsx/$name"/*.xlsx >/dev/null 2>&1
  mv "$work/pdf/$name"/*.pdf "$work/pdf/$name.pdf"
done
# Each page is named after the sheet it prints, found by the title in its page header, so
# that README links stay on the same sheet when the sample data grow a page:
# docs/preview/<output>-<sheet>-<n>.png (an output of one kind of page: <output>-<n>.png).
sheets_of() {
  case "$1" in
    check) echo "指摘一覧=findings 請求データとの照合=claim 利用者別=users 請求見込み=estimate 実績記録票=record-sheet 計算の条件=conditions" ;;
    rate) echo "概要=summary 利用者別=people 実績体制加算=record 推移=trend" ;;
    rate-designation) echo "移行実績の人=people 新規指定=summary" ;;
    *) echo "" ;;
  esac
}
for pdf in "$work"/pdf/*.pdf; do
  name=$(basename "$pdf" .pdf)
  pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  declare -A seen=()
  for page in $(seq 1 "$pages"); do
    header=$(pdftotext -f "$page" -l "$page" -layout "$pdf" - | grep -m1 -v '^[[:space:]]*$' || true)
    sheet=page
    for pair in $(sheets_of "$name"); do
      if [[ $header == *"${pair%%=*}"* ]]; then sheet=${pair#*=}; break; fi
    done
    seen[$sheet]=$(( ${seen[$sheet]:-0} + 1 ))
    stem=$name-$sheet
    [ "$sheet" = page ] && stem=$name
    pdftoppm -png -r "$resolution" -f "$page" -l "$page" -singlefile "$pdf" "$out/$stem-${seen[$sheet]}"
  done
  unset seen
  printf '%-18s %s pages\n' "$name" "$pages"
done
