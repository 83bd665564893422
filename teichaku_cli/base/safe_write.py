"""Nothing lost, nothing half-written.

- ``check_destination`` runs before the data is read: it refuses a place that is a
  folder, has the wrong extension, lies in a folder that does not exist (a typo
  would otherwise create a folder and put personal data in it), already exists
  (without --force), is marked read-only or is open in Excel (its ``~$`` owner file
  is beside it; never, even with --force), or has a name the system cannot hold.
  ``check_output`` asks the same once the data is read, and refuses one of the
  files the run read (never, even with --force).
- ``atomic_file`` writes beside the target under a temporary name that carries
  the writer's process id, and moves it into place only when it is complete: an
  error, Ctrl-C or a kill leaves the old file (or none), never half of one.
- ``clean_stale`` removes the temporary files of earlier runs that crashed: only
  those whose writer is no longer running, or that are older than a day, never
  those of a run going on at the same time.
- OS errors become one Japanese message each (locked by Excel, read-only place,
  full disk, a file where a folder is expected, a name too long).

Files holding personal data (reports, plans, check/due/rate workbooks) are
created owner-only (0600 on POSIX); ``private=False`` (init's blank workbook and
teichaku.toml) gives the normal permissions of the user's umask.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator

from teichaku_cli.base.errors import TeichakuError

TEMP_PREFIX = ".teichaku-"
_TEMP = re.compile(r"^\.teichaku-(\d+)-[0-9a-f]{8}\.tmp$")
_OLD_TEMP = re.compile(r"^\.teichaku-[A-Za-z0-9_]{8}\.(?:xlsx|toml)$")  # mkstemp names of earlier versions
STALE_AFTER = 24 * 3600  # seconds: past this a temporary file is stale whoever wrote it (a process id can be reused)
MAX_NAME = 255  # bytes of one file name (POSIX file systems; NTFS counts 255 UTF-16 units)
PRIVATE_MODE, PUBLIC_MODE = 0o600, 0o666  # the public mode is narrowed by the umask

ROLE = "main"  # "worker" in a document worker process (the test pause hook can pick one)
_open_temps: set[str] = set()  # this process's temporary files being written (removed on a fatal end)
# held while a temporary file is created and registered, or removed: a worker ending
# because its parent ended removes them all holding it, so none is made after
_temps_lock = threading.Lock()
_cleaned: set[str] = set()  # folders already cleaned in this run


class OutputError(TeichakuError):
    """A result cannot be written where asked (exit 2)."""


def reset() -> None:
    """A new command run (tests run several in one process): clean folders again."""
    _cleaned.clear()


# --- before any work ------------------------------------------------------------------------


def exists_message(*paths: Path) -> tuple[str, str]:
    """The one message for an existing file (every command that writes uses it)."""
    return f"{'、'.join(map(str, paths))} が既にあります。上書きしませんでした。", "別の名前を指定するか、上書きしてよければ --force を付けてください"


def excel_owner_files(path: Path) -> list[Path]:
    """The names of the owner file Excel keeps beside a file while it has it open:
    ~$ + the name, or, for a long name, ~$ over its first two characters. The one
    place this rule lives (reading says an input is open; writing refuses an output)."""
    return [mark for mark in dict.fromkeys((path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:]))) if mark != path]


def open_in_excel(path: Path) -> Path | None:
    """The owner file beside ``path`` when Excel has it open, else None."""
    return next((mark for mark in excel_owner_files(path) if mark.exists()), None)


def open_in_excel_refusal(path: Path) -> "OutputError | None":
    """A file Excel has open is not replaced, even with --force: on Windows the replace
    fails (later, after the work), and on Linux it would go through without a word
    while the person goes on editing, and saving over, the old copy."""
    owner = open_in_excel(path) if path.exists() else None
    if owner is None:
        return None
    return OutputError(
        f"{path.name} は Excel で開かれているようです（「{owner.name}」があります）。上書きしませんでした（--force でも上書きしません）。",
        f"{path.name} を Excel で開いていれば閉じてから、もう一度実行してください（閉じているのに「{owner.name}」が残っていれば、それは消してかまいません）",
    )


def protected_refusal(path: Path) -> "OutputError | None":
    """Why an existing file must not be replaced even with --force: marked read-only,
    or open in Excel."""
    return read_only_refusal(path) or open_in_excel_refusal(path)


def read_only_refusal(path: Path) -> "OutputError | None":
    """An existing file marked read-only is not replaced, even with --force: someone
    protected it on purpose (and Windows refuses the replace; Linux would not)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) and not mode & stat.S_IWUSR:
        return OutputError(
            f"{path.name} は読み取り専用のファイルのため、上書きしませんでした。",
            "ファイルのプロパティで「読み取り専用」を外すか、別の名前を指定してください",
        )
    return None


