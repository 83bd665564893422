"""Words staff use, and help that says what the command does (issue 15): --help in
Japanese with every argument and option described; --for 本人/事業主; months with
「分」 and dates with a weekday, as exports write them; a hint for 「Zoom」 in 方法
(still an error); one message when IDs lost their leading zeros; a month not over
or not begun labelled; the tier of a fiscal year not closed marked 見込み; counts
kept beside every rate in JSON."""

from __future__ import annotations

import json
import re
from datetime import date

import click
import openpyxl
import pytest
import typer.main

from conftest import write_csvs, write_xlsx
from rules_helpers import good_month, merge
from teichaku_cli.cli import app
from teichaku_cli.documents.sheets import HEADER_ROW

MONTH = date(2025, 10, 1)
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def office(tmp_path, tables, name="o", **kw):
    return write_csvs(tmp_path / name, tables, **kw)


def priced(folder):
    """An office whose amounts are known (tier and 地域区分単価 written): its months can be 可, not 要確認."""
    (folder / "teichaku.toml").write_text('"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 10.0\n', encoding="utf-8")
    return folder


# --- help ---------------------------------------------------------------------------------

COMMANDS = sorted(typer.main.get_command(app).commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_argument_and_option_is_described_in_japanese(invoke, name):
    command = typer.main.get_command(app).commands[name]
    text = invoke(name, "--help").output
    for english in ("Usage:", "Arguments:", "Options:", "Show this message", "[default:", "[required]", "[OPTIONS]"):
        assert english not in text, (name, english)
    assert text.startswith("使い方: teichaku") and "\n引数:\n" in text and "\nオプション:\n" in text
    for param in command.params:
        assert param.help and JAPANESE.search(param.help), (name, param.name)
        assert param.help.replace(" ", "")[:8] in text.replace("\n", "").replace(" ", ""), (name, param.name)  # shown, not only declared
    assert "この説明を表示して終わる。" in text


def test_the_data_argument_is_described(invoke):
    """The story: `Arguments: [DATA]` had no description (click 8.5 dropped typer's)."""
    text = invoke("check", "--help").output
    line = next(line for line in text.splitlines() if line.strip().startswith("[DATA]"))
    assert "事業所データ" in line


@pytest.mark.parametrize("columns", ["60", "80", "200"])
def test_the_command_list_is_japanese_and_says_each_command_whole(invoke, monkeypatch, columns):
    """Story: `teichaku --help` cut its own command list with 「…」 (「…区分を…」): each
    command's first sentence is listed whole, wrapped under it, every line in the width."""
    from teichaku_cli.cli.text import display_width

    monkeypatch.setenv("COLUMNS", columns)
    text = invoke("--help").output
    assert "\nコマンド:\n" in text and "使い方: teichaku [オプション] コマンド [引数]..." in text
    listed = text.split("コマンド:\n", 1)[1].splitlines()
    assert all(JAPANESE.search(line) for line in listed if line.strip())
    assert "…" not in "\n".join(listed)
    assert all(display_width(line) <= max(int(columns), 80) for line in listed)
    joined = "".join(line.strip() for line in listed)
    for name, command in typer.main.get_command(app).commands.items():
        first = command.help.split("。", 1)[0].replace(" ", "") + "。"
        assert name + first in joined.replace(" ", ""), name


def test_plan_help_says_who_and_plan_without_who_fails_as_it_says(invoke, tmp_path):
    text = invoke("plan", "--help").output.replace("\n", "").replace(" ", "")
    assert "--userか--allのどちらかが必要です" in text and "省略時は対象の全員" not in text
    result = invoke("plan", office(tmp_path, good_month("0001", MONTH)))
    assert result.exit_code == 2 and "--user 利用者ID か --all" in result.output


# --- words in options ---------------------------------------------------------------------


@pytest.mark.parametrize("words", [("本人", "user"), ("事業主", "employer"), ("事業主用", "employer"), ("本人用", "user")])
def test_for_takes_the_words_staff_use(invoke, tmp_path, monkeypatch, words):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-20")
    folder = office(tmp_path, good_month("0001", MONTH, 事業主="テスト商事"))  # open, consented, its employer named
    japanese, english = words
    made = {}
    for word in (japanese, english):
        out = tmp_path / f"out-{word}"
        result = invoke("report", folder, "--month", "2025-10", "--for", word, "--out", out)
        assert result.exit_code == 0, result.output
        made[word] = sorted(p.name for p in out.glob("*.xlsx"))
    assert made[japanese] == made[english] and made[english]


def test_for_refuses_other_words_in_japanese(invoke, tmp_path):
    result = invoke("report", office(tmp_path, good_month("0001", MONTH)), "--for", "家族")
    assert result.exit_code == 2 and "--for 本人" in result.output and "--for 事業主" in result.output


@pytest.mark.parametrize("month", ["2025年10月分", "令和7年10月分", "R7.10分", "2025/10/5（日）"])
def test_month_takes_bun_and_weekdays_as_exports_write_them(invoke, tmp_path, monkeypatch, month):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-20")
    folder = priced(office(tmp_path, good_month("0001", MONTH)))
    result = invoke("check", folder, "--month", month, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["month"] == "2025-10"


def test_dates_in_cells_may_carry_a_weekday_and_a_wrong_one_is_an_error(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-20")
    tables = good_month("0001", MONTH)
    weekdays = "月火水木金土日"

    def styled(d: date, i: int) -> str:  # mixed as exports write them: 和暦 with (曜), 西暦 with （曜）
        return f"令和{d.year - 2018}年{d.month}月{d.day}日({weekdays[d.weekday()]})" if i % 2 else f"{d:%Y/%m/%d}（{weekdays[d.weekday()]}）"

    folder = priced(write_csvs(tmp_path / "o", tables, date_style=styled))
    assert invoke("validate", folder).exit_code == 0
    result = invoke("check", folder, "--month", "2025-10", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["users"][0]["claimable"]
    wrong = write_csvs(tmp_path / "w", tables, date_style=lambda d, i: f"{d:%Y/%m/%d}(月)" if d == date(2025, 10, 5) else d.isoformat())
    result = invoke("validate", wrong)
    assert result.exit_code == 1 and "曜日が日付と合いません" in result.output and "日曜日" in result.output


@pytest.mark.parametrize("month", ["2026-01", "令和8年2月分"])
def test_a_month_beyond_next_month_is_refused(invoke, tmp_path, monkeypatch, month):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-20")
    result = invoke("check", office(tmp_path, good_month("0001", MONTH)), "--month", month)
    assert result.exit_code == 2 and "--month" in result.output and "来月" in result.output and "2025年12月" in result.output


# --- words in the data --------------------------------------------------------------------


@pytest.mark.parametrize("word", ["Zoom", "オンライン", "Teams", "LINE通話", "ｚｏｏｍ面談"])
def test_online_meeting_words_stay_errors_with_a_hint(invoke, tmp_path, monkeypatch, word):
    """Only two-way video that shows the person counts: never mapped to テレビ電話 silently."""
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-20")
    tables = good_month("0001", MONTH)
    tables["支援記録"][0]["方法"] = word
    folder = office(tmp_path, tables)
    result = invoke("validate", folder)
    assert result.exit_code == 1
    assert "テレビ電話（双方向で本人の様子が見える）なら テレビ電話 と書いてください" in result.output
    assert invoke("check", folder, "--month", "2025-10").exit_code == 2  # computes nothing on it


def test_ids_that_lost_their_leading_zeros_get_one_message_not_one_per_row(invoke, tmp_path):
    tables = merge(*(good_month(f"{n:04d}", MONTH) for n in range(1, 4)))
    for table in ("支援記録", "支援レポート", "支援計画"):
        for row in tables[table]:
            row["利用者ID"] = str(int(row["利用者ID"]))  # what Excel does to a number-looking column
    result = invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables))
    assert result.exit_code == 1
    assert result.output.count("先頭の0が消えているようです") == 3  # once per sheet, not per row
    assert "利用者シートにありません" not in result.output
    assert "この表の「1」は、利用者シートの「0001」と思われます" in result.output and "文字列" in result.output
    # where to look: the first three rows as Excel numbers them, and how many in all (the message had no row)
    assert "この形の行が3行: 2行目、3行目、4行目）" in result.output  # 支援計画: one row per person


def test_the_lost_zeros_message_names_three_rows_and_the_count(invoke, tmp_path):
    tables = merge(*(good_month(f"{n:04d}", MONTH) for n in range(1, 6)))
    for row in tables["支援記録"][1:]:  # the first row stays right
        row["利用者ID"] = str(int(row["利用者ID"]))
    lost = len(tables["支援記録"]) - 1
    result = invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables))
    assert f"この形の行が{lost}行: 3行目、4行目、5行目ほか）" in result.output, result.output


