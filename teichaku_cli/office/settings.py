"""Office settings from ``teichaku.toml``.

Looked for with ``--config``, else beside DATA (next to the workbook, or inside
the CSV folder), else in the current folder. Every key is optional.

    "事業所名" = "ひだまり就労定着センター"   # TOML needs quotes around Japanese keys
    "事業所番号" = "1312345678"
    "地域区分単価" = 11.20        # 円/単位 (the office's 地域区分)
    "指定日" = 2019-04-01
    "基本報酬区分" = "9割以上9割5分未満"  # optional: else computed from the data
    "就労定着実績体制加算" = true          # office-level 加算・減算: true / false / periods
    "情報公表未報告減算" = [{ "から" = "2025-04", "まで" = "2025-09" }]
    data = "office.xlsx"         # so commands run with no DATA argument

    ["処遇改善加算"]             # class and rate from the office's 処遇改善計画書 (office/regime.py)
    "区分" = "Ⅰ"
    "加算率" = "10.3%"
    [columns]                    # an export's own header → canonical header
    "利用者番号" = "利用者ID"
    [columns."支援記録"]          # only for one sheet
    "対応日" = "日付"
    [sheets]                   # an export's own sheet / CSV name → canonical
    "支援経過" = "支援記録"
    [templates]                # an office's restyled copies of the bundled templates
    "支援レポート" = "様式/支援レポート.xlsx"
    "事業主と共有する項目" = ["事業主の取組", "共有事項"]   # 支援レポート fields an employer copy may show
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from teichaku_cli.office.regime import PRICE_KEY, ConfigError, Regime, read_regime
from teichaku_cli.office.schema import EMPLOYER_FIELDS, REPORT_FIELDS
from teichaku_cli.office.values import ValueProblem, parse_date

CONFIG_NAME = "teichaku.toml"
EMPLOYER_FIELDS_KEY = "事業主と共有する項目"
DEFAULT_UNIT_PRICE = 10.0  # 円/単位 for その他 地域 (the base rate)


@dataclass(frozen=True)
class Settings:
    office_name: str = ""
    office_number: str = ""
    unit_price: float = DEFAULT_UNIT_PRICE  # the one written, or the latest period's
    unit_price_set: bool = False
    designated_on: date | None = None
    data: Path | None = None
    columns: dict[str, str] = field(default_factory=dict)
    sheet_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)
    base_tier: str = ""  # 基本報酬区分 when the office sets it instead of computing the rate
    regime: Regime = field(default_factory=Regime)  # office 加算・減算, 処遇改善加算, 地域区分単価 over time
    templates: dict[str, Path] = field(default_factory=dict)  # 支援レポート / 就労定着支援計画 → an office's own copy
    employer_fields: tuple[str, ...] = EMPLOYER_FIELDS  # 支援レポート fields an employer copy may show
    path: Path | None = None

    def column_map(self, table: str) -> dict[str, str]:
        return {**self.columns, **self.sheet_columns.get(table, {})}


def find_config(data: Path | None, explicit: Path | None) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"設定ファイル {explicit} が見つかりません。", "--config のパスを確かめてください")
        return explicit
    candidates = []
    if data is not None:
        candidates.append((data if data.is_dir() else data.parent) / CONFIG_NAME)
    candidates.append(Path.cwd() / CONFIG_NAME)
    return next((c for c in candidates if c.is_file()), None)


def load_settings(path: Path | None) -> Settings:
    if path is None:
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: UTF-8 で読めません。", "設定ファイルは UTF-8 で保存してください") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: 書式の誤りがあります（{exc}）。",
            '日本語の項目名は "事業所名" = "…" のように " で囲み、文字の値も " で囲んでください',
        ) from None

    def text(key: str) -> str:
        value = raw.get(key, "")
        if not isinstance(value, (str, int)):
            raise ConfigError(f"{path}: 「{key}」は文字で書いてください。")
        return str(value)

    from teichaku_cli.rules.ruleset import all_rule_sets

    not_applicable = {v.label: v.source for rules in all_rule_sets() for v in rules.not_applicable.values()}
    regime = read_regime(raw, path, not_applicable)
    designated = raw.get("指定日")
    try:
        designated = parse_date(designated) if designated is not None else None
    except ValueProblem as exc:
        raise ConfigError(f"{path}: 指定日: {exc.message}", exc.fix) from None

    def table(key: str, example: str) -> dict:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: 「{key}」は [{key}] の表で書いてください（値: {value}）。", f"例: [{key}] の下に {example}")
        return value

    columns: dict[str, str] = {}
    sheet_columns: dict[str, dict[str, str]] = {}
    for key, value in table("columns", '"利用者番号" = "利用者ID"').items():
        if isinstance(value, dict):
            sheet_columns[key] = {str(k): str(v) for k, v in value.items()}
        else:
            columns[str(key)] = str(value)
    data = raw.get("data")
    if data is not None and not isinstance(data, str):
        raise ConfigError(f"{path}: 「data」はファイルかフォルダのパスを文字で書いてください（値: {data}）。", 'data = "office.xlsx" のように " で囲んでください')
    return Settings(
        office_name=text("事業所名"),
        office_number=text("事業所番号"),
        unit_price=float(regime.prices[-1].price) if regime.prices else DEFAULT_UNIT_PRICE,
        unit_price_set=PRICE_KEY in raw,
        designated_on=designated,
        data=(path.parent / data) if data else None,
        columns=columns,
        sheet_columns=sheet_columns,
        sheets={str(k): str(v) for k, v in table("sheets", '"Sheet1" = "利用者"').items()},
        base_tier=text("基本報酬区分"),
        regime=regime,
        templates={str(k): path.parent / str(v) for k, v in table("templates", '"支援レポート" = "自事業所の様式.xlsx"').items()},
        employer_fields=_employer_fields(raw, path),
        path=path,
    )


def _employer_fields(raw: dict, path: Path) -> tuple[str, ...]:
    """The 支援レポート fields an employer copy may show: a list of names from
    REPORT_FIELDS; not written means the default two. Anything else is refused: a
    misspelt field must not quietly share, or quietly stop sharing."""
    value = raw.get(EMPLOYER_FIELDS_KEY)
    if value is None:
        return EMPLOYER_FIELDS
    allowed = " / ".join(REPORT_FIELDS)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: 「{EMPLOYER_FIELDS_KEY}」は項目名の一覧で書いてください（値: {value}）。", f'例: "{EMPLOYER_FIELDS_KEY}" = ["事業主の取組", "共有事項"]（選べる項目: {allowed}）')
    unknown = [v for v in value if v not in REPORT_FIELDS]
    if unknown:
        raise ConfigError(f"{path}: 「{EMPLOYER_FIELDS_KEY}」の「{'」「'.join(unknown)}」は支援レポートの項目ではありません。", f"次から選んでください: {allowed}")
    return tuple(dict.fromkeys(value))
