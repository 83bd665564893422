"""`teichaku due`: what is late, then the dates coming up per user, soonest first —
the list a サービス管理責任者 opens on Monday morning.

Last month comes first, all through the month after it (the month it is claimed
in, by the 10th): each user-month that ``check`` finds 請求不可 for a missing 対面,
支援レポート or plan or an overdue review — asked of check's own code, so the two
never disagree — with what a record of support that really happened may still
fix, and whether the claim can still be made by the 10th or goes 月遅れ.
Then what is late, whatever the window: a plan review already overdue (``check``
refuses the claim from its month), a handoff deadline passed (or a handoff
recorded after it), a 3年 / 3年6か月 limit passed while the service goes on, a
user with no plan at all, a lapsed 受給者証 (a cause shown under last month is
not said again). Then this month's two requirements still missing (対面 or テレビ電話
with the user, a 支援レポート handed over: due by the month's end), and the dates
ahead within the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from teichaku_cli.model import schema
from teichaku_cli.model.rows import as_date
from teichaku_cli.base.dates import format_wareki_date, format_wareki_month
from teichaku_cli.base.dates import ONE_DAY, month_end, months_from, previous_month
from teichaku_cli.rules.certificates import certificate_deadlines
from teichaku_cli.rules.employment import employment_on
from teichaku_cli.rules.periods import UserPeriods
from teichaku_cli.model.rulebook import rules_for
from teichaku_cli.model.schema import C

if TYPE_CHECKING:
    from teichaku_cli.model.office import Office


@dataclass(frozen=True)
class Deadline:
    day: date
    user_id: str
    name: str
    kind: str  # stable key for JSON
    label: str  # Japanese, for people
    source: str
    days: int  # from today to ``day``: negative when it has passed
    overdue: bool = False  # passed, and nothing on record settles it
    month: date | None = None  # last month's items: the service month they are about

    @property
    def this_month(self) -> bool:
        return self.kind in THIS_MONTH

    @property
    def last_month(self) -> bool:
        return self.kind in LAST_MONTH

    @property
    def days_left(self) -> int | None:
        """Days to ``day``; for last month's items, to the claim deadline while it is ahead."""
        if self.overdue or (self.last_month and self.days < 0):
            return None
        return self.days

    def state(self) -> str:
        """How staff read where it stands: 先月分（令和8年11月）, 期限切れ（8日超過）, 今月まだ（あと2日）, あと5日, 今日まで."""
        if self.last_month:
            return f"先月分（{format_wareki_month(self.month)}）"
        if self.overdue:
            return f"期限切れ（{-self.days}日超過）"
        left = "今日まで" if self.days == 0 else f"あと{self.days}日"
        return f"今月まだ（{left}）" if self.this_month else left

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "user_id": self.user_id,
            "name": self.name,
            "kind": self.kind,
            "label": self.label,
            "source": self.source,
            "overdue": self.overdue,
            "days_left": self.days_left,
            "days_late": -self.days if self.overdue else None,
            "month": self.month.strftime("%Y-%m") if self.month else None,
            "state": self.state(),
        }


THIS_MONTH = ("face-to-face-this-month", "report-this-month", "plan-this-month")
# last month's user-months check finds 請求不可, per cause: check's finding code → due's kind
LAST_MONTH_CAUSES = {
    "face-to-face-missing": "face-to-face-last-month",
    "report-missing": "report-last-month",
    "plan-missing": "plan-last-month",
    "plan-review-overdue": "plan-review-last-month",
}
LAST_MONTH = tuple(LAST_MONTH_CAUSES.values())


@dataclass
class DueList:
    """What ``due`` shows: last month's misses, the late items (any date), then the window's."""

    today: date
    within_months: int
    until: date  # the window's last day
    overdue: list[Deadline] = field(default_factory=list)
    coming: list[Deadline] = field(default_factory=list)
    last_month: list[Deadline] = field(default_factory=list)
    previous_month: date | None = None  # the service month claimed this month
    claim_deadline: date | None = None  # its claim's last day (the 10th of this month)
    previous_month_note: str | None = None  # why last month could not be asked (said, never silently left out)

    @property
    def items(self) -> list[Deadline]:
        return self.last_month + self.overdue + self.coming

    @property
    def claim_situation(self) -> str:
        """Until the 10th, the claim deadline; after it, that the month goes 月遅れ."""
        if self.claim_deadline is None:
            return ""
        left = (self.claim_deadline - self.today).days
        if left > 0:
            return f"請求は{format_wareki_date(self.claim_deadline)}まで（あと{left}日）"
        if left == 0:
            return f"請求は今日（{format_wareki_date(self.claim_deadline)}）まで"
        return f"{format_wareki_date(self.claim_deadline)}の請求は過ぎました。記録を入力すれば月遅れで請求できます"

    def as_dict(self) -> dict[str, object]:
        """The JSON contract of ``teichaku due --json`` (every item in ``deadlines``: last month's, late, then coming)."""
        return {
            "today": self.today.isoformat(),
            "within_months": self.within_months,
            "until": self.until.isoformat(),
            "last_month": self.previous_month.strftime("%Y-%m") if self.previous_month else None,
            "claim_deadline": self.claim_deadline.isoformat() if self.claim_deadline else None,
            "claim_situation": self.claim_situation or None,
            "last_month_note": self.previous_month_note,
            "last_month_count": len(self.last_month),
            "overdue_count": len(self.overdue),
            "coming_count": len(self.coming),
            "deadlines": [d.as_dict() for d in self.items],
        }


