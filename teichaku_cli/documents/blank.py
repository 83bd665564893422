"""An empty office workbook made from the contract (``teichaku init``): every sheet
with its headers, drop-downs for the choices, date formats, frozen headers,
widths, and a sheet of instructions — so an office with no records software can
start today."""

from __future__ import annotations

import math
from pathlib import Path

from teichaku_cli.model import schema
from teichaku_cli.model.schema import Kind
from teichaku_cli.base.safe_write import atomic_file

DATE_FORMAT = "yyyy/m/d"
MONTH_FORMAT = "yyyy/m"
FONT_NAME = "游ゴシック"
DATA_ROWS = 5000  # rows given drop-downs
MAX_ROW = 1048576  # Excel's last row: a print area down to it is a print area of whole columns
GRID_ROW_HEIGHT = 21  # points: room to write a line by hand
# empty rows printed as a grid: one A4 page of them under the heading (portrait, landscape)
GRID_ROWS_PORTRAIT, GRID_ROWS_LANDSCAPE = 32, 21
LANDSCAPE_LEGIBLE_WIDTH = 170  # column-width units on one A4 landscape page at about 80 % (134 at 100 %)
NARROW_WIDTH = 80  # a sheet this narrow fits A4 portrait at 100 %: printed as it is

CONFIG_TEMPLATE = """# teichaku の事業所設定（UTF-8 で保存してください）
"事業所名" = "{name}"
"事業所番号" = ""
# 1単位あたりの円。事業所の地域区分に合わせて、先頭の # を消して書いてください（例: その他 10.00、1級地 11.20 など）。
# 書くまでは金額が確かめられないため、check は仮に 10.0 円で計算し、どの利用者も「要確認」（請求できるとは言わない）にします。
# 年度で変わるときは期間ごとに: [{{ "から" = "2024-04", "まで" = "2025-03", "単価" = 11.1 }}, {{ "から" = "2025-04", "単価" = 11.2 }}]
# "地域区分単価" = 10.0
# "指定日" = 2024-04-01
data = "{data}"

# 基本報酬の区分。書かなければ、データから前年度を締めた就労定着率で決めます（teichaku rate と同じ計算）。
# "基本報酬区分" = "9割以上9割5分未満"

# 事業所の体制による加算・減算（届け出ているものだけ）。ずっとなら true、期間があるなら期間のリスト:
#   "情報公表未報告減算" = [{{ "から" = "2025-04", "まで" = "2025-09" }}]   # 「まで」を省くと続いている
# "職場適応援助者養成研修修了者配置体制加算" = true
# "就労定着実績体制加算" = true
# "支援体制構築未実施減算" = true
# "情報公表未報告減算" = true          # 5%（令和6年度から。率は指定権者に確認を）
# "業務継続計画未策定減算" = true      # 1%（同上）
# "虐待防止措置未実施減算" = true      # 1%（同上）
# 身体拘束廃止未実施減算は就労定着支援にはありません。

# 福祉・介護職員等処遇改善加算: 区分と加算率は、指定権者に届け出た「処遇改善計画書」（加算の届出）に書いてあります。
# teichaku は加算率を推測しません。書かなければ処遇改善加算は見込みに入りません。
# 年度ごとに変わるなら [["処遇改善加算"]] を期間の数だけ書き、それぞれに "から" / "まで" を付けます。
# ["処遇改善加算"]
# "区分" = "Ⅰ"
# "加算率" = "（処遇改善計画書の率）%"   # 10.3% のように書き換えてください（このままではエラーになります）

# 事業主用の支援レポートに載せる、支援レポートの欄（既定は 事業主の取組・共有事項 の2つ。選べるのは
# 主な支援目標・今後の支援内容・本人の取組・事業主の取組・共有事項）。本人の同意（就労履歴の事業主共有同意）は、
# ここに挙げた欄と、事業主共有=可 とした支援記録への同意です。同意書の文例は teichaku init が表示します。
"事業主と共有する項目" = ["事業主の取組", "共有事項"]

# 記録ソフトの CSV の見出しが違うときは、ここで対応づけます（左: ファイルの見出し、右: teichaku の見出し）。
# 受給者証番号は利用者ID とは別の番号です（受給者証シートの列）。利用者ID に対応づけないでください。
[columns]
# "利用者番号" = "利用者ID"

# シート名・CSV ファイル名が違うときの対応づけ。
[sheets]
# "支援経過" = "支援記録"
"""

INSTRUCTIONS = [
    ("teichaku 事業所データ（入力用ブック）", ""),
    ("", ""),
    ("使い方", "各シートの2行目から、1件1行で入力してください。見出し（1行目）の文字は変えないでください。"),
    ("必須の列", "見出しが赤い列は必ず入力してください。"),
    ("日付", "2024/4/1、令和6年4月1日、R6.4.1 のどれでも読めます。存在しない日付はエラーになります。"),
    ("年月", "2025/10、令和7年10月、R7.10 のどれでも読めます。"),
    ("選択肢", "選択肢のある列（方法・相手・障害開示など）は、セルを選ぶと右に出る ▼ から選んでください。一覧にない値は入力できません。"),
    ("ID", "利用者ID は文字として扱います（先頭の 0 も残ります）。"),
    ("確認", "入力したら「teichaku validate このファイル」で問題がないか確かめてください。"),
    ("", ""),
    ("シート", "内容"),
    *((t.name + ("（必須）" if t.required else "（任意）"), t.description) for t in schema.TABLES),
]


