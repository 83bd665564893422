"""What ``check`` and ``due`` say of the 受給者証: a month the 支給決定期間 does not
cover, a blank 負担上限月額, the 上限額管理 of the month, a 支給決定終了日 coming
or passed. The timeline itself (``Certificates.certificate_covering(month, …)``,
``cap_on(day)``) is model/certificates.py.

A month outside the 支給決定期間 cannot be claimed (返戻; our reading of 障害者総合支援法 第19条・第23条, see the rule files). Periods are
explicit first and last days: they are compared, never counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from teichaku_cli.model.certificates import CapResult, Certificate, CertificateBook
from teichaku_cli.base.dates import format_wareki_date, format_wareki_month
from teichaku_cli.rules import findings as F
from teichaku_cli.base.dates import month_end as _month_end

month_end = lru_cache(maxsize=256)(_month_end)  # asked once per user-month

if TYPE_CHECKING:
    from teichaku_cli.model.office import Office
    from teichaku_cli.model.rulebook import RuleSet

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
    book = office.certificates
    if not book.kept:
        return []
    found = []
    for person in office.people:
        uid, name = person.user_id, person.name
        finished = person.finished
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
