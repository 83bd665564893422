"""就労定着率: the yearly rate that sets every user's base fee for a fiscal year.

``rate --year Y`` closes fiscal year Y: the window is April 1 of Y−2 … March 31
of Y+1, the reference date (前年度末) is March 31 of Y+1, and the result sets the
tier for claims in fiscal year Y+1, under the rules in force then:

- R6 (000 §2(1) 改正後): 過去3年間に就労定着支援の **利用を開始した** 総利用者数のうち、
  前年度末において就労が継続している者の数の割合.
- R3 (002 §2(1)): 過去3年間に就労定着支援を **受けた** 総利用者数 … — anyone served on any
  day of the window; the tier table also depends on the office's size.

Rates are exact fractions: 19/20 is exactly 95%.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

from teichaku_cli.rules.dates import add_months, fiscal_year_end, fiscal_year_start
from teichaku_cli.rules.periods import as_date
from teichaku_cli.rules.ruleset import RuleSet, Tier, rules_for

if TYPE_CHECKING:
    from teichaku_cli.office.load import Office

STARTED, RECEIVED = "started", "received"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    started: date
    hired: date
    left: date | None
    rehired: date | None
    in_denominator: bool
    retained: bool | None  # None when not in the denominator
    reason: str


@dataclass
class RateResult:
    fiscal_year: int
    window_start: date
    window_end: date
    reference_date: date
    applies_to_fiscal_year: int
    rules: RuleSet
    projection: bool
    people: list[Person]
    average_users: Fraction
    band: str
    notes: list[str] = field(default_factory=list)

    @property
    def denominator(self) -> int:
        return sum(p.in_denominator for p in self.people)

    @property
    def numerator(self) -> int:
        return sum(bool(p.retained) for p in self.people if p.in_denominator)

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def tier(self) -> Tier | None:
        return self.rules.tier_for(self.rate, self.band) if self.rate is not None else None


def window(year: int) -> tuple[date, date]:
    return fiscal_year_start(year - 2), fiscal_year_end(year)


def employment_on(day: date, hired: date, left: date | None, rehired: date | None, rules: RuleSet) -> tuple[bool, str]:
    """Was the person employed on ``day``? A job change counts as continuous when
    the new job began within ``job_change_months`` of leaving (documented policy)."""
    if hired > day:
        return False, f"就職日（{hired}）が基準日より後"
    if left is None or left > day:
        return True, "基準日に就労継続"
    if rehired is not None and rehired <= add_months(left, rules.limit("job_change_months")):
        return True, f"{left}離職・{rehired}再就職（1か月以内の転職で継続とみなす）"
    if rehired is not None:
        return False, f"{left}離職（再就職 {rehired} は1か月を超えたため継続とみなさない）"
    return False, f"{left}離職"


def compute_rate(office: "Office", year: int, today: date) -> RateResult:
    rules = rules_for(fiscal_year_start(year + 1))
    start, end = window(year)
    reference = end
    wording = rules.rate_wording
    people: list[Person] = []
    for row in office.users[list(_PERSON_COLUMNS)].itertuples(index=False, name=None):
        people.append(_person(dict(zip(_PERSON_COLUMNS, row)), start, end, reference, wording, rules))
    average = average_users(office, year)
    band = rules.band_for(average)
    return RateResult(
        fiscal_year=year,
        window_start=start,
        window_end=end,
        reference_date=reference,
        applies_to_fiscal_year=year + 1,
        rules=rules,
        projection=reference > today,
        people=people,
        average_users=average,
        band=band,
    )


_PERSON_COLUMNS = ("利用者ID", "氏名", "利用開始日", "就職日", "利用終了日", "離職日", "再就職日")


def _person(values: dict, start: date, end: date, reference: date, wording: str, rules: RuleSet) -> Person:
    started, hired = as_date(values["利用開始日"]), as_date(values["就職日"])
    finished, left, rehired = as_date(values["利用終了日"]), as_date(values["離職日"]), as_date(values["再就職日"])
    if wording == STARTED:
        counted = start <= started <= end
        why = f"利用開始日 {started} が期間内" if counted else f"利用開始日 {started} が期間（{start}〜{end}）外"
    else:
        counted = started <= end and (finished is None or finished >= start)
        why = "期間内に支援を受けた" if counted else "期間内に支援を受けていない"
    retained = None
    if counted:
        retained, status = employment_on(reference, hired, left, rehired, rules)
        why += f"／{status}"
    return Person(values["利用者ID"], values["氏名"], started, hired, left, rehired, counted, retained, why)


def average_users(office: "Office", year: int) -> Fraction:
    """前年度の平均利用者数: user-months served in fiscal year ``year`` ÷ 12."""
    first, last = fiscal_year_start(year), fiscal_year_end(year)
    months = 0
    for s, e in zip(office.users["利用開始日"], office.users["利用終了日"]):
        s, e = as_date(s), as_date(e)
        lo, hi = max(s, first), min(e or last, last)
        if lo <= hi:
            months += (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    return Fraction(months, 12)