def _last_month(office: "Office", today: date, found: DueList) -> set[tuple[str, str]]:
    """Last month's user-months that ``check`` finds 請求不可 for a missing 対面, 支援レポート
    or plan, or an overdue review: listed first, all through this month (the month
    they are claimed in). Asked of check's own ``check_month`` so the two never
    disagree. Returns the (user, cause) pairs shown, which 期限切れ does not repeat."""
    import pandas as pd

    from teichaku_cli.base.errors import TeichakuError
    from teichaku_cli.model.rulebook import RulesUnavailable
    from teichaku_cli.rules.monthly import check_month, first_blocked_month

    month = previous_month(today)
    found.previous_month = month
    try:
        checked = check_month(office, month, today)
    except RulesUnavailable:  # before the first rule set: no claim to make
        found.previous_month = None
        return set()
    except TeichakuError as exc:  # what stops check for that month stops this part only, and is said
        found.previous_month_note = f"{format_wareki_month(month)}分は確かめられませんでした: {exc.message}" + (f" → {exc.fix}" if exc.fix else "")
        return set()
    rules = checked.rules
    deadline = month_end(today).replace(day=1) + (rules.limit("claim_deadline_day") - 1) * ONE_DAY
    found.claim_deadline = deadline
    short = f"{month.month}月"
    review = rules.period("plan_review")
    plans = office.table(schema.PLANS.name)
    shown: set[tuple[str, str]] = set()
    for user in checked.users:
        for f in user.findings:
            kind = LAST_MONTH_CAUSES.get(f.code)
            if kind is None:
                continue
            # the state says the month (先月分（令和8年11月）): the label says what is missing, what
            # a record of support that really happened may still fix, and what happens otherwise
            if kind == "face-to-face-last-month":
                what = "本人との対面・テレビ電話の支援の記録がありません → 支援していれば実際の日付で支援記録に入力"
            elif kind == "report-last-month":
                what = "支援レポートを本人に渡した記録がありません → 渡していれば本人提供日を入力"
            elif kind == "plan-last-month":
                what = f"{short}末までに作成した支援計画がありません → 作成していれば作成日とともに支援計画シートに入力"
            else:
                made = plans.loc[(plans[C.USER_ID] == user.user_id) & (plans[C.MADE_ON] <= pd.Timestamp(month_end(month))), C.MADE_ON].max()
                plan = as_date(made)
                due = review.of(plan).last if plan else None
                since = first_blocked_month(due) if due else month
                when = f"（{format_wareki_date(plan)}作成、期限 {format_wareki_date(due)}。{format_wareki_month(since)}分から請求できません）" if plan else ""
                what = f"支援計画の見直し期限切れ{when} → {short}末までに見直していれば、その計画を支援計画シートに入力"
            shown.add((user.user_id, kind))
            found.last_month.append(Deadline(
                deadline, user.user_id, user.name, kind,
                f"{what}、なければ{short}分は請求できません", f.source, (deadline - today).days, month=month,
            ))
    return shown


