"""`teichaku rate --out`: summary, who counted, and a chart of the rate per fiscal
year with the tier thresholds drawn in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from teichaku_cli.documents.sheets import AMOUNT, DATE, HEADER_ROW, MARK, PERCENT, PROSE, WRAP, Col, Heading, Total, add_fields_sheet, add_sheet, extend_print_area
from teichaku_cli.rules.retention import marks, revisions_in_words
from teichaku_cli.base.safe_write import atomic_file

RATE_LINE = "1F4E79"
THRESHOLD_LINE = "808080"


def _day(text: str | None) -> date | None:
    """JSON's ISO dates as real dates: they sort and filter as dates in Excel."""
    return date.fromisoformat(text) if text else None


def _span(start: str, end: str) -> str:
    from teichaku_cli.base.dates import format_wareki_date

    return f"{format_wareki_date(_day(start))}〜{format_wareki_date(_day(end))}"


def _year(y: int) -> str:
    from teichaku_cli.base.dates import format_wareki_fiscal_year

    return f"{format_wareki_fiscal_year(y)}（{y}年度）"


def _book():
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def write_rate_workbook(path: Path, payload: dict, history: list[dict], settings, made_on: date, overwrite: bool = False, keep=()) -> None:
    """``keep``: the employers' and people's names the reasons quote (sheets.office_words)."""
    tier = payload["tier"] or {}
    kind = "見込み" if payload["projection"] else "確定"
    closes = _year(payload["fiscal_year"])
    heading = Heading.of(settings, f"就労定着率（{closes}を締める・{kind}）", ("対象年度", f"{closes}を締め、{_year(payload['applies_to_fiscal_year'])}の基本報酬に使う"), made_on)
    moves = []
    move = payload["what_moves"] or {}
    if move.get("up"):
        up = move["up"]
        gain = f"（年 {up['units_per_year']:,} 単位、約 {up['yen_per_year']:,} 円、利用者 {move['users_now']}人として）" if up["units_per_year"] is not None else ""
        moves.append(("上の区分まで", f"{up['tier']}まで、あと {up['more_retained']}人の定着{gain}"))
    if move.get("down"):
        down = move["down"]
        loss = f"（年 {down['units_per_year']:,} 単位、約 {down['yen_per_year']:,} 円、利用者 {move['users_now']}人として）" if down["units_per_year"] is not None else ""
        moves.append(("下の区分へ", f"{down['tier']}へ、{down['losses']}人の離職で下がる{loss}"))
    j = payload["jisseki_taisei"]
    wb = _book()
    add_fields_sheet(
        wb,
        "概要",
        heading.titled(f"就労定着率の概要（{closes}を締める・{kind}）"),
        [
            ("締める年度", closes),
            ("見込み/確定", kind),
            ("期間", _span(payload["window_start"], payload["window_end"])),
            ("基準日（前年度末）", _day(payload["reference_date"])),
            ("適用する年度", _year(payload["applies_to_fiscal_year"])),
            ("報酬改定", revisions_in_words(payload["claim_revisions"])),
            ("分母（人）", payload["denominator"]),
            ("定着（分子、人）", payload["numerator"]),
            ("就労定着率（%）", payload["rate_percent"] if payload["rate_percent"] is not None else "分母が0人のため計算できません"),
            ("区分", tier.get("label") or "—"),
            ("基本報酬（単位/月）", tier.get("units") or "—"),
            *moves,
            *(("注記", n) for n in payload["notes"]),
            ("就労定着実績体制加算", "満たす" if j["qualifies"] else "満たさない"),
            ("　同 対象者（数える/全体）", f"{j['numerator']}/{j['denominator']}人（基準 {j['threshold']} 以上）"),
        ],
    )
    people = payload["people"]
    counted = [p for p in people if p["in_denominator"]]
    add_sheet(
        wb,
        "利用者別",
        heading.titled(f"就労定着率　利用者別（{closes}を締める・{kind}）"),
        (
            Col("利用者ID", 9),
            Col("氏名", 12, WRAP),
            Col("利用開始日", 16, DATE),
            Col("就職日", 16, DATE),
            Col("離職日", 16, DATE),
            Col("再就職日", 16, DATE),
            Col("分母", 5, MARK),
            Col("定着", 5, MARK),
            Col("理由", 52, PROSE),
        ),
        (
            (p["user_id"], p["name"], _day(p["started"]), _day(p["hired"]), _day(p["left"]), _day(p["rehired"]), *marks(p, blank="—"), p["reason"])
            for p in people
        ),
        totals=[Total(f"人数（{len(people)}人中）", {"分母": len(counted), "定着": sum(bool(p["retained"]) for p in counted)})],
        notes=("分母 ○: 就労定着率の分母に入る、—: 入らない（理由の列）。定着 ○: 基準日に就労している、×: 基準日以前に離職した。",),
        keep=keep,
    )
    add_sheet(
        wb,
        "実績体制加算",
        heading.titled(f"就労定着実績体制加算の対象者（{_span(j['window_start'], j['reference_date'])}に利用を終えた人）"),
        (Col("利用者ID", 9), Col("就職日", 16, DATE), Col("利用終了日", 16, DATE), Col("数える", 7, MARK), Col("理由", 44, PROSE)),
        (
            (q["user_id"], _day(q["hired"]), _day(q["finished"]), "○" if q["counted"] else "×", q["reason"])
            for q in j["people"]
        ),
        totals=[Total(f"数える人（{len(j['people'])}人中）", {"数える": j["numerator"]})],
        notes=(f"数える人の割合が {j['threshold']} 以上なら、{_year(payload['applies_to_fiscal_year'])}に加算を算定できます（{'満たす' if j['qualifies'] else '満たさない'}）。",),
        empty="対象者はいません。",
        keep=keep,
    )
    _trend_sheet(wb, heading.titled("就労定着率の推移と区分の境目"), history)
    with atomic_file(path, overwrite=overwrite) as fh:
        wb.save(fh)


