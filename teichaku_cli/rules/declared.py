"""What the office declares in teichaku.toml, checked against what its data say
and against the rule set of the month.

The 体制 is taken on trust when the month is billed (the 指定権者 holds the
office's 届出, not us), but a declaration the data contradict is worth a word
before the claim goes out: a 就労定着実績体制加算 the data do not support, a
基本報酬区分 other than the one the data give, a period naming months the data do
not reach. Each is an office-level warning, said once.

A declaration the month's revision has no place for is never dropped silently
either, and said as a note: a 加算・減算 the revision lacks (an R6 減算 over an R3
month: not counted that month), a 処遇改善加算 区分 that is none of the revision's
classes (counted at the declared rate, with the nearest class names). So is a
revision that carries its predecessor's values on teichaku's reading (R8.6).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from teichaku_cli.base.dates import format_wareki_month
from teichaku_cli.rules import findings as F
from teichaku_cli.base.dates import fiscal_year
from teichaku_cli.model.schema import C

if TYPE_CHECKING:
    from teichaku_cli.model.office import Office
    from teichaku_cli.model.rulebook import RuleSet


def declared_findings(office: "Office", month: date, rules: "RuleSet", today: date) -> list[F.Finding]:
    return (
        _carried_over(month, rules)
        + _switches_outside_revision(office, month, rules)
        + _treatment_class(office, month, rules)
        + _retention_record(office, month, rules)
        + _base_tier(office, month, rules, today)
        + _periods_outside_data(office, rules)
    )


def _carried_over(month: date, rules: "RuleSet") -> list[F.Finding]:
    """A revision whose values are its predecessor's until its own tables are checked (the rule data's carry_over)."""
    if rules.carry_over is None:
        return []
    return [F.make("rules-carried-over", rules.carry_over.source, month=format_wareki_month(month), revision=rules.name, reading=rules.carry_over.reading)]


def _switches_outside_revision(office: "Office", month: date, rules: "RuleSet") -> list[F.Finding]:
    """A 加算・減算 declared for the month that the month's revision does not have:
    the amounts leave it out (they ask the revision's items by key); this says so."""
    from teichaku_cli.model.rulebook import OFFICE, all_rule_sets

    found = []
    for key, switch in office.settings.regime.switches.items():
        if not switch.on(month) or key in rules.additions or key in rules.reductions:
            continue
        reduction = any(key in other.reductions for other in all_rule_sets())
        present = [v.label for k, v in (rules.reductions if reduction else rules.additions).items() if reduction or v.level == OFFICE]
        found.append(
            F.make(
                "setting-not-in-revision",
                rules.source("reductions") if reduction else rules.notice,
                setting=switch.name,
                month=format_wareki_month(month),
                revision=rules.name,
                kind="減算" if reduction else "加算",
                present="、".join(present) or "なし",
            )
        )
    return found


_ROMAN = frozenset("IVX")


def _plain(text: str) -> str:
    """A 区分 as compared: NFKC (Ⅰ → I), without the addition's name, brackets, dots or spaces."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", text).rpartition("加算")[2]
    return re.sub(r"[()（）・･\-‐－\s]", "", text).upper()


def _extends(longer: str, shorter: str) -> bool:
    """「Iイ」 extends 「I」 (a sub-class letter added); 「II」 does not (another numeral)."""
    return bool(shorter) and len(longer) > len(shorter) and longer.startswith(shorter) and longer[len(shorter)] not in _ROMAN


def _treatment_class(office: "Office", month: date, rules: "RuleSet") -> list[F.Finding]:
    """The 区分 declared for the month's 処遇改善加算 when it is none of the classes the
    revision names for that month: a note with the nearest (「Ⅰ」 in R8.6 → （Ⅰ）イ・（Ⅰ）ロ).
    The 区分 stays the office's free text and the declared rate is used as written."""
    from teichaku_cli.base.errors import did_you_mean, near_misses

    held = office.settings.regime.treatment_on(month)
    classes = rules.treatment_classes_on(month)
    if held is None or not classes:
        return []
    grade = _plain(held.grade)
    plain = {_plain(c.name): c.short for c in classes}
    if grade in plain:
        return []
    near = [short for name, short in plain.items() if _extends(name, grade) or _extends(grade, name)]
    near = near or [plain[name] for name in near_misses(grade, plain)]
    return [
        F.make(
            "treatment-class-unknown",
            "／".join(dict.fromkeys(c.source for c in classes)),
            grade=held.grade,
            month=format_wareki_month(month),
            revision=rules.name,
            classes="".join(f"「{short}」" for short in plain.values()),
            near=did_you_mean(near),
            rate=held.written,
        )
    ]


def _retention_record(office: "Office", month: date, rules: "RuleSet") -> list[F.Finding]:
    """就労定着実績体制加算 declared for the month while the data, as ``teichaku rate``
    reads them for the fiscal year before, do not meet its criterion."""
    from teichaku_cli.rules.retention import retention_record

    addition = rules.additions.get("retention_record")
    if addition is None or not office.settings.regime.on("retention_record", month):
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
    users, contacts = office.users[C.SERVICE_START], office.contacts[C.DATE]
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
