"""`teichaku due`: what is late, then the dates coming up per user, soonest first —
the list a サービス管理責任者 opens on Monday morning.

Late comes first, whatever the window: a plan review already overdue (``check``
refuses the claim from its month), a handoff deadline passed (or a handoff
recorded after it), a 3年 / 3年6か月 limit passed while the service goes on, a
user with no plan at all, a lapsed 受給者証. Then, within the window, this month's
two requirements still missing (対面 or テレビ電話 with the user, a 支援レポート
handed over: due by the month's end), and the dates ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from teichaku_cli.model import schema
from teichaku_cli.model.rows import as_date
from teichaku_cli.base.dates import format_wareki_date, format_wareki_month
from teichaku_cli.base.dates import ONE_DAY, month_end, months_from
from teichaku_cli.rules.certificates import certificate_deadlines
from teichaku_cli.rules.employment import employment_on
from teichaku_cli.rules.periods import UserPeriods
from teichaku_cli.model.rulebook import rules_for

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

    @property
    def this_month(self) -> bool:
        return self.kind in THIS_MONTH

    def state(self) -> str:
        """How staff read where it stands: 期限切れ（8日超過）, 今月まだ（あと2日）, あと5日, 今日."""
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
            "days_left": None if self.overdue else self.days,
            "days_late": -self.days if self.overdue else None,
            "state": self.state(),
        }


THIS_MONTH = ("face-to-face-this-month", "report-this-month", "plan-this-month")


@dataclass
class DueList:
    """What ``due`` shows: the late items (any date), then the window's."""

    today: date
    within_months: int
    until: date  # the window's last day
    overdue: list[Deadline] = field(default_factory=list)
    coming: list[Deadline] = field(default_factory=list)

    @property
    def items(self) -> list[Deadline]:
        return self.overdue + self.coming

    def as_dict(self) -> dict[str, object]:
        """The JSON contract of ``teichaku due --json`` (every item in ``deadlines``, late ones first)."""
        return {
            "today": self.today.isoformat(),
            "within_months": self.within_months,
            "until": self.until.isoformat(),
            "overdue_count": len(self.overdue),
            "coming_count": len(self.coming),
            "deadlines": [d.as_dict() for d in self.items],
        }


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
    latest_plan = plans.groupby("利用者ID")["作成日"].max().to_dict()
    handed_over = office.first_handoffs
    facts = office.month_facts(this_month)  # the same facts check judges this month by
    face, reported = facts.face, facts.reported
    lives = office.lives
    review, handoff, job_change = rules.period("plan_review"), rules.period("handoff"), rules.period("job_change")
    found = DueList(today, within_months, horizon)
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

        def late(day: date, kind: str, label: str, rule: str) -> None:
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
                late(blocked, "plan-missing", f"支援計画がありません（利用開始 {format_wareki_date(periods.started)}。{format_wareki_month(blocked)}分から請求できません）", "plan_review")
        else:
            due = review.of(plan).last
            if due < today:
                blocked = first_blocked_month(due)
                cost = (  # as check decides: a review before the end of the first blocked month still saves it
                    f"{format_wareki_month(blocked)}末までに見直さないと{format_wareki_month(blocked)}分から請求できません"
                    if blocked >= this_month else f"{format_wareki_month(blocked)}分から請求できません"
                )
                late(due, "plan-review", f"支援計画の見直し期限切れ（{format_wareki_date(plan)}作成、{review.reading}。{cost}）", "plan_review")
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
    found.coming.sort(key=lambda d: (d.day, d.user_id, d.kind))
    return found
