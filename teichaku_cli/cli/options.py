"""Options several commands share, and parsing their values."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from teichaku_cli.base.errors import UsageError

MonthOpt = Annotated[
    Optional[str],
    typer.Option("--month", metavar="年月", help="対象月（2025-10、令和7年10月、R7.10、令和7年10月分）。省略時は前月（請求する月）。来月まで指定できます。", show_default=False),
]
OutOpt = Annotated[Optional[Path], typer.Option("--out", metavar="ファイル.xlsx", help="結果を Excel ブック（.xlsx）に書き出す（画面の結果を出してから書きます。ないフォルダは作りません）。", show_default=False)]
ForceOpt = Annotated[bool, typer.Option("--force", help="既にあるファイルを上書きする（読み込んだ入力ファイル、読み取り専用のファイル、Excel で開いているファイルは上書きしません）。")]


def _first_rules():
    from teichaku_cli.model.rulebook import all_rule_sets

    return all_rule_sets()[0]


def _month_label(day: date) -> str:
    return f"{day.year}年{day.month}月"


def parse_month_option(value: str | None, today: date) -> date:
    """The month to work on, from the first rule set's month up to next month (a
    claim is prepared for a month that is over; next month is as far as a look
    ahead makes sense)."""
    from teichaku_cli.office.values import OutOfRange, ValueProblem, parse_month
    from teichaku_cli.base.dates import next_month, previous_month

    if value is None:
        return previous_month(today)
    first, last = _first_rules(), next_month(today)
    refusal = UsageError(
        f"--month {value} は扱えません。",
        f"{_month_label(first.effective_from)}（{first.name}）から{_month_label(last)}（来月）までの月を指定してください",
    )
    try:
        month = parse_month(value)
    except OutOfRange:
        raise refusal from None
    except ValueProblem as exc:
        raise UsageError(f"--month: {exc.message}", exc.fix) from None
    if month is None:
        raise UsageError("--month が空です。", "例: --month 2025-10")
    if not first.effective_from <= month <= last:
        raise refusal
    return month


def parse_fiscal_year(value: str, today: date) -> int:
    """2025, 2025年度, R7, 令和7年度, H30 → the fiscal year (西暦), from the first
    year whose rate our rule sets can use (the rate closing year Y is used for
    claims in Y+1: the year before the first rule set) up to this fiscal year."""
    from teichaku_cli.base.dates import fiscal_year

    year = read_fiscal_year(value)
    first, last = fiscal_year(_first_rules().effective_from) - 1, fiscal_year(today)
    if not first <= year <= last:
        raise UsageError(
            f"--year {value}（{year}年度）は扱えません。",
            f"{first}年度（{_first_rules().name}の最初の請求に使う率）から{last}年度（今年度、見込み）までを指定してください",
        )
    return year


def read_fiscal_year(value: str) -> int:
    import re
    import unicodedata

    from teichaku_cli.base.dates import ERAS

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
    from teichaku_cli.office.values import FIRST_DATE, LAST_DATE, OutOfRange, ValueProblem, parse_date

    try:
        day = parse_date(value)
    except OutOfRange:
        raise UsageError(f"{name} {value} は扱える日付の外です。", f"{FIRST_DATE}〜{LAST_DATE} の日付を指定してください") from None
    except ValueProblem as exc:
        raise UsageError(f"{name}: {exc.message}", exc.fix) from None
    if day is None:
        raise UsageError(f"{name} が空です。", "例: 2026-04-01")
    return day
