"""Dates as the law counts them and as staff write them: the one place periods are
computed, and 和暦 (元号) formatting. Everything may use this module; it uses nothing of teichaku.

Counting periods:

Notices give their periods in months and years; the day arithmetic is the 民法's:

- 民法140条: a period counted in days, months or years does not count its first
  day (本文) — unless the period begins at 0:00 of that day (ただし書). So a
  period that begins *with* an event that starts a day (a hire, the first day of
  service, a return to work) counts that day as day 1; a period that begins
  *after* an event that happens during a day (a 離職, a plan being made) begins
  on the next day.
- 民法143条: a period of N months whose day 1 is D ends on the day before D's
  応当日 N months later; when that month has no 応当日 (D is the 29th–31st), it
  ends on that month's last day. (D on the 1st gives whole calendar months,
  143条1項.)

A period that runs backwards (「前月末日から起算して過去3年間」, "3 months before
the end") is counted the same way towards the past: day 1 is the day it is
counted from, and it reaches back to the day after the 応当日 N months earlier,
or to the first day of the month after it when that month has no 応当日.

Library date arithmetic (``relativedelta``, pandas ``DateOffset``) clamps to the
month's end, which is not the law's answer on the 29th–31st: rules never do month
arithmetic themselves. They ask their rule set for a named period
(``rules.period("eligibility").after(hired)``): the rule file says how many
months, which way it runs, which day is day 1, and why (rules/data/*.toml).

Calendar months (a claim month, a fiscal year) are not periods in this sense:
``month_end``, ``next_month`` and the fiscal-year helpers only move between first
days of months and need no 応当日.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """The days from ``first`` to ``last``, both inside."""

    first: date
    last: date

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last

    @property
    def day_after(self) -> date:
        """The first day after the period (e.g. the first day the service may be used)."""
        return self.last + ONE_DAY

    @property
    def day_before(self) -> date:
        """The last day before the period (e.g. a deadline "N months before")."""
        return self.first - ONE_DAY


def _month_index(day: date, months: int) -> tuple[int, int]:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return year, month + 1


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int, month: int) -> int:
    return 29 if month == 2 and calendar.isleap(year) else _DAYS_IN_MONTH[month - 1]


# Periods are values: the same hire date is asked about once per month checked, for
# every user sharing it; the answers are cached.
@functools.lru_cache(maxsize=1 << 16)
def months_from(day1: date, months: int) -> Period:
    """A period of ``months`` months whose day 1 is ``day1`` (民法143条).

    2024-04-01 + 6 → ends 2024-09-30; 2024-08-31 (or 08-29, 08-30) + 6 →
    ends 2025-02-28; 2025-03-31 + 6 → ends 2025-09-30.
    """
    if months < 1:
        raise ValueError("a period has at least one month")
    year, month = _month_index(day1, months)
    if day1.day <= _days_in(year, month):
        last = date(year, month, day1.day) - ONE_DAY  # the day before the 応当日
    else:
        last = date(year, month, _days_in(year, month))  # no 応当日: that month's last day
    return Period(day1, last)


@functools.lru_cache(maxsize=1 << 12)
def months_back_from(day1: date, months: int) -> Period:
    """A period of ``months`` months counted backwards, ``day1`` being its day 1
    (and its last day in calendar order).

    2026-03-31 back 36 → from 2023-04-01; 2026-05-31 back 3 → from 2026-03-01;
    2028-02-29 back 12 → from 2027-03-01 (2027 has no February 29th).
    """
    if months < 1:
        raise ValueError("a period has at least one month")
    year, month = _month_index(day1, -months)
    if day1.day <= _days_in(year, month):
        first = date(year, month, day1.day) + ONE_DAY  # the day after the 応当日
    else:
        first = date(year, month, _days_in(year, month)) + ONE_DAY  # no 応当日: the 1st of the next month
    return Period(first, day1)


# Which day is day 1, as the rule files name it.
EVENT_DAY = "event_day"  # 民法140条ただし書: the period begins at 0:00 of the event's day
NEXT_DAY = "next_day"  # 民法140条本文: the event happens during a day; the period begins the next day
FORWARD, BACKWARD = "forward", "backward"
DAY1_WORDS = {EVENT_DAY: "当日を1日目", NEXT_DAY: "翌日を1日目"}  # backward periods always count from their own day


@dataclass(frozen=True)
class PeriodRule:
    """A period a rule names: its length, which way it runs from the event it is
    counted from, which day is day 1, our reading and the source (rule files)."""

    key: str
    months: int
    direction: str  # FORWARD or BACKWARD
    day1: str  # EVENT_DAY or NEXT_DAY
    reading: str  # how it is counted, in a phrase shown to staff where a result depends on it
    why: str  # the reason for that reading (docs, rule files)
    source: str

    def of(self, event: date) -> Period:
        """The period counted from ``event``: forward from it (day 1 = the event's
        day, or the next day), or backward with the event's day as day 1."""
        if self.direction == BACKWARD:
            return months_back_from(event, self.months)
        return months_from(event if self.day1 == EVENT_DAY else event + ONE_DAY, self.months)

    @property
    def day1_words(self) -> str:
        return DAY1_WORDS[self.day1]

    @property
    def label(self) -> str:
        """The length as staff say it: 6か月, 3年, 3年6か月."""
        return span_label(self.months)