def _trend_sheet(wb, heading: Heading, history: list[dict]) -> None:
    """The table of each closed year's rate with its n, and a chart of it: straight
    lines between the years, every point marked and labelled above it, the axis from
    0 to 100 % (a year at 100 % sits on its top edge, its label over it in the chart's
    own space), and one grey dashed line per tier threshold, named at its left end."""
    from teichaku_cli.base.dates import format_wareki_fiscal_year

    thresholds = sorted({t for row in history for t in row["thresholds"]}, reverse=True)
    ws = add_sheet(
        wb,
        "推移",
        heading,
        (
            Col("年度（定着/分母）", 22),
            Col("定着（分子）", 11, AMOUNT),
            Col("分母", 6, AMOUNT),
            Col("就労定着率（%）", 13, PERCENT),
            Col("見込み/確定", 11, MARK),
            *(Col(f"{t:g}%", 5, AMOUNT) for t in thresholds),
        ),
        (
            (
                f"{format_wareki_fiscal_year(row['fiscal_year'])}（{row['numerator']}/{row['denominator']}人）",
                row["numerator"],
                row["denominator"],
                row["rate_percent"],
                "見込み" if row["projection"] else "確定",
                *thresholds,
            )
            for row in history
        ),
        notes=("1/1 と 20/20 はどちらも 100% です。人数は「定着/分母」を見てください。分母が0人の年度は率を計算できず、グラフに点がありません。",),
        empty="計算できる年度がありません。",
        landscape=False,
    )
    if not history:
        return
    from openpyxl.chart import LineChart, Reference
    from openpyxl.chart.label import DataLabel, DataLabelList
    from openpyxl.chart.marker import Marker

    first, last = HEADER_ROW + 1, HEADER_ROW + len(history)
    chart = LineChart()
    chart.title = "就労定着率の推移と区分の境目"
    chart.y_axis.title = "就労定着率（%）"
    chart.x_axis.title = "締めた年度（定着/分母）"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100  # a rate ends at 100 % (110 drew a scale no year can reach)
    chart.y_axis.majorUnit = 10
    chart.y_axis.number_format = "0"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend = None  # the lines are named where they are drawn
    chart.y_axis.majorGridlines = None  # gridlines at 90, 80 … would hide the threshold lines
    rate_col = 4
    chart.add_data(Reference(ws, min_col=rate_col, max_col=rate_col, min_row=HEADER_ROW, max_row=last), titles_from_data=True)
    for i in range(len(thresholds)):
        col = 6 + i
        chart.add_data(Reference(ws, min_col=col, max_col=col, min_row=HEADER_ROW, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    rate, *lines = chart.series
    rate.smooth = False
    rate.graphicalProperties.line.solidFill = RATE_LINE
    rate.graphicalProperties.line.width = 28575  # 2.25 pt
    rate.marker = Marker(symbol="circle", size=7)
    rate.marker.graphicalProperties = None
    # every label above its point: at 100 % it sits over the plot area, in the chart's own space
    rate.dLbls = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False, dLblPos="t")
    rate.dLbls.numFmt = "0.0"
    for series in lines:
        series.smooth = False
        series.marker = Marker(symbol="none")
        series.graphicalProperties.line.solidFill = THRESHOLD_LINE
        series.graphicalProperties.line.dashStyle = "dash"
        series.graphicalProperties.line.width = 12700  # 1 pt
        # named left of the first year, in the margin before it, clear of the rate's own labels
        name = DataLabel(idx=0, showSerName=True, showVal=False, showCatName=False, showLegendKey=False, dLblPos="l")
        series.dLbls = DataLabelList(dLbl=[name], showVal=False, showSerName=False, showCatName=False, showLegendKey=False)
    # 游ゴシック in the chart as in the cells (else each viewer picks its own, often without kana)
    chart.x_axis.txPr = _font(900)
    chart.y_axis.txPr = _font(900)
    rate.dLbls.txPr = _font(900, bold=True, color=RATE_LINE)
    for series in lines:
        series.dLbls.txPr = _font(800, color="595959")
    chart.height, chart.width = 12, 17  # cm
    anchor = ws.max_row + 2
    ws.add_chart(chart, f"A{anchor}")
    extend_print_area(ws, anchor + 26)  # the chart prints with the table (12 cm ≈ 26 rows)


def _font(size: int, bold: bool = False, color: str = "404040"):
    """Chart text in 游ゴシック, ``size`` in hundredths of a point."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties

    from teichaku_cli.documents.sheets import FONT_NAME

    props = CharacterProperties(latin=Font(typeface=FONT_NAME), ea=Font(typeface=FONT_NAME), sz=size, b=bold, solidFill=color)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def write_designation_workbook(path: Path, payload: dict, settings, made_on: date, overwrite: bool = False) -> None:
    """`teichaku rate --designation-date --out`: the new-designation rate and the
    people of the 移行実績 sheet, counted or not, and why."""
    from teichaku_cli.base.dates import format_wareki_date

    tier = payload["tier"] or {}
    designated = _day(payload["designation_date"])
    heading = Heading.of(settings, "新規指定の就労定着率（移行実績から）", ("指定日", format_wareki_date(designated)), made_on)
    wb = _book()
    add_fields_sheet(
        wb,
        "概要",
        heading,
        [
            ("指定日", designated),
            ("移行実績の期間", _span(payload["window_start"], payload["reference_date"])),
            ("報酬改定", payload["rules_name"]),
            ("分母（人）", payload["denominator"]),
            ("定着（分子、人）", payload["numerator"]),
            ("就労定着率（%）", payload["rate_percent"] if payload["rate_percent"] is not None else "期間内に一般就労した人がいないため計算できません"),
            ("区分", tier.get("label") or "—"),
            ("基本報酬（単位/月）", tier.get("units") or "—"),
        ],
    )
    people = payload["people"]
    counted = [p for p in people if p["in_denominator"]]
    add_sheet(
        wb,
        "移行実績",
        heading.titled("新規指定の就労定着率　移行実績の人"),
        (Col("氏名", 12, WRAP), Col("就職日", 16, DATE), Col("離職日", 16, DATE), Col("分母", 5, MARK), Col("定着", 5, MARK), Col("理由", 40, PROSE)),
        ((p["name"], _day(p["hired"]), _day(p["left"]), *marks(p, blank="—"), p["reason"]) for p in people),
        totals=[Total(f"人数（{len(people)}人中）", {"分母": len(counted), "定着": sum(bool(p["retained"]) for p in counted)})] if people else (),
        empty="移行実績シートに、期間内に一般就労した人はいません。",
    )
    with atomic_file(path, overwrite=overwrite) as fh:
        wb.save(fh)
