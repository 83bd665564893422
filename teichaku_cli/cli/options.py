"""Options several commands share, and parsing their values."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from teichaku_cli.errors import UsageError

MonthOpt = Annotated[
    Optional[str],
    typer.Option("--month", metavar="年月", help="対象月（2025-10、令和7年10月、R7.10、令和7年10月分）。省略時は前月（請求する月）。来月まで指定できます。", show_default=False),
]
OutOpt = Annotated[Optional[Path], typer.Option("--out", metavar="ファイル.xlsx", help="結果を Excel ブックに書き出す。", show_default=False)]


def parse_month_option(value: str | None, today: date) -> date:
    """The month to work on, up to next month (a claim is prepared for a month
    that is over; next month is as far as a look ahead makes sense)."""
    from teichaku_cli.office.values import ValueProblem, parse_month
    from teichaku_cli.rules.calendar import next_month, previous_month

    if value is None:
        return previous_month(today)
    try:
        month = parse_month(value)
    except ValueProblem as exc:
        raise UsageError(f"--month: {exc.message}", exc.fix) from None
    if month is None:
        raise UsageError("--month が空です。", "例: --month 2025-10")
    last = next_month(today)
    if month > last:
        raise UsageError(
            f"--month {value}（{month.year}年{month.month}月）はまだ先の月です。",
            f"来月（{last.year}年{last.month}月）までの月を指定してください",
        )
    return month


def parse_fiscal_year(value: str) -> int:
    """2025, 2025年度, R7, 令和7年度, H30 → the fiscal year (西暦)."""
    import re
    import unicodedata

    from teichaku_cli.office.values import ERAS

    text = unicodedata.normalize("NFKC", value).strip().removesuffix("年度").removesuffix("年")
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    for era in ERAS:
        for key in (era.name, *era.abbreviations):
            m = re.fullmatch(rf"{re.escape(key)}\s*(元|\d{{1,2}})", text, re.IGNORECASE)
            if m:
                n = 1 if m[1] == "元" else int(m[1])
                if n >= 1:
                    return era.first_day.year + n - 1
    raise UsageError(f"--year「{value}」を年度として読めません。", "例: --year 2025、--year R7、--year 令和7年度")


def parse_date_option(name: str, value: str):
    from teichaku_cli.office.values import ValueProblem, parse_date

    try:
        day = parse_date(value)
    except ValueProblem as exc:
        raise UsageError(f"{name}: {exc.message}", exc.fix) from None
    if day is None:
        raise UsageError(f"{name} が空です。", "例: 2026-04-01")
    return day
