"""The monthly claim pre-check: per user active in a month, can this month's fee
be claimed, what is missing, and what the month is worth: its 単位 and, through
the amount engine (rules/amounts.py), its 総費用額, 利用者負担 and 給付費.

The whole log is grouped once (by user, for the month); the per-user loop only
looks up those groupings, so the cost stays proportional to the log's size.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from teichaku_cli.base.dates import fiscal_year, fiscal_year_start, format_wareki_date, format_wareki_month, month_end, next_month
from teichaku_cli.model import schema
from teichaku_cli.model import sharing
from teichaku_cli.model.certificates import CapResult, Certificate
from teichaku_cli.model.facts import MonthFacts, Requirement, face_to_face
from teichaku_cli.model.history import WorkingLives
from teichaku_cli.model.people import Person
from teichaku_cli.model.rulebook import RuleSet, RulesUnavailable, Tier, rules_for
from teichaku_cli.rules import amounts as A
from teichaku_cli.rules import findings as F
from teichaku_cli.rules.amounts import Money, UnitLine
from teichaku_cli.rules.certificates import certificate_month
from teichaku_cli.rules.employment import employment_on
from teichaku_cli.rules.periods import UserPeriods
from teichaku_cli.rules.retention import average_users, compute_rate

if TYPE_CHECKING:

    from teichaku_cli.model.office import Office

C = schema.C


@dataclass
class TierDecision:
    """Which base-fee tier the month uses, and how it was decided."""

    tier: Tier | None
    how: str  # shown to staff: where the tier came from
    rate: Fraction | None = None
    band: str = ""
    numerator: int | None = None  # the counts behind ``rate``: 5/5 and 1/1 both reduce to 1
    denominator: int | None = None
    projection: bool = False  # from a fiscal year not yet closed: a 見込み, not the tier


# A user-month's state: it can be claimed; an error blocks it; or nothing blocks it but
# its amount is not known (the base fee's units, or the office's 地域区分単価): 要確認,
# never counted as claimable, since a 「可」 beside 0 units invites a wrong claim.
CLAIMABLE, BLOCKED, UNCONFIRMED = "claimable", "blocked", "unconfirmed"
STATE_MARKS = {CLAIMABLE: "可", BLOCKED: "不可", UNCONFIRMED: "要確認"}


@dataclass
class UserMonth:
    user_id: str
    name: str
    findings: list[F.Finding]
    lines: list[UnitLine]
    base_known: bool
    money: Money | None = None
    certificate: Certificate | None = None  # in force on the month's last covered day
    cap_result: CapResult | None = None
    cap_managed_here: bool = False
    unit_price_known: bool = True  # the office wrote its 地域区分単価 (else the default prices it)

    # asked for again and again by the totals, the JSON and the workbook; a user-month's
    # findings and lines are complete when it is made
    @functools.cached_property
    def state(self) -> str:
        if any(f.severity == F.ERROR for f in self.findings):
            return BLOCKED
        return CLAIMABLE if self.base_known and self.unit_price_known else UNCONFIRMED

    @property
    def claimable(self) -> bool:
        return self.state == CLAIMABLE

    @property
    def blocked(self) -> bool:
        return self.state == BLOCKED

    @property
    def mark(self) -> str:
        """可 / 不可 / 要確認, as the table and the workbook show it."""
        return STATE_MARKS[self.state]

    @functools.cached_property
    def units(self) -> int:
        return sum(line.units for line in self.lines)


@dataclass
class MonthCheck:
    month: date
    rules: RuleSet
    tier: TierDecision
    unit_price: Decimal
    unit_price_set: bool
    today: date | None = None  # the day the check ran: a month not yet over is judged on the records so far
    users: list[UserMonth] = field(default_factory=list)
    office_findings: list[F.Finding] = field(default_factory=list)  # said once, for the office
    regime: list[str] = field(default_factory=list)  # the office's 加算・減算 and 処遇改善加算 in force this month, for people

    def yen(self, units: int) -> int:
        """総費用額 of ``units`` at the month's 地域区分単価 (the engine's step 5)."""
        return A.total_cost(units, self.unit_price, self.rules.billing["total_cost"])

    @property
    def month_status(self) -> str:
        """closed: the month is over; in_progress: today is in it; future: it has not begun."""
        return month_status(self.month, self.today)

    @property
    def month_note(self) -> str | None:
        """What staff must know of a month not yet over: its findings are provisional."""
        return month_note(self.month, self.today)

    def users_in(self, state: str) -> list[UserMonth]:
        return [u for u in self.users if u.state == state]

    @property
    def unconfirmed_reasons(self) -> list[tuple[str, str]]:
        """Why the month's amounts cannot be confirmed, each with what fixes it: the
        setting to write, or, where no setting can (an R3 month whose band's table the
        sources lack), that the units must be confirmed with the 指定権者."""
        return unconfirmed_reasons(self.tier, self.rules, self.unit_price_set)


def month_status(month: date, today: date | None) -> str:
    if today is None or today > month_end(month):
        return "closed"
    return "in_progress" if today >= month else "future"


def month_note(month: date, today: date | None) -> str | None:
    status = month_status(month, today)
    if status == "closed":
        return None
    so_far = f"{today.month}月{today.day}日までの記録で判定"
    if status == "in_progress":
        return f"月の途中です（{so_far}）。月末までの支援・支援レポートで結果は変わります。"
    return f"まだ始まっていない月です（{so_far}）。見込みとしてご覧ください。"


TIER_SETTING_FIX = "teichaku.toml に「基本報酬区分」を書いてください（例: \"基本報酬区分\" = \"9割以上9割5分未満\"。指定権者に届け出た区分）"
UNIT_PRICE_FIX = "teichaku.toml に「地域区分単価」を書いてください（例: \"地域区分単価\" = 11.2。事業所の地域区分の1単位の単価。年度で変わるなら期間ごとに）"


def unconfirmed_reasons(tier: TierDecision, rules: RuleSet, unit_price_set: bool) -> list[tuple[str, str]]:
    """(reason, fix) for each thing that leaves the month's amounts unknown (see MonthCheck)."""
    found = []
    if tier.tier is None:
        found.append((
            "基本報酬の区分が分からないため、基本報酬の単位数が分かりません。",
            TIER_SETTING_FIX + "。新規指定の事業所は teichaku rate --designation-date 指定日 で、移行実績からの区分も確かめられます",
        ))
    elif tier.tier.units is None:
        band = f"（{tier.band}）" if tier.band else ""
        found.append((
            f"{rules.name}の{tier.tier.label}{band}の報酬単価が手元の資料にないため、基本報酬の単位が分かりません。",
            "teichaku.toml の設定では直せません。この月の基本報酬の単位数は指定権者（都道府県・市）に確かめてください",
        ))
    if not unit_price_set:
        found.append(("地域区分単価が teichaku.toml にないため、金額（総費用額・利用者負担・給付費）が分かりません。", UNIT_PRICE_FIX))
    return found


