"""受給者証: each user's 支給決定期間 as a timeline the rules ask questions of
(``certificate_covering(month, …)``, ``cap_on(day)``), the 上限管理結果 of the
months whose cap is managed across offices, and what ``check`` and ``due`` say
about them.

A month outside the 支給決定期間 cannot be claimed (返戻; our reading of 障害者総合支援法 第19条・第23条, see the rule files). Periods are
explicit first and last days: they are compared, never counted.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from teichaku_cli.office import schema
from teichaku_cli.office.values import format_wareki_date, format_wareki_month
from teichaku_cli.rules import findings as F
from teichaku_cli.rules.calendar import month_end as _month_end

month_end = lru_cache(maxsize=256)(_month_end)  # asked once per user-month

if TYPE_CHECKING:
    from teichaku_cli.office.load import Office
    from teichaku_cli.rules.ruleset import RuleSet

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
    def of(cls, office: "Office") -> "CertificateBook":
        from teichaku_cli.office.rows import records

        frame = office.table(schema.CERTIFICATES.name)
        grouped: dict[str, list[Certificate]] = {}
        for v in records(frame.sort_values("支給決定開始日", kind="stable"), ("利用者ID", "受給者証番号", "市町村番号", "支給決定開始日", "支給決定終了日", "負担上限月額", "上限管理事業所番号", "_row")):
            grouped.setdefault(v["利用者ID"], []).append(
                Certificate(
                    v["受給者証番号"], _given(v["市町村番号"]), v["支給決定開始日"].date(), v["支給決定終了日"].date(),
                    _given(v["負担上限月額"]), _given(v["上限管理事業所番号"]), v["_row"],
                )
            )
        results = {}
        for v in records(office.table(schema.CAP_RESULTS.name), ("利用者ID", "対象月", "管理結果", "利用者負担額", "_row")):
            month = v["対象月"].date()
            results[(v["利用者ID"], month)] = CapResult(month, v["管理結果"], _given(v["利用者負担額"]), v["_row"])
        return cls(not frame.empty, {uid: Certificates(c, in_order=True) for uid, c in grouped.items()}, results)

    def of_user(self, user_id: str) -> Certificates:
        return self.by_user.get(user_id) or Certificates()

    def result(self, user_id: str, month: date) -> CapResult | None:
        return self.results.get((user_id, month.replace(day=1)))


def _given(value):
    """A cell's value, or None for a blank one (pandas holds a blank as None or NaN)."""
    return None if value is None or value != value else value


def requirement_days(office: "Office", month: date) -> dict[str, tuple[list[date], list[date]]]:
    """Per user, the days of ``month`` that meet its requirements: 本人との対面 or
    テレビ電話, and 支援レポートの本人提供."""
    import pandas as pd

    from teichaku_cli.rules.monthly import FACE_TO_FACE_METHODS  # the one list of what counts as 対面

    first, last = pd.Timestamp(month), pd.Timestamp(month_end(month))
    contacts = office.contacts
    in_month = contacts[(contacts["日付"] >= first) & (contacts["日付"] <= last)]
    face = in_month[(in_month["相手"] == "本人") & in_month["方法"].isin(FACE_TO_FACE_METHODS)]
    reports = office.table(schema.REPORTS.name)
    given = reports[reports["本人提供日"].between(first, last)]
    days: dict[str, tuple[list[date], list[date]]] = {}
    for column, frame, at in (("日付", face, 0), ("本人提供日", given, 1)):
        for uid, day in zip(frame["利用者ID"], frame[column].dt.to_pydatetime()):
            days.setdefault(uid, ([], []))[at].append(day.date())
    return days


@dataclass
class CertificateFacts:
    """What the certificates say of one user-month: the findings, and the certificate
    and 上限管理 result the amounts are made from."""

    findings: list[F.Finding]
    certificate: Certificate | None
    result: CapResult | None
    managed_here: bool


def certificate_month(
    book: CertificateBook,
    user_id: str,
    month: date,
    days: tuple[list[date], list[date]],
    rules: "RuleSet",
    office_number: str,
) -> CertificateFacts:
    """``certificate-missing`` when the month is not covered (or the user has no row in
    a kept 受給者証 sheet), the notes on the cap and its 管理, and the certificate in
    force on the month's last covered day."""
    found: list[F.Finding] = []

    def add(key: str, rule: str, **kw: object) -> None:
        found.append(F.make(key, rules.source(rule), month=format_wareki_month(month), **kw))

    if not book.kept:
        return CertificateFacts([], None, None, False)
    certificates = book.of_user(user_id)
    if not certificates:
        add("certificate-missing", "certificate", detail="受給者証シートにこの利用者の行がありません", fix="受給者証の支給決定期間を1期間1行で入力してください。")
        return CertificateFacts(found, None, None, False)
    coverage = certificates.certificate_covering(month, *days)
    if not coverage.covered:
        add("certificate-missing", "certificate", detail=coverage.detail, fix="受給者証（更新や変更の通知）を確かめ、支給決定期間を入力してください。")
    certificate = coverage.certificate
    if certificate is None:
        return CertificateFacts(found, None, None, False)
    if certificate.cap is None:
        add("certificate-cap-missing", "user_burden", number=certificate.number, period=certificate.label())
    result = book.result(user_id, month)
    managed_here = bool(certificate.cap_manager) and certificate.cap_manager == office_number
    if managed_here:
        add("cap-managed-here", "cap_management", manager=certificate.cap_manager)
    elif certificate.cap_manager and result is None:
        hint = "" if office_number else "（teichaku.toml に「事業所番号」を書くと、この事業所が上限管理事業所かどうかを判断します）"
        add("cap-result-missing", "cap_management", manager=certificate.cap_manager, hint=hint)
    return CertificateFacts(found, certificate, result, managed_here)


def certificate_deadlines(office: "Office", today: date, horizon: date) -> list[tuple[date, str, str, str, str]]:
    """For ``due``: per user still served, the 支給決定終了日 (through renewals already
    entered) within ``today`` … ``horizon``, and certificates that have lapsed:
    (day, user_id, name, kind, label). A lapsed one has a day before today, so it
    sorts first."""
    from teichaku_cli.office.rows import as_date, records

    book = CertificateBook.of(office)
    if not book.kept:
        return []
    found = []
    for values in records(office.users, ("利用者ID", "氏名", "利用終了日")):
        uid, name = values["利用者ID"], values["氏名"]
        finished = as_date(values["利用終了日"])
        if finished is not None and finished < today:
            continue
        certificates = book.of_user(uid)
        if not certificates:
            continue
        end = certificates.runs_until(today)
        if end is None:
            ended = max((c.end for c in certificates.periods if c.end < today), default=None)
            if ended is not None:
                later = min((c.start for c in certificates.periods if c.start > today), default=None)
                then = f"次の期間は{format_wareki_date(later)}から" if later else "更新を確かめてください"
                found.append((ended, uid, name, "certificate-lapsed", f"受給者証の支給決定期間が切れています（{format_wareki_date(ended)}まで。{then}）"))
            continue
        if end <= horizon and (finished is None or end < finished):
            found.append((end, uid, name, "certificate-end", "受給者証の支給決定終了日（更新の申請を）"))
    return found
