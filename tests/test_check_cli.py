"""`teichaku check` and `teichaku due` from the command line: exit codes, JSON
equal to the core result, the Excel output."""

from __future__ import annotations

import json
from datetime import date

import pytest

from rules_helpers import good_month, merge
from conftest import write_csvs
from teichaku_cli.documents.sheets import HEADER_ROW
from teichaku_cli.office.load import load_office
from teichaku_cli.rules.monthly import as_dict, check_month

MONTH = date(2025, 10, 1)
CONFIG = '"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 11.2\n"事業所名" = "テスト事業所"\n'


@pytest.fixture
def office_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    blocked = good_month("0002", MONTH)
    blocked["支援記録"][0]["方法"] = "電話"
    folder = write_csvs(tmp_path / "office", merge(good_month("0001", MONTH), blocked), encoding="cp932")
    (folder / "teichaku.toml").write_text(CONFIG, encoding="utf-8")
    return folder


def test_json_is_the_core_result_and_exit_is_1_with_a_blocked_user(invoke, office_dir):
    result = invoke("check", office_dir, "--month", "令和7年10月", "--json")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    core = as_dict(check_month(load_office(office_dir), MONTH, date(2025, 11, 5)))
    assert payload == core
    assert payload["month"] == "2025-10" and payload["rules_version"] == "R6"
    users = {u["user_id"]: u for u in payload["users"]}
    assert users["0001"]["claimable"] is True and users["0001"]["amounts"]["total_cost"] == 39334
    assert [f["code"] for f in users["0002"]["findings"]] == ["face-to-face-missing"]
    assert [f["code"] for f in payload["office_findings"]] == ["certificates-not-kept"]  # no 受給者証 sheet: one note
    assert payload["summary"] == {
        "users": 2, "claimable": 1, "blocked": 1, "unconfirmed": 0, "errors": 1, "warnings": 0, "notes": 1,
        "units_claimable": 3512, "total_cost_claimable": 39334, "user_burden_claimable": None, "benefit_claimable": None,
        "units_blocked": 3512, "total_cost_blocked": 39334, "user_burden_blocked": None, "benefit_blocked": None,
        "by_municipality": [{"municipality": "（市町村番号なし）", "users": 1, "units": 3512, "total_cost": 39334, "user_burden": None, "benefit": None}],
    }


def test_default_month_is_the_previous_one(invoke, office_dir):
    payload = json.loads(invoke("check", office_dir, "--json").stdout)
    assert payload["month"] == "2025-10"


def test_exit_0_when_everyone_can_be_claimed(invoke, tmp_path, monkeypatch):
    folder = write_csvs(tmp_path / "o", good_month("0001", MONTH))
    (folder / "teichaku.toml").write_text(CONFIG, encoding="utf-8")
    result = invoke("check", folder, "--month", "2025-10")
    assert result.exit_code == 0, result.output
    assert "請求可 1人" in result.output


def test_table_output_names_findings_and_fixes_in_japanese(invoke, office_dir):
    result = invoke("check", office_dir, "--month", "R7.10")
    assert result.exit_code == 1
    assert "対面支援なし: 令和7年10月に本人との対面" in result.output and "不可" in result.output
    assert "face-to-face-missing" not in result.output  # the codes are for programs (--json) and the docs' tables
    assert "令和7年10月分の請求前チェック" in result.output


def test_bad_month_is_a_usage_error(invoke, office_dir):
    result = invoke("check", office_dir, "--month", "令和7年13月")
    assert result.exit_code == 2 and "--month" in result.output and "Traceback" not in result.output


def test_month_before_r3_refused(invoke, office_dir):
    result = invoke("check", office_dir, "--month", "2021-03")
    assert result.exit_code == 2 and "2021年4月（令和3年度報酬改定）から" in result.output


def test_bad_data_is_listed_and_nothing_computed(invoke, office_dir):
    text = (office_dir / "支援記録.csv").read_bytes().decode("cp932").replace("電話", "LINE")
    (office_dir / "支援記録.csv").write_bytes(text.encode("cp932"))
    result = invoke("check", office_dir, "--month", "2025-10", "--out", office_dir / "out.xlsx")
    assert result.exit_code == 2 and "LINE" in result.output and "計算しません" in result.output
    assert not (office_dir / "out.xlsx").exists()


