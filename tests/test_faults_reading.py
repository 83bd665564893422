"""Fault suite, reading: a value that cannot be read as it stands is a placed
problem (file, sheet, row, column, value, fix), never a silent blank, a guess or
a crash; and a file that would take more than we can hold is refused unread."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from conftest import CONTACT, minimal_tables, patch_sheet_xml, write_csvs, write_xlsx
from faults import Inputs, assert_fault

MONTH = ("--month", "2024-10")


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2024-11-05")


def xlsx(tmp_path: Path, tables=None, headers=None) -> Path:
    return write_xlsx(tmp_path / "office.xlsx", tables or minimal_tables(), headers)


def validate(invoke, data: Path, code: int, *fragments: str, personal=None):
    kw = {} if personal is None else {"personal": personal}
    return assert_fault(invoke("validate", data), code, *fragments, inputs=Inputs(data), **kw)


def refused(invoke, data: Path, *fragments: str):
    """check computes nothing on data with an error: same listing, exit 2."""
    return assert_fault(invoke("check", data, *MONTH), 2, *fragments, "計算しません", inputs=Inputs(data))


# --- cells that read as blank but are not -----------------------------------------------------


def _with_leaving_date(tmp_path: Path) -> Path:
    tables = minimal_tables()
    tables["利用者"][0]["離職日"] = date(2024, 10, 20)
    return xlsx(tmp_path, tables)


def test_a_leaving_date_that_is_a_formula_without_its_result(invoke, tmp_path):
    """Story: a 離職日 that is a formula cell without a saved value (script- or
    export-written books) was read as blank, so the month was claimed."""
    path = _with_leaving_date(tmp_path)
    column = "ABCDEFGHIJ"[list(minimal_tables()["利用者"][0]).__len__()]  # 離職日 is the column after USER's
    patch_sheet_xml(path, "利用者", rf'<c r="{column}2"[^>]*>.*?</c>', f'<c r="{column}2"><f>DATE(2024,10,20)</f><v /></c>')
    validate(invoke, path, 1, f"シート「利用者」 2行目 {column}列「離職日」", "数式の結果が保存されていません", "保存し直す")
    refused(invoke, path, "離職日")


def test_a_formula_without_its_result_in_a_text_column_and_in_an_otherwise_blank_row(invoke, tmp_path):
    tables = minimal_tables()
    tables["支援記録"].append(dict(CONTACT, 日付=date(2024, 10, 8)))
    path = xlsx(tmp_path, tables)
    patch_sheet_xml(path, "利用者", r'<c r="B2"[^>]*>.*?</c>', '<c r="B2" t="str"><f>"試験"&amp;"花子"</f></c>')
    patch_sheet_xml(path, "支援記録", r"<row r=\"3\".*?</row>", '<row r="3"><c r="A3"><f>TODAY()</f><v></v></c></row>')
    validate(invoke, path, 1, "シート「利用者」 2行目 B列「氏名」", "シート「支援記録」 3行目", "数式の結果")


def test_a_formula_with_its_saved_result_is_read(tmp_path):
    from teichaku_cli.office.load import read_office

    path = xlsx(tmp_path)
    patch_sheet_xml(path, "利用者", r'<c r="B2"[^>]*>.*?</c>', '<c r="B2" t="str"><f>"試験"&amp;" 花子"</f><v>試験 花子</v></c>')
    office = read_office(path)
    assert office.problems == [] and office.users["氏名"].tolist() == ["試験 花子"]


@pytest.mark.parametrize("error", ["#REF!", "#N/A", "#VALUE!"])
def test_an_error_value_in_a_text_column_of_a_workbook(invoke, tmp_path, error):
    """Story: #REF! in a text column became blank."""
    path = xlsx(tmp_path)
    patch_sheet_xml(path, "支援記録", r'<c r="E2"[^>]*>.*?</c>', f'<c r="E2" t="e"><f>#REF!+1</f><v>{error}</v></c>')
    validate(invoke, path, 1, "シート「支援記録」 2行目 E列「内容」", "Excel のエラー値")
    refused(invoke, path, "E列「内容」")


def test_an_error_value_typed_into_a_csv_text_column(invoke, tmp_path):
    tables = minimal_tables()
    tables["支援記録"][0]["結果"] = "#REF!"
    validate(invoke, write_csvs(tmp_path / "csv", tables), 1, "支援記録.csv 2行目", "「結果」", "#REF!")


