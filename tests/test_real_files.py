"""Real files, read honestly (issue 20): each story is the sample as another program or
a person left it, built here from samples/office.xlsx or samples/csv/. On each, check
gives the sample's result, or says why it differs on its own output (stderr, and its
JSON), and validate says the same."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "office.xlsx"
SAMPLE_CSV = ROOT / "samples" / "csv"
MONTH = ("--month", "2026-10")


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")


def workbook(tmp_path: Path, change, toml: str = "") -> Path:
    """The sample workbook, changed by ``change(wb)`` with openpyxl, beside its teichaku.toml."""
    import openpyxl

    wb = openpyxl.load_workbook(SAMPLE)
    change(wb)
    path = tmp_path / "office.xlsx"
    wb.save(path)
    (tmp_path / "teichaku.toml").write_text((ROOT / "samples" / "teichaku.toml").read_text(encoding="utf-8") + toml, encoding="utf-8")
    return path


def csv_folder(tmp_path: Path, name: str, change) -> Path:
    """The CP932 sample folder with one file's bytes changed by ``change(bytes) -> bytes``."""
    folder = tmp_path / "csv"
    shutil.copytree(SAMPLE_CSV, folder)
    path = folder / f"{name}.csv"
    path.write_bytes(change(path.read_bytes()))
    return folder


