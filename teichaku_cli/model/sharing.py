"""May this value reach this employer? The one place that decides.

Who may see what of a person's support is decided here and nowhere else; the
employer copy of the 支援レポート (documents/build.py), validate's checks of the
gates and of 事業主共有日 (office/checks.py), check's employer-report-share-missing
(rules/monthly.py) and the exit code of ``report`` (cli/documents.py) all ask it.

The rules (docs/templates.md 「事業主用に載るもの、載らないもの」; the notice 就労定着
支援の実施について 第2の（2）: share with the employer only with the user's consent,
and not where the disability is not disclosed):

- **Per job, both explicit.** A job's employer may be shared with only while its
  障害開示 is オープン and its 事業主共有同意 is あり, both written for that job. Blank,
  unreadable or unknown is "no" (fail closed), and is said as data to fill in; クローズ
  and なし are the person's choice.
- **Nothing dated before consent.** What is dated before the job's 事業主共有同意日
  (blank: its 就職日) is not shared; the month's report fields only when consent
  holds by the month's last day.
- **Withdrawal.** The employer's latest row in the working life decides: なし (or a
  blank) from a later day ends all sharing with that employer, of earlier days'
  records too, as the copy is made after it.
- **Which job a record is about.** The one its 事業主 names, else the one job in force
  on its date (``WorkingLife.job_of_entry``); a day with two jobs and no name is nobody's.
- **What a copy may show.** Of an entry: ``EMPLOYER_ENTRY_FIELDS``, and only an entry
  marked 事業主共有=可; of the report: the fields the office declared
  (teichaku.toml 「事業主と共有する項目」, ``report_fields``).
- **Office-wide blockers.** While a gate column of a table the jobs, the entries or
  the reports come from is missing, duplicated, a look-alike or otherwise unreadable,
  no employer copy is made at all (``refuse_if_blocked``).

Each decision is a ``Decision``: allowed or not, a stable code, the Japanese reason
staff read, and whether the reason is data to fill in (``report`` exits 1) or the
person's choice or the rules' (exit 0). validate's column-wise forms (``gate_codes``,
``share_date_decisions``) compute the same codes over whole tables; a test proves
them equal to the per-row decisions on generated offices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from teichaku_cli.base.dates import format_wareki_date
from teichaku_cli.base.errors import Place, TeichakuError
from teichaku_cli.model import schema
from teichaku_cli.model.history import HISTORY_TABLE, OPEN, USER_JOB_COLUMNS, USERS_TABLE, Job, WorkingLife, employer_key
from teichaku_cli.model.schema import C

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from teichaku_cli.model.office import Office
    from teichaku_cli.model.settings import Settings

CLOSED = "クローズ"
GATES = ("障害開示", "事業主共有同意")  # the columns that must be there for any employer copy
# what an employer copy may show of each support entry it holds
EMPLOYER_ENTRY_FIELDS = ("日付", "方法", "相手", "内容", "結果")

# --- the reasons, as stable codes ------------------------------------------------------------

ALLOWED = "allowed"
NO_JOB = "no-job"  # no job held in the month: nobody to make a copy for (the rules')
EMPLOYER_UNKNOWN = "employer-unknown"  # a job without an employer (利用者's columns before a 再就職)
CLOSED_EMPLOYMENT = "closed"  # 障害開示=クローズ (the person's choice)
DISCLOSURE_UNKNOWN = "disclosure-unknown"  # 障害開示 blank or unreadable (data to fill in)
NO_CONSENT = "no-consent"  # 事業主共有同意=なし (the person's choice)
CONSENT_UNKNOWN = "consent-unknown"  # 事業主共有同意 blank or unreadable (data to fill in)
BEFORE_CONSENT = "before-consent"  # dated before the 事業主共有同意日 (the rules')
NOT_MARKED = "not-marked"  # an entry not marked 事業主共有=可 (the person's choice)
OTHER_JOB = "other-job"  # an entry about another job, or about no one job (the rules')
NO_REPORT_ROW = "no-report-row"  # no 支援レポート row of the month about this employer (the rules')

# not allowed because something is blank, unreadable or unknown: the office can fill it in
DATA_TO_FILL_IN = frozenset({EMPLOYER_UNKNOWN, DISCLOSURE_UNKNOWN, CONSENT_UNKNOWN})
# the person said no: nothing to fix
THE_PERSONS_CHOICE = frozenset({CLOSED_EMPLOYMENT, NO_CONSENT, NOT_MARKED})


@dataclass(frozen=True)
class Decision:
    """May it reach the employer? ``code`` is stable (see the constants above);
    ``reason`` is what staff read; ``fill_in``: not allowed because data is blank,
    unreadable or unknown (the office can fix it), rather than by the person's
    choice or the rules."""

    allowed: bool
    code: str
    reason: str = ""
    fill_in: bool = False


ALLOW = Decision(True, ALLOWED)


def _no(code: str, reason: str, fill_in: bool | None = None) -> Decision:
    return Decision(False, code, reason, code in DATA_TO_FILL_IN if fill_in is None else fill_in)


# --- one job's gates ---------------------------------------------------------------------------


def gate_code(disclosure: object, consent: object) -> str:
    """A job's two gates, in the order an office fixes them: disclosure, then consent.
    Only オープン and あり (True) open them; anything else — blank, unreadable, a value
    read as something else — keeps them shut."""
    if disclosure == CLOSED:
        return CLOSED_EMPLOYMENT
    if disclosure != OPEN:
        return DISCLOSURE_UNKNOWN
    if consent is False:
        return NO_CONSENT
    if consent is not True:
        return CONSENT_UNKNOWN
    return ALLOWED


def gate_codes(disclosure: "pd.Series", consent: "pd.Series") -> "np.ndarray":
    """``gate_code`` over whole columns (validate reads every row of a table)."""
    import numpy as np

    is_open = (disclosure == OPEN).to_numpy(dtype=bool)
    closed = (disclosure == CLOSED).to_numpy(dtype=bool)
    yes, no = _yes_no(consent)
    return np.select(
        [closed, ~is_open, no, ~yes],
        [CLOSED_EMPLOYMENT, DISCLOSURE_UNKNOWN, NO_CONSENT, CONSENT_UNKNOWN],
        ALLOWED,
    ).astype(object)


def _yes_no(consent: "pd.Series") -> tuple["np.ndarray", "np.ndarray"]:
    """あり and なし of a consent column (True, False, or None/NaN for blank or unreadable)."""
    return (consent == True).to_numpy(dtype=bool), (consent == False).to_numpy(dtype=bool)  # noqa: E712 - elementwise


def consent_starts(job: Job) -> date:
    """The first day whose records may be shared: the 事業主共有同意日, else the 就職日."""
    return job.consent_from or job.hired


def consented_on(job: Job, day: date) -> bool:
    """The user agreed, explicitly, to share with this job's employer what is dated ``day``."""
    return job.consent is True and day >= consent_starts(job)


