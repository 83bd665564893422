"""`teichaku validate`: read everything and list every problem at once."""

from __future__ import annotations

import typer

from teichaku_cli.cli.common import EXIT_CANNOT_RUN, EXIT_OK, EXIT_PROBLEMS, ConfigOpt, DataArg, console, guarded, print_problems, visible


@guarded
def validate(data: DataArg = None, config: ConfigOpt = None) -> None:
    """事業所データを読み込み、問題をすべて一覧にする（場所・値・直し方）。"""
    from teichaku_cli.office.load import read_office

    office = read_office(data, config)
    out = console()
    if office.problems:
        print_problems(office.problems)
    if any(p.structural for p in office.problems):
        raise typer.Exit(EXIT_CANNOT_RUN)
    if any(p.severity == "error" for p in office.problems):
        raise typer.Exit(EXIT_PROBLEMS)
    counts = "、".join(f"{name} {len(frame)}行" for name, frame in office.tables.items() if len(frame)) or "データの行はまだありません"
    out.print(f"[green]問題ありません。[/green] {visible(office.source)}: {counts}")
    raise typer.Exit(EXIT_OK)