def test_out_writes_a_finding_per_row_workbook(invoke, office_dir):
    import openpyxl

    path = office_dir / "check.xlsx"
    result = invoke("check", office_dir, "--month", "2025-10", "--out", path)
    assert result.exit_code == 1
    wb = openpyxl.load_workbook(path)
    ws = wb["指摘 2025-10"]
    assert [c.value for c in ws[HEADER_ROW]][:5] == ["利用者ID", "氏名", "請求", "重要度", "指摘"]
    assert [c.value for c in ws[HEADER_ROW + 1]][:5] == ["0002", "利用者0002", "不可", "エラー", "対面支援なし"]
    assert [c.value for c in ws[HEADER_ROW + 2]][:4] == ["事業所", None, None, "お知らせ"]  # the office keeps no 受給者証 data
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}" and ws.auto_filter.ref == f"A{HEADER_ROW}:G{HEADER_ROW + 2}"
    estimate = wb["請求見込み"]
    assert [c.value for c in estimate[HEADER_ROW]][:7] == ["利用者ID", "氏名", "受給者証番号", "市町村番号", "単位数", "単価", "総費用額"]


def test_due_lists_upcoming_dates_soonest_first(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-10-15")
    tables = good_month("0001", MONTH, 就職日=date(2022, 6, 1), 利用開始日=date(2023, 1, 1), 要継続支援="はい")
    tables["支援計画"][0]["作成日"] = date(2025, 6, 1)
    folder = write_csvs(tmp_path / "o", tables)
    result = invoke("due", folder, "--json", "--within", "3")
    assert result.exit_code == 0, result.output
    items = [d for d in json.loads(result.stdout)["deadlines"] if not d["kind"].endswith("-last-month")]  # September has no records: 先月分 (tests/test_due.py)
    # 3y6m after hire ends 2025-11-30; the planned end is that day, so the handoff deadline (−3 months)
    # is 2025-08-30: past, and nothing on record, so it leads the list as late
    assert [(d["date"], d["kind"], d["overdue"]) for d in items] == [
        ("2025-08-30", "handoff", True),
        ("2025-11-30", "hire-limit", False),
        ("2025-12-01", "plan-review", False),
        ("2025-12-31", "use-limit", False),
    ]
    assert items[0]["days_late"] == 46 and items[0]["days_left"] is None and items[1]["days_left"] == 46


def _due(invoke, tables, *args):
    import tempfile
    from pathlib import Path

    folder = write_csvs(Path(tempfile.mkdtemp()) / "o", tables)
    result = invoke("due", folder, "--json", *args)
    assert result.exit_code == 0, result.output
    # the fixtures have records for October only: September's misses (先月分) are tested in tests/test_due.py
    return [(d["date"], d["user_id"], d["kind"]) for d in json.loads(result.stdout)["deadlines"] if not d["kind"].endswith("-last-month")]


def test_due_includes_today_and_the_last_day_of_the_window(invoke, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-10-15")
    tables = merge(
        good_month("0001", MONTH, 就職日=date(2025, 4, 15), 利用開始日=date(2025, 10, 15)),  # usable from today
        good_month("0002", MONTH, 就職日=date(2024, 4, 1), 利用開始日=date(2024, 10, 1), 利用終了日=date(2026, 4, 15), 要継続支援="はい"),
        good_month("0003", MONTH, 就職日=date(2024, 4, 1), 利用開始日=date(2024, 10, 1), 利用終了日=date(2026, 1, 16)),
        good_month("0004", MONTH, 就職日=date(2024, 4, 1), 利用開始日=date(2024, 10, 1), 利用終了日=date(2026, 1, 15)),
        good_month("0005", MONTH, 就職日=date(2024, 4, 1), 利用開始日=date(2024, 10, 1), 利用終了日=date(2025, 10, 14)),  # ended yesterday
    )
    assert _due(invoke, tables, "--within", "3") == [
        ("2025-10-31", "0001", "face-to-face-this-month"),  # this month's first: its 対面 on 10-05 came before its service began
        ("2025-10-15", "0001", "eligible-from"),  # today: included
        ("2026-01-15", "0002", "handoff"),  # 3 months before the end 2026-04-15, the window's last day: included
        ("2026-01-15", "0004", "planned-end"),
    ]  # 0003 ends the day after the window; 0005 is no longer served


def test_due_drops_a_handoff_already_on_record(invoke, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-10-15")
    user = dict(就職日=date(2024, 4, 1), 利用開始日=date(2024, 10, 1), 利用終了日=date(2026, 4, 15), 要継続支援="はい")
    handoff = {"日付": date(2026, 1, 15), "利用者ID": "0002", "方法": "対面", "相手": "関係機関", "区分": "引継ぎ"}
    tables = good_month("0002", MONTH, **user)
    tables["支援記録"].append(handoff)
    assert _due(invoke, tables, "--within", "3") == []  # on the deadline itself: done
    tables["支援記録"][-1] = dict(handoff, 日付=date(2026, 1, 16))  # after the deadline: still due
    assert _due(invoke, tables, "--within", "3") == [("2026-01-15", "0002", "handoff")]
    tables["支援記録"][-1] = dict(handoff, 相手="本人")  # a handoff is to an agency
    assert _due(invoke, tables, "--within", "3") == [("2026-01-15", "0002", "handoff")]


def test_due_table_excel_and_range(invoke, tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.setenv("TEICHAKU_TODAY", "2025-10-15")
    monkeypatch.setenv("COLUMNS", "120")
    folder = write_csvs(tmp_path / "o", good_month("0001", MONTH, 就職日=date(2025, 4, 15), 利用開始日=date(2025, 10, 15)))
    result = invoke("due", folder, "--out", tmp_path / "due.xlsx")
    assert result.exit_code == 0, result.output
    assert "令和7年10月15日" in result.output and "今日まで" in result.output and "利用できる最初の日" in result.output
    ws = openpyxl.load_workbook(tmp_path / "due.xlsx")["期限"]
    rows = [r for r in ws.iter_rows(min_row=HEADER_ROW, values_only=True) if not str(r[0]).startswith("先月分")]  # September: tests/test_due.py
    assert rows[0][:5] == ("状態", "日付", "あと日数", "利用者ID", "氏名") and rows[1][0].startswith("今月まだ")  # this month's first
    assert rows[2][3] == "0001" and rows[2][1].date() == date(2025, 10, 15)
    assert rows[2][0] == "今日まで" and rows[2][2] == 0
    for bad in ("0", "61"):
        result = invoke("due", folder, "--within", bad)
        assert result.exit_code == 2 and "1〜60" in result.output
    quiet = write_csvs(tmp_path / "quiet", good_month("0009", MONTH))  # next: the plan review on 2026-04-01
    assert "令和7年10月15日から1か月の間に期限はありません。" in invoke("due", quiet, "--within", "1").output


def test_out_writes_the_claim_estimate_per_user_and_per_municipality(invoke, tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    blocked = good_month("0003", MONTH)
    blocked["支援記録"][0]["方法"] = "電話"

    def cert(uid, municipality, cap):
        return {"利用者ID": uid, "受給者証番号": f"99000{int(uid):05d}", "市町村番号": municipality,
                "支給決定開始日": date(2025, 4, 1), "支給決定終了日": date(2026, 3, 31), "負担上限月額": cap}

    tables = merge(good_month("0001", MONTH), good_month("0002", MONTH), blocked,
                   {"受給者証": [cert("0001", "139991", 9300), cert("0002", "139992", 0), cert("0003", "139991", 37200)]})
    folder = write_csvs(tmp_path / "o", tables, encoding="cp932")
    (folder / "teichaku.toml").write_text(CONFIG, encoding="utf-8")  # 3,512 units at 11.2 円: 39,334 円
    result = invoke("check", folder, "--month", "2025-10", "--out", tmp_path / "check.xlsx")
    assert result.exit_code == 1, result.output
    assert "請求見込み（請求可 2人）: 7,024 単位、総費用額 78,668 円、利用者負担 3,933 円、給付費 74,735 円" in result.output
    assert "請求できない分（合計に含めず）: 1人、3,512 単位、総費用額 39,334 円" in result.output and "見込み" in result.output
    rows = list(openpyxl.load_workbook(tmp_path / "check.xlsx")["請求見込み"].iter_rows(values_only=True))[HEADER_ROW - 1 :]
    assert rows[0] == ("利用者ID", "氏名", "受給者証番号", "市町村番号", "単位数", "単価", "総費用額", "利用者負担", "給付費", "請求")
    assert rows[1] == ("0001", "利用者0001", "9900000001", "139991", 3512, 11.2, 39334, 3933, 35401, "可")
    assert rows[2] == ("0002", "利用者0002", "9900000002", "139992", 3512, 11.2, 39334, 0, 39334, "可")
    assert rows[3][:9] == ("0003", "利用者0003", "9900000003", "139991", 3512, 11.2, 39334, 3933, 35401) and rows[3][9].startswith("不可")
    totals = {r[0].split("（")[0]: (r[4], *r[6:9]) for r in rows[4:] if r and isinstance(r[0], str) and "計" in r[0] or r and r[0] and str(r[0]).startswith("請求できない分")}
    assert totals["市町村計 139991"] == (3512, 39334, 3933, 35401)  # 0003 is blocked: not in the sum
    assert totals["市町村計 139992"] == (3512, 39334, 0, 39334)
    assert totals["請求見込み 合計"] == (7024, 78668, 3933, 74735)
    assert totals["請求できない分"] == (3512, 39334, 3933, 35401)
    assert any("見込み" in str(r[0]) and "国保連" in str(r[0]) for r in rows if r and r[0])
    payload = json.loads(invoke("check", folder, "--month", "2025-10", "--json").stdout)
    assert payload == as_dict(check_month(load_office(folder), MONTH, date(2025, 11, 5)))  # --json is the core result
    assert payload["summary"]["by_municipality"] == [
        {"municipality": "139991", "users": 1, "units": 3512, "total_cost": 39334, "user_burden": 3933, "benefit": 35401},
        {"municipality": "139992", "users": 1, "units": 3512, "total_cost": 39334, "user_burden": 0, "benefit": 39334},
    ]


def test_every_month_of_the_sample_prints_as_a_table_and_a_workbook(invoke, tmp_path, monkeypatch):
    """The terminal table and the --out workbook for every month from R3 to next month
    (each month mixes other findings: one month's mix once crashed check)."""
    from pathlib import Path

    from teichaku_cli.base.dates import next_month

    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    sample = Path(__file__).resolve().parents[1] / "samples" / "csv"
    month, seen = date(2021, 4, 1), 0
    while month <= date(2026, 12, 1):
        label = month.strftime("%Y-%m")
        args = ["check", sample, "--month", label] + (["--out", tmp_path / f"{label}.xlsx"] if month.month == 9 else [])
        result = invoke(*args)
        assert result.exit_code in (0, 1), f"{label}: {result.output}"
        assert "利用者ID" in result.stdout and "内部エラー" not in result.output
        seen += 1
        month = next_month(month)
    assert seen == 69 and len(list(tmp_path.glob("*.xlsx"))) == 6


# --- 要確認: no 「可」 without an amount --------------------------------------------------------


def unknown_tier_office(tmp_path, config: str) -> "Path":
    """Two users who began this year: no rate can be computed for the tier (a new office)."""
    started = dict(就職日=date(2025, 1, 6), 利用開始日=date(2025, 7, 7))
    folder = write_csvs(tmp_path / "new", merge(good_month("0001", MONTH, **started), good_month("0002", MONTH, **started)), encoding="cp932")
    (folder / "teichaku.toml").write_text(config, encoding="utf-8")
    return folder


def test_a_month_whose_base_units_are_unknown_is_unconfirmed_not_claimable(invoke, tmp_path, monkeypatch):
    """Story: a new office (no tier yet) showed 「0001 … 可 … 0*」 and 「請求見込み（請求可 1人）:
    0 単位」: a 可 beside 0 invites a wrong claim. It is 要確認 (its own state, exit 1), with
    the reason and the setting that fixes it; --json keeps claimable (false) and adds state."""
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    monkeypatch.setenv("COLUMNS", "120")
    folder = unknown_tier_office(tmp_path, '"地域区分単価" = 11.2\n')
    result = invoke("check", folder, "--month", "2025-10", "--json")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert [(u["state"], u["claimable"], u["units"]["base_known"]) for u in payload["users"]] == [("unconfirmed", False, False)] * 2
    s = payload["summary"]
    assert (s["claimable"], s["blocked"], s["unconfirmed"], s["units_claimable"], s["by_municipality"]) == (0, 0, 2, 0, [])
    (reason,) = payload["unconfirmed_reasons"]
    assert "基本報酬の区分が分からない" in reason["reason"] and "「基本報酬区分」を書いてください" in reason["fix"]
    text = invoke("check", folder, "--month", "2025-10").output
    rows = [line for line in text.splitlines() if line.startswith("│ 000")]
    assert len(rows) == 2 and all("要確認" in row and " 可 " not in row for row in rows), text
    assert "請求可 0人・不可 0人・要確認 2人" in text and "要確認（合計に含めず）: 2人" in text
    assert "「基本報酬区分」を書いてください" in text
    # the setting written: claimable, exit 0
    (folder / "teichaku.toml").write_text('"地域区分単価" = 11.2\n"基本報酬区分" = "9割5分以上"\n', encoding="utf-8")
    fixed = invoke("check", folder, "--month", "2025-10", "--json")
    assert fixed.exit_code == 0 and {u["state"] for u in json.loads(fixed.stdout)["users"]} == {"claimable"}


def test_an_error_still_blocks_a_month_whose_amount_is_unknown(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    folder = unknown_tier_office(tmp_path, '"地域区分単価" = 11.2\n')
    tables = merge(good_month("0001", MONTH, 就職日=date(2025, 1, 6), 利用開始日=date(2025, 7, 7)))
    tables["支援記録"][0]["方法"] = "電話"
    write_csvs(folder, tables, encoding="cp932")
    payload = json.loads(invoke("check", folder, "--month", "2025-10", "--json").stdout)
    assert [u["state"] for u in payload["users"]] == ["blocked"] and payload["summary"]["unconfirmed"] == 0


def test_an_office_that_writes_no_unit_price_is_unconfirmed(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    folder = unknown_tier_office(tmp_path, '"基本報酬区分" = "9割5分以上"\n')
    result = invoke("check", folder, "--month", "2025-10", "--json", "--out", tmp_path / "c.xlsx")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert {u["state"] for u in payload["users"]} == {"unconfirmed"} and all(u["units"]["base_known"] for u in payload["users"])
    (reason,) = payload["unconfirmed_reasons"]
    assert "地域区分単価" in reason["reason"] and "「地域区分単価」を書いてください" in reason["fix"]
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    users = wb["利用者別"]
    marks = [users.cell(r, 3).value for r in range(HEADER_ROW + 1, HEADER_ROW + 3)]
    labels = [users.cell(r, 1).value for r in range(HEADER_ROW + 3, users.max_row + 1)]
    assert marks == ["要確認", "要確認"] and "要確認の分（2人）" in labels
    estimate = [c.value.replace("\n", "") for row in wb["請求見込み"].iter_rows() for c in row if isinstance(c.value, str)]  # printed over lines
    assert "要確認（合計に含めない）" in estimate and any(v.startswith("要確認: 地域区分単価") for v in estimate)


def test_an_r3_month_whose_band_has_no_table_must_be_confirmed_with_the_authority(invoke, tmp_path, monkeypatch):
    """No setting fixes it: the R3 units of an office of 21 users or more are not in the
    sources (and --fee-table is rate's). Said so: confirm the units with the 指定権者."""
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    month = date(2023, 10, 1)
    people = [good_month(f"{i:04d}", month, 就職日=date(2021, 1, 1), 利用開始日=date(2021, 7, 1)) for i in range(1, 23)]
    folder = write_csvs(tmp_path / "r3", merge(*people), encoding="cp932")
    (folder / "teichaku.toml").write_text(CONFIG, encoding="utf-8")
    result = invoke("check", folder, "--month", "2023-10", "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert {u["state"] for u in payload["users"]} == {"unconfirmed"}
    (reason,) = payload["unconfirmed_reasons"]
    assert "令和3年度報酬改定" in reason["reason"] or "R3" in reason["reason"]
    assert "設定では直せません" in reason["fix"] and "指定権者" in reason["fix"]


# --- the terminal table: errors first, never hidden, IDs and names whole ------------------------

SAMPLE = __import__("pathlib").Path(__file__).resolve().parent.parent / "samples" / "office.xlsx"


def table_rows(text: str) -> tuple[list[str], list[dict[str, list[str]]]]:
    """The check table read back: its headers, and per user each column's lines."""
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("┃"))
    headers = [h.strip() for h in header.strip("┃").split("┃")]
    users: list[dict[str, list[str]]] = []
    for line in lines:
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[0]:
            users.append({h: [] for h in headers})
        for h, cell in zip(headers, cells):
            users[-1][h].append(cell)
    return headers, users


def long_named_office(tmp_path):
    """Long names, and a user with four findings, one of them the longest error title."""
    tables = merge(
        good_month("0001", MONTH, 氏名="長谷川 麻衣子"),
        good_month("0002", MONTH, 氏名="ﾀﾅｶ ｱﾚｸｻﾝﾀﾞｰ", 利用終了日=date(2025, 10, 10)),
        good_month("0003", MONTH, 氏名="佐々木 葵"),
    )
    for row in tables["支援レポート"]:
        if row["利用者ID"] == "0002":
            row["本人提供日"] = date(2025, 10, 20)  # after the service ended: 支援レポートが利用期間外
    tables["支援記録"] = [r for r in tables["支援記録"] if not (r["利用者ID"] == "0003" and r["相手"] in ("本人", "事業主"))]
    tables["支援計画"] = [r for r in tables["支援計画"] if r["利用者ID"] != "0003"]
    folder = write_csvs(tmp_path / "long", tables, encoding="cp932")
    (folder / "teichaku.toml").write_text(CONFIG, encoding="utf-8")
    return folder


@pytest.mark.parametrize("columns", [80, 120, 200])
@pytest.mark.parametrize("case", ["sample-2026-10", "sample-2026-11", "sample-2026-09", "long-names"])
def test_the_table_shows_every_error_title_whole_errors_first_and_never_breaks_an_id_or_a_name(invoke, tmp_path, monkeypatch, columns, case):
    """Story: at 120 columns 0006's 指摘 read 「支援レポート未提供、事業主への共有なし、計画…」
    (the cut part was 計画見直し期限超過, the error), 0014's 「…受給…」; at 80 every 指摘 was
    three characters and names broke over two lines."""
    from teichaku_cli.cli.text import display_width

    monkeypatch.setenv("COLUMNS", str(columns))
    if case == "long-names":
        monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
        data, month = long_named_office(tmp_path), "2025-10"
    else:
        month = case.removeprefix("sample-")
        monkeypatch.setenv("TEICHAKU_TODAY", "2026-12-08" if month == "2026-11" else "2026-11-22")
        data = SAMPLE
    payload = json.loads(invoke("check", data, "--month", month, "--json").stdout)
    text = invoke("check", data, "--month", month).output
    table = [line for line in text.splitlines() if line[:1] in "┏┃┡│└"]
    assert table and all(display_width(line) <= columns for line in table), text  # the table fits (the lines under it are the terminal's to wrap)
    assert not any("…" in line for line in table)
    headers, rows = table_rows(text)
    assert headers[:4] == ["利用者ID", "氏名", "請求", "指摘"]
    by_id = {u["user_id"]: u for u in payload["users"]}
    assert [r["利用者ID"][0] for r in rows] == list(by_id)
    severity = {"error": 0, "warning": 1, "note": 2}
    errors_seen = 0
    for row in rows:
        user = by_id[row["利用者ID"][0]]
        assert row["氏名"][0] == user["name"] and not any(row["氏名"][1:]) and not any(row["利用者ID"][1:])  # never broken
        cell = row["指摘"]
        for f in user["findings"]:
            if f["severity"] == "error":  # whole, on one line
                assert any(f["title"] in line for line in cell), (f["title"], cell)
                errors_seen += 1
        shown = "".join(cell).replace("、", "")
        titles = sorted(user["findings"], key=lambda f: severity[f["severity"]])
        assert shown == "".join(f["title"] for f in titles) or (not titles and shown == "—"), (shown, titles)  # errors first, nothing lost
        if user["findings"]:
            first = min(user["findings"], key=lambda f: severity[f["severity"]])
            assert cell[0].startswith(first["title"][:4])
    assert errors_seen, "the case has errors to show"
    if columns == 80:
        assert "列を省きました" in text  # said, when the amounts had to make room
    if columns == 200:
        assert "列を省きました" not in text and "給付費" in headers
