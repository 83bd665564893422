"""Every workbook teichaku writes prints on A4 like a form a person made: the
print settings, title block, wrapping, row heights, number and date formats and
totals, read back from the written files (check, rate, due, init, the templates)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import write_csvs
from rules_helpers import good_month
from teichaku_cli.documents.sheets import AMOUNT_FORMAT, HEADER_ROW, WAREKI_DATE_FORMAT, lines_needed, row_height
from teichaku_cli.model import schema

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "office.xlsx"
TODAY = "2026-11-28"
A4 = 9  # the paperSize code


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)


def written(invoke, tmp_path, *args) -> openpyxl.Workbook:
    path = tmp_path / "out.xlsx"
    result = invoke(*args, "--out", path)
    assert result.exit_code in (0, 1), result.output
    return openpyxl.load_workbook(path)


def table(ws) -> list[dict]:
    """The data rows (those the filter covers, not the totals), as header → value."""
    if ws.auto_filter.ref is None:
        return []
    last = int(ws.auto_filter.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    header = [heading(c.value) for c in ws[HEADER_ROW]]
    return [dict(zip(header, values)) for values in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=last, values_only=True)]


def heading(value):
    """A header cell as a name: a heading that does not fit its column is broken between words."""
    return value.replace("\n", "") if isinstance(value, str) else value


def column(ws, name: str) -> int:
    return next(c.column for c in ws[HEADER_ROW] if heading(c.value) == name)


def assert_prints_like_a_form(ws, *, landscape: bool, title: str):
    setup = ws.page_setup
    assert setup.paperSize == A4
    assert setup.orientation == ("landscape" if landscape else "portrait"), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"  # the header on every page
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text  # page numbers
    assert "作成日 令和8年11月28日" in ws.oddFooter.right.text
    assert ws.oddHeader.left.text == "ひだまり就労定着支援センター" and title in ws.oddHeader.right.text
    # the title block: title, 事業所名 and 事業所番号, the period and 作成日 in 和暦
    assert title in ws["A1"].value
    assert ws["A2"].value == "事業所名　ひだまり就労定着支援センター　　事業所番号　1399900001"
    assert ws["A3"].value.endswith("作成日　令和8年11月28日")
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"


def assert_wrapped_and_whole(ws, *names: str):
    """Long text wraps, and each row is tall enough for all its lines."""
    for name in names:
        c = column(ws, name)
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width
        for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(table(ws))):
            cell = ws.cell(r, c)
            assert cell.alignment.wrap_text, (ws.title, name)
            if isinstance(cell.value, str):
                assert ws.row_dimensions[r].height >= row_height(lines_needed(cell.value, width)) - 0.01, (ws.title, name, r)


def assert_footnoted(ws, payload):
    """Each 根拠 printed once, under the table, and its rows carry its mark (a three-line
    citation on every row made 45 deadlines five pages long): every row's source is its
    note's, word for word."""
    from teichaku_cli.rules.findings import citation

    rows = table(ws)
    sources = [d["source"] for d in payload["deadlines"]] if "deadlines" in payload else [
        f["source"] for u in payload["users"] for f in sorted(u["findings"], key=lambda f: ("error", "warning", "note").index(f["severity"]))
    ] + [f["source"] for f in payload["office_findings"]]
    notes = {
        n.split(":", 1)[0].removeprefix("根拠 "): n.split(": ", 1)[1].replace("\n", "")
        for row in ws.iter_rows(min_row=HEADER_ROW + len(rows) + 1) for n in (c.value for c in row) if isinstance(n, str) and n.startswith("根拠 ※")
    }
    assert len(rows) == len(sources) and len(notes) == len(set(sources)) < len(rows)
    for row, source in zip(rows, sources):
        assert notes[row["根拠"]] == citation(source), (row, source)


