"""What every case of the fault suite asserts: the exit code and the message, no
traceback (nor Python's "Exception ignored"), no bare 内部エラー, no personal value
on the screen, every input unchanged, and no partial or temporary file left."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from conftest import CONTACT, USER

# values of the test office that are personal: an error must never print them
PERSONAL = (USER["氏名"], USER["事業主"], CONTACT["内容"])
ROOT = Path(__file__).resolve().parents[1]


class Inputs:
    """The bytes of every file under the given paths, to compare after the run."""

    def __init__(self, *paths: Path) -> None:
        self.before = _digests(paths)
        self.paths = paths

    def assert_unchanged(self) -> None:
        assert _digests(self.paths) == self.before, "an input changed"


def _digests(paths) -> dict[str, str]:
    found = {}
    for path in paths:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            found[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return found


def leftovers(*folders: Path) -> list[Path]:
    """Temporary files of ours under these folders (there must be none after a run)."""
    return [p for folder in folders if folder.exists() for p in folder.rglob(".teichaku-*")]


def assert_fault(result, code: int, *fragments: str, inputs: Inputs | None = None, folders=(), personal=PERSONAL) -> str:
    output = result.output if hasattr(result, "output") else result
    exit_code = result.exit_code if hasattr(result, "exit_code") else None
    if exit_code is not None:
        assert exit_code == code, f"exit {exit_code}, not {code}:\n{output}"
    assert "Traceback" not in output and "Exception ignored" not in output, output
    assert "内部エラー" not in output, output
    for fragment in fragments:
        assert fragment in output, f"{fragment!r} not in:\n{output}"
    for value in personal:
        assert value not in output, f"personal value {value!r} printed:\n{output}"
    if inputs is not None:
        inputs.assert_unchanged()
    assert not leftovers(*folders), leftovers(*folders)
    return output


def run_teichaku(*args, env: dict | None = None, patch: str = "", cwd: Path | None = None, **kw) -> subprocess.CompletedProcess:
    """teichaku in a process of its own (kills, pipes, what only a real exit shows);
    ``patch`` is Python run first (to simulate a full disk), ``env`` is added."""
    code = f"{patch}\nimport sys\nsys.argv = ['teichaku', *sys.argv[1:]]\nfrom teichaku_cli.cli import main\nmain()\n"
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], env=full, cwd=cwd, capture_output=True, **kw)


def start_teichaku(*args, env: dict | None = None, prelude: str = "") -> subprocess.Popen:
    # Ctrl-C as at a terminal, whatever this test run inherited: a job started in the
    # background (a CI runner, `cmd &`) has SIGINT ignored, and Python then keeps it ignored
    reset = "import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
    code = f"{reset}{prelude}\nimport sys\nsys.argv = ['teichaku', *sys.argv[1:]]\nfrom teichaku_cli.cli import main\nif __name__ == '__main__':\n    main()\n"
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
