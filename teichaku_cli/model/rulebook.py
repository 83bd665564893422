"""Rule sets as data: one TOML file per 報酬改定 under ``rules/data/``, each with the
date it takes effect and the source of every number: the document and section,
in words, as people read it (docs/sources.md lists the documents).

``r3.toml`` is the whole base. Every later file names the revision it extends
(``extends = "R3"``) and states only what it changes, item by item: an item it
names is merged field by field over the one it extends (a changed value must
state its own ``source``: a number never borrows its predecessor's citation), a
new item is taken whole, and ``removes = ["bands.…", …]`` drops what a revision
abolished. The resolved rule sets are what the code sees; tests/test_rulebook.py
holds them to the values the full files gave.

Code asks ``rules_for(day)`` and reads values from the result; no fee, limit or
cap is written in code. An office's 加算・減算 in teichaku.toml are bound to items by
their rule key through the names each item lets staff ``declare``, never by the
display ``label``.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import lru_cache
from importlib import resources

from teichaku_cli.base.errors import TeichakuError
from teichaku_cli.base.dates import BACKWARD, EVENT_DAY, FORWARD, NEXT_DAY, PeriodRule

OFFICE, USER = "office", "user"  # who an addition is earned by: the office's 体制, or a user's month


@dataclass(frozen=True)
class Value:
    amount: int
    source: str
    label: str = ""
    unit: str = ""
    level: str = ""  # additions: OFFICE (its 体制, declared in teichaku.toml) or USER (a user's month earns it)
    condition: str = ""  # a USER addition: the situation that earns it (rules/additions.py)
    declare: tuple[str, ...] = ()  # the teichaku.toml names staff write to declare it (office 加算・減算)


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
class ClaimReading:
    """How one value of the 国保連 claim file is read against the records: the
    item of the インタフェース仕様書 it concerns, what in the records gives it, the
    source, and the reading teichaku chose where the sources do not settle it
    (rules/record_sheet.py and rules/claim.py ask these; docs/check.md shows them).
    ``options`` hold the codes the spec gives a field (算定日数 1, 定着支援連携促進加算 1/2)."""

    key: str
    name: str
    item: str  # the spec's record and 項番 (or the records' columns) it concerns
    source: str
    reading: str
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
class TreatmentClass:
    """A class (区分) of the 福祉・介護職員等処遇改善加算 a revision names, and the
    months it exists in (the R6 (Ⅴ) ended on 2025-03-31). The office still declares
    its own class and rate: the names let check say 「もしかして」 to a 区分 that is none."""

    key: str
    name: str
    source: str
    first: date | None = None
    last: date | None = None

    def covers(self, month: date) -> bool:
        return (self.first is None or self.first <= month) and (self.last is None or month <= self.last)

    @property
    def short(self) -> str:
        """The class without the addition's name: 「（Ⅰ）イ」 of 「福祉・介護職員等処遇改善加算（Ⅰ）イ」."""
        return self.name.rpartition("加算")[2] or self.name


@dataclass(frozen=True)
class Document:
    """A document a revision's values rest on, as the rule data cite it. ``standing``:
    primary (read by teichaku) or secondary (known to teichaku only through another's reading)."""

    key: str
    title: str
    standing: str
    published: date | None = None
    url: str = ""
    sha256: str = ""
    note: str = ""


@dataclass(frozen=True)
class CarryOver:
    """What a revision takes over from the one it extends without a source of its own
    (teichaku's reading until its tables are checked): said to staff in its months."""

    reading: str
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
    extends: str = ""  # the revision this one states its differences to ("" for the base)
    treatment_classes: dict[str, TreatmentClass] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    carry_over: CarryOver | None = None
    claim: dict[str, ClaimReading] = field(default_factory=dict)  # the claim file against the records (its 実績記録票 too)

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
        if key in self.claim:
            return self.claim[key].source
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

    def switches(self) -> dict[str, str]:
        """The office 加算・減算 of this revision: teichaku.toml name → rule key."""
        items = [*((k, v) for k, v in self.additions.items() if v.level == OFFICE), *self.reductions.items()]
        return {name: key for key, value in items for name in value.declare}

    def treatment_classes_on(self, month: date) -> tuple[TreatmentClass, ...]:
        """The 処遇改善加算 classes that exist in ``month`` (none named: the 区分 is the office's free text)."""
        return tuple(c for c in self.treatment_classes.values() if c.covers(month))