def copy_decision(job: Job) -> Decision:
    """May this job's employer get a copy at all (its gates, both written for this job)?"""
    at = f"{job.employer}（{job.hired}就職）" if job.employer else f"{job.hired}就職の仕事"
    gate = gate_code(job.disclosure, job.consent)
    if job.employer is None:
        # the person's クローズ or なし stands even where the employer is not known: not data to fill in
        return _no(
            EMPLOYER_UNKNOWN,
            f"{at}の事業主・障害開示・同意が分からない（利用者シートの列は最後の仕事のもの）ため、事業主用は作りません",
            fill_in=gate not in THE_PERSONS_CHOICE,
        )
    where = f"{job.table}シート {job.row}行目"
    if gate == CLOSED_EMPLOYMENT:
        return _no(gate, f"{at}では障害を開示していない（クローズ）ため、事業主用は作りません")
    if gate == DISCLOSURE_UNKNOWN:
        return _no(gate, f"{at}の障害開示（{where}）が空欄か読めないため、事業主用は作りません（分からないものは共有しません）")
    if gate == NO_CONSENT:
        return _no(gate, f"{at}との共有に本人が同意していない（なし）ため、事業主用は作りません")
    if gate == CONSENT_UNKNOWN:
        return _no(gate, f"{at}との共有への同意（{where}）が空欄か読めないため、事業主用は作りません（分からないものは共有しません）")
    return ALLOW


def report_expected(job: Job, last: date) -> bool:
    """Should the month ending ``last`` have a 支援レポート shared with ``job``'s employer
    (check's employer-report-share-missing)? Only where it may be: disclosed, and
    consent given by the month's last day."""
    return job.open_employment and consented_on(job, last)


def report_fields(settings: "Settings") -> tuple[str, ...]:
    """The 支援レポート fields an employer copy may show: the office's declaration
    (teichaku.toml 「事業主と共有する項目」; by default 事業主の取組 and 共有事項)."""
    return settings.employer_fields


# --- one person's employer copies in a month ---------------------------------------------------


