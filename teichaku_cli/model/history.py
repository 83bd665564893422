"""A person's working life (就労履歴): the jobs they held, each with its own
employer, disclosure (オープン/クローズ) and consent to share with that employer.

Rules ask a person's ``WorkingLife`` questions (``job_on(day)``, ``job_for(first,
last)``) instead of reading single columns. The jobs come from the optional
就労履歴 table (one row per job) or, for an office that does not keep it, from
the single-job columns on 利用者, which describe at most two jobs: the first
(就職日 … 離職日) and, from 再就職日, the second. 事業主, 障害開示 and
事業主共有同意 there describe the latest job only, so an earlier job read from
those columns has no employer, disclosure or consent (nothing of it is ever
shared with an employer).
"""

from __future__ import annotations
from teichaku_cli.model.schema import C

import functools
import re
import unicodedata
from datetime import date, datetime
from typing import Iterable, NamedTuple


OPEN = "オープン"
# the 利用者 columns a working life is read from when the person has no 就労履歴 rows
USER_JOB_COLUMNS = ("利用者ID", "就職日", "離職日", "再就職日", "事業主", "障害開示", "事業主共有同意", "事業主共有同意日", "_row")
HISTORY_TABLE = "就労履歴"
USERS_TABLE = "利用者"


@functools.lru_cache(maxsize=4096)  # a few employers, asked about on every row
def employer_key(name: object) -> str:
    """An employer's name as compared: NFKC, no spaces (㈱ and (株) compare equal)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name or "")))


def _day(value: object) -> date | None:
    if value is None or value != value:  # None, NaT
        return None
    return value.date() if isinstance(value, datetime) else value


class Job(NamedTuple):  # a tuple: made for every person on every run, and cheap to make
    """One job. ``disclosure`` is オープン, クローズ or None (unknown); ``consent``
    is True only when あり was written for this job."""

    employer: str | None
    hired: date
    left: date | None
    disclosure: str | None
    consent: bool | None
    consent_from: date | None
    table: str  # 就労履歴, or 利用者 for the single-job columns
    row: int  # the Excel row it was read from

    def in_force_on(self, day: date) -> bool:
        return self.hired <= day and (self.left is None or day <= self.left)

    def overlaps(self, first: date, last: date) -> bool:
        return self.hired <= last and (self.left is None or self.left >= first)

    @property
    def open_employment(self) -> bool:
        """Disclosed at this employer, explicitly."""
        return self.disclosure == OPEN

    def is_employer(self, name: object) -> bool:
        return self.employer is not None and employer_key(name) == employer_key(self.employer)


class WorkingLife(NamedTuple):
    """One person's jobs, in the order they began."""

    jobs: tuple[Job, ...]
    from_history: bool  # read from the 就労履歴 table (else from 利用者's columns)

    @property
    def first_hire(self) -> date | None:
        """The hire into the first job: the placement from the sending service, from
        which eligibility and the 3年6か月 limit count."""
        return self.jobs[0].hired if self.jobs else None

    def job_on(self, day: date) -> Job | None:
        """The one job in force on ``day``; None on a day with no job or with two
        (the day one job ends and the next begins)."""
        found = None
        for job in self.jobs:
            if job.hired <= day and (job.left is None or day <= job.left):
                if found is not None:
                    return None
                found = job
        return found

    def jobs_in(self, first: date, last: date) -> list[Job]:
        return [j for j in self.jobs if j.overlaps(first, last)]

    def job_for(self, first: date, last: date) -> Job | None:
        """The job a month is about: the latest of the jobs held in it."""
        held = self.jobs_in(first, last)
        return held[-1] if held else None

    def job_of_entry(self, day: date, employer: object = None) -> Job | None:
        """The job a dated record (a support entry, a report) belongs to: the one
        its 事業主 names, or without a name the one in force that day."""
        if employer_key(employer):
            return next((j for j in self.jobs if j.in_force_on(day) and j.is_employer(employer)), None)
        return self.job_on(day)


def _legacy_jobs(user: dict, consent_known: bool = True) -> tuple[Job, ...]:
    hired, left, rehired = _day(user.get(C.HIRED)), _day(user.get(C.LEFT)), _day(user.get(C.REHIRED))
    if hired is None:
        return ()
    row = int(user.get("_row") or 0)
    employer, disclosure = user.get(C.EMPLOYER) or None, user.get(C.DISCLOSURE)
    consent = user.get(C.CONSENT) if consent_known else None
    since = _day(user.get(C.CONSENT_FROM))
    if rehired is None:
        return (Job(employer, hired, left, disclosure, consent, since, USERS_TABLE, row),)
    earlier = Job(None, hired, left, None, None, None, USERS_TABLE, row)  # 事業主/開示/同意 are the latest job's
    return (earlier, Job(employer, rehired, None, disclosure, consent, since, USERS_TABLE, row))


class WorkingLives:
    """Everyone's working life, built on demand from the 就労履歴 rows (grouped
    once) or from the user's own row."""

    def __init__(self, history_rows: Iterable[dict], consent_dates_readable: bool = True, user_consent_dates_readable: bool = True) -> None:
        # an unreadable 事業主共有同意日 column could hide a consent that began late:
        # then no job of that table has a known consent (fail closed)
        self._consent_known = consent_dates_readable
        self._user_consent_known = user_consent_dates_readable
        self._rows: dict[str, list[dict]] = {}
        for row in history_rows:
            self._rows.setdefault(row[C.USER_ID], []).append(row)
        self._built: dict[str, WorkingLife] = {}

    def has_history(self, user_id: str) -> bool:
        return user_id in self._rows

    def history_rows(self, user_id: str) -> list[dict]:
        return self._rows.get(user_id, [])

    def of(self, user) -> WorkingLife:
        """``user`` is a ``Person`` (model/people.py) or their 利用者 row as a dict."""
        user = getattr(user, "record", user)
        uid = user[C.USER_ID]
        life = self._built.get(uid)
        if life is None:
            rows = self._rows.get(uid)
            if rows:
                jobs = sorted(
                    (
                        Job(
                            employer=r[C.EMPLOYER] or None,
                            hired=_day(r[C.HIRED]),
                            left=_day(r[C.LEFT]),
                            disclosure=r[C.DISCLOSURE],
                            consent=r[C.CONSENT] if self._consent_known else None,
                            consent_from=_day(r[C.CONSENT_FROM]),
                            table=HISTORY_TABLE,
                            row=int(r["_row"]),
                        )
                        for r in rows
                        if _day(r[C.HIRED]) is not None
                    ),
                    key=lambda j: (j.hired, j.row),
                )
                life = WorkingLife(tuple(jobs), True)
            else:
                life = WorkingLife(_legacy_jobs(user, self._user_consent_known), False)
            self._built[uid] = life
        return life