def test_check_workbook_prints(invoke, tmp_path):
    wb = written(invoke, tmp_path, "check", SAMPLE, "--month", "2026-10")
    payload = json.loads(invoke("check", SAMPLE, "--month", "2026-10", "--json").stdout)
    assert wb.sheetnames == ["指摘 2026-10", "利用者別", "請求見込み", "実績記録票（入力用）", "条件"]

    findings = wb["指摘 2026-10"]
    assert_prints_like_a_form(findings, landscape=True, title="指摘一覧（令和8年10月分）")
    assert findings["A3"].value.startswith("対象月　令和8年10月分")
    assert_wrapped_and_whole(findings, "内容と直し方")
    assert_footnoted(findings, payload)
    longest = max(table(findings), key=lambda row: len(row["内容と直し方"]))
    assert len(longest["内容と直し方"]) > 80  # a message of several lines is all there, not cut
    assert len(table(findings)) == sum(len(u["findings"]) for u in payload["users"]) + len(payload["office_findings"])

    users = wb["利用者別"]
    assert_prints_like_a_form(users, landscape=True, title="利用者別の単位と金額")  # wide with the three amounts
    rows = table(users)
    assert [r["利用者ID"] for r in rows] == [u["user_id"] for u in payload["users"]]
    for name in ("単位", "総費用額（円）", "利用者負担（円）", "給付費（円）"):
        for r in range(HEADER_ROW + 1, users.max_row + 1):
            if users.cell(r, column(users, name)).value is not None:
                assert users.cell(r, column(users, name)).number_format == AMOUNT_FORMAT
    totals = {users.cell(r, 1).value: r for r in range(HEADER_ROW + len(rows) + 1, users.max_row + 1)}
    s = payload["summary"]
    for label, units, yen in (
        (f"請求できる分（{s['claimable']}人）", s["units_claimable"], s["total_cost_claimable"]),
        (f"請求できない分（{s['blocked']}人）", s["units_blocked"], s["total_cost_blocked"]),
        (f"合計（{s['users']}人）", s["units_claimable"] + s["units_blocked"], s["total_cost_claimable"] + s["total_cost_blocked"]),
    ):
        r = totals[label]
        assert (users.cell(r, column(users, "単位")).value, users.cell(r, column(users, "総費用額（円）")).value) == (units, yen)
        assert users.cell(r, 1).font.b
    assert_wrapped_and_whole(users, "内訳")

    conditions = wb["条件"]
    assert_prints_like_a_form(conditions, landscape=False, title="計算の条件")
    assert {r["項目"]: r["値"] for r in table(conditions)}["地域区分単価（円/単位）"] == 11.2


def test_check_workbook_with_the_claim_prints_the_reconcile_and_the_record_sheet(invoke, tmp_path):
    claim = ROOT / "samples" / "請求_2026-10.csv"
    wb = written(invoke, tmp_path, "check", SAMPLE, "--month", "2026-10", "--claim", claim)
    payload = json.loads(invoke("check", SAMPLE, "--month", "2026-10", "--claim", claim, "--json").stdout)
    assert wb.sheetnames == ["指摘 2026-10", "請求データとの照合", "利用者別", "請求見込み", "実績記録票（入力用）", "条件"]

    reconcile = wb["請求データとの照合"]
    assert_prints_like_a_form(reconcile, landscape=True, title="請求データとの照合（令和8年10月分）")
    assert_wrapped_and_whole(reconcile, "内容と直し方", "根拠", "請求ファイル", "記録")
    rows = table(reconcile)
    claim_findings = [f for u in payload["users"] for f in u["claim"]["findings"]] + [f for m in payload["claim"]["unmatched"] for f in m["findings"]]
    assert len(rows) == len(claim_findings) + len(payload["claim"]["office_findings"]) + len(payload["claim"]["file_findings"])
    severities = [r["重要度"] for r in rows if r["利用者ID"] != "請求ファイル"]
    assert severities == sorted(severities, key=["エラー", "注意", "お知らせ"].index)  # errors first
    notes = [reconcile.cell(r, 1).value for r in range(HEADER_ROW + len(rows) + 1, reconcile.max_row + 1)]
    assert "請求データと記録に 5件の相違があります（エラー 3件・注意 2件）。" in notes
    assert any(str(n).startswith("月遅れ（照合しません）: 令和8年9月分") for n in notes)

    sheet = wb["実績記録票（入力用）"]
    assert_prints_like_a_form(sheet, landscape=True, title="実績記録票（入力用）（令和8年10月分）")
    rows = table(sheet)
    claimable = [u["user_id"] for u in payload["users"] if u["claimable"]]
    assert [r["利用者ID"] for r in rows] == claimable
    assert {r["利用者ID"]: (r["算定日数が1の日"], r["定着支援連携促進加算（日=1/2）"]) for r in rows}["0009"] == ("9日", "8日=1")
    date_column = column(sheet, "支援レポート共有日")
    assert sheet.cell(HEADER_ROW + 1, date_column).number_format == WAREKI_DATE_FORMAT
    total = HEADER_ROW + len(rows) + 1
    assert sheet.cell(total, 1).value == f"合計（{len(rows)}人）" and sheet.cell(total, column(sheet, "合計算定日数")).value == len(rows)
    assert_wrapped_and_whole(sheet, "算定日数が1の日")


