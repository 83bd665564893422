"""What goes into each document: the 支援レポート for the user or for an employer,
and the 就労定着支援計画 in force on a day.

The employer copy is filtered here, before any template sees it, as
model/sharing.py decides (the one place that does): a copy per employer of the
jobs held in the month, only while that job's 障害開示=オープン and
事業主共有同意=あり are written out, and none at all while a gate column cannot be
read. Its context holds only the user's name and the staff member, that job's
employer, the support entries sharing lets it show (EMPLOYER_ENTRY_FIELDS of
each) and the 支援レポート fields the office declared shareable. A template
cannot show what is not in its context.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from teichaku_cli.base.errors import TeichakuError, UsageError
from teichaku_cli.model import schema, sharing
from teichaku_cli.model.office import ROW
from teichaku_cli.model.people import in_service_mask
from teichaku_cli.model.rows import as_date, records
from teichaku_cli.base.dates import format_wareki_date
from teichaku_cli.base.dates import month_end
from teichaku_cli.rules.periods import UserPeriods
from teichaku_cli.model.rulebook import rules_for
from teichaku_cli.model.schema import C

if TYPE_CHECKING:
    import pandas as pd

    from teichaku_cli.model.office import Office

USER_COPY, EMPLOYER_COPY = "user", "employer"
COPY_LABEL = {USER_COPY: "本人用", EMPLOYER_COPY: "事業主用"}
GOAL_FIELDS = ("短期目標", "支援方針", "支援内容", "支援期間", "支援頻度", "役割分担")
NOTHING_SHARED = "共有する記録はありません"


@dataclass
class Job:
    """One document to write, or the reason it is not written."""

    user_id: str
    name: str
    path: Path | None
    context: dict[str, Any] | None
    skipped: str = ""
    note: str = ""
    by_rule: bool = False  # not made because the rules say so (no employer copy for クローズ): not a problem


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


# --- file names: one person, one file ----------------------------------------------------

# what Windows (and so an office's shared folder) cannot hold in a name, and what must
# never reach a file name or a terminal: control and bidirectional-override characters
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])$", re.IGNORECASE)
NAME_BYTES = 150  # of a file name (UTF-8): Linux allows 255, and a temporary name is longer
PART_BYTES = 60  # of a name or an employer within it


def clean_part(text: object, limit: int = PART_BYTES) -> str:
    """A piece of a file name: without what a file name cannot hold, cut to ``limit`` bytes."""
    cleaned = _NOT_IN_NAMES.sub("", str(text or "")).strip(". ")
    if _RESERVED.match(cleaned):
        cleaned = f"_{cleaned}"
    while len(cleaned.encode("utf-8")) > limit:
        cleaned = cleaned[:-1]
    return cleaned


def id_part(user_id: str) -> str:
    """The ID as a file name holds it; when cleaning changed it, a few hex digits of
    its SHA-256 follow, so two IDs never share a name (U001, U/001) and the same ID
    always gets the same name (next month's --force replaces that person's file)."""
    cleaned = clean_part(user_id, 40)
    if cleaned != user_id:
        cleaned = f"{cleaned}-{hashlib.sha256(user_id.encode('utf-8')).hexdigest()[:8]}"
    return cleaned


def file_name(*parts: str) -> str:
    name = "_".join(p for p in parts if p)
    while len(name.encode("utf-8")) > NAME_BYTES:
        name = name[:-1]
    return name + ".xlsx"


def _one_file_each(jobs: list[Job]) -> list[Job]:
    """Two documents that would land on one file are refused before anything is written."""
    seen: dict[str, Job] = {}
    for job in jobs:
        if job.path is None:
            continue
        key = unicodedata.normalize("NFKC", str(job.path)).casefold()  # Windows folds case
        if key in seen:
            if seen[key].user_id == job.user_id:  # one person's two employer copies: the employers' names
                raise TeichakuError(
                    f"利用者ID「{job.user_id}」の2つの事業主用が同じファイル名（{job.path.name}）になります（事業主名のファイル名に使えない文字を除くと同じ）。どちらも作りませんでした。",
                    "就労履歴の事業主名を、記号（/ \\ : * ? \" < > | など）を除いても区別できる名前に直してください",
                )
            raise TeichakuError(
                f"利用者ID「{seen[key].user_id}」と「{job.user_id}」の帳票が同じファイル名（{job.path.name}）になります。どちらも作りませんでした。",
                "ファイル名に使えない文字や大文字・小文字だけが違う ID を、利用者シートで直してください",
            )
        seen[key] = job
    return jobs


# --- who is in the month -------------------------------------------------------------------


def _select_users(office: "Office", active: "pd.DataFrame", ids: list[str] | None) -> "pd.DataFrame":
    if not ids:
        return active
    known = set(office.users[C.USER_ID])
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UsageError(f"--user {' '.join(unknown)} は利用者シートにありません。", "利用者ID を確かめてください（先頭の 0 も含めて）")
    return office.users[office.users[C.USER_ID].isin(ids)]


def _outside(user: dict, first: date, last: date) -> str:
    """Why a month (or a day: first == last) is outside the user's service, or ''."""
    started, finished = as_date(user[C.SERVICE_START]), as_date(user[C.SERVICE_END])
    if started > last or (finished is not None and finished < first):
        span = f"{format_wareki_date(started)}〜{format_wareki_date(finished) if finished else ''}"
        return f"利用期間（{span}）の外のため作りません"
    return ""