def _by_employer(held: list[Job]) -> list[list[Job]]:
    """The month's jobs by employer: rows of one employer (a rehire, a disclosure recorded
    from a later day) make one copy; a job whose employer is unknown stands alone."""
    groups: dict[object, list[Job]] = {}
    for i, job in enumerate(held):
        groups.setdefault(employer_key(job.employer) if job.employer else ("unknown", i), []).append(job)
    return list(groups.values())


def latest_row_of(life: WorkingLife, job: Job) -> Job:
    """The latest row of ``job``'s employer in the person's working life (``job``
    itself when its employer is not named: nothing else can be said to be it)."""
    if job.employer is None:
        return job
    return [j for j in life.jobs if j.is_employer(job.employer)][-1]


@dataclass(frozen=True)
class EmployerCopy:
    """One employer's copy of one person's month, or why there is none.

    ``jobs``: that employer's jobs held in the month whose gates are open (empty when
    ``decision`` refuses); ``held``: every job held in the month (a report row naming
    no employer belongs to this one only when it is the month's only employer)."""

    decision: Decision
    life: WorkingLife
    jobs: tuple[Job, ...] = ()
    held: tuple[Job, ...] = ()

    @property
    def employer(self) -> str:
        return self.jobs[-1].employer

    def entry(self, day: date, employer: object, marked: bool) -> Decision:
        """May this support entry (dated ``day``, naming ``employer`` or not, marked
        事業主共有=可 or not) be in this copy?"""
        if not marked:
            return _no(NOT_MARKED, "事業主共有が「可」ではない記録です")
        job = self.life.job_of_entry(day, employer)
        if not any(job is j for j in self.jobs):
            return _no(OTHER_JOB, "この事業主の仕事についての記録ではありません（事業主の名前か日付で決まる仕事が違います）")
        if not consented_on(job, day):
            return _no(BEFORE_CONSENT, f"事業主共有同意日（{format_wareki_date(consent_starts(job))}）より前の記録です")
        return ALLOW

    def report_row(self, rows: list[dict]) -> dict | None:
        """The month's 支援レポート row about this employer: the one naming it, or an unnamed
        one when the month has no other employer (then it can only be about this one)."""
        latest = self.jobs[-1]
        named = [r for r in rows if r.get(C.EMPLOYER)]
        for row in named:
            if latest.is_employer(row[C.EMPLOYER]):
                return row
        employers = {employer_key(j.employer) for j in self.held if j.employer}
        unnamed = [r for r in rows if not r.get(C.EMPLOYER)]
        if len(unnamed) == 1 and not named and employers == {employer_key(latest.employer)} and all(j.employer for j in self.held):
            return unnamed[0]
        return None

    def report(self, row: dict | None, last: date) -> Decision:
        """May the declared fields of ``row`` (``report_row``'s) be shown, for the month ending ``last``?"""
        if row is None:
            return _no(NO_REPORT_ROW, "この事業主についての支援レポートの行がありません")
        if not consented_on(self.jobs[-1], last):
            return _no(BEFORE_CONSENT, "その月の末日までに共有に同意していません")
        return ALLOW


NO_JOB_DECISION = _no(NO_JOB, "この月に勤めていた仕事の記録がないため、事業主用は作りません")


def employer_copies(life: WorkingLife, first: date, last: date) -> list[EmployerCopy]:
    """The copies of the month ``first``…``last``: one per employer of the jobs held in
    it, each allowed or with its reason; one refusal when no job was held."""
    held = tuple(life.jobs_in(first, last))
    if not held:
        return [EmployerCopy(NO_JOB_DECISION, life)]
    copies = []
    for group in _by_employer(list(held)):
        decision = copy_decision(latest_row_of(life, group[-1]))
        passing = tuple(j for j in group if copy_decision(j).allowed)
        if decision.allowed and not passing:
            # consent given on a later row only: the month's own job says why not
            decision = copy_decision(group[-1])
        copies.append(EmployerCopy(decision, life, passing if decision.allowed else (), held))
    return copies


# --- a 事業主共有日 on a 支援レポート row (validate) ------------------------------------------------

SHARE_ERRORS = frozenset({CLOSED_EMPLOYMENT, NO_CONSENT, BEFORE_CONSENT})  # shared against a known "no"


def share_reason(code: str, employer: str | None, consent_start: date | None = None) -> str:
    """Why a report shared on a day with ``employer`` was wrong (or cannot be known right)."""
    who = employer or "その事業主"
    if code == CLOSED_EMPLOYMENT:
        return f"{who}では障害を開示していない（クローズ）ため、支援レポートは共有できません"
    if code == NO_CONSENT:
        return f"{who}との共有に本人が同意していない（なし）ため、支援レポートは共有できません"
    if code == BEFORE_CONSENT:
        return f"{who}との共有への同意（{format_wareki_date(consent_start)}）より前の日付です"
    return f"{who}での障害開示か共有への同意が空欄（または読めない）ため、共有してよかったか確かめられません"


