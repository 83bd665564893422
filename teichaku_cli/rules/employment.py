"""Is a person still employed on a day, counting job changes as the rules do?

A job change is continuous employment when the next job begins inside the
1-month period after the 離職日 (民法140条本文・143条: the day after leaving is
day 1; left 06-30 → re-employed by 07-31). Our sources are thin: the practice manual's
section 5 line is scrambled (「…職後1カ月以内の…就職の場合には、定着…には算入しない」) and
we read it, with the 平成30年 Q&A as practitioners quote it, as "not counted as
leaving". The Q&A adds "once during use": how many changes count as continuous is
a documented policy in the rule files (``job_changes_as_continuous``, default 1),
counting the changes whose 離職日 lies between 利用開始日 and the day asked about
(issue 12's reading: a change after the service ended counts too, which can only
lower the rate; the rule files and docs say so).

After a gap longer than the period, or a change beyond the policy's count, the
person has left: every later day is "not employed", even once re-employed, and a
later job never re-anchors eligibility or the 3年6か月 limit.

Two rows for one employer, the second beginning inside that month (a disclosure
recorded from a later day, a contract renewed), are one employment, not a change.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, NamedTuple

from teichaku_cli.base.dates import format_wareki_date
from teichaku_cli.model.history import Job, WorkingLife, employer_key
from teichaku_cli.model.rulebook import RuleSet


class Employment(NamedTuple):
    employed: bool
    reason: str  # Japanese, for people (rate's reasons, check's messages)
    left_on: date | None = None  # the 離職日 from which the person counts as having left
    changes: tuple[tuple[date, date], ...] = ()  # (離職日, 再就職日) counted as continuous
    rehire_by: date | None = None  # left, nothing on record yet: the last day a re-employment still counts


def employment_on(
    life: WorkingLife, day: date, started: date, rules: RuleSet, show: Callable[[date], str] = format_wareki_date, today: date | None = None
) -> Employment:
    """Employment on ``day`` of a person whose service began on ``started``. A
    person is employed on their 離職日 itself only until it ends: on that day they
    no longer count as employed (a job left on 03-31 is not continuing at the end of
    the fiscal year). ``show`` formats the dates in the reason; ``today`` keeps a
    re-employment window that has closed since ``day`` out of it."""
    jobs = life.jobs
    if not jobs or jobs[0].hired > day:
        return Employment(False, "基準日より後に就職")
    if len(jobs) == 1 and (jobs[0].left is None or jobs[0].left > day):
        return CONTINUING  # most people, most days
    window = rules.period("job_change")
    allowed = rules.limit("job_changes_as_continuous")
    changes: list[tuple[date, date]] = []
    counted = 0
    for i, job in enumerate(jobs):
        if job.left is None or job.left > day:
            return Employment(True, _continuing(changes, window.label, show), changes=tuple(changes))
        after = window.of(job.left)  # the month after leaving: 離職日の翌日から1か月
        following = jobs[i + 1] if i + 1 < len(jobs) else None
        if following is None:
            rehire_by = after.last if counted + (job.left >= started) <= allowed else None
            # said only while it can still happen (``today``, when asked about a past day)
            note = f"（{show(rehire_by)}までに再就職すれば転職として続いているとみなします）" if rehire_by and max(day, today or day) <= after.last else ""
            return Employment(False, f"{show(job.left)}に離職{note}", job.left, tuple(changes), rehire_by)
        if following.hired <= after.last and _same_employer(job, following):
            continue  # the same employer on a new row: not a job change
        if following.hired > after.last:
            return Employment(
                False,
                f"{show(job.left)}に離職し、再就職（{show(following.hired)}）は離職の翌日から{window.label}（{show(after.last)}まで）を過ぎている",
                job.left,
                tuple(changes),
            )
        if job.left >= started:  # a change during use counts toward the policy's limit
            counted += 1
            if counted > allowed:
                return Employment(
                    False,
                    f"{show(job.left)}の離職は利用開始後{counted}回目の転職で、就労継続とみなすのは{allowed}回まで（方針）",
                    job.left,
                    tuple(changes),
                )
        changes.append((job.left, following.hired))
        if following.hired > day:
            return Employment(
                True,
                f"{show(job.left)}に離職し、{show(following.hired)}に再就職（この日より後だが、離職の翌日から{window.label}以内のため就労継続とみなす）",
                changes=tuple(changes),
            )
    raise AssertionError("unreachable: the last job either continues or was left")  # pragma: no cover


CONTINUING = Employment(True, "就労継続")


def _same_employer(job: Job, following: Job) -> bool:
    return job.employer is not None and following.employer is not None and employer_key(job.employer) == employer_key(following.employer)


def with_employer_since(life: WorkingLife, job: Job, rules: RuleSet) -> date:
    """Since when the person has worked for ``job``'s employer without a break: back
    through earlier rows of the same employer that the next one follows inside the
    month after their 離職日 (one employment, recorded on several rows)."""
    window = rules.period("job_change")
    jobs = list(life.jobs)
    i = jobs.index(job)
    since = job.hired
    while i > 0:
        before, after = jobs[i - 1], jobs[i]
        if before.left is None or not _same_employer(before, after) or after.hired > window.of(before.left).last:
            break
        since, i = before.hired, i - 1
    return since


def _continuing(changes: list[tuple[date, date]], within: str, show: Callable[[date], str]) -> str:
    if not changes:
        return "就労継続"
    moves = "、".join(f"{show(left)}離職→{show(rehired)}就職" for left, rehired in changes)
    return f"{within}以内の転職{len(changes)}回（{moves}）、就労継続とみなす"
