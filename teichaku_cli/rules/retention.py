"""就労定着率: the yearly rate that sets every user's base fee for a fiscal year.

``rate --year Y`` closes fiscal year Y: the window is April 1 of Y−2 … March 31
of Y+1, the reference date (前年度末) is March 31 of Y+1, and the result sets the
tier for claims in fiscal year Y+1, under the rules in force then:

- R6 (就労定着支援の実施について, 令和6年3月29日改正, 2の(1)): 過去3年間に就労定着支援の **利用を開始した** 総利用者数のうち、
  前年度末において就労が継続している者の数の割合.
- R3 (同通知, 令和3年3月30日, 2の(1)): 過去3年間に就労定着支援を **受けた** 総利用者数 … — anyone served on any
  day of the window; the tier table also depends on the office's size.

Rates are exact fractions: 19/20 is exactly 95%.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

from teichaku_cli.model.rows import as_date, records
from teichaku_cli.base.dates import ONE_DAY, fiscal_year_end, fiscal_year_start, format_wareki_date
from teichaku_cli.rules.employment import employment_on, with_employer_since
from teichaku_cli.model.rulebook import RuleSet, Tier, rules_for, with_fee_table
from teichaku_cli.model.schema import C

if TYPE_CHECKING:
    from teichaku_cli.model.people import Person as Served  # one served person; Person below is one row of the rate
    from teichaku_cli.model.office import Office

STARTED, RECEIVED = "started", "received"


@dataclass(slots=True)  # one per user on every check: not frozen, whose __init__ is several times slower
class Person:
    user_id: str
    name: str
    started: date
    hired: date | None  # the first hire (None only for data validate refuses)
    moves: tuple[tuple[date, date | None], ...]  # each job left on or before the reference date: (離職日, next 就職日 or None)
    in_denominator: bool
    retained: bool | None  # None when not in the denominator
    reason: str
    rehire_by: date | None = None  # not retained, but a re-employment by this day would still count

    @property
    def left(self) -> date | None:
        """The last 離職日 on or before the reference date."""
        return self.moves[-1][0] if self.moves else None

    @property
    def rehired(self) -> date | None:
        return self.moves[-1][1] if self.moves else None


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

    # counted once: people is fixed when the result is made, and these are read often
    @functools.cached_property
    def denominator(self) -> int:
        return sum(p.in_denominator for p in self.people)

    @functools.cached_property
    def numerator(self) -> int:
        return sum(bool(p.retained) for p in self.people if p.in_denominator)

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def tier(self) -> Tier | None:
        return self.rules.tier_for(self.rate, self.band) if self.rate is not None else None


def compute_rate(office: "Office", year: int, today: date, fee_table=None) -> RateResult:
    rules = rules_for(fiscal_year_start(year + 1))
    reference = fiscal_year_end(year)
    window = rules.period("rate_window").of(reference)
    start, end = window.first, window.last
    wording = rules.rate_wording
    lives = office.lives
    people: list[Person] = []
    for person in office.people:
        people.append(_person(person, lives.of(person), start, end, reference, wording, rules, today))
    average = average_users(office, year)
    band = rules.band_for(average)
    ignored_fee_table = False
    if fee_table is not None:
        if all(t.units is None for t in rules.tiers[band]):  # only where the sources give no table
            rules = with_fee_table(rules, band, fee_table)
        else:
            ignored_fee_table = True
    result = RateResult(
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
    if result.projection:
        result.notes.append(
            f"基準日（{format_wareki_date(reference)}）はまだ先のため見込みです。今日就労している人は基準日まで就労を続けると仮定しています"
            "（離職日が入力済みの人は、その日に離職したものとして数えます）。"
        )
    waiting = [p for p in people if p.in_denominator and p.rehire_by is not None and p.rehire_by >= today]
    if waiting:  # a re-employment on record later could still make them retained: not final yet
        last = max(p.rehire_by for p in waiting)
        result.projection = True
        result.notes.append(
            f"{len(waiting)}人（{'、'.join(p.user_id for p in waiting[:10])}）は基準日の時点で離職から間がなく、"
            f"{format_wareki_date(last)}までに再就職すれば転職として定着に数えます。それまでこの率は見込みです。"
        )
    if ignored_fee_table:
        result.notes.append(f"{band}の{rules.name}の単価は資料にあるため、--fee-table は使いませんでした。")
    if result.denominator == 0:
        what = "利用を開始した" if wording == STARTED else "支援を受けた"
        result.notes.append(
            f"{format_wareki_date(start)}〜{format_wareki_date(end)}に{what}利用者がいないため、就労定着率は計算できません。"
            "新たに指定を受けた事業所は --designation-date 指定日 で、一体的に運営する就労移行支援等の実績（移行実績シート）から計算できます。"
        )
    elif result.tier is not None and result.tier.units is None:
        result.notes.append(f"{band}の{rules.name}の単価は手元の資料にありません。--fee-table で報酬表を指定してください。")
    for revision in claim_revisions(year + 1):  # months whose revision carries its predecessor's values unchecked
        if revision.rules.carry_over is not None:
            result.notes.append(f"{revision.span}の請求は{revision.rules.name}によります。{revision.rules.carry_over.reading}。")
    return result


@dataclass(frozen=True)
class ClaimRevision:
    """A revision the claims of a fiscal year fall under, with the claim months it covers."""

    rules: RuleSet
    first: date
    last: date

    @property
    def span(self) -> str:
        return month_span(self.first, self.last)

    def as_dict(self) -> dict:
        return {"id": self.rules.id, "name": self.rules.name, "first_month": self.first.strftime("%Y-%m"), "last_month": self.last.strftime("%Y-%m")}


def month_span(first: date, last: date) -> str:
    """令和8年4月〜5月; 令和8年6月〜令和9年3月 (the year said again only when it changes)."""
    from teichaku_cli.base.dates import format_wareki_month

    start, end = format_wareki_month(first), format_wareki_month(last)
    if start.partition("年")[0] == end.partition("年")[0]:
        end = end.partition("年")[2]
    return f"{start}〜{end}"


def claim_revisions(claim_year: int) -> list[ClaimRevision]:
    """The revisions that govern the claims of fiscal year ``claim_year`` (April … March),
    in order: one, or two when a revision takes effect inside the year (R8.6 in June 2026)."""
    from teichaku_cli.base.dates import next_month

    found: list[ClaimRevision] = []
    month = fiscal_year_start(claim_year)
    for _ in range(12):
        rules = rules_for(month)
        if found and found[-1].rules is rules:
            found[-1] = ClaimRevision(rules, found[-1].first, month)
        else:
            found.append(ClaimRevision(rules, month, month))
        month = next_month(month)
    return found


def revisions_in_words(revisions: list[dict]) -> str:
    """The revisions of a claim year as staff read them (from ``rate_as_dict``'s
    ``claim_revisions``): 「令和6年度報酬改定」, or each with its months when the year has two."""
    if len(revisions) == 1:
        return revisions[0]["name"]
    month = lambda text: date.fromisoformat(f"{text}-01")  # noqa: E731
    return "・".join(f"{r['name']}（{month_span(month(r['first_month']), month(r['last_month']))}）" for r in revisions)


def _person(person: "Served", life, start: date, end: date, reference: date, wording: str, rules: RuleSet, today: date) -> Person:
    started, finished = person.started, person.finished
    jobs = life.jobs
    moves = ()
    if len(jobs) > 1 or jobs and jobs[0].left is not None:
        moves = tuple(
            (job.left, jobs[i + 1].hired if i + 1 < len(jobs) else None)
            for i, job in enumerate(jobs)
            if job.left is not None and job.left <= reference
        )
    if wording == STARTED:
        counted = start <= started <= end
        why = "期間内に利用開始" if counted else "利用開始が期間外"
    else:
        counted = started <= end and (finished is None or finished >= start)
        why = "期間内に支援を受けた" if counted else "期間内の支援なし"
    retained, rehire_by = None, None
    if counted:
        status = employment_on(life, reference, started, rules, format_wareki_date, today)
        retained, rehire_by = status.employed, (None if status.employed else status.rehire_by)
        why += f"／{status.reason}"
    return Person(person.user_id, person.name, started, life.first_hire, moves, counted, retained, why, rehire_by)


def average_users(office: "Office", year: int) -> Fraction:
    """前年度の平均利用者数: user-months served in fiscal year ``year`` ÷ 12."""
    first, last = fiscal_year_start(year), fiscal_year_end(year)
    months = 0
    for s, e in ((p.started, p.finished) for p in office.people):
        lo, hi = max(s, first), min(e or last, last)
        if lo <= hi:
            months += (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    return Fraction(months, 12)


# --- what would move the tier -------------------------------------------------------------


@dataclass(frozen=True)
class TierMove:
    """How many more retained people reach the next tier up, how many losses drop
    a tier, and what each is worth a year for the current number of users."""

    up_needed: int | None  # None: already at the top, or not reachable within the denominator
    up_tier: Tier | None
    down_losses: int | None  # None: already at the bottom
    down_tier: Tier | None
    users_now: int
    up_units_per_year: int | None
    down_units_per_year: int | None


def what_moves(result: RateResult, users_now: int) -> TierMove | None:
    rate, tier = result.rate, result.tier
    if rate is None or tier is None:
        return None
    tiers = list(result.rules.tiers[result.band])
    index = tiers.index(tier)
    num, den = result.numerator, result.denominator
    up = tiers[index - 1] if index > 0 else None
    down = tiers[index + 1] if index + 1 < len(tiers) else None
    up_needed = None
    if up is not None:
        k = max(0, math.ceil(up.min_rate * den - num))  # smallest k: (num + k) / den >= up
        up_needed = k if num + k <= den else None
    down_losses = None
    if down is not None:
        k = math.floor(num - tier.min_rate * den) + 1  # smallest k: (num - k) / den < this tier
        down_losses = k if k <= num else None

    def yearly(other: Tier | None) -> int | None:
        if other is None or other.units is None or tier.units is None:
            return None
        return (other.units - tier.units) * users_now * 12

    return TierMove(up_needed, up if up_needed is not None else None, down_losses, down, users_now, yearly(up) if up_needed is not None else None, yearly(down) if down_losses is not None else None)


def users_served_on(office: "Office", day: date) -> int:
    return len(office.people_in_service(day, day))


# --- 就労定着実績体制加算 -------------------------------------------------------------------


@dataclass(frozen=True)
class RecordPerson:
    user_id: str
    name: str
    hired: date
    finished: date
    counted: bool
    reason: str


@dataclass
class RecordResult:
    """就労定着実績体制加算 for claims in fiscal year ``applies_to``: among people who
    ended the service in the 6 years up to the reference date (and were hired in
    that window), the share employed with the same employer for ≥ 3y6m and < 6y6m
    is at least 70% (R6 Q&A vol.3 問14 [assumed detail])."""

    window_start: date
    reference_date: date
    people: list[RecordPerson]
    threshold: Fraction
    source: str

    @property
    def denominator(self) -> int:
        return len(self.people)

    @property
    def numerator(self) -> int:
        return sum(p.counted for p in self.people)

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.people else None

    @property
    def qualifies(self) -> bool:
        return self.rate is not None and self.rate >= self.threshold


def marks(person: dict, blank: str = "—") -> tuple[str, str]:
    """A person's 分母 and 定着 (from ``rate_as_dict`` or the designation payload) as
    staff read them: ○, ×, or ``blank`` outside the denominator."""
    if not person["in_denominator"]:
        return blank, blank
    return "○", "○" if person["retained"] else "×"


def retention_record(office: "Office", year: int) -> RecordResult:
    """The job counted is the one in force on the 利用終了日, from its own 就職日 to
    its 離職日 or the reference date: a job change ends "the same employer"."""
    rules = rules_for(fiscal_year_start(year + 1))
    reference = fiscal_year_end(year)
    start = rules.period("retention_record_window").of(reference).first
    shortest, longest = rules.period("retention_record_min"), rules.period("retention_record_max")
    lives = office.lives
    people = []
    for served in office.people:
        finished = served.finished
        life = lives.of(served)
        hired = life.first_hire
        if finished is None or hired is None or not (start <= finished <= reference) or not (start <= hired <= reference):
            continue
        job = life.job_on(finished)
        if job is None:
            people.append(RecordPerson(served.user_id, served.name, hired, finished, False, f"利用終了日（{format_wareki_date(finished)}）に就労していない"))
            continue
        until = min(job.left, reference) if job.left else reference
        since = with_employer_since(life, job, rules)  # rows of one employer are one employment
        reached = shortest.of(since).last <= until
        beyond = longest.of(since).last <= until
        counted = reached and not beyond
        employer = f"{job.employer}（{format_wareki_date(since)}就職）" if job.employer else f"{format_wareki_date(since)}就職の事業主"
        if counted:
            reason = f"{employer}で{format_wareki_date(until)}まで{shortest.label}以上就労"
        elif beyond:
            reason = f"{employer}で{longest.label}以上就労（対象外の長さ）"
        else:
            reason = f"{employer}で{format_wareki_date(until)}までで{shortest.label}に届かない" + (f"（{format_wareki_date(job.left)}離職）" if job.left and job.left <= reference else "")
        people.append(RecordPerson(served.user_id, served.name, since, finished, counted, reason))
    threshold = rules.limits["retention_record_threshold"]
    return RecordResult(start, reference, people, Fraction(threshold.amount, 100), threshold.source)


# --- new designation --------------------------------------------------------------------


@dataclass
class DesignationResult:
    """A newly designated office's rate from the integrated 就労移行支援等
    (就労定着支援の実施について 2の(1) ただし書き, R3 and R6 alike): people who entered 一般就労 in the 3 years up to the
    last day of the month before designation, and of them those still employed then."""

    designation_date: date
    window_start: date
    reference_date: date
    rules: RuleSet
    people: list[tuple[str, date, date | None, bool, bool, str]]  # name, hired, left, counted, retained, why

    @property
    def denominator(self) -> int:
        return sum(p[3] for p in self.people)

    @property
    def numerator(self) -> int:
        return sum(p[3] and p[4] for p in self.people)

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def tier(self) -> Tier | None:
        return self.rules.tier_for(self.rate, self.rules.bands[0][1]) if self.rate is not None else None


def designation_rate(office: "Office", designated: date) -> DesignationResult:
    from teichaku_cli.model import schema

    rules = rules_for(designated)
    reference = designated.replace(day=1) - ONE_DAY  # 指定を受ける前月末日
    start = rules.period("designation_window").of(reference).first
    people = []
    for values in records(office.table(schema.TRANSITIONS.name)):
        hired, left = as_date(values[C.HIRED]), as_date(values[C.LEFT])
        counted = start <= hired <= reference
        retained = counted and (left is None or left > reference)
        why = ("期間内に一般就労" if counted else f"就職日が期間（{format_wareki_date(start)}〜{format_wareki_date(reference)}）外") + (
            ("／就労継続" if retained else f"／{format_wareki_date(left)}離職") if counted else ""
        )
        people.append((values[C.NAME], hired, left, counted, retained, why))
    return DesignationResult(designated, start, reference, rules, people)


# --- the JSON contract of `teichaku rate --json` (docs/rate.md) ----------------------------


def percent(rate: Fraction | None) -> float | None:
    return None if rate is None else round(float(rate * 100), 2)


def rate_as_dict(result: RateResult, record: RecordResult, move: TierMove | None) -> dict:
    tier = result.tier
    return {
        "fiscal_year": result.fiscal_year,
        "reference_date": result.reference_date.isoformat(),
        "window_start": result.window_start.isoformat(),
        "window_end": result.window_end.isoformat(),
        "applies_to_fiscal_year": result.applies_to_fiscal_year,
        "rules_version": result.rules.id,
        "rules_name": result.rules.name,
        "claim_revisions": [r.as_dict() for r in claim_revisions(result.applies_to_fiscal_year)],
        "rules_wording": result.rules.rate_wording,
        "projection": result.projection,
        "denominator": result.denominator,
        "numerator": result.numerator,
        "rate": str(result.rate) if result.rate is not None else None,
        "rate_percent": percent(result.rate),
        "band": result.band,
        "average_users": str(result.average_users),
        "tier": {"label": tier.label, "units": tier.units, "source": tier.source} if tier else None,
        "notes": result.notes,
        "people": [
            {
                "user_id": p.user_id,
                "name": p.name,
                "started": p.started.isoformat(),
                "hired": p.hired.isoformat() if p.hired else None,
                "left": p.left.isoformat() if p.left else None,
                "rehired": p.rehired.isoformat() if p.rehired else None,
                "moves": [{"left": left.isoformat(), "rehired": rehired.isoformat() if rehired else None} for left, rehired in p.moves],
                "in_denominator": p.in_denominator,
                "retained": p.retained,
                "reason": p.reason,
            }
            for p in result.people
        ],
        "jisseki_taisei": {
            "window_start": record.window_start.isoformat(),
            "reference_date": record.reference_date.isoformat(),
            "denominator": record.denominator,
            "numerator": record.numerator,
            "rate": str(record.rate) if record.rate is not None else None,
            "threshold": str(record.threshold),
            "qualifies": record.qualifies,
            "source": record.source,
            "people": [
                {"user_id": p.user_id, "hired": p.hired.isoformat(), "finished": p.finished.isoformat(), "counted": p.counted, "reason": p.reason}
                for p in record.people
            ],
        },
        "what_moves": None
        if move is None
        else {
            "users_now": move.users_now,
            "up": None if move.up_tier is None else {"more_retained": move.up_needed, "tier": move.up_tier.label, "units_per_year": move.up_units_per_year},
            "down": None if move.down_tier is None else {"losses": move.down_losses, "tier": move.down_tier.label, "units_per_year": move.down_units_per_year},
        },
    }