def share_date_code(disclosure: object, consent: object, consent_start: date, day: date) -> str:
    """Was sharing on ``day`` allowed by the job's gates? A known "no" (クローズ, なし,
    before the 同意日) comes before an unknown: what was done against a "no" is an
    error whatever else is blank."""
    if disclosure == CLOSED:
        return CLOSED_EMPLOYMENT
    if consent is False:
        return NO_CONSENT
    if consent is True and day < consent_start:
        return BEFORE_CONSENT
    if disclosure != OPEN:
        return DISCLOSURE_UNKNOWN
    if consent is not True:
        return CONSENT_UNKNOWN
    return ALLOWED


def job_of_shared_report(life: WorkingLife, day: date, employer: object) -> Job | None:
    """The job a 支援レポート row shared on ``day`` (naming ``employer`` or not) is about:
    ``job_of_entry``'s, when that job's employer is known. A job without one (利用者's
    columns before a 再就職日 describe no employer, disclosure or consent) cannot say
    with whom the report was shared — as a day with two jobs and no name, nothing
    is said of it (no copy is ever made for it: ``copy_decision``)."""
    job = life.job_of_entry(day, employer)
    return job if job is not None and job.employer is not None else None


def share_date_decision(job: Job, day: date) -> Decision:
    """A 支援レポート row says it was shared on ``day`` with the employer of ``job`` (the
    job the row belongs to): was that allowed? Not allowed by a known "no" is an
    error (``fill_in`` False); by a blank or unreadable gate, a warning (``fill_in``)."""
    code = share_date_code(job.disclosure, job.consent, consent_starts(job), day)
    if code == ALLOWED:
        return ALLOW
    return _no(code, share_reason(code, job.employer, consent_starts(job)))


def share_date_decisions(office: "Office") -> "pd.DataFrame":
    """``share_date_decision`` for every 支援レポート row with a 事業主共有日, column-wise
    (an office of 200,000 rows): the rows whose job is known (``job_of_shared_report``:
    the named employer's first job in force that day, else the one job of that day)
    and whose sharing was not allowed, by row, with ``ROW``, ``code``, ``employer``,
    ``start`` (the consent's first day) and ``day``."""
    import numpy as np
    import pandas as pd

    from teichaku_cli.model.office import ROW
    from teichaku_cli.model.rows import records

    columns = [ROW, "code", "employer", "start", "day"]
    reports = office.table(schema.REPORTS.name)
    shared = reports.loc[reports[C.SHARED_ON].notna() & reports[C.USER_ID].notna(), [C.USER_ID, C.SHARED_ON, C.EMPLOYER, ROW]]
    if shared.empty:
        return pd.DataFrame(columns=columns)
    # Only people with a job whose gates are not plainly open, or whose consent has a
    # date, can have such a row: found column-wise first, so the rest are never walked.
    users, history = office.users, office.table(HISTORY_TABLE)
    candidates = _not_plainly_open(office, users, USERS_TABLE) | _not_plainly_open(office, history, HISTORY_TABLE)
    shared = shared[shared[C.USER_ID].isin(candidates)]
    if shared.empty:
        return pd.DataFrame(columns=columns)
    people = {u[C.USER_ID]: u for u in records(users[users[C.USER_ID].isin(candidates)], USER_JOB_COLUMNS)}
    shared = shared[shared[C.USER_ID].isin(set(people))]
    jobs = pd.DataFrame(
        [
            (uid, order, employer_key(j.employer) if j.employer else "", j.employer or "", j.hired, j.left, j.disclosure, j.consent, consent_starts(j))
            for uid in set(shared[C.USER_ID].tolist())
            for order, j in enumerate(office.lives.of(people[uid]).jobs)
        ],
        columns=["利用者ID", "order", "key", "employer", "hired", "left", "disclosure", "consent", "start"],
    ).astype({"hired": "datetime64[ns]", "left": "datetime64[ns]", "start": "datetime64[ns]"})
    codes, uniques = pd.factorize(shared[C.EMPLOYER].fillna(""))
    shared = shared.assign(named=np.array([employer_key(u) for u in uniques], dtype=object)[codes])
    m = shared.merge(jobs, on=C.USER_ID)
    day = m[C.SHARED_ON]
    m = m[(m["hired"] <= day) & (m["left"].isna() | (m["left"] >= day)) & ((m["named"] == "") | (m["key"] == m["named"]))]
    # job_of_entry: a named employer's first job in force that day; without a name, the
    # one job of that day (two that day: the job is unknown, nothing to say)
    named = m[m["named"] != ""].sort_values([ROW, "order"]).drop_duplicates(ROW, keep="first")
    unnamed = m[m["named"] == ""]
    m = pd.concat([named, unnamed[~unnamed[ROW].duplicated(keep=False)]])
    m = m[m["key"] != ""]  # job_of_shared_report: a job without an employer says nothing
    disclosure, consent, day = m["disclosure"], m["consent"], m[C.SHARED_ON]
    yes, no = _yes_no(consent)
    code = np.select(
        [(disclosure == CLOSED).to_numpy(dtype=bool), no, yes & (day < m["start"]).to_numpy(dtype=bool), (disclosure != OPEN).to_numpy(dtype=bool), ~yes],
        [CLOSED_EMPLOYMENT, NO_CONSENT, BEFORE_CONSENT, DISCLOSURE_UNKNOWN, CONSENT_UNKNOWN],
        ALLOWED,
    )
    found = pd.DataFrame({ROW: m[ROW].to_numpy(), "code": code, "employer": m["employer"].to_numpy(), "start": m["start"].to_numpy(), "day": day.to_numpy()})
    return found[found["code"] != ALLOWED].sort_values(ROW).reset_index(drop=True)


