"""What goes into each document: the 支援レポート for the user or the employer, and
the 就労定着支援計画 in force on a day.

The employer copy is filtered here, before any template sees it: its context is
built only from the whitelisted user fields and the support entries marked
事業主共有=可, and it is not built at all for クローズ or without consent. A
template cannot show what is not in its context.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from teichaku_cli.errors import UsageError
from teichaku_cli.office import schema
from teichaku_cli.office.load import ROW
from teichaku_cli.rules.calendar import month_end
from teichaku_cli.office.rows import records
from teichaku_cli.rules.ruleset import rules_for

if TYPE_CHECKING:
    import pandas as pd

    from teichaku_cli.office.load import Office

USER_COPY, EMPLOYER_COPY = "user", "employer"
COPY_LABEL = {USER_COPY: "本人用", EMPLOYER_COPY: "事業主用"}
# what an employer copy may show of the user and of each entry
EMPLOYER_USER_FIELDS = ("利用者ID", "氏名", "事業主", "担当者")
EMPLOYER_ENTRY_FIELDS = ("日付", "方法", "相手", "内容", "結果")
REPORT_TEXT_FIELDS = ("主な支援目標", "今後の支援内容", "本人の取組", "事業主の取組", "共有事項", "作成者")
GOAL_FIELDS = ("短期目標", "支援方針", "支援内容", "支援期間", "支援頻度", "役割分担")


@dataclass
class Job:
    """One document to write, or the reason it is not written."""

    user_id: str
    name: str
    path: Path | None
    context: dict[str, Any] | None
    skipped: str = ""
    note: str = ""
    by_rule: bool = False  # not made because the rules say so (an employer copy for クローズ): not a problem


def _plain(value: object) -> object:
    """A cell from the office tables → what a template sees (dates as date, blanks as None)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp, or NaT
        return None if value != value else value.date()
    if isinstance(value, datetime):
        return value.date()
    return value


def _record(row: dict, fields: tuple[str, ...] | None = None) -> dict[str, object]:
    keys = fields if fields is not None else [k for k in row if k != ROW]
    return {k: _plain(row.get(k)) for k in keys}


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def file_name(*parts: str) -> str:
    return "_".join(_UNSAFE.sub("", p) for p in parts if p) + ".xlsx"


def _select_users(office: "Office", active: "pd.DataFrame", ids: list[str] | None) -> "pd.DataFrame":
    if not ids:
        return active
    known = set(office.users["利用者ID"])
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UsageError(f"--user {' '.join(unknown)} は利用者シートにありません。", "利用者ID を確かめてください（先頭の 0 も含めて）")
    return office.users[office.users["利用者ID"].isin(ids)]


def report_jobs(office: "Office", month: date, audience: str, out_dir: Path, ids: list[str] | None, today: date) -> list[Job]:
    import pandas as pd

    first, last = pd.Timestamp(month), pd.Timestamp(month_end(month))
    users = office.users
    active = users[(users["利用開始日"] <= last) & (users["利用終了日"].isna() | (users["利用終了日"] >= first))]
    chosen = _select_users(office, active, ids)
    contacts = office.contacts
    in_month = contacts[(contacts["日付"] >= first) & (contacts["日付"] <= last)].sort_values(["日付", ROW])
    entries_by_user: dict[str, list[dict]] = {}  # plain rows, grouped once (no DataFrame per user)
    for entry in records(in_month):
        entries_by_user.setdefault(entry["利用者ID"], []).append(entry)
    reports = office.table(schema.REPORTS.name)
    report_by_user = {r["利用者ID"]: r for r in records(reports[reports["対象月"] == first])}
    office_ctx = {"name": office.settings.office_name, "number": office.settings.office_number}
    jobs = []
    for user in records(chosen):
        uid, name = user["利用者ID"], user["氏名"]
        if audience == EMPLOYER_COPY:
            if user["障害開示"] != "オープン":
                jobs.append(Job(uid, name, None, None, skipped="障害を開示していない（クローズ）ため、事業主用は作りません", by_rule=True))
                continue
            if not user["事業主共有同意"]:
                jobs.append(Job(uid, name, None, None, skipped="本人が事業主との共有に同意していないため、事業主用は作りません", by_rule=True))
                continue
        entries = entries_by_user.get(uid, [])
        report_row = report_by_user.get(uid)
        note = "" if report_row is not None else "支援レポートシートにこの月の行がないため、記載欄は空です"
        report = _record(report_row or {}, REPORT_TEXT_FIELDS)
        if audience == EMPLOYER_COPY:
            shared = [e for e in entries if e["事業主共有"] is True]  # only what the user agreed to share
            user_ctx = _record(user, EMPLOYER_USER_FIELDS)
            entry_ctx = [_record(e, EMPLOYER_ENTRY_FIELDS) for e in shared]
        else:
            user_ctx = _record(user)
            entry_ctx = [_record(e) for e in entries]
        provided = _plain(report_row.get("本人提供日")) if report_row is not None else None
        context = {
            "office": office_ctx,
            "month": month,
            "user": user_ctx,
            "report": report,
            "entries": entry_ctx,
            "author": report.get("作成者") or user_ctx.get("担当者") or "",
            "created": provided or today,
            "copy": COPY_LABEL[audience],
        }
        path = out_dir / file_name(month.strftime("%Y-%m"), uid, name, COPY_LABEL[audience])
        jobs.append(Job(uid, name, path, context, note=note))
    return jobs