# The revisions' data live beside the rules that use them (rules/data/*.toml); read as a
# folder of the installed package, so the model imports nothing of the rules layer.
DATA = resources.files("teichaku_cli").joinpath("rules", "data")


class RulesUnavailable(TeichakuError):
    pass


class RuleDataError(ValueError):
    """A fault in the packaged rule files (caught by the tests, never by staff)."""


# --- revisions as differences --------------------------------------------------------------

# The keyed collections a revision merges item by item; a band's tiers are one too.
COLLECTIONS = ("bands", "limits", "additions", "reductions", "not_applicable", "billing", "periods", "treatment_classes", "documents", "claim")
SINGLE_ITEMS = ("rate", "carry_over")  # one item each, merged field by field
OWN = ("id", "name", "effective_from")  # every file states these: they are not inherited
DIRECTIVES = ("extends", "removes")
TOP_LEVEL = (*OWN, *DIRECTIVES, "notice", *SINGLE_ITEMS, *COLLECTIONS)
# Fields that are words about a value, not the value: changing them alone needs no new source.
WORDING = ("label", "unit", "reading", "why")


def _fault(where: str, what: str) -> RuleDataError:
    return RuleDataError(f"rule data {where}: {what}")


def _merge_item(base: dict, changes: dict, where: str) -> dict:
    """One item of a revision over the same item of the one it extends, field by
    field. A changed value (anything but its wording) needs its own ``source``."""
    merged = dict(base)
    for name, value in changes.items():
        if name == "tiers":
            merged[name] = _merge_collection(base.get(name, {}), value, f"{where}.tiers")
        else:
            merged[name] = value
    changed = [n for n, v in changes.items() if n not in ("source", "tiers", *WORDING) and base.get(n) != v]
    if changed and "source" in base and "source" not in changes:
        raise _fault(where, f"changes {changed} but keeps the source of the revision it extends; state the source of the new value")
    return merged


def _merge_collection(base: dict, changes: dict, where: str) -> dict:
    merged = dict(base)
    for key, item in changes.items():
        if not isinstance(item, dict):
            raise _fault(f"{where}.{key}", "is not a table")
        merged[key] = _merge_item(base[key], item, f"{where}.{key}") if key in base else item
    return merged


def _remove(resolved: dict, path: str, where: str) -> None:
    """Drop an item the revision abolished (``bands.users_up_to_20``); naming nothing is a fault."""
    *parents, last = path.split(".")
    node = resolved
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict) or last not in node:
        raise _fault(where, f"removes {path!r}, which the revision it extends does not have")
    del node[last]


def _resolve(raw: dict, base: dict | None, where: str) -> dict:
    unknown = [k for k in raw if k not in TOP_LEVEL]
    if unknown:
        raise _fault(where, f"unknown keys {unknown}")
    missing = [k for k in OWN if k not in raw]
    if missing:
        raise _fault(where, f"lacks {missing}")
    if base is None:
        if "removes" in raw:
            raise _fault(where, "removes items but extends no revision")
        return {k: v for k, v in raw.items() if k not in DIRECTIVES}
    resolved = copy.deepcopy({k: v for k, v in base.items() if k not in OWN})
    for path in raw.get("removes", ()):
        _remove(resolved, path, where)
    for key, value in raw.items():
        if key in OWN or key == "notice":
            resolved[key] = value
        elif key in SINGLE_ITEMS:
            resolved[key] = _merge_item(resolved[key], value, f"{where}.{key}") if key in resolved else value
        elif key in COLLECTIONS:
            resolved[key] = _merge_collection(resolved.get(key, {}), value, f"{where}.{key}")
    return resolved


# --- from the resolved tables to typed values ----------------------------------------------

VALUE_FIELDS = ("amount", "source", "label", "unit", "level", "condition", "declare")