# --- 支援レポート ----------------------------------------------------------------------------


def report_jobs(office: "Office", month: date, audience: str, out_dir: Path, ids: list[str] | None, today: date) -> list[Job]:
    """The month's 支援レポート, one per user (本人用) or per user and employer (事業主用).
    Employer copies are refused as a whole (TeichakuError) while a gate column cannot
    be read (sharing.refuse_if_blocked), whoever calls this."""
    import pandas as pd

    if audience == EMPLOYER_COPY:
        sharing.refuse_if_blocked(office)
    first = pd.Timestamp(month)
    users = office.users
    active = users[in_service_mask(users, month, month_end(month))]
    chosen = _select_users(office, active, ids)
    in_month = office.month_facts(month).contacts.sort_values([C.DATE, ROW])
    entries_by_user: dict[str, list[dict]] = {}  # plain rows, grouped once (no DataFrame per user)
    for entry in records(in_month):
        entries_by_user.setdefault(entry[C.USER_ID], []).append(entry)
    reports = office.table(schema.REPORTS.name)
    reports_by_user: dict[str, list[dict]] = {}  # a month may have a row per employer (a job change)
    for row in records(reports[reports[C.MONTH] == first].sort_values(ROW)):
        reports_by_user.setdefault(row[C.USER_ID], []).append(row)
    office_ctx = {"name": office.settings.office_name, "number": office.settings.office_number}
    month_name = month.strftime("%Y-%m")
    jobs: list[Job] = []
    for user in records(chosen):
        uid, name = user[C.USER_ID], user[C.NAME]
        outside = _outside(user, month, month_end(month))
        if outside:
            jobs.append(Job(uid, name, None, None, skipped=outside))
            continue
        entries = entries_by_user.get(uid, [])
        rows = reports_by_user.get(uid, [])
        report_row = rows[0] if rows else None
        note = "" if rows else "支援レポートシートにこの月の行がないため、記載欄は空です"
        base = {
            "office": office_ctx,
            "month": month,
            "author": (report_row or {}).get(C.AUTHOR) or user.get(C.STAFF) or "",
            "created": _plain((report_row or {}).get(C.GIVEN_ON)) or today,
        }
        life = office.lives.of(user)
        if audience == USER_COPY:
            held = life.jobs_in(month, month_end(month))
            report = _user_report(rows)
            employer = "、".join(dict.fromkeys(j.employer for j in held if j.employer)) or (user.get(C.EMPLOYER) or "")
            context = {**base, "user": _record(user), "employer": employer, "report": report, "entries": [_record(e) for e in entries], "copy": COPY_LABEL[USER_COPY]}
            path = out_dir / file_name(month_name, id_part(uid), clean_part(name), COPY_LABEL[USER_COPY])
            jobs.append(Job(uid, name, path, context, note=note))
            continue
        for copy in sharing.employer_copies(life, month, month_end(month)):
            if not copy.decision.allowed:  # クローズ or なし: as the person chose; blank or unreadable: data to fill in (exit 1)
                jobs.append(Job(uid, name, None, None, skipped=copy.decision.reason, by_rule=not copy.decision.fill_in))
                continue
            context = _employer_context(office, base, user, copy, entries, rows, month)
            path = out_dir / file_name(month_name, id_part(uid), clean_part(name), COPY_LABEL[EMPLOYER_COPY], clean_part(copy.employer))
            jobs.append(Job(uid, name, path, context, note=note))
    return _one_file_each(jobs)