def test_an_error_value_in_an_optional_yes_no_column(invoke, tmp_path):
    tables = minimal_tables()
    tables["利用者"][0]["特別地域"] = "いいえ"
    path = xlsx(tmp_path, tables)
    letter = "ABCDEFGHIJ"[list(tables["利用者"][0]).index("特別地域")]
    patch_sheet_xml(path, "利用者", rf'<c r="{letter}2"[^>]*>.*?</c>', f'<c r="{letter}2" t="e"><v>#N/A</v></c>')
    validate(invoke, path, 1, f"{letter}列「特別地域」", "Excel のエラー値")


# --- headers and sheet names ------------------------------------------------------------------


def test_a_duplicated_header(invoke, tmp_path):
    """Story: a duplicated header was used silently (the first column won)."""
    tables = minimal_tables()
    path = xlsx(tmp_path, tables, {"利用者": [*tables["利用者"][0], "離職日", "離職日"]})
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["利用者"]
    ws.cell(2, ws.max_column - 1).value = None
    ws.cell(2, ws.max_column).value = date(2024, 10, 20)
    wb.save(path)
    validate(invoke, path, 1, "「離職日」の列が重複しています", "H列とI列", "どちらを読むか決められません")
    refused(invoke, path, "離職日")


def test_a_canonical_header_beside_an_alias_is_not_a_duplicate(tmp_path):
    """利用者ID wins over its alias 利用者番号, which stays an extra column. (The header
    must be an alias today: 受給者証番号 was one once, and this test then proved nothing.)"""
    from teichaku_cli.model.schema import USERS
    from teichaku_cli.office.load import read_office

    assert "利用者番号" in USERS.column("利用者ID").aliases
    tables = minimal_tables()
    tables["利用者"][0]["利用者番号"] = "K-77"  # an alias of 利用者ID, beside 利用者ID itself
    office = read_office(xlsx(tmp_path, tables))
    assert office.problems == []
    assert office.users["利用者ID"].tolist() == ["0001"] and office.users["利用者番号"].tolist() == ["K-77"]


def test_two_extra_columns_with_one_name_are_a_warning(invoke, tmp_path):
    tables = minimal_tables()
    path = xlsx(tmp_path, tables, {"支援記録": [*tables["支援記録"][0], "備考", "備考"]})
    validate(invoke, path, 0, "注意", "見出し「備考」の列が重なっています")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_optional_sheet_under_a_near_miss_name(invoke, tmp_path, fmt):
    """Story: 助成金 under the name ジョブコーチ助成金 was ignored, so a subsidy month was claimed."""
    tables = minimal_tables() | {"ジョブコーチ助成金": [{"利用者ID": "0001", "対象月": "2024-10"}]}
    data = xlsx(tmp_path, tables) if fmt == "xlsx" else write_csvs(tmp_path / "csv", tables)
    label = "ジョブコーチ助成金" if fmt == "xlsx" else "ジョブコーチ助成金.csv"
    validate(invoke, data, 1, f"「{label}」は読んでいません", "「助成金", "のことですか", '[sheets] に "ジョブコーチ助成金" = "助成金"')
    refused(invoke, data, "ジョブコーチ助成金")


def test_a_second_copy_of_a_sheet_that_was_read_is_an_error(invoke, tmp_path):
    """Its rows are not read, and every computing command reads every table (issue 20)."""
    tables = minimal_tables() | {"支援記録 (2)": [dict(CONTACT)]}
    validate(invoke, xlsx(tmp_path, tables), 1, "エラー", "「支援記録 (2)」は「支援記録」のコピーのようです", '"支援記録 (2)" = ""')


def test_a_sheet_named_like_one_that_was_read_is_a_warning(invoke, tmp_path):
    tables = minimal_tables() | {"支援記録メモ": [{"メモ": "来月の予定"}]}
    validate(invoke, xlsx(tmp_path, tables), 0, "注意", "「支援記録メモ」は読んでいません", "読むのは「支援記録」だけ")