def _goals(plan: dict[str, object]) -> list[dict[str, str]]:
    """Each line of 短期目標 is a goal; the other goal columns pair with it line by line."""
    columns = {f: [ln for ln in str(plan.get(f) or "").splitlines() if ln.strip()] for f in GOAL_FIELDS}
    count = max(1, len(columns["短期目標"]))
    goals = []
    for i in range(count):
        goal = {}
        for f, lines in columns.items():
            # a column with one line applies to every goal; otherwise line i
            goal[f] = lines[0] if len(lines) == 1 else (lines[i] if i < len(lines) else "")
        goals.append(goal)
    return goals


def plan_jobs(office: "Office", day: date, out_dir: Path, ids: list[str] | None) -> list[Job]:
    import pandas as pd

    ts = pd.Timestamp(day)
    users = office.users
    active = users[(users["利用開始日"] <= ts) & (users["利用終了日"].isna() | (users["利用終了日"] >= ts))]
    chosen = _select_users(office, active, ids)
    plans = office.table(schema.PLANS.name)
    in_force = plans[plans["作成日"] <= ts].sort_values(["作成日", ROW]).groupby("利用者ID").tail(1)
    plan_by_user = {p["利用者ID"]: p for p in in_force.to_dict("records")}
    review = rules_for(day).period("plan_review")
    office_ctx = {"name": office.settings.office_name, "number": office.settings.office_number}
    jobs = []
    for user in chosen.to_dict("records"):
        uid, name = user["利用者ID"], user["氏名"]
        row = plan_by_user.get(uid)
        if row is None:
            jobs.append(Job(uid, name, None, None, skipped=f"{day} 時点で作成済みの支援計画がありません"))
            continue
        plan = _record(row)
        made = plan["作成日"]
        context = {
            "office": office_ctx,
            "user": _record(user),
            "plan": plan,
            "goals": _goals(plan),
            "period_start": made,
            "period_end": review.of(made).last,  # the review deadline, counted as the rule file says
        }
        jobs.append(Job(uid, name, out_dir / file_name("就労定着支援計画", uid, name, made.isoformat()), context))
    return jobs


WRITTEN, SKIPPED, FAILED = "written", "skipped", "failed"
INTERRUPTED = "中断したため作成していません"


@dataclass
class Outcome:
    job: Job
    status: str  # WRITTEN | SKIPPED (not made, with the reason) | FAILED (could not be written)
    reason: str = ""

    @property
    def written(self) -> bool:
        return self.status == WRITTEN


@dataclass
class Batch:
    """What a batch did, file by file; ``interrupted`` when Ctrl-C (or a stop
    request) ended it: the outcomes then say what was written before."""

    outcomes: list[Outcome]
    interrupted: bool = False

    def of(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]


