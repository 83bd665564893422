"""What every command shares: the DATA argument and --config option, the
consoles, escaping for the terminal, the exit codes, and the one handler that
turns errors into a Japanese line and an exit code."""

from __future__ import annotations

import functools
import gc
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Callable, Optional, TypeVar

import typer

from teichaku_cli.cli.text import display_width, tokens, wrap
from teichaku_cli.base.errors import DataProblems, Problem, TeichakuError

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C or a stop request (SIGTERM), as shells report a SIGINT
EXIT_PIPE_CLOSED = 141  # the reader of our output went away (`| head`), as shells report a SIGPIPE

# Every command's exit codes: shown in its --help and, the same words, in the README.
_COMMON_CODES = (
    (EXIT_CANNOT_RUN, "実行できない（データ・設定・オプションの誤り、書き出せない）"),
    (EXIT_INTERRUPTED, "中断した（Ctrl-C）"),
    (EXIT_PIPE_CLOSED, "出力の読み手（パイプの先の head など）が先に閉じた（何も表示せずに終わる）"),
)
EXIT_CODES: dict[str, tuple[tuple[int, str], ...]] = {
    "check": ((EXIT_OK, "全員請求できる"), (EXIT_PROBLEMS, "請求できない利用者か、金額が分からず要確認の利用者がいる（--claim では、請求ファイルに記録とのエラーの相違がある）"), *_COMMON_CODES),
    "due": ((EXIT_OK, "期限を表示した（期限がなくても 0）"), *_COMMON_CODES),
    "rate": ((EXIT_OK, "就労定着率を表示した（計算できない年度の注記も 0）"), *_COMMON_CODES),
    "report": (
        (EXIT_OK, "すべて作成した（事業主用を作らない人＝クローズ・同意なしは数えない）"),
        (EXIT_PROBLEMS, "作成しなかったものがある（既にあるファイル・読み込んだファイルと同じ名前・障害開示か同意が空欄で作らない事業主用 など、理由を一覧）"),
        (EXIT_CANNOT_RUN, "実行できない、または書き出せなかったファイルがある（理由を一覧、ほかは作成済み）"),
        *_COMMON_CODES[1:],
    ),
    "plan": (
        (EXIT_OK, "すべて作成した"),
        (EXIT_PROBLEMS, "作成しなかったものがある（既にあるファイル・有効な計画がない など、理由を一覧）"),
        (EXIT_CANNOT_RUN, "実行できない、または書き出せなかったファイルがある（理由を一覧、ほかは作成済み）"),
        *_COMMON_CODES[1:],
    ),
    "validate": ((EXIT_OK, "問題なし（注意だけのときも 0）"), (EXIT_PROBLEMS, "データに問題がある"), (EXIT_CANNOT_RUN, "読めない（ファイル・シート・必須の列がない、設定の誤りなど）"), *_COMMON_CODES[1:]),
    "init": ((EXIT_OK, "作成した"), *_COMMON_CODES),
}


def exit_codes_help(command: str) -> str:
    """The --help epilog listing ``command``'s exit codes (\\b keeps click from rewrapping it)."""
    lines = [f"  {code:<3} {meaning}" for code, meaning in EXIT_CODES[command]]
    return "\b\n終了コード:\n" + "\n".join(lines)


def exit_codes_line(command: str) -> str:
    """The same codes on one line, as the README lists them."""
    return "、".join(f"{code}: {meaning}" for code, meaning in EXIT_CODES[command])


class State:
    debug = False


# Output redirected on Windows (`> 結果.txt`, a pipe) is written in the ANSI code page,
# CP932, which lacks a few characters teichaku prints (the dash 「—」). Such a character
# becomes its CP932 look-alike, or「?」, instead of stopping the run with an encoding error.
_LOOK_ALIKES = {"\u2014": "\u2015", "\u2013": "-", "\u00a0": " ", "\u2022": "\u30fb"}