def write_blank_workbook(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from openpyxl.styles import Border, Side

    from teichaku_cli.documents.printed import fill, heading as heading_lines, row_height
    from teichaku_cli.documents.sheets import PORTRAIT_MAX_WIDTH, print_setup, use_office_font

    wb = Workbook()
    use_office_font(wb)
    guide = wb.active
    guide.title = "説明"
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 72
    for r, (a, b) in enumerate(INSTRUCTIONS, start=1):
        heading = r == 1 or (bool(a) and not b) or b == "内容"
        if r > 1:  # teichaku's own text: broken here, where a person would (the title runs on into B)
            a, b = fill(a, 22), fill(b, 72)
        guide.cell(r, 1, a).font = Font(name=FONT_NAME, bold=heading, size=14 if r == 1 else 10)
        guide.cell(r, 2, b).font = Font(name=FONT_NAME, size=10, bold=b == "内容")
        for c in (1, 2):
            guide.cell(r, c).alignment = Alignment(wrap_text=r > 1, vertical="top")
        guide.row_dimensions[r].height = 24 if r == 1 else row_height(max(a.count("\n"), b.count("\n")) + 1)
    line = Side(style="thin", color="A6A6A6")
    grid = Border(left=line, right=line, top=line, bottom=line)
    print_setup(guide, landscape=False, title_rows="1:1", print_area=f"A1:B{len(INSTRUCTIONS)}")

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for table in schema.TABLES:
        ws = wb.create_sheet(table.name)
        ws.freeze_panes = "A2"
        width = sum(c.width for c in table.columns)
        landscape = width > PORTRAIT_MAX_WIDTH
        grid_rows = GRID_ROWS_LANDSCAPE if landscape else GRID_ROWS_PORTRAIT
        header_lines = 1
        for c, column in enumerate(table.columns, start=1):
            # a heading that does not fit breaks between its words (「事業主共有\n同意日」, never 「…同意\n日」);
            # the reader takes a heading with its line breaks as the same heading
            title = heading_lines(column.name, column.width)
            header_lines = max(header_lines, title.count("\n") + 1)
            cell = ws.cell(1, c, title)
            cell.font = Font(name=FONT_NAME, bold=True, color="C00000" if column.required else "000000")
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            letter = get_column_letter(c)
            ws.column_dimensions[letter].width = column.width
            rng = f"{letter}2:{letter}{DATA_ROWS + 1}"
            # a column style: Excel applies it to every cell typed into the column
            number_format = "General"
            if column.kind in (Kind.DATE, Kind.MONTH):
                number_format = DATE_FORMAT if column.kind is Kind.DATE else MONTH_FORMAT
            elif column.kind is Kind.ID:
                number_format = "@"  # text: keeps leading zeros
            elif column.kind is Kind.AMOUNT:
                number_format = "#,##0"
            if number_format != "General":
                ws.column_dimensions[letter].number_format = number_format
            # a grid of empty rows to write on, one page of them: a printed blank sheet was a heading
            # row alone. The cells keep the column's format (a cell of its own would otherwise be General)
            for r in range(2, grid_rows + 2):
                blank = ws.cell(r, c)
                blank.border = grid
                blank.number_format = number_format
            options: tuple[str, ...] = ()
            if column.kind is Kind.CHOICE:
                options = column.choices
            elif column.kind is Kind.YESNO:
                options = column.yes_no_words
            if options:
                dv = DataValidation(
                    type="list",
                    formula1='"' + ",".join(options) + '"',
                    allow_blank=not column.required,
                    showErrorMessage=True,
                    errorTitle="選択肢にない値です",
                    error="一覧から選んでください: " + " / ".join(options),
                )
                dv.add(rng)
                ws.add_data_validation(dv)
            if column.note:
                from openpyxl.comments import Comment

                cell.comment = Comment(column.note, "teichaku")
        ws.row_dimensions[1].height = max(30, row_height(header_lines))
        for r in range(2, grid_rows + 2):
            ws.row_dimensions[r].height = GRID_ROW_HEIGHT
        # print the table's columns and as many rows as are filled in (a blank book is a
        # page or a few per sheet: its grid), the header on every page. A wide sheet goes over
        # as many pages across as keep its text legible (about 80 % on A4 landscape), with its
        # first two columns (利用者ID and 氏名 or the date) repeated on each; a narrow one at 100 %
        last = get_column_letter(len(table.columns))
        print_setup(
            ws,
            landscape=landscape,
            title_rows="1:1",
            header_left=table.name,
            print_area=f"A1:{last}{MAX_ROW}",  # whole columns: rows entered later print too
            pages_wide=math.ceil(width / LANDSCAPE_LEGIBLE_WIDTH) if width > NARROW_WIDTH else 0,
        )
        if width > LANDSCAPE_LEGIBLE_WIDTH:
            ws.print_title_cols = "A:B"
    with atomic_file(path, private=False) as fh:  # the office's own workbook: normal permissions
        wb.save(fh)