def same_file(a: Path, b: Path) -> bool:
    """The same file on disk (links, another spelling of the path, a case-insensitive
    drive); for a path that does not exist yet, the same normalised resolved path."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def input_refusal(path: Path) -> tuple[str, str]:
    return (
        f"{path} はこの実行で読み込んだ入力ファイルです。入力を書き換えないよう、書き出しませんでした（--force でも上書きしません）。",
        "結果は別の名前（例: 結果.xlsx）で書き出してください",
    )


def name_too_long(path: Path) -> OutputError | None:
    for part in path.parts:
        size = len(part.encode("utf-16-le")) // 2 if os.name == "nt" else len(os.fsencode(part))
        if size > MAX_NAME:
            unit = "文字" if os.name == "nt" else "バイト"
            return OutputError(
                f"名前が長すぎるため書き出せません（「{part[:20]}…」が {size}{unit}、上限 {MAX_NAME}{unit}）。",
                "短い名前か、浅いフォルダを指定してください",
            )
    return None


def check_destination(path: Path, force: bool, suffix: str = ".xlsx", option: str = "--out") -> None:
    """Refuse, before the data is read, a result file that must not or cannot be
    written there: nothing is created by a refusal (not even the folder)."""
    too_long = name_too_long(path)  # first: the system refuses even to look at such a path
    if too_long is not None:
        raise too_long
    if path.is_dir():
        raise OutputError(f"{option} {path} はフォルダです。", f"書き出すファイルの名前まで指定してください（例: {path / ('結果' + suffix)}）")
    if path.suffix.lower() != suffix:
        raise OutputError(
            f"{option} {path}: 書き出せるのは Excel ブック（{suffix}）だけです。",
            f"名前を「結果{suffix}」のように {suffix} で終えてください",
        )
    check_folder(path.parent, option)
    if not path.parent.is_dir():  # a typo in the folder: making it would put personal data where no one looks
        raise OutputError(
            f"{option} {path}: フォルダ {path.parent} がありません。何も作らずに止めました。",
            "フォルダ名を確かめてください（新しいフォルダに書き出すなら、先にそのフォルダを作ってください）",
        )
    if (refused := protected_refusal(path)) is not None:  # first: --force would not help, so it is not offered
        raise refused
    if path.exists() and not force:
        raise OutputError(*exists_message(path))


def check_output(path: Path, inputs: Iterable[Path], force: bool, suffix: str = ".xlsx", option: str = "--out") -> None:
    """``check_destination`` again once the data is read, and never one of the files
    the run read (not even with --force)."""
    for source in inputs:
        if same_file(path, source):
            raise OutputError(*input_refusal(path))
    check_destination(path, force, suffix, option)


def check_folder(folder: Path, option: str = "--out") -> None:
    """The nearest existing ancestor of ``folder`` must be a folder (a file where a
    folder is expected cannot hold anything)."""
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            return
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"{option}: {probe} はファイルのため、その中には書き出せません。", "フォルダの名前を確かめてください")


# --- writing --------------------------------------------------------------------------------


class _Sink:
    """The file a writer (openpyxl's zip) writes to. After a failure it goes on
    accepting writes and counting positions without touching the disk: zipfile's
    finaliser would otherwise try to finish the archive on a full disk and print
    "Exception ignored … Traceback" at exit."""

    def __init__(self, raw) -> None:
        self._raw = raw
        self._dead = False
        self._pos = 0

    def write(self, data) -> int:
        if self._dead:
            self._pos += len(data)
            return len(data)
        return self._raw.write(data)

    def flush(self) -> None:
        if not self._dead:
            self._raw.flush()

    def tell(self) -> int:
        return self._pos if self._dead else self._raw.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        if not self._dead:
            return self._raw.seek(offset, whence)
        self._pos = offset if whence == 0 else self._pos + offset
        return self._pos

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def close(self) -> None:  # the owner closes the real file
        pass

    def abandon(self) -> None:
        if not self._dead:
            try:
                self._pos = self._raw.tell()
            except (OSError, ValueError):
                self._pos = 0
            self._dead = True


def _create_temp(folder: Path, private: bool) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = folder / f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}.tmp"
        try:
            return os.open(tmp, flags, PRIVATE_MODE if private else PUBLIC_MODE), tmp
        except FileExistsError:
            continue


@contextlib.contextmanager
def atomic_file(path: Path, overwrite: bool = True, private: bool = True) -> Iterator[_Sink]:
    """A binary file to write ``path``'s new content into; it replaces ``path``
    only when the block ends without error."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failure(exc, path, "folder") from None
    clean_stale(folder)
    too_long = name_too_long(path)
    if too_long is not None:
        raise too_long
    try:
        with _temps_lock:
            fd, tmp = _create_temp(folder, private)
            _open_temps.add(str(tmp))
    except OSError as exc:
        raise write_failure(exc, path, "create") from None
    raw = os.fdopen(fd, "wb")
    sink = _Sink(raw)
    stage = "write"
    try:
        yield sink
        raw.flush()
        raw.close()
        _pause_for_tests(tmp)
        if not overwrite and path.exists():
            raise OutputError(*exists_message(path))
        if (refused := protected_refusal(path)) is not None:  # read-only, or opened in Excel meanwhile
            raise refused
        stage = "replace"
        os.replace(tmp, path)
    except OSError as exc:
        raise write_failure(exc, path, stage) from None
    finally:
        sink.abandon()
        with contextlib.suppress(OSError):
            raw.close()
        with _temps_lock:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            _open_temps.discard(str(tmp))


def write_failure(exc: OSError, path: Path, stage: str) -> OutputError:
    """One Japanese message per way a write fails. ``stage``: folder (making the
    folder), create (the temporary file), write, replace (moving it into place)."""
    name, folder = path.name, path.parent
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return OutputError(
            f"ディスクの空きが足りないため、{name} を書き出せませんでした（書きかけのファイルは残していません）。",
            "不要なファイルを消して空きを作るか、--out で別のドライブを指定してから、もう一度実行してください",
        )
    if code == errno.EROFS:
        return OutputError(f"{folder} は読み取り専用の場所のため、{name} を書き出せません。", "書き込める場所（例: ドキュメント）を --out で指定してください")
    if code == errno.ENAMETOOLONG:
        return OutputError(f"名前が長すぎるため {name} を書き出せません。", "短い名前か、浅いフォルダを指定してください")
    if isinstance(exc, IsADirectoryError) or (stage == "replace" and path.is_dir()):
        return OutputError(f"{path} はフォルダです。", "書き出すファイルの名前まで指定してください")
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return OutputError(f"{folder} の途中にファイルがあるため、そこには書き出せません。", "フォルダの名前を確かめてください")
    if isinstance(exc, PermissionError):
        if stage == "replace":  # Windows: Excel holds the file open
            return OutputError(
                f"{name} に書き込めませんでした（ほかのプログラムが開いているか、上書きが禁止されています）。",
                f"{name} を Excel で開いていれば閉じてから、もう一度実行してください",
            )
        return OutputError(f"{folder} に書き込む権限がありません。", "書き込める場所を --out で指定してください")
    what = errno.errorcode.get(code, str(code)) if code is not None else type(exc).__name__
    return OutputError(f"{name} を書き出せませんでした（{what}）。", "書き出し先を確かめてから、もう一度実行してください")


def backup(path: Path, now) -> Path:
    """A dated copy of ``path`` beside it (office.xlsx → office.bak-20261127-093000.xlsx),
    written whole or not at all, with the original's mode and times."""
    import shutil

    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.bak-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.bak-{stamp}-{n}{path.suffix}")
    with atomic_file(target, overwrite=False, private=False) as out:
        with open(path, "rb") as src:
            shutil.copyfileobj(src, out)
    with contextlib.suppress(OSError):
        shutil.copystat(path, target)
    return target


# --- crashed runs ---------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """Whether a process with this id is running (a process we may not signal counts as running)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_cleaned(folder: Path) -> None:
    """Clean ``folder`` again on the next call (after this run's own workers ended)."""
    _cleaned.discard(os.path.normcase(os.path.abspath(folder)))


def clean_stale(folder: Path) -> list[Path]:
    """Remove temporary files left in ``folder`` by runs that crashed (once per run)."""
    key = os.path.normcase(os.path.abspath(folder))
    if key in _cleaned:
        return []
    _cleaned.add(key)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        ours = _TEMP.match(entry.name)
        if not ours and not _OLD_TEMP.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        old = now - info.st_mtime > STALE_AFTER
        orphaned = ours is not None and int(ours[1]) != os.getpid() and not pid_alive(int(ours[1]))
        if old or orphaned:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def end_now(code: int = 1) -> None:
    """End this process at once (a worker whose parent ended), removing what it was
    writing; no new temporary file can be made meanwhile (the lock is never released)."""
    _temps_lock.acquire()
    for name in list(_open_temps):
        with contextlib.suppress(OSError):
            os.unlink(name)
    os._exit(code)


def _pause_for_tests(tmp: Path) -> None:
    """Test hook (TEICHAKU_TEST_PAUSE=marker): the first writer to get here, with its
    file complete under the temporary name, writes "pid path" to the marker and
    waits, so a test can kill or interrupt the run at a known point."""
    marker = os.environ.get("TEICHAKU_TEST_PAUSE")
    if not marker:
        return
    where = os.environ.get("TEICHAKU_TEST_PAUSE_WHERE")
    if where and where != ROLE:
        return
    try:
        os.close(os.open(marker + ".lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    Path(marker + ".part").write_text(f"{os.getpid()} {tmp}\n", encoding="utf-8")
    os.replace(marker + ".part", marker)
    while True:
        time.sleep(0.05)


def describe_unexpected(exc: BaseException) -> str:
    """An unexpected error as a reason line: its type only (values may be personal)."""
    return f"内部エラー（{type(exc).__name__}）"