def _not_plainly_open(office: "Office", frame: "pd.DataFrame", table: str) -> set:
    """The people of ``frame`` (利用者 or 就労履歴 rows) with a job whose sharing is not
    plainly allowed from its first day: a gate not open, a consent date, or a consent
    the working lives read as unknown (its date column unreadable). (The job before a
    再就職日 on 利用者's columns has no gates, and no employer: job_of_shared_report.)"""
    if frame.empty:
        return set()
    if "事業主共有同意日" in office.places[table].unreadable:
        return set(frame[C.USER_ID].tolist())
    codes = gate_codes(frame[C.DISCLOSURE], frame[C.CONSENT])
    mask = (codes != ALLOWED) | frame[C.CONSENT_FROM].notna().to_numpy(dtype=bool)
    return set(frame.loc[mask, C.USER_ID].tolist())


# --- the office as a whole ----------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """A gate column that cannot be read where the jobs, entries or reports come from."""

    place: Place
    message: str
    fix: str = ""

    def describe(self) -> str:
        return f"{self.place.describe()}: {self.message}"


def missing_gate_columns(office: "Office") -> list[Blocker]:
    """The disclosure and consent columns of the tables the jobs are read from, when
    they are not there at all: no employer copy can be made (validate says it as a
    warning; the claim check does not need them)."""
    found = []
    users = office.users
    without_history = users[C.USER_ID].map(lambda u: not office.lives.has_history(u)).astype(bool)
    sources = ((USERS_TABLE, bool(without_history.any())), (HISTORY_TABLE, len(office.table(HISTORY_TABLE)) > 0))
    for table, used in sources:
        place = office.places[table]
        for column in GATES:
            if used and column not in place.letters and column not in place.unreadable:
                found.append(Blocker(
                    office.place(table, None, column),
                    f"「{column}」の列がありません。分からないものは「共有しない」として扱い、事業主用の帳票は作りません（請求前チェックでは事業主への指摘を出しません）。",
                    f"見出し行に「{column}」の列を加えるか、記録ソフトの見出しが違うなら teichaku.toml の [columns] で対応づけてください",
                ))
    return found


def blockers(office: "Office") -> list[Blocker]:
    """Why no employer copy can be made at all: a gate column missing (``missing_gate_columns``)
    or unreadable — duplicated, under a look-alike name, a column of employer names under
    another header — in a table the jobs, the entries or the reports come from
    (``TablePlace.unreadable``). Empty when copies can be made (each job's own gates decide)."""
    found = missing_gate_columns(office)
    for table in (USERS_TABLE, HISTORY_TABLE, schema.CONTACTS.name, schema.REPORTS.name):
        for column, why in office.places[table].unreadable.items():
            found.append(Blocker(office.place(table, None, column), f"{why}のため読めません"))
    return found


def refuse_if_blocked(office: "Office") -> None:
    """No employer copy at all while a disclosure, consent or sharing column cannot be
    read: which jobs may be shared with, and what, is then unknown (fail closed)."""
    found = blockers(office)
    if found:
        raise TeichakuError(
            "事業主用を作るのに必要な列が読めないため、1件も作りませんでした:\n" + "\n".join(f"- {b.describe()}" for b in found),
            "列の名前を直すか teichaku.toml の [columns] で対応づけ、teichaku validate で確かめてください",
        )