def upcoming(office: "Office", today: date, within_months: int) -> DueList:
    """Late items, then dates from today to the same day ``within_months`` months
    later (the next day being day 1 of those months, as 民法140条本文 counts from a
    moment in a day)."""
    from teichaku_cli.rules.monthly import first_blocked_month, handoff_reduction_risk, handoff_risk

    rules = rules_for(today)
    horizon = months_from(today + ONE_DAY, within_months).last
    this_month, this_month_end = today.replace(day=1), month_end(today)
    month_label = format_wareki_month(today)
    plans = office.table(schema.PLANS.name)
    latest_plan = plans.groupby(C.USER_ID)[C.MADE_ON].max().to_dict()
    handed_over = office.first_handoffs
    facts = office.month_facts(this_month)  # the same facts check judges this month by
    face, reported = facts.face, facts.reported
    lives = office.lives
    review, handoff, job_change = rules.period("plan_review"), rules.period("handoff"), rules.period("job_change")
    found = DueList(today, within_months, horizon)
    shown_last_month = _last_month(office, today, found)
    for person in office.people:
        finished = person.finished
        if finished is not None and finished < today:
            continue
        life = lives.of(person)
        if life.first_hire is None:
            continue
        periods = UserPeriods(person, rules, life.first_hire)
        uid, name = person.user_id, person.name

        def add(day: date | None, kind: str, label: str, rule: str) -> None:
            if day is not None and today <= day <= horizon:
                found.coming.append(Deadline(day, uid, name, kind, label, rules.source(rule), (day - today).days))

        def late(day: date, kind: str, label: str, rule: str, shown_as: str = "") -> None:
            if (uid, shown_as) in shown_last_month:  # said under 先月分, with what to do about it
                return
            found.overdue.append(Deadline(day, uid, name, kind, label, rules.source(rule), (day - today).days, overdue=True))

        def served_after(day: date) -> bool:
            return finished is None or finished > day

        add(periods.eligible_from, "eligible-from", f"利用できる最初の日（{periods.base_label}を1日目とする{rules.period('eligibility').label}の翌日）", "eligibility")

        served_from, served_to = periods.service_window
        if served_from <= this_month_end and this_month <= served_to:  # in service this month: its two requirements, met inside the service
            by = min(this_month_end, served_to)
            ending = "" if by == this_month_end else f"（利用は{format_wareki_date(by)}まで。その日までに）"
            if not face.within(uid, served_from, served_to, this_month):
                add(by, "face-to-face-this-month", f"本人との対面・テレビ電話の支援がまだありません{ending}", "face_to_face_per_month")
            if not reported.within(uid, served_from, served_to, this_month):
                add(by, "report-this-month", f"支援レポートの本人提供がまだありません{ending}", "report_per_month")

        plan = as_date(latest_plan.get(uid))
        if plan is None:
            if periods.started > this_month_end:
                pass  # starts later: nothing is due yet
            elif periods.started >= this_month:  # started this month: the plan is due by its end
                add(this_month_end, "plan-this-month", f"支援計画がまだありません（{month_label}末までに作成）", "plan_review")
            elif periods.started <= today:
                blocked = month_end(periods.started)
                late(blocked, "plan-missing", f"支援計画がありません（利用開始 {format_wareki_date(periods.started)}。{format_wareki_month(blocked)}分から請求できません）", "plan_review", "plan-last-month")
        else:
            due = review.of(plan).last
            if due < today:
                blocked = first_blocked_month(due)
                cost = (  # as check decides: a review before the end of the first blocked month still saves it
                    f"{format_wareki_month(blocked)}末までに見直さないと{format_wareki_month(blocked)}分から請求できません"
                    if blocked >= this_month else f"{format_wareki_month(blocked)}分から請求できません"
                )
                late(due, "plan-review", f"支援計画の見直し期限切れ（{format_wareki_date(plan)}作成、{review.reading}。{cost}）", "plan_review", "plan-review-last-month")
            else:
                add(due, "plan-review", f"支援計画の見直し期限（{format_wareki_date(plan)}作成、{review.reading}）", "plan_review")

        for day, kind, what, rule in (
            (periods.last_use_day, "use-limit", f"利用期間{rules.period('use').label}の最終日", "use"),
            (periods.last_hire_day, "hire-limit", f"{periods.base_label}から{rules.period('hire_limit').label}の最終日", "hire_limit"),
        ):
            if day < today and served_after(day):
                late(day, kind, f"{what}を過ぎています（{format_wareki_date(day)}。この後の月は請求できません。利用終了日を入力してください）", rule)
            else:
                add(day, kind, what, rule)

        if person.needs_handoff:
            deadline = periods.handoff_deadline(rules)
            done = handed_over.get(uid)
            if deadline < today:
                if done is None:
                    late(deadline, "handoff", f"関係機関への引継ぎ期限切れ（終了（{format_wareki_date(periods.planned_end)}）の{handoff.label}前、{handoff.reading}）。{handoff_risk(rules, True)}", "handoff")
                elif done > deadline:
                    late(deadline, "handoff-late", f"引継ぎを期限後に記録（{format_wareki_date(done)}。期限 {format_wareki_date(deadline)}、終了の{handoff.label}前）。{handoff_reduction_risk(rules)}", "handoff")
            elif done is None or done > deadline:  # a handoff on record by the deadline: nothing left to do
                add(deadline, "handoff", f"関係機関への引継ぎ期限（終了の{handoff.label}前、{handoff.reading}）", "handoff")

        status = employment_on(life, today, periods.started, rules)
        if not status.employed and status.rehire_by is not None:  # just left: how long a re-employment still counts
            add(status.rehire_by, "rehire-window", f"この日までに再就職すれば転職として就労継続（{format_wareki_date(status.left_on)}離職、{job_change.reading}）", "job_change")
        add(finished, "planned-end", "利用終了日", "use")

    source = rules.source("certificate")
    for day, uid, name, kind, label in certificate_deadlines(office, today, horizon):
        item = Deadline(day, uid, name, kind, label, source, (day - today).days, overdue=day < today)
        (found.overdue if item.overdue else found.coming).append(item)
    found.overdue.sort(key=lambda d: (d.day, d.user_id, d.kind))  # the longest late first
    found.coming.sort(key=lambda d: (not d.this_month, d.day, d.user_id, d.kind))  # this month's two requirements, then what comes
    return found
