"""The claim file against the records (``check --claim``): per user-month of the month
checked, does what the office is about to send to the 国保連 say what its records
support?

The claim is read by office/claim_file.py (model/claim.py); the records' side is
check's own result for the month (rules/monthly.py ``check_month``: who can be
claimed, the unit lines, the amounts, the certificate in force) and the 実績記録票
the records give (rules/record_sheet.py). Nothing is decided again here: a claimed
user-month check blocks is ``claim-not-supported`` with check's own errors named.

Each 就労定着支援 明細書 of the month is tied to a user by its 受給者証番号 (the
office's 受給者証 table), then compared field by field; every difference is a
finding with both values (``claim_value``, ``records_value``) and the fix. A value
teichaku does not know (a blank 負担上限月額, a 上限管理結果 not yet in, no
地域区分単価) is never a difference. How each value is read, and its source, are the
rule data's ``[claim.*]`` readings (docs/check.md shows them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from teichaku_cli.base.dates import format_wareki_date, format_wareki_month
from teichaku_cli.model.claim import TEICHAKU_SERVICE, ClaimFile, ClaimProblem, Statement, StatementDetail, shown
from teichaku_cli.rules import amounts as A
from teichaku_cli.rules import findings as F
from teichaku_cli.rules.record_sheet import SheetValues, record_sheets

if TYPE_CHECKING:
    from teichaku_cli.model.certificates import CertificateBook
    from teichaku_cli.model.office import Office
    from teichaku_cli.model.rulebook import RuleSet
    from teichaku_cli.rules.amounts import UnitLine
    from teichaku_cli.rules.monthly import MonthCheck, UserMonth

# A user-month's state as check sees it (rules/monthly.py may give it as ``UserMonth.state``).
CLAIMABLE, BLOCKED, UNCONFIRMED = "claimable", "blocked", "unconfirmed"
SEVERITY_ORDER = {F.ERROR: 0, F.WARNING: 1, F.NOTE: 2}


@dataclass(frozen=True)
class ClaimFinding(F.Finding):
    """A finding of the reconcile: what differs (``subject``), with the claim's value
    and the records' beside it (as people read them)."""

    subject: str = ""
    claim_value: str = ""
    records_value: str = ""

    def as_dict(self) -> dict[str, str]:
        return {**super().as_dict(), "subject": self.subject, "claim_value": self.claim_value, "records_value": self.records_value}


@dataclass
class ClaimedMonth:
    """One user-month the reconcile speaks of: a 就労定着支援 明細書 of the claim, or a
    user the records can claim whom the claim leaves out (``line`` None)."""

    recipient: str  # 受給者証番号 (the claim's, or the records' for a user left out)
    municipality: str
    user_id: str | None  # None: the 受給者証番号 is in no row of the 受給者証 table
    name: str
    line: int | None  # the 明細書's J121:01 line in the claim file
    findings: list[ClaimFinding] = field(default_factory=list)

    @property
    def claimed(self) -> bool:
        return self.line is not None


@dataclass(frozen=True)
class LateStatement:
    """A 明細書 of an earlier month (月遅れ): listed, never judged."""

    statement: Statement
    user_id: str | None
    name: str


@dataclass
class Reconcile:
    claim: ClaimFile
    month: date
    months: list[ClaimedMonth] = field(default_factory=list)
    office_findings: list[ClaimFinding] = field(default_factory=list)
    late: list[LateStatement] = field(default_factory=list)
    statements: int = 0  # 就労定着支援 明細書 of the month
    record_sheets: int = 0  # their 実績記録票
    checked_users: set[str] = field(default_factory=set)  # the users check speaks of this month

    @property
    def file_findings(self) -> list[ClaimProblem]:
        """What reading the file found and did not stop for (the J111 totals, line ends…)."""
        return self.claim.findings

    def findings(self) -> list:
        return [f for m in self.months for f in m.findings] + self.office_findings + list(self.file_findings)

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings())

    @property
    def differences(self) -> int:
        """Errors and warnings: what the verdict line counts (a note asks for nothing)."""
        return self.count(F.ERROR) + self.count(F.WARNING)

    def of_user(self, user_id: str) -> list[ClaimedMonth]:
        return [m for m in self.months if m.user_id == user_id]


