"""The office's 体制 over time, from ``teichaku.toml``: which 加算・減算 it holds in
which months (each named as the rule data let staff ``declare`` it, and kept by
its rule key), the 福祉・介護職員等処遇改善加算 it holds (class and rate), and its
地域区分単価. 減算 start and stop, and a 処遇改善計画書 is made each year, so each
may be a plain value or a list of periods of whole months::

    "就労定着実績体制加算" = true
    "情報公表未報告減算" = [{ "から" = "2025-04", "まで" = "2025-09" }]
    "地域区分単価" = [{ "から" = "2024-04", "まで" = "2025-03", "単価" = 11.1 },
                      { "から" = "2025-04", "単価" = 11.2 }]
    ["処遇改善加算"]               # or [["処遇改善加算"]] once per period, with "から"/"まで"
    "区分" = "Ⅰ"
    "加算率" = "10.3%"             # from the office's 処遇改善計画書: never guessed

A period's ``まで`` may be left out (it goes on). Months are written as the data
are (2025-04, R7.4, 令和7年4月) or as a TOML date (that date's month).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable, TypeVar

from teichaku_cli.base.dates import format_wareki_month
from teichaku_cli.base.errors import TeichakuError
from teichaku_cli.model.regime import TREATMENT_KEY, Months, Regime, Switch, TreatmentImprovement, UnitPrice
from teichaku_cli.office.values import ValueProblem, parse_month

PRICE_KEY = "地域区分単価"
PRICE_RANGE = (5, 20)  # 円/単位: outside it the value is not a unit price (a typo, 112 for 11.2)
RATE_LIMIT = Decimal("0.3")  # a 加算率 above 30 % is a typo (the class rates are of the order of 7–10 %)
FROM, TO = "から", "まで"
PERIOD_EXAMPLE = '[{ "から" = "2025-04", "まで" = "2025-09" }]'


class ConfigError(TeichakuError):
    pass


def switch_names() -> dict[str, str]:
    """The office 加算・減算 teichaku.toml may hold, from the rule data of every
    revision (``declare``): the name staff write → the rule key it binds."""
    from teichaku_cli.model.rulebook import declarable

    return declarable()


def refused_names() -> dict[str, str]:
    """減算 that do not apply to 就労定着支援, named as staff would write them → why (the rule data's source)."""
    from teichaku_cli.model.rulebook import refused

    return refused()


def toml_keys() -> tuple[str, ...]:
    """The top-level teichaku.toml keys read here (for the registry of known keys)."""
    return (*switch_names(), TREATMENT_KEY, PRICE_KEY)


def read_regime(raw: dict, path: Path) -> Regime:
    """The 体制 keys of a parsed teichaku.toml, each 加算・減算 kept by its rule key."""
    for name, reason in refused_names().items():
        if name in raw:
            raise ConfigError(f"{path}: 「{name}」は就労定着支援には適用されません（{reason}）。", f"teichaku.toml から「{name}」の行を消してください")
    switches: dict[str, Switch] = {}
    for name, key in switch_names().items():
        if name not in raw:
            continue
        if key in switches:  # two names of one item: which one holds is not ours to choose
            raise ConfigError(f"{path}: 「{switches[key].name}」と「{name}」は同じ加算・減算です。", "どちらか1つにしてください")
        switches[key] = _switch(raw[name], name, path)
    return Regime(switches, _treatment(raw.get(TREATMENT_KEY), path), _prices(raw.get(PRICE_KEY), path))


def _month(value: object, key: str, side: str, path: Path) -> date:
    try:
        month = parse_month(value) if isinstance(value, (str, date)) else None
    except ValueProblem as exc:
        raise ConfigError(f"{path}: 「{key}」の「{side}」: {exc.message}", exc.fix) from None
    if month is None:
        raise ConfigError(f"{path}: 「{key}」の「{side}」「{value}」は年月ではありません。", f'"{side}" = "2025-04" のように年月を書いてください（例: {key} = {PERIOD_EXAMPLE}）')
    return month


def _months(entry: dict, key: str, path: Path, allowed: tuple[str, ...] = ()) -> Months:
    unknown = [k for k in entry if k not in (FROM, TO, *allowed)]
    if unknown:
        known = "、".join(f"「{k}」" for k in (FROM, TO, *allowed))
        raise ConfigError(f"{path}: 「{key}」の期間に知らない項目「{unknown[0]}」があります。", f"使える項目: {known}")
    if FROM not in entry:
        raise ConfigError(f"{path}: 「{key}」の期間に「{FROM}」がありません。", f"例: {key} = {PERIOD_EXAMPLE}")
    first = _month(entry[FROM], key, FROM, path)
    last = _month(entry[TO], key, TO, path) if entry.get(TO) not in (None, "") else None
    if last is not None and last < first:
        raise ConfigError(
            f"{path}: 「{key}」の期間の「{TO}」（{format_wareki_month(last)}）が「{FROM}」（{format_wareki_month(first)}）より前です。",
            "期間の順を確かめてください",
        )
    return Months(first, last)


T = TypeVar("T")


def _periods(value: object, key: str, path: Path, make: Callable[[dict, Months], T], allowed: tuple[str, ...], example: str) -> tuple[T, ...]:
    """A list of period tables (or one table without から/まで: all months)."""
    entries = value if isinstance(value, list) else [value]
    if not entries or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{path}: 「{key}」の書き方が違います（値: {value}）。", f"例: {example}")
    found: list[tuple[Months, T]] = []
    for entry in entries:
        dated = FROM in entry or TO in entry or isinstance(value, list)
        months = _months(entry, key, path, allowed) if dated else _no_period(entry, key, path, allowed)
        for earlier, _ in found:
            if earlier.overlaps(months):
                raise ConfigError(
                    f"{path}: 「{key}」の期間（{earlier.label()} と {months.label()}）が重なっています。",
                    "1か月に1つの値になるように期間を分けてください",
                )
        found.append((months, make(entry, months)))
    return tuple(item for _, item in found)


def _no_period(entry: dict, key: str, path: Path, allowed: tuple[str, ...]) -> Months:
    unknown = [k for k in entry if k not in allowed]
    if unknown:
        raise ConfigError(f"{path}: 「{key}」に知らない項目「{unknown[0]}」があります。", "使える項目: " + "、".join(f"「{k}」" for k in (*allowed, FROM, TO)))
    return Months()


def _switch(value: object, key: str, path: Path) -> Switch:
    if value is True:
        return Switch((Months(),), key)
    if value is False:
        return Switch((), key)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return Switch(_periods(value, key, path, lambda entry, months: months, (), PERIOD_EXAMPLE), key)
    raise ConfigError(
        f"{path}: 「{key}」は true か false、または期間のリストで書いてください（値: {value}）。",
        f'例: "{key}" = true、または "{key}" = {PERIOD_EXAMPLE}',
    )


def _rate(text: object, key: str, path: Path) -> Decimal:
    shown = unicodedata.normalize("NFKC", str(text)).strip() if isinstance(text, str) else None
    fix = f'処遇改善計画書の加算率を "加算率" = "10.3%" のように % をつけて文字で書いてください（0.103 と 10.3 を取り違えないため）'
    if not shown or not shown.endswith("%"):
        raise ConfigError(f"{path}: 「{key}」の「加算率」（値: {text}）は % のついた文字ではありません。", fix)
    try:
        rate = Decimal(shown[:-1].strip()) / 100
    except InvalidOperation:
        raise ConfigError(f"{path}: 「{key}」の「加算率」「{text}」を数として読めません。", fix) from None
    if not 0 < rate < RATE_LIMIT:
        raise ConfigError(f"{path}: 「{key}」の「加算率」「{text}」は 0% より大きく {RATE_LIMIT * 100:.0f}% 未満ではありません。", fix)
    return rate


def _treatment(value: object, path: Path) -> tuple[TreatmentImprovement, ...]:
    if value is None or value is False:
        return ()
    key = TREATMENT_KEY
    example = f'["{key}"] の下に "区分" = "Ⅰ" と "加算率" = "10.3%"（期間ごとなら [["{key}"]] を期間の数だけ、それぞれに "から"/"まで"）'

    def make(entry: dict, months: Months) -> TreatmentImprovement:
        grade = entry.get("区分")
        if not isinstance(grade, str) or not grade.strip():
            raise ConfigError(f"{path}: 「{key}」の「区分」がありません。", "処遇改善計画書の区分（Ⅰ〜Ⅳ など）を書いてください")
        if "加算率" not in entry:
            raise ConfigError(
                f"{path}: 「{key}」の「加算率」がありません。teichaku は加算率を推測しません。",
                '処遇改善計画書（指定権者に届け出たもの）の加算率を "加算率" = "10.3%" のように書いてください',
            )
        return TreatmentImprovement(months, grade.strip(), _rate(entry["加算率"], key, path), str(entry["加算率"]).strip())

    return _periods(value, key, path, make, ("区分", "加算率"), example)


def _price(value: object, path: Path) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not PRICE_RANGE[0] <= value <= PRICE_RANGE[1]:
        raise ConfigError(
            f"{path}: 地域区分単価「{value}」は1単位あたりの円（例: 10.0、11.20）ではありません。",
            "地域区分に応じた単価を数値で書いてください",
        )
    return Decimal(str(value))  # 11.2 stays 11.2 (a float's binary tail would move a yen)


def _prices(value: object, path: Path) -> tuple[UnitPrice, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        return (UnitPrice(Months(), _price(value, path)),)
    example = f'"{PRICE_KEY}" = [{{ "から" = "2024-04", "まで" = "2025-03", "単価" = 11.1 }}, {{ "から" = "2025-04", "単価" = 11.2 }}]'

    def make(entry: dict, months: Months) -> UnitPrice:
        if "単価" not in entry:
            raise ConfigError(f"{path}: 「{PRICE_KEY}」の期間に「単価」がありません。", f"例: {example}")
        return UnitPrice(months, _price(entry["単価"], path))

    return _periods(value, PRICE_KEY, path, make, ("単価",), example)
