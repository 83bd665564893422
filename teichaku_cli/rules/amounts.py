"""From units to yen: what one user-month will be billed — a 見込み, since the
国保連's decision governs.

One engine for ``check`` and for ``rate``'s "what moves the tier". Each step is a
named function; its rounding, its source and, where our sources do not settle
it, the reading we chose live in the rule data (``[billing.*]`` in
``rules/data/*.toml``), never in code:

1. ``base_line``        基本報酬 (the tier's units)
2. ``addition_line``    each 加算 (the user's and the office's)
3. ``reduction_lines``  each % 減算, from the lines named in ``billing.reductions.applies_to``
4. ``treatment_line``   福祉・介護職員等処遇改善加算 = units so far × the office's 加算率
5. ``total_cost``       総費用額 = units × 地域区分単価
6. ``user_burden``      利用者負担 = min(1割, 負担上限月額), or ``managed_burden`` from 上限額管理
7. ``benefit``          給付費 = 総費用額 − 利用者負担

Money is computed in ``Decimal``: a float's binary tail (11.2 × 3512 =
39334.399…) must never move a yen, and Python's ``round`` rounds half to even,
which is not 四捨五入.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Sequence

from teichaku_cli.base.errors import TeichakuError
from teichaku_cli.base.dates import format_wareki_month

if TYPE_CHECKING:
    from teichaku_cli.model.regime import Regime, TreatmentImprovement
    from teichaku_cli.model.settings import Settings
    from teichaku_cli.model.certificates import CapResult, Certificate
    from teichaku_cli.model.rulebook import RuleSet, Step, Tier, Value

ROUNDING = {"四捨五入": ROUND_HALF_UP, "切り捨て": ROUND_DOWN}
SEPARATE, SEQUENTIAL = "別々に計算して合計", "順に乗じる"  # billing.reductions.combine
TREATMENT_KEY = "treatment_improvement"


@dataclass(frozen=True)
class UnitLine:
    key: str
    label: str
    units: int
    source: str


@dataclass(frozen=True)
class Money:
    """A user-month in yen. ``burden`` and ``benefit`` are None when they cannot be
    known (no 受給者証 data, no certificate for the month, no 負担上限月額)."""

    unit_price: Decimal
    total_cost: int
    burden: int | None
    benefit: int | None
    how: str  # how the 利用者負担 was set, for people


class BillingDataError(TeichakuError):
    pass


def rounded(value: Decimal, rounding: str) -> int:
    """To a whole unit or yen as the rule data says: 四捨五入 (half up) or 切り捨て (down)."""
    mode = ROUNDING.get(rounding)
    if mode is None:
        raise BillingDataError(f"報酬データの丸め方「{rounding}」を扱えません。", "rules/data の rounding は 四捨五入 か 切り捨て にしてください")
    return int(value.to_integral_value(rounding=mode))


# --- the steps -----------------------------------------------------------------------------


def base_line(tier: "Tier") -> UnitLine:
    """1. 基本報酬: the units of the tier the month uses."""
    return UnitLine("base", f"就労定着支援サービス費（{tier.label}）", tier.units, tier.source)


def addition_line(key: str, value: "Value") -> UnitLine:
    """2. A 加算 of fixed units (初期加算, 特別地域加算, 体制加算, 会議の加算)."""
    return UnitLine(key, value.label, value.amount, value.source)


def reduction_lines(base: int, cuts: Sequence[tuple[str, "Value"]], step: "Step") -> list[UnitLine]:
    """3. Each percentage 減算 of ``base`` (所定単位数). ``別々に計算して合計``: each
    taken from the base on its own and rounded (四捨五入), the lines then summed,
    never compounded; ``順に乗じる``: each from what the previous one left, rounded
    each time (the 留意事項通知 通則's wording). Which one is the rule data's."""
    combine = step.option("combine")
    if combine not in (SEPARATE, SEQUENTIAL):
        raise BillingDataError(f"報酬データの減算の計算方法「{combine}」を扱えません。", f"rules/data の combine は {SEPARATE} か {SEQUENTIAL} にしてください")
    lines, running = [], base
    for key, cut in cuts:
        share = Decimal(cut.amount) / 100
        if combine == SEPARATE:
            units = -rounded(base * share, step.rounding)
        else:
            after = rounded(running * (1 - share), step.rounding)
            units, running = after - running, after
        lines.append(UnitLine(key, cut.label, units, cut.source))
    return lines


def treatment_line(units_so_far: int, held: "TreatmentImprovement", name: str, step: "Step") -> UnitLine:
    """4. 処遇改善加算: the units so far (基本報酬 with every 加算・減算) × the 加算率
    the office declared, 1単位未満 as the rule data says (四捨五入)."""
    return UnitLine(TREATMENT_KEY, f"{name}（{held.grade}、{held.written}）", _treatment_units(units_so_far, held.rate, step.rounding), step.source)


@lru_cache(maxsize=4096)
def _treatment_units(units: int, rate: Decimal, rounding: str) -> int:
    return rounded(units * rate, rounding)


def total_cost(units: int, unit_price: Decimal, step: "Step") -> int:
    """5. 総費用額 = 単位 × 地域区分単価, 1円未満切り捨て."""
    return _total_cost(units, unit_price, step.rounding)


@lru_cache(maxsize=4096)
def _total_cost(units: int, unit_price: Decimal, rounding: str) -> int:
    return rounded(units * unit_price, rounding)


def one_tenth(cost: int, step: "Step") -> int:
    """The 1割 of the 総費用額 (``percent`` in the rule data), 1円未満切り捨て."""
    return _share(cost, step.option("percent"), step.rounding)


@lru_cache(maxsize=4096)
def _share(cost: int, percent: int, rounding: str) -> int:
    return rounded(Decimal(cost) * Decimal(percent) / 100, rounding)


def user_burden(cost: int, cap: int, step: "Step") -> int:
    """6. 利用者負担 = the 1割 or the 負担上限月額, whichever is less."""
    return min(one_tenth(cost, step), cap)


def managed_burden(cost: int, cap: int | None, result: "CapResult", managed_here: bool, step: "Step") -> int | None:
    """6'. 利用者負担 set by 上限額管理 (rule data: billing.cap_management.reading):
    the amount on the result when given; else 1 → the 管理事業所 charges up to the
    cap and the others nothing, 2 → each office its own 1割 (up to the cap)."""
    if result.amount is not None:
        return result.amount
    if result.result == "1" and not managed_here:
        return 0
    if result.result in ("1", "2"):
        return None if cap is None else user_burden(cost, cap, step)
    return None  # 3 without the amount: validate refuses it


def benefit(cost: int, burden: int) -> int:
    """7. 給付費 (what the 国保連 pays) = 総費用額 − 利用者負担."""
    return cost - burden


# --- composing them ------------------------------------------------------------------------


class MonthLines:
    """``unit_lines`` for one office-month, remembered per set of user 加算: the
    users of a month mostly share them, so each distinct set is computed once."""

    def __init__(self, rules: "RuleSet", regime: "Regime", month: date, tier: "Tier | None") -> None:
        self.args = (rules, regime, month, tier)
        self.made: dict[tuple[str, ...], tuple[UnitLine, ...]] = {}

    def __call__(self, user_additions: Iterable[str]) -> list[UnitLine]:
        key = tuple(user_additions)
        lines = self.made.get(key)
        if lines is None:
            lines = self.made[key] = tuple(unit_lines(*self.args, key))
        return list(lines)


def unit_lines(rules: "RuleSet", regime: "Regime", month: date, tier: "Tier | None", user_additions: Iterable[str]) -> list[UnitLine]:
    """A user-month's unit lines in billing order: 基本報酬, 減算, 加算, 処遇改善加算.
    ``user_additions`` are the keys of the user's own 加算 (初期加算, 特別地域加算,
    each meeting); the office's come from its 体制 in ``regime`` for the month, by rule
    key (a switch for an item this revision lacks adds nothing: rules/declared.py says so)."""
    head = [base_line(tier)] if tier is not None and tier.units is not None else []
    keys = list(user_additions) + [key for key in rules.additions if regime.on(key, month)]
    order = {key: i for i, key in enumerate(rules.additions)}
    additions = [addition_line(key, rules.additions[key]) for key in sorted(keys, key=order.__getitem__)]
    cuts = [(key, value) for key, value in rules.reductions.items() if regime.on(key, month)]
    step = rules.billing["reductions"]
    if head and cuts:
        applies_to = set(step.option("applies_to"))
        base = sum(line.units for line in head + additions if line.key in applies_to)
        head += _reductions(base, tuple(cuts), step)
    lines = head + additions
    held = regime.treatment_on(month)
    if held is not None:
        step = rules.billing["treatment_improvement"]
        unified = step.options.get("unified_from")
        name = step.name if unified is None or month >= unified else step.option("name_before")
        lines.append(treatment_line(sum(line.units for line in lines), held, name, step))
    return lines


@lru_cache(maxsize=256)
def _reductions(base: int, cuts: tuple, step: "Step") -> list[UnitLine]:
    return reduction_lines(base, cuts, step)


def unit_price_for(settings: "Settings", month: date) -> Decimal | None:
    """The 地域区分単価 of a month: the one written, the period's, or (none written)
    the base price; None when periods are written and none covers the month."""
    if not settings.regime.prices:
        return Decimal(str(settings.unit_price))
    return settings.regime.price_on(month)


def require_unit_price(settings: "Settings", month: date) -> Decimal:
    price = unit_price_for(settings, month)
    if price is None:
        raise TeichakuError(
            f"teichaku.toml の地域区分単価に{format_wareki_month(month)}を含む期間がありません。",
            "その月を含む期間の単価を書いてください（teichaku は単価を推測しません）",
        )
    return price


def money(
    units: int,
    unit_price: Decimal,
    rules: "RuleSet",
    kept: bool,
    certificate: "Certificate | None",
    result: "CapResult | None",
    managed_here: bool,
) -> Money:
    """Steps 5–7 for one user-month, from its units and what the certificates say."""
    cost = total_cost(units, unit_price, rules.billing["total_cost"])
    step = rules.billing["user_burden"]
    cap = certificate.cap if certificate is not None else None
    if result is not None:
        burden = managed_burden(cost, cap, result, managed_here, step)
        how = f"上限管理結果（管理結果{result.result}）" + ("の利用者負担額" if result.amount is not None else "")
    elif not kept:
        burden, how = None, "受給者証のデータがないため見込めません"
    elif certificate is None:
        burden, how = None, "この月の受給者証がないため見込めません"
    elif cap is None:
        burden, how = None, "負担上限月額が空欄のため見込めません"
    else:
        burden = user_burden(cost, cap, step)
        how = f"1割 {one_tenth(cost, step):,}円と負担上限月額 {cap:,}円の少ない方"
    if burden is None and result is not None:
        how += "（負担上限月額が空欄のため見込めません）"
    return Money(unit_price, cost, burden, None if burden is None else benefit(cost, burden), how)


def fiscal_year_months(year: int) -> list[date]:
    """The twelve claim months of fiscal year ``year`` (April … March)."""
    return [date(year, m, 1) for m in range(4, 13)] + [date(year + 1, m, 1) for m in range(1, 4)]


def tier_change_yen(settings: "Settings", now: "Tier", other: "Tier", months: Iterable[date], users: int) -> int | None:
    """``rate``'s "what moves the tier" in yen: over ``months``, the difference in
    総費用額 between ``other`` and ``now`` for ``users`` user-months a month, under
    the office's declared 体制 (its 減算, 加算 and 処遇改善加算; no user's own 加算).
    None when a tier's units or a month's 地域区分単価 are not known."""
    from teichaku_cli.model.rulebook import rules_for

    if now.units is None or other.units is None:
        return None
    total = 0
    for month in months:
        rules = rules_for(month)
        price = unit_price_for(settings, month)
        if price is None:
            return None
        step = rules.billing["total_cost"]
        costs = [total_cost(sum(l.units for l in unit_lines(rules, settings.regime, month, tier, ())), price, step) for tier in (now, other)]
        total += (costs[1] - costs[0]) * users
    return total