def state_of(user: "UserMonth", check: "MonthCheck") -> str:
    """claimable, blocked or unconfirmed (要確認: no error, but the amount is not known:
    the base fee's units, or the office's 地域区分単価). Taken from ``UserMonth.state``
    where check gives it, else decided the same way."""
    given = getattr(user, "state", None)
    if isinstance(given, str):
        return given
    if any(f.severity == F.ERROR for f in user.findings):
        return BLOCKED
    return CLAIMABLE if user.base_known and check.unit_price_set else UNCONFIRMED


def unconfirmed_reasons(user: "UserMonth", check: "MonthCheck") -> list[str]:
    reasons = []
    if not user.base_known:
        reasons.append("基本報酬の単位が分からない")
    if not check.unit_price_set:
        reasons.append("teichaku.toml に地域区分単価がない")
    return reasons


# --- tying a 明細書 to a user -------------------------------------------------------------------


def recipients(book: "CertificateBook") -> dict[str, list[str]]:
    """受給者証番号 → the users whose 受給者証 rows hold it (any 支給決定期間)."""
    found: dict[str, list[str]] = {}
    for uid, certificates in book.by_user.items():
        for certificate in certificates.periods:
            users = found.setdefault(str(certificate.number), [])
            if uid not in users:
                users.append(uid)
    return found


def _near(number: str, candidates: dict[str, str]) -> list[str]:
    """The candidate numbers ``number`` may be a typing slip of: the same length with one
    or two digits different, or two neighbouring digits swapped."""
    close = []
    for other in candidates:
        if len(other) != len(number) or other == number:
            continue
        diff = [i for i, (a, b) in enumerate(zip(number, other)) if a != b]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and number[diff[0]] == other[diff[1]] and number[diff[1]] == other[diff[0]]
        if len(diff) <= 2 or swapped:
            close.append(other)
    return close


# --- comparing ----------------------------------------------------------------------------------


def _yen(value: int | None) -> str:
    return "空欄" if value is None else f"{value:,}円"


def _units(value: int) -> str:
    return f"{value:,}単位"


def _days(days) -> str:
    return "・".join(f"{d.day}日" for d in sorted(days)) or "なし"


def _day_codes(codes: dict) -> str:
    return "・".join(f"{d.day}日={c}" for d, c in sorted(codes.items())) or "なし"


def _claim_lines(details: list[StatementDetail]) -> str:
    return "、".join(f"{shown(d.service_code)} {d.units:,}単位×{d.count}回={d.service_units:,}" for d in details) or "なし"


def _our_lines(lines: list["UnitLine"]) -> str:
    return "、".join(f"{line.label} {line.units:,}" for line in lines) or "なし"


@dataclass
class _Match:
    """The claim's J121:03 lines against teichaku's unit lines, by units per time
    (no サービスコード table is at hand: the codes are never read for meaning)."""

    extra: list[tuple[StatementDetail, int]]  # claim lines (and how many of their 回数) matching none of teichaku's
    missing: list["UnitLine"]  # teichaku's lines no claim line matched


def match_lines(details: list[StatementDetail], lines: list["UnitLine"]) -> _Match:
    left = Counter(line.units for line in lines)
    extra = []
    for detail in details:
        unmatched = 0
        for _ in range(max(detail.count, 1)):
            if left[detail.units] > 0:
                left[detail.units] -= 1
            else:
                unmatched += 1
        if unmatched:
            extra.append((detail, unmatched))
    missing = []
    for line in reversed(lines):  # the later lines of equal units stay unmatched first
        if left[line.units] > 0:
            left[line.units] -= 1
            missing.append(line)
    return _Match(extra, list(reversed(missing)))


