"""Fault suite, batches (report/plan): each file whole or not at all, a summary
that says what happened to every file, workers that end with the main process,
Ctrl-C that stops cleanly.

The kill tests are deterministic: TEICHAKU_TEST_PAUSE makes the first writer
(in the main process or in a worker) stop with its file complete under the
temporary name and say so in a marker file; the test kills or interrupts then."""

from __future__ import annotations

import errno
import os
import signal
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import write_csvs
from faults import Inputs, assert_fault, leftovers, start_teichaku
from rules_helpers import good_month, merge

MONTH = date(2025, 10, 1)
TODAY = {"TEICHAKU_TODAY": "2025-11-05"}
POSIX_PROCS = pytest.mark.skipif(not Path("/proc/self/stat").exists() or os.name == "nt", reason="needs POSIX signals and /proc")


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")


def office(tmp_path: Path, users: int, **changes) -> Path:
    tables = merge(*(good_month(f"{i:04d}", MONTH) for i in range(1, users + 1)))
    for table, values in changes.items():
        tables[table][0].update(values)
    return write_csvs(tmp_path / "office", tables)


def report(invoke, data: Path, out: Path, *more):
    return invoke("report", data, "--month", "2025-10", "--out", out, *more)


# --- helpers for the process tests ----------------------------------------------------------


def _wait_for(marker: Path, process) -> tuple[int, str]:
    """The pause marker ("pid temp-path"), once the run has reached it. The wait has
    no deadline of its own beyond the suite's: reaching it is the run's job."""
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the run never reached the pause"
        time.sleep(0.02)
    pid, tmp = marker.read_text(encoding="utf-8").split(maxsplit=1)
    return int(pid), tmp.strip()


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _until_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + 60
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    return [p for p in pids if _running(p)]


