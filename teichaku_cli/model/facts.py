"""What an office's records say of one calendar month, per user: the month's support
facts. Which days met each requirement of the base fee (a support with the person
themselves 対面 or by テレビ電話; a 支援レポート handed to them), the month's
contacts with an employer and reports shared with one, the plans made by its end,
the ジョブコーチ助成金 months, the ケース会議 held in it.

They are computed once per office and month (``Office.month_facts(month)``) and
asked by every command that needs them — check, due, the certificates' coverage,
the claim reconcile and the documents — so no two of them can disagree on what
counts. The definitions of what counts live here, once: ``face_to_face`` (the
rows that meet the 対面 requirement) and ``reports_given`` (the reports that meet
the 支援レポート one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from teichaku_cli.base.dates import month_end
from teichaku_cli.model import schema
from teichaku_cli.model.rows import as_date

if TYPE_CHECKING:
    import pandas as pd

    from teichaku_cli.model.history import Job, WorkingLife

C = schema.C


def face_to_face(contacts: "pd.DataFrame") -> "pd.DataFrame":
    """The 支援記録 rows that meet the monthly 対面 requirement: with the person
    themselves (相手=本人), 対面 or テレビ電話 (就労定着支援の実施について 1の(4)②;
    phone, mail and chat do not count)."""
    return contacts[(contacts[C.COUNTERPART] == "本人") & contacts[C.METHOD].isin(schema.FACE_TO_FACE_METHODS)]


def in_days(frame: "pd.DataFrame", column: str, first: date, last: date) -> "pd.DataFrame":
    """The rows whose ``column`` falls from ``first`` to ``last`` (both inside)."""
    import pandas as pd

    days = frame[column]
    return frame[(days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))]


def reports_given(reports: "pd.DataFrame", first: date, last: date) -> "pd.DataFrame":
    """The 支援レポート rows handed to the person in ``first`` … ``last``: a report
    counts in the month of its 本人提供日 (1の(4)②・2の(2))."""
    return in_days(reports, C.GIVEN_ON, first, last)


class Requirement:
    """Who met one monthly requirement in a month, and on which days. ``uid in r``
    is the month as a whole; ``r.within(uid, first, last, month)`` asks for a day
    inside a user's service, and reads that user's days only when the service begins
    or ends inside the month (the rest of the month's rows stay in the frame)."""

    def __init__(self, days: "dict[str, list[date]] | None" = None, frame: "pd.DataFrame | None" = None, column: str = "") -> None:
        self._days, self._frame, self._column = days, frame, column
        self.users = set(days) if days is not None else set(frame[C.USER_ID])
        self._at: dict | None = None

    def __contains__(self, uid: object) -> bool:
        return uid in self.users

    def days(self, uid: str) -> list[date]:
        """The days of the month ``uid`` met the requirement, in the rows' order."""
        if self._days is not None:
            return self._days.get(uid, [])
        self._positions()
        at = self._at.get(uid)
        return [] if at is None else self._stamps[at].tolist()

    def _positions(self) -> None:
        if self._at is None:  # positions per user, once (C-level); dates made only for who asks
            self._at = self._frame.groupby(C.USER_ID, sort=False).indices
            self._stamps = self._frame[self._column].to_numpy(dtype="datetime64[D]")  # .tolist() gives dates

    def within(self, uid: str, first: date, last: date, month: date) -> bool:
        """Met on a day from ``first`` to ``last`` (the user's service window)?"""
        if uid not in self.users:
            return False
        if first <= month and last >= month_end(month):
            return True
        return any(first <= day <= last for day in self.days(uid))


class Dated:
    """The month's rows of one kind (contacts with an employer, reports shared
    with one), each with its date and the 事業主 it may name: which job a row
    belongs to is asked per user, and only where the answer is not plain."""

    def __init__(self, frame: "pd.DataFrame", column: str) -> None:
        self.frame, self.column = frame, column
        self.users = set(frame[C.USER_ID])
        employers = frame[C.EMPLOYER]
        self.named = set(frame.loc[employers.notna() & (employers != ""), C.USER_ID])
        self._rows: dict | None = None

    def rows(self, uid: str) -> list[tuple[date, object]]:
        if self._rows is None:  # positions per user, once (C-level); rows made only for who asks
            self._rows = self.frame.groupby(C.USER_ID, sort=False).indices
            self._days = self.frame[self.column].dt.to_pydatetime().tolist()
            self._employers = self.frame[C.EMPLOYER].tolist()
        return [(self._days[i].date(), self._employers[i]) for i in self._rows.get(uid, ())]

    def with_job(self, uid: str, life: "WorkingLife", job: "Job", first: date, last: date) -> bool:
        """Does a row of ``uid`` belong to ``job`` (by the 事業主 it names, else by its date)?"""
        if uid not in self.users:
            return False
        if uid not in self.named and job.hired <= first and (job.left is None or job.left >= last) and not any(
            other is not job and other.overlaps(first, last) for other in life.jobs
        ):
            return True  # the one job all month: every row of the month is about it
        return any(life.job_of_entry(day, employer) is job for day, employer in self.rows(uid))


@dataclass
class MonthFacts:
    """The month's support facts, per user. ``face`` and ``reported`` are the two
    requirements of the base fee; the rest feed warnings, 加算 and documents."""

    month: date
    face: Requirement
    reported: Requirement
    latest_plan: dict[str, date]  # each user's latest 支援計画 made by the month's end
    subsidised: set[str]  # users with a ジョブコーチ助成金 claimed for the month
    previous_plan: dict[str, date] = field(default_factory=dict)  # the plan before a plan made in the month
    employer: Dated | None = None  # contacts with the employer (相手=事業主)
    shared: Dated | None = None  # 支援レポート shared with an employer (事業主共有日 in the month)
    contacts: "pd.DataFrame | None" = None  # every 支援記録 row of the month
    given: "pd.DataFrame | None" = None  # every 支援レポート row handed to the person in the month (本人提供日)
    meetings: "pd.DataFrame | None" = None  # every ケース会議 of the month
    warnings: bool = False  # all of the above were read (not only what can block a claim)

    @property
    def last(self) -> date:
        return month_end(self.month)

    def requirement_days(self, uid: str) -> tuple[list[date], list[date]]:
        """The days ``uid`` met each requirement: (対面・テレビ電話, 支援レポートの本人提供)."""
        return self.face.days(uid), self.reported.days(uid)

    @classmethod
    def of_tables(
        cls, month: date, contacts: "pd.DataFrame", reports: "pd.DataFrame", plans: "pd.DataFrame", subsidies: "pd.DataFrame", meetings: "pd.DataFrame"
    ) -> "MonthFacts":
        """Every fact of ``month`` from the whole tables (``Office.month_facts`` asks once)."""
        import pandas as pd

        first, last = month, month_end(month)
        in_month = in_days(contacts, C.DATE, first, last)
        made = plans[plans[C.MADE_ON] <= pd.Timestamp(last)]
        latest = made.groupby(C.USER_ID)[C.MADE_ON].max()
        renewed = made[made[C.MADE_ON] >= pd.Timestamp(first)]  # a plan made this month: the review it may have been, late
        earlier = made[made[C.USER_ID].isin(set(renewed[C.USER_ID])) & (made[C.MADE_ON] < pd.Timestamp(first))]
        previous = earlier.groupby(C.USER_ID)[C.MADE_ON].max()
        given = reports_given(reports, first, last)
        return cls(
            month=month,
            face=Requirement(frame=face_to_face(in_month), column=C.DATE),
            reported=Requirement(frame=given, column=C.GIVEN_ON),
            latest_plan=_days_by_user(latest),
            subsidised=set(subsidies.loc[subsidies[C.MONTH] == pd.Timestamp(first), C.USER_ID]),
            previous_plan=_days_by_user(previous),
            employer=Dated(in_month[in_month[C.COUNTERPART] == "事業主"], C.DATE),
            shared=Dated(in_days(reports, C.SHARED_ON, first, last), C.SHARED_ON),
            contacts=in_month,
            given=given,
            meetings=in_days(meetings, C.DATE, first, last),
            warnings=True,
        )


def _days_by_user(days: "pd.Series") -> dict[str, date]:
    """A Series of days indexed by user ID as a dict of dates (numpy makes the dates)."""
    return dict(zip(days.index.tolist(), days.to_numpy(dtype="datetime64[D]").tolist()))


HANDOFF_COUNTERPART = "関係機関"


def first_handoffs(contacts: "pd.DataFrame") -> dict[str, date]:
    """Per user, the earliest 支援記録 row with 相手=関係機関 and a 区分 naming a
    handoff (引継ぎ, 引き継ぎ, 引継…): the earliest is the most favourable to the office."""
    import pandas as pd

    agency = contacts[contacts[C.COUNTERPART] == HANDOFF_COUNTERPART]  # narrow first: the log is the big table
    kinds = agency[C.KIND]
    codes, uniques = pd.factorize(kinds, use_na_sentinel=True)  # a few distinct words: each matched once
    named = [i for i, kind in enumerate(uniques) if HANDOFF_KIND.search(str(kind))]
    handoffs = agency[pd.Series(codes, index=agency.index).isin(named)]
    return {uid: as_date(day) for uid, day in handoffs.groupby(C.USER_ID)[C.DATE].min().items()}


HANDOFF_KIND = re.compile(r"引き?継")  # 区分 of a handoff record: 引継ぎ, 引き継ぎ, 引継…
