"""A copy of the sample office moved to today's calendar, for `make run`.

The bundled samples are fixed at one "today" (2026-11-22: the README's examples
and the tests compare them), so on a later day a newcomer's plain `teichaku
check` (last month) found every user 不可: the records had ended. This writes
``samples/today/`` (git-ignored): office.xlsx and teichaku.toml with every date
moved by whole months, so that last month holds what October 2026 holds in the
samples — most users claimable, a few with a finding.

- Every date and month column of every table moves by the same number of months
  (the day kept; a month's last day stays its last day, 1月31日 → 2月28日).
- Dates of things done on a working day (a support, a report handed over, a plan
  made, a meeting) that land on a Saturday or Sunday move to the nearest weekday
  in the same month.
- Records dated after today are left out (an office's log ends today), as is a
  report's 事業主共有日 after today.
- teichaku.toml's dates and months (指定日, the から/まで of its periods) move too.

    python samples/shift.py [--today 2026-12-08] [--out samples/today]

``TEICHAKU_TODAY`` fixes today when --today is not given (as for the CLI).
"""

from __future__ import annotations

import argparse
import calendar
import os
import re
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from teichaku_cli.model import schema  # noqa: E402
from teichaku_cli.model.schema import Kind  # noqa: E402

SAMPLE_TODAY = date(2026, 11, 22)  # the day the samples (and the README's examples) are made for
# dates of things staff do on a working day: moved off a weekend
WORKDAY_COLUMNS = {
    schema.CONTACTS.name: {"日付"},
    schema.REPORTS.name: {"本人提供日", "事業主共有日"},
    schema.PLANS.name: {"作成日", "本人同意日"},
    schema.MEETINGS.name: {"日付"},
}  # not a consent date: given on the day a job began, it must not move before it
# a record of the log is dated by this column: after today, it has not happened yet
RECORD_DAY = {schema.CONTACTS.name: "日付", schema.REPORTS.name: "本人提供日", schema.PLANS.name: "作成日", schema.MEETINGS.name: "日付"}


def months_between(sample: date, today: date) -> int:
    """Whole months from the samples' today to ``today``."""
    return (today.year - sample.year) * 12 + today.month - sample.month


def shift_date(day: date, months: int) -> date:
    """``day`` moved by whole months: the same day of the month (clamped), and a
    month's last day onto the target month's last day (so a period that ends on
    3月31日 and the next that starts 4月1日 stay next to each other)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    was_last = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month + 1, last if was_last else min(day.day, last))


def weekday(day: date) -> date:
    """The nearest weekday in the same month (Saturday → Friday, Sunday → Monday,
    unless that leaves the month)."""
    if day.weekday() < 5:
        return day
    forward, back = (2, 1) if day.weekday() == 5 else (1, 2)
    options = [day - timedelta(days=back), day + timedelta(days=forward)]
    if day.weekday() == 6:
        options.reverse()
    return next(d for d in options if d.month == day.month)


def _table_of(sheet: str):
    for table in schema.TABLES:
        if sheet == table.name or sheet in table.aliases:
            return table
    return None


def shift_workbook(source: Path, target: Path, today: date) -> int:
    """Write the moved copy of ``source`` to ``target``; returns the months moved."""
    from openpyxl import load_workbook

    months = months_between(SAMPLE_TODAY, today)
    wb = load_workbook(source)
    for ws in wb.worksheets:
        table = _table_of(ws.title)
        if table is None:
            continue
        kinds = {c.name: c.kind for c in table.columns}
        header = {cell.value: cell.column for cell in ws[1] if cell.value in kinds}
        dated = {name: col for name, col in header.items() if kinds[name] in (Kind.DATE, Kind.MONTH)}
        workdays = WORKDAY_COLUMNS.get(table.name, set())
        stale: list[int] = []
        for row in range(2, ws.max_row + 1):
            for name, col in dated.items():
                cell = ws.cell(row, col)
                value = cell.value
                if not isinstance(value, (date, datetime)):
                    continue
                moved = shift_date(value.date() if isinstance(value, datetime) else value, months)
                if name in workdays:
                    moved = weekday(moved)
                if name == "事業主共有日" and moved > today:
                    cell.value = None
                    continue
                cell.value = datetime(moved.year, moved.month, moved.day)
            record = RECORD_DAY.get(table.name)
            if record in header:
                value = ws.cell(row, header[record]).value
                if isinstance(value, datetime) and value.date() > today:
                    stale.append(row)
        for row in reversed(stale):
            ws.delete_rows(row)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return months


_TOML_DAY = re.compile(r"(?<![\d-])(\d{4})-(\d{2})(?:-(\d{2}))?(?![\d-])")


def shift_settings(source: Path, target: Path, months: int) -> None:
    """teichaku.toml with its dates (2021-04-01) and months (2024-04) moved likewise."""

    def moved(m: re.Match) -> str:
        year, month, day = int(m[1]), int(m[2]), m[3]
        shifted = shift_date(date(year, month, int(day) if day else 1), months)
        return shifted.isoformat() if day else shifted.strftime("%Y-%m")

    target.write_text(_TOML_DAY.sub(moved, source.read_text(encoding="utf-8")), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    parser.add_argument("--out", type=Path, default=HERE / "today")
    args = parser.parse_args(argv)
    today = args.today or (date.fromisoformat(os.environ["TEICHAKU_TODAY"]) if os.environ.get("TEICHAKU_TODAY") else date.today())
    months = shift_workbook(HERE / "office.xlsx", args.out / "office.xlsx", today)
    shift_settings(HERE / "teichaku.toml", args.out / "teichaku.toml", months)
    print(f"{args.out / 'office.xlsx'}: サンプル事業所の日付を {months:+d} か月動かした写し（{today.isoformat()} の暦に合わせて）")


if __name__ == "__main__":
    main()
