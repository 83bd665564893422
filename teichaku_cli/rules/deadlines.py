"""`teichaku due`: the dates coming up per user, soonest first — the list a
サービス管理責任者 opens on Monday morning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from teichaku_cli.office import schema
from teichaku_cli.office.rows import as_date, records
from teichaku_cli.rules.calendar import ONE_DAY, months_from
from teichaku_cli.rules.employment import employment_on
from teichaku_cli.rules.periods import UserPeriods, first_handoffs
from teichaku_cli.rules.ruleset import rules_for

if TYPE_CHECKING:
    from teichaku_cli.office.load import Office


@dataclass(frozen=True)
class Deadline:
    day: date
    user_id: str
    name: str
    kind: str  # stable key for JSON
    label: str  # Japanese, for people
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"date": self.day.isoformat(), "user_id": self.user_id, "name": self.name, "kind": self.kind, "label": self.label, "source": self.source}


def upcoming(office: "Office", today: date, within_months: int) -> list[Deadline]:
    """Dates from today to the same day ``within_months`` months later (the next
    day being day 1 of those months, as 民法140条本文 counts from a moment in a day)."""
    rules = rules_for(today)
    horizon = months_from(today + ONE_DAY, within_months).last
    plans = office.table(schema.PLANS.name)
    latest_plan = plans.groupby("利用者ID")["作成日"].max().to_dict()
    handed_over = first_handoffs(office.contacts)
    lives = office.lives
    review, handoff, job_change = rules.period("plan_review"), rules.period("handoff"), rules.period("job_change")
    found: list[Deadline] = []
    for values in records(office.users):
        finished = as_date(values["利用終了日"])
        if finished is not None and finished < today:
            continue
        life = lives.of(values)
        if life.first_hire is None:
            continue
        periods = UserPeriods(values, rules, life.first_hire)
        uid, name = values["利用者ID"], values["氏名"]

        def add(day: date | None, kind: str, label: str, rule: str) -> None:
            if day is not None and today <= day <= horizon:
                found.append(Deadline(day, uid, name, kind, label, rules.source(rule)))

        add(periods.eligible_from, "eligible-from", f"利用できる最初の日（{periods.base_label}を1日目とする{rules.period('eligibility').label}の翌日）", "eligibility")
        plan = as_date(latest_plan.get(uid))
        if plan is not None:
            add(review.of(plan).last, "plan-review", f"支援計画の見直し期限（{plan}作成、{review.reading}）", "plan_review")
        add(periods.last_use_day, "use-limit", f"利用期間{rules.period('use').label}の最終日", "use")
        add(periods.last_hire_day, "hire-limit", f"{periods.base_label}から{rules.period('hire_limit').label}の最終日", "hire_limit")
        if values["要継続支援"]:
            deadline = periods.handoff_deadline(rules)
            done = handed_over.get(uid)
            if done is None or done > deadline:  # a handoff on record by the deadline: nothing left to do
                add(deadline, "handoff", f"関係機関への引継ぎ期限（終了の{handoff.label}前、{handoff.reading}）", "handoff")
        status = employment_on(life, today, periods.started, rules)
        if not status.employed and status.rehire_by is not None:  # just left: how long a re-employment still counts
            add(status.rehire_by, "rehire-window", f"この日までに再就職すれば転職として就労継続（{status.left_on}離職、{job_change.reading}）", "job_change")
        add(finished, "planned-end", "利用終了日", "use")
    return sorted(found, key=lambda d: (d.day, d.user_id, d.kind))
