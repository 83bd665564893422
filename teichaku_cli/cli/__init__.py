"""The command line. Each command lives in its own module; this one assembles
them. Heavy libraries (pandas, openpyxl) are imported inside the commands so
``teichaku --help`` starts instantly."""

from __future__ import annotations

from typing import Annotated

import typer

from teichaku_cli import __version__
from teichaku_cli.cli import check as check_cmd
from teichaku_cli.cli import documents as documents_cmd
from teichaku_cli.cli import due as due_cmd
from teichaku_cli.cli import init as init_cmd
from teichaku_cli.cli import rate as rate_cmd
from teichaku_cli.cli import validate as validate_cmd
from teichaku_cli.cli.common import State
from teichaku_cli.cli.help import Command, Group

app = typer.Typer(
    name="teichaku",
    cls=Group,  # --help in Japanese (cli/help.py)
    help="就労定着支援事業所のための請求前チェック・定着率・帳票作成ツール。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals hold personal data
    rich_markup_mode=None,  # plain help: rich's help renderer costs ~0.2 s at start
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"teichaku {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="内部エラーのときに詳細（トレースバック）を表示する。")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="版を表示する。")] = False,
) -> None:
    State.debug = debug


app.command("check", cls=Command)(check_cmd.check)
app.command("due", cls=Command)(due_cmd.due)
app.command("rate", cls=Command)(rate_cmd.rate)
app.command("report", cls=Command)(documents_cmd.report)
app.command("plan", cls=Command)(documents_cmd.plan)
app.command("validate", cls=Command)(validate_cmd.validate)
app.command("init", cls=Command)(init_cmd.init)


def main() -> None:
    app()