def decide_tier(office: "Office", month: date, rules: RuleSet, today: date) -> TierDecision:
    """The tier from teichaku.toml 基本報酬区分 when set, else the rate computed
    from the data for the fiscal year before the claim month's."""
    setting = office.settings.base_tier
    if setting:
        # R3's tables depend on the office's size (the labels repeat in each band):
        # the band of the fiscal year whose rate sets this year's tier
        band = rules.band_for(average_users(office, fiscal_year(month) - 1))
        key = setting.replace(" ", "")
        how = f"teichaku.toml の基本報酬区分「{setting}」"
        for tier in rules.tiers[band]:
            if tier.label.replace(" ", "") == key:
                if tier.units is None:
                    how += f"。{band}の報酬単価は手元の資料にないため基本報酬は表示できません"
                return TierDecision(tier, how, None, band)
        labels = " / ".join(t.label for t in rules.tiers[band])
        from teichaku_cli.base.errors import TeichakuError

        raise TeichakuError(
            f"teichaku.toml の基本報酬区分「{setting}」は{rules.name}の区分にありません。",
            f"次のいずれかにしてください: {labels}",
        )
    result = compute_rate(office, fiscal_year(month) - 1, today)
    if result.rate is None:
        return TierDecision(
            None,
            f"{format_wareki_date(result.window_start)}〜{format_wareki_date(result.window_end)}の利用者がいないため就労定着率を計算できません"
            "（新規指定なら teichaku.toml に基本報酬区分を書いてください）",
        )
    pct = float(result.rate * 100)
    how = f"データから計算した就労定着率 {result.numerator}/{result.denominator}（{pct:.1f}%、{result.fiscal_year}年度末）"
    if result.projection:
        how += f"。見込みです: 年度末（{format_wareki_date(result.reference_date)}）がまだ来ていないため、今日就労している人は続くとして数えています"
    if result.tier is None or result.tier.units is None:
        how += f"。{result.band}の報酬単価は手元の資料にないため基本報酬は表示できません"
    return TierDecision(result.tier, how, result.rate, result.band, result.numerator, result.denominator, result.projection)


