"""The command line. Each command lives in its own module; this one assembles
them. Heavy libraries (pandas, openpyxl) are imported inside the commands so
``teichaku --help`` starts instantly.

Usage errors from the parser (an unknown option, a missing value, a word where a
number goes) are printed here, once, in Japanese, with exit code 2; ``--debug``
may come before or after the command."""

from __future__ import annotations

import re
import sys
from typing import Annotated

import click
import typer

from teichaku_cli import __version__
from teichaku_cli.cli import check as check_cmd
from teichaku_cli.cli import documents as documents_cmd
from teichaku_cli.cli import due as due_cmd
from teichaku_cli.cli import init as init_cmd
from teichaku_cli.cli import rate as rate_cmd
from teichaku_cli.cli import validate as validate_cmd
from teichaku_cli.cli.common import EXIT_CANNOT_RUN, EXIT_INTERRUPTED, State, console, exit_codes_help, fit_streams, visible
from teichaku_cli.cli.help import Command, Group


def _debug_first(args: list[str]) -> list[str]:
    """``teichaku check x --debug`` means ``teichaku --debug check x``."""
    end = args.index("--") if "--" in args else len(args)
    head, tail = args[:end], args[end:]
    if "--debug" not in head:
        return args
    return ["--debug", *(a for a in head if a != "--debug"), *tail]


def _usage_message(exc: click.UsageError, group: click.Group, args: list[str]) -> str:
    """click's English usage errors as one Japanese line."""
    message = exc.message
    if isinstance(exc, click.NoSuchOption):
        text = f"{exc.option_name} というオプションはありません。"
        if exc.possibilities:
            text += f"{'、'.join(sorted(exc.possibilities))} のことですか？"
    elif (m := re.match(r"No such command '(.*)'", message)) or hasattr(exc, "command_name"):
        from difflib import get_close_matches

        name = getattr(exc, "command_name", None) or (m[1] if m else "")
        text = f"{name} というコマンドはありません。"
        close = get_close_matches(name, list(group.commands))
        text += f"{'、'.join(close)} のことですか？" if close else f"使えるのは {'、'.join(group.commands)} です。"
    elif isinstance(exc, click.BadOptionUsage):
        if "requires" in message:
            text = f"{exc.option_name} の後に値がありません。"
        elif "does not take a value" in message:
            text = f"{exc.option_name} は値を取りません（{exc.option_name}=… とは書けません）。"
        else:
            text = f"{exc.option_name} の使い方が違います。"
    elif isinstance(exc, click.MissingParameter):
        param = exc.param
        name = (param.opts[0] if isinstance(param, click.Option) else param.human_readable_name) if param else "引数"
        text = f"{name} が指定されていません。"
    elif isinstance(exc, click.BadParameter):
        param = exc.param
        name = (param.opts[0] if isinstance(param, click.Option) else param.human_readable_name) if param else "値"
        value = re.search(r"'(.*)' is not a valid", message)
        if param is not None and isinstance(param.type, click.types.IntParamType):
            shown = f"「{value[1]}」" if value else ""
            text = f"{name} の値{shown}は整数ではありません。数字で指定してください。"
        else:
            text = f"{name} の値が使えません（{message}）。"
    elif m := re.match(r"Got unexpected extra arguments? \((.*)\)", message):
        text = f"余分な引数 {m[1]} があります（ファイル名に空白があれば \"…\" で囲んでください）。"
    elif message.startswith("Missing command"):
        text = "コマンドがありません。"
    else:
        text = f"コマンドの書き方に誤りがあります（{exc.format_message()}）。"
    # the parser does not always say which command it was parsing: the first command name in the line
    command = next((a for a in args if a in group.commands), None)
    where = f"teichaku {command}" if command else "teichaku"
    return f"{text} → 使い方は {where} --help で確かめられます"


class _Teichaku(Group):  # --help in Japanese (cli/help.py); usage errors too (here)
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        args = _debug_first(list(sys.argv[1:] if args is None else args))
        fit_streams()
        try:
            code = super().main(args=args, prog_name=prog_name or "teichaku", complete_var=complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help())
            code = 0
        except click.UsageError as exc:
            console(stderr=True).print(f"[red]エラー[/red] {visible(_usage_message(exc, self, args))}")
            code = EXIT_CANNOT_RUN
        except click.ClickException as exc:
            console(stderr=True).print(f"[red]エラー[/red] {visible(exc.format_message())}")
            code = exc.exit_code
        except click.exceptions.Abort:
            console(stderr=True).print("中断しました。")
            code = EXIT_INTERRUPTED
        code = code if isinstance(code, int) else 0
        if not standalone_mode:
            return code
        sys.exit(code)


app = typer.Typer(
    name="teichaku",
    cls=_Teichaku,
    help="就労定着支援事業所のための請求前チェック・定着率・帳票作成ツール。",
    no_args_is_help=True,
    add_completion=False,
    suggest_commands=False,  # our own, in Japanese (typer's would print a second English one)
    pretty_exceptions_show_locals=False,  # locals hold personal data
    rich_markup_mode=None,  # plain help: rich's help renderer costs ~0.2 s at start
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"teichaku {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="内部エラーのときに詳細（トレースバック）を表示する（コマンドの前でも後でも）。")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="版を表示する。")] = False,
) -> None:
    State.debug = debug


for _name, _function in (
    ("check", check_cmd.check),
    ("due", due_cmd.due),
    ("rate", rate_cmd.rate),
    ("report", documents_cmd.report),
    ("plan", documents_cmd.plan),
    ("validate", validate_cmd.validate),
    ("init", init_cmd.init),
):
    app.command(_name, cls=Command, epilog=exit_codes_help(_name))(_function)


def main() -> None:
    app()
