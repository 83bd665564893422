"""Options several commands share, and parsing their values."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from teichaku_cli.errors import UsageError

MonthOpt = Annotated[
    Optional[str],
    typer.Option("--month", help="対象月（2025-10、令和7年10月、R7.10）。省略時は前月（請求する月）。", show_default=False),
]
OutOpt = Annotated[Optional[Path], typer.Option("--out", help="結果を Excel ブックに書き出す。", show_default=False)]


def parse_month_option(value: str | None, today: date) -> date:
    from teichaku_cli.office.values import ValueProblem, parse_month
    from teichaku_cli.rules.dates import previous_month

    if value is None:
        return previous_month(today)
    try:
        month = parse_month(value)
    except ValueProblem as exc:
        raise UsageError(f"--month: {exc.message}", exc.fix) from None
    if month is None:
        raise UsageError("--month が空です。", "例: --month 2025-10")
    return month
