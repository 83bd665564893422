"""The office's settings as read from ``teichaku.toml`` (office/settings.py reads and
checks the file): its name and number, its 体制 over time, the names of its own
columns and sheets, and what an employer copy may show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from teichaku_cli.base.errors import Problem
from teichaku_cli.model.regime import Regime
from teichaku_cli.model.schema import EMPLOYER_FIELDS

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
    sheets: dict[str, str] = field(default_factory=dict)  # sheet / CSV name → table; "" for a sheet kept, never read
    base_tier: str = ""  # 基本報酬区分 when the office sets it instead of computing the rate
    regime: Regime = field(default_factory=Regime)  # office 加算・減算, 処遇改善加算, 地域区分単価 over time
    templates: dict[str, Path] = field(default_factory=dict)  # 支援レポート / 就労定着支援計画 → an office's own copy
    employer_fields: tuple[str, ...] = EMPLOYER_FIELDS  # 支援レポート fields an employer copy may show
    path: Path | None = None
    problems: tuple[Problem, ...] = ()  # what is wrong in the file (listed with the data's problems)

    @property
    def unread_sheets(self) -> set[str]:
        """The sheets (CSV names) [sheets] maps to nothing ("支援記録 (2)" = ""): kept by the office, never read."""
        return {name for name, table in self.sheets.items() if table == ""}

    def column_map(self, table: str) -> dict[str, str]:
        return {**self.columns, **self.sheet_columns.get(table, {})}