def test_rate_workbook_prints_with_dates_in_wareki_and_n_in_the_trend(invoke, tmp_path):
    wb = written(invoke, tmp_path, "rate", SAMPLE, "--year", "2025")
    payload = json.loads(invoke("rate", SAMPLE, "--year", "2025", "--json").stdout)
    assert wb.sheetnames == ["概要", "利用者別", "実績体制加算", "推移"]
    assert_prints_like_a_form(wb["概要"], landscape=False, title="就労定着率の概要")
    assert wb["概要"]["A3"].value.startswith("対象年度　令和7年度（2025年度）を締め")
    summary = {r["項目"]: r for r in table(wb["概要"])}
    assert summary["分母（人）"]["値"] == payload["denominator"] and summary["定着（分子、人）"]["値"] == payload["numerator"]

    people = wb["利用者別"]
    assert_prints_like_a_form(people, landscape=True, title="利用者別")
    started = column(people, "利用開始日")
    cell = people.cell(HEADER_ROW + 1, started)
    assert isinstance(cell.value, datetime) and cell.number_format == WAREKI_DATE_FORMAT  # a real date, shown in 和暦
    assert_wrapped_and_whole(people, "理由")
    total = people.cell(HEADER_ROW + len(table(people)) + 1, column(people, "分母")).value
    assert total == payload["denominator"]

    assert_prints_like_a_form(wb["実績体制加算"], landscape=False, title="就労定着実績体制加算の対象者")

    trend = wb["推移"]
    assert_prints_like_a_form(trend, landscape=False, title="就労定着率の推移")
    last = table(trend)[-1]
    n = f"{payload['numerator']}/{payload['denominator']}人"
    assert (last["年度（定着/分母）"], last["定着（分子）"], last["分母"]) == (f"令和7年度（{n}）", payload["numerator"], payload["denominator"])


def one_of_one_then_twenty_of_twenty(tmp_path):
    """An office whose rate is 100 % two years running: 1/1 (FY2023), then 20/20 (FY2024)."""
    from datetime import date

    def user(uid, started):
        return {"利用者ID": uid, "氏名": f"利用者{uid}", "就職日": date(started.year - 1, started.month, 1), "利用開始日": started}

    people = [user("00", date(2023, 5, 1)), *(user(f"{i:02d}", date(2024, 5, 1)) for i in range(1, 20))]
    return write_csvs(tmp_path / "o", {"利用者": people, "支援記録": [{"日付": date(2023, 5, 2), "利用者ID": "00", "方法": "対面", "相手": "本人"}]})


def test_one_of_one_and_twenty_of_twenty_are_told_apart(invoke, tmp_path):
    folder = one_of_one_then_twenty_of_twenty(tmp_path)
    wb = written(invoke, tmp_path, "rate", folder, "--year", "2024")
    rows = table(wb["推移"])
    assert [(r["年度（定着/分母）"], r["定着（分子）"], r["分母"], r["就労定着率（%）"]) for r in rows] == [
        ("令和5年度（1/1人）", 1, 1, 100.0),
        ("令和6年度（20/20人）", 20, 20, 100.0),
    ]
    (chart,) = wb["推移"]._charts  # the chart's year labels are that column: n shows under each point
    assert chart.series[0].cat.numRef.f == f"'推移'!$A${HEADER_ROW + 1}:$A${HEADER_ROW + 2}"


def test_rate_chart_straight_lines_axis_to_100_and_threshold_lines(invoke, tmp_path):
    wb = written(invoke, tmp_path, "rate", SAMPLE, "--year", "2025")
    trend = wb["推移"]
    rows = table(trend)
    (chart,) = trend._charts
    rate, *thresholds = chart.series
    # written as smooth="0": a series without it is drawn smoothed (and overshoots 100 %)
    assert rate.smooth is False and all(s.smooth is False for s in thresholds)
    assert rate.marker.symbol == "circle" and rate.dLbls.showVal  # every year drawn and labelled
    # the axis ends at 100 % (it ran to 110 %, a rate no year can have); a year at 100 % keeps its label, below its point
    assert chart.y_axis.scaling.min == 0 and chart.y_axis.scaling.max == 100 == max(r["就労定着率（%）"] for r in rows)
    assert rate.dLbls.dLblPos == "t" and not rate.dLbls.dLbl  # every label above its point (over the plot area at 100 %)
    assert trend.cell(HEADER_ROW + 1, column(trend, "就労定着率（%）")).number_format == "0.0"  # 87.5, as rate says it
    assert [s.tx.strRef.f.split("!")[1].strip("$0123456789") for s in thresholds] == ["F", "G", "H", "I", "J", "K"]
    assert [trend.cell(HEADER_ROW, c).value for c in range(6, 12)] == ["95%", "90%", "80%", "70%", "50%", "30%"]
    assert all(s.graphicalProperties.line.dashStyle == "dash" for s in thresholds)
    assert chart.y_axis.majorGridlines is None  # gridlines on 90, 80 … would hide the threshold lines
    assert chart.series[0].cat.numRef.f == f"'推移'!$A${HEADER_ROW + 1}:$A${HEADER_ROW + len(rows)}"  # categories: the year with its n
    anchor_row = chart.anchor._from.row + 1
    assert int(trend.print_area.split("$")[-1]) > anchor_row + 20  # the chart is printed with the table


