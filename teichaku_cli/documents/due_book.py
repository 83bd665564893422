"""`teichaku due --out`: the coming deadlines as a list staff can print and tick off."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from teichaku_cli.documents.sheets import AMOUNT, DATE, WRAP, Col, Heading, add_sheet
from teichaku_cli.safe_write import atomic_file


def write_due_workbook(path: Path, deadlines, settings, today: date, within_months: int, overwrite: bool = False) -> None:
    from openpyxl import Workbook

    from teichaku_cli.office.values import format_wareki_date

    wb = Workbook()
    wb.remove(wb.active)
    span = f"{format_wareki_date(today)}から{within_months}か月"
    add_sheet(
        wb,
        "期限",
        Heading.of(settings, f"これからの期限（{span}）", ("対象期間", span), today),
        (
            Col("日付", 16, DATE),
            Col("あと日数", 9, AMOUNT),
            Col("利用者ID", 9),
            Col("氏名", 11, WRAP),
            Col("期限", 27, WRAP),
            Col("根拠", 24, WRAP),
            Col("済", 4),
        ),
        ((d.day, (d.day - today).days, d.user_id, d.name, d.label, d.source, "") for d in deadlines),
        notes=("「済」の欄は、対応したら手で印を付けるためのものです。",),
        empty="この期間に期限はありません。",
    )
    with atomic_file(path, overwrite=overwrite) as fh:
        wb.save(fh)
