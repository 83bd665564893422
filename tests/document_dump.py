"""A normalised dump of a rendered workbook for golden tests: cell values and
formats, fonts, merges, row heights, print settings — never the zip bytes.

Regenerate the goldens with ``make goldens`` and read the diff."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path


def dump(path: Path) -> dict:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                value = c.value.isoformat() if isinstance(c.value, (date, datetime)) else c.value
                cells[c.coordinate] = [value, c.data_type, c.number_format, c.font.name, bool(c.font.b), c.alignment.horizontal, _left_border(c)]
        sheets[ws.title] = {
            "cells": cells,
            "merges": sorted(str(r) for r in ws.merged_cells.ranges),
            "heights": {str(k): v.height for k, v in sorted(ws.row_dimensions.items()) if v.height},
            "widths": {k: v.width for k, v in sorted(ws.column_dimensions.items())},
            "print_area": ws.print_area,
            "print_titles": ws.print_title_rows,
            "page": [ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight],
            "footer": ws.oddFooter.center.text,
        }
    return sheets


def _left_border(cell) -> str | None:
    border = cell.border
    return border.left.style if border is not None and border.left is not None else None


def compare_or_update(path: Path, golden: Path, update: bool) -> tuple[dict, dict]:
    actual = dump(path)
    if not update and not golden.exists():  # a missing golden must fail, not be written and pass
        import pytest

        pytest.fail(f"golden {golden.name} is missing: run `make goldens` and review the diff")
    if update:
        golden.write_text(json.dumps(actual, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    return json.loads(json.dumps(actual)), expected
