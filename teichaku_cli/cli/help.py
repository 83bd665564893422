"""``--help`` in Japanese: the words click writes around our own (使い方, 引数,
オプション, コマンド, the --help option, defaults and required marks), for every
command and the group. Our help texts are Japanese already; without this the page
a person reads is half English."""

from __future__ import annotations

import re

import click
from typer.core import TyperCommand, TyperGroup

from teichaku_cli.cli.text import display_width, wrap

USAGE_PREFIX = "使い方: "
OPTIONS_METAVAR = "[オプション]"
HELP_OPTION_HELP = "この説明を表示して終わる。"
# the metavars click derives from a type, for options that do not name their own
_TYPE_WORDS = {"TEXT": "文字", "PATH": "パス", "INTEGER": "整数", "FILE": "ファイル", "DIRECTORY": "フォルダ"}
_TYPE_METAVAR = re.compile(r"(?<= )(TEXT|PATH|INTEGER|FILE|DIRECTORY)$")


def _marks(text: str) -> str:
    """click and typer add ``[default: 3]`` and ``[required]`` in English."""
    text = re.sub(r"\[default: (.*?)\]", r"（既定: \1）", text)
    return text.replace("[required]", "（必須）")


def write_dl(formatter: click.HelpFormatter, rows: list[tuple[str, str]]) -> None:
    """click's definition list, measured in terminal columns (click counts characters,
    so Japanese terms and descriptions run past their column)."""
    first = min(max(display_width(name) for name, _ in rows), 30)
    indent = " " * formatter.current_indent
    room = max(formatter.width - formatter.current_indent - first - 2, 20)
    under = f"{indent}{' ' * (first + 2)}"
    for name, text in rows:
        lines = wrap(text, room) or [""]
        if display_width(name) > first:  # a long term: its text starts on the next line
            formatter.write(f"{indent}{name}\n")
        else:
            formatter.write(f"{indent}{name}{' ' * (first - display_width(name) + 2)}{lines.pop(0)}\n")
        formatter.write("".join(f"{under}{line}\n" for line in lines))


def short_help(text: str) -> str:
    """A command's entry in the command list: its first sentence, whole (the list
    wraps it under the command; cut to one line, 「…」 hid what half the commands do)."""
    return " ".join(text.split("。", 1)[0].split()) + "。"


class JapaneseHelp:
    """Mixed into a click command or group (before the typer class)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = OPTIONS_METAVAR
        if isinstance(self, click.Group):
            self.subcommand_metavar = "コマンド [引数]..."

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = (self.help or "").strip()
        if not text:
            return
        formatter.write_paragraph()
        with formatter.indentation():
            room = max(formatter.width - formatter.current_indent, 20)
            for paragraph in text.split("\n\n"):
                for line in wrap(" ".join(paragraph.split()), room):
                    formatter.write(f"{' ' * formatter.current_indent}{line}\n")

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx: click.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_HELP
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            name, text = record
            if param.param_type_name == "argument":
                arguments.append((name, _marks(text)))
            else:
                options.append((_TYPE_METAVAR.sub(lambda m: _TYPE_WORDS[m[1]], name), _marks(text)))
        if arguments:
            with formatter.section("引数"):
                write_dl(formatter, arguments)
        if options:
            with formatter.section("オプション"):
                write_dl(formatter, options)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, command) for name, command in commands if command is not None and not command.hidden]
        if commands:
            with formatter.section("コマンド"):
                write_dl(formatter, [(name, short_help(command.help or "")) for name, command in commands])


class Command(JapaneseHelp, TyperCommand):
    pass


class Group(JapaneseHelp, TyperGroup):
    pass
