"""Rule sets as data: one TOML file per 報酬改定 under ``rules/data/``, each with the
date it takes effect and the source of every number: the document and section,
in words, as people read it (docs/sources.md lists the documents).

Code asks ``rules_for(day)`` and reads values from the result; no fee, limit or
cap is written in code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import lru_cache
from importlib import resources

from teichaku_cli.base.errors import TeichakuError
from teichaku_cli.base.dates import BACKWARD, EVENT_DAY, FORWARD, NEXT_DAY, PeriodRule


@dataclass(frozen=True)
class Value:
    amount: int
    source: str
    label: str = ""
    unit: str = ""


@dataclass(frozen=True, eq=False)  # hashed by identity: rule sets are loaded once
class Step:
    """One step from units to yen: its name, rounding (四捨五入 / 切り捨て), source,
    the reading we chose where the sources are silent, and its own settings."""

    name: str
    source: str
    rounding: str = ""
    reading: str = ""
    options: dict = field(default_factory=dict)

    def option(self, key: str):
        return self.options[key]


@dataclass(frozen=True)
class Tier:
    """One row of the base fee table: rates from ``min_rate`` up earn ``units``."""

    min_rate: Fraction
    label: str
    units: int | None  # None: not in our sources ("not available")
    source: str


@dataclass(frozen=True)
class RuleSet:
    id: str
    name: str
    effective_from: date
    effective_to: date | None
    notice: str
    rate_wording: str  # "started" (利用を開始した, R6) or "received" (受けた, R3)
    rate_wording_source: str
    bands: tuple[tuple[int | None, str], ...]  # (max users, label); (None, label) = no upper bound
    tiers: dict[str, tuple[Tier, ...]]  # band label → tiers, highest first
    limits: dict[str, Value]
    additions: dict[str, Value]
    reductions: dict[str, Value]  # percentage 減算 of the office's 体制 (amount: % of the base)
    not_applicable: dict[str, Value]  # 減算 that do not apply to 就労定着支援 (label, source)
    billing: dict[str, Step]  # units → yen, step by step (rules/amounts.py)
    periods: dict[str, PeriodRule]

    def limit(self, key: str) -> int:
        return self.limits[key].amount

    def period(self, key: str) -> PeriodRule:
        """A named period (eligibility, plan_review, job_change…), counted as its rule file says."""
        return self.periods[key]

    def source(self, key: str) -> str:
        if key == "rate":  # what the tier is decided from
            return self.rate_wording_source
        if key in self.periods:
            return self.periods[key].source
        if key in self.billing:
            return self.billing[key].source
        return (self.limits.get(key) or self.additions.get(key) or self.reductions[key]).source

    def band_for(self, average_users: Fraction | None) -> str:
        """The user-count band (R3); a rule set without bands has one, ``全事業所``."""
        if len(self.bands) == 1 or average_users is None:
            return self.bands[0][1]
        for limit, label in self.bands:
            if limit is None or average_users <= limit:
                return label
        return self.bands[-1][1]

    def tier_for(self, rate: Fraction, band: str) -> Tier:
        return next(t for t in self.tiers[band] if rate >= t.min_rate)


# The revisions' data live beside the rules that use them (rules/data/*.toml); read as a
# folder of the installed package, so the model imports nothing of the rules layer.
DATA = resources.files("teichaku_cli").joinpath("rules", "data")


class RulesUnavailable(TeichakuError):
    pass


def _tier(raw: dict) -> Tier:
    return Tier(Fraction(raw["min_percent"]) / 100, raw["label"], raw.get("units"), raw["source"])


def _values(raw: dict) -> dict[str, Value]:
    return {k: Value(v.get("amount", 0), v["source"], v.get("label", ""), v.get("unit", "")) for k, v in raw.items()}


def _steps(raw: dict) -> dict[str, Step]:
    common = ("name", "source", "rounding", "reading")
    return {
        k: Step(v["name"], v["source"], v.get("rounding", ""), v.get("reading", ""), {o: x for o, x in v.items() if o not in common})
        for k, v in raw.items()
    }


def _periods(raw: dict) -> dict[str, PeriodRule]:
    periods = {}
    for key, v in raw.items():
        if v["direction"] not in (FORWARD, BACKWARD) or v["day1"] not in (EVENT_DAY, NEXT_DAY) or (v["direction"] == BACKWARD and v["day1"] != EVENT_DAY):
            raise ValueError(f"rule data: period {key} has an unknown counting")  # a packaging fault, caught by the tests
        periods[key] = PeriodRule(key, v["months"], v["direction"], v["day1"], v["reading"], v["why"], v["source"])
    return periods


@lru_cache(maxsize=1)
def all_rule_sets() -> tuple[RuleSet, ...]:
    files = sorted(p for p in DATA.iterdir() if p.name.endswith(".toml"))
    raws = sorted((tomllib.loads(p.read_text(encoding="utf-8")) for p in files), key=lambda r: r["effective_from"])
    sets = []
    for i, raw in enumerate(raws):
        following = raws[i + 1]["effective_from"] if i + 1 < len(raws) else None
        bands = tuple((b.get("max_users"), b["label"]) for b in raw["bands"])
        sets.append(
            RuleSet(
                id=raw["id"],
                name=raw["name"],
                effective_from=raw["effective_from"],
                effective_to=date.fromordinal(following.toordinal() - 1) if following else None,
                notice=raw["notice"],
                rate_wording=raw["rate"]["wording"],
                rate_wording_source=raw["rate"]["source"],
                bands=bands,
                tiers={b["label"]: tuple(_tier(t) for t in b["tiers"]) for b in raw["bands"]},
                limits=_values(raw["limits"]),
                additions=_values(raw["additions"]),
                reductions=_values(raw.get("reductions", {})),
                not_applicable=_values(raw.get("not_applicable", {})),
                billing=_steps(raw["billing"]),
                periods=_periods(raw["periods"]),
            )
        )
    return tuple(sets)


def rules_for(day: date) -> RuleSet:
    """The rule set in force on ``day`` (a claim month is judged by its first day)."""
    for rules in reversed(all_rule_sets()):
        if day >= rules.effective_from:
            return rules
    first = all_rule_sets()[0]
    raise RulesUnavailable(
        f"{day.year}年{day.month}月は、teichaku が扱う報酬改定（{first.name}、{first.effective_from.year}年{first.effective_from.month}月から）より前です。",
        f"{first.effective_from.year}年{first.effective_from.month}月以降の月を指定してください",
    )


def with_fee_table(rules: RuleSet, band: str, path) -> RuleSet:
    """Fill a band's unknown units from an office-supplied TOML table:

        source = "…（どの通知の何ページか）"
        [[tiers]]
        min_percent = 95
        units = 3300
        …（7行すべて）
    """
    import dataclasses
    from pathlib import Path

    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise RulesUnavailable(f"報酬表 {path} が見つかりません。", "--fee-table のパスを確かめてください") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesUnavailable(f"報酬表 {path} を読めません（{exc}）。", "UTF-8 の TOML で書いてください") from None
    given = {Fraction(t.get("min_percent", -1)) / 100: t.get("units") for t in raw.get("tiers", [])}
    expected = [t.min_rate for t in rules.tiers[band]]
    if sorted(given) != sorted(expected) or not all(isinstance(u, int) and u > 0 for u in given.values()):
        shown = "、".join(f"{t.min_rate * 100}%" for t in rules.tiers[band])
        raise RulesUnavailable(
            f"報酬表 {path} の区分が{rules.name}と合いません。",
            f"[[tiers]] を min_percent（{shown}）ごとに1つずつ、units を正の整数で書いてください",
        )
    source = f"{path.name}: {raw.get('source', '事業所が指定した報酬表')}"
    tiers = tuple(dataclasses.replace(t, units=given[t.min_rate], source=source) for t in rules.tiers[band])
    return dataclasses.replace(rules, tiers={**rules.tiers, band: tiers})
