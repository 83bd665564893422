"""Builders for small offices on disk: an xlsx workbook or a folder of CSVs."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teichaku_cli.cli import app

USER = {
    "利用者ID": "0001",
    "氏名": "試験 花子",
    "就職日": date(2024, 4, 1),
    "事業主": "㈱髙﨑テスト商事",
    "利用開始日": date(2024, 10, 1),
    "障害開示": "オープン",
    "事業主共有同意": "あり",
}
CONTACT = {"日付": date(2024, 10, 3), "利用者ID": "0001", "方法": "対面", "相手": "本人", "内容": "職場での様子を聞き取り"}


def minimal_tables() -> dict[str, list[dict]]:
    return {"利用者": [dict(USER)], "支援記録": [dict(CONTACT)]}


def write_xlsx(path: Path, tables: dict[str, list[dict]], headers: dict[str, list[str]] | None = None) -> Path:
    """One sheet per table; header = union of keys (or ``headers``); dates as date cells."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        cols = (headers or {}).get(name) or list(dict.fromkeys(k for r in rows for k in r))
        ws.append(cols)
        for row in rows:
            ws.append([row.get(c) for c in cols])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy/m/d"
                elif isinstance(cell.value, str):
                    cell.data_type = "s"  # '0001' stays text
    wb.save(path)
    return path


def write_csvs(folder: Path, tables: dict[str, list[dict]], encoding: str = "cp932", date_style=None) -> Path:
    """One ``<sheet>.csv`` per table; dates written by ``date_style`` (default ISO)."""
    import csv
    import io

    folder.mkdir(parents=True, exist_ok=True)
    style = date_style or (lambda d, i: d.isoformat())
    for name, rows in tables.items():
        cols = list(dict.fromkeys(k for r in rows for k in r))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(cols)
        for i, row in enumerate(rows):
            writer.writerow([style(v, i) if isinstance(v, date) else ("" if v is None else v) for v in (row.get(c) for c in cols)])
        (folder / f"{name}.csv").write_bytes(buf.getvalue().encode(encoding))
    return folder


def patch_sheet_xml(path: Path, sheet: str, pattern: str, replacement: str) -> None:
    """Rewrite one sheet's XML inside an xlsx (for cells openpyxl cannot write)."""
    with zipfile.ZipFile(path) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    book = items["xl/workbook.xml"].decode()
    index = re.findall(r'<sheet [^>]*name="([^"]+)"', book).index(sheet) + 1
    member = f"xl/worksheets/sheet{index}.xml"
    xml, count = re.subn(pattern, replacement, items[member].decode())
    assert count, f"pattern not found in {member}"
    items[member] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items.items():
            zf.writestr(name, data)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    def run(*args: str):
        result = runner.invoke(app, [str(a) for a in args])
        return result

    return run
