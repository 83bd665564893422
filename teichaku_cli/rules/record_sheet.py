"""The 実績記録票 (サービス提供実績記録票, J611) of 就労定着支援 as the records give it,
per user-month: which days carry 算定日数 1, each day's 定着支援連携促進加算 (1/2)
and 特別地域加算, the 支援レポート共有日 and the totals. ``check --out`` prints them
for staff who type their claim into the 国保連's 簡易入力; ``check --claim`` compares
the claim file's J611 with them (rules/claim.py).

Nothing here decides again what counts: the days of base-fee support are the
month's face-to-face days (model/facts.py, the rows check counts), kept inside the
user's service window (rules/periods.py) and 支給決定期間 (model/certificates.py);
the meeting days are the ones check earned a 加算 for (rules/monthly.py
``meetings_of_month``); the report is a row of the month's ``given`` reports. How
each value is read, its spec item and its source are the rule data's
(``[claim.*]`` in rules/data/*.toml; docs/check.md shows them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from teichaku_cli.base.dates import month_end
from teichaku_cli.model import schema
from teichaku_cli.model.rulebook import rules_for
from teichaku_cli.rules.periods import UserPeriods

if TYPE_CHECKING:
    from teichaku_cli.model.office import Office
    from teichaku_cli.model.people import Person

C = schema.C


@dataclass(frozen=True)
class SheetDay:
    """One row of the 実績記録票 (J611:02): a day of base-fee support, of an earned
    meeting, or both."""

    day: date
    base_support: bool  # 算定日数 1
    liaison: str | None  # 定着支援連携促進加算: "1" (サービス管理責任者が参加) / "2" / None
    special_area: bool  # 特別地域加算 1


@dataclass
class SheetValues:
    """What one user-month's 実績記録票 says, from the records."""

    user_id: str
    name: str
    month: date
    days: list[SheetDay] = field(default_factory=list)
    report_given_on: date | None = None  # 本人提供日 of the report shown (the earliest inside the service)
    report_shared_on: date | None = None  # that row's 事業主共有日
    accepted_report_days: frozenset[date] = frozenset()  # every date J611:01 #153 may hold (any report row of the month)
    certificates_checked: bool = True  # the days were kept inside the 支給決定期間 (the office keeps 受給者証 data)

    @property
    def base_days(self) -> list[date]:
        return [d.day for d in self.days if d.base_support]

    @property
    def liaison_days(self) -> dict[date, str]:
        return {d.day: d.liaison for d in self.days if d.liaison}

    @property
    def special_area_days(self) -> list[date]:
        return [d.day for d in self.days if d.special_area]

    @property
    def days_total(self) -> int:
        """合計算定日数 (J611:01 #37)."""
        return len(self.base_days)

    @property
    def liaison_count(self) -> int:
        """定着支援連携促進加算（回） (J611:01 #146)."""
        return len(self.liaison_days)

    @property
    def special_area_count(self) -> int:
        """特別地域加算（回） (J611:01 #123)."""
        return len(self.special_area_days)


def record_sheets(office: "Office", month: date, users: list["Person"] | None = None) -> dict[str, SheetValues]:
    """Each user's 実績記録票 for ``month`` (the users in service in it, or ``users``),
    by user ID. One pass over the month's facts; every user's days in date order."""
    from teichaku_cli.rules.monthly import meetings_of_month

    month = month.replace(day=1)
    last = month_end(month)
    rules = rules_for(month)
    liaison = rules.claim["liaison_day"]
    codes = {True: liaison.option("with_manager"), False: liaison.option("without_manager")}
    facts = office.month_facts(month)
    meetings = meetings_of_month(office, month)
    book = office.certificates
    lives = office.lives
    people = office.people_in_service(month, last) if users is None else users
    reports = _reports_by_user(facts.given)
    found: dict[str, SheetValues] = {}
    for person in people:
        uid = person.user_id
        first, until = UserPeriods(person, rules, lives.of(person).first_hire).service_window
        certificates = book.of_user(uid) if book.kept else None
        base = sorted({
            day for day in facts.face.days(uid)
            if first <= day <= until and (certificates is None or certificates.on(day) is not None)
        })
        held = meetings.get(uid)
        earned = {day: codes[with_manager] for day, with_manager in (held.earned_days if held else [])}
        special = bool(person.special_area)
        base_set = set(base)
        days = [
            SheetDay(day, day in base_set, earned.get(day), special and day in base_set)
            for day in sorted(base_set | set(earned))
        ]
        rows = reports.get(uid, [])
        inside = [r for r in rows if first <= r[0] <= until] or rows
        shown = min(inside, default=None)
        accepted = frozenset(d for given, shared in rows for d in (given, shared) if d is not None)
        found[uid] = SheetValues(
            uid, person.name, month, days, shown[0] if shown else None, shown[1] if shown else None, accepted, book.kept,
        )
    return found


def _reports_by_user(given) -> dict[str, list[tuple[date, date | None]]]:
    """The month's 支援レポート rows handed to the person: (本人提供日, 事業主共有日) per user."""
    if given is None or given.empty:
        return {}
    import pandas as pd

    found: dict[str, list[tuple[date, date | None]]] = {}
    shared = given[C.SHARED_ON]
    for uid, on, to in zip(given[C.USER_ID].tolist(), given[C.GIVEN_ON].tolist(), shared.tolist()):
        found.setdefault(uid, []).append((on.date(), None if pd.isna(to) else to.date()))
    return found