def test_a_users_sheet_that_lost_its_zeros_is_the_one_named(invoke, tmp_path):
    tables = merge(*(good_month(f"{n:04d}", MONTH) for n in range(1, 3)))
    for row in tables["利用者"]:
        row["利用者ID"] = str(int(row["利用者ID"]))
    # the second person's jobs are in 就労履歴 (under 0002), and each has a 受給者証 row
    second = tables["利用者"][1]
    tables["就労履歴"] = [{"利用者ID": "0002", "事業主": "甲", "就職日": second.pop("就職日"), "障害開示": second.pop("障害開示"), "事業主共有同意": second.pop("事業主共有同意")}]
    tables["受給者証"] = [
        {"利用者ID": f"{n:04d}", "受給者証番号": f"{n:010d}", "市町村番号": "131016", "支給決定開始日": date(2025, 4, 1), "支給決定終了日": date(2026, 3, 31), "負担上限月額": 0}
        for n in (1, 2)
    ]
    result = invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables))
    assert result.exit_code == 1
    assert result.output.count("先頭の0が消えているようです") == 1 and "利用者シートの利用者ID の先頭の0" in result.output
    assert "この形の行が2行: 2行目、3行目）" in result.output  # the 利用者 sheet's own rows
    assert "受給者証" in result.output.split("先頭の0が消えているようです")[1].split("→")[0]  # the new sheets are named with the rest
    assert "利用者シートにありません" not in result.output
    assert "就労履歴シートにもこの人の仕事がありません" not in result.output and "障害開示が空欄" not in result.output  # the same one mistake
    assert "エラー 1件、注意 0件" in result.output