def _legacy_encoding_error(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start:exc.end]:
        alike = _LOOK_ALIKES.get(ch, "?")
        try:
            alike.encode(exc.encoding)
        except (UnicodeEncodeError, LookupError):
            alike = "?"
        out.append(alike)
    return "".join(out), exc.end


def fit_streams() -> None:
    """Let stdout and stderr in a legacy encoding replace what it cannot hold (and
    --json escape it: see print_json) rather than fail half-way through a result."""
    import codecs

    codecs.register_error("teichaku-legacy", _legacy_encoding_error)
    for stream in (sys.stdout, sys.stderr):
        if not _utf(stream) and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="teichaku-legacy")


def _utf(stream) -> bool:
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
    return encoding.startswith("utf")


_console_class = None


def console(stderr: bool = False):
    global _console_class
    if _console_class is None:
        from rich.console import Console

        class _Console(Console):
            def on_broken_pipe(self) -> None:  # rich would exit 1; ours is EXIT_PIPE_CLOSED, from `guarded`
                self.quiet = True
                raise BrokenPipeError

        _console_class = _Console
    stream = sys.stderr if stderr else sys.stdout
    # a file or a pipe has no width of its own: 120 columns, as a text editor shows them
    # (rich would take 80, and cut the names and findings of the check table)
    wide = None if "COLUMNS" in os.environ or getattr(stream, "isatty", lambda: False)() else 120
    return _console_class(stderr=stderr, highlight=False, soft_wrap=True, width=wide)


