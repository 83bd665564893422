"""`teichaku due`: the dates coming up per user, soonest first — the list a
サービス管理責任者 opens on Monday morning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from teichaku_cli.office import schema
from teichaku_cli.rules.certificates import certificate_deadlines
from teichaku_cli.rules.dates import add_months, span_label
from teichaku_cli.rules.periods import UserPeriods, as_date, first_handoffs, records
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
    rules = rules_for(today)
    horizon = add_months(today, within_months)
    plans = office.table(schema.PLANS.name)
    latest_plan = plans.groupby("利用者ID")["作成日"].max().to_dict()
    handed_over = first_handoffs(office.contacts)
    found: list[Deadline] = []
    for values in records(office.users):
        finished = as_date(values["利用終了日"])
        if finished is not None and finished < today:
            continue
        periods = UserPeriods(values, rules)
        uid, name = values["利用者ID"], values["氏名"]

        def add(day: date | None, kind: str, label: str, rule: str) -> None:
            if day is not None and today <= day <= horizon:
                found.append(Deadline(day, uid, name, kind, label, rules.source(rule)))

        add(periods.eligible_from, "eligible-from", f"利用できる最初の日（{periods.base_label}から{span_label(rules.limit('eligibility_months'))}）", "eligibility_months")
        plan = as_date(latest_plan.get(uid))
        if plan is not None:
            add(add_months(plan, rules.limit("plan_review_months")), "plan-review", f"支援計画の見直し期限（{plan}作成から{span_label(rules.limit('plan_review_months'))}）", "plan_review_months")
        add(periods.last_use_day, "use-limit", f"利用期間{span_label(rules.limit('use_months'))}の最終日", "use_months")
        add(periods.last_hire_day, "hire-limit", f"{periods.base_label}から{span_label(rules.limit('hire_limit_months'))}の最終日", "hire_limit_months")
        if values["要継続支援"]:
            deadline = add_months(periods.planned_end, -rules.limit("handoff_months_before_end"))
            done = handed_over.get(uid)
            if done is None or done > deadline:  # a handoff on record by the deadline: nothing left to do
                add(deadline, "handoff", f"関係機関への引継ぎ期限（終了の{span_label(rules.limit('handoff_months_before_end'))}前）", "handoff_months_before_end")
        add(finished, "planned-end", "利用終了日", "use_months")
    found += [Deadline(*item, rules.source("certificate")) for item in certificate_deadlines(office, today, horizon)]  # lapsed ones first: their day is past
    return sorted(found, key=lambda d: (d.day, d.user_id, d.kind))