def test_a_required_sheet_under_a_near_miss_name_says_which(invoke, tmp_path):
    tables = {"利用者一覧": minimal_tables()["利用者"], "支援記録": [dict(CONTACT)]}
    validate(invoke, xlsx(tmp_path, tables), 2, "必須のシート「利用者」がありません", "「利用者一覧」のことですか")


# --- teichaku.toml --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, words",
    [
        ('"就労定着実績体制加算の" = true', "「就労定着実績体制加算」のことですか"),  # a 加算 flag, misspelt
        ('"地域区分単位" = 11.2', "「地域区分単価」のことですか"),
        ('"事業所メモ" = "…"', "という設定項目はありません"),
    ],
    ids=["flag", "unit-price", "unknown"],
)
def test_a_misspelt_or_unknown_config_key(invoke, tmp_path, line, words):
    """Story: misspelt teichaku.toml keys (a 加算 flag, 地域区分単位) were ignored without a word."""
    path = xlsx(tmp_path)
    config = tmp_path / "teichaku.toml"
    config.write_text(f'"事業所名" = "テスト"\n{line}\n', encoding="utf-8")
    output = assert_fault(invoke("validate", path), 2, "teichaku.toml 2行目", words, inputs=Inputs(path, config))
    assert_fault(invoke("check", path, *MONTH), 2, words, "計算しません", inputs=Inputs(path, config))
    assert "使える項目" in output


@pytest.mark.parametrize(
    "toml, words",
    [
        ('[columns]\n"受給者番号" = 3\n', "「受給者番号」の値は"),
        ('[columns]\n"受給者番号" = "利用者番号"\n', "「利用者番号」という列はありません"),
        ('[columns."支援記禄"]\n"対応日" = "日付"\n', "「支援記録」のことですか"),
        ('[sheets]\n"支援経過" = "支援記禄"\n', "「支援記録」のことですか"),
        ('[sheets]\n"支援経過" = ["支援記録"]\n', "「支援経過」の値は"),
        ('[templates]\n"支援レポ" = "様式.xlsx"\n', "「支援レポート」か"),
        ('[templates]\n"支援レポート" = 1\n', "「支援レポート」の値は"),
    ],
    ids=["column-number", "column-unknown", "sheet-table-typo", "sheet-target-typo", "sheet-list", "template-typo", "template-number"],
)
def test_wrong_types_and_names_in_config_tables(invoke, tmp_path, toml, words):
    path = xlsx(tmp_path)
    (tmp_path / "teichaku.toml").write_text(toml, encoding="utf-8")
    assert_fault(invoke("validate", path), 2, "teichaku.toml", words, inputs=Inputs(path))


# --- characters and sizes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "table, column, value, name",
    [
        ("支援記録", "内容", "様子\x0bを聞き取り", "垂直タブ"),
        ("支援記録", "結果", "問題\x00なし", "NUL"),
        ("利用者", "氏名", "試験\x1b[31m花子", "ESC"),
        ("利用者", "担当者", "担当\x85者", "U+0085"),
        ("利用者", "利用者ID", "00\x0701", "U+0007"),
    ],
    ids=["VT-text", "NUL-text", "ESC-name", "C1-text", "BEL-id"],
)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_control_characters_are_placed_problems(invoke, tmp_path, table, column, value, name, fmt):
    tables = minimal_tables()
    sheets = [table, "支援記録"] if column == "利用者ID" else [table]
    if fmt == "csv":
        for sheet in sheets:
            tables[sheet][0][column] = value
        data = write_csvs(tmp_path / "csv", tables, encoding="utf-8")
    else:  # openpyxl refuses to write control characters: put them in as Excel does, _x000B_
        for sheet in sheets:
            tables[sheet][0][column] = "PLACEHOLDER"
        data = xlsx(tmp_path, tables)
        escaped = "".join(f"_x{ord(c):04X}_" if ord(c) < 0x20 else c for c in value)
        for sheet in sheets:
            patch_sheet_xml(data, sheet, "PLACEHOLDER", escaped)
    output = validate(invoke, data, 1, f"「{column}」", name, "文字目", personal=())
    assert "\x1b" not in output and "\x00" not in output and "\x85" not in output  # nothing raw reaches the terminal
    assert value not in output  # the text itself is not printed (it may be a support note)