def span_label(months: int) -> str:
    """A length in months as staff say it: 6 → 6か月, 36 → 3年, 42 → 3年6か月."""
    years, rest = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{rest}か月" if rest or not years else "")


# --- calendar months and fiscal years ----------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return date(day.year, day.month, _days_in(day.year, day.month))


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    year, month = _month_index(day, 1)
    return date(year, month, 1)


def shift_month(day: date, months: int) -> date:
    """The first day of the month ``months`` calendar months from ``day``'s."""
    year, month = _month_index(day, months)
    return date(year, month, 1)


def previous_month(today: date) -> date:
    """The first day of the month before today's (the month a claim is made for)."""
    return shift_month(today, -1)


def months_between(first: date, last: date) -> int:
    """Calendar months touched from ``first``'s month to ``last``'s, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def fiscal_year(day: date) -> int:
    """The fiscal year (年度) a day falls in: 2025-03-31 → 2024, 2025-04-01 → 2025."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_start(year: int) -> date:
    return date(year, 4, 1)


def fiscal_year_end(year: int) -> date:
    return date(year + 1, 3, 31)


# --- 和暦 ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Era:
    name: str
    abbreviations: tuple[str, ...]
    first_day: date
    last_day: date | None


# 元号 and their first days (元号法 / 政令). 令和 began 2019-05-01 (令和元年).
ERAS = (
    Era("令和", ("R", "令"), date(2019, 5, 1), None),
    Era("平成", ("H", "平"), date(1989, 1, 8), date(2019, 4, 30)),
    Era("昭和", ("S", "昭"), date(1926, 12, 25), date(1989, 1, 7)),
)


def format_wareki_date(d: date | None) -> str:
    """2024-04-01 → 令和6年4月1日 (元年 for the first year)."""
    if d is None:
        return ""
    era = next(e for e in ERAS if d >= e.first_day)
    n = d.year - era.first_day.year + 1
    return f"{era.name}{'元' if n == 1 else n}年{d.month}月{d.day}日"


def format_wareki_fiscal_year(year: int) -> str:
    """Fiscal year 2025 (April 2025 – March 2026) → 令和7年度. A year is named in the
    era that began in its calendar year, if one did: 2019 → 令和元年度 (as government
    documents name it), 2018 → 平成30年度, 1988 → 昭和63年度."""
    era = next(e for e in ERAS if e.first_day.year <= year)
    n = year - era.first_day.year + 1
    return f"{era.name}{'元' if n == 1 else n}年度"


def format_wareki_month(d: date | None) -> str:
    """2025-10-01 → 令和7年10月."""
    if d is None:
        return ""
    era = next(e for e in ERAS if month_end(d) >= e.first_day)
    n = d.year - era.first_day.year + 1
    return f"{era.name}{'元' if n == 1 else n}年{d.month}月"
