"""`teichaku init`: an empty workbook that reads cleanly and guides input."""

from __future__ import annotations

from teichaku_cli.model import schema
from teichaku_cli.office.load import read_office


def test_init_writes_a_workbook_every_command_can_read(invoke, tmp_path):
    result = invoke("init", tmp_path / "new", "--name", "テスト事業所")
    assert result.exit_code == 0, result.output
    workbook = tmp_path / "new" / "office.xlsx"
    office = read_office(workbook)
    assert office.problems == []
    assert all(len(frame) == 0 for frame in office.tables.values())
    assert '"事業所名" = "テスト事業所"' in (tmp_path / "new" / "teichaku.toml").read_text(encoding="utf-8")


def test_init_sheets_headers_dropdowns_formats(invoke, tmp_path):
    import openpyxl

    invoke("init", tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "office.xlsx")
    assert wb.sheetnames == ["説明", *(t.name for t in schema.TABLES)]
    ws = wb["支援記録"]
    assert [c.value for c in ws[1]] == [c.name for c in schema.CONTACTS.columns]
    assert ws.freeze_panes == "A2"
    lists = {str(dv.sqref)[:1]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["C"] == '"対面,テレビ電話,電話,メール,その他"'
    assert lists["I"] == '"可,不可"'
    assert ws.column_dimensions["A"].number_format == "yyyy/m/d"
    assert ws.column_dimensions["B"].number_format == "@"  # IDs as text keep leading zeros


def test_init_never_overwrites_without_force(invoke, tmp_path):
    invoke("init", tmp_path)
    marker = (tmp_path / "teichaku.toml").read_text(encoding="utf-8") + "# 手で直した\n"
    (tmp_path / "teichaku.toml").write_text(marker, encoding="utf-8")
    result = invoke("init", tmp_path)
    assert result.exit_code == 2
    assert "上書きしませんでした" in result.output and "--force" in result.output
    assert (tmp_path / "teichaku.toml").read_text(encoding="utf-8") == marker
    assert invoke("init", tmp_path, "--force").exit_code == 0


def test_the_folder_init_made_works_as_data(invoke, tmp_path):
    # people pass the folder they made; its teichaku.toml names the workbook
    made = invoke("init", tmp_path / "新しい 事業所")
    # the next step as it is typed: a path with a space in "…" (else the shell splits it in two)
    assert f'teichaku validate "{tmp_path / "新しい 事業所" / "office.xlsx"}" で確かめて' in made.output
    result = invoke("validate", tmp_path / "新しい 事業所")
    assert result.exit_code == 0, result.output
    assert "CSV ファイルが1つもありません" not in result.output



def test_a_folder_with_csvs_is_read_as_csvs_even_when_its_toml_names_a_workbook(invoke, tmp_path):
    from conftest import minimal_tables, write_csvs

    invoke("init", tmp_path)  # office.xlsx (empty) + teichaku.toml with data = "office.xlsx"
    write_csvs(tmp_path, minimal_tables())
    office = read_office(tmp_path)
    assert office.source.endswith("/")  # the CSV folder, not the empty workbook
    assert list(office.users["利用者ID"]) == ["0001"]


def test_a_folder_without_its_own_toml_still_asks_for_csvs(invoke, tmp_path):
    invoke("init", tmp_path / "made")
    (tmp_path / "empty").mkdir()
    result = invoke("validate", tmp_path / "empty", "--config", tmp_path / "made" / "teichaku.toml")
    assert result.exit_code == 2
    assert "CSV ファイルが1つもありません" in result.output


def test_shell_path_quotes_only_what_the_shell_would_split():
    from teichaku_cli.cli.common import shell_path

    assert shell_path("/data/office.xlsx") == "/data/office.xlsx"
    assert shell_path("D:\\定着支援\\office.xlsx") == "D:\\定着支援\\office.xlsx"
    assert shell_path("/data/新しい 事業所/office.xlsx") == '"/data/新しい 事業所/office.xlsx"'
    assert shell_path("/data/a(1)/office.xlsx") == '"/data/a(1)/office.xlsx"'
    assert shell_path('/data/say "hi"/o.xlsx') == "'/data/say \"hi\"/o.xlsx'"
