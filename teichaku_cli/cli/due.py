"""`teichaku due`: what is late first, then the coming dates per user, soonest first."""

from __future__ import annotations

from typing import Annotated

import typer

from teichaku_cli.cli.common import TABLE_LIMIT, ConfigOpt, DataArg, JsonOpt, Wrapped, console, guarded, load_office, omitted, print_json, reading_findings, terminal_safe, visible
from teichaku_cli.cli.common import today as common_today
from teichaku_cli.cli.options import ForceOpt, OutOpt
from teichaku_cli.base.errors import UsageError


@guarded
def due(
    data: DataArg = None,
    within: Annotated[int, typer.Option("--within", metavar="月数", help="今日から何か月先までの期限を出すか（1〜60）。期限切れは、この範囲にかかわらず先頭に出します。")] = 3,
    as_json: JsonOpt = False,
    out: OutOpt = None,
    force: ForceOpt = False,
    config: ConfigOpt = None,
) -> None:
    """先月分（請求できない月になる対面支援・支援レポート・計画の不足。10日の請求期限か月遅れか）を先頭に、期限切れ（計画見直し・引継ぎ・3年/3年6か月・受給者証など、超過した日数つき）、今月まだの対面支援・支援レポート、これからの期限（利用開始可能日・計画見直し・3年/3年6か月・引継ぎ・終了・受給者証の支給決定終了日）を近い順に出す。"""
    from teichaku_cli.rules.deadlines import upcoming
    from teichaku_cli.base.safe_write import check_destination, check_output

    if not 1 <= within <= 60:
        raise UsageError(f"--within {within} は範囲外です。", "1〜60（か月）で指定してください")
    today = common_today()
    if out is not None:  # before the data is read: a refusal costs no wait and creates nothing
        check_destination(out, force)
    office = load_office(data, config, "due")
    if out is not None:
        check_output(out, office.inputs, force)
    found = upcoming(office, today, within)
    if as_json:
        print_json({**found.as_dict(), "reading_findings": reading_findings(office, "due")})
    else:
        _render(found)
    if out is not None:  # after the result is shown: a file Excel holds open does not cost the result
        from teichaku_cli.documents.due_book import write_due_workbook

        write_due_workbook(out, found, office.settings, overwrite=force)
        if not as_json:
            console().print(f"Excel に書き出しました: {visible(out)}")


def _render(found) -> None:
    from rich.table import Table

    from teichaku_cli.base.dates import format_wareki_date, format_wareki_month

    out = console()
    today = found.today
    shown = 0

    def table_of(items, title: str, style: str | None) -> Table:
        nonlocal shown
        table = Table(title=title, title_style=style, header_style="bold")
        for col in ("状態", "日付", "利用者ID", "氏名"):
            table.add_column(col, no_wrap=col != "氏名")
        table.add_column("期限", overflow="fold", min_width=30)  # the point of the row: wrapped, never cut
        for d in items[: max(TABLE_LIMIT - shown, 0)]:
            state = f"[red]{d.state()}[/red]" if d.overdue or d.last_month else (f"[yellow]{d.state()}[/yellow]" if d.this_month else d.state())
            table.add_row(state, format_wareki_date(d.day), visible(d.user_id), visible(d.name), Wrapped(terminal_safe(d.label)))
            shown += 1
        return table

    if found.last_month:  # the month claimed now, first: what a record may still save
        title = f"先月分（{format_wareki_month(found.previous_month)}）{len(found.last_month)}件 — {found.claim_situation}"
        out.print(table_of(found.last_month, title, "bold red"))
    if found.previous_month_note:
        out.print(f"[yellow]{visible(found.previous_month_note)}[/yellow]")
    if found.overdue:  # late next, whatever the window
        out.print(table_of(found.overdue, f"期限切れ {len(found.overdue)}件（{format_wareki_date(today)}現在）", "bold red"))
    window = f"{format_wareki_date(today)}から{found.within_months}か月"
    if found.coming:
        out.print(table_of(found.coming, f"{window}の期限", None))
    else:
        out.print(f"{window}の間に期限はありません。")
    note = omitted(shown, len(found.items), "先月分・期限切れと近い期限")
    if note:
        out.print(f"[yellow]{note}[/yellow]")