def test_history_rows_carry_numerator_and_denominator(tmp_path):
    from datetime import date

    from teichaku_cli.cli.rate import _history
    from teichaku_cli.office.load import load_office

    rows = _history(load_office(one_of_one_then_twenty_of_twenty(tmp_path)), 2024, date(2026, 11, 28), None)
    assert [(r["fiscal_year"], r["numerator"], r["denominator"], r["rate_percent"], r["projection"]) for r in rows] == [
        (2023, 1, 1, 100.0, False),
        (2024, 20, 20, 100.0, False),
    ]


def test_designation_workbook_prints(invoke, tmp_path):
    from datetime import date

    transitions = [{"氏名": "甲", "就職日": date(2023, 4, 1)}, {"氏名": "乙", "就職日": date(2025, 1, 10), "離職日": date(2026, 3, 31)}]
    tables = good_month("1", date(2026, 4, 1), 就職日=date(2025, 10, 1), 利用開始日=date(2026, 4, 1))
    folder = write_csvs(tmp_path / "o", {**tables, "移行実績": transitions})
    (folder / "teichaku.toml").write_text('"事業所名" = "新しい事業所"\n', encoding="utf-8")
    wb = written(invoke, tmp_path, "rate", folder, "--designation-date", "2026-04-01")
    ws = wb["移行実績"]
    assert ws["A2"].value == "事業所名　新しい事業所　　事業所番号　（未設定）"
    assert ws["A3"].value.startswith("指定日　令和8年4月1日")
    rows = table(ws)
    assert [r["氏名"] for r in rows] == ["甲", "乙"]
    assert ws.cell(HEADER_ROW + 2, column(ws, "離職日")).number_format == WAREKI_DATE_FORMAT
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}" and ws.page_setup.fitToWidth == 1


def test_due_workbook_prints(invoke, tmp_path):
    wb = written(invoke, tmp_path, "due", SAMPLE, "--within", "6")
    ws = wb["期限"]
    assert_prints_like_a_form(ws, landscape=True, title="これからの期限")  # the sources are named in words: a wide 根拠
    rows = table(ws)
    assert rows and all(isinstance(r["日付"], datetime) for r in rows)
    assert ws.cell(HEADER_ROW + 1, column(ws, "日付")).number_format == WAREKI_DATE_FORMAT
    assert ws.cell(HEADER_ROW + 1, column(ws, "あと日数")).number_format == AMOUNT_FORMAT
    # October's misses first (after the 10th: 月遅れ, no days left), in red and in words, then the late
    last_month = [r for r in rows if r["状態"] == "先月分（令和8年10月）"]
    assert rows[: len(last_month)] == last_month and last_month and all(r["あと日数"] is None for r in last_month)
    late = rows[len(last_month)]
    assert late["あと日数"] == (late["日付"].date() - datetime.fromisoformat(TODAY).date()).days < 0  # late next
    assert late["状態"].startswith("期限切れ") and ws.cell(HEADER_ROW + 1 + len(last_month), 1).font.color.rgb.endswith("C00000")  # red, and said in words
    assert ws.cell(HEADER_ROW + 1, 1).font.color.rgb.endswith("C00000")
    assert_wrapped_and_whole(ws, "期限")
    payload = json.loads(invoke("due", SAMPLE, "--within", "6", "--json").stdout)
    assert_footnoted(ws, payload)


