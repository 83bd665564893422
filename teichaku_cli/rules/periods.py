"""One user's periods: when the service may start (6 months after hire, or
after the 起算日 for the two special types), the 3-year limit of use, the limit
of 3 years 6 months after hire, and the planned end.

Sources: 000/002 §1(1), 001 §3 (see rules/data/*.toml for each value's source).
"""

from __future__ import annotations

import re
from datetime import date

from teichaku_cli.office import schema
from teichaku_cli.rules.dates import add_months, day_before
from teichaku_cli.rules.ruleset import RuleSet


def records(frame, columns=None) -> list[dict]:
    """A table's rows as dicts of plain Python values (datetime for dates, NaT for
    blank dates): several times faster than ``DataFrame.to_dict("records")``,
    which boxes every date as a pandas Timestamp."""
    names = list(frame.columns if columns is None else columns)
    arrays = [
        frame[n].dt.to_pydatetime().tolist() if frame[n].dtype.kind == "M" else frame[n].tolist() for n in names
    ]
    return [dict(zip(names, row)) for row in zip(*arrays)]


HANDOFF_KIND = re.compile(r"引き?継")  # 区分 of a handoff record: 引継ぎ, 引き継ぎ, 引継…


def first_handoffs(contacts) -> dict[str, date]:
    """Per user, the earliest 支援記録 row with 相手=関係機関 and a 区分 naming a
    handoff (the earliest is the most favourable to the office)."""
    agency = contacts[contacts["相手"] == "関係機関"]  # narrow first: the text match is per row
    handoffs = agency[agency["区分"].astype(str).str.contains(HANDOFF_KIND)]
    return {uid: as_date(day) for uid, day in handoffs.groupby("利用者ID")["日付"].min().items()}


def as_date(value) -> date | None:
    """A pandas Timestamp or datetime, or NaT/None → date or None."""
    return None if value is None or value != value else value.date()


class UserPeriods:
    """The dates one user's limits are counted from, and the limits themselves."""

    def __init__(self, values: dict, rules: RuleSet) -> None:
        self.hired = values["就職日"].date()
        self.started = values["利用開始日"].date()
        special = values["利用類型"] in schema.SPECIAL_USER_TYPES and as_date(values["起算日"]) is not None
        self.base = as_date(values["起算日"]) if special else self.hired
        self.base_label = "起算日" if special else "就職日"
        self.eligible_from = add_months(self.base, rules.limit("eligibility_months"))
        self.last_use_day = day_before(add_months(self.started, rules.limit("use_months")))
        self.last_hire_day = day_before(add_months(self.base, rules.limit("hire_limit_months")))
        finished = as_date(values["利用終了日"])
        self.planned_end = finished or min(self.last_use_day, self.last_hire_day)
