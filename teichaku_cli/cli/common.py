"""What every command shares: the DATA argument and --config option, the
consoles, and the one handler that turns errors into a Japanese line and an
exit code (0 fine, 1 problems found, 2 could not run)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated, Callable, Optional, TypeVar

import typer

from teichaku_cli.errors import DataProblems, Problem, TeichakuError

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2


class State:
    debug = False


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


DataArg = Annotated[
    Optional[Path],
    typer.Argument(
        help="事業所データ: Excelブック（.xlsx/.xls）か、表ごとの CSV を入れたフォルダ。省略時は teichaku.toml の data。",
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


def print_json(payload: object) -> None:
    """JSON on stdout: indented for a person at a terminal, compact (and several
    times faster: json's C encoder) when it goes to a file or another program."""
    import json

    pretty = sys.stdout.isatty()
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2 if pretty else None))


def print_problems(problems: list[Problem], limit: int | None = None, stderr: bool = False) -> None:
    from rich.markup import escape

    out = console(stderr=stderr)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for p in (errors + warnings)[:limit]:
        mark = "[red]エラー[/red]" if p.severity == "error" else "[yellow]注意[/yellow]"
        out.print(f"{mark} {escape(p.describe())}")
    shown = len(problems) if limit is None else min(limit, len(problems))
    if shown < len(problems):
        out.print(f"…ほか{len(problems) - shown}件")
    out.print(f"エラー {len(errors)}件、注意 {len(warnings)}件")


F = TypeVar("F", bound=Callable)


def guarded(fn: F) -> F:
    """Run a command; typed errors become a message and exit code, anything
    unexpected becomes one line (no traceback, no locals) unless --debug."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except DataProblems as exc:
            print_problems(exc.problems, stderr=True)  # stdout stays for results (--json is only JSON)
            console(stderr=True).print(
                "[red]入力データにエラーがあるため計算しません。[/red] 上の箇所を直してから、もう一度実行してください"
                "（teichaku validate で一覧を確かめられます）。",
            )
            raise typer.Exit(EXIT_CANNOT_RUN) from None
        except TeichakuError as exc:
            from rich.markup import escape

            console(stderr=True).print(f"[red]エラー[/red] {escape(exc.describe())}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            console(stderr=True).print("中断しました。")
            raise typer.Exit(130) from None
        except Exception as exc:
            if State.debug:
                raise
            console(stderr=True).print(
                f"[red]内部エラー[/red]（{type(exc).__name__}）が起きました。データは書き換えていません。"
                "--debug を付けて実行すると詳細が表示されます（個人情報が含まれることがあるため、共有時は注意してください）。"
            )
            raise typer.Exit(EXIT_CANNOT_RUN) from None

    return wrapper  # type: ignore[return-value]


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def today():
    """Today's date; ``TEICHAKU_TODAY=2026-11-22`` fixes it (reproducible runs and tests)."""
    import os
    from datetime import date

    fixed = os.environ.get("TEICHAKU_TODAY")
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            raise TeichakuError(f"環境変数 TEICHAKU_TODAY「{fixed}」は日付ではありません。", "2026-11-22 の形にするか、消してください") from None
    return date.today()