def test_tab_and_line_breaks_are_text(tmp_path):
    from teichaku_cli.office.load import read_office

    tables = minimal_tables()
    tables["支援記録"][0]["内容"] = "一行目\n二行目\tタブ"
    assert read_office(write_csvs(tmp_path / "csv", tables)).problems == []


def test_a_cell_longer_than_excel_holds(invoke, tmp_path):
    tables = minimal_tables()
    tables["支援記録"][0]["内容"] = "あ" * 32_768
    output = validate(invoke, write_csvs(tmp_path / "csv", tables), 1, "支援記録.csv 2行目", "「内容」", "32,768文字", "32,767文字を超えています")
    assert "ああああ" not in output


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", [date(9999, 12, 31), "9999/12/31", "9999-12-31", "99991231", "9999年12月31日"])
@pytest.mark.parametrize("column", ["利用終了日", "離職日"])
def test_9999_12_31_is_no_date_in_end_columns_with_a_note(invoke, tmp_path, spelling, column):
    """Story: 9999-12-31 (the usual "no end" placeholder) was a bare 内部エラー, even in validate."""
    from teichaku_cli.office.load import read_office

    tables = minimal_tables()
    tables["利用者"][0][column] = spelling
    path = xlsx(tmp_path, tables)
    validate(invoke, path, 0, "注意", f"「{column}」", "9999-12-31（1件）を「日付なし」として空欄に読みました", "問題ありません")
    assert read_office(path).users[column].isna().all()
    result = invoke("check", path, *MONTH)
    assert result.exit_code in (0, 1) and "Traceback" not in result.output and "内部エラー" not in result.output


@pytest.mark.parametrize("column", ["就職日", "利用開始日"])
def test_9999_12_31_anywhere_else_is_an_error(invoke, tmp_path, column):
    tables = minimal_tables()
    tables["利用者"][0][column] = "9999/12/31"
    validate(invoke, xlsx(tmp_path, tables), 1, f"「{column}」", "9999/12/31", "日付なし", "この列では使えません")


def test_a_1_typed_into_a_date_cell(invoke, tmp_path):
    """Story: any date before 1926-12-25 (a 1 typed into a date cell, shown as 1900/1/1) was a bare 内部エラー."""
    tables = minimal_tables()
    tables["支援記録"][0]["日付"] = 1
    path = xlsx(tmp_path, tables)
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb["支援記録"]["A2"].number_format = "yyyy/m/d"
    wb.save(path)
    validate(invoke, path, 1, "シート「支援記録」 2行目 A列「日付」", "1900-01-01", "1926-12-25〜2099-12-31", "1900/1/1")
    refused(invoke, path, "A列「日付」")


@pytest.mark.parametrize("value", ["1926-12-24", "2100-01-01", "R82.1.1", "1899/12/31"])
def test_dates_outside_the_range_we_read(invoke, tmp_path, value):
    tables = minimal_tables()
    tables["支援記録"][0]["日付"] = value
    validate(invoke, write_csvs(tmp_path / "csv", tables), 1, "支援記録.csv 2行目 A列「日付」", value, "範囲")


def test_a_month_outside_the_range(invoke, tmp_path):
    tables = minimal_tables() | {"助成金": [{"利用者ID": "0001", "対象月": "9999-12"}]}
    validate(invoke, write_csvs(tmp_path / "csv", tables), 1, "助成金.csv 2行目", "「対象月」", "9999-12")


# --- files that are not what they say, or too big -------------------------------------------


def _bomb(path: Path, unpacked: int) -> Path:
    """A workbook whose one sheet unpacks to ``unpacked`` bytes of nothing (~1000:1)."""
    real = xlsx(path.parent)
    with zipfile.ZipFile(real) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in parts.items():
            if name == "xl/worksheets/sheet1.xml":
                with zf.open(name, "w", force_zip64=True) as fh:
                    block = b" " * (1 << 20)
                    for _ in range(unpacked >> 20):
                        fh.write(block)
            else:
                zf.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused_from_its_directory(invoke, tmp_path):
    """Story: a 1 MB zip bomb took 3 GB (or aborted with a Rust backtrace under a memory cap)."""
    bomb = _bomb(tmp_path / "bomb.xlsx", 64 << 20)
    assert bomb.stat().st_size < 1 << 20
    assert_fault(invoke("validate", bomb), 2, "bomb.xlsx", "圧縮率が異常に高い", "読みません", inputs=Inputs(bomb))


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(invoke, tmp_path, monkeypatch):
    from teichaku_cli.office import sources

    monkeypatch.setattr(sources, "MAX_UNPACKED", 1 << 10)  # the real limit, 1 GB, scaled down
    path = xlsx(tmp_path)
    assert_fault(invoke("validate", path), 2, "展開すると", "扱える大きさ", inputs=Inputs(path))


