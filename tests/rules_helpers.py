"""A tiny office in memory for rule tests: one good user-month, then each test
changes one thing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import write_csvs
from teichaku_cli.office.load import load_office
from teichaku_cli.base.dates import month_end, months_from


def good_month(uid: str, month: date, **user) -> dict[str, list[dict]]:
    """Everything a month needs: face-to-face, employer visit, report given and
    shared, a plan made this month."""
    hired = user.pop("就職日", date(month.year - 1, month.month, 1))
    started = user.pop("利用開始日", None)
    if started is None:
        started = months_from(hired, 6).day_after  # the first usable day
    row = {
        "利用者ID": uid,
        "氏名": f"利用者{uid}",
        "就職日": hired,
        "利用開始日": started,
        "障害開示": "オープン",
        "事業主共有同意": "あり",
        **user,
    }
    return {
        "利用者": [row],
        "支援記録": [
            {"日付": date(month.year, month.month, 5), "利用者ID": uid, "方法": "対面", "相手": "本人", "区分": "支援"},
            {"日付": date(month.year, month.month, 12), "利用者ID": uid, "方法": "対面", "相手": "事業主", "区分": "職場訪問"},
        ],
        "支援レポート": [  # shared with the employer only where the user works open and agreed
            {"利用者ID": uid, "対象月": month, "本人提供日": month_end(month), "事業主共有日": month_end(month) if row["障害開示"] == "オープン" and row["事業主共有同意"] == "あり" else None}
        ],
        "支援計画": [{"利用者ID": uid, "作成日": month}],
    }


def merge(*parts: dict[str, list[dict]]) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {}
    for part in parts:
        for name, rows in part.items():
            tables.setdefault(name, []).extend(rows)
    return tables


def build(tmp_path: Path, tables: dict[str, list[dict]], config: str = ""):
    folder = tmp_path / f"office{len(list(tmp_path.iterdir()))}"
    write_csvs(folder, {k: v for k, v in tables.items() if v}, encoding="utf-8")
    if config:
        (folder / "teichaku.toml").write_text(config, encoding="utf-8")
    return load_office(folder)
