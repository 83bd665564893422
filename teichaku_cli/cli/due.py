"""`teichaku due`: upcoming dates per user, soonest first."""

from __future__ import annotations

from typing import Annotated

import typer

from teichaku_cli.cli.common import TABLE_LIMIT, ConfigOpt, DataArg, JsonOpt, console, guarded, omitted, print_json, visible
from teichaku_cli.cli.common import today as common_today
from teichaku_cli.cli.options import ForceOpt, OutOpt
from teichaku_cli.errors import UsageError


@guarded
def due(
    data: DataArg = None,
    within: Annotated[int, typer.Option("--within", help="今日から何か月先までを表示するか。")] = 3,
    as_json: JsonOpt = False,
    out: OutOpt = None,
    force: ForceOpt = False,
    config: ConfigOpt = None,
) -> None:
    """これからの期限（利用開始可能日・計画見直し・3年/3年6か月・引継ぎ・終了・受給者証の支給決定終了日）を近い順に出す。切れた受給者証は先頭に。"""
    from teichaku_cli.office.load import load_office
    from teichaku_cli.rules.deadlines import upcoming
    from teichaku_cli.safe_write import check_output

    if not 1 <= within <= 60:
        raise UsageError(f"--within {within} は範囲外です。", "1〜60（か月）で指定してください")
    today = common_today()
    office = load_office(data, config)
    if out is not None:
        check_output(out, office.inputs, force)
    items = upcoming(office, today, within)
    if as_json:
        print_json({"today": today.isoformat(), "within_months": within, "deadlines": [d.as_dict() for d in items]})
    else:
        _render(items, today, within)
    if out is not None:  # after the result is shown: a file Excel holds open does not cost the result
        from teichaku_cli.documents.due_book import write_due_workbook

        write_due_workbook(out, items, office.settings, today, within, overwrite=force)
        if not as_json:
            console().print(f"Excel に書き出しました: {visible(out)}")


def _render(items, today, within: int) -> None:
    from rich.table import Table

    from teichaku_cli.office.values import format_wareki_date

    table = Table(title=f"{today} から {within} か月の期限", header_style="bold")
    for col in ("日付", "あと", "利用者ID", "氏名", "期限"):
        table.add_column(col)
    for d in items[:TABLE_LIMIT]:  # soonest first
        left = (d.day - today).days
        table.add_row(f"{d.day}（{format_wareki_date(d.day)}）", f"{left}日" if left >= 0 else f"[red]{-left}日前に切れた[/red]", visible(d.user_id), visible(d.name), visible(d.label))
    out_console = console()
    out_console.print(table if items else f"{today} から {within} か月の間に期限はありません。")
    note = omitted(min(len(items), TABLE_LIMIT), len(items), "近い期限")
    if note:
        out_console.print(f"[yellow]{note}[/yellow]")