def check_month(office: "Office", month: date, today: date) -> MonthCheck:
    month = month.replace(day=1)
    rules = rules_for(month)
    tier = decide_tier(office, month, rules, today)
    settings = office.settings
    result = MonthCheck(month, rules, tier, A.require_unit_price(settings, month), settings.unit_price_set, today)
    from teichaku_cli.rules.declared import declared_findings

    result.office_findings += [F.reading_finding(p) for p in office.warnings_for("check")]  # in the JSON and the workbook too
    result.office_findings += declared_findings(office, month, rules, today)
    result.regime = regime_in_force(rules, settings.regime, month)
    book = office.certificates
    if not book.kept:
        result.office_findings.append(F.make("certificates-not-kept", rules.source("certificate")))
    facts = office.month_facts(month)
    meetings = meetings_of_month(office, month)
    active = office.people_in_service(month, month_end(month))
    lives = office.lives
    periods: dict[tuple[str, str], UserPeriods] = {}  # each user's periods, once per rule set
    handoffs = office.first_handoffs if any(p.needs_handoff for p in active) else {}  # the whole log is searched only if asked
    evaluated = _evaluate(facts, month, rules, active, lives, today, periods, handoffs)
    initial_due = _first_claim_months(office, month, active, lives, periods)
    unknown = sorted(
        person.user_id for person in active
        if (job := lives.of(person).job_for(month, month_end(month))) is not None and job.disclosure not in schema.DISCLOSURE
    )
    if unknown:  # no employer warnings for them: said once, not per user
        shown = "、".join(unknown[:10]) + (f" ほか{len(unknown) - 10}人" if len(unknown) > 10 else "")
        result.office_findings.append(_finding(rules, format_wareki_month(month), "employer-disclosure-unknown", count=len(unknown), ids=shown))
    label = format_wareki_month(month)
    lines_of = A.MonthLines(rules, settings.regime, month, tier.tier)
    for person, findings in evaluated:
        uid = person.user_id
        lines = lines_of(_user_additions(person, rules, meetings.get(uid), uid in initial_due))
        held = meetings.get(uid)
        if held and held.unknown:
            findings.append(
                _finding(
                    rules, label, "meeting-attendance-unknown",
                    days="、".join(format_wareki_date(d) for d in held.unknown), addition=rules.additions["meeting_with_manager"].label,
                )
            )
        if held and held.excess:
            over = dict.fromkeys("meeting_with_manager" if attended else "meeting_without_manager" for attended in held.with_manager[len(held.earned):])
            findings.append(
                _finding(
                    rules, label, "meeting-cap",
                    count=held.in_month,
                    excess=held.excess,
                    per_month=rules.limit("meeting_month_cap"),
                    per_year=rules.limit("meeting_year_cap"),
                    addition="・".join(rules.additions[key].label for key in over if key in rules.additions),  # the excess meetings' own (Ⅰ)/(Ⅱ)
                )
            )
        held = certificate_month(book, uid, month, facts.requirement_days(uid) if book.kept else ([], []), rules, settings.office_number)
        findings += held.findings
        units = sum(line.units for line in lines)
        money = A.money(units, result.unit_price, rules, book.kept, held.certificate, held.result, held.managed_here)
        base_known = tier.tier is not None and tier.tier.units is not None
        result.users.append(
            UserMonth(uid, person.name, findings, lines, base_known, money, held.certificate, held.result, held.managed_here, settings.unit_price_set)
        )
    result.users.sort(key=lambda u: u.user_id)
    return result


