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
from typing import TYPE_CHECKING, Any

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
                jobs.append(Job(uid, name, None, None, skipped="障害を開示していない（クローズ）ため、事業主用は作りません"))
                continue
            if not user["事業主共有同意"]:
                jobs.append(Job(uid, name, None, None, skipped="本人が事業主との共有に同意していないため、事業主用は作りません"))
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


@dataclass
class Outcome:
    job: Job
    written: bool
    reason: str = ""


PARALLEL_FROM = 40  # jobs; below this, starting worker processes costs more than it saves
CHUNK = 20


def write_jobs(template, jobs: list[Job], force: bool, advance=lambda n=1: None) -> list[Outcome]:
    """Render every job; an existing file is kept unless ``force``. Each file is
    written to a temporary name and renamed, so an interrupted run leaves no half file.

    Big batches render in one worker process per core, each loading the template once.
    """
    outcomes: dict[int, Outcome] = {}
    todo: list[int] = []
    for i, job in enumerate(jobs):
        if job.path is None:
            outcomes[i] = Outcome(job, False, job.skipped)
        elif job.path.exists() and not force:
            outcomes[i] = Outcome(job, False, f"{job.path.name} が既にあるため上書きしませんでした（--force で上書き）")
        else:
            todo.append(i)
            continue
        advance()
    workers = min(os.cpu_count() or 1, 4)
    if len(todo) < PARALLEL_FROM or workers < 2:
        for i in todo:
            template.render(jobs[i].context, jobs[i].path)
            outcomes[i] = Outcome(jobs[i], True, jobs[i].note)
            advance()
    else:
        from concurrent.futures import ProcessPoolExecutor

        # the first one here: a template error stops the batch before any worker has
        # written a file (an error in a worker would leave the other chunks' files)
        first, todo = todo[0], todo[1:]
        template.render(jobs[first].context, jobs[first].path)
        outcomes[first] = Outcome(jobs[first], True, jobs[first].note)
        advance()
        chunks = [todo[k : k + CHUNK] for k in range(0, len(todo), CHUNK)]
        with ProcessPoolExecutor(workers, initializer=_worker_start, initargs=(template.path,)) as pool:
            futures = [(chunk, pool.submit(_worker_render, [(jobs[i].context, jobs[i].path) for i in chunk])) for chunk in chunks]
            for chunk, future in futures:
                future.result()  # re-raises a template error from the worker
                for i in chunk:
                    outcomes[i] = Outcome(jobs[i], True, jobs[i].note)
                advance(len(chunk))
    return [outcomes[i] for i in range(len(jobs))]


_worker_template = None


def _worker_start(path: Path) -> None:
    global _worker_template
    from teichaku_cli.documents.xlsx_template import XlsxTemplate

    _worker_template = XlsxTemplate(path)


def _worker_render(items: list[tuple[dict, Path]]) -> None:
    for context, path in items:
        _worker_template.render(context, path)