PARALLEL_FROM = 40  # jobs; below this, starting worker processes costs more than it saves
CHUNK = 20
START_METHOD: str | None = None  # multiprocessing's default ("spawn" on Windows and macOS); tests set "spawn"
PARENT_CHECK = 0.5  # seconds between a worker's looks at whether the main process still runs


def write_jobs(template, jobs: list[Job], force: bool, inputs: Iterable[Path] = (), advance=lambda n=1: None) -> Batch:
    """Render every job; an existing file is kept unless ``force``, and a file the
    run read is never written over. Each file is written to a temporary name and
    renamed, so an interrupted run leaves no half file.

    The first file is rendered here before anything else: an error in it (a
    template error, a folder that cannot be written) stops the batch before any
    file exists. After that a file that fails is listed with its reason and the
    others go on. Big batches render in one worker process per core, each loading
    the template once; the workers end when this process ends, however it ends.
    """
    import time

    from teichaku_cli.safe_write import exists_message, input_refusal, name_too_long

    started = time.time_ns()
    outcomes: dict[int, Outcome] = {}
    todo: list[int] = []
    identities = _identities(inputs)
    for i, job in enumerate(jobs):
        if job.path is None:
            outcomes[i] = Outcome(job, SKIPPED, job.skipped)
        elif (too_long := name_too_long(job.path)) is not None:
            outcomes[i] = Outcome(job, FAILED, too_long.describe())
        elif job.path.exists() and _identity(job.path) in identities:
            outcomes[i] = Outcome(job, SKIPPED, "、".join(input_refusal(job.path)))
        elif job.path.exists() and not force:
            message, fix = exists_message(job.path)
            outcomes[i] = Outcome(job, SKIPPED, f"{message}（{fix}）")
        else:
            todo.append(i)
            continue
        advance()
    if not todo:
        return _batch(jobs, outcomes)
    first, rest = todo[0], todo[1:]
    template.render(jobs[first].context, jobs[first].path, overwrite=force)  # any error here: nothing written yet
    outcomes[first] = Outcome(jobs[first], WRITTEN, jobs[first].note)
    advance()
    workers = min(os.cpu_count() or 1, 4)
    try:
        if len(todo) < PARALLEL_FROM or workers < 2:
            for i in rest:
                status, reason = _render_one(template, jobs[i].context, jobs[i].path, force)
                outcomes[i] = Outcome(jobs[i], status, reason or jobs[i].note)
                advance()
        else:
            _render_in_workers(template, jobs, rest, force, workers, outcomes, advance, started)
    except KeyboardInterrupt:
        _settle(jobs, todo, outcomes, started)
        return _batch(jobs, outcomes, interrupted=True)
    finally:
        _clean_after(jobs)
    return _batch(jobs, outcomes)


def _settle(jobs: list[Job], todo: list[int], outcomes: dict[int, Outcome], started: int) -> None:
    """After an interruption: the files workers wrote whose report never came back
    (a chunk reports when it ends) are on disk, whole; say so. A file is whole
    because it exists under its name, and this run's because it is newer than the start."""
    for i in todo:
        if i in outcomes:
            continue
        outcomes[i] = Outcome(jobs[i], WRITTEN, jobs[i].note) if _newer(jobs[i].path, started) else Outcome(jobs[i], SKIPPED, INTERRUPTED)


def _batch(jobs: list[Job], outcomes: dict[int, Outcome], interrupted: bool = False) -> Batch:
    return Batch([outcomes[i] for i in range(len(jobs)) if i in outcomes], interrupted)


def _identities(paths) -> set[tuple[int, int]]:
    found = set()
    for path in paths:
        identity = _identity(path)
        if identity is not None:
            found.add(identity)
    return found


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _render_one(template, context, path: Path, force: bool) -> tuple[str, str]:
    """One file: (WRITTEN, "") or (FAILED, why). Its failure is its own outcome, not the batch's end."""
    from teichaku_cli.errors import TeichakuError
    from teichaku_cli.safe_write import describe_unexpected

    try:
        template.render(context, path, overwrite=force)
    except TeichakuError as exc:
        return FAILED, exc.describe()
    except Exception as exc:  # a value a library refuses: its type only (values are personal)
        return FAILED, describe_unexpected(exc)
    return WRITTEN, ""