def _values(raw: dict, kind: str, rid: str) -> dict[str, Value]:
    values = {}
    for key, v in raw.items():
        where = f"{rid} {kind}.{key}"
        unknown = [f for f in v if f not in VALUE_FIELDS]
        if unknown or "source" not in v:
            raise _fault(where, f"unknown fields {unknown}" if unknown else "has no source")
        declare = v.get("declare", [])
        if not isinstance(declare, list) or not all(isinstance(n, str) and n for n in declare):
            raise _fault(where, "declare is a list of teichaku.toml names")
        value = Value(v.get("amount", 0), v["source"], v.get("label", ""), v.get("unit", ""), v.get("level", ""), v.get("condition", ""), tuple(declare))
        if kind == "additions":
            if value.level not in (OFFICE, USER):
                raise _fault(where, f"level is {OFFICE!r} or {USER!r}")
            if value.level == USER and (not value.condition or value.declare):
                raise _fault(where, "a user addition names its condition and is not declared")
            if value.level == OFFICE and (value.condition or not value.declare):
                raise _fault(where, "an office addition is declared (declare = [...]) and has no condition")
        elif kind in ("reductions", "not_applicable") and not value.declare:
            raise _fault(where, "a 減算 names the teichaku.toml key it is declared by (declare = [...])")
        elif kind == "limits" and (value.declare or value.level or value.condition):
            raise _fault(where, "a limit is neither declared nor earned")
        values[key] = value
    return values


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


def _bands(raw: dict, rid: str) -> tuple[tuple[tuple[int | None, str], ...], dict[str, tuple[Tier, ...]]]:
    """Bands in file order, each band's tiers keyed by their lowest rate in % (``tiers.95``), highest first."""
    if not raw:
        raise _fault(rid, "has no bands")
    bands, tiers = [], {}
    for key, band in raw.items():
        _fields(band, ("max_users", "label", "tiers"), f"{rid} bands.{key}")
        for percent, tier in band.get("tiers", {}).items():
            _fields(tier, ("label", "units", "source"), f"{rid} bands.{key}.tiers.{percent}")
        rows = [Tier(Fraction(percent) / 100, t["label"], t.get("units"), t["source"]) for percent, t in band["tiers"].items()]
        if not rows or min(t.min_rate for t in rows) != 0:
            raise _fault(f"{rid} bands.{key}", "its tiers do not reach down to 0%")
        bands.append((band.get("max_users"), band["label"]))
        tiers[band["label"]] = tuple(sorted(rows, key=lambda t: t.min_rate, reverse=True))
    return tuple(bands), tiers


def _natural(name: str) -> list:
    """（Ⅰ）イ before （Ⅱ）, （Ⅴ）（２） before （Ⅴ）（１０）: Roman numerals sort by code point, numbers by value."""
    import re
    import unicodedata

    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", unicodedata.normalize("NFKC", name))]


def _treatment_classes(raw: dict, rid: str) -> dict[str, TreatmentClass]:
    for k, v in raw.items():
        _fields(v, ("name", "source", "from", "until"), f"{rid} treatment_classes.{k}")
    classes = [TreatmentClass(k, v["name"], v["source"], v.get("from"), v.get("until")) for k, v in raw.items()]
    return {c.key: c for c in sorted(classes, key=lambda c: _natural(c.name))}


def _fields(item: dict, allowed: tuple[str, ...], where: str) -> None:
    """An item holds only the fields its kind has: a stray one (a directive under a table) is a fault."""
    unknown = [f for f in item if f not in allowed]
    if unknown:
        raise _fault(where, f"unknown fields {unknown}")


def _claim_readings(raw: dict, rid: str) -> dict[str, ClaimReading]:
    found = {}
    for k, v in raw.items():
        where = f"{rid} claim.{k}"
        missing = [f for f in ("name", "item", "source", "reading") if not v.get(f)]
        if missing:
            raise _fault(where, f"lacks {missing}")
        found[k] = ClaimReading(k, v["name"], v["item"], v["source"], v["reading"], {o: x for o, x in v.items() if o not in ("name", "item", "source", "reading")})
    return found


def _documents(raw: dict, rid: str) -> dict[str, Document]:
    found = {}
    for k, v in raw.items():
        _fields(v, ("title", "standing", "published", "url", "sha256", "note"), f"{rid} documents.{k}")
        if v.get("standing") not in ("primary", "secondary"):
            raise _fault(f"{rid} documents.{k}", "standing is 'primary' or 'secondary'")
        found[k] = Document(k, v["title"], v["standing"], v.get("published"), v.get("url", ""), v.get("sha256", ""), v.get("note", ""))
    return found


