"""Calendar arithmetic the rules are written in: months, fiscal years (April–March)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (2024-08-31 + 6 → 2025-02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if day.day <= 28:  # every month has it (the common case: no calendar lookup)
        return date(year, month + 1, day.day)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(today: date) -> date:
    return add_months(today.replace(day=1), -1)


def fiscal_year(day: date) -> int:
    """The fiscal year (年度) a day falls in: 2025-03-31 → 2024, 2025-04-01 → 2025."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_start(year: int) -> date:
    return date(year, 4, 1)


def fiscal_year_end(year: int) -> date:
    return date(year + 1, 3, 31)


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def span_label(months: int) -> str:
    """A rule's length as staff say it: 6 → 6か月, 36 → 3年, 42 → 3年6か月."""
    years, rest = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{rest}か月" if rest or not years else "")