def test_an_unknown_id_that_is_not_a_zero_case_is_still_listed(invoke, tmp_path):
    tables = good_month("0001", MONTH)
    tables["支援記録"][0]["利用者ID"] = "0009"
    result = invoke("validate", office(tmp_path, tables))
    assert "この利用者ID は利用者シートにありません" in result.output and "先頭の0" not in result.output


# --- months not over, tiers not closed, counts kept ---------------------------------------


def test_the_current_month_says_it_is_not_over_everywhere(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-10-20")
    monkeypatch.setenv("COLUMNS", "160")
    folder = office(tmp_path, good_month("0001", MONTH))
    label = "月の途中です（10月20日までの記録で判定）"
    result = invoke("check", folder, "--month", "2025-10", "--out", tmp_path / "c.xlsx")
    assert label in result.output
    payload = json.loads(invoke("check", folder, "--month", "2025-10", "--json").stdout)
    assert payload["month_status"] == "in_progress" and label in payload["month_note"]
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    for ws in wb.worksheets:
        assert label in ws["A3"].value, ws.title  # the title block of every sheet
    closed = json.loads(invoke("check", folder, "--month", "2025-09", "--json").stdout)
    assert closed["month_status"] == "closed" and closed["month_note"] is None


def test_next_month_says_it_has_not_begun(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-10-20")
    payload = json.loads(invoke("check", office(tmp_path, good_month("0001", MONTH)), "--month", "2025-11", "--json").stdout)
    assert payload["month_status"] == "future" and payload["month_note"].startswith("まだ始まっていない月です（10月20日までの記録で判定）")


def retained(n: int) -> dict:
    """n users who started in fiscal 2024 and are still employed."""
    return merge(*(good_month(f"{i:04d}", date(2024, 10, 1), 就職日=date(2024, 4, 1), 利用開始日=date(2024, 10, 1)) for i in range(1, n + 1)))


def test_the_tier_of_a_fiscal_year_not_closed_is_marked_mikomi(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-03-20")  # fiscal 2024 closes on 2025-03-31
    monkeypatch.setenv("COLUMNS", "200")
    folder = office(tmp_path, retained(5))
    payload = json.loads(invoke("check", folder, "--month", "2025-04", "--json").stdout)
    tier = payload["tier"]
    assert tier["projection"] is True and "見込み" in tier["how"]
    assert (tier["rate"], tier["numerator"], tier["denominator"]) == ("1", 5, 5)  # 5/5: the counts are kept
    text = invoke("check", folder, "--month", "2025-04", "--out", tmp_path / "c.xlsx").output
    assert "基本報酬（見込み）:" in text
    conditions = openpyxl.load_workbook(tmp_path / "c.xlsx")["条件"]
    values = {conditions.cell(r, 1).value: conditions.cell(r, 2).value for r in range(HEADER_ROW + 1, conditions.max_row + 1)}
    assert values["基本報酬区分"].endswith("（見込み）")
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-04-20")  # closed: no longer a projection
    closed = json.loads(invoke("check", folder, "--month", "2025-04", "--json").stdout)["tier"]
    assert closed["projection"] is False and "見込み" not in closed["how"] and closed["numerator"] == 5


def test_rate_json_keeps_the_counts_beside_the_rate(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-05-20")
    payload = json.loads(invoke("rate", office(tmp_path, retained(5)), "--year", "2024", "--json").stdout)
    assert (payload["rate"], payload["numerator"], payload["denominator"]) == ("1", 5, 5)
    assert {"numerator", "denominator"} <= set(payload["jisseki_taisei"])


@pytest.mark.parametrize("width", [14, 15, 20, 30, 31, 45])  # a cell at least as wide as 「（2025-06-30」
def test_table_text_wraps_where_a_person_would(width):
    """Story: rate's 理由 column broke dates in two (「…離職→2025-0」「7-14就職）」) and
    began a line with 、: rich breaks only at spaces and folds Japanese anywhere."""
    from rich.cells import cell_len

    from teichaku_cli.cli.common import Wrapped

    text = "期間内に利用開始／1か月以内の転職1回（2025-06-30離職→2025-07-14就職）、就労継続とみなす。年 90,480 単位（約 1,114,620 円）"
    lines = Wrapped(text).lines(width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # only spaces at a break are dropped
    assert all(line and line == line.strip() for line in lines), lines
    assert all(cell_len(line) <= width for line in lines)
    for token in ("2025-06-30", "2025-07-14", "90,480", "1,114,620"):
        assert any(token in line for line in lines), (token, lines)
    assert not any(line[0] in "、。）" for line in lines[1:]), lines
    assert not any(line[-1] == "（" for line in lines), lines


@pytest.mark.parametrize("width", [18, 20, 26, 31])  # at least 「（令和8年10月31日」
def test_a_wareki_date_stays_on_one_line(width):
    from teichaku_cli.cli.common import Wrapped

    text = "受給者証の支給決定期間が切れています（令和8年10月31日まで。令和8年9月分から請求できません、6月1日作成）"
    lines = Wrapped(text).lines(width)
    for token in ("令和8年10月31日", "令和8年9月分", "6月1日"):
        assert any(token in line for line in lines), (token, lines)


def test_a_run_longer_than_the_cell_is_folded_not_lost():
    from teichaku_cli.cli.common import Wrapped

    assert Wrapped("ID U-0000000000001 です").lines(6) == ["ID", "U-0000", "000000", "001 で", "す"]


# --- 和暦 for every date staff read (issue 21) ---------------------------------------------------

ISO_DATE = re.compile(r"(?<![\d/-])\d{4}-\d{2}-\d{2}(?![\d])")
SAMPLE = __import__("pathlib").Path(__file__).resolve().parents[1] / "samples" / "office.xlsx"


@pytest.mark.parametrize("args", [
    ("check", "--month", "2026-10"), ("check", "--month", "2026-11"), ("check", "--month", "2021-05"),
    ("due", "--within", "12"),
    ("rate", "--year", "2025"), ("rate", "--year", "2021"), ("rate", "--designation-date", "2021-04-01"),
    ("plan", "--all", "--date", "2026-10-31"), ("plan", "--user", "0006", "--date", "2026-11-20"),
], ids=lambda a: " ".join(a))
def test_every_date_staff_read_is_wareki(invoke, tmp_path, monkeypatch, args):
    """Story: rate's table and its workbook's 理由 mixed 2025-06-30 into 和暦 tables, plan
    printed 「見直し期限（2026-09-02）」. 西暦 stays in --json, file names and option syntax."""
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-12-08")
    monkeypatch.setenv("COLUMNS", "200")
    command, *rest = args
    out = tmp_path / ("plans" if command == "plan" else "out.xlsx")
    result = invoke(command, SAMPLE, *rest, "--out", out)
    assert result.exit_code in (0, 1), result.output
    shown = [re.sub(r"\S*\.xlsx", "", line) for line in result.output.splitlines()]  # written files' names carry 西暦
    assert not [line for line in shown if ISO_DATE.search(line)], result.output
    books = sorted(out.glob("*.xlsx")) if out.is_dir() else [out]
    assert books
    for book in books:
        for ws in openpyxl.load_workbook(book).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value != "office.xlsx":
                        assert not ISO_DATE.search(cell.value), (book.name, ws.title, cell.coordinate, cell.value)
