"""The people an office serves: one ``Person`` per 利用者 row, with their service
period and the facts the rules ask of them, read once per office.

A person's working life (jobs, disclosure, consent) is ``office.lives.of(person)``
(model/history.py); their 受給者証 ``office.certificates.of_user(person.user_id)``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from teichaku_cli.model import schema
from teichaku_cli.model.rows import as_date

if TYPE_CHECKING:
    import pandas as pd

C = schema.C


class Person(NamedTuple):  # a tuple: made for every person on every run, and cheap to make
    """One person served (one 利用者 row). ``record`` is the whole row as plain values,
    the office's own columns too: templates show those (``user.<独自の列>``), and a
    person without 就労履歴 rows has their jobs in its single-job columns."""

    user_id: str
    name: str
    started: date  # 利用開始日
    finished: date | None  # 利用終了日 (None: still served)
    user_type: str  # 利用類型: 通常, 労働時間延長支援型, 復職支援型
    base_day: date | None  # 起算日 of the two special types
    integrated: bool | None  # 一体的運営: came from a sending office run together with this one
    special_area: bool  # 特別地域
    needs_handoff: bool  # 要継続支援: the next agency must take over
    staff: str  # 担当者
    row: int  # the Excel row it was read from
    record: dict

    @classmethod
    def of(cls, record: dict) -> "Person":
        return cls(
            record[C.USER_ID],
            record[C.NAME],
            as_date(record[C.SERVICE_START]),
            as_date(record[C.SERVICE_END]),
            record[C.USER_TYPE],
            as_date(record[C.BASE_DAY]),
            record[C.INTEGRATED],
            bool(record[C.SPECIAL_AREA]),
            bool(record[C.NEEDS_HANDOFF]),
            record.get(C.STAFF) or "",
            int(record.get(schema.ROW) or 0),
            record,
        )

    def in_service(self, first: date, last: date) -> bool:
        """Is any day from ``first`` to ``last`` inside the service (利用開始日 … 利用終了日)?
        The one test of "in service this month" (or on a day: ``first == last``)."""
        return self.started <= last and (self.finished is None or self.finished >= first)

    @property
    def special_type(self) -> bool:
        """労働時間延長支援型 or 復職支援型 with its 起算日: periods count from the 起算日."""
        return self.user_type in schema.SPECIAL_USER_TYPES and self.base_day is not None


def in_service_mask(users: "pd.DataFrame", first: date, last: date) -> "pd.Series":
    """``Person.in_service`` for a whole 利用者 table at once (same test, column-wise)."""
    import pandas as pd

    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    ends = users[C.SERVICE_END]
    return (users[C.SERVICE_START] <= hi) & (ends.isna() | (ends >= lo))
