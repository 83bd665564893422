"""`teichaku report` and `teichaku plan`: documents from templates into Excel."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from teichaku_cli.cli.common import EXIT_CANNOT_RUN, EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, ConfigOpt, DataArg, console, guarded, load_office, visible
from teichaku_cli.cli.common import today as common_today
from teichaku_cli.cli.options import ForceOpt, MonthOpt, parse_date_option, parse_month_option
from teichaku_cli.base.errors import UsageError

UserOpt = Annotated[Optional[List[str]], typer.Option("--user", metavar="利用者ID", help="利用者ID（--user 0001 --user 0002 のように複数指定可）。省略時は対象の全員。", show_default=False)]
PlanUserOpt = Annotated[
    Optional[List[str]],
    typer.Option("--user", metavar="利用者ID", help="誰の計画を作るか（--user 0001 --user 0002 のように複数指定可）。--user か --all のどちらかが必要です。", show_default=False),
]
OutDirOpt = Annotated[Optional[Path], typer.Option("--out", metavar="フォルダ", help="出力先フォルダ（なければ作ります）。", show_default=False)]
TemplateOpt = Annotated[Optional[Path], typer.Option("--template", metavar="ファイル.xlsx", help="事業所で整えたテンプレート（.xlsx）。", show_default=False)]

# --for: the words staff use, besides the English ones
COPY_WORDS = {"user": "user", "本人": "user", "本人用": "user", "employer": "employer", "事業主": "employer", "事業主用": "employer"}


def parse_copy(value: str) -> str:
    """user / employer from what was typed (本人・事業主 too, full-width or not)."""
    import unicodedata

    key = unicodedata.normalize("NFKC", value).strip().lower()
    if key not in COPY_WORDS:
        raise UsageError(f"--for {value} は使えません。", "--for 本人（本人用）か --for 事業主（事業主用）にしてください（user / employer でも同じ）")
    return COPY_WORDS[key]
LISTED = 50  # lines per kind of outcome in the summary; the rest are counted


def _template(explicit: Path | None, settings, key: str, bundled_name: str):
    from teichaku_cli.documents.xlsx_template import XlsxTemplate
    from teichaku_cli.documents.bundled import bundled

    return XlsxTemplate(explicit or settings.templates.get(key) or bundled(bundled_name))


def _out_dir(out: Path) -> Path:
    """--out of report/plan is a folder; refuse a file (or a name that looks like one) before any work."""
    from teichaku_cli.base.safe_write import OutputError, check_folder, name_too_long

    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} はファイルです。出力先にはフォルダを指定します。", "新しいフォルダ名か、既にあるフォルダを指定してください")
    if not out.exists() and out.suffix.lower() in (".xlsx", ".xls", ".xlsm", ".csv"):
        raise OutputError(f"--out {out}: 出力先にはフォルダを指定します（1人1ファイルで作ります）。", "例: --out reports")
    check_folder(out)
    too_long = name_too_long(out)
    if too_long is not None:
        raise too_long
    return out


def _run(template, jobs, force: bool, inputs) -> None:
    """Write the batch, list what happened to each file, and end with the code
    that says it: 0 all made, 1 some not made, 2 some failed, 130 interrupted."""
    from rich.progress import Progress

    from teichaku_cli.documents.build import FAILED, INTERRUPTED, SKIPPED, WRITTEN, write_jobs

    out = console()
    # a progress bar is for a terminal: into a file or a pipe it would leave a blank line
    with Progress(console=console(stderr=True), transient=True, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("作成中", total=len(jobs))
        batch = write_jobs(template, jobs, force, [*inputs, template.path], lambda n=1: progress.advance(task, n))
    written, skipped, failed = batch.of(WRITTEN), batch.of(SKIPPED), batch.of(FAILED)
    for o in written[:LISTED]:
        out.print(f"[green]作成[/green] {visible(o.job.path)}" + (f"（{visible(o.reason)}）" if o.reason else ""))
    if len(written) > LISTED:
        out.print(f"…作成はほか {len(written) - LISTED:,}件（{visible(written[0].job.path.parent)} にあります）")
    left = [o for o in skipped if o.reason == INTERRUPTED]
    skipped_listed = [o for o in skipped if o.reason != INTERRUPTED]
    for kind, mark, items in (("作成せず", "[yellow]作成せず[/yellow]", skipped_listed), ("失敗", "[red]失敗[/red]", failed)):
        for o in items[:LISTED]:
            out.print(f"{mark} {visible(o.job.user_id)} {visible(o.job.name)}: {visible(o.reason)}")
        if len(items) > LISTED:
            out.print(f"…{kind}はほか {len(items) - LISTED:,}件")
    if left:
        out.print(f"[yellow]作成せず[/yellow] {INTERRUPTED}: {len(left):,}件")
    out.print(f"作成 {len(written)}件、作成せず {len(skipped)}件、失敗 {len(failed)}件")
    if batch.interrupted:
        console(stderr=True).print("中断しました。作成済みのファイルは上のとおりです（書きかけのファイルは残していません）。")
        raise typer.Exit(EXIT_INTERRUPTED)
    if failed:
        raise typer.Exit(EXIT_CANNOT_RUN)
    raise typer.Exit(EXIT_PROBLEMS if any(not o.job.by_rule for o in skipped) else EXIT_OK)


@guarded
def report(
    data: DataArg = None,
    month: MonthOpt = None,
    user: UserOpt = None,
    for_: Annotated[
        str,
        typer.Option("--for", metavar="本人|事業主", help="本人（本人用、既定）か 事業主（事業主用: 開示し共有に同意した人だけ、共有可の記録だけ）。user / employer とも書けます。", show_default=False),
    ] = "本人",
    out: OutDirOpt = None,
    template: TemplateOpt = None,
    force: ForceOpt = False,
    config: ConfigOpt = None,
) -> None:
    """支援レポート（別紙様式1）を利用者ごとに Excel で作る。事業主用は本人が同意した内容だけを載せる。"""
    from teichaku_cli.documents.build import EMPLOYER_COPY, USER_COPY, report_jobs
    from teichaku_cli.documents.bundled import EMPLOYER_REPORT, REPORT

    for_ = {"user": USER_COPY, "employer": EMPLOYER_COPY}[parse_copy(for_)]
    today = common_today()
    target = parse_month_option(month, today)
    office = load_office(data, config, "report")
    folder = _out_dir(out or Path("reports") / target.strftime("%Y-%m"))
    # the batch itself refuses employer copies while a gate column cannot be read (model/sharing.py)
    jobs = report_jobs(office, target, for_, folder, user, today)
    if for_ == EMPLOYER_COPY:
        tpl = _template(template, office.settings, "支援レポート（事業主用）", EMPLOYER_REPORT)
    else:
        tpl = _template(template, office.settings, "支援レポート", REPORT)
    _run(tpl, jobs, force, office.inputs)


@guarded
def plan(
    data: DataArg = None,
    user: PlanUserOpt = None,
    all_users: Annotated[bool, typer.Option("--all", help="その日に利用中の全員の計画を作る。")] = False,
    date_: Annotated[Optional[str], typer.Option("--date", metavar="日付", help="この日に有効な計画を作る（省略時は今日）。", show_default=False)] = None,
    out: OutDirOpt = None,
    template: TemplateOpt = None,
    force: ForceOpt = False,
    config: ConfigOpt = None,
) -> None:
    """就労定着支援計画（別紙様式2）を、指定日に有効な計画から Excel で作る。"""
    from teichaku_cli.documents.build import plan_jobs
    from teichaku_cli.documents.bundled import PLAN

    if not user and not all_users:
        raise UsageError("誰の計画を作るか指定されていません。", "--user 利用者ID か --all を付けてください")
    day = parse_date_option("--date", date_) if date_ else common_today()
    office = load_office(data, config, "plan")
    tpl = _template(template, office.settings, "就労定着支援計画", PLAN)
    _run(tpl, plan_jobs(office, day, _out_dir(out or Path("plans")), None if all_users else user), force, office.inputs)
