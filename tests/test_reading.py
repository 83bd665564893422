"""Reading office data and every kind of bad input: a Japanese message naming
the place, the right exit code, no traceback, nothing written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import CONTACT, USER, minimal_tables, patch_sheet_xml, write_csvs, write_xlsx
from teichaku_cli.base.errors import DataProblems
from teichaku_cli.office.load import load_office, read_office

FIXTURES = Path(__file__).parent / "fixtures"


def assert_clean_failure(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, f"{fragment!r} not in:\n{result.output}"


def test_minimal_workbook_reads_typed(tmp_path):
    office = load_office(write_xlsx(tmp_path / "o.xlsx", minimal_tables()))
    user = office.users.iloc[0]
    assert user["利用者ID"] == "0001"
    assert user["就職日"].date() == date(2024, 4, 1)
    assert user["利用類型"] == "通常"  # default
    assert user["事業主共有同意"] is True or user["事業主共有同意"] == True  # noqa: E712
    assert user["一体的運営"] == True  # noqa: E712  default はい
    assert user["_row"] == 2
    contact = office.contacts.iloc[0]
    assert contact["事業主共有"] == False  # noqa: E712  default 不可


def test_leading_zeros_survive_in_xlsx_and_csv(tmp_path):
    tables = minimal_tables()
    tables["利用者"][0]["利用者ID"] = "0007"
    tables["支援記録"][0]["利用者ID"] = "0007"
    for data in (write_xlsx(tmp_path / "o.xlsx", tables), write_csvs(tmp_path / "csv", tables)):
        assert load_office(data).users["利用者ID"].tolist() == ["0007"]


def test_cp932_csv_with_mixed_wareki_and_cp932_only_characters(tmp_path):
    tables = minimal_tables()
    tables["支援記録"] = [dict(CONTACT, 日付=d) for d in (date(2024, 10, 3), date(2024, 11, 5), date(2024, 12, 2), date(2025, 1, 6))]
    styles = [
        lambda d: f"令和{d.year - 2018}年{d.month}月{d.day}日",
        lambda d: f"R{d.year - 2018}.{d.month}.{d.day}",
        lambda d: f"R{d.year - 2018:02d}/{d.month:02d}/{d.day:02d}",
        lambda d: f"{d.year}/{d.month}/{d.day}".translate(str.maketrans("0123456789/", "０１２３４５６７８９／")),
    ]
    folder = write_csvs(tmp_path / "csv", tables, date_style=lambda d, i: styles[i % 4](d))
    office = load_office(folder)
    assert [d.date() for d in office.contacts["日付"]] == [date(2024, 10, 3), date(2024, 11, 5), date(2024, 12, 2), date(2025, 1, 6)]
    assert office.users["事業主"].iloc[0] == "㈱髙﨑テスト商事"


def test_utf8_with_and_without_bom(tmp_path):
    for encoding in ("utf-8", "utf-8-sig"):
        folder = write_csvs(tmp_path / encoding, minimal_tables(), encoding=encoding)
        assert load_office(folder).users["氏名"].tolist() == ["試験 花子"]


def test_extra_columns_are_kept_and_order_is_free(tmp_path):
    tables = minimal_tables()
    tables["利用者"][0]["趣味"] = "散歩"
    headers = {"利用者": ["趣味", "氏名", "利用開始日", "利用者ID", "就職日"]}
    office = load_office(write_xlsx(tmp_path / "o.xlsx", tables, headers))
    assert office.users["趣味"].tolist() == ["散歩"]
    assert office.place("利用者", 2, "利用者ID").column_letter == "D"


def test_config_maps_an_exports_own_headers(tmp_path):
    tables = minimal_tables()
    tables["支援記録"] = [{("対応日" if k == "日付" else k): v for k, v in CONTACT.items()}]
    write_xlsx(tmp_path / "o.xlsx", tables)
    (tmp_path / "teichaku.toml").write_text('[columns."支援記録"]\n"対応日" = "日付"\n', encoding="utf-8")
    assert len(load_office(tmp_path / "o.xlsx").contacts) == 1


def test_data_from_config_when_no_argument(tmp_path, monkeypatch, invoke):
    write_xlsx(tmp_path / "o.xlsx", minimal_tables())
    (tmp_path / "teichaku.toml").write_text('data = "o.xlsx"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert result.exit_code == 0, result.output
    assert "問題ありません" in result.output


def test_formula_cells_use_the_cached_value(tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", minimal_tables())
    # B2 (氏名) becomes a formula whose cached value Excel saved
    patch_sheet_xml(path, "利用者", r'<c r="B2"[^>]*>.*?</c>', '<c r="B2" t="str"><f>"試験"&amp;" 花子"</f><v>試験 花子</v></c>')
    assert load_office(path).users["氏名"].tolist() == ["試験 花子"]


def test_blank_rows_are_ignored_but_row_numbers_stay_true(tmp_path):
    tables = minimal_tables()
    tables["支援記録"] = [dict(CONTACT), {k: None for k in CONTACT}, dict(CONTACT, 日付="令和6年2月30日")]
    office = read_office(write_xlsx(tmp_path / "o.xlsx", tables))
    (problem,) = office.problems
    assert problem.place.row == 4 and problem.place.column == "日付" and problem.place.column_letter == "A"


# --- bad input, through the command line -------------------------------------------------


def test_missing_file(invoke, tmp_path):
    assert_clean_failure(invoke("validate", tmp_path / "none.xlsx"), 2, "none.xlsx が見つかりません")


def test_unsupported_extension(invoke, tmp_path):
    path = tmp_path / "office.ods"
    path.write_bytes(b"x")
    assert_clean_failure(invoke("validate", path), 2, "office.ods", "読めません", ".xlsx")


def test_single_csv_file_is_explained(invoke, tmp_path):
    path = tmp_path / "利用者.csv"
    path.write_text("利用者ID\n", encoding="utf-8")
    assert_clean_failure(invoke("validate", path), 2, "フォルダ")


def test_corrupt_workbook(invoke, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert_clean_failure(invoke("validate", path), 2, "broken.xlsx", "開けません")


def test_password_protected_workbook(invoke):
    assert_clean_failure(invoke("validate", FIXTURES / "password.xlsx"), 2, "password.xlsx", "パスワード")


def test_empty_file(invoke, tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert_clean_failure(invoke("validate", path), 2, "empty.xlsx", "空です")


def test_empty_csv_file(invoke, tmp_path):
    folder = write_csvs(tmp_path / "csv", minimal_tables())
    (folder / "支援記録.csv").write_bytes(b"")
    assert_clean_failure(invoke("validate", folder), 2, "支援記録.csv", "空の")


def test_missing_sheet(invoke, tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", {"利用者": [dict(USER)]})
    assert_clean_failure(invoke("validate", path), 2, "o.xlsx", "支援記録", "ありません", "あるもの: 利用者")


def test_missing_required_column(invoke, tmp_path):
    tables = minimal_tables()
    del tables["利用者"][0]["利用開始日"]
    assert_clean_failure(invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables)), 2, "シート「利用者」", "1行目", "「利用開始日」がありません")


def test_hire_date_needed_without_an_employment_history(invoke, tmp_path):
    tables = minimal_tables()
    del tables["利用者"][0]["就職日"]
    assert_clean_failure(invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables)), 1, "シート「利用者」 2行目", "就職日が空欄で、就労履歴シートにもこの人の仕事がありません")
    tables["就労履歴"] = [{"利用者ID": "0001", "事業主": "㈱髙﨑テスト商事", "就職日": date(2024, 4, 1), "障害開示": "オープン", "事業主共有同意": "あり"}]
    result = invoke("validate", write_xlsx(tmp_path / "o2.xlsx", tables))
    assert result.exit_code == 0, result.output


def test_duplicate_user_id(invoke, tmp_path):
    tables = minimal_tables()
    tables["利用者"].append(dict(USER, 氏名="別人"))
    assert_clean_failure(invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables)), 1, "シート「利用者」 3行目 A列「利用者ID」", "0001", "重複", "2行目と同じ")


def test_unknown_user_id_in_contacts(invoke, tmp_path):
    tables = minimal_tables()
    tables["支援記録"].append(dict(CONTACT, 利用者ID="0099"))
    assert_clean_failure(invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables)), 1, "シート「支援記録」 3行目 B列「利用者ID」", "0099", "利用者シートにありません")


@pytest.mark.parametrize("value, words", [("令和7年2月30日", "存在しない日付"), ("らいげつ", "日付として読めません"), ("平成31年5月1日", "期間外")])
def test_bad_dates_show_the_value_and_the_place(invoke, tmp_path, value, words):
    tables = minimal_tables()
    tables["支援記録"][0]["日付"] = value
    assert_clean_failure(invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables)), 1, "シート「支援記録」 2行目 A列「日付」", value, words)


def test_bad_date_in_csv_names_file_and_line(invoke, tmp_path):
    tables = minimal_tables()
    tables["支援記録"].append(dict(CONTACT, 日付="R7.2.30"))
    folder = write_csvs(tmp_path / "csv", tables)
    assert_clean_failure(invoke("validate", folder), 1, "csv/支援記録.csv 3行目 A列「日付」", "R7.2.30")


def test_end_before_start(invoke, tmp_path):
    tables = minimal_tables()
    tables["利用者"][0]["利用終了日"] = date(2024, 9, 30)
    assert_clean_failure(invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables)), 1, "2行目", "「利用終了日」", "利用開始日（令和6年10月1日）より前")


def test_unknown_choice_lists_the_allowed_ones(invoke, tmp_path):
    tables = minimal_tables()
    tables["支援記録"][0]["方法"] = "LINE"
    assert_clean_failure(invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables)), 1, "C列「方法」", "LINE", "対面 / テレビ電話 / 電話 / メール / その他")


def test_special_type_without_start_date(invoke, tmp_path):
    tables = minimal_tables()
    tables["利用者"][0]["利用類型"] = "復職支援型"
    assert_clean_failure(invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables)), 1, "起算日", "復職支援型")


def test_hired_after_service_start(invoke, tmp_path):
    tables = minimal_tables()
    tables["利用者"][0]["就職日"] = date(2024, 10, 2)
    assert_clean_failure(invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables)), 1, "利用開始日", "就職日")


def test_undecodable_csv_names_the_encodings_tried(invoke, tmp_path):
    folder = write_csvs(tmp_path / "csv", minimal_tables())
    (folder / "利用者.csv").write_bytes("利用者ID,氏名\n".encode("utf-16"))
    assert_clean_failure(invoke("validate", folder), 2, "利用者.csv", "UTF-8", "CP932")


@pytest.mark.parametrize(
    "raw",
    [
        "利用者ID,氏名\n".encode("cp932") + b"0001,\xa0\n",
        "利用者ID,氏名\n".encode("cp932") + b"0001,\xfd\xfe\n",
        "利用者ID,氏名\n".encode("cp932") + b"0001,\x80A\n",
    ],
    ids=["0xA0", "0xFD-0xFE", "0x80"],
)
def test_bytes_cp932_does_not_use_are_refused_not_guessed(invoke, tmp_path, raw):
    folder = write_csvs(tmp_path / "csv", minimal_tables())
    (folder / "利用者.csv").write_bytes(raw)
    assert_clean_failure(invoke("validate", folder), 2, "利用者.csv", "文字コード", "CP932")


def test_cp932_after_a_long_ascii_start_is_still_read(tmp_path):
    """The encoding is guessed from the start; CP932 text far down a file whose
    first 64 KB are ASCII must still be read, not refused."""
    tables = minimal_tables()
    contact = tables["支援記録"][0]
    tables["支援記録"] = [dict(contact, 内容="x" * 200) for _ in range(400)] + [dict(contact, 内容="㈱髙﨑で面談")]
    folder = write_csvs(tmp_path / "csv", tables, encoding="cp932")
    path = folder / "支援記録.csv"
    header, _, body = path.read_bytes().partition(b"\r\n")
    ascii_header = ",".join(f"c{i}" for i in range(header.decode("cp932").count(",") + 1)).encode()
    assert body.index("㈱".encode("cp932")) > 1 << 16
    path.write_bytes(ascii_header + b"\r\n" + body)
    mapping = "\n".join(f'"c{i}" = "{name}"' for i, name in enumerate(header.decode("cp932").split(",")))
    (tmp_path / "csv" / "teichaku.toml").write_text(f'[columns."支援記録"]\n{mapping}\n', encoding="utf-8")
    office = load_office(folder)
    assert office.contacts["内容"].iloc[-1] == "㈱髙﨑で面談"


def test_excel_error_cell_where_a_value_is_required(invoke, tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", minimal_tables())
    patch_sheet_xml(path, "支援記録", r'<c r="A2"[^>]*>.*?</c>', '<c r="A2" t="e"><f>NA()</f><v>#N/A</v></c>')
    assert_clean_failure(invoke("validate", path), 1, "シート「支援記録」 2行目 A列「日付」", "#N/A")


def test_excel_error_text_in_csv(invoke, tmp_path):
    tables = minimal_tables()
    tables["利用者"][0]["氏名"] = "#N/A"
    assert_clean_failure(invoke("validate", write_csvs(tmp_path / "csv", tables)), 1, "利用者.csv 2行目 B列「氏名」", "#N/A")


def test_merged_cells(invoke, tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "o.xlsx", minimal_tables())
    wb = openpyxl.load_workbook(path)
    wb["支援記録"].merge_cells("E2:F2")
    wb.save(path)
    assert_clean_failure(invoke("validate", path), 1, "シート「支援記録」 2行目", "結合", "E2:F2")


def test_required_blank(invoke, tmp_path):
    tables = minimal_tables()
    tables["利用者"][0]["氏名"] = None
    assert_clean_failure(invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables)), 1, "B列「氏名」", "空欄")


def test_every_problem_is_listed_at_once(invoke, tmp_path):
    tables = minimal_tables()
    tables["利用者"][0]["就職日"] = "R7.2.30"
    tables["支援記録"][0]["方法"] = "LINE"
    tables["支援記録"].append(dict(CONTACT, 利用者ID="0099"))
    result = invoke("validate", write_xlsx(tmp_path / "o.xlsx", tables))
    assert_clean_failure(result, 1, "R7.2.30", "LINE", "0099", "エラー 3件")


def test_computing_commands_refuse_data_with_errors(tmp_path):
    tables = minimal_tables()
    tables["支援記録"][0]["方法"] = "LINE"
    with pytest.raises(DataProblems) as info:
        load_office(write_xlsx(tmp_path / "o.xlsx", tables))
    assert len(info.value.errors) == 1


def test_bad_config_is_a_clear_error(invoke, tmp_path):
    write_xlsx(tmp_path / "o.xlsx", minimal_tables())
    (tmp_path / "teichaku.toml").write_text('"地域区分単価" = "たかい"\n', encoding="utf-8")
    assert_clean_failure(invoke("validate", tmp_path / "o.xlsx"), 2, "teichaku.toml", "地域区分単価")


@pytest.mark.parametrize(
    "toml, key",
    [('columns = "利用者ID"\n', "columns"), ('sheets = ["利用者"]\n', "sheets"), ("templates = 3\n", "templates"), ("data = 3\n", "data")],
)
def test_a_config_of_the_wrong_shape_is_a_clear_error(invoke, tmp_path, toml, key):
    write_xlsx(tmp_path / "o.xlsx", minimal_tables())
    (tmp_path / "teichaku.toml").write_text(toml, encoding="utf-8")
    result = invoke("validate", tmp_path / "o.xlsx")
    assert_clean_failure(result, 2, "teichaku.toml", f"「{key}」")
    assert "内部エラー" not in result.output


def test_unexpected_errors_show_no_traceback_and_no_values(invoke, tmp_path, monkeypatch):
    import teichaku_cli.office.load as load

    def boom(*a, **k):
        raise KeyError("試験 花子")  # a value that must not reach the screen

    monkeypatch.setattr(load, "read_office", boom)
    result = invoke("validate", tmp_path / "o.xlsx")
    assert_clean_failure(result, 2, "内部エラー", "KeyError")
    assert "試験 花子" not in result.output


# --- header rows, and every command refusing data with errors ---------------------------


@pytest.mark.parametrize("command", [("check", "--month", "2024-10"), ("rate", "--year", "2024"), ("due",)])
def test_every_computing_command_refuses_an_error_even_in_a_column_it_does_not_compute_with(invoke, tmp_path, command):
    """Same listing as validate, exit 2: an error anywhere means the data is not
    what staff think it is (here 結果's neighbour 相手 is fine; the plan's 本人同意日,
    which no claim or rate depends on, is not a date)."""
    tables = minimal_tables()
    tables["支援計画"] = [{"利用者ID": "0001", "作成日": "2024-10-01", "本人同意日": "たぶん"}]
    data = write_csvs(tmp_path / "csv", tables)
    assert_clean_failure(invoke(command[0], data, *command[1:]), 2, "本人同意日", "たぶん", "C列")


@pytest.mark.parametrize("command", [("check", "--month", "2024-10"), ("rate", "--year", "2024"), ("due",)])
def test_an_unreadable_sharing_mark_is_a_warning_that_shares_nothing(invoke, tmp_path, command):
    """事業主共有 gates what an employer sees: a value that cannot be read means 「共有しない」
    (a warning in the listing), and the claim check goes on."""
    tables = minimal_tables()
    tables["支援記録"][0]["事業主共有"] = "たぶん"
    data = write_csvs(tmp_path / "csv", tables)
    result = invoke("validate", data)
    assert result.exit_code == 0 and "注意" in result.output and "たぶん" in result.output and "共有しない" in result.output
    assert invoke(command[0], data, *command[1:]).exit_code in (0, 1)
    office = read_office(data)
    assert office.contacts["事業主共有"].tolist() == [False]  # read as 不可


def test_csv_row_numbers_stay_true_after_blank_lines_above_the_header(tmp_path):
    folder = write_csvs(tmp_path / "csv", minimal_tables())
    log = "\r\n,,,,\r\n日付,利用者ID,方法,相手,内容\r\n2024-10-03,0001,対面,本人,\"a,b\"\r\n,,,,\r\n2024-10-32,0001,対面,本人,x\r\n"
    (folder / "支援記録.csv").write_bytes(log.encode("cp932"))
    office = read_office(folder)
    assert [(p.place.row, p.place.column_letter, p.value) for p in office.problems] == [(6, "A", "2024-10-32")]
    assert office.contacts["_row"].tolist() == [4, 6]


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_a_csv_export_with_a_title_line_above_the_header(invoke, tmp_path, encoding):
    folder = write_csvs(tmp_path / "csv", minimal_tables())
    log = "支援記録一覧（令和6年10月分）\r\n\r\n日付,利用者ID,方法,相手,内容\r\nR6.10.3,0001,対面,本人,\"聞き取り,助言\"\r\nR6.10.40,0001,電話,本人,x\r\n"
    (folder / "支援記録.csv").write_bytes(log.encode(encoding))
    office = read_office(folder)
    assert [(p.place.row, p.place.column_letter, p.value) for p in office.problems] == [(5, "A", "R6.10.40")]
    assert office.contacts["内容"].tolist()[0] == "聞き取り,助言"
    assert_clean_failure(invoke("validate", folder), 1, "支援記録.csv 5行目 A列「日付」")


def test_a_workbook_sheet_with_a_title_above_the_header(tmp_path):
    import openpyxl

    tables = minimal_tables()
    tables["支援記録"].append(dict(CONTACT, 日付="R6.10.40"))
    path = write_xlsx(tmp_path / "o.xlsx", tables)
    wb = openpyxl.load_workbook(path)
    ws = wb["支援記録"]
    ws.insert_rows(1, 2)
    ws["A1"] = "支援記録一覧（令和6年10月分）"
    wb.save(path)
    office = read_office(path)
    assert [(p.place.row, p.place.column_letter, p.value) for p in office.problems] == [(5, "A", "R6.10.40")]
    assert office.contacts["_row"].tolist() == [4, 5]



def test_with_json_a_refusal_keeps_stdout_empty(invoke, tmp_path):
    tables = minimal_tables()
    tables["支援記録"][0]["方法"] = "LINE"
    result = invoke("check", write_xlsx(tmp_path / "o.xlsx", tables), "--month", "2024-10", "--json")
    assert result.exit_code == 2
    assert result.stdout == "" and "LINE" in result.stderr


def test_a_title_cell_with_a_line_break_does_not_swallow_the_first_row(invoke, tmp_path):
    folder = write_csvs(tmp_path / "csv", minimal_tables())
    log = '"支援記録一覧\r\n出力日 2025/11/01",,,\r\n日付,利用者ID,方法,相手\r\n2024-10-05,0001,対面,本人\r\n2024-10-40,0001,対面,事業主\r\n'
    (folder / "支援記録.csv").write_bytes(log.encode("cp932"))
    office = read_office(folder)
    assert office.contacts["日付"].dt.day.tolist()[:1] == [5]  # the first data row is kept
    assert [(p.place.row, p.value) for p in office.problems] == [(5, "2024-10-40")]  # the line a text editor shows


def test_a_csv_with_old_mac_line_endings(tmp_path):
    folder = write_csvs(tmp_path / "csv", minimal_tables())
    (folder / "支援記録.csv").write_bytes("日付,利用者ID,方法,相手\r2024-10-05,0001,対面,本人\r2024-10-06,0001,電話,本人\r".encode("cp932"))
    office = read_office(folder)
    assert office.problems == [] and office.contacts["方法"].tolist() == ["対面", "電話"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_line_naming_one_column_above_the_header_is_not_the_header(tmp_path, fmt):
    """「対象月,令和7年10月」 above the 支援レポート header names one column; the header names more."""
    tables = minimal_tables() | {"支援レポート": [{"利用者ID": "0001", "対象月": "R6.10", "本人提供日": "R6.10.31"}]}
    if fmt == "csv":
        folder = write_csvs(tmp_path / "csv", tables)
        path = folder / "支援レポート.csv"
        path.write_bytes("対象月,令和6年10月\r\n".encode("cp932") + path.read_bytes())
        data = folder
    else:
        import openpyxl

        data = write_xlsx(tmp_path / "o.xlsx", tables)
        wb = openpyxl.load_workbook(data)
        wb["支援レポート"].insert_rows(1)
        wb["支援レポート"]["A1"], wb["支援レポート"]["B1"] = "対象月", "令和6年10月"
        wb.save(data)
    office = read_office(data)
    assert office.problems == []
    assert office.table("支援レポート")["利用者ID"].tolist() == ["0001"]