def _finding(rules: RuleSet, label: str, key: str, **kw: object) -> F.Finding:
    spec = F.CATALOGUE[key]
    return F.make(key, rules.source(spec.rule), month=label, **kw)


def first_blocked_month(review_due: date) -> date:
    """The first claim month an overdue plan review blocks: ``check`` refuses a
    month whose last day is after the review's deadline."""
    start = review_due.replace(day=1)
    return next_month(start) if review_due == month_end(review_due) else start


def _evaluate(
    facts: MonthFacts, month: date, rules: RuleSet, users: list[Person], lives: WorkingLives, today: date | None = None,
    periods_of: "dict[tuple[str, str], UserPeriods] | None" = None, handoffs: "dict[str, date] | None" = None,
) -> list[tuple[Person, list[F.Finding]]]:
    """Each user's findings for the month (without meeting-cap, which needs the
    units). Without ``facts.warnings`` only what can block a claim is looked at.
    Every period is the rule files' (base/dates.py); the job held in the month
    decides whether its employer is asked for."""
    last = month_end(month)
    label = format_wareki_month(month)
    warnings = facts.warnings
    review, handoff = rules.period("plan_review"), rules.period("handoff")
    evaluated = []
    for person in users:
        uid = person.user_id
        findings: list[F.Finding] = []
        life = lives.of(person)
        periods = None if periods_of is None else periods_of.get((uid, rules.id))
        if periods is None:
            periods = UserPeriods(person, rules, life.first_hire)
            if periods_of is not None:
                periods_of[(uid, rules.id)] = periods

        def add(key: str, **kw: object) -> None:
            findings.append(_finding(rules, label, key, **kw))

        served_from, served_to = periods.service_window
        # a month wholly outside the service has its own finding (before-eligibility, beyond-3-years …)
        served = served_from <= last and served_to >= month
        if uid not in facts.face:
            add("face-to-face-missing")
        elif served and not facts.face.within(uid, served_from, served_to, month):
            add("face-to-face-outside-service", served_from=format_wareki_date(served_from), served_to=format_wareki_date(served_to))
        if uid not in facts.reported:
            add("report-missing")
        elif served and not facts.reported.within(uid, served_from, served_to, month):
            add("report-outside-service", served_from=format_wareki_date(served_from), served_to=format_wareki_date(served_to))
        if warnings:
            job = life.job_for(month, last)
            if job is not None and job.open_employment:  # クローズ or unknown: the employer is not asked for
                if sharing.report_expected(job, last) and not facts.shared.with_job(uid, life, job, month, last):
                    add("employer-report-share-missing", employer=job.employer or "事業主")
                if not facts.employer.with_job(uid, life, job, month, last):
                    add("employer-contact-missing", employer=job.employer or "事業主")
        plan = facts.latest_plan.get(uid)
        if plan is None:
            add("plan-missing")
        else:
            due = review.of(plan).last
            if due < last:
                add("plan-review-overdue", plan_date=format_wareki_date(plan), due=format_wareki_date(due), review=review.label, reading=review.reading)
            elif (before := facts.previous_plan.get(uid)) is not None and (was_due := review.of(before).last) < plan:
                add(  # reviewed this month, after the deadline: the month is claimed, the lateness said
                    "plan-review-late", plan_date=format_wareki_date(plan), previous=format_wareki_date(before), due=format_wareki_date(was_due),
                    late=(plan - was_due).days, reading=review.reading, next_due=format_wareki_date(due),
                )
        if periods.started < periods.eligible_from and month < periods.eligible_from:
            add(
                "before-eligibility",
                base_label=periods.base_label, base=format_wareki_date(periods.base), eligible=format_wareki_date(periods.eligible_from),
                wait=rules.period("eligibility").label, ends=format_wareki_date(periods.eligibility.last),
            )
        if month > periods.last_use_day:
            add("beyond-3-years", start=format_wareki_date(periods.started), last=format_wareki_date(periods.last_use_day), use=rules.period("use").label)
        if month > periods.last_hire_day:
            add("beyond-3y6m", base_label=periods.base_label, base=format_wareki_date(periods.base), last=format_wareki_date(periods.last_hire_day), limit=rules.period("hire_limit").label)
        status = employment_on(life, last, periods.started, rules, format_wareki_date, today)
        if not status.employed and status.left_on is not None:
            if status.left_on < month:
                add("left-job", left=format_wareki_date(status.left_on), why=status.reason)
            else:
                add("left-job-in-month", left=format_wareki_date(status.left_on), why=status.reason)
        if uid in facts.subsidised:
            add("job-coach-subsidy-month")
        if warnings and person.needs_handoff:
            end = periods.planned_end
            deadline = periods.handoff_deadline(rules)
            shown_from = handoff.of(deadline).day_before
            done = (handoffs or {}).get(uid)
            if (done is None or done > deadline) and last >= shown_from:
                if done is None:
                    overdue = handoff_risk(rules, last > deadline)
                else:  # done, but late: say so, and what it may still cost; asking again would be wrong
                    overdue = f"引継ぎは{format_wareki_date(done)}に記録されていますが、期限より後です。" + handoff_reduction_risk(rules)
                add(
                    "handoff-due",
                    end=format_wareki_date(end), deadline=format_wareki_date(deadline), before=handoff.label,
                    overdue=overdue, reading=handoff.reading,
                )
        evaluated.append((person, findings))
    return evaluated