def _newer(path: Path, started: int) -> bool:
    try:
        return os.stat(path).st_mtime_ns >= started
    except OSError:
        return False


def _render_in_workers(template, jobs: list[Job], todo: list[int], force: bool, workers: int, outcomes: dict[int, Outcome], advance, started: int) -> None:
    import multiprocessing
    import signal
    import threading
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    chunks = [todo[k : k + CHUNK] for k in range(0, len(todo), CHUNK)]
    context = multiprocessing.get_context(START_METHOD)
    if os.name != "nt" and context.get_start_method() != "fork":
        # the semaphore tracker these start methods run warns on stderr after a kill
        # about the semaphores it then removes: noise for the person at the terminal
        quiet = "ignore::UserWarning:multiprocessing.resource_tracker"
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, (os.environ.get("PYTHONWARNINGS"), quiet)))
    # Ctrl-C reaches every process of the terminal: the workers ignore it (they
    # inherit that from here, where they start) and this process stops them.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
    try:
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start, initargs=(template.path, force, os.getpid()))
        futures = {pool.submit(_worker_render, [(i, jobs[i].context, jobs[i].path) for i in chunk]): chunk for chunk in chunks}
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    try:
        for future in as_completed(futures):
            chunk = futures[future]
            try:
                results = future.result()
            except BrokenProcessPool:  # a worker died (memory, killed): what it wrote is whole, the rest is not made
                results = [
                    (i, WRITTEN, "") if _newer(jobs[i].path, started) else (i, FAILED, "作成するプロセスが途中で終わったため、作成していません（メモリ不足など）")
                    for i in chunk
                ]
            for i, status, reason in results:
                outcomes[i] = Outcome(jobs[i], status, reason or (jobs[i].note if status == WRITTEN else ""))
            advance(len(chunk))
    except BaseException:
        _stop(pool)
        raise
    else:
        pool.shutdown()


def _stop(pool) -> None:
    """End the workers now (Ctrl-C, a stop request): they would otherwise finish their chunks."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)


def _clean_after(jobs: list[Job]) -> None:
    """Temporary files of workers that were stopped or crashed (their writers are gone now)."""
    from teichaku_cli.safe_write import clean_stale, forget_cleaned

    for folder in {job.path.parent for job in jobs if job.path is not None}:
        forget_cleaned(folder)
        clean_stale(folder)


_worker_template = None
_worker_force = False


def _worker_start(path: Path, force: bool, parent_pid: int) -> None:
    import signal

    from teichaku_cli import safe_write
    from teichaku_cli.documents.xlsx_template import XlsxTemplate

    global _worker_template, _worker_force
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C and stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the main's handler (inherited on fork): stopping means ending
    safe_write.ROLE = "worker"
    _watch_parent(parent_pid)
    _worker_template = XlsxTemplate(path)
    _worker_force = force


def _watch_parent(parent_pid: int) -> None:
    """End this worker when the main process ends, however it ends (killed, the
    window closed, a log-off): remove the file being written and exit. The parent's
    sentinel fires on every platform under spawn; under fork a sibling may hold it
    open, so a changed parent id (POSIX re-parents orphans) also counts."""
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    from teichaku_cli import safe_write

    parent = multiprocessing.parent_process()

    def watch() -> None:
        while True:
            if parent is not None and parent.sentinel is not None:
                if wait([parent.sentinel], timeout=PARENT_CHECK):
                    break
            else:
                import time

                time.sleep(PARENT_CHECK)
            if os.name != "nt" and os.getppid() != parent_pid:
                break
        safe_write.abandon_open_temps()
        os._exit(1)

    threading.Thread(target=watch, name="teichaku-parent-watch", daemon=True).start()


def _worker_render(items: list[tuple[int, dict, Path]]) -> list[tuple[int, str, str]]:
    return [(i, *_render_one(_worker_template, context, path, _worker_force)) for i, context, path in items]
