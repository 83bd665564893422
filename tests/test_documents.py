"""支援レポート and 就労定着支援計画: goldens, privacy of the employer copy,
the template sandbox, formula injection, never overwriting."""

from __future__ import annotations

import os
import random
import zipfile
from datetime import date
from pathlib import Path

import pytest

from conftest import write_csvs
from document_dump import compare_or_update
from rules_helpers import good_month, merge

GOLDENS = Path(__file__).parent / "goldens"
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"
MONTH = date(2025, 10, 1)


def office_tables() -> dict:
    t = good_month("0001", MONTH, 事業主="㈱髙﨑フーズ", 担当者="山田 一郎")
    t["支援記録"][0].update(内容="職場での様子を聞き取り", 結果="=SUM(A1:A3) のように見える文字", 事業主共有="可")
    t["支援記録"][1].update(内容="上司と配置について相談", 結果="作業手順書を作ることに", 事業主共有="可")
    t["支援記録"].append({"日付": date(2025, 10, 20), "利用者ID": "0001", "方法": "電話", "相手": "本人", "内容": "通院と服薬の相談", "結果": "主治医に相談する", "事業主共有": "不可"})
    t["支援レポート"][0].update(主な支援目標="遅刻せずに通勤する", 今後の支援内容="月2回の面談を続ける", 本人の取組="朝の準備表を使う", 事業主の取組="作業手順書の用意", 共有事項="特になし", 作成者="山田 一郎")
    t["支援計画"][0].update(
        短期目標="朝の準備を30分早める\n作業手順を覚える", 支援方針="本人の工夫を支える", 支援内容="面談で振り返る\n手順書を一緒に作る",
        支援期間="6か月", 支援頻度="月2回", 役割分担="本人・支援員・上司", 長期目標="長く働き続ける", 評価="初回のため評価なし",
        作成者="佐藤 花子", 本人同意日=date(2025, 10, 3), 職場環境="食品工場の包装ライン", 業務内容="包装・検品", 労働条件="週30時間",
    )
    return t


@pytest.fixture
def office_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    folder = write_csvs(tmp_path / "office", office_tables())
    (folder / "teichaku.toml").write_text('"事業所名" = "テスト就労定着支援センター"\n', encoding="utf-8")
    return folder


@pytest.mark.parametrize("audience, golden", [("user", "report_user.json"), ("employer", "report_employer.json")])
def test_report_golden(invoke, office_dir, tmp_path, audience, golden):
    out = tmp_path / "out"
    result = invoke("report", office_dir, "--month", "2025-10", "--for", audience, "--out", out)
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.xlsx")
    assert path.name == ("2025-10_0001_利用者0001_本人用.xlsx" if audience == "user" else "2025-10_0001_利用者0001_事業主用_㈱髙﨑フーズ.xlsx")
    actual, expected = compare_or_update(path, GOLDENS / golden, UPDATE)
    assert actual == expected


def test_plan_golden(invoke, office_dir, tmp_path):
    out = tmp_path / "plans"
    result = invoke("plan", office_dir, "--user", "0001", "--date", "2025-10-15", "--out", out)
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.xlsx")
    assert path.name == "就労定着支援計画_0001_利用者0001_2025-10-01.xlsx"
    actual, expected = compare_or_update(path, GOLDENS / "plan.json", UPDATE)
    assert actual == expected
    cells = {k: v[0] for k, v in actual["就労定着支援計画"]["cells"].items()}
    assert "令和7年10月1日 〜 令和8年4月1日" in cells.values()  # 計画期間: 作成日 … the review deadline (day 1 = the next day, 6 months)
    assert "朝の準備を30分早める" in cells.values() and "作業手順を覚える" in cells.values()  # one row per goal


def xml_text(path: Path) -> str:
    """Every part of the xlsx: cells, shared strings, headers/footers, comments, names, properties."""
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())


def test_report_user_copy_dates_are_real_dates_with_wareki_format(invoke, office_dir, tmp_path):
    import openpyxl

    invoke("report", office_dir, "--month", "2025-10", "--out", tmp_path / "o")
    ws = openpyxl.load_workbook(next((tmp_path / "o").glob("*.xlsx"))).active
    assert ws["A11"].value.date() == date(2025, 10, 5)
    assert ws["A11"].number_format == '[$-411]ggge"年"m"月"d"日"'


def test_text_that_looks_like_a_formula_stays_text(invoke, office_dir, tmp_path):
    invoke("report", office_dir, "--month", "2025-10", "--out", tmp_path / "o")
    text = xml_text(next((tmp_path / "o").glob("*.xlsx")))
    assert "=SUM(A1:A3) のように見える文字" in text and "<f>" not in text