def handoff_reduction_risk(rules: RuleSet) -> str:
    """What a late handoff may cost: from R6 the whole office's 支援体制構築未実施減算;
    R3 had no such reduction (then: nothing to say)."""
    cut = rules.reductions.get("reduction_no_handoff_system")
    if cut is None:
        return ""
    return f"事業所全体が{cut.label}（基本報酬の{cut.amount}%減）の対象になるおそれがあります。"


def handoff_risk(rules: RuleSet, past: bool) -> str:
    """What to say of a handoff not on record: past its deadline or not yet."""
    risk = handoff_reduction_risk(rules)
    if not risk:
        return "期限を過ぎています。できるだけ早く引き継いでください。" if past else ""
    return ("期限を過ぎています。" if past else "期限を過ぎると、") + risk


def _first_claim_months(office: "Office", month: date, users: list[Person], lives: WorkingLives, periods: "dict | None" = None) -> set[str]:
    """The users for whom ``month`` is the first month that can be claimed since
    their service began, among those who came from a sending office not run
    together with this one: 初期加算 is paid once, in the first claimed month. A
    blocked month claims nothing, so the add-on moves on to the next month that
    can be claimed (here: no earlier month of theirs was free of errors). A month
    of their own that is blocked still shows it, as the worth of fixing it.

    Earlier months are decided by the same ``_evaluate``; their facts come from
    one pass over these users' rows instead of filtering the tables per month."""
    from bisect import bisect_right

    candidates: dict[str, date] = {}
    for person in users:
        if person.integrated is False:
            started = person.started.replace(day=1)
            try:
                if "initial" in rules_for(started).additions:  # the add-on exists since R3
                    candidates[person.user_id] = started
            except RulesUnavailable:
                continue
    due = set(candidates)
    pending = {uid: started for uid, started in candidates.items() if started < month}
    if not pending:
        return due
    # Only what the data covers can be known: when the office's log begins after a
    # user's start, whether the add-on was already claimed is unknown, and it is
    # not offered again (a second 初期加算 would be a wrong claim).
    contacts, reports = office.contacts, office.table(schema.REPORTS.name)
    logged = contacts[C.DATE].min()
    covered_from = logged.date().replace(day=1) if logged == logged else month
    for uid, started in list(pending.items()):
        if started < covered_from:
            due.discard(uid)
            del pending[uid]
    ids = set(pending)

    def by_month(frame, column: str) -> dict[date, dict[str, list[date]]]:
        frame = frame[frame[C.USER_ID].isin(ids) & frame[column].notna()]
        stamps = frame[column].to_numpy(dtype="datetime64[D]")
        found: dict[date, dict[str, list[date]]] = {}  # dates and months made by numpy, not per row
        for uid, day, first in zip(frame[C.USER_ID].tolist(), stamps.tolist(), stamps.astype("datetime64[M]").astype("datetime64[D]").tolist()):
            found.setdefault(first, {}).setdefault(uid, []).append(day)
        return found

    contacts = contacts[contacts[C.USER_ID].isin(ids)]  # these users' rows first: the log is the big table
    face = by_month(face_to_face(contacts), C.DATE)  # the same rows as every month's facts, for all months at once
    reported = by_month(reports, C.GIVEN_ON)
    subsidised = by_month(office.table(schema.SUBSIDIES.name), C.MONTH)
    plans = office.table(schema.PLANS.name)
    plans = plans[plans[C.USER_ID].isin(ids)].sort_values(C.MADE_ON)
    plan_days: dict[str, list[date]] = {}
    for uid, day in zip(plans[C.USER_ID], plans[C.MADE_ON].dt.to_pydatetime()):
        plan_days.setdefault(uid, []).append(day.date())
    person_of = {person.user_id: person for person in users if person.user_id in ids}

    m = min(pending.values(), default=month)
    while m < month and pending:
        last = month_end(m)
        waiting = [person_of[uid] for uid, started in pending.items() if started <= m]
        latest = {}
        for person in waiting:
            days = plan_days.get(person.user_id, [])
            at = bisect_right(days, last)
            if at:
                latest[person.user_id] = days[at - 1]
        facts = MonthFacts(m, Requirement(face.get(m, {})), Requirement(reported.get(m, {})), latest, set(subsidised.get(m, {})))
        for person, findings in _evaluate(facts, m, rules_for(m), waiting, lives, periods_of=periods):
            if not any(f.severity == F.ERROR for f in findings):  # claimed then: the add-on went with it
                due.discard(person.user_id)
                pending.pop(person.user_id)
        m = next_month(m)
    return due