def _user_report(rows: list[dict]) -> dict[str, object]:
    """The user's copy shows the month's report text; with a row per employer (a job
    change), each field is shown per employer, none dropped."""
    fields = (*schema.REPORT_FIELDS, "作成者")
    if len(rows) <= 1:
        return _record(rows[0] if rows else {}, fields)
    joined: dict[str, object] = {}
    for f in fields:
        parts = [(r.get(C.EMPLOYER) or "", _plain(r.get(f))) for r in rows]
        parts = [(who, text) for who, text in parts if text]
        if f == "作成者":
            joined[f] = "、".join(dict.fromkeys(str(text) for _, text in parts)) or None
        else:
            joined[f] = "\n".join(f"【{who}】{text}" if who else str(text) for who, text in parts) or None
    return joined


def consent_paragraph(fields: tuple[str, ...]) -> str:
    """What 事業主共有同意=あり means, as a paragraph an office can put in its consent
    form: exactly what an employer copy can hold (teichaku init prints it; docs/templates.md)."""
    listed = "・".join(f"「{f}」" for f in fields) if fields else "（記載欄は共有しない）"
    return (
        "就労定着支援事業所が毎月作る「支援レポート」のうち、次のものを勤務先の事業主と共有することに同意します。"
        f"(1) 支援レポートの{listed}の欄。"
        "(2) 支援の記録のうち、共有してよいと私が確かめたもの（提供日・方法・相手・内容・結果）。"
        "共有するのは、障害を開示して働いている勤務先で、この同意をした勤務先とだけです。勤務先が変わったときは、"
        "新しい勤務先について改めて同意を確かめます。同意した日より前の記録は共有しません。同意はいつでも取り消せます。"
    )


def _employer_context(office, base: dict, user: dict, copy: "sharing.EmployerCopy", entries: list[dict], rows: list[dict], month: date) -> dict:
    """What one employer's copy holds: what the sharing rules let it (model/sharing.py)."""
    shared = [_record(e, sharing.EMPLOYER_ENTRY_FIELDS) for e in entries if copy.entry(as_date(e[C.DATE]), e[C.EMPLOYER], e[C.SHAREABLE] is True).allowed]
    fields = sharing.report_fields(office.settings)
    values = {f: None for f in fields}
    row = copy.report_row(rows)
    if copy.report(row, month_end(month)).allowed:
        values = {f: _plain(row.get(f)) for f in fields}
    report_fields = [{"項目": f, "内容": v} for f, v in values.items() if v]
    shared_on = _plain((row or {}).get(C.SHARED_ON))
    return {
        **base,
        "created": shared_on or base["created"],  # the day it was shared with this employer
        "employer": copy.employer,
        "user": {"氏名": user[C.NAME], "担当者": user.get(C.STAFF) or ""},
        "report": values,
        "report_fields": report_fields,
        "entries": shared,
        "nothing_shared": NOTHING_SHARED if not shared and not report_fields else "",
        "copy": COPY_LABEL[EMPLOYER_COPY],
    }