def check(invoke, data: Path):
    result = invoke("check", data, *MONTH, "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout), result.stderr


def sample_check(invoke, data: Path = SAMPLE) -> dict:
    payload, stderr = check(invoke, data)
    assert stderr == ""
    return payload


def same_result(payload: dict, expected: dict) -> None:
    """The same claim check: every user, finding, unit and amount, and the office's findings."""
    assert payload["users"] == expected["users"]
    assert payload["summary"] == expected["summary"]
    assert payload["office_findings"] == expected["office_findings"]


def shared_employer_findings(payload: dict) -> int:
    return sum(f["code"] == "employer-report-share-missing" for u in payload["users"] for f in u["findings"])


# --- an unrelated column beside the sharing gates ------------------------------------------


def extra_column(header: str, value: str = "済"):
    def change(wb):
        ws = wb["利用者"]
        col = ws.max_column + 1
        ws.cell(1, col, header)
        for row in range(2, ws.max_row + 1):
            ws.cell(row, col, value)

    return change


@pytest.mark.parametrize("header", ["個人情報同意日", "利用契約同意書回収", "写真掲載の同意"])
def test_a_column_about_an_unrelated_subject_changes_nothing(invoke, tmp_path, header):
    """「個人情報同意日」 holds 同意 and 日, 「利用契約同意書回収」 同意: neither is about sharing with
    an employer. Read as unknown columns (kept for the templates), listed once by validate;
    the real 事業主共有同意 is never called a duplicate."""
    data = workbook(tmp_path, extra_column(header))
    payload, stderr = check(invoke, data)
    same_result(payload, sample_check(invoke))
    assert stderr == "" and shared_employer_findings(payload) > 0
    result = invoke("validate", data)
    assert result.exit_code == 0, result.output
    assert f"Q列「{header}」は、" in result.output and "についての列として読みました" in result.output
    assert "重なっています" not in result.output and "重複" not in result.output
    assert result.output.count("注意") == 2  # the one line, and the count


@pytest.mark.parametrize("header, gate", [("同意撤回日", "事業主共有同意日"), ("同意日", "事業主共有同意日"), ("共有の同意", "事業主共有同意")])
def test_a_look_alike_of_a_gate_is_still_read_as_not_shared_and_check_says_so(invoke, tmp_path, header, gate):
    """Fail closed: a withdrawal or a consent date may say the opposite of the gate. The
    consent is unreadable, employer findings go — and check says why, on stderr before
    its result and in office_findings; report too. rate and due compute nothing from it."""
    data = workbook(tmp_path, extra_column(header, "2025-01-01"))
    payload, stderr = check(invoke, data)
    expected = sample_check(invoke)
    assert shared_employer_findings(payload) < shared_employer_findings(expected)  # the result differs …
    said = [f for f in payload["office_findings"] if f["code"] == "reading-warning"]
    assert len(said) == 1 and f"見出し「{header}」は「{gate}」" in said[0]["message"] and "共有しない" in said[0]["message"]  # … and says why
    assert said[0]["severity"] == "warning" and said[0]["title"] == "データの読み込み"
    assert f"見出し「{header}」は「{gate}」" in stderr and stderr.startswith("注意")
    assert payload["summary"]["warnings"] == sum(f["severity"] == "warning" for u in payload["users"] for f in u["findings"]) + 1
    for command in (("rate", "--year", "2025"), ("due",)):
        result = invoke(*command[:1], data, *command[1:], "--json")
        assert result.exit_code == 0 and json.loads(result.stdout)["reading_findings"] == [] and result.stderr == ""
    report = invoke("report", data, *MONTH, "--out", tmp_path / "reports")
    assert f"見出し「{header}」は「{gate}」" in report.stderr
    terminal = invoke("check", data, *MONTH)
    assert terminal.stdout.count(f"見出し「{header}」") == 0 and terminal.stderr.count(f"見出し「{header}」") == 1  # said once, on stderr


def test_the_real_gate_column_is_never_called_a_duplicate_of_a_look_alike(invoke, tmp_path):
    data = workbook(tmp_path, extra_column("事業主共有同意（旧）", "なし"))
    result = invoke("validate", data)
    assert "「事業主共有同意」と同じことについての別の列" in result.output
    assert "重なっています" not in result.output


def test_the_unrelated_subjects_are_one_list():
    from teichaku_cli.model import schema

    assert schema.UNRELATED_SUBJECTS == ("個人情報", "利用契約", "同意書", "写真")
    assert schema.unrelated_subject("個人情報同意日") == "個人情報"
    assert schema.unrelated_subject("事業主共有同意書") is None  # names the sharing itself: stays a look-alike
    assert schema.unrelated_subject("同意撤回日") is None


# --- a second copy of a table ------------------------------------------------------------


def moved_to_a_copy(name: str, rows: int = 300):
    """Excel's 「移動またはコピー」, then the last ``rows`` records moved to the copy."""

    def change(wb):
        ws = wb["支援記録"]
        copy = wb.copy_worksheet(ws)
        copy.title = name
        last = ws.max_row
        ws.delete_rows(last - rows + 1, rows)
        copy.delete_rows(2, last - rows - 1)

    return change


@pytest.mark.parametrize("name", ["支援記録 (2)", "支援記録のコピー", "Copy of 支援記録", "支援記録_2", "10月分"])
def test_a_copy_of_a_table_is_an_error_naming_both_sheets(invoke, tmp_path, name):
    """Rows moved into the copy are not read: check would claim without them (7 users
    claimable → 0). A copy by its name, or by its header row under any name."""
    data = workbook(tmp_path, moved_to_a_copy(name))
    result = invoke("check", data, *MONTH, "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert f"シート「{name}」は「支援記録」のコピーのようです" in result.stderr
    assert "同じ見出しの列へ移し" in result.stderr and f'[sheets] に "{name}" = ""' in result.stderr
    for command in (("rate", "--year", "2025"), ("due",)):
        assert invoke(*command[:1], data, *command[1:]).exit_code == 2
    validate = invoke("validate", data)
    assert validate.exit_code == 1 and f"シート「{name}」は「支援記録」のコピー" in validate.output


def test_an_archive_sheet_mapped_to_nothing_is_left_alone(invoke, tmp_path):
    """The office keeps its copy on purpose: "支援記録 (2)" = "" in [sheets]."""
    data = workbook(tmp_path, moved_to_a_copy("支援記録 (2)", rows=0), toml='\n[sheets]\n"支援記録 (2)" = ""\n')
    payload, stderr = check(invoke, data)
    same_result(payload, sample_check(invoke))
    assert stderr == ""
    assert invoke("validate", data).output.startswith("問題ありません")


def test_a_copied_csv_is_an_error_too(invoke, tmp_path):
    folder = csv_folder(tmp_path, "支援記録", lambda b: b)
    shutil.copy(folder / "支援記録.csv", folder / "支援記録 - コピー.csv")
    result = invoke("check", folder, *MONTH)
    assert result.exit_code == 2 and "CSV ファイル「支援記録 - コピー.csv」は「支援記録.csv」のコピーのようです" in result.stderr


def test_a_sheet_named_like_a_table_is_said_by_every_computing_command(invoke, tmp_path):
    """Not a copy (its own header), but named like one: a warning, said by check, rate and
    due on stderr and in their JSON; the result is the sample's."""

    def change(wb):
        ws = wb.create_sheet("支援記録メモ")
        ws.append(["メモ"])
        ws.append(["来月の予定"])

    data = workbook(tmp_path, change)
    payload, stderr = check(invoke, data)
    expected = sample_check(invoke)
    assert payload["users"] == expected["users"]
    assert "「支援記録メモ」は読んでいません" in stderr
    assert [f["message"] for f in payload["office_findings"] if f["code"] == "reading-warning"][0].count("支援記録メモ") >= 1
    for command in (("rate", "--year", "2025"), ("due",)):
        result = invoke(*command[:1], data, *command[1:], "--json")
        said = json.loads(result.stdout)["reading_findings"]
        assert result.exit_code == 0 and len(said) == 1 and "「支援記録メモ」は読んでいません" in said[0]["message"]
        assert "「支援記録メモ」は読んでいません" in result.stderr


def test_a_sheets_mapping_to_nothing_is_accepted_and_a_misspelt_one_still_refused(tmp_path):
    from teichaku_cli.office.settings import load_settings

    path = tmp_path / "teichaku.toml"
    path.write_text('[sheets]\n"支援記録 (2)" = ""\n"支援経過" = "支援記緑"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.unread_sheets == {"支援記録 (2)"}
    assert [p.place.column for p in settings.problems] == ["支援経過"]


# --- text that is not text ---------------------------------------------------------------


def cp932(text: str) -> bytes:
    return text.encode("cp932")


def test_gaiji_in_a_name_is_an_error_with_its_code(invoke, tmp_path):
    """CP932's user-defined area (F040–F9FC): 外字 and some mis-encoded names. Python reads
    them as private-use characters: a name would print as \\ue000田 美咲 in every document."""
    folder = csv_folder(tmp_path, "利用者", lambda b: b.replace(cp932("上田 美咲"), b"\xf0\x40" + cp932("田 美咲")))
    result = invoke("validate", folder)
    assert result.exit_code == 1
    assert "利用者.csv 4行目 B列「氏名」" in result.output and "U+E000" in result.output and "F040" in result.output
    assert "外字は請求にも事業主用の帳票にも使えません" in result.output
    assert invoke("check", folder, *MONTH).exit_code == 2


@pytest.mark.parametrize("column, words", [("利用者ID", "U+E001"), ("事業主", "U+E757")])
def test_gaiji_in_an_id_or_an_employer_is_an_error(invoke, tmp_path, column, words):
    replace = {"利用者ID": (b"\n0003,", b"\n\xf0\x41003,"), "事業主": (cp932(",㈱髙﨑フーズ,"), cp932(",㈱") + b"\xf9\xfc" + cp932("﨑フーズ,"))}[column]
    folder = csv_folder(tmp_path, "利用者", lambda b: b.replace(*replace, 1))
    result = invoke("validate", folder)
    assert result.exit_code == 1 and words in result.output and f"「{column}」" in result.output


def test_gaiji_in_other_text_is_a_warning_said_by_the_documents(invoke, tmp_path):
    """In a support note: validate warns (exit 0); check's result is the sample's (it prints
    no note); report says it on stderr, since the note goes onto the page."""
    folder = csv_folder(tmp_path, "支援記録", lambda b: b.replace(cp932("体調と服薬の状況を確認"), cp932("体調と") + b"\xf0\x40" + cp932("の状況を確認"), 1))
    result = invoke("validate", folder)
    assert result.exit_code == 0 and "支援記録.csv 2行目 G列「内容」" in result.output and "U+E000" in result.output
    payload, stderr = check(invoke, folder)
    same_result(payload, sample_check(invoke, SAMPLE_CSV))
    assert stderr == ""
    report = invoke("report", folder, "--month", "2023-05", "--user", "0012", "--out", tmp_path / "reports")
    assert report.exit_code == 0 and "G列「内容」" in report.stderr and "U+E000" in report.stderr


def test_gaiji_in_a_workbook_is_found_too(invoke, tmp_path):
    def change(wb):
        wb["利用者"]["B4"] = "\ue000田 美咲"

    result = invoke("validate", workbook(tmp_path, change))
    assert result.exit_code == 1 and "シート「利用者」 4行目 B列「氏名」" in result.output and "U+E000" in result.output


def test_dates_with_a_minus_sign_read_as_the_sample(invoke, tmp_path):
    """U+2212 (a Mac or LibreOffice's −) and the IME's ー between the parts of a date."""
    def change(data: bytes) -> bytes:
        text = data.decode("cp932").replace("2023-07-10", "2023\u221207\u221210").replace("2024-05-07", "2024ー05ー07")
        return text.encode("cp932", errors="strict") if "\u2212" not in text else text.encode("utf-8-sig")

    folder = csv_folder(tmp_path, "利用者", change)
    payload, stderr = check(invoke, folder)
    same_result(payload, sample_check(invoke, SAMPLE_CSV))
    assert stderr == "" and invoke("validate", folder).exit_code == 0


def test_ids_written_for_excel_read_as_ids(invoke, tmp_path):
    """="0001" keeps Excel from dropping the zeros: read as 0001 (never shown as ="0001"),
    one note a table."""
    folder = csv_folder(tmp_path, "支援記録", lambda b: b.replace(b",0012,", b',="0012",').replace(b",0001,", b',="0001",'))
    payload, stderr = check(invoke, folder)
    same_result(payload, sample_check(invoke, SAMPLE_CSV))
    assert stderr == "" and '="' not in json.dumps(payload, ensure_ascii=False)
    result = invoke("validate", folder)
    assert result.exit_code == 0 and result.output.count('="0001" の形の値') == 1 and "「利用者ID」" in result.output


# --- bounded, and harmless structures --------------------------------------------------------


def test_a_stray_value_far_below_reads_the_sample_and_names_the_cell(invoke, tmp_path):
    """One value at Z1048576 (5.8 s and 1.2 GB before; time and memory are make bench's)."""

    def change(wb):
        wb["支援記録"]["Z1048576"] = "x"

    data = workbook(tmp_path, change)
    payload, stderr = check(invoke, data)
    same_result(payload, sample_check(invoke))
    assert stderr == ""
    result = invoke("validate", data)
    assert result.exit_code == 0 and "シート「支援記録」 1048576行目: セル Z1048576" in result.output and "読んでいません" in result.output


def test_an_excel_table_with_a_totals_row_reads_the_sample(invoke, tmp_path):
    """The table part says the range ends with a totals row (集計, SUBTOTAL): skipped, with a note."""
    from openpyxl.worksheet.table import Table

    def change(wb):
        ws = wb["支援記録"]
        total = ws.max_row + 1
        ws.cell(total, 1, "集計")
        ws.cell(total, 2, f"=SUBTOTAL(103,B2:B{total - 1})")
        table = Table(displayName="支援記録テーブル", ref=f"A1:J{total}", totalsRowCount=1)
        ws.add_table(table)

    data = workbook(tmp_path, change)
    payload, stderr = check(invoke, data)
    same_result(payload, sample_check(invoke))
    assert stderr == ""
    result = invoke("validate", data)
    assert result.exit_code == 0 and "テーブル「支援記録テーブル」の集計行（763行目）" in result.output


def test_a_totals_row_is_skipped_only_where_the_table_part_says_so(invoke, tmp_path):
    def change(wb):
        ws = wb["支援記録"]
        ws.cell(ws.max_row + 1, 1, "集計")

    assert invoke("validate", workbook(tmp_path, change)).exit_code == 1  # no table: a record that cannot be read


def test_a_merged_header_cell_over_an_extra_column_reads_the_sample(invoke, tmp_path):
    def change(wb):
        ws = wb["支援記録"]
        ws["K1"] = "メモ"
        ws.merge_cells("K1:L1")

    data = workbook(tmp_path, change)
    payload, stderr = check(invoke, data)
    same_result(payload, sample_check(invoke))
    assert invoke("validate", data).output.startswith("問題ありません")


def test_a_merged_cell_over_a_column_that_is_read_is_still_refused(invoke, tmp_path):
    def change(wb):
        wb["支援記録"].merge_cells("I1:J1")

    result = invoke("validate", workbook(tmp_path, change))
    assert result.exit_code == 1 and "結合されたセル（I1:J1）" in result.output


def test_trailing_empty_fields_on_csv_lines_are_ignored(invoke, tmp_path):
    """Excel writes a block's width of commas on every line of it."""
    folder = csv_folder(tmp_path, "支援記録", lambda b: b.replace(b"\r\n", b",,,\r\n"))
    payload, stderr = check(invoke, folder)
    same_result(payload, sample_check(invoke, SAMPLE_CSV))
    folder = csv_folder(tmp_path / "shifted", "支援記録", lambda b: b.replace(cp932("不可,\r\n"), cp932("不可,,x\r\n"), 1))  # the first record
    assert invoke("check", folder, *MONTH).exit_code == 2  # a value beyond the header: still refused


@pytest.mark.parametrize(
    "text, private",
    [("（株）０１Ａｱ", False), ("﨑", False), ("\ue000", True), ("\ue757", True), ("\uf8ff", True), ("\U000f0001", True), ("０" * 5000 + "\uf020", True), ("０" * 5000, False)],
)
def test_a_workbook_says_from_its_bytes_whether_its_text_may_hold_gaiji(text, private):
    """Full-width forms and 﨑 share their first byte (EF) with private-use characters: the
    byte after it decides, so a workbook without 外字 is not searched cell by cell."""
    from teichaku_cli.office.sources import _maybe_private_utf8

    assert _maybe_private_utf8(("x" + text + "y").encode("utf-8")) is private
