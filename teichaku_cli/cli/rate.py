"""`teichaku rate`: the yearly 就労定着率, its tier, who counted and why, what moves it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from teichaku_cli.cli.common import TABLE_LIMIT, ConfigOpt, DataArg, JsonOpt, Wrapped, console, guarded, load_office, omitted, print_json, reading_findings, terminal_safe, visible
from teichaku_cli.cli.common import today as common_today
from teichaku_cli.cli.options import ForceOpt, OutOpt, parse_fiscal_year
from teichaku_cli.base.errors import UsageError


@guarded
def rate(
    data: DataArg = None,
    year: Annotated[Optional[str], typer.Option("--year", metavar="年度", help="締める年度（2025、R7、令和7年度）。省略時は今日を含む年度。", show_default=False)] = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
    fee_table: Annotated[Optional[Path], typer.Option("--fee-table", metavar="報酬表.toml", help="手元の資料にない報酬表（R3 の21人以上など）を TOML で指定。", show_default=False)] = None,
    designation_date: Annotated[Optional[str], typer.Option("--designation-date", metavar="指定日", help="新規指定の事業所: 指定日から、移行実績シートで就労定着率を計算する。", show_default=False)] = None,
    force: ForceOpt = False,
    config: ConfigOpt = None,
) -> None:
    """年度末の就労定着率と基本報酬の区分、誰がなぜ数えられたか、区分を動かすには何人か。"""
    from teichaku_cli.base.dates import fiscal_year
    from teichaku_cli.base.safe_write import check_destination, check_output

    today = common_today()
    if designation_date is not None and (year is not None or fee_table is not None):
        raise UsageError(
            "--designation-date は --year・--fee-table と同時には使えません。",
            "新規指定の率は指定日と移行実績シートから決まります。どちらか一方を指定してください",
        )
    y = parse_fiscal_year(year, today) if year is not None else fiscal_year(today)
    if out is not None:  # before the data is read: a refusal costs no wait and creates nothing
        check_destination(out, force)
    office = load_office(data, config, "rate")
    if out is not None:
        check_output(out, [*office.inputs, *([fee_table] if fee_table else [])], force)
    if designation_date is not None:
        _designation(office, designation_date, as_json, out, force, today)
        return
    from teichaku_cli.rules.retention import compute_rate, rate_as_dict, retention_record, users_served_on, what_moves

    result = compute_rate(office, y, today, fee_table)
    record = retention_record(office, y)
    move = what_moves(result, users_served_on(office, min(result.reference_date, today)))
    payload = rate_as_dict(result, record, move)
    if move is not None:  # the yearly difference in yen too: 総費用額 under the office's declared 体制
        from teichaku_cli.rules.amounts import fiscal_year_months, tier_change_yen

        months = fiscal_year_months(result.applies_to_fiscal_year)
        for side, other in (("up", move.up_tier), ("down", move.down_tier)):
            moved = payload["what_moves"].get(side)
            if moved is not None:
                moved["yen_per_year"] = None if moved["units_per_year"] is None else tier_change_yen(office.settings, result.tier, other, months, move.users_now)
    if as_json:
        print_json({**payload, "reading_findings": reading_findings(office, "rate")})
    else:
        _render(payload, office.settings.unit_price)
    if out is not None:  # after the result is shown: a file Excel holds open does not cost the result
        from teichaku_cli.documents.rate_book import write_rate_workbook

        from teichaku_cli.documents.sheets import office_words

        write_rate_workbook(out, payload, _history(office, y, today, fee_table), office.settings, today, overwrite=force, keep=office_words(office))
        if not as_json:
            console().print(f"Excel に書き出しました: {visible(out)}")


def _history(office, last_year: int, today, fee_table) -> list[dict]:
    """The rate for each fiscal year the data covers (for the chart)."""
    from teichaku_cli.base.dates import fiscal_year
    from teichaku_cli.rules.retention import compute_rate, percent
    from teichaku_cli.model.rulebook import RulesUnavailable

    first = fiscal_year(office.users["利用開始日"].min().date()) if len(office.users) else last_year
    rows = []
    for y in range(first, last_year + 1):
        try:
            r = compute_rate(office, y, today, fee_table)
        except RulesUnavailable:
            continue
        rows.append(
            {
                "fiscal_year": y,
                "numerator": r.numerator,
                "denominator": r.denominator,  # 1/1 and 20/20 are both 100 %: the chart shows n
                "rate_percent": percent(r.rate),
                "projection": r.projection,
                "thresholds": [float(t.min_rate * 100) for t in r.rules.tiers[r.band] if t.min_rate > 0],
            }
        )
    return rows


def _render(p: dict, unit_price: float) -> None:
    from rich.table import Table

    from teichaku_cli.rules.retention import marks, revisions_in_words

    out = console()
    kind = "見込み" if p["projection"] else "確定"
    day = _wareki
    out.print(f"[bold]{p['fiscal_year']}年度を締める就労定着率（{kind}）[/bold] — {p['applies_to_fiscal_year']}年度の請求に使う（{revisions_in_words(p['claim_revisions'])}）")
    out.print(f"期間 {day(p['window_start'])}〜{day(p['window_end'])}、基準日（前年度末）{day(p['reference_date'])}")
    wording = "期間内に利用を開始した人" if p["rules_wording"] == "started" else "期間内に支援を受けた人"
    out.print(f"分母: {wording}（{p['rules_name']}）")
    if p["rate"] is not None:
        tier = p["tier"]
        units = f"{tier['units']:,} 単位/月" if tier["units"] else "単価不明"
        out.print(f"[bold]就労定着率 {p['numerator']}/{p['denominator']} = {p['rate_percent']}%[/bold] → {tier['label']}（{units}、{p['band']}）")
    for note in p["notes"]:
        out.print(f"[yellow]{visible(note)}[/yellow]")
    table = Table(header_style="bold")
    for col in ("利用者ID", "氏名", "利用開始日", "就職日", "離職日/再就職日", "分母", "定着"):
        table.add_column(col, no_wrap=True)
    table.add_column("理由", overflow="fold", min_width=30)  # the reason is the point: wrapped, never cut
    people, what = p["people"], "利用者"
    if len(people) > TABLE_LIMIT:  # a head office's export: the people who move the rate
        people = [q for q in people if q["in_denominator"] and not q["retained"]][:TABLE_LIMIT]
        what = "分母に入り定着していない人"
    for person in people:
        # a job change over two lines (its 離職日／, then the 再就職日): a 和暦 date is never cut, and the column stays narrow
        moved = "\n".join(day(m["left"]) + (f"／\n{day(m['rehired'])}" if m["rehired"] else "") for m in person["moves"]) or "—"
        table.add_row(
            visible(person["user_id"]), visible(person["name"]), day(person["started"]), day(person["hired"]), moved,
            *marks(person),
            Wrapped(terminal_safe(person["reason"])),
        )
    out.print(table)
    note = omitted(len(people), len(p["people"]), what)
    if note:
        out.print(f"[yellow]{note}[/yellow]")
    move = p["what_moves"]
    if move:
        if move["up"]:
            up = move["up"]
            gain = f"、年 {up['units_per_year']:,} 単位（{_yen_of(up)}、利用者 {move['users_now']}人として）" if up["units_per_year"] is not None else ""
            out.print(f"上の区分（{up['tier']}）まで: あと {up['more_retained']}人の定着{gain}")
        if move["down"]:
            down = move["down"]
            loss = f"、年 {down['units_per_year']:,} 単位（{_yen_of(down)}、利用者 {move['users_now']}人として）" if down["units_per_year"] is not None else ""
            out.print(f"下の区分（{down['tier']}）へ: {down['losses']}人の離職で下がる{loss}")
    j = p["jisseki_taisei"]
    verdict = "満たす" if j["qualifies"] else "満たさない"
    share = f"{j['numerator']}/{j['denominator']}" if j["denominator"] else "対象者なし"
    out.print(f"就労定着実績体制加算（{p['applies_to_fiscal_year']}年度）: {share}、基準 {j['threshold']} 以上 → {verdict}")
    if j["people"]:
        record = Table(title=f"実績体制加算の対象者（{day(j['window_start'])}〜{day(j['reference_date'])}に利用を終えた人）", header_style="bold")
        for col in ("利用者ID", "就職日", "利用終了日", "数える"):
            record.add_column(col, no_wrap=True)
        record.add_column("理由", overflow="fold", min_width=30)
        for q in j["people"][:TABLE_LIMIT]:
            record.add_row(visible(q["user_id"]), day(q["hired"]), day(q["finished"]), "○" if q["counted"] else "×", Wrapped(terminal_safe(q["reason"])))
        out.print(record)
        note = omitted(min(len(j["people"]), TABLE_LIMIT), len(j["people"]), "対象者")
        if note:
            out.print(f"[yellow]{note}[/yellow]")


def _wareki(iso: str | None) -> str:
    """A date of the JSON (ISO, for programs) as staff read it: 令和7年6月30日."""
    from datetime import date

    from teichaku_cli.base.dates import format_wareki_date

    return format_wareki_date(date.fromisoformat(iso)) if iso else ""


def _yen_of(side: dict) -> str:
    """The yearly yen of a tier move; unknown when teichaku.toml gives no 地域区分単価 for some month of that year."""
    if side["yen_per_year"] is None:
        return "金額は、その年度の地域区分単価が teichaku.toml にない月があるため出せません"
    return f"約 {side['yen_per_year']:,} 円"


def _designation(office, value: str, as_json: bool, out_path, force: bool, today) -> None:
    from teichaku_cli.cli.options import parse_date_option
    from teichaku_cli.rules.retention import designation_rate, percent

    designated = parse_date_option("--designation-date", value)
    r = designation_rate(office, designated)
    tier = r.tier
    payload = {
        "designation_date": designated.isoformat(),
        "window_start": r.window_start.isoformat(),
        "reference_date": r.reference_date.isoformat(),
        "rules_version": r.rules.id,
        "rules_name": r.rules.name,
        "denominator": r.denominator,
        "numerator": r.numerator,
        "rate": str(r.rate) if r.rate is not None else None,
        "rate_percent": percent(r.rate),
        "tier": {"label": tier.label, "units": tier.units, "source": tier.source} if tier else None,
        "people": [
            {"name": n, "hired": h.isoformat(), "left": l.isoformat() if l else None, "in_denominator": c, "retained": k, "reason": why}
            for n, h, l, c, k, why in r.people
        ],
    }
    if as_json:
        print_json({**payload, "reading_findings": reading_findings(office, "rate")})
    else:
        _render_designation(r, payload, designated)
    if out_path is not None:
        from teichaku_cli.documents.rate_book import write_designation_workbook

        write_designation_workbook(out_path, payload, office.settings, today, overwrite=force)
        if not as_json:
            console().print(f"Excel に書き出しました: {visible(out_path)}")


def _render_designation(r, payload: dict, designated) -> None:
    from rich.table import Table

    from teichaku_cli.base.dates import format_wareki_date
    from teichaku_cli.rules.retention import marks

    tier = r.tier
    out = console()
    out.print(f"[bold]新規指定（{format_wareki_date(designated)}）の就労定着率[/bold]: 移行実績 {format_wareki_date(r.window_start)}〜{format_wareki_date(r.reference_date)}")
    if r.rate is None:
        out.print("[yellow]期間内に一般就労した人が移行実績シートにいないため、計算できません。[/yellow]")
    else:
        out.print(f"{r.numerator}/{r.denominator} = {payload['rate_percent']}% → {tier.label}（{tier.units or '単価不明'} 単位/月）")
    table = Table(header_style="bold")
    for col in ("氏名", "就職日", "離職日", "分母", "定着"):
        table.add_column(col, no_wrap=True)
    table.add_column("理由")
    for person in payload["people"][:TABLE_LIMIT]:
        table.add_row(
            visible(person["name"]), _wareki(person["hired"]), _wareki(person["left"]) or "—",
            *marks(person),
            Wrapped(terminal_safe(person["reason"])),
        )
    if payload["people"]:
        out.print(table)
        note = omitted(min(len(payload["people"]), TABLE_LIMIT), len(payload["people"]), "移行実績の人")
        if note:
            out.print(f"[yellow]{note}[/yellow]")
