"""What the office declares in teichaku.toml, checked against what its data say.

The 体制 is taken on trust when the month is billed (the 指定権者 holds the
office's 届出, not us), but a declaration the data contradict is worth a word
before the claim goes out: a 就労定着実績体制加算 the data do not support, a
基本報酬区分 other than the one the data give, a period naming months the data do
not reach. Each is an office-level warning, said once.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from teichaku_cli.base.dates import format_wareki_month
from teichaku_cli.rules import findings as F
from teichaku_cli.base.dates import fiscal_year

if TYPE_CHECKING:
    from teichaku_cli.model.office import Office
    from teichaku_cli.model.rulebook import RuleSet


def declared_findings(office: "Office", month: date, rules: "RuleSet", today: date) -> list[F.Finding]:
    return _retention_record(office, month, rules) + _base_tier(office, month, rules, today) + _periods_outside_data(office, rules)


def _retention_record(office: "Office", month: date, rules: "RuleSet") -> list[F.Finding]:
    """就労定着実績体制加算 declared for the month while the data, as ``teichaku rate``
    reads them for the fiscal year before, do not meet its criterion."""
    from teichaku_cli.rules.retention import retention_record

    addition = rules.additions.get("retention_record")
    if addition is None or not office.settings.regime.on(addition.label, month):
        return []
    closing = fiscal_year(month) - 1
    record = retention_record(office, closing)
    if record.qualifies:
        return []
    return [
        F.make(
            "retention-record-not-met",
            rules.source("retention_record_threshold"),
            addition=addition.label,
            fiscal_year=closing + 1,
            closing_year=closing,
            numerator=record.numerator,
            denominator=record.denominator,
            threshold=f"{record.threshold * 100}%",
        )
    ]


def _base_tier(office: "Office", month: date, rules: "RuleSet", today: date) -> list[F.Finding]:
    """A declared 基本報酬区分 that differs from the tier the data give."""
    from teichaku_cli.rules.retention import compute_rate

    declared = office.settings.base_tier.replace(" ", "")
    if not declared:
        return []
    closing = fiscal_year(month) - 1
    result = compute_rate(office, closing, today)
    if result.rate is None or result.tier is None or result.tier.label.replace(" ", "") == declared:
        return []
    shown = f"{result.numerator}/{result.denominator}、{float(result.rate * 100):.1f}%、{closing}年度末" + ("、年度末前の見込み" if result.projection else "")
    return [F.make("base-tier-differs", rules.source("rate"), declared=office.settings.base_tier, computed=result.tier.label, rate=shown, closing_year=closing)]


def data_months(office: "Office") -> tuple[date, date] | None:
    """The first and last month the data reach: from the earliest 利用開始日 or
    支援記録 to the latest 支援記録."""
    users, contacts = office.users["利用開始日"], office.contacts["日付"]
    if contacts.empty:
        return None
    first = min(users.min(), contacts.min()) if not users.empty else contacts.min()
    return first.date().replace(day=1), contacts.max().date().replace(day=1)


def _periods_outside_data(office: "Office", rules: "RuleSet") -> list[F.Finding]:
    span = data_months(office)
    if span is None:
        return []
    first, last = span
    found = []
    for setting, months in office.settings.regime.periods():
        if (months.first is not None and months.first < first) or (months.last is not None and months.last > last):
            found.append(
                F.make(
                    "setting-period-outside-data",
                    rules.source("reductions"),
                    setting=setting,
                    period=months.label(),
                    data_first=format_wareki_month(first),
                    data_last=format_wareki_month(last),
                )
            )
    return found