DataArg = Annotated[
    Optional[Path],
    typer.Argument(
        help="事業所データ: Excelブック（.xlsx）か、表ごとの CSV を入れたフォルダ。省略時は teichaku.toml の data。",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Optional[Path],
    typer.Option("--config", help="設定ファイル teichaku.toml のパス（省略時はデータの隣、次に現在のフォルダ）。"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="結果を JSON で標準出力に出す（画面には字下げして、ファイルやパイプには1行で）。")]


# A terminal table beyond a few hundred rows helps no one and costs seconds to lay out
# (rich measures every cell): larger lists show the rows that need action, up to this many.
TABLE_LIMIT = 200


def omitted(shown: int, total: int, what: str) -> str | None:
    """The line under a shortened table, or None when everything was shown."""
    if shown >= total:
        return None
    return f"表は{what}の {shown:,}件だけを表示しています（全 {total:,}件）。すべては --out 結果.xlsx か --json で出せます。"


# What must never reach a terminal from data: control characters (an ESC starts a
# terminal command, a CR rewrites the line) and the bidi overrides that reorder text.
# Tab and line feed only lay text out.
_UNSAFE_FOR_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # json escapes C0 itself


def terminal_safe(value: object) -> str:
    """Text from data or the command line with its control characters as
    ``\\x1b``-style escapes: for a rich ``Text``, which reads no markup."""
    text = "" if value is None else str(value)
    return _UNSAFE_FOR_TERMINAL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def visible(value: object) -> str:
    """Text from data or the command line, safe to print as markup: control
    characters escaped, and a name like ``[/]`` prints as itself."""
    from rich.markup import escape

    return escape(terminal_safe(value))


_SHELL_PLAIN = re.compile(r"[\w./\\:~+,=@%-]+")


def shell_path(path: object) -> str:
    """A path as it is typed after a command: in "…" when it holds a space or another
    character the shell would split or read (PowerShell and cmd take "…" too; the
    README shows paths so). A path with a " of its own (POSIX only) in '…'."""
    text = str(path)
    if _SHELL_PLAIN.fullmatch(text):
        return text
    if '"' in text or "$" in text or "`" in text:
        import shlex

        return shlex.quote(text)
    return f'"{text}"'


class Wrapped:
    """Japanese text for a table cell, wrapped where a person would break it
    (cli/text.py): rich breaks only at spaces and folds the rest anywhere, which in a
    sentence without spaces cut dates in two (「2025-0」「7-14就職」)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def lines(self, width: int) -> list[str]:
        return wrap(self.text, width)

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        paragraphs = self.text.split("\n")
        least = max((display_width(t) for p in paragraphs for t in tokens(p)), default=1)
        return Measurement(least, max((display_width(p) for p in paragraphs), default=1))

    def __rich_console__(self, console, options):
        from rich.text import Text

        yield Text("\n".join(self.lines(max(1, options.max_width))), no_wrap=True, overflow="fold")


class Phrases:
    """Short phrases for a table cell (check's finding titles), each in its own
    style, joined by 「、」 and wrapped only between phrases: a title is never cut
    in two unless it is wider than the cell itself (then it is wrapped where a
    person would, cli/text.py). rich's own wrapping cut 「計画見直し期限超過」 to
    「計画…」 at the cell's end, and hid the error that blocked the claim."""

    SEPARATOR = "、"

    def __init__(self, phrases: list[tuple[str, str]], empty: str = "—") -> None:
        self.phrases = phrases
        self.empty = empty

    def widest(self) -> int:
        """The width a cell needs to hold every phrase whole (with its 「、」)."""
        last = len(self.phrases) - 1
        return max((display_width(text) + (2 if i < last else 0) for i, (text, _) in enumerate(self.phrases)), default=display_width(self.empty))

    def natural(self) -> int:
        """The width of every phrase on one line."""
        if not self.phrases:
            return display_width(self.empty)
        return sum(display_width(text) for text, _ in self.phrases) + 2 * (len(self.phrases) - 1)

    def lines(self, width: int) -> list[list[tuple[str, str]]]:
        """Lines of (text, style) pieces, each at most ``width`` columns."""
        if not self.phrases:
            return [[(self.empty, "")]]
        out: list[list[tuple[str, str]]] = [[]]
        used = 0
        last = len(self.phrases) - 1
        for i, (text, style) in enumerate(self.phrases):
            piece = text + (self.SEPARATOR if i < last else "")
            size = display_width(piece)
            if used and used + size > width:
                out.append([])
                used = 0
            if size <= width:
                out[-1].append((piece, style))
                used += size
                continue
            parts = wrap(piece, width)  # wider than the cell: where a person would break it
            for j, part in enumerate(parts):
                if j:
                    out.append([])
                out[-1].append((part, style))
            used = display_width(parts[-1])
        return out

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(min(self.widest(), self.natural()), self.natural())

    def __rich_console__(self, console, options):
        from rich.text import Text

        for line in self.lines(max(1, options.max_width)):
            yield Text.assemble(*line, no_wrap=True, overflow="fold")


def print_json(payload: object) -> None:
    """JSON on stdout: indented for a person at a terminal, compact (and several
    times faster: json's C encoder) when it goes to a file or another program."""
    import json

    pretty = sys.stdout.isatty()
    # in a legacy encoding (CP932 on a Windows redirect) every character survives as \\uXXXX
    text = json.dumps(payload, ensure_ascii=not _utf(sys.stdout), indent=2 if pretty else None)
    typer.echo(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text))


def print_problems(problems: list[Problem], limit: int | None = None, stderr: bool = False) -> None:
    out = console(stderr=stderr)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for p in (errors + warnings)[:limit]:
        mark = "[red]エラー[/red]" if p.severity == "error" else "[yellow]注意[/yellow]"
        out.print(f"{mark} {visible(p.describe())}")
    shown = len(problems) if limit is None else min(limit, len(problems))
    if shown < len(problems):
        out.print(f"…ほか{len(problems) - shown}件")
    out.print(f"エラー {len(errors)}件、注意 {len(warnings)}件")


# reading warnings said on stderr before a result; the rest are counted (all are in --json and validate)
SAID_BEFORE_RESULT = 10


def load_office(data: Path | None, config: Path | None, command: str):
    """The office for a command that computes: refused on any error (exit 2), and
    every reading warning that can change what ``command`` computes said on stderr
    before the result (a file open in Excel, read as last saved; a sheet like a
    table left unread; a privacy gate read as "not shared"…: ``Touches`` marks them,
    docs/data-format.md lists them). They never change the exit code."""
    from teichaku_cli.base.errors import Touches
    from teichaku_cli.office.load import load_office as load

    office = load(data, config, every_text=Touches.TEXT.concerns(command))  # 外字 in any text: only for documents
    said = office.warnings_for(command)
    if not said:
        return office  # (rich is imported only when there is something to say: --json runs without it)
    out = console(stderr=True)
    for problem in said[:SAID_BEFORE_RESULT]:
        out.print(f"[yellow]注意[/yellow] {visible(problem.describe())}")
    if len(said) > SAID_BEFORE_RESULT:
        out.print(f"[yellow]注意[/yellow] 結果に関わる読み込みの注意がほか{len(said) - SAID_BEFORE_RESULT}件あります（teichaku validate で一覧を確かめられます）。")
    return office


def reading_findings(office, command: str) -> list[dict]:
    """The reading warnings ``command`` says, as the findings of its --json (``reading_findings``)."""
    from teichaku_cli.rules.findings import reading_finding

    return [reading_finding(p).as_dict() for p in office.warnings_for(command)]


def print_error(exc: TeichakuError) -> None:
    console(stderr=True).print(f"[red]エラー[/red] {visible(exc.describe())}")


F = TypeVar("F", bound=Callable)


class Stopped(KeyboardInterrupt):
    """A stop request (SIGTERM: a log-off, `kill`): ends like Ctrl-C, through every
    ``finally`` that removes temporary files and stops workers."""


def _stop(signum, frame) -> None:
    raise Stopped()


def _quiet_stdout() -> None:
    """The reader of stdout is gone: point it at the null device, so the flush at
    exit does not print "Exception ignored … BrokenPipeError"."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except Exception:  # not a real file (a test runner's buffer): nothing to quiet
        pass


def guarded(fn: F) -> F:
    """Run a command; typed errors become a message and exit code, anything
    unexpected becomes one line (no traceback, no locals) unless --debug."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        import signal
        import threading

        from teichaku_cli.base import safe_write

        safe_write.reset()
        # Fewer collections of the cyclic GC (as mypy does): a big office is millions of
        # objects that live until the command ends, and each full collection walks them
        # all (~4 % of check on a 1M-row office); garbage cycles are still collected.
        thresholds = gc.get_threshold()
        gc.set_threshold(200_000, 30, 30)
        previous = None
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTERM"):
            previous = signal.signal(signal.SIGTERM, _stop)
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(EXIT_PIPE_CLOSED) from None
        except DataProblems as exc:
            print_problems(exc.problems, stderr=True)  # stdout stays for results (--json is only JSON)
            console(stderr=True).print(
                "[red]入力データにエラーがあるため計算しません。[/red] 上の箇所を直してから、もう一度実行してください"
                "（teichaku validate で一覧を確かめられます）。",
            )
            raise typer.Exit(EXIT_CANNOT_RUN) from None
        except TeichakuError as exc:
            print_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            console(stderr=True).print("中断しました。書きかけのファイルは残していません。")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            if State.debug:
                raise
            console(stderr=True).print(
                f"[red]内部エラー[/red]（{type(exc).__name__}）が起きました。データは書き換えていません。"
                "--debug を付けて実行すると詳細が表示されます（個人情報が含まれることがあるため、共有時は注意してください）。"
            )
            raise typer.Exit(EXIT_CANNOT_RUN) from None
        finally:
            gc.set_threshold(*thresholds)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper  # type: ignore[return-value]


def today():
    """Today's date; ``TEICHAKU_TODAY=2026-11-22`` fixes it (reproducible runs and tests)."""
    from datetime import date

    fixed = os.environ.get("TEICHAKU_TODAY")
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            raise TeichakuError(f"環境変数 TEICHAKU_TODAY「{fixed}」は日付ではありません。", "2026-11-22 の形にするか、消してください") from None
    return date.today()