def _rule_set(raw: dict, effective_to: date | None) -> RuleSet:
    rid = raw["id"]
    bands, tiers = _bands(raw["bands"], rid)
    carry = raw.get("carry_over")
    _fields(raw["rate"], ("wording", "source"), f"{rid} rate")
    if carry is not None:
        _fields(carry, ("reading", "source"), f"{rid} carry_over")
    for key, period in raw["periods"].items():
        _fields(period, ("months", "direction", "day1", "reading", "why", "source"), f"{rid} periods.{key}")
    return RuleSet(
        id=rid,
        name=raw["name"],
        effective_from=raw["effective_from"],
        effective_to=effective_to,
        notice=raw["notice"],
        rate_wording=raw["rate"]["wording"],
        rate_wording_source=raw["rate"]["source"],
        bands=bands,
        tiers=tiers,
        limits=_values(raw["limits"], "limits", rid),
        additions=_values(raw["additions"], "additions", rid),
        reductions=_values(raw.get("reductions", {}), "reductions", rid),
        not_applicable=_values(raw.get("not_applicable", {}), "not_applicable", rid),
        billing=_steps(raw["billing"]),
        periods=_periods(raw["periods"]),
        extends=raw.get("extends", ""),
        treatment_classes=_treatment_classes(raw.get("treatment_classes", {}), rid),
        documents=_documents(raw.get("documents", {}), rid),
        carry_over=CarryOver(carry["reading"], carry["source"]) if carry else None,
        claim=_claim_readings(raw.get("claim", {}), rid),
    )


def read_rule_files(folder) -> tuple[RuleSet, ...]:
    """Every revision in ``folder``, each resolved over the one it extends, in the order they take effect."""
    raws = sorted((tomllib.loads(p.read_text(encoding="utf-8")) | {"__file": p.name} for p in folder.iterdir() if p.name.endswith(".toml")), key=lambda r: r["effective_from"])
    resolved: dict[str, dict] = {}
    for raw in raws:
        where = raw.pop("__file")
        parent = raw.get("extends")
        if parent is not None and parent not in resolved:
            raise _fault(where, f"extends {parent!r}, which is no earlier revision")
        if raw["id"] in resolved:
            raise _fault(where, f"a second revision {raw['id']!r}")
        resolved[raw["id"]] = _resolve(raw, resolved[parent] if parent else None, where) | ({"extends": parent} if parent else {})
    ordered = list(resolved.values())
    sets = []
    for i, raw in enumerate(ordered):
        following = ordered[i + 1]["effective_from"] if i + 1 < len(ordered) else None
        sets.append(_rule_set(raw, date.fromordinal(following.toordinal() - 1) if following else None))
    _check_bindings(sets)
    return tuple(sets)


def _check_bindings(sets: list[RuleSet]) -> None:
    """A teichaku.toml name binds one rule key in every revision, and is not both declared and refused."""
    bound: dict[str, str] = {}
    refused = {name for rules in sets for value in rules.not_applicable.values() for name in value.declare}
    for rules in sets:
        for name, key in rules.switches().items():
            if bound.setdefault(name, key) != key:
                raise _fault(rules.id, f"{name!r} binds {key!r} here and {bound[name]!r} elsewhere")
            if name in refused:
                raise _fault(rules.id, f"{name!r} is both declared and refused")


@lru_cache(maxsize=1)
def all_rule_sets() -> tuple[RuleSet, ...]:
    return read_rule_files(DATA)


@lru_cache(maxsize=1)
def declarable() -> dict[str, str]:
    """Every office 加算・減算 staff may declare in teichaku.toml, in any revision: name → rule key."""
    return {name: key for rules in all_rule_sets() for name, key in rules.switches().items()}


@lru_cache(maxsize=1)
def refused() -> dict[str, str]:
    """Names of 減算 that do not apply to 就労定着支援 (in any revision) → the source that says so."""
    return {name: value.source for rules in all_rule_sets() for value in rules.not_applicable.values() for name in value.declare}


def clear_caches() -> None:
    """Forget the loaded rule files (tests that load a changed copy)."""
    for cached in (all_rule_sets, declarable, refused):
        cached.cache_clear()


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