# --- 就労定着支援計画 ------------------------------------------------------------------------


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
    """The plan in force on ``day``; its period runs to the review deadline, cut at the
    end of service (利用終了日, or the 3年 / 3年6か月 limit) and saying so; a plan past
    its review deadline is said in the run's list, not on the sheet the 本人 signs."""
    import pandas as pd

    ts = pd.Timestamp(day)
    users = office.users
    active = users[in_service_mask(users, day, day)]
    chosen = _select_users(office, active, ids)
    plans = office.table(schema.PLANS.name)
    in_force = plans[plans[C.MADE_ON] <= ts].sort_values([C.MADE_ON, ROW]).groupby(C.USER_ID).tail(1)
    plan_by_user = {p[C.USER_ID]: p for p in records(in_force)}
    rules = rules_for(day)
    review = rules.period("plan_review")
    office_ctx = {"name": office.settings.office_name, "number": office.settings.office_number}
    jobs = []
    for user in records(chosen):
        uid, name = user[C.USER_ID], user[C.NAME]
        outside = _outside(user, day, day)
        if outside:
            jobs.append(Job(uid, name, None, None, skipped=outside.replace("のため", f"（{format_wareki_date(day)}）のため")))
            continue
        row = plan_by_user.get(uid)
        if row is None:
            jobs.append(Job(uid, name, None, None, skipped=f"{format_wareki_date(day)}時点で作成済みの支援計画がありません"))
            continue
        plan = _record(row)
        made = plan[C.MADE_ON]
        deadline = review.of(made).last  # the review deadline, counted as the rule file says
        life = office.lives.of(user)
        end = UserPeriods(office.person_by_id[uid], rules, life.first_hire).planned_end if life.first_hire else deadline
        # the sheet the 本人 signs does not say 期限切れ (the template's ``status`` stays, empty):
        # the lateness is the office's to mend, and check and due say it; the run's list says it too
        status, note = "", ""
        if deadline < day:
            note = f"この計画は見直し期限（{format_wareki_date(deadline)}）を過ぎています。見直した計画を作ってください"
        period_end, period_note = deadline, ""
        if end < deadline:
            period_end, period_note = end, f"利用の終わり（{format_wareki_date(end)}）までで区切っています"
        job = life.job_on(day) or (life.jobs[-1] if life.jobs and life.jobs[-1].hired <= day else None)
        context = {
            "office": office_ctx,
            "user": _record(user),
            "employer": (job.employer if job else None) or user.get(C.EMPLOYER) or "",
            "plan": plan,
            "goals": _goals(plan),
            "period_start": made,
            "period_end": period_end,
            "period_note": period_note,
            "status": status,
        }
        path = out_dir / file_name("就労定着支援計画", id_part(uid), clean_part(name), made.isoformat())
        jobs.append(Job(uid, name, path, context, note=note))
    return _one_file_each(jobs)


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

    from teichaku_cli.base.safe_write import exists_message, input_refusal, name_too_long

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
    from teichaku_cli.documents.xlsx_template import StepsExceeded

    while todo:
        first, rest = todo[0], todo[1:]
        try:
            template.render(jobs[first].context, jobs[first].path, overwrite=force)  # any other error here: nothing written yet
        except StepsExceeded as exc:  # this document's data made it too long: its own failure, the rest go on
            outcomes[first] = Outcome(jobs[first], FAILED, exc.describe())
            advance()
            todo = rest
            continue
        outcomes[first] = Outcome(jobs[first], WRITTEN, jobs[first].note)
        advance()
        break
    if not todo:
        return _batch(jobs, outcomes)
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
    from teichaku_cli.base.errors import TeichakuError
    from teichaku_cli.base.safe_write import describe_unexpected

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
    # Ctrl-C reaches every process of the terminal: the workers ignore it (their
    # initializer says so) and this process stops them. While they start, a Ctrl-C is
    # only remembered — by a handler a forked worker inherits harmlessly until its
    # initializer runs — and acted on once they are all started. (Ignoring it meanwhile
    # lost a Ctrl-C that came while the first workers were already writing: the run
    # then waited for ever.)
    main_thread = threading.current_thread() is threading.main_thread()
    interrupted: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum)) if main_thread else None
    try:
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start, initargs=(template.path, force, os.getpid()))
        futures = {pool.submit(_worker_render, [(i, jobs[i].context, jobs[i].path) for i in chunk]): chunk for chunk in chunks}
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    try:
        if interrupted:
            raise KeyboardInterrupt
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
    from teichaku_cli.base.safe_write import clean_stale, forget_cleaned

    for folder in {job.path.parent for job in jobs if job.path is not None}:
        forget_cleaned(folder)
        clean_stale(folder)


_worker_template = None
_worker_force = False


def _worker_start(path: Path, force: bool, parent_pid: int) -> None:
    import signal

    from teichaku_cli.base import safe_write
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

    from teichaku_cli.base import safe_write

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
        safe_write.end_now()

    threading.Thread(target=watch, name="teichaku-parent-watch", daemon=True).start()


def _worker_render(items: list[tuple[int, dict, Path]]) -> list[tuple[int, str, str]]:
    return [(i, *_render_one(_worker_template, context, path, _worker_force)) for i, context, path in items]
