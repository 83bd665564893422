"""`teichaku due --out`: what is late, then the coming deadlines, as a list staff
can print and tick off."""

from __future__ import annotations

from pathlib import Path

from teichaku_cli.documents.sheets import AMOUNT, DATE, HEADER_ROW, MARK, PROSE, WRAP, Col, Heading, add_sheet, footnotes
from teichaku_cli.rules.findings import citation
from teichaku_cli.base.safe_write import atomic_file

LATE_COLOR = "C00000"  # red, as the terminal shows late items; the words say it too, for black-and-white printers


def write_due_workbook(path: Path, found, settings, overwrite: bool = False) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from teichaku_cli.documents.sheets import FONT_NAME, FONT_SIZE
    from teichaku_cli.base.dates import format_wareki_date, format_wareki_month

    today = found.today
    wb = Workbook()
    wb.remove(wb.active)
    span = f"{format_wareki_date(today)}から{found.within_months}か月"
    first = [w for w, items in (("先月分", found.last_month), ("期限切れ", found.overdue)) if items]
    title = f"{'・'.join(first)}とこれからの期限（{span}）" if first else f"これからの期限（{span}）"
    last_month = (
        [f"先月分（{format_wareki_month(found.previous_month)}）{len(found.last_month)}件: {found.claim_situation}。"
         "記録のない月は請求できないため、支援や提供が実際にあったなら、その日付で入力してください。"]
        if found.last_month else []
    )
    # the same few 根拠 on many rows (45 rows, 5 pages, each repeating three lines): each is
    # printed once, under the table, and its rows carry its mark
    marks, cited = footnotes(citation(d.source) for d in found.items)
    previous = f"先月分（{format_wareki_month(found.previous_month)}）、" if found.previous_month else ""
    ws = add_sheet(
        wb,
        "期限",
        Heading.of(settings, title, ("対象期間", f"{previous}期限切れ（日付を問わず）と{span}"), today),
        (
            Col("状態", 21, PROSE),
            Col("日付", 16, DATE),
            Col("あと日数", 8, AMOUNT),
            Col("利用者ID", 9),
            Col("氏名", 11, WRAP),
            Col("期限", 58, PROSE),
            Col("根拠", 6, MARK),
            Col("済", 4),
        ),
        ((d.state(), d.day, d.days if d.overdue else d.days_left, d.user_id, d.name, d.label, marks[citation(d.source)], "") for d in found.items),
        notes=(
            *last_month,
            *([found.previous_month_note] if found.previous_month_note else []),
            f"先月分 {len(found.last_month)}件（日付は請求の期日）、期限切れ {len(found.overdue)}件（期限を過ぎた日数の多い順）、"
            f"今月まだの対面支援・支援レポート、{span}の期限（近い順）の順に並べています。あと日数がマイナスの行は期限を過ぎています。",
            "「済」の欄は、対応したら手で印を付けるためのものです。",
            *cited,
            *(["根拠は資料と節の名前です（要旨は --json の source に）。"] if marks else []),
        ),
        empty="期限切れも、この期間の期限もありません。",
    )
    late = Font(name=FONT_NAME, size=FONT_SIZE, bold=True, color=LATE_COLOR)
    for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(found.last_month) + len(found.overdue)):
        ws.cell(r, 1).font = late
    with atomic_file(path, overwrite=overwrite) as fh:
        wb.save(fh)