def _finals(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.xlsx"))


def _whole(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return zf.testzip() is None
    except zipfile.BadZipFile:
        return False


# --- kills and interrupts -------------------------------------------------------------------


@POSIX_PROCS
def test_kill_9_of_a_small_batch_leaves_no_partial_file_and_the_next_run_cleans_up(tmp_path):
    """Story: kill -9 during a batch left partial .teichaku-* files, never cleaned up."""
    data, out, marker = office(tmp_path, 3), tmp_path / "out", tmp_path / "pause"
    process = start_teichaku("report", data, "--month", "2025-10", "--out", out, env={**TODAY, "TEICHAKU_TEST_PAUSE": str(marker)})
    pid, tmp = _wait_for(marker, process)
    assert pid == process.pid and Path(tmp).exists()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _finals(out) == []  # killed during its first file: nothing under a report's name
    assert leftovers(out) == [Path(tmp)]  # the killed writer's temporary file, never moved into place
    again = start_teichaku("report", data, "--month", "2025-10", "--out", out, env=TODAY)
    stdout, stderr = again.communicate(timeout=120)
    assert again.returncode == 0, stderr.decode()
    assert not leftovers(out) and len(_finals(out)) == 3 and all(_whole(p) for p in _finals(out))
    assert "Traceback" not in stderr.decode()


@POSIX_PROCS
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_killing_only_the_main_process_ends_the_workers(tmp_path, method):
    """Story: killing only the main process (Task Manager, log-off) left the render
    workers writing for minutes. A worker is paused mid-file; the main is killed."""
    from teichaku_cli.documents.build import PARALLEL_FROM

    data, out, marker = office(tmp_path, PARALLEL_FROM + 5), tmp_path / "out", tmp_path / "pause"
    env = {**TODAY, "TEICHAKU_TEST_PAUSE": str(marker), "TEICHAKU_TEST_PAUSE_WHERE": "worker"}
    prelude = f"import os\nos.cpu_count = lambda: 2\nfrom teichaku_cli.documents import build\nbuild.START_METHOD = {method!r}\n"
    process = start_teichaku("report", data, "--month", "2025-10", "--out", out, env=env, prelude=prelude)
    paused, _ = _wait_for(marker, process)
    workers = [p for p in _children(process.pid) if p != process.pid]
    assert paused in workers
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _until_gone(workers) == []  # every worker ended by itself
    assert all(_whole(p) for p in _finals(out))
    assert not leftovers(out)  # the workers removed what they were writing


@POSIX_PROCS
def test_ctrl_c_during_a_worker_batch_stops_cleanly_and_says_what_was_written(tmp_path):
    from teichaku_cli.documents.build import PARALLEL_FROM

    data, out, marker = office(tmp_path, PARALLEL_FROM + 5), tmp_path / "out", tmp_path / "pause"
    env = {**TODAY, "TEICHAKU_TEST_PAUSE": str(marker), "TEICHAKU_TEST_PAUSE_WHERE": "worker"}
    process = start_teichaku("report", data, "--month", "2025-10", "--out", out, env=env, prelude="import os\nos.cpu_count = lambda: 2\n")
    _wait_for(marker, process)
    workers = [p for p in _children(process.pid) if p != process.pid]
    os.kill(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    stdout, stderr = stdout.decode(), stderr.decode()
    assert process.returncode == 130, stderr
    assert_fault(stdout + stderr, 130, "中断しました", "中断したため作成していません", personal=(), folders=[out])
    assert _until_gone(workers) == []
    finals = _finals(out)
    assert all(_whole(p) for p in finals)
    assert f"作成 {len(finals)}件" in stdout  # the summary counts exactly the files on disk


@POSIX_PROCS
def test_a_stop_request_sigterm_removes_the_file_being_written(tmp_path):
    data, out, marker = office(tmp_path, 2), tmp_path / "out", tmp_path / "pause"
    process = start_teichaku("report", data, "--month", "2025-10", "--out", out, env={**TODAY, "TEICHAKU_TEST_PAUSE": str(marker)})
    _wait_for(marker, process)
    os.kill(process.pid, signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130 and "中断しました" in stderr.decode() and "Traceback" not in stderr.decode()
    assert not leftovers(out) and not _finals(out)


def test_the_batch_runs_under_spawn_as_on_windows(invoke, tmp_path, monkeypatch):
    """The worker pool under the start method Windows has: same files as in-process."""
    from document_dump import dump

    from teichaku_cli.documents import build

    monkeypatch.setattr(build, "START_METHOD", "spawn")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    data = office(tmp_path, build.PARALLEL_FROM + 1)
    result = report(invoke, data, tmp_path / "batch")
    assert_fault(result, 0, f"作成 {build.PARALLEL_FROM + 1}件、作成せず 0件、失敗 0件", personal=(), folders=[tmp_path])
    alone = report(invoke, data, tmp_path / "alone", "--user", "0041")
    assert alone.exit_code == 0
    (single,) = _finals(tmp_path / "alone")
    assert dump(tmp_path / "batch" / single.name) == dump(single)


# --- files that fail inside a batch ---------------------------------------------------------


def test_one_report_open_in_excel_fails_alone_and_the_batch_says_so(invoke, tmp_path, monkeypatch):
    data, out = office(tmp_path, 3), tmp_path / "out"
    assert report(invoke, data, out).exit_code == 0
    locked = next(p for p in _finals(out) if "0002" in p.name)
    locked.write_bytes(b"open in Excel")
    real = os.replace

    def fake(src, dst, *a, **k):
        if os.path.basename(dst) == locked.name:
            raise PermissionError(errno.EACCES, "Access is denied", str(dst))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", fake)
    result = report(invoke, data, out, "--force")
    assert_fault(result, 2, "失敗 0002", f"{locked.name} を Excel で開いていれば閉じてから", "作成 2件、作成せず 0件、失敗 1件", folders=[out], personal=())
    assert locked.read_bytes() == b"open in Excel"


def test_a_report_marked_read_only_is_kept_even_with_force(invoke, tmp_path):
    """Someone protected that file (Windows refuses the replace, Linux would not):
    it fails alone, named, and the rest of the batch is written."""
    data, out = office(tmp_path, 3), tmp_path / "out"
    assert report(invoke, data, out).exit_code == 0
    kept = next(p for p in _finals(out) if "0002" in p.name)
    kept.write_bytes(b"signed copy")
    kept.chmod(0o444)
    result = report(invoke, data, out, "--force")
    assert_fault(result, 2, "失敗 0002", f"{kept.name} は読み取り専用のファイルのため", "作成 2件、作成せず 0件、失敗 1件", folders=[out], personal=())
    assert kept.read_bytes() == b"signed copy"


def test_a_disk_that_fills_up_mid_batch(invoke, tmp_path, monkeypatch):
    from teichaku_cli.base import safe_write

    data, out = office(tmp_path, 3), tmp_path / "out"
    real = safe_write._Sink.write
    sinks: list = []  # the sinks themselves, kept alive: an id() of a freed one can come back for the next file

    def write(self, data_):
        if not any(s is self for s in sinks):
            sinks.append(self)
        if len(sinks) > 1 and not self._dead:  # the first file fits, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data_)

    monkeypatch.setattr(safe_write._Sink, "write", write)
    result = report(invoke, data, out)
    assert_fault(result, 2, "ディスクの空きが足りない", "作成 1件、作成せず 0件、失敗 2件", folders=[out], personal=())
    assert len(_finals(out)) == 1 and _whole(_finals(out)[0])


def test_a_read_only_out_folder_stops_before_any_file(invoke, tmp_path, monkeypatch):
    data, out = office(tmp_path, 3), tmp_path / "out"
    real = os.open

    def fake(path, flags, *a, **k):
        if os.path.basename(path).startswith(".teichaku-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", fake)
    inputs = Inputs(data)
    assert_fault(report(invoke, data, out), 2, "書き込む権限がありません", inputs=inputs, folders=[tmp_path], personal=())
    assert not _finals(out)


def test_existing_reports_are_kept_and_the_exit_code_says_so(invoke, tmp_path):
    data, out = office(tmp_path, 2), tmp_path / "out"
    assert report(invoke, data, out).exit_code == 0
    kept = _finals(out)[0]
    kept.write_bytes(b"staff edited this")
    result = report(invoke, data, out)
    assert_fault(result, 1, "が既にあります。上書きしませんでした", "--force", "作成 0件、作成せず 2件、失敗 0件", folders=[out], personal=())
    assert kept.read_bytes() == b"staff edited this"


def test_a_report_is_never_written_over_the_template_it_uses(invoke, tmp_path):
    """The output folder holds a file with a report's name that is the template itself."""
    from teichaku_cli.documents.bundled import REPORT, bundled

    data, out = office(tmp_path, 1), tmp_path / "out"
    assert report(invoke, data, out).exit_code == 0
    (made,) = _finals(out)
    made.unlink()
    made.write_bytes(bundled(REPORT).read_bytes())
    inputs = Inputs(made)
    result = report(invoke, data, out, "--template", made, "--force")
    assert_fault(result, 1, "入力ファイル", "作成せず", inputs=inputs, folders=[out], personal=())


@pytest.mark.parametrize("char, name", [("\x0b", "垂直タブ"), ("\x00", "NUL")])
def test_a_control_character_in_a_support_note_is_found_before_any_report(invoke, tmp_path, char, name):
    """Story: a vertical tab or NUL pasted into 内容: validate passed, then report died
    part-way through a batch without listing what it wrote."""
    data = office(tmp_path, 3, 支援記録={"内容": f"職場での様子{char}を聞き取り"})
    inputs = Inputs(data)
    checked = invoke("validate", data)
    assert_fault(checked, 1, "支援記録.csv", "「内容」", name, "文字目", inputs=inputs, personal=("職場での様子",))
    result = report(invoke, data, tmp_path / "out")
    assert_fault(result, 2, "内容", name, "計算しません", inputs=inputs, folders=[tmp_path], personal=("職場での様子",))
    assert not (tmp_path / "out").exists() or not _finals(tmp_path / "out")


def test_report_out_that_is_a_file(invoke, tmp_path):
    data = office(tmp_path, 1)
    target = tmp_path / "reports.xlsx"
    target.write_bytes(b"x")
    assert_fault(report(invoke, data, target), 2, "フォルダを指定します", inputs=Inputs(target, data))
    assert_fault(report(invoke, data, tmp_path / "新しい.xlsx"), 2, "フォルダを指定します")
