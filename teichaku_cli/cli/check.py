"""`teichaku check`: the monthly claim pre-check, per user, with units and the
amounts as they will be billed (総費用額, 利用者負担, 給付費: a 見込み)."""

from __future__ import annotations


import typer

from teichaku_cli.cli.common import EXIT_OK, EXIT_PROBLEMS, TABLE_LIMIT, ConfigOpt, DataArg, JsonOpt, console, guarded, load_office, omitted, print_json, terminal_safe, visible
from teichaku_cli.cli.common import today as common_today
from teichaku_cli.cli.options import ForceOpt, MonthOpt, OutOpt, parse_month_option


@guarded
def check(
    data: DataArg = None,
    month: MonthOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
    force: ForceOpt = False,
    config: ConfigOpt = None,
) -> None:
    """請求前チェック: 利用者ごとに対象月分（省略時は前月）を請求できるか、足りないもの、直し方、単位数と請求見込み（総費用額・利用者負担・給付費）を出す。"""
    from teichaku_cli.rules.monthly import as_dict, check_month
    from teichaku_cli.base.safe_write import check_output

    today = common_today()
    target = parse_month_option(month, today)
    office = load_office(data, config)
    if out is not None:
        check_output(out, office.inputs, force)
    result = check_month(office, target, today)
    payload = as_dict(result)
    if as_json:
        print_json(payload)
    else:
        _render(payload, office)
    if out is not None:  # after the result is shown: a file Excel holds open does not cost the result
        from teichaku_cli.documents.check_book import write_check_workbook

        write_check_workbook(out, result, office, today, overwrite=force)
        if not as_json:
            console().print(f"Excel に書き出しました: {visible(out)}")
    raise typer.Exit(EXIT_PROBLEMS if payload["summary"]["blocked"] else EXIT_OK)


COLORS = {"error": "red", "warning": "yellow", "note": "cyan"}


def _yen(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _sum(value: int | None) -> str:
    return "見込めません" if value is None else f"{value:,} 円"


def _table(users: list[dict]):
    """One row a user. Cells are ``Text`` (no markup to parse) and the columns of
    IDs, marks and amounts get their width from the longest cell: rich would
    measure every cell of them again (of 150 rows, half the time the table took)."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    rows = []
    for u in users:
        marks = Text("、").join(Text(f["title"], COLORS[f["severity"]]) for f in u["findings"]) or Text("—")
        status = Text("可", "green") if u["claimable"] else Text("不可", "red")
        units = f"{u['units']['total']:,}" + ("" if u["units"]["base_known"] else "*")
        money = u["amounts"]
        numbers = (units, _yen(money["total_cost"]), _yen(money["user_burden"]), _yen(money["benefit"]))
        rows.append((Text(terminal_safe(u["user_id"])), Text(terminal_safe(u["name"])), status, marks, *map(Text, numbers)))
    table = Table(show_lines=False, header_style="bold")
    for i, (col, justify) in enumerate(
        (("利用者ID", "left"), ("氏名", None), ("請求", "center"), ("指摘", None),
         ("単位", "right"), ("総費用額", "right"), ("利用者負担", "right"), ("給付費", "right"))
    ):
        if justify is None:  # names and findings: rich lays them out and wraps them
            table.add_column(col)
        else:
            width = max((cell_len(r[i].plain) for r in rows), default=0)
            table.add_column(col, justify=justify, width=max(width, cell_len(col)), no_wrap=True)
    for r in rows:
        table.add_row(*r)
    return table


def _render(payload: dict, office) -> None:
    from datetime import date

    from rich.text import Text

    from teichaku_cli.base.dates import format_wareki_month

    out = console()
    tier = payload["tier"]
    name = office.settings.office_name or office.source
    out.print(f"[bold]{visible(name)}[/bold]  {format_wareki_month(date.fromisoformat(payload['month'] + '-01'))}分の請求前チェック（{payload['rules_name']}）")
    if payload["month_note"]:
        out.print(f"[bold yellow]{visible(payload['month_note'])}[/bold yellow]")
    units = f"{tier['units']:,} 単位" if tier['units'] else '単価不明'
    estimate = "（見込み）" if tier["projection"] else ""
    out.print(f"基本報酬{estimate}: {visible(tier['label'] or '不明')}（{units}）— {visible(tier['how'])}")
    out.print(f"体制: {visible('、'.join(payload['office_regime']) or '届け出た加算・減算なし')}（地域区分単価 {payload['unit_price']} 円）")
    if not office.settings.unit_price_set:
        out.print(f"[yellow]地域区分単価が teichaku.toml にないため、1単位 {payload['unit_price']} 円で計算しています。[/yellow]")
    for f in payload["office_findings"]:
        color = COLORS[f["severity"]]
        out.print(f"[{color}]事業所 {visible(f['title'])}:[/{color}] {visible(f['message'])}")
    users = payload["users"]
    shown, what = users, "利用者"
    if len(users) > TABLE_LIMIT:  # a head office's export: the users that need action, blocked first
        shown = sorted((u for u in users if u["findings"]), key=lambda u: u["claimable"])[:TABLE_LIMIT]
        what = "指摘のある利用者（請求不可が先）"
    out.print(_table(shown))
    note = omitted(len(shown), len(users), what)
    if note:
        out.print(f"[yellow]{note}[/yellow]")
    for u in shown:  # Text, not markup: a few hundred lines cost rich's markup parser ~30 ms
        uid = terminal_safe(u["user_id"])
        for f in u["findings"]:
            out.print(Text.assemble((f"{uid} {f['title']}:", COLORS[f["severity"]]), " ", terminal_safe(f["message"])))
    s = payload["summary"]
    notes = f"・お知らせ {s['notes']}件" if s["notes"] else ""
    out.print(f"利用者 {s['users']}人: 請求可 {s['claimable']}人・不可 {s['blocked']}人、エラー {s['errors']}件・注意 {s['warnings']}件{notes}。")
    out.print(
        f"請求見込み（請求可 {s['claimable']}人）: {s['units_claimable']:,} 単位、総費用額 {s['total_cost_claimable']:,} 円、"
        f"利用者負担 {_sum(s['user_burden_claimable'])}、給付費 {_sum(s['benefit_claimable'])}"
    )
    if s["blocked"]:
        out.print(f"請求できない分（合計に含めず）: {s['blocked']}人、{s['units_blocked']:,} 単位、総費用額 {s['total_cost_blocked']:,} 円")
    out.print(payload["estimate_note"])
    if any(not u["units"]["base_known"] for u in payload["users"]):
        out.print("* 基本報酬の区分が分からないため、加算だけの単位数です。")
