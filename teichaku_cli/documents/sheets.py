"""Plain result tables as Excel sheets for staff: bold frozen header, filters,
sensible widths, A4 landscape, fit to one page wide, header row on every page.
Text that looks like a formula is written as text."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

FONT_NAME = "游ゴシック"
FORMULA_START = ("=", "+", "-", "@")


def set_text_or_value(cell, value: object) -> None:
    """Strings are always string cells: a value starting with = + - @ is never
    turned into a formula (a support log can hold "=要確認" or "-3kg")."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def add_table_sheet(wb, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]], widths: Sequence[int] | None = None):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(name=FONT_NAME, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    body = Font(name=FONT_NAME)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c)
            set_text_or_value(cell, value)
            if isinstance(value, date):
                cell.number_format = "yyyy/m/d"
            cell.font = body
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str) and len(value) > 20)
    for i, width in enumerate(widths or [14] * len(headers), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{ws.max_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    return ws