def test_an_empty_list_says_so_on_the_page(invoke, tmp_path):
    from datetime import date

    tables = good_month("0001", date(2025, 10, 1))
    tables["受給者証"] = [{"利用者ID": "0001", "受給者証番号": "9900000001", "支給決定開始日": date(2025, 4, 1), "支給決定終了日": date(2026, 3, 31), "負担上限月額": 0}]
    folder = write_csvs(tmp_path / "o", tables)  # with its 受給者証: not even an office note
    wb = written(invoke, tmp_path, "check", folder, "--month", "2025-10")
    ws = wb["指摘 2025-10"]
    assert ws.cell(HEADER_ROW + 1, 1).value == "指摘はありません。"
    assert ws.auto_filter.ref is None  # nothing to filter
    assert ws["A2"].value.startswith("事業所名　（teichaku.toml の「事業所名」が未設定）")


def test_the_blank_book_prints_one_legible_page_or_a_few_per_sheet(invoke, tmp_path):
    invoke("init", tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "office.xlsx")
    guide = wb["説明"]
    assert guide.page_setup.orientation == "portrait" and guide.print_area == f"'説明'!$A$1:$B${guide.max_row}"
    for t in schema.TABLES:
        ws = wb[t.name]
        width = sum(c.width for c in t.columns)
        assert ws.page_setup.paperSize == A4
        assert ws.page_setup.orientation == ("landscape" if width > 100 else "portrait"), t.name
        # whole columns: the rows people enter later print too, and nothing to the right
        last = openpyxl.utils.get_column_letter(len(t.columns))
        assert ws.print_area == f"'{t.name}'!$A$1:${last}$1048576"
        assert ws.print_title_rows == "$1:$1" and "&P" in ws.oddFooter.center.text
        if width <= 80:  # fits A4 portrait as it is: not scaled (LibreOffice would enlarge it)
            assert not ws.sheet_properties.pageSetUpPr.fitToPage, t.name
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        assert ws.page_setup.fitToWidth == -(-width // 170)  # ≥ 80 % of A4 landscape per page across
        if ws.page_setup.fitToWidth > 1:  # a sheet across pages repeats who the row is about
            assert ws.print_title_cols == "$A:$B"
    assert wb["支援計画"].page_setup.fitToWidth >= 3  # the widest: across pages, not one unreadable strip
    assert not wb["助成金"].sheet_properties.pageSetUpPr.fitToPage


def test_a_report_row_grows_for_a_long_entry_instead_of_cutting_it(invoke, tmp_path):
    from datetime import date

    long_text = "職場で上司と面談し、作業の順番と休憩の取り方を一緒に確かめた。" * 4
    tables = good_month("0001", date(2025, 10, 1))
    tables["支援記録"][0].update(内容=long_text, 結果="様子を見る")
    folder = write_csvs(tmp_path / "o", tables)
    out = tmp_path / "reports"
    assert invoke("report", folder, "--month", "2025-10", "--out", out).exit_code == 0
    (path,) = out.glob("*.xlsx")
    ws = openpyxl.load_workbook(path).active
    (cell,) = [c for row in ws.iter_rows() for c in row if c.value == long_text]
    merged = next(r for r in ws.merged_cells.ranges if cell.coordinate in r)
    width = sum(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(merged.min_col, merged.max_col + 1))
    assert lines_needed(long_text, width * 10 / cell.font.sz) >= 4
    assert ws.row_dimensions[cell.row].height >= row_height(lines_needed(long_text, width * 10 / cell.font.sz), cell.font.sz) - 0.01
    assert ws.page_setup.paperSize == A4 and ws.page_setup.fitToWidth == 1 and ws.page_setup.orientation == "portrait"


def test_workbooks_use_the_office_font_as_their_normal_font(invoke, tmp_path):
    """Column widths count in the Normal font's digits: with 游ゴシック there too,
    Excel and LibreOffice lay a column out alike (openpyxl's default is Calibri)."""
    def normal(wb):
        font = wb._named_styles["Normal"].font
        return font.name, font.sz, bool(font.b)

    for args in (("check", SAMPLE, "--month", "2026-10"), ("rate", SAMPLE, "--year", "2025"), ("due", SAMPLE)):
        assert normal(written(invoke, tmp_path, *args)) == ("游ゴシック", 11, False), args
        (tmp_path / "out.xlsx").unlink()
    invoke("init", tmp_path / "blank")
    assert normal(openpyxl.load_workbook(tmp_path / "blank" / "office.xlsx")) == ("游ゴシック", 11, False)
    for name in ("支援レポート.xlsx", "就労定着支援計画.xlsx"):
        assert normal(openpyxl.load_workbook(ROOT / "templates" / name)) == ("游ゴシック", 11, False)
