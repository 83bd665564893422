"""受給者証: each user's 支給決定期間 as a timeline the rules ask questions of
(``certificate_covering(month, …)``, ``cap_on(day)``), and the 上限管理結果 of the
months whose cap is managed across offices. Periods are explicit first and last
days: they are compared, never counted."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from teichaku_cli.base.dates import format_wareki_date, format_wareki_month
from teichaku_cli.base.dates import month_end as _month_end
from teichaku_cli.model.schema import C

month_end = lru_cache(maxsize=256)(_month_end)  # asked once per user-month

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Certificate:
    """One 支給決定期間 of one user's 受給者証."""

    number: str
    municipality: str | None
    start: date
    end: date
    cap: int | None  # 負担上限月額 (円); None: not entered
    cap_manager: str | None  # 上限管理事業所番号
    row: int

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def label(self) -> str:
        return f"{format_wareki_date(self.start)}〜{format_wareki_date(self.end)}"


@dataclass(frozen=True)
class CapResult:
    """A month's 上限額管理 result for a user (利用者負担上限額管理結果票)."""

    month: date
    result: str  # "1" / "2" / "3"
    amount: int | None  # this office's 利用者負担額 after the 管理, when given
    row: int


@dataclass(frozen=True)
class Coverage:
    """Whether a month is covered, and the certificate in force on its last covered day."""

    covered: bool
    certificate: Certificate | None
    detail: str = ""  # why not, for people


class Certificates:
    """One user's certificates, oldest first (validate refuses overlapping periods)."""

    def __init__(self, periods: Iterable[Certificate] = (), in_order: bool = False) -> None:
        self.periods = list(periods) if in_order else sorted(periods, key=lambda c: c.start)
        self._starts = [c.start for c in self.periods]

    def __bool__(self) -> bool:
        return bool(self.periods)

    def on(self, day: date) -> Certificate | None:
        """The certificate whose 支給決定期間 holds ``day``."""
        at = bisect_right(self._starts, day)
        if at and self.periods[at - 1].covers(day):
            return self.periods[at - 1]
        return None

    def cap_on(self, day: date) -> int | None:
        certificate = self.on(day)
        return certificate.cap if certificate else None

    def last_covered_day(self, month: date) -> date | None:
        """The last day of ``month`` inside a 支給決定期間."""
        first, last = month.replace(day=1), month_end(month)
        inside = [min(c.end, last) for c in self.periods if c.start <= last and c.end >= first]
        return max(inside, default=None)

    def certificate_covering(self, month: date, face_days: Iterable[date] = (), report_days: Iterable[date] = ()) -> Coverage:
        """Is ``month`` covered? It is when each requirement met in the month (本人との
        対面 / テレビ電話, 支援レポートの本人提供) is met on at least one day inside a
        支給決定期間; with neither in the data, when any day of the month is inside one
        (the month is blocked for the missing requirement anyway). The certificate
        that counts (cap, number, 市町村) is the one on the month's last covered day
        (rules/data: billing.certificate.reading)."""
        last = self.last_covered_day(month)
        if last is None:
            listed = "、".join(c.label() for c in self.periods) or "なし"
            return Coverage(False, None, f"{format_wareki_month(month)}を含む支給決定期間がありません（受給者証の期間: {listed}）")
        outside = []
        for what, days in (("本人との対面（テレビ電話）の支援", sorted(face_days)), ("支援レポートの本人提供", sorted(report_days))):
            if days and not any(self.on(d) for d in days):
                shown = "・".join(format_wareki_date(d) for d in days[:3]) + ("ほか" if len(days) > 3 else "")
                outside.append(f"{what}（{shown}）が支給決定期間の外です")
        certificate = self.on(last)
        if outside:
            periods = "、".join(c.label() for c in self.periods if c.start <= month_end(month) and c.end >= month)
            return Coverage(False, certificate, "、".join(outside) + f"（この月の支給決定期間: {periods}）")
        return Coverage(True, certificate)

    def runs_until(self, day: date) -> date | None:
        """The last day of the certificate holding ``day``, followed through renewals
        that begin the next day; None when no certificate holds ``day``."""
        current = self.on(day)
        if current is None:
            return None
        end = current.end
        for c in self.periods:
            if c.start == end + timedelta(days=1):
                end = c.end
        return end


@dataclass
class CertificateBook:
    """The office's 受給者証 and 上限管理結果, per user. ``kept`` is False when the
    office keeps no 受給者証 data at all (no sheet, or no rows)."""

    kept: bool
    by_user: dict[str, Certificates] = field(default_factory=dict)
    results: dict[tuple[str, date], CapResult] = field(default_factory=dict)

    @classmethod
    def of_tables(cls, frame: "pd.DataFrame", cap_results: "pd.DataFrame") -> "CertificateBook":
        """From the 受給者証 and 上限管理結果 tables (``Office.certificates`` asks once)."""
        from teichaku_cli.model.rows import records

        grouped: dict[str, list[Certificate]] = {}
        for v in records(frame.sort_values(C.GRANT_START, kind="stable"), (C.USER_ID, C.CERTIFICATE_NUMBER, C.MUNICIPALITY, C.GRANT_START, C.GRANT_END, C.CAP, C.CAP_MANAGER, "_row")):
            grouped.setdefault(v[C.USER_ID], []).append(
                Certificate(
                    v[C.CERTIFICATE_NUMBER], _given(v[C.MUNICIPALITY]), v[C.GRANT_START].date(), v[C.GRANT_END].date(),
                    _given(v[C.CAP]), _given(v[C.CAP_MANAGER]), v["_row"],
                )
            )
        results = {}
        for v in records(cap_results, (C.USER_ID, C.MONTH, C.CAP_RESULT, C.CAP_BURDEN, "_row")):
            month = v[C.MONTH].date()
            results[(v[C.USER_ID], month)] = CapResult(month, v[C.CAP_RESULT], _given(v[C.CAP_BURDEN]), v["_row"])
        return cls(not frame.empty, {uid: Certificates(c, in_order=True) for uid, c in grouped.items()}, results)

    def of_user(self, user_id: str) -> Certificates:
        return self.by_user.get(user_id) or Certificates()

    def result(self, user_id: str, month: date) -> CapResult | None:
        return self.results.get((user_id, month.replace(day=1)))


def _given(value):
    """A cell's value, or None for a blank one (pandas holds a blank as None or NaN)."""
    return None if value is None or value != value else value