@dataclass
class _Meetings:
    in_month: int
    before_in_year: int
    with_manager: list[bool]  # per meeting in the month, in date order
    month_cap: int
    year_cap: int
    unknown: list[date] = field(default_factory=list)  # meetings whose サービス管理責任者参加 is blank
    days: list[date] = field(default_factory=list)  # the day of each meeting in ``with_manager``

    @property
    def earned(self) -> list[bool]:
        room = max(0, min(self.month_cap, self.year_cap - self.before_in_year))
        return self.with_manager[:room]

    @property
    def earned_days(self) -> list[tuple[date, bool]]:
        """The meetings that earn their 加算, in date order: (day, with the サービス管理責任者)."""
        return list(zip(self.days, self.earned))

    @property
    def excess(self) -> int:
        return self.in_month - len(self.earned)


def meetings_of_month(office: "Office", month: date) -> dict[str, _Meetings]:
    """Meetings of the month per user that can earn 地域連携会議実施加算, with how
    many the fiscal year already earned (at most one a month), grouped once over
    the table. R6 pays (I) with the サービス管理責任者 and (II) without; R3 paid only
    with them. A blank サービス管理責任者参加 earns neither: (II) needs a 支援員 who
    attended without the manager and shared the result with them, which a blank
    does not say. Such meetings are listed per user (``unknown``) to be filled in."""
    import pandas as pd

    rules = rules_for(month)
    meetings = office.table(schema.MEETINGS.name)
    if meetings.empty:
        return {}
    fy_start = pd.Timestamp(fiscal_year_start(fiscal_year(month)))
    first, last = pd.Timestamp(month), pd.Timestamp(month_end(month))
    in_month = meetings[(meetings[C.DATE] >= first) & (meetings[C.DATE] <= last)]
    # masks as Series on the frame's index: a plain list that happens to be empty selects columns, not rows
    blank = in_month[pd.Series([not isinstance(v, bool) for v in in_month[C.MANAGER_ATTENDED]], index=in_month.index, dtype=bool)]
    unknown: dict[str, list[date]] = {}
    for uid, day in zip(blank[C.USER_ID], blank[C.DATE].dt.to_pydatetime().tolist()):
        unknown.setdefault(uid, []).append(day.date())
    from teichaku_cli.rules.additions import paid_meetings

    counts = paid_meetings(rules)  # the meetings some 加算 of the revision pays (R3: only with the manager)
    meetings = meetings[pd.Series([isinstance(v, bool) and v in counts for v in meetings[C.MANAGER_ATTENDED]], index=meetings.index, dtype=bool)]
    dates = meetings[C.DATE]
    current = meetings[(dates >= first) & (dates <= last)].sort_values(C.DATE)
    if current.empty:
        return {uid: _Meetings(0, 0, [], 0, 0, days) for uid, days in unknown.items()}
    month_cap, year_cap = rules.limit("meeting_month_cap"), rules.limit("meeting_year_cap")
    earlier = meetings[(dates >= fy_start) & (dates < first)]
    per_month = earlier.groupby([earlier[C.USER_ID], earlier[C.DATE].dt.month]).size().clip(upper=month_cap)
    before = per_month.groupby(level=0).sum().to_dict()
    with_manager: dict[str, list[bool]] = {}
    held_on: dict[str, list[date]] = {}
    for uid, attended, day in zip(current[C.USER_ID], current[C.MANAGER_ATTENDED], current[C.DATE].to_numpy(dtype="datetime64[D]").tolist()):
        with_manager.setdefault(uid, []).append(attended is True)
        held_on.setdefault(uid, []).append(day)
    found = {
        uid: _Meetings(len(flags), int(before.get(uid, 0)), flags, month_cap, year_cap, unknown.get(uid, []), held_on[uid])
        for uid, flags in with_manager.items()
    }
    for uid, days in unknown.items():
        found.setdefault(uid, _Meetings(0, 0, [], month_cap, year_cap, days))
    return found