class _Compare:
    """The comparisons of one claimed user-month the records can claim."""

    def __init__(self, check: "MonthCheck", office: "Office", statement: Statement, user: "UserMonth", sheet: SheetValues | None,
                 claim: ClaimFile) -> None:
        self.check, self.office, self.statement, self.user, self.sheet, self.claim = check, office, statement, user, sheet, claim
        self.rules: "RuleSet" = check.rules
        self.found: list[ClaimFinding] = []
        self.label = format_wareki_month(check.month)

    def add(self, key: str, subject: str, claim_value: object, records_value: object, rule: str | None = None, **facts: object) -> None:
        spec = F.CATALOGUE[key]
        source = self.rules.source(rule or spec.rule)
        facts.setdefault("claim", claim_value)
        facts.setdefault("records", records_value)
        self.found.append(ClaimFinding(
            key, spec.severity, spec.title, spec.template.format(**facts), source, subject, str(claim_value), str(records_value),
        ))

    # the 受給者証 and the 上限額管理
    def certificate(self) -> None:
        cert, basic, key = self.user.certificate, self.statement.basic, self.statement.key
        if cert is None:
            return
        where = f"受給者証シート（{cert.label()}の行）"
        if key.recipient != str(cert.number):
            self.add("claim-certificate-differs", "受給者証番号", key.recipient, cert.number, "recipient", item="受給者証番号", where=where)
        if cert.municipality and key.municipality != str(cert.municipality):
            self.add("claim-certificate-differs", "市町村番号", key.municipality, cert.municipality, "recipient", item="市町村番号", where=where)
        if cert.cap is not None and basic.cap_monthly != cert.cap:
            self.add("claim-certificate-differs", "利用者負担上限月額", _yen(basic.cap_monthly), _yen(cert.cap), item="利用者負担上限月額①", where=where)
        manager = str(cert.cap_manager) if cert.cap_manager else None
        if (basic.cap_manager or None) != manager:
            self.add(
                "claim-certificate-differs", "上限額管理事業所", basic.cap_manager or "空欄", manager or "空欄（上限額管理なし）",
                item="上限額管理事業所の事業所番号", where=where,
            )
        result = self.user.cap_result
        results_where = f"上限管理結果シート（{self.label}）"
        if result is not None:
            if basic.cap_result != result.result:
                self.add("claim-certificate-differs", "管理結果", basic.cap_result or "空欄", result.result, item="上限額管理の管理結果", where=results_where)
            elif result.amount is not None and basic.cap_result_amount != result.amount:
                self.add("claim-certificate-differs", "管理結果額", _yen(basic.cap_result_amount), _yen(result.amount), item="管理結果額", where=results_where)
        elif basic.cap_result is not None and manager is None:  # a result where the records hold no 上限額管理 at all
            self.add("claim-certificate-differs", "管理結果", basic.cap_result, "なし（上限額管理なし）", item="上限額管理の管理結果", where=where)

    # units, lines, tier
    def claimed(self) -> tuple[int, int, int, int]:
        """(給付単位数, 総費用額, 決定利用者負担額, 給付費) the claim gives 就労定着支援: the
        J121:01 of a 明細書 of this service alone, else its J121:04 rows of service 47."""
        st = self.statement
        rows = st.teichaku_summaries
        if len(st.service_types) > 1 and rows:
            return (sum(r.units for r in rows), sum(r.total_cost for r in rows), sum(r.user_burden for r in rows), sum(r.benefit for r in rows))
        b = st.basic
        return b.units, b.total_cost, b.user_burden, b.benefit

    def units(self) -> int | None:
        """Compare the units; the units the amounts are to be compared from (None: not comparable)."""
        user, check = self.user, self.check
        claimed_units = self.claimed()[0]
        details = self.statement.teichaku_details
        match = match_lines(details, user.lines)
        lines = dict(claim_lines=_claim_lines(details), our_lines=_our_lines(user.lines))
        if claimed_units == user.units:
            if match.extra or match.missing:
                self.add(
                    "claim-lines-differ", "サービスコードの行", _claim_lines(details), _our_lines(user.lines),
                    detail=f"給付単位数（{claimed_units:,}単位）は記録と同じですが、{self._unmatched(match)}"
                    "減算を含んだサービスコードなど、合計が同じなら請求どおりのこともあります。",
                    **lines,
                )
            return claimed_units
        tier = check.tier.tier
        ours = tier.units if tier is not None else None
        tiers = {t.units: t for t in self.rules.tiers.get(check.tier.band, ()) if t.units is not None} if check.tier.band else {}
        if not tiers:
            tiers = {t.units: t for band in self.rules.tiers.values() for t in band if t.units is not None}
        base_missing = any(line.key == "base" for line in match.missing)
        picked = next((d for d, _ in match.extra if d.units in tiers and d.units != ours), None)
        if base_missing and picked is not None and tier is not None:
            other = tiers[picked.units]
            self.add(
                "claim-tier-differs", "基本報酬の区分", f"{other.label}（{_units(picked.units)}）", f"{tier.label}（{_units(tier.units)}）",
                code=shown(picked.service_code), claim_units=f"{picked.units:,}", revision=self.rules.name, claim_tier=other.label,
                records_tier=tier.label, records_units=f"{tier.units:,}", how=check.tier.how, **lines,
            )
            return None
        extra_units = sum(d.units * n for d, n in match.extra)
        if user.cap_managed_here and len(match.extra) == 1 and match.extra[0][1] == 1 and not match.missing and claimed_units - user.units == extra_units:
            detail, _ = match.extra[0]
            self.add(
                "claim-lines-differ", "サービスコードの行", _claim_lines(details), _our_lines(user.lines),
                detail=f"給付単位数は請求ファイルでは {claimed_units:,}単位、記録から計算すると {user.units:,}単位で、違いは請求の行"
                f"（{detail.service_code} {detail.units:,}単位）1つです。この事業所が上限額管理をする利用者のため、"
                "利用者負担上限額管理加算の行かもしれません（teichaku はこの加算を計算しません。単位の資料が手元にないため）。"
                "金額はこの行を含めた請求の単位から照らします。",
                **lines,
            )
            return claimed_units
        self.add(
            "claim-units-differ", "給付単位数", f"{claimed_units:,}", f"{user.units:,}",
            difference=f"{claimed_units - user.units:+,}", unmatched=self._unmatched(match), **lines,
        )
        return None

    @staticmethod
    def _unmatched(match: _Match) -> str:
        parts = []
        if match.extra:
            parts.append("記録にない請求の行: " + "、".join(f"{shown(d.service_code)} {d.units:,}単位" + (f"×{n}回" if n > 1 else "") for d, n in match.extra))
        if match.missing:
            parts.append("請求にない teichaku の行: " + "、".join(f"{line.label} {line.units:,}" for line in match.missing))
        return "（" + "。".join(parts) + "）。" if parts else ""

    # the 単位数単価
    def price(self) -> bool:
        """Compare the 単位数単価 with the office's 地域区分単価; False when they differ."""
        check = self.check
        if not check.unit_price_set:
            return False
        prices = sorted({r.unit_price for r in self.statement.teichaku_summaries})
        wrong = [p for p in prices if p != check.unit_price]
        if wrong:
            self.add("claim-price-differs", "単位数単価", "・".join(_price(p) for p in wrong), _price(check.unit_price), month=self.label)
            return False
        return True

    # the amounts
    def amounts(self, units: int) -> None:
        user, check = self.user, self.check
        money = user.money
        if units != user.units:  # an extra line accepted as possible (上限額管理加算): the amounts of the claim's units
            money = A.money(units, check.unit_price, self.rules, self.office.certificates.kept, user.certificate, user.cap_result, user.cap_managed_here)
        _, cost, burden, benefit = self.claimed()
        how = f"記録から（{units:,}単位 × {_price(check.unit_price)}円）計算すると"
        fix = "請求ソフトの単価・負担上限月額・上限額管理の設定と、受給者証シート・上限管理結果シートを確かめてください。"
        if cost != money.total_cost:
            self.add("claim-amounts-differ", "総費用額", f"{cost:,}", f"{money.total_cost:,}", item="総費用額", how=how, fix=fix)
        if money.burden is not None and burden != money.burden:
            self.add("claim-amounts-differ", "決定利用者負担額", f"{burden:,}", f"{money.burden:,}", item="決定利用者負担額", how=f"記録から（{money.how}）", fix=fix)
        if money.benefit is not None and benefit != money.benefit:
            self.add("claim-amounts-differ", "給付費", f"{benefit:,}", f"{money.benefit:,}", item="給付費", how="記録から（総費用額 − 利用者負担）計算すると", fix=fix)

    def arithmetic(self) -> None:
        """The claim's own sums (J121:04 of service 47): 総費用額 = 給付単位数 × 単位数単価
        (the rule data's rounding), 給付費 = 総費用額 − 決定利用者負担額."""
        step = self.rules.billing["total_cost"]
        fix = "請求ソフトで明細書を作り直してください（請求ファイルの中の計算が合っていません）。"
        for row in self.statement.teichaku_summaries:
            expected = A.total_cost(row.units, row.unit_price, step)
            if row.total_cost != expected:
                self.add(
                    "claim-amounts-differ", "総費用額（請求の中の計算）", f"{row.total_cost:,}", f"{expected:,}",
                    item=f"集計情報（J121:04、{row.line}行目）の総費用額", how=f"その行の給付単位数 {row.units:,} × 単位数単価 {_price(row.unit_price)}円（{step.rounding}）", fix=fix,
                )
            if not row.special_measures and row.benefit != row.total_cost - row.user_burden:
                self.add(
                    "claim-amounts-differ", "給付費（請求の中の計算）", f"{row.benefit:,}", f"{row.total_cost - row.user_burden:,}",
                    item=f"集計情報（J121:04、{row.line}行目）の給付費", how="その行の総費用額 − 決定利用者負担額", fix=fix,
                )

    # the 実績記録票
    def record_sheet(self) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        found = sheets_of(self.claim, self.statement)
        claim_rules = self.rules.claim
        if not found:
            self.add(
                "claim-record-sheet-differs", "実績記録票", "なし", f"算定日数 {_days(sheet.base_days)}",
                item="明細書に対応する実績記録票（J611、受給者証番号と月が同じもの）", detail="",
            )
            return
        if len(found) > 1:
            self.add("claim-record-sheet-unclear", "実績記録票", f"{len(found)}つ", "", count=len(found), forms="・".join(r.form or "（空欄）" for r in found))
            return
        (claimed,) = found
        base_code = claim_rules["base_support_day"].option("value")
        special_code = claim_rules["special_area_day"].option("value")
        claimed_base = [d.day for d in claimed.days if d.base_support == base_code]
        if set(claimed_base) != set(sheet.base_days):
            self.add(
                "claim-record-sheet-differs", "算定日数の日", _days(claimed_base), _days(sheet.base_days), "base_support_day",
                item=f"算定日数が{base_code}の日", detail=self._day_detail(claimed_base, sheet.base_days),
            )
        basic = claimed.basic
        if (basic.days_total or 0) != sheet.days_total:
            self.add("claim-record-sheet-differs", "合計算定日数", _count(basic.days_total, "日"), f"{sheet.days_total}日", "base_support_day", item="合計算定日数", detail="")
        claimed_liaison = {d.day: d.liaison for d in claimed.days if d.liaison}
        if claimed_liaison != sheet.liaison_days:
            liaison = claim_rules["liaison_day"]
            self.add(
                "claim-record-sheet-differs", "定着支援連携促進加算", _day_codes(claimed_liaison), _day_codes(sheet.liaison_days), "liaison_day",
                item="定着支援連携促進加算（日ごと）",
                detail=f"記録では、teichaku が加算を数えたケース会議の日に、サービス管理責任者が参加していれば{liaison.option('with_manager')}、"
                f"していなければ{liaison.option('without_manager')}です。",
            )
        if (basic.liaison_count or 0) != sheet.liaison_count:
            self.add("claim-record-sheet-differs", "定着支援連携促進加算（回）", _count(basic.liaison_count, "回"), f"{sheet.liaison_count}回", "liaison_day",
                     item="定着支援連携促進加算（回）", detail="")
        claimed_special = [d.day for d in claimed.days if d.special_area == special_code]
        if set(claimed_special) != set(sheet.special_area_days):
            self.add(
                "claim-record-sheet-differs", "特別地域加算の日", _days(claimed_special), _days(sheet.special_area_days), "special_area_day",
                item="特別地域加算の日",
                detail="記録では、利用者シートの特別地域が「はい」の人の、算定日数が1の日です。" if self._special_user() else "記録では、この利用者は特別地域ではありません（利用者シートの特別地域）。",
            )
        if (basic.special_area_count or 0) != sheet.special_area_count:
            self.add("claim-record-sheet-differs", "特別地域加算（回）", _count(basic.special_area_count, "回"), f"{sheet.special_area_count}回", "special_area_day",
                     item="特別地域加算（回）", detail="")
        shared = basic.report_shared_on
        if sheet.accepted_report_days and shared not in sheet.accepted_report_days:
            given = f"本人提供日 {format_wareki_date(sheet.report_given_on)}" if sheet.report_given_on else ""
            also = f"（事業主共有日 {format_wareki_date(sheet.report_shared_on)} も可）" if sheet.report_shared_on and sheet.report_shared_on != sheet.report_given_on else ""
            self.add(
                "claim-record-sheet-differs", "支援レポート共有日", format_wareki_date(shared) if shared else "空欄", given + also, "report_shared_on",
                item="支援レポート共有日",
                detail="記録では、この月に本人へ提供した支援レポートの本人提供日（同じ行の事業主共有日でもよい）です。",
            )

    def _special_user(self) -> bool:
        person = self.office.person_by_id.get(self.user.user_id)
        return bool(person and person.special_area)

    @staticmethod
    def _day_detail(claimed: list[date], ours: list[date]) -> str:
        parts = []
        only_claim = sorted(set(claimed) - set(ours))
        only_ours = sorted(set(ours) - set(claimed))
        if only_claim:
            parts.append(f"記録に本人との対面・テレビ電話の支援（利用期間と支給決定期間の中）がない日: {_days(only_claim)}")
        if only_ours:
            parts.append(f"請求にない支援の日: {_days(only_ours)}")
        return "。".join(parts) + "。" if parts else ""


