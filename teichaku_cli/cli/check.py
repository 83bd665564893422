"""`teichaku check`: the monthly claim pre-check, per user, with units and the
amounts as they will be billed (総費用額, 利用者負担, 給付費: a 見込み)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from teichaku_cli.cli.common import EXIT_CANNOT_RUN, EXIT_OK, EXIT_PROBLEMS, TABLE_LIMIT, ConfigOpt, DataArg, JsonOpt, console, guarded, load_office, omitted, print_json, terminal_safe, visible
from teichaku_cli.cli.common import today as common_today
from teichaku_cli.cli.options import ForceOpt, MonthOpt, OutOpt, parse_month_option


ClaimOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--claim", metavar="請求.csv",
        help="国保連へ送る請求ファイル（請求ソフトや簡易入力が書き出した CSV）を記録と照らす。--month の省略時は請求ファイルの最も新しいサービス提供年月。"
        "受給者証シートと teichaku.toml の事業所番号が必要です。請求ファイルは読むだけで、書き換えません。",
        show_default=False,
    ),
]


@guarded
def check(
    data: DataArg = None,
    month: MonthOpt = None,
    claim: ClaimOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
    force: ForceOpt = False,
    config: ConfigOpt = None,
) -> None:
    """請求前チェック: 利用者ごとに対象月分（省略時は前月）を請求できるか、足りないもの、直し方、単位数と請求見込み（総費用額・利用者負担・給付費）を出す。"""
    from teichaku_cli.rules.monthly import as_dict, check_month
    from teichaku_cli.base.safe_write import check_destination, check_output

    today = common_today()
    target = parse_month_option(month, today) if month is not None or claim is None else None
    if out is not None:  # before the data is read: a refusal costs no wait and creates nothing
        check_destination(out, force)
    office = load_office(data, config, "check")
    if out is not None:
        check_output(out, office.inputs + ([claim] if claim is not None else []), force)
    claim_file = None
    if claim is not None:  # the month may come from the file
        claim_file = read_claim(claim, office, target)
        target = target or claim_month(claim_file, claim, today)
    result = check_month(office, target, today)
    payload = as_dict(result)
    reconciled = None
    if claim_file is not None:
        from teichaku_cli.rules.claim import attach, reconcile

        reconciled = reconcile(office, result, claim_file)
        attach(payload, reconciled)
    if as_json:
        print_json(payload)
    else:
        _render(payload, office)
        if reconciled is not None:
            _render_claim(payload)
    if out is not None:  # after the result is shown: a file Excel holds open does not cost the result
        from teichaku_cli.documents.check_book import write_check_workbook

        write_check_workbook(out, result, office, today, overwrite=force, reconciled=reconciled)
        if not as_json:
            console().print(f"Excel に書き出しました: {visible(out)}")
    summary = payload["summary"]
    code = EXIT_PROBLEMS if summary["blocked"] or summary["unconfirmed"] else EXIT_OK
    if reconciled is not None and payload["claim"]["summary"]["errors"]:  # the claim says what the records do not
        code = EXIT_PROBLEMS
    raise typer.Exit(code)


def claim_month(claim_file, path: Path, today):
    """The month a claim file is checked for when --month is not given: its latest
    サービス提供年月 (check's default, last month, when it holds no record at all), in the
    range --month takes."""
    from teichaku_cli.base.errors import UsageError

    if claim_file.month is None:
        return parse_month_option(None, today)
    try:
        return parse_month_option(claim_file.month.strftime("%Y-%m"), today)
    except UsageError as exc:
        raise UsageError(f"請求ファイル {path.name} の最も新しいサービス提供年月（{claim_file.month:%Y-%m}）は扱えません。", exc.fix) from None


def read_claim(path: Path, office, month):
    """The claim file, read whole; what --claim needs of the office first (its
    事業所番号 and 受給者証 table: exit 2 naming what is missing). A file that cannot
    be read is listed problem by problem (exit 2): it is the claim file's fault, not the
    office data's, so the generic handler's 「入力データにエラー」 line is not said."""
    from teichaku_cli.base.errors import TeichakuError
    from teichaku_cli.cli.common import print_problems
    from teichaku_cli.model.claim import ClaimFileProblems
    from teichaku_cli.office.claim_file import read_claim_file

    missing = []
    if not office.settings.office_number:
        missing.append(("teichaku.toml の「事業所番号」", '"事業所番号" = "1312345678" のように10桁で書く'))
    if not office.certificates.kept:
        missing.append(("受給者証シート（受給者証番号・市町村番号・支給決定期間・負担上限月額）", "受給者証シートに支給決定期間ごとに1行入力する"))
    if missing:
        raise TeichakuError(
            "請求ファイルを記録と照らすには、" + "と".join(m[0] for m in missing) + "が必要です（請求ファイルの受給者証番号と事業所番号を、これと照らします）。",
            "。".join(m[1] for m in missing),
        )
    try:
        return read_claim_file(path, office.settings.office_number, month)
    except ClaimFileProblems as exc:
        print_problems(exc.problems, stderr=True)
        console(stderr=True).print(
            f"[red]請求ファイル {visible(path.name)} を読めないため、照合しません。[/red] "
            "上の箇所を請求ソフト（または簡易入力）で直し、請求ファイルを書き出し直してから、もう一度実行してください（ファイルを直接書き換えないでください）。"
        )
        raise typer.Exit(EXIT_CANNOT_RUN) from None


COLORS = {"error": "red", "warning": "yellow", "note": "cyan"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}
STATE = {"claimable": ("可", "green"), "blocked": ("不可", "red"), "unconfirmed": ("要確認", "yellow")}
STATE_ORDER = {"blocked": 0, "unconfirmed": 1, "claimable": 2}  # who needs action first


def _yen(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _sum(value: int | None) -> str:
    return "見込めません" if value is None else f"{value:,} 円"


def ordered(findings: list[dict]) -> list[dict]:
    """A user's findings as staff read them: errors (what blocks the claim) first,
    then warnings, then notes; within each, as the check found them."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f["severity"]])


# Columns that may be left out of a narrow terminal, in the order they go: the
# 指摘 must show every title whole, and the amounts are in the lines under the
# table, the --out workbook and --json.
_DROPPABLE = (("利用者負担", "給付費"), ("総費用額",))


def _table(users: list[dict], width: int):
    """One row a user, laid out for a terminal ``width`` columns wide. IDs, names,
    marks and amounts never wrap (each column as wide as its longest cell); the
    指摘 column holds each finding's title whole, errors first, and wraps between
    titles. When the terminal is too narrow for that, the 利用者負担・給付費 columns
    (then 総費用額) are left out, and the caller says so. Cells are ``Text`` (no
    markup to parse): rich would measure every cell again (of 150 rows, half the
    time the table took)."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    from teichaku_cli.cli.common import Phrases

    rows = []
    for u in users:
        marks = Phrases([(terminal_safe(f["title"]), COLORS[f["severity"]]) for f in ordered(u["findings"])])
        mark, color = STATE[u["state"]]
        units = f"{u['units']['total']:,}" + ("" if u["units"]["base_known"] else "*")
        money = u["amounts"]
        rows.append({
            "利用者ID": Text(terminal_safe(u["user_id"])), "氏名": Text(terminal_safe(u["name"])), "請求": Text(mark, color), "指摘": marks,
            "単位": Text(units), "総費用額": Text(_yen(money["total_cost"])), "利用者負担": Text(_yen(money["user_burden"])), "給付費": Text(_yen(money["benefit"])),
        })
    justify = {"利用者ID": "left", "氏名": "left", "請求": "center", "単位": "right", "総費用額": "right", "利用者負担": "right", "給付費": "right"}
    fixed = {col: max([cell_len(r[col].plain) for r in rows] + [cell_len(col)]) for col in justify}
    needs = max([r["指摘"].widest() for r in rows] + [cell_len("指摘")])  # every title whole
    natural = max([r["指摘"].natural() for r in rows] + [cell_len("指摘")])
    columns = list(justify)
    dropped: list[str] = []

    def room() -> int:  # what is left for 指摘: a table has 3 columns of borders and padding per column, and 1
        return width - sum(fixed[c] for c in columns) - 3 * (len(columns) + 1) - 1

    for group in _DROPPABLE:
        if room() >= needs:
            break
        columns = [c for c in columns if c not in group]
        dropped += group
    table = Table(show_lines=False, header_style="bold")
    order = ["利用者ID", "氏名", "請求", "指摘", "単位", "総費用額", "利用者負担", "給付費"]
    shown = [c for c in order if c == "指摘" or c in columns]
    for col in shown:
        if col == "指摘":  # as wide as its one-line form, or what the others leave
            table.add_column(col, width=max(1, min(natural, room())))
        else:
            table.add_column(col, justify=justify[col], width=fixed[col], no_wrap=True)
    for r in rows:
        table.add_row(*(r[c] for c in shown))
    return table, dropped


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
        if f["code"] == "reading-warning":
            continue  # said on stderr before the result (load_office)
        color = COLORS[f["severity"]]
        out.print(f"[{color}]事業所 {visible(f['title'])}:[/{color}] {visible(f['message'])}")
    users = payload["users"]
    shown, what = users, "利用者"
    if len(users) > TABLE_LIMIT:  # a head office's export: the users that need action, blocked first
        needing = [u for u in users if u["findings"] or u["state"] != "claimable"]
        shown = sorted(needing, key=lambda u: STATE_ORDER[u["state"]])[:TABLE_LIMIT]
        what = "指摘のある利用者（請求不可が先）"
    table, dropped = _table(shown, out.width)
    out.print(table)
    if dropped:
        out.print(f"[yellow]端末の幅が足りないため、{'・'.join(dropped)}の列を省きました（合計は下に。全員の金額は --out 結果.xlsx か --json で）。[/yellow]")
    note = omitted(len(shown), len(users), what)
    if note:
        out.print(f"[yellow]{note}[/yellow]")
    for u in shown:  # Text, not markup: a few hundred lines cost rich's markup parser ~30 ms
        uid = terminal_safe(u["user_id"])
        for f in ordered(u["findings"]):
            out.print(Text.assemble((f"{uid} {f['title']}:", COLORS[f["severity"]]), " ", terminal_safe(f["message"])))
    s = payload["summary"]
    notes = f"・お知らせ {s['notes']}件" if s["notes"] else ""
    unsure = f"・要確認 {s['unconfirmed']}人" if s["unconfirmed"] else ""
    out.print(f"利用者 {s['users']}人: 請求可 {s['claimable']}人・不可 {s['blocked']}人{unsure}、エラー {s['errors']}件・注意 {s['warnings']}件{notes}。")
    out.print(
        f"請求見込み（請求可 {s['claimable']}人）: {s['units_claimable']:,} 単位、総費用額 {s['total_cost_claimable']:,} 円、"
        f"利用者負担 {_sum(s['user_burden_claimable'])}、給付費 {_sum(s['benefit_claimable'])}"
    )
    if s["blocked"]:
        out.print(f"請求できない分（合計に含めず）: {s['blocked']}人、{s['units_blocked']:,} 単位、総費用額 {s['total_cost_blocked']:,} 円")
    if s["unconfirmed"]:
        out.print(f"[yellow]要確認（合計に含めず）: {s['unconfirmed']}人。金額が分からないため、請求できるとは言えません。[/yellow]")
    for reason in payload["unconfirmed_reasons"] if any(u["state"] != "claimable" for u in users) else ():
        out.print(f"[yellow]要確認:[/yellow] {visible(reason['reason'])} → {visible(reason['fix'])}")
    out.print(payload["estimate_note"])
    if any(not u["units"]["base_known"] for u in payload["users"]):
        out.print("* 基本報酬の区分が分からないため、加算だけの単位数です。")


# --- the claim file against the records (--claim) ------------------------------------------------

# findings whose table cell names the item that differs beside the title
_SUBJECT_SHOWN = ("claim-certificate-differs", "claim-amounts-differ", "claim-record-sheet-differs")


def _claim_rows(payload: dict) -> list[tuple[dict, dict]]:
    """(the user-month, a finding) for every finding of the reconcile, errors first
    (then warnings, notes), each severity by user ID, then the claim file's line."""
    rows = []
    for user in payload["users"]:
        for f in user.get("claim", {}).get("findings", []):
            rows.append(({"user_id": user["user_id"], "name": user["name"], "recipient": _recipient_of(user, f)}, f))
    for month in payload["claim"]["unmatched"]:
        for f in month["findings"]:
            rows.append(({"user_id": month["user_id"], "name": month["name"], "recipient": month["recipient"], "line": month["line"]}, f))
    order = {"error": 0, "warning": 1, "note": 2}
    return sorted(rows, key=lambda r: (order[r[1]["severity"]], r[0]["user_id"] is None, r[0]["user_id"] or "", r[0].get("line") or 0))


def _recipient_of(user: dict, finding: dict) -> str:
    statements = user["claim"]["statements"]
    if statements:
        return "・".join(dict.fromkeys(s["recipient"] for s in statements))
    cert = user["amounts"]["certificate"]
    return cert["number"] if cert else ""


def _render_claim(payload: dict) -> None:
    """The reconcile after check's own result: what file and month, the 月遅れ, what the
    file as a whole says, a table of every difference (errors first) with the claim's
    value and the records', each finding's message, and the verdict on the claim alone."""
    from datetime import date

    from rich.table import Table
    from rich.text import Text

    from teichaku_cli.base.dates import format_wareki_month
    from teichaku_cli.cli.common import Wrapped

    class _Styled(Wrapped):
        """A wrapped cell in the finding's colour."""

        def __init__(self, text: str, style: str) -> None:
            super().__init__(text)
            self.style = style

        def __rich_console__(self, console, options):
            yield Text("\n".join(self.lines(max(1, options.max_width))), style=self.style, no_wrap=True, overflow="fold")

    out = console()
    claim = payload["claim"]
    counts = claim["counts"]
    month = format_wareki_month(date.fromisoformat(claim["month"] + "-01"))
    processing = format_wareki_month(date.fromisoformat(claim["processing_month"] + "-01"))
    others = [f"{s['name']} {s['statements']}件" for s in counts["services"] if s["service_type"] != "47"]
    out.print()
    out.print(
        f"[bold]請求データとの照合[/bold]  {visible(claim['file'])}（{month}分、処理対象年月 {processing}）: "
        f"就労定着支援の明細書 {counts['statements']}件・実績記録票 {counts['record_sheets']}件"
        + (f"、ほかのサービス {visible('・'.join(others))}（照合しません）" if others else "")
    )
    for late in claim["late"][:TABLE_LIMIT]:
        who = f"（{terminal_safe(late['user_id'])} {terminal_safe(late['name'])}）" if late["user_id"] else ""
        late_month = format_wareki_month(date.fromisoformat(late["month"] + "-01"))
        out.print(Text(f"月遅れ（照合しません）: {late_month}分 受給者証番号 {terminal_safe(late['recipient'])}{who} {late['units']:,}単位（{late['line']}行目）"))
    for f in claim["office_findings"]:
        out.print(Text.assemble((f"請求ファイル {f['title']}:", COLORS[f["severity"]]), " ", terminal_safe(f["message"])))
    for p in claim["file_findings"]:
        where = f"{p['line']}行目" if p["line"] else ""
        fix = f" → {p['fix']}" if p["fix"] else ""
        out.print(Text.assemble((f"請求ファイル {where}:", COLORS.get(p["severity"], "cyan")), " ", terminal_safe(p["message"] + fix)))
    rows = _claim_rows(payload)
    if rows:
        shown = rows[:TABLE_LIMIT]
        table = Table(show_lines=False, header_style="bold")
        for col, no_wrap in (("利用者ID", True), ("氏名", True), ("受給者証番号", True), ("相違", False), ("請求ファイル", False), ("記録", False)):
            table.add_column(col, no_wrap=no_wrap)
        for who, f in shown:
            what = f["title"] + (f"（{f['subject']}）" if f["code"] in _SUBJECT_SHOWN and f["subject"] else "")
            table.add_row(
                Text(terminal_safe(who["user_id"] or "—")), Text(terminal_safe(who["name"] or "—")), Text(terminal_safe(who["recipient"])),
                _Styled(what, COLORS[f["severity"]]), Wrapped(terminal_safe(f["claim_value"])), Wrapped(terminal_safe(f["records_value"])),
            )
        out.print(table)
        note = omitted(len(shown), len(rows), "相違")
        if note:
            out.print(f"[yellow]{note}[/yellow]")
        for who, f in shown:
            head = who["user_id"] or who["recipient"]
            out.print(Text.assemble((f"{terminal_safe(head)} {f['title']}:", COLORS[f["severity"]]), " ", terminal_safe(f["message"])))
    s = claim["summary"]
    notes = f"・お知らせ {s['notes']}件" if s["notes"] else ""
    if s["differences"]:
        out.print(
            f"[bold red]請求データと記録に {s['differences']}件の相違があります[/bold red]（エラー {s['errors']}件・注意 {s['warnings']}件{notes}）。"
            + ("エラーを直してから請求ファイルを送ってください。" if s["errors"] else "")
        )
    else:
        out.print(f"[bold green]請求データと記録は一致しています[/bold green]" + (f"（お知らせ {s['notes']}件）" if s["notes"] else "") + "。")