def regime_in_force(rules: RuleSet, regime, month: date) -> list[str]:
    """The office's 体制 that this month's amounts use, as staff read them."""
    shown = [v.label for key, v in rules.additions.items() if regime.on(key, month)]
    shown += [f"{v.label}（{v.amount}%）" for key, v in rules.reductions.items() if regime.on(key, month)]
    held = regime.treatment_on(month)
    if held is not None:
        shown.append(f"処遇改善加算（{held.grade}、{held.written}）")
    return shown


def _user_additions(person: Person, rules: RuleSet, meetings: _Meetings | None, initial: bool) -> list[str]:
    """The keys of the user's own 加算 this month (the office's come from its 体制):
    each user-level 加算 of the revision, as often as its condition says (rules/additions.py)."""
    from teichaku_cli.rules.additions import UserMonthFacts, user_additions

    facts = UserMonthFacts(initial, bool(person.special_area), tuple(meetings.earned) if meetings else ())
    return user_additions(rules, facts)


ESTIMATE_NOTE = "金額は見込みです。請求の結果は国保連の審査で決まります。"
NO_MUNICIPALITY = "（市町村番号なし）"


@dataclass
class Totals:
    """Sums over some user-months. A 利用者負担 or 給付費 total is None when any of its
    user-months is unknown: a partial sum is never shown as a total."""

    users: int = 0
    units: int = 0
    total_cost: int = 0
    burden: int | None = 0
    benefit: int | None = 0

    def add(self, user: UserMonth) -> None:
        money = user.money
        self.users += 1
        self.units += user.units
        self.total_cost += money.total_cost
        self.burden = None if self.burden is None or money.burden is None else self.burden + money.burden
        self.benefit = None if self.benefit is None or money.benefit is None else self.benefit + money.benefit

    def as_dict(self) -> dict:
        return {"users": self.users, "units": self.units, "total_cost": self.total_cost, "user_burden": self.burden, "benefit": self.benefit}


