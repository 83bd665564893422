"""Fault suite, the command line: usage errors in Japanese and printed once,
--debug on either side of the command, option ranges, data escaped for the
terminal, a closed pipe, and exit codes every command states."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import CONTACT, USER, minimal_tables, write_csvs, write_xlsx
from faults import ROOT, Inputs, assert_fault
from teichaku_cli.cli import app
from teichaku_cli.cli.common import EXIT_CODES, exit_codes_line

COMMANDS = [c.name for c in app.registered_commands]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2024-11-05")


@pytest.fixture
def office(tmp_path):
    return write_xlsx(tmp_path / "office.xlsx", minimal_tables())


# --- usage errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        (("check", "--mnth", "2024-10"), ("--mnth というオプションはありません", "--month のことですか", "teichaku check --help")),
        (("chek",), ("chek というコマンドはありません", "check のことですか")),
        (("check", "--month"), ("--month の後に値がありません", "teichaku check --help")),
        (("due", "--within", "x"), ("--within の値「x」は整数ではありません",)),
        (("init",), ("DIR が指定されていません",)),
        (("due", "a.xlsx", "b.xlsx"), ("余分な引数 b.xlsx があります",)),
        (("check", "--json=yes"), ("--json は値を取りません",)),
    ],
    ids=["unknown-option", "unknown-command", "missing-value", "not-an-integer", "missing-argument", "extra-argument", "flag-with-value"],
)
def test_usage_errors_are_japanese_and_printed_once(invoke, args, words):
    output = assert_fault(invoke(*args), 2, *words)
    assert output.count("エラー") == 1, output  # once: typer printed "Did you mean" twice
    for english in ("Usage:", "Error", "No such", "Did you mean", "requires an argument", "is not a valid"):
        assert english not in output, output


def test_debug_works_after_the_command(invoke, tmp_path, monkeypatch):
    import teichaku_cli.office.load as load

    def boom(*a, **k):
        raise KeyError("試験 花子")

    monkeypatch.setattr(load, "read_office", boom)
    quiet = invoke("validate", tmp_path / "o.xlsx")
    assert quiet.exit_code == 2 and "内部エラー" in quiet.output and "試験 花子" not in quiet.output
    for args in (("--debug", "validate", tmp_path / "o.xlsx"), ("validate", tmp_path / "o.xlsx", "--debug")):
        loud = invoke(*args)
        assert isinstance(loud.exception, KeyError), args  # the traceback is there to see with --debug


# --- option ranges --------------------------------------------------------------------------


@pytest.mark.parametrize("year, code", [("9999", 2), ("2019", 2), ("2020", 0), ("R6", 0), ("2025", 2), ("2024", 0)])
def test_year_from_the_first_rule_set_to_this_fiscal_year(invoke, office, year, code):
    """Story: `--year 9999` was a bare 内部エラー. 2020 is the first year whose rate our
    rule sets use (the rate closing 2020 is used for claims from 2021-04, R3)."""
    result = invoke("rate", office, "--year", year)
    if code:
        assert_fault(result, 2, f"--year {year}", "2020年度", "2024年度（今年度", inputs=Inputs(office))
    else:
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output


@pytest.mark.parametrize("month, code", [("2021-03", 2), ("2021-04", None), ("2024-12", None), ("2025-01", 2), ("9999-12", 2)])
def test_month_from_the_first_rule_set_to_next_month(invoke, office, month, code):
    result = invoke("check", office, "--month", month)
    if code:
        assert_fault(result, 2, f"--month {month}", "2021年4月", "2024年12月（来月）", inputs=Inputs(office))
    else:
        assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output


def test_a_far_date_option_is_a_usage_error(invoke, office):
    assert_fault(invoke("plan", office, "--all", "--date", "9999-12-31"), 2, "--date", "9999", inputs=Inputs(office))


# --- what reaches the terminal --------------------------------------------------------------


@pytest.mark.parametrize("uid", ["[/]", "[red]0001", "[bold]x[/bold]"])
def test_ids_and_names_with_rich_markup_print_as_themselves(invoke, tmp_path, uid):
    """Story: an ID containing rich markup ([/]) ended in 内部エラー."""
    tables = minimal_tables()
    tables["利用者"][0].update(利用者ID=uid, 氏名=f"{uid} 花子")
    tables["支援記録"][0]["利用者ID"] = uid
    data = write_xlsx(tmp_path / "o.xlsx", tables)
    for args in (("check", data, "--month", "2024-10"), ("due", data, "--within", "60"), ("rate", data, "--year", "2024")):
        result = invoke(*args)
        assert result.exit_code in (0, 1), result.output
        assert uid in result.output and "内部エラー" not in result.output, result.output


def test_a_control_character_never_reaches_the_terminal(invoke, tmp_path):
    tables = minimal_tables()
    tables["利用者"][0]["事業主"] = "社名\x1b]0;乗っ取り\x07"
    data = write_csvs(tmp_path / "csv", tables, encoding="utf-8")
    output = invoke("validate", data).output
    assert "\x1b" not in output and "\x07" not in output
    missing = invoke("validate", tmp_path / "無い\x1b[2J.xlsx")
    assert "\x1b" not in missing.output and "\\x1b" in missing.output


@pytest.mark.skipif(os.name == "nt", reason="POSIX pipes")
@pytest.mark.parametrize("extra", [(), ("--json",)])
def test_a_closed_pipe_exits_quietly_with_141(office, extra):
    """`teichaku check … | head`: the reader went away; no message, no traceback, 141."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    code = "import sys\nsys.argv = ['teichaku', *sys.argv[1:]]\nfrom teichaku_cli.cli import main\nmain()\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TEICHAKU_TODAY": "2024-11-05"}
    done = subprocess.run([sys.executable, "-c", code, "check", str(office), "--month", "2024-10", *extra], stdout=write, stderr=subprocess.PIPE, env=env)
    os.close(write)
    assert done.returncode == 141 and done.stderr == b"", done.stderr.decode()


# --- exit codes -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_states_its_exit_codes_in_help_and_readme(invoke, command):
    help_text = invoke(command, "--help").output
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "終了コード" in help_text
    for code, meaning in EXIT_CODES[command]:
        assert f"{code:<3} {meaning}" in help_text, (command, code)
    assert f"| `teichaku {command}` | {exit_codes_line(command)} |" in readme, command


def test_unexpected_errors_keep_personal_values_off_the_screen(invoke, tmp_path, monkeypatch):
    from teichaku_cli.rules import monthly

    def boom(*a, **k):
        raise ValueError(f"{USER['氏名']} {CONTACT['内容']}")

    monkeypatch.setattr(monthly, "check_month", boom)
    data = write_xlsx(tmp_path / "o.xlsx", minimal_tables())
    result = invoke("check", data, "--month", "2024-10")
    assert result.exit_code == 2 and "内部エラー（ValueError）" in result.output
    assert USER["氏名"] not in result.output and CONTACT["内容"] not in result.output and "Traceback" not in result.output