def test_the_biggest_benchmark_shape_is_within_the_limits():
    """The limits admit the 2,000-user / 200,000-row benchmark workbook (148 MB
    unpacked, 21:1 at most): its sizes, as benchmarks/generate.py writes them."""
    from teichaku_cli.office import sources

    assert 148_071_608 < sources.MAX_UNPACKED / 4 and 21 < sources.MAX_RATIO / 4


def test_a_legacy_xls_is_refused_with_how_to_save_it(invoke, tmp_path):
    path = tmp_path / "office.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert_fault(invoke("validate", path), 2, "office.xls", "Excel 97-2003", "名前を付けて保存", "Excel ブック (*.xlsx)", inputs=Inputs(path))


def test_a_control_character_in_the_office_name(invoke, tmp_path):
    path = xlsx(tmp_path)
    (tmp_path / "teichaku.toml").write_text('"事業所名" = "ひだまり\\u001b[2J"\n', encoding="utf-8")
    output = assert_fault(invoke("validate", path), 2, "teichaku.toml 1行目", "「事業所名」", "ESC", inputs=Inputs(path))
    assert "\x1b" not in output


def test_a_zip_directory_that_understates_a_part_is_refused_while_reading(invoke, tmp_path):
    """The directory check trusts the declared sizes; a part that inflates beyond
    its declared size is stopped there by the reader (calamine's zip checks it)."""
    import struct

    bomb = _bomb(tmp_path / "liar.xlsx", 32 << 20)
    data = bytearray(bomb.read_bytes())
    with zipfile.ZipFile(bomb) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 1000)  # local header: uncompressed size
    at = data.find(b"PK\x01\x02")
    while at != -1:  # central directory entry of the sheet
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + length]) == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, at + 24, 1000)
        at = data.find(b"PK\x01\x02", at + 4)
    bomb.write_bytes(bytes(data))
    assert_fault(invoke("validate", bomb), 2, "liar.xlsx", "読めません", inputs=Inputs(bomb))


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["plain", "prefixed"])
def test_hidden_cells_in_every_shape_a_writer_uses(prefix):
    """Error cells and formulas without a result, as Excel, LibreOffice, openpyxl and
    .NET writers put them (shared formulas, empty <v/>, text results, prefixed tags)."""
    from teichaku_cli.office.sources import hidden_cells

    p = prefix
    xml = (
        f'<{p}worksheet xmlns:x="x"><{p}sheetData><{p}row r="2">'
        f'<{p}c r="A2"><{p}f>1+1</{p}f><{p}v /></{p}c>'  # openpyxl: empty value
        f'<{p}c r="B2" t="str"><{p}f>"a"</{p}f></{p}c>'  # no value at all
        f'<{p}c r="C2" t="str"><{p}f>IF(1,"","")</{p}f><{p}v></{p}v></{p}c>'  # a real empty text result
        f'<{p}c r="D2" t="e"><{p}f>NA()</{p}f><{p}v>#N/A</{p}v></{p}c>'
        f'<{p}c r="E2"><{p}f t="shared" ref="E2:E3" si="0">1</{p}f><{p}v>1</{p}v></{p}c>'
        f'</{p}row><{p}row r="3"><{p}c r="E3"><{p}f t="shared" si="0"/></{p}c>'  # shared, no result
        f'<{p}c r="F3" t="e"><{p}v>#REF!</{p}v></{p}c><{p}c r="G3"><{p}v>5</{p}v></{p}c></{p}row>'
        f"</{p}sheetData></{p}worksheet>"
    ).encode()
    errors, uncalculated = hidden_cells([xml[i : i + 37] for i in range(0, len(xml), 37)])
    assert errors == {(2, 3), (3, 5)}
    assert uncalculated == {(2, 0), (2, 1), (3, 4)}