def sheets_of(claim: ClaimFile, statement: Statement) -> list:
    """The 実績記録票 of a 就労定着支援 明細書: those of its 受給者証番号 and month, the
    ones of its own 市町村番号 first chosen (two 明細書 of one person under two 市町村番号
    each have theirs)."""
    found = claim.teichaku_record_sheets(statement)
    same = [r for r in found if r.key.municipality == statement.key.municipality]
    return same or found


def _count(value: int | None, unit: str) -> str:
    return f"{value or 0}{unit}" if value is not None else f"空欄（0{unit}）"


def _price(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.3f}".rstrip("0")


def _who(user_id: str | None, recipient: str) -> str:
    return f"利用者ID {user_id}（受給者証番号 {recipient}）" if user_id else f"受給者証番号 {recipient}"


# --- the whole claim ------------------------------------------------------------------------------


def reconcile(office: "Office", check: "MonthCheck", claim: ClaimFile) -> Reconcile:
    """The claim file's month ``check.month`` against the records. ``check`` is
    check_month's result for that month."""
    month, rules = check.month, check.rules
    label = format_wareki_month(month)
    result = Reconcile(claim, month, checked_users={u.user_id for u in check.users})
    index = recipients(office.certificates)
    users = {u.user_id: u for u in check.users}
    statements = sorted(claim.teichaku_statements(month), key=lambda s: s.basic.line)
    result.statements = len(statements)
    result.record_sheets = sum(len(sheets_of(claim, s)) for s in statements)

    def office_note(key: str, **facts: object) -> None:
        spec = F.CATALOGUE[key]
        result.office_findings.append(ClaimFinding(key, spec.severity, spec.title, spec.template.format(**facts), rules.source(spec.rule)))

    def user_of(recipient: str) -> str | None:
        uids = index.get(recipient, [])
        return next((u for u in uids if u in users), uids[0] if uids else None)

    # which user each 明細書 is, and which of them the records can claim
    tied: list[tuple[Statement, ClaimedMonth, "UserMonth | None"]] = []
    seen: dict[str, int] = {}  # user → the line of their first 明細書
    unknown: list[tuple[ClaimedMonth, str]] = []  # with the number as written
    for statement in statements:
        key = statement.key
        uid = user_of(key.recipient)
        person = office.person_by_id.get(uid) if uid else None
        # a number the 受給者証 table does not hold is shown only if it is half-width (not a name in the wrong field)
        entry = ClaimedMonth(key.recipient if uid else shown(key.recipient), key.municipality, uid, person.name if person else "", statement.basic.line)
        result.months.append(entry)
        if uid is None:
            unknown.append((entry, key.recipient))
            continue
        user = users.get(uid)
        first = seen.setdefault(uid, statement.basic.line)
        if user is None:
            why = "この月はその人の利用期間（利用開始日〜利用終了日）の外です" if person else "利用者シートにこの人がいません"
            entry.findings.append(_not_supported(rules, uid, key.recipient, label, why, rules.source("recipient")))
        elif first != statement.basic.line:
            entry.findings.append(_not_supported(rules, uid, key.recipient, label, f"同じ利用者・月の明細書が{first}行目にもあります（二重の請求）", rules.source("recipient")))
        else:
            tied.append((statement, entry, user))

    # what the records can claim, and the comparisons
    compared = [(s, e, u) for s, e, u in tied if state_of(u, check) != BLOCKED]
    sheets = record_sheets(office, month, [office.person_by_id[u.user_id] for _, _, u in compared if u.user_id in office.person_by_id])
    for statement, entry, user in tied:
        state = state_of(user, check)
        if state == BLOCKED:
            errors = [f for f in user.findings if f.severity == F.ERROR]
            why = "check のエラー: " + "、".join(f.title for f in errors)
            sources = "／".join(dict.fromkeys(f.source for f in errors))
            entry.findings.append(_not_supported(rules, user.user_id, statement.key.recipient, label, why, sources, "、".join(f.title for f in errors)))
            continue
        compare = _Compare(check, office, statement, user, sheets.get(user.user_id), claim)
        compare.certificate()
        if state == UNCONFIRMED:
            reasons = unconfirmed_reasons(user, check)
            skipped = "給付単位数・サービスコードの行・金額" if not user.base_known else "単位数単価と金額"
            compare.add(
                "claim-unconfirmed", "記録では要確認", "請求あり", "要確認（" + "、".join(reasons) + "）",
                who=_who(user.user_id, statement.key.recipient), month=label, reasons="、".join(reasons) or "—", skipped=skipped,
            )
        units = compare.units() if user.base_known else None
        if compare.price() and units is not None:
            compare.amounts(units)
        compare.arithmetic()
        compare.record_sheet()
        entry.findings.extend(compare.found)

    # users the records can claim whom the claim leaves out
    missing: dict[str, str] = {}  # their 受給者証番号 → user
    for user in check.users:
        if user.user_id in seen or state_of(user, check) == BLOCKED:
            continue
        cert = user.certificate
        number = str(cert.number) if cert else ""
        missing[number] = user.user_id
        money = user.money
        records = f"{user.units:,}単位" + (f"、総費用額 {money.total_cost:,}円" if check.unit_price_set and user.base_known else "、金額は要確認")
        entry = ClaimedMonth(number, str(cert.municipality or "") if cert else "", user.user_id, user.name, None)
        spec = F.CATALOGUE["claim-missing-user"]
        entry.findings.append(ClaimFinding(
            "claim-missing-user", spec.severity, spec.title,
            spec.template.format(who=_who(user.user_id, number), month=label, records=records),
            rules.source(spec.rule), "明細書", "なし", "請求できる（" + records + "）",
        ))
        result.months.append(entry)
    spec = F.CATALOGUE["claim-unknown-recipient"]
    for entry, written in unknown:
        near = _near(written, missing)
        hint = (
            "受給者証番号の近い、請求ファイルにいない利用者: " + "、".join(f"{number}（利用者ID {missing[number]}）" for number in near) + "。打ち間違いではありませんか？"
            if near else ""
        )
        entry.findings.append(ClaimFinding(
            "claim-unknown-recipient", spec.severity, spec.title,
            spec.template.format(recipient=entry.recipient, municipality=entry.municipality, line=entry.line, hint=hint),
            rules.source(spec.rule), "受給者証番号", entry.recipient, "受給者証シートになし" + (f"（近い番号: {'、'.join(near)}）" if near else ""),
        ))

    # the file as a whole
    if not statements:
        services = [f"{name} {count}件" for code, name, count in claim.service_counts(month) if code != TEICHAKU_SERVICE]
        months = "、".join(format_wareki_month(m) for m in claim.months) or "なし"
        office_note("claim-no-statements", month=label, months=months, services="ほかのサービスの明細書: " + "、".join(services) if services else "ほかのサービスの明細書もなし")
        result.months = [m for m in result.months if m.claimed]  # with no 明細書 of the month, nobody is "left out"
    late = claim.late_statements()
    for statement in late:
        uid = user_of(statement.key.recipient)
        person = office.person_by_id.get(uid) if uid else None
        result.late.append(LateStatement(statement, uid, person.name if person else ""))
    if late:
        by_month = Counter(s.key.month for s in late)
        office_note("claim-late-statements", month=label, count=len(late), by_month="、".join(f"{format_wareki_month(m)}分 {n}件" for m, n in sorted(by_month.items())))
    others = [f"{name} {count}件" for code, name, count in claim.service_counts(month) if code != TEICHAKU_SERVICE]
    if others and statements:
        office_note("claim-other-services", services="、".join(others))
    if not check.unit_price_set:
        prices = sorted({r.unit_price for s in statements for r in s.teichaku_summaries})
        if prices:
            office_note("claim-price-unchecked", prices="・".join(_price(p) for p in prices))
    for entry in result.months:
        entry.findings.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return result


