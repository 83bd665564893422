"""Fault suite, outputs: nothing of the office's is lost, nothing is half-written,
and every way a write can fail has a placed Japanese message.

Tests run as root, where a read-only folder is still writable: PermissionError,
EROFS and ENOSPC are simulated by making the system call fail."""

from __future__ import annotations

import errno
import os
import stat
import time
import tomllib
from pathlib import Path

import pytest

from conftest import minimal_tables, write_csvs, write_xlsx
from faults import Inputs, assert_fault, leftovers, run_teichaku

MONTH = ("--month", "2024-10")
COMMANDS = {"check": ("check", *MONTH), "due": ("due",), "rate": ("rate", "--year", "2024")}


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2024-11-05")


@pytest.fixture
def office(tmp_path) -> Path:
    return write_xlsx(tmp_path / "office.xlsx", minimal_tables())


def _fail_temp_creation(monkeypatch, code: int) -> None:
    real = os.open

    def fake(path, flags, *a, **k):
        if os.path.basename(path).startswith(".teichaku-") and flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path)) if code != errno.EACCES else PermissionError(code, os.strerror(code), str(path))
        return real(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", fake)


def _lock(monkeypatch, name: str) -> None:
    """As Excel holds a file open on Windows: moving a new file onto it is refused."""
    real = os.replace

    def fake(src, dst, *a, **k):
        if os.path.basename(dst) == name:
            raise PermissionError(errno.EACCES, "Access is denied", str(dst))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", fake)


# --- outputs never destroy inputs -------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_out_onto_the_workbook_it_read_is_refused_even_with_force(invoke, office, command):
    """Story: `check office.xlsx --out office.xlsx` replaced the office's data with results (due, rate too)."""
    inputs = Inputs(office)
    result = invoke(*COMMANDS[command][:1], office, *COMMANDS[command][1:], "--out", office, "--force")
    assert_fault(result, 2, "office.xlsx", "入力ファイル", "上書きしません", inputs=inputs, folders=[office.parent])


def test_out_onto_another_name_of_the_input_is_refused(invoke, office, tmp_path):
    link = tmp_path / "sub" / "別名.xlsx"
    link.parent.mkdir()
    os.link(office, link)  # the same file under another name
    inputs = Inputs(office)
    assert_fault(invoke("check", office, *MONTH, "--out", link, "--force"), 2, "入力ファイル", inputs=inputs)
    spelled = tmp_path / "sub" / ".." / "office.xlsx"
    assert_fault(invoke("check", office, *MONTH, "--out", spelled, "--force"), 2, "入力ファイル", inputs=inputs)


def test_out_onto_the_teichaku_toml_it_read_is_refused(invoke, office, tmp_path):
    config = tmp_path / "設定.xlsx"  # an odd name, but the config the run read
    config.write_text('"事業所名" = "テスト"\n', encoding="utf-8")
    inputs = Inputs(office, config)
    assert_fault(invoke("check", office, *MONTH, "--config", config, "--out", config, "--force"), 2, "入力ファイル", inputs=inputs)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_existing_out_file_needs_force(invoke, office, tmp_path, command):
    """Story: check/due/rate --out overwrote any existing file and had no --force."""
    out = tmp_path / "結果.xlsx"
    out.write_bytes(b"staff's own notes")
    inputs = Inputs(office, out)
    args = (*COMMANDS[command][:1], office, *COMMANDS[command][1:], "--out", out)
    assert_fault(invoke(*args), 2, "結果.xlsx が既にあります", "--force", inputs=inputs, personal=())
    forced = invoke(*args, "--force")
    assert forced.exit_code in (0, 1), forced.output
    assert out.read_bytes().startswith(b"PK")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_out_file_is_kept_even_with_force(invoke, office, tmp_path, command):
    out = tmp_path / "結果.xlsx"
    out.write_bytes(b"the copy sent to the city")
    out.chmod(0o444)
    args = (*COMMANDS[command][:1], office, *COMMANDS[command][1:], "--out", out, "--force")
    assert_fault(invoke(*args), 2, "結果.xlsx は読み取り専用のファイルのため、上書きしませんでした", "読み取り専用", inputs=Inputs(office, out), personal=())


@pytest.mark.parametrize("command", COMMANDS)
def test_out_into_a_folder_that_does_not_exist_is_refused_before_reading(invoke, office, tmp_path, command):
    """Story: `check --out /typo/結果.xlsx` made the missing folder and put personal data
    in it. Refused (exit 2, the folder named), nothing created, and before the data is
    read: a missing DATA is not what is said."""
    typo = tmp_path / "けっか" / "12月"
    args = (*COMMANDS[command][:1], office, *COMMANDS[command][1:], "--out", typo / "結果.xlsx")
    assert_fault(invoke(*args), 2, f"フォルダ {typo} がありません", "何も作らずに", inputs=Inputs(office), folders=[tmp_path], personal=())
    assert not (tmp_path / "けっか").exists()
    missing = tmp_path / "ない.xlsx"
    before = invoke(*COMMANDS[command][:1], missing, *COMMANDS[command][1:], "--out", typo / "結果.xlsx")
    assert_fault(before, 2, "がありません", personal=())
    assert "ない.xlsx" not in before.output  # the output's folder was refused first; the data was not looked at
    assert not (tmp_path / "けっか").exists()


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("owner", ["~$結果の一覧.xlsx", "~$の一覧.xlsx"])  # Excel's owner file: ~$ + the name, or over its first two characters
def test_an_out_file_open_in_excel_is_refused_even_with_force_before_reading(invoke, office, tmp_path, command, owner):
    """Story: an output open in Excel (its ~$ owner file beside it) was replaced without
    a word on Linux, while the person went on editing the old copy (on Windows the
    replace failed later, after the work). Refused like a read-only file, --force or not,
    before the data is read; the file and the owner file are untouched."""
    out = tmp_path / "結果の一覧.xlsx"
    out.write_bytes(b"the copy open in Excel")
    (tmp_path / owner).write_bytes(b"\x00" * 165)
    for force in ((), ("--force",)):
        args = (*COMMANDS[command][:1], office, *COMMANDS[command][1:], "--out", out, *force)
        assert_fault(
            invoke(*args), 2, "結果の一覧.xlsx は Excel で開かれているようです", f"「{owner}」", "--force でも上書きしません",
            "Excel で開いていれば閉じてから", inputs=Inputs(office, out, tmp_path / owner), folders=[tmp_path], personal=(),
        )
    missing = invoke(*COMMANDS[command][:1], tmp_path / "ない.xlsx", *COMMANDS[command][1:], "--out", out, "--force")
    assert_fault(missing, 2, "Excel で開かれているようです", personal=())
    (tmp_path / owner).unlink()  # closed: written
    assert invoke(*COMMANDS[command][:1], office, *COMMANDS[command][1:], "--out", out, "--force").exit_code in (0, 1)
    assert out.read_bytes().startswith(b"PK")


def test_a_file_opened_in_excel_while_the_run_computes_is_not_replaced(invoke, office, tmp_path, monkeypatch):
    """The owner file can appear after the first look (Excel opened meanwhile): the
    replace itself refuses it, as it refuses a file marked read-only meanwhile."""
    from teichaku_cli.documents import check_book

    out = tmp_path / "結果.xlsx"
    out.write_bytes(b"old result")
    real = check_book.write_check_workbook

    def opened_meanwhile(path, *a, **k):
        (tmp_path / "~$結果.xlsx").write_bytes(b"\x00" * 165)
        return real(path, *a, **k)

    monkeypatch.setattr(check_book, "write_check_workbook", opened_meanwhile)
    assert_fault(invoke("check", office, *MONTH, "--out", out, "--force"), 2, "利用者 1人", "Excel で開かれているようです", folders=[tmp_path], personal=())
    assert out.read_bytes() == b"old result"


def test_report_and_plan_out_may_still_make_their_folder(invoke, office, tmp_path):
    """report / plan --out name a folder, made when missing (the default is reports/2026-10)."""
    result = invoke("report", office, *MONTH, "--out", tmp_path / "新しい" / "10月")
    assert result.exit_code in (0, 1), result.output
    assert list((tmp_path / "新しい" / "10月").glob("*.xlsx"))


@pytest.mark.parametrize("name", ["結果.csv", "結果.json", "結果", "結果.xls"])
def test_out_must_be_an_xlsx(invoke, office, tmp_path, name):
    inputs = Inputs(office)
    assert_fault(invoke("check", office, *MONTH, "--out", tmp_path / name), 2, ".xlsx", inputs=inputs, folders=[tmp_path])
    assert not (tmp_path / name).exists()


def test_out_pointing_at_a_folder(invoke, office, tmp_path):
    """Story: --out pointing at a folder."""
    (tmp_path / "結果.xlsx").mkdir()
    for target in (tmp_path, tmp_path / "結果.xlsx"):
        assert_fault(invoke("rate", office, "--year", "2024", "--out", target), 2, "フォルダです", inputs=Inputs(office))


def test_out_below_a_file_where_a_folder_is_expected(invoke, office, tmp_path):
    """Story: --out at a file where a folder is expected."""
    assert_fault(invoke("due", office, "--out", office / "結果.xlsx"), 2, "office.xlsx はファイル", inputs=Inputs(office))


@pytest.mark.parametrize("code, words", [(errno.EACCES, "書き込む権限がありません"), (errno.EROFS, "読み取り専用")])
def test_out_into_a_read_only_place(invoke, office, tmp_path, monkeypatch, code, words):
    """Story: --out at a read-only folder (EACCES) or file system (EROFS)."""
    _fail_temp_creation(monkeypatch, code)
    inputs = Inputs(office)
    (tmp_path / "out").mkdir()
    assert_fault(invoke("check", office, *MONTH, "--out", tmp_path / "out" / "結果.xlsx"), 2, words, "--out", inputs=inputs, folders=[tmp_path], personal=())
    assert not (tmp_path / "out" / "結果.xlsx").exists()


def test_out_on_a_full_disk_leaves_nothing_and_prints_no_python_noise(office, tmp_path):
    """Story: a full disk (which also printed "Exception ignored … Traceback"). In a
    process of its own: Python prints that at exit, after a test runner has gone."""
    patch = (
        "import errno\nfrom teichaku_cli.base import safe_write\nreal = safe_write._Sink.write\n"
        "def write(self, data):\n"
        "    if not self._dead and self._raw.tell() + len(data) > 2000:\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "    return real(self, data)\n"
        "safe_write._Sink.write = write\n"
    )
    inputs = Inputs(office)
    done = run_teichaku("check", office, *MONTH, "--out", tmp_path / "結果.xlsx", patch=patch, env={"TEICHAKU_TODAY": "2024-11-05"})
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert_fault(stderr, 2, "ディスクの空きが足りない", "結果.xlsx", inputs=inputs, folders=[tmp_path])
    assert not (tmp_path / "結果.xlsx").exists()


def test_a_file_name_over_255_bytes(invoke, office, tmp_path):
    """Story: a file name over 255 bytes."""
    long = tmp_path / ("結" * 90 + ".xlsx")  # 270 bytes in UTF-8
    assert_fault(invoke("check", office, *MONTH, "--out", long), 2, "名前が長すぎる", inputs=Inputs(office), folders=[tmp_path])


# --- locked files ---------------------------------------------------------------------------


@pytest.mark.parametrize("command, shown", [("check", "利用者 1人"), ("rate", "就労定着率"), ("due", "期限")])
def test_a_result_file_open_in_excel(invoke, office, tmp_path, monkeypatch, command, shown):
    """Story: an output file open in Excel (PermissionError): the terminal result is
    printed first, then the placed message; exit 2; the open file is untouched."""
    out = tmp_path / "結果.xlsx"
    out.write_bytes(b"the copy Excel has open")
    _lock(monkeypatch, "結果.xlsx")
    inputs = Inputs(office, out)
    result = invoke(*COMMANDS[command][:1], office, *COMMANDS[command][1:], "--out", out, "--force")
    output = assert_fault(
        result, 2, shown, "結果.xlsx を Excel で開いていれば閉じてから、もう一度実行してください", inputs=inputs, folders=[tmp_path], personal=()
    )
    assert output.index(shown) < output.index("Excel で開いていれば")


# --- init -----------------------------------------------------------------------------------


def test_init_force_on_a_filled_workbook_keeps_dated_backups(invoke, office, tmp_path):
    """Story: `init --force` replaced a filled workbook with a blank one (and the refusal recommended it)."""
    config = tmp_path / "teichaku.toml"
    config.write_text('"事業所名" = "本物の事業所"\n', encoding="utf-8")
    os.chmod(office, 0o640)
    before = {p.name: p.read_bytes() for p in (office, config)}
    refused = invoke("init", tmp_path)
    assert_fault(refused, 2, "office.xlsx", "teichaku.toml", "上書きしませんでした", "--force", inputs=Inputs(office, config))
    result = invoke("init", tmp_path, "--force")
    output = assert_fault(result, 0, "控えとして残しました", "office.bak-", "teichaku.bak-", folders=[tmp_path])
    (book,) = tmp_path.glob("office.bak-*.xlsx")
    (kept,) = tmp_path.glob("teichaku.bak-*.toml")
    assert book.read_bytes() == before["office.xlsx"] and kept.read_bytes() == before["teichaku.toml"]
    assert book.name in output and kept.name in output
    assert stat.S_IMODE(book.stat().st_mode) == 0o640  # a backup keeps the original's permissions
    assert office.read_bytes() != before["office.xlsx"]  # the new blank workbook


@pytest.mark.parametrize("protected", ["office.xlsx", "teichaku.toml"])
def test_init_force_with_a_read_only_file_changes_nothing(invoke, office, tmp_path, protected):
    """A read-only teichaku.toml was found only after the workbook had been replaced
    by a blank one: the refusal now comes before any backup or write."""
    config = tmp_path / "teichaku.toml"
    config.write_text('"事業所名" = "本物の事業所"\n', encoding="utf-8")
    (tmp_path / protected).chmod(0o444)
    result = invoke("init", tmp_path, "--force")
    assert_fault(result, 2, f"{protected} は読み取り専用のファイルのため", inputs=Inputs(office, config), folders=[tmp_path], personal=())
    assert not list(tmp_path.glob("*.bak-*"))


def test_init_force_on_a_workbook_open_in_excel_changes_nothing(invoke, office, tmp_path):
    """The office's own workbook open in Excel: not replaced by a blank one, --force or not."""
    (tmp_path / "~$office.xlsx").write_bytes(b"\x00" * 165)
    for force in ((), ("--force",)):
        assert_fault(invoke("init", tmp_path, *force), 2, "office.xlsx は Excel で開かれているようです", inputs=Inputs(office), folders=[tmp_path], personal=())
    assert not list(tmp_path.glob("*.bak-*")) and not (tmp_path / "teichaku.toml").exists()


def test_init_force_that_fails_midway_says_where_the_backups_are(invoke, office, tmp_path, monkeypatch):
    config = tmp_path / "teichaku.toml"
    config.write_text('"事業所名" = "本物の事業所"\n', encoding="utf-8")
    _lock(monkeypatch, "teichaku.toml")  # the second file cannot be replaced
    output = assert_fault(invoke("init", tmp_path, "--force"), 2, "元のファイルは控えとして残っています", "office.bak-", "teichaku.bak-", folders=[tmp_path], personal=())
    (book,) = tmp_path.glob("office.bak-*.xlsx")
    assert book.name in output


def test_init_name_with_quotes_writes_valid_toml(invoke, tmp_path):
    name = 'ひだまり"本店"\\分室'
    assert_fault(invoke("init", tmp_path / "new", "--name", name), 0, folders=[tmp_path])
    assert tomllib.loads((tmp_path / "new" / "teichaku.toml").read_text(encoding="utf-8"))["事業所名"] == name
    assert invoke("validate", tmp_path / "new" / "office.xlsx").exit_code == 0


def test_init_into_a_file(invoke, office):
    assert_fault(invoke("init", office), 2, "office.xlsx はファイル", inputs=Inputs(office))


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_personal_outputs_are_owner_only_and_inits_follow_the_umask(invoke, office, tmp_path):
    assert invoke("check", office, *MONTH, "--out", tmp_path / "結果.xlsx").exit_code in (0, 1)
    assert stat.S_IMODE((tmp_path / "結果.xlsx").stat().st_mode) == 0o600
    umask = os.umask(0o022)
    try:
        assert invoke("init", tmp_path / "new").exit_code == 0
    finally:
        os.umask(umask)
    for name in ("office.xlsx", "teichaku.toml"):
        assert stat.S_IMODE((tmp_path / "new" / name).stat().st_mode) == 0o644, name


# --- stale temporary files ------------------------------------------------------------------


def test_stale_temporary_files_are_removed_only_when_their_writer_is_gone(invoke, office, tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(done.stdout)  # a process that has ended
    live = os.getpid()  # this one: a run going on at the same time
    folder = tmp_path / "out"
    folder.mkdir()
    crashed = folder / f".teichaku-{dead}-0123abcd.tmp"
    running = folder / f".teichaku-{live}-89abcdef.tmp"
    old = folder / f".teichaku-{live}-deadbeef.tmp"
    unrelated = folder / ".teichaku-notes"
    for p in (crashed, running, old, unrelated):
        p.write_bytes(b"partial")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    assert invoke("check", office, *MONTH, "--out", folder / "結果.xlsx").exit_code in (0, 1)
    assert not crashed.exists() and not old.exists()
    assert running.exists() and unrelated.exists()
    assert (folder / "結果.xlsx").exists()


def test_csv_inputs_are_inputs_too(invoke, tmp_path):
    folder = write_csvs(tmp_path / "csv", minimal_tables())
    inputs = Inputs(folder)
    # a hard link named .xlsx to one of the CSVs the run read
    os.link(folder / "利用者.csv", tmp_path / "利用者.xlsx")
    assert_fault(invoke("check", folder, *MONTH, "--out", tmp_path / "利用者.xlsx", "--force"), 2, "入力ファイル", inputs=inputs)
    assert not leftovers(tmp_path)
