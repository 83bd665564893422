"""`teichaku rate --out`: summary, who counted, and a chart of the rate per fiscal
year with the tier thresholds drawn in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from teichaku_cli.rules.retention import marks
from teichaku_cli.documents.sheets import add_table_sheet
from teichaku_cli.safe_write import atomic_file


def _day(text: str | None) -> date | None:
    """JSON's ISO dates as real dates: they sort and filter as dates in Excel."""
    return date.fromisoformat(text) if text else None


def _summary_book(rows: list[tuple[str, object]], width: int):
    """A new workbook whose first sheet, 概要, lists ``rows`` as 項目 / 値."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    add_table_sheet(wb, "概要", ("項目", "値"), rows, (22, width))
    return wb


def write_rate_workbook(path: Path, payload: dict, history: list[dict], overwrite: bool = False) -> None:
    from openpyxl.chart import LineChart, Reference

    tier = payload["tier"] or {}
    wb = _summary_book(
        [
            ("締める年度", payload["fiscal_year"]),
            ("見込み/確定", "見込み" if payload["projection"] else "確定"),
            ("期間", f"{payload['window_start']}〜{payload['window_end']}"),
            ("基準日（前年度末）", payload["reference_date"]),
            ("適用する年度", payload["applies_to_fiscal_year"]),
            ("報酬改定", payload["rules_version"]),
            ("分子/分母", f"{payload['numerator']}/{payload['denominator']}"),
            ("就労定着率（%）", payload["rate_percent"]),
            ("区分", tier.get("label")),
            ("基本報酬（単位/月）", tier.get("units")),
            *(("注記", n) for n in payload["notes"]),
            ("就労定着実績体制加算", "満たす" if payload["jisseki_taisei"]["qualifies"] else "満たさない"),
            ("　同 対象者（数える/全体）", f"{payload['jisseki_taisei']['numerator']}/{payload['jisseki_taisei']['denominator']}"),
        ],
        80,
    )
    add_table_sheet(
        wb,
        "利用者別",
        ("利用者ID", "氏名", "利用開始日", "就職日", "離職日", "再就職日", "分母", "定着", "理由"),
        (
            (p["user_id"], p["name"], _day(p["started"]), _day(p["hired"]), _day(p["left"]), _day(p["rehired"]), *marks(p, blank=""), p["reason"])
            for p in payload["people"]
        ),
        (10, 14, 12, 12, 12, 12, 6, 6, 60),
    )
    add_table_sheet(
        wb,
        "実績体制加算",
        ("利用者ID", "就職日", "利用終了日", "数える", "理由"),
        (
            (q["user_id"], _day(q["hired"]), _day(q["finished"]), "○" if q["counted"] else "×", q["reason"])
            for q in payload["jisseki_taisei"]["people"]
        ),
        (10, 12, 12, 8, 70),
    )
    thresholds = sorted({t for row in history for t in row["thresholds"]}, reverse=True)
    ws = add_table_sheet(
        wb,
        "推移",
        ("年度", "就労定着率（%）", *(f"{t:g}%" for t in thresholds)),
        ((row["fiscal_year"], row["rate_percent"], *thresholds) for row in history),
        (10, 16, *([8] * len(thresholds))),
    )
    if history:
        chart = LineChart()
        chart.title = "就労定着率の推移と区分の境目"
        chart.y_axis.title = "%"
        chart.x_axis.title = "締めた年度"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        data = Reference(ws, min_col=2, max_col=2 + len(thresholds), min_row=1, max_row=len(history) + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(history) + 1))
        for series in chart.series[1:]:  # thresholds: thin dashed lines
            series.graphicalProperties.line.dashStyle = "dash"
            series.graphicalProperties.line.width = 9525
        chart.height, chart.width = 9, 18
        ws.add_chart(chart, f"A{len(history) + 4}")
    with atomic_file(path, overwrite=overwrite) as fh:
        wb.save(fh)


def write_designation_workbook(path: Path, payload: dict, overwrite: bool = False) -> None:
    """`teichaku rate --designation-date --out`: the new-designation rate and the
    people of the 移行実績 sheet, counted or not, and why."""
    tier = payload["tier"] or {}
    wb = _summary_book(
        [
            ("指定日", _day(payload["designation_date"])),
            ("移行実績の期間", f"{payload['window_start']}〜{payload['reference_date']}"),
            ("報酬改定", payload["rules_version"]),
            ("分子/分母", f"{payload['numerator']}/{payload['denominator']}"),
            ("就労定着率（%）", payload["rate_percent"]),
            ("区分", tier.get("label")),
            ("基本報酬（単位/月）", tier.get("units")),
        ],
        60,
    )
    add_table_sheet(
        wb,
        "移行実績",
        ("氏名", "就職日", "離職日", "分母", "定着", "理由"),
        (
            (p["name"], _day(p["hired"]), _day(p["left"]), *marks(p, blank=""), p["reason"])
            for p in payload["people"]
        ),
        (14, 12, 12, 6, 6, 60),
    )
    with atomic_file(path, overwrite=overwrite) as fh:
        wb.save(fh)
