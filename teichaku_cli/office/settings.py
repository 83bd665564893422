"""Office settings from ``teichaku.toml``.

Looked for with ``--config``, else beside DATA (next to the workbook, or inside
the CSV folder), else in the current folder. Every key is optional.

    "事業所名" = "ひだまり就労定着センター"   # TOML needs quotes around Japanese keys
    "事業所番号" = "1312345678"
    "地域区分単価" = 11.20        # 円/単位 (the office's 地域区分)
    "指定日" = 2019-04-01
    "基本報酬区分" = "9割以上9割5分未満"  # optional: else computed from the data
    "就労定着実績体制加算" = true          # office-level 加算・減算 (true / false)
    data = "office.xlsx"         # so commands run with no DATA argument

    [columns]                    # an export's own header → canonical header
    "受給者番号" = "利用者ID"
    [columns."支援記録"]          # only for one sheet
    "対応日" = "日付"
    [sheets]                   # an export's own sheet / CSV name → canonical
    "支援経過" = "支援記録"
    [templates]                # an office's restyled copies of the bundled templates
    "支援レポート" = "様式/支援レポート.xlsx"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from teichaku_cli.errors import TeichakuError
from teichaku_cli.office.values import ValueProblem, parse_date

CONFIG_NAME = "teichaku.toml"
DEFAULT_UNIT_PRICE = 10.0  # 円/単位 for その他 地域 (the base rate)
# office-level 加算・減算 set in teichaku.toml as true/false (labels as in the fee data)
OFFICE_FLAGS = ("職場適応援助者養成研修修了者配置体制加算", "就労定着実績体制加算", "支援体制構築未実施減算")


@dataclass(frozen=True)
class Settings:
    office_name: str = ""
    office_number: str = ""
    unit_price: float = DEFAULT_UNIT_PRICE
    unit_price_set: bool = False
    designated_on: date | None = None
    data: Path | None = None
    columns: dict[str, str] = field(default_factory=dict)
    sheet_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)
    base_tier: str = ""  # 基本報酬区分 when the office sets it instead of computing the rate
    flags: dict[str, bool] = field(default_factory=dict)  # office-level 加算・減算
    templates: dict[str, Path] = field(default_factory=dict)  # 支援レポート / 就労定着支援計画 → an office's own copy
    path: Path | None = None

    def column_map(self, table: str) -> dict[str, str]:
        return {**self.columns, **self.sheet_columns.get(table, {})}


class ConfigError(TeichakuError):
    pass


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

    unit_price = raw.get("地域区分単価")
    if unit_price is not None and (isinstance(unit_price, bool) or not isinstance(unit_price, (int, float)) or not 5 <= unit_price <= 20):
        raise ConfigError(
            f"{path}: 地域区分単価「{unit_price}」は1単位あたりの円（例: 10.0、11.20）ではありません。",
            "地域区分に応じた単価を数値で書いてください",
        )
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
    flags = {}
    for key in OFFICE_FLAGS:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: 「{key}」は true か false で書いてください（値: {value}）。")
        flags[key] = value
    data = raw.get("data")
    if data is not None and not isinstance(data, str):
        raise ConfigError(f"{path}: 「data」はファイルかフォルダのパスを文字で書いてください（値: {data}）。", 'data = "office.xlsx" のように " で囲んでください')
    return Settings(
        office_name=text("事業所名"),
        office_number=text("事業所番号"),
        unit_price=float(unit_price) if unit_price is not None else DEFAULT_UNIT_PRICE,
        unit_price_set=unit_price is not None,
        designated_on=designated,
        data=(path.parent / data) if data else None,
        columns=columns,
        sheet_columns=sheet_columns,
        sheets={str(k): str(v) for k, v in table("sheets", '"Sheet1" = "利用者"').items()},
        base_tier=text("基本報酬区分"),
        flags=flags,
        templates={str(k): path.parent / str(v) for k, v in table("templates", '"支援レポート" = "自事業所の様式.xlsx"').items()},
        path=path,
    )
