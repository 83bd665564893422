"""`teichaku check`: the monthly claim pre-check, per user, with units and yen."""

from __future__ import annotations


import typer

from teichaku_cli.cli.common import EXIT_OK, EXIT_PROBLEMS, TABLE_LIMIT, ConfigOpt, DataArg, JsonOpt, console, guarded, omitted, print_json
from teichaku_cli.cli.common import today as common_today
from teichaku_cli.cli.options import MonthOpt, OutOpt, parse_month_option


@guarded
def check(data: DataArg = None, month: MonthOpt = None, as_json: JsonOpt = False, out: OutOpt = None, config: ConfigOpt = None) -> None:
    """請求前チェック: 利用者ごとに今月分を請求できるか、足りないもの、直し方、単位数と金額を出す（0: エラーなし、1: 請求できない利用者あり、2: 実行できない）。"""
    from teichaku_cli.office.load import load_office
    from teichaku_cli.rules.monthly import as_dict, check_month

    today = common_today()
    target = parse_month_option(month, today)
    office = load_office(data, config)
    result = check_month(office, target, today)
    payload = as_dict(result)
    if out is not None:
        from teichaku_cli.documents.check_book import write_check_workbook

        write_check_workbook(out, result, office, today)
    if as_json:
        print_json(payload)
    else:
        _render(payload, office)
        if out is not None:
            console().print(f"Excel に書き出しました: {out}")
    raise typer.Exit(EXIT_PROBLEMS if payload["summary"]["blocked"] else EXIT_OK)


def _render(payload: dict, office) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    tier = payload["tier"]
    name = office.settings.office_name or office.source
    out.print(f"[bold]{escape(name)}[/bold]  {payload['month']} 分の請求前チェック（{payload['rules_name']}）")
    units = f"{tier['units']:,} 単位" if tier['units'] else '単価不明'
    out.print(f"基本報酬: {tier['label'] or '不明'}（{units}）— {escape(tier['how'])}")
    if not office.settings.unit_price_set:
        out.print(f"[yellow]地域区分単価が teichaku.toml にないため、1単位 {payload['unit_price']} 円で計算しています。[/yellow]")
    table = Table(show_lines=False, header_style="bold")
    for col, kw in (("利用者ID", {}), ("氏名", {}), ("請求", {"justify": "center"}), ("指摘", {}), ("単位", {"justify": "right"}), ("金額(円)", {"justify": "right"})):
        table.add_column(col, **kw)
    users = payload["users"]
    shown, what = users, "利用者"
    if len(users) > TABLE_LIMIT:  # a head office's export: the users that need action, blocked first
        shown = sorted((u for u in users if u["findings"]), key=lambda u: u["claimable"])[:TABLE_LIMIT]
        what = "指摘のある利用者（請求不可が先）"
    for u in shown:
        marks = []
        for f in u["findings"]:
            color = "red" if f["severity"] == "error" else "yellow"
            marks.append(f"[{color}]{f['title']}[/{color}]")  # short Japanese; code and message below
        status = "[green]可[/green]" if u["claimable"] else "[red]不可[/red]"
        units = f"{u['units']['total']:,}" + ("" if u["units"]["base_known"] else "*")
        table.add_row(u["user_id"], escape(u["name"]), status, "、".join(marks) or "—", units, f"{u['yen']:,}")
    out.print(table)
    note = omitted(len(shown), len(users), what)
    if note:
        out.print(f"[yellow]{note}[/yellow]")
    for u in shown:
        for f in u["findings"]:
            color = "red" if f["severity"] == "error" else "yellow"
            out.print(f"[{color}]{u['user_id']} {f['code']}[/{color}] {escape(f['message'])}")
    s = payload["summary"]
    out.print(
        f"利用者 {s['users']}人: 請求可 {s['claimable']}人・不可 {s['blocked']}人、エラー {s['errors']}件・注意 {s['warnings']}件。"
        f"請求可の合計 {s['units_claimable']:,} 単位（{s['yen_claimable']:,} 円）、不可の分 {s['units_blocked']:,} 単位（{s['yen_blocked']:,} 円）"
    )
    if any(not u["units"]["base_known"] for u in payload["users"]):
        out.print("* 基本報酬の区分が分からないため、加算だけの単位数です。")