@pytest.mark.parametrize("value, words", [("あ" * 32_768, "32,767文字に達していて、それより後は読めていません"), ("#REF!", "Excel のエラー値「#REF!」")], ids=["long", "error-text"])
def test_text_checks_in_a_workbook_written_by_a_script(invoke, tmp_path, value, words):
    """A workbook's text is checked where its XML says there may be something (shared
    strings or inline, a 32,768-character cell spans many 16 KB windows)."""
    tables = minimal_tables()
    tables["支援記録"][0]["内容"] = value
    validate(invoke, xlsx(tmp_path, tables), 1, "シート「支援記録」 2行目", "「内容」", words)


def test_a_workbook_open_in_excel_is_read_as_saved_and_said(invoke, tmp_path):
    data = xlsx(tmp_path)
    (tmp_path / f"~${data.name}").write_bytes(b"\x00" * 165)  # Excel's owner file while the book is open
    validate(invoke, data, 0, "Excel で開かれているようです", "保存していない変更は入っていません")  # a warning


@pytest.mark.parametrize("command", [("check", *MONTH, "--json"), ("due", "--json"), ("rate", "--year", "2024", "--json")], ids=lambda c: c[0])
def test_commands_that_compute_say_the_workbook_is_read_as_saved(invoke, tmp_path, command):
    """Staff run check with the workbook still open: the result is from the last save,
    and every command says so before it, on stderr (--json stays only JSON)."""
    import json

    data = xlsx(tmp_path)
    (tmp_path / f"~${data.name}").write_bytes(b"\x00" * 165)
    result = invoke(command[0], data, *command[1:])
    assert result.exit_code in (0, 1), result.output
    json.loads(result.stdout)
    assert "Excel で開かれているようです" in result.stderr and "保存していない変更は入っていません" in result.stderr
    (tmp_path / f"~${data.name}").unlink()
    assert "Excel で開かれて" not in invoke(command[0], data, *command[1:]).stderr


def test_a_csv_open_in_excel_is_said_by_report_too(invoke, tmp_path):
    import gc

    folder = write_csvs(tmp_path / "csv", minimal_tables(), encoding="cp932")
    (folder / "~$支援記録.csv").write_bytes(b"\x00" * 165)
    thresholds = gc.get_threshold()
    result = invoke("report", folder, *MONTH, "--out", tmp_path / "out")
    assert result.exit_code in (0, 1), result.output
    assert "「支援記録.csv」は Excel で開かれているようです" in result.stderr
    assert gc.get_threshold() == thresholds  # a command's GC setting does not outlive it


def test_excels_own_temporary_files_are_not_tables(invoke, tmp_path):
    folder = write_csvs(tmp_path / "csv", minimal_tables(), encoding="cp932")
    (folder / "~$支援記録.csv").write_bytes(b"\x00" * 165)
    result = invoke("validate", folder)
    assert "「支援記録.csv」は Excel で開かれているようです" in result.output and "読んでいません" not in result.output
    lock = tmp_path / "~$office.xlsx"
    lock.write_bytes(b"\x00" * 165)
    assert_fault(invoke("check", lock, *MONTH), 2, "Excel がブックを開いている間に置く一時ファイル", "元のブック")


def test_a_folder_holding_a_workbook_and_no_csv_points_at_the_workbook(invoke, tmp_path):
    folder = tmp_path / "office"
    folder.mkdir()
    xlsx(folder)
    assert_fault(invoke("check", folder, *MONTH), 2, "CSV ファイルが1つもありません", "フォルダではなくブックを指定してください")


def test_a_whole_export_naming_the_wrong_employer_is_counted_in_full(tmp_path):
    """Twenty rows are listed, then one line with how many more there are in all (the
    count once stopped at what had been listed plus twenty)."""
    from teichaku_cli.office.load import read_office

    tables = minimal_tables()
    tables["支援記録"] = [dict(CONTACT, 日付=date(2024, 10, 1 + i % 28), 事業主="別の会社") for i in range(75)]
    office = read_office(write_csvs(tmp_path / "csv", tables))
    wrong = [p for p in office.problems if "事業主" in p.place.describe() and p.place.describe().startswith(office.source)]
    assert len(wrong) == 21, [p.describe() for p in wrong]
    assert "勤務先と合わない事業主がほか55件あります" in wrong[-1].message and "支援記録" in wrong[-1].place.describe()