PRIVATE = "通院と服薬の相談"


def test_employer_copy_holds_only_shared_entries(invoke, office_dir, tmp_path):
    invoke("report", office_dir, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    text = xml_text(next((tmp_path / "o").glob("*.xlsx")))
    assert "上司と配置について相談" in text
    assert PRIVATE not in text and "主治医に相談する" not in text


def test_no_employer_copy_for_closed_employment_or_without_consent(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    tables = merge(good_month("0001", MONTH, 障害開示="クローズ", 事業主="一商店"), good_month("0002", MONTH, 事業主共有同意="なし", 事業主="二物流"), good_month("0003", MONTH, 事業主="三工業"))
    for row in tables["支援レポート"][:2]:
        row["事業主共有日"] = None  # not shared (a share date would be an error for these two)
    folder = write_csvs(tmp_path / "office", tables)
    result = invoke("report", folder, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "o").glob("*.xlsx")] == ["2025-10_0003_利用者0003_事業主用_三工業.xlsx"]
    assert "クローズ" in result.output and "同意していない" in result.output and "作成 1件、作成せず 2件" in result.output


def test_employer_copies_never_leak_on_generated_data(invoke, tmp_path, monkeypatch):
    """Many users, many private entries: search every part of every employer file."""
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    rng = random.Random(7)
    parts, private = [], []
    for i in range(1, 41):
        uid = f"{i:04d}"
        disclosure = rng.choice(["オープン", "オープン", "クローズ"])
        consent = rng.choice(["あり", "あり", "なし"])
        t = good_month(uid, MONTH, 障害開示=disclosure, 事業主共有同意=consent, 備考=f"非公開メモ{uid}", 事業主=f"勤務先{uid}")
        if disclosure == "クローズ" or consent == "なし":
            t["支援レポート"][0]["事業主共有日"] = None
        for k in range(rng.randint(1, 6)):
            secret = f"秘{uid}-{k}-服薬"
            private.append(secret)
            t["支援記録"].append({"日付": date(2025, 10, rng.randint(1, 31)), "利用者ID": uid, "方法": "電話", "相手": rng.choice(["本人", "家族"]), "内容": secret, "結果": secret + "結果", "事業主共有": rng.choice(["不可", ""])})
        t["支援記録"][0].update(内容=f"共有可{uid}", 事業主共有="可")
        parts.append(t)
        if disclosure == "クローズ" or consent == "なし":
            private.append(f"共有可{uid}")  # nothing at all may reach an employer for these users
        private.append(f"非公開メモ{uid}")
    folder = write_csvs(tmp_path / "office", merge(*parts))
    result = invoke("report", folder, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    files = list((tmp_path / "o").glob("*.xlsx"))
    assert files
    for path in files:
        text = xml_text(path)
        leaked = [s for s in private if s in text]
        assert not leaked, (path.name, leaked[:3])
    shared = [f"共有可{p['利用者'][0]['利用者ID']}" for p in parts if p["利用者"][0]["障害開示"] == "オープン" and p["利用者"][0]["事業主共有同意"] == "あり"]
    assert all(any(s in xml_text(p) for p in files) for s in shared)


def test_malicious_template_expression_is_refused(invoke, office_dir, tmp_path):
    import openpyxl

    template = tmp_path / "evil.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "様式"
    wb.active["B2"] = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    wb.save(template)
    result = invoke("report", office_dir, "--month", "2025-10", "--template", template, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "evil.xlsx" in result.output and "様式" in result.output and "B2" in result.output and "安全でない" in result.output
    assert "Traceback" not in result.output and not list((tmp_path / "o").glob("*.xlsx")) if (tmp_path / "o").exists() else True


def test_template_typo_names_the_cell(invoke, office_dir, tmp_path):
    import openpyxl

    template = tmp_path / "typo.xlsx"
    wb = openpyxl.Workbook()
    wb.active["C3"] = "{{ user.氏名 }} {{ user.しめい }}"
    wb.save(template)
    result = invoke("report", office_dir, "--month", "2025-10", "--template", template, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "typo.xlsx" in result.output and "C3" in result.output and "しめい" in result.output


@pytest.mark.parametrize(
    "cells, where, words",
    [
        ({"C3": "{{ user.しめい }}"}, "C3", "しめい"),  # a whole-cell expression: no text around it
        ({"B2": "{{ ''.__class__ }}"}, "B2", "安全でない"),
        ({"A4": "{% for e in entries | %}", "B5": "{{ e.日付 }}", "A6": "{% endfor %}"}, "A4", "書き方の誤り"),
        ({"A4": "{% for e in 3 %}", "B5": "{{ e }}", "A6": "{% endfor %}"}, "A4", "繰り返しの一覧を作れません"),
        ({"A4": "{% for e in entriez %}", "B5": "{{ e }}", "A6": "{% endfor %}"}, "A4", "entriez"),
        ({"A4": "{% for e in user.氏名 %}", "B5": "{{ e }}", "A6": "{% endfor %}"}, "A4", "繰り返しの一覧を作れません"),
    ],
    ids=["undefined", "unsafe", "loop-syntax", "loop-not-a-list", "loop-undefined", "loop-over-text"],
)
def test_every_template_error_names_the_template_sheet_and_cell(invoke, office_dir, tmp_path, cells, where, words):
    import openpyxl

    template = tmp_path / "own.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "様式"
    for coord, text in cells.items():
        wb.active[coord] = text
    wb.save(template)
    result = invoke("report", office_dir, "--month", "2025-10", "--template", template, "--out", tmp_path / "o")
    assert result.exit_code == 2, result.output
    for fragment in ("own.xlsx", "様式", where, words):
        assert fragment in result.output, result.output
    assert "内部エラー" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").glob("*.xlsx"))


def test_existing_files_are_kept_unless_force(invoke, office_dir, tmp_path):
    out = tmp_path / "o"
    invoke("report", office_dir, "--month", "2025-10", "--out", out)
    (path,) = out.glob("*.xlsx")
    path.write_bytes(b"staff edited this")
    result = invoke("report", office_dir, "--month", "2025-10", "--out", out)
    assert "上書きしませんでした" in result.output and path.read_bytes() == b"staff edited this"
    invoke("report", office_dir, "--month", "2025-10", "--out", out, "--force")
    assert path.read_bytes().startswith(b"PK")


def test_unknown_user_and_missing_selection(invoke, office_dir, tmp_path):
    result = invoke("report", office_dir, "--month", "2025-10", "--user", "9999", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "9999" in result.output
    result = invoke("plan", office_dir)
    assert result.exit_code == 2 and "--all" in result.output


def test_plan_all_skips_users_without_a_plan(invoke, tmp_path, monkeypatch):
    tables = merge(good_month("0001", MONTH), good_month("0002", MONTH))
    tables["支援計画"] = tables["支援計画"][:1]
    folder = write_csvs(tmp_path / "office", tables)
    result = invoke("plan", folder, "--all", "--date", "2025-10-20", "--out", tmp_path / "p")
    assert result.exit_code == 1 and "作成 1件、作成せず 1件、失敗 0件" in result.output and "支援計画がありません" in result.output  # 1: not every plan was made


def _many(tmp_path, count: int):
    users = merge(*(good_month(f"{i:04d}", date(2025, 10, 1)) for i in range(1, count + 1)))
    return write_csvs(tmp_path / "many", users)


def test_a_big_batch_renders_in_worker_processes_the_same_files(invoke, tmp_path, monkeypatch):
    """From PARALLEL_FROM jobs on, workers render; each file must equal the one
    rendered alone in this process."""
    from document_dump import dump
    from teichaku_cli.documents.build import PARALLEL_FROM

    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # workers even on a one-core machine
    folder = _many(tmp_path, PARALLEL_FROM + 1)
    result = invoke("report", folder, "--month", "2025-10", "--out", tmp_path / "batch")
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "batch").glob("*.xlsx"))
    assert len(files) == PARALLEL_FROM + 1 and f"作成 {PARALLEL_FROM + 1}件" in result.output
    alone = invoke("report", folder, "--month", "2025-10", "--user", "0041", "--out", tmp_path / "alone")
    (single,) = (tmp_path / "alone").glob("*.xlsx")
    assert dump(next(f for f in files if f.name == single.name)) == dump(single)


def test_a_template_error_in_a_big_batch_writes_no_file(invoke, tmp_path, monkeypatch):
    import openpyxl

    from teichaku_cli.documents.build import PARALLEL_FROM

    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    folder = _many(tmp_path, PARALLEL_FROM + 1)
    template = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    wb.active["B2"] = "{{ user.しめい }}"
    wb.save(template)
    result = invoke("report", folder, "--month", "2025-10", "--template", template, "--out", tmp_path / "batch")
    assert result.exit_code == 2 and "B2" in result.output and "内部エラー" not in result.output
    assert not list((tmp_path / "batch").glob("*.xlsx")) if (tmp_path / "batch").exists() else True


def test_a_report_for_a_month_outside_the_service_is_skipped_with_a_reason(invoke, office_dir, tmp_path):
    # the user started 2025-04 (good_month): September 2024 is before it
    result = invoke("report", office_dir, "--month", "2024-09", "--user", "0001", "--out", tmp_path / "o")
    assert result.exit_code == 1, result.output  # 1: a document asked for was not made (README 終了コード)
    assert "利用期間" in result.output and "外のため作りません" in result.output and "作成 0件" in result.output
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").glob("*.xlsx"))


def test_an_overdue_plan_says_so_and_a_plan_is_cut_at_the_end_of_service(invoke, tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.setenv("TEICHAKU_TODAY", "2026-06-01")
    tables = office_tables()
    tables["利用者"][0]["利用終了日"] = date(2026, 3, 15)
    folder = write_csvs(tmp_path / "office", tables)
    # made 2025-10-01: review by 2026-04-01, but the service ends 2026-03-15
    result = invoke("plan", folder, "--user", "0001", "--date", "2026-01-10", "--out", tmp_path / "cut")
    assert result.exit_code == 0, result.output
    cells = [c.value for row in openpyxl.load_workbook(next((tmp_path / "cut").glob("*.xlsx"))).active.iter_rows() for c in row]
    assert "令和7年10月1日 〜 令和8年3月15日" in cells
    assert any(isinstance(v, str) and "利用の終わり（令和8年3月15日）までで区切っています" in v for v in cells)
    # on 2026-03-10 the plan of 2025-10-01 is… still in force (review deadline 2026-04-01); a plan made
    # 2025-08-01 and never reviewed is overdue by 2026-03-10
    tables["支援計画"][0]["作成日"] = date(2025, 8, 1)
    folder = write_csvs(tmp_path / "office2", tables)
    result = invoke("plan", folder, "--user", "0001", "--date", "2026-03-10", "--out", tmp_path / "late")
    assert result.exit_code == 0, result.output
    assert "この計画は見直し期限（令和8年2月1日）を過ぎています" in result.output  # said on screen, in 和暦
    cells = [c.value for row in openpyxl.load_workbook(next((tmp_path / "late").glob("*.xlsx"))).active.iter_rows() for c in row]
    # not on the sheet the 本人 signs: the office's lateness is not printed over their signature
    assert not any(isinstance(v, str) and ("期限切れ" in v or "過ぎて" in v) for v in cells), cells


def test_no_plan_for_a_day_outside_the_service(invoke, office_dir, tmp_path):
    result = invoke("plan", office_dir, "--user", "0001", "--date", "2024-12-01", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "外" in result.output and "作成 0件" in result.output, result.output  # 1: not made


def test_a_template_saved_by_excel_with_column_ranges_keeps_its_widths(tmp_path):
    """Excel saves neighbouring columns of one width as one <col min max>: the copies
    lost the widths of all but the first column, and rows were sized from the wrong
    widths (a long entry printed cut off or far too tall)."""
    import re

    from openpyxl import load_workbook

    from teichaku_cli.documents.bundled import REPORT, bundled
    from teichaku_cli.documents.xlsx_template import XlsxTemplate

    source = bundled(REPORT)
    grouped = tmp_path / "grouped.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(grouped, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                widths = {c: d.width for c, d in load_workbook(source).active.column_dimensions.items()}
                runs, start = [], 1
                for col in range(2, 10):  # columns A…H, one <col> per run of equal widths
                    if col == 9 or widths[chr(64 + col)] != widths[chr(63 + col)]:
                        runs.append(f'<col min="{start}" max="{col - 1}" width="{widths[chr(63 + col)]}" customWidth="1"/>')
                        start = col
                data = re.sub(rb"<cols>.*?</cols>", ("<cols>" + "".join(runs) + "</cols>").encode(), data)
                assert len(runs) < 8  # the bundled template has equal neighbours
            zout.writestr(item, data)
    long = "長い支援内容の記録です。" * 8
    context = {
        "office": {"name": "事業所", "number": "1"}, "month": date(2025, 6, 1), "created": date(2025, 7, 1), "user": {"氏名": "試験"},
        "employer": "会社", "author": "作成者", "report": dict.fromkeys(("主な支援目標", "今後の支援内容", "本人の取組", "事業主の取組", "共有事項"), long),
        "entries": [{"日付": "2025-06-03", "方法": "対面", "相手": "本人", "内容": long, "結果": "よし"}], "copy": "本人用",
    }
    sheets = []
    for template in (source, grouped):
        out = tmp_path / f"out-{template.stem}.xlsx"
        XlsxTemplate(template).render(context, out)
        ws = load_workbook(out).active
        width_of = {c: d.width for d in ws.column_dimensions.values() for c in range(d.min, d.max + 1)}
        sheets.append(([width_of.get(c) for c in range(1, 9)], [ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)]))
    assert sheets[0] == sheets[1] and None not in sheets[1][0]