def _not_supported(rules: "RuleSet", uid: str, recipient: str, label: str, why: str, source: str, records: str = "") -> ClaimFinding:
    spec = F.CATALOGUE["claim-not-supported"]
    return ClaimFinding(
        "claim-not-supported", spec.severity, spec.title, spec.template.format(who=_who(uid, recipient), month=label, why=why),
        source, "請求できるか", "請求あり", "請求できない（" + (records or why) + "）",
    )


# --- JSON -----------------------------------------------------------------------------------


def _problem(p: ClaimProblem) -> dict:
    return {"code": p.code, "severity": p.severity, "message": p.message, "fix": p.fix, "line": p.place.row, "field": p.place.column}


def as_dict(result: Reconcile) -> dict:
    """The ``claim`` object of ``check --json --claim`` (docs/check.md)."""
    claim = result.claim
    return {
        "file": claim.file,
        "month": result.month.strftime("%Y-%m"),
        "processing_month": claim.control.processing_month.strftime("%Y-%m"),
        "counts": {
            "statements": result.statements,
            "record_sheets": result.record_sheets,
            "services": [{"service_type": code, "name": name, "statements": count} for code, name, count in claim.service_counts(result.month)],
            "late": len(result.late),
        },
        "late": [
            {
                "month": late.statement.key.month.strftime("%Y-%m"), "recipient": shown(late.statement.key.recipient),
                "municipality": late.statement.key.municipality, "user_id": late.user_id, "name": late.name,
                "service_types": late.statement.service_types, "units": late.statement.basic.units, "line": late.statement.basic.line,
            }
            for late in result.late
        ],
        "office_findings": [f.as_dict() for f in result.office_findings],
        "file_findings": [_problem(p) for p in result.file_findings],
        # 明細書 of no user check speaks of: an unknown 受給者証番号, or a user not in service this month
        "unmatched": [_month_dict(m) for m in result.months if m.user_id not in result.checked_users],
        "summary": {
            "errors": result.count(F.ERROR), "warnings": result.count(F.WARNING), "notes": result.count(F.NOTE),
            "differences": result.differences,
        },
    }


def _month_dict(m: ClaimedMonth) -> dict:
    return {
        "recipient": m.recipient, "municipality": m.municipality, "user_id": m.user_id, "name": m.name,
        "claimed": m.claimed, "line": m.line, "findings": [f.as_dict() for f in m.findings],
    }


def attach(payload: dict, result: Reconcile) -> dict:
    """``check --json`` with the reconcile: each user gains ``claim`` (their 明細書 in the
    file, by line, and the findings with both values), and the payload a ``claim``
    object. Without --claim the payload is untouched."""
    for user in payload["users"]:
        mine = result.of_user(user["user_id"])
        user["claim"] = {
            "statements": [{"recipient": m.recipient, "municipality": m.municipality, "line": m.line} for m in mine if m.claimed],
            "findings": [f.as_dict() for m in mine for f in m.findings],
        }
    payload["claim"] = as_dict(result)
    return payload
