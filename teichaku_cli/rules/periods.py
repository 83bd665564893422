"""One user's periods: when the service may start (6 months after the first hire,
or after the 起算日 for the two special types), the 3-year limit of use, the limit
of 3 years 6 months after that hire, and the planned end. Every period is counted
by base/dates.py as the rule files say (就労定着支援の実施について 1の(1);
the practice manual's section 3).
"""

from __future__ import annotations

from datetime import date

from teichaku_cli.model.people import Person
from teichaku_cli.model.rulebook import RuleSet


class UserPeriods:
    """The dates one user's limits are counted from, and the limits themselves.

    ``first_hire`` is the hire into the first job (the placement from the sending
    service): a later job never restarts eligibility or the 3年6か月 limit."""

    def __init__(self, person: Person, rules: RuleSet, first_hire: date) -> None:
        self.hired = first_hire
        self.started = person.started
        special = person.special_type
        self.base = person.base_day if special else first_hire
        self.base_label = "起算日" if special else "就職日"
        self.eligibility = rules.period("eligibility").of(self.base)
        self.eligible_from = self.eligibility.day_after
        self.last_use_day = rules.period("use").of(self.started).last
        self.last_hire_day = rules.period("hire_limit").of(self.base).last
        finished = person.finished
        self.planned_end = finished or min(self.last_use_day, self.last_hire_day)
        self.finished = finished

    @property
    def service_window(self) -> tuple[date, date]:
        """The days on which support is 就労定着支援 and counts toward a month's
        requirements: from 利用開始日 (not before the day it may be used) to the
        earliest of 利用終了日, the 3年 and the 3年6か月 limits."""
        ends = [day for day in (self.finished, self.last_use_day, self.last_hire_day) if day is not None]
        return max(self.started, self.eligible_from), min(ends)

    def handoff_deadline(self, rules: RuleSet) -> date:
        """The last day to hand over to the next agency: the day before the last
        months of service, counted back from the (planned) end as the rule file says."""
        return rules.period("handoff").of(self.planned_end).day_before