def totals(users: list[UserMonth]) -> Totals:
    found = Totals()
    for user in users:
        found.add(user)
    return found


def municipality_of(user: UserMonth) -> str:
    return (user.certificate.municipality if user.certificate else None) or NO_MUNICIPALITY


def by_municipality(check: MonthCheck) -> dict[str, Totals]:
    """Claimable user-months summed per 市町村番号 (claims are made per 市町村)."""
    found: dict[str, Totals] = {}
    for user in sorted((u for u in check.users if u.claimable), key=municipality_of):
        found.setdefault(municipality_of(user), Totals()).add(user)
    return found


def as_dict(check: MonthCheck) -> dict:
    """The JSON contract of ``teichaku check --json`` (docs/check.md)."""
    users = []
    for u in check.users:
        money, cert = u.money, u.certificate
        users.append(
            {
                "user_id": u.user_id,
                "name": u.name,
                "claimable": u.claimable,
                "state": u.state,
                "findings": [f.as_dict() for f in u.findings],
                "units": {
                    "total": u.units,
                    "base_known": u.base_known,
                    "lines": [{"key": l.key, "label": l.label, "units": l.units, "source": l.source} for l in u.lines],
                },
                "amounts": {
                    "total_cost": money.total_cost,
                    "user_burden": money.burden,
                    "benefit": money.benefit,
                    "user_burden_how": money.how,
                    "certificate": None
                    if cert is None
                    else {
                        "number": cert.number,
                        "municipality": cert.municipality,
                        "start": cert.start.isoformat(),
                        "end": cert.end.isoformat(),
                        "cap": cert.cap,
                        "cap_manager": cert.cap_manager,
                    },
                    "cap_managed_here": u.cap_managed_here,
                    "cap_result": None if u.cap_result is None else {"result": u.cap_result.result, "amount": u.cap_result.amount},
                },
            }
        )
    claimable, blocked, unconfirmed = (check.users_in(state) for state in (CLAIMABLE, BLOCKED, UNCONFIRMED))
    tier = check.tier
    every = [f for u in check.users for f in u.findings] + check.office_findings
    claimed, held = totals(claimable), totals(blocked)
    return {
        "month": check.month.strftime("%Y-%m"),
        "rules_version": check.rules.id,
        "rules_name": check.rules.name,
        "month_status": check.month_status,
        "month_note": check.month_note,
        "tier": {
            "label": tier.tier.label if tier.tier else None,
            "units": tier.tier.units if tier.tier else None,
            "how": tier.how,
            "rate": str(tier.rate) if tier.rate is not None else None,
            "numerator": tier.numerator,
            "denominator": tier.denominator,
            "projection": tier.projection,
        },
        "unit_price": float(check.unit_price),
        "office_regime": check.regime,
        "estimate_note": ESTIMATE_NOTE,
        "unconfirmed_reasons": [{"reason": reason, "fix": fix} for reason, fix in check.unconfirmed_reasons],
        "office_findings": [f.as_dict() for f in check.office_findings],
        "users": users,
        "summary": {
            "users": len(check.users),
            "claimable": len(claimable),
            "blocked": len(blocked),
            "unconfirmed": len(unconfirmed),
            "errors": sum(f.severity == F.ERROR for f in every),
            "warnings": sum(f.severity == F.WARNING for f in every),
            "notes": sum(f.severity == F.NOTE for f in every),
            "units_claimable": claimed.units,
            "total_cost_claimable": claimed.total_cost,
            "user_burden_claimable": claimed.burden,
            "benefit_claimable": claimed.benefit,
            "units_blocked": held.units,
            "total_cost_blocked": held.total_cost,
            "user_burden_blocked": held.burden,
            "benefit_blocked": held.benefit,
            "by_municipality": [{"municipality": m, **t.as_dict()} for m, t in by_municipality(check).items()],
        },
    }
