"""Checks across rows and tables, run after every table was read without
structural problems: unknown or duplicate IDs, dates in an impossible order,
a special user type without its 起算日, a working life (就労履歴) that cannot
be (overlapping jobs, consent outside the job, 利用者 columns that disagree with
it), and a record naming an employer the person did not work for that day."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from teichaku_cli.base.errors import Problem, Touches
from teichaku_cli.model import schema, sharing
from teichaku_cli.model.history import HISTORY_TABLE, USER_JOB_COLUMNS, employer_key
from teichaku_cli.model.office import ROW
from teichaku_cli.model.rows import as_date, records
from teichaku_cli.base.dates import format_wareki_date
from teichaku_cli.model.schema import C

if TYPE_CHECKING:
    from teichaku_cli.model.office import Office

MAX_LISTED = 20


def cross_check(office: "Office") -> list[Problem]:
    problems: list[Problem] = []
    users = office.users
    name = schema.USERS.name
    ids = users[C.USER_ID]

    duplicated = users[ids.notna() & ids.duplicated(keep=False)]
    for user_id, group in duplicated.groupby(C.USER_ID, sort=False):
        rows = group[ROW].tolist()
        for row in rows[1:]:
            problems.append(
                Problem(
                    office.place(name, row, "利用者ID"),
                    f"利用者ID が重複しています（{rows[0]}行目と同じ）。",
                    "1人に1行にしてください。別人なら別の ID を付けてください",
                    value=str(user_id),
                )
            )

    def order(earlier: str, later: str, message: str, fix: str) -> None:
        bad = users[users[earlier].notna() & users[later].notna() & (users[later] < users[earlier])]
        for row, a, b in zip(bad[ROW], bad[earlier], bad[later]):
            problems.append(
                Problem(
                    office.place(name, row, later),
                    message.format(a=format_wareki_date(a.date()), b=format_wareki_date(b.date())),
                    fix,
                    value=b.date().isoformat(),
                )
            )

    order("利用開始日", "利用終了日", "利用終了日（{b}）が利用開始日（{a}）より前です。", "どちらかの日付を直してください")
    order("就職日", "離職日", "離職日（{b}）が就職日（{a}）より前です。", "就職日と離職日を確かめてください")
    order("離職日", "再就職日", "再就職日（{b}）が離職日（{a}）より前です。", "離職日と再就職日を確かめてください")

    orphan_rejob = users[users[C.REHIRED].notna() & users[C.LEFT].isna()]
    for row in orphan_rejob[ROW]:
        problems.append(
            Problem(office.place(name, row, "再就職日"), "再就職日があるのに離職日が空欄です。", "離職日を入力してください")
        )

    special = users[users[C.USER_TYPE].isin(schema.SPECIAL_USER_TYPES) & users[C.BASE_DAY].isna()]
    for row, kind in zip(special[ROW], special[C.USER_TYPE]):
        problems.append(
            Problem(
                office.place(name, row, "起算日"),
                f"利用類型が「{kind}」なのに起算日が空欄です。",
                "労働時間延長支援型は送り出し元サービスの終了日の翌日、復職支援型は復職日を起算日に入力してください",
            )
        )

    unknown, lost_zeros = _unknown_ids(office)
    problems += _working_lives(office, lost_zeros)
    # a gate read as "not shared" changes check's employer findings and report's employer
    # copies: those commands say these warnings too (Touches.SHARING), not only validate
    problems += [Problem(b.place, b.message, b.fix, severity="warning", touches=Touches.SHARING) for b in sharing.missing_gate_columns(office)]
    problems += [dataclasses.replace(p, touches=Touches.SHARING) for p in _blank_gates(office, lost_zeros)]
    problems += _blank_meeting_attendance(office)
    problems += [dataclasses.replace(p, touches=Touches.SHARING) for p in _unnamed_employer_columns(office)]
    problems += _shared_without_consent(office)
    problems += _one_report_per_employer(office)

    problems += unknown
    return problems


def _unknown_ids(office: "Office") -> tuple[list[Problem], set[str]]:
    """Rows of every table whose 利用者ID the 利用者 sheet does not have; and, when
    the 利用者 sheet's own IDs lost their leading zeros, which of its IDs those are
    (their other findings are that one mistake, and are not said again)."""
    name = schema.USERS.name
    problems: list[Problem] = []
    known = set(office.users[C.USER_ID].dropna())
    by_digits: dict[str, str] | None = None  # made only when some table has an unknown ID
    users_lost_zeros: list[tuple[str, str, str]] = []  # (table, its ID, 利用者's ID)
    for table in (schema.HISTORY, schema.CONTACTS, schema.REPORTS, schema.PLANS, schema.MEETINGS, schema.SUBSIDIES, schema.CERTIFICATES, schema.CAP_RESULTS):
        frame = office.table(table.name)
        if frame.empty:
            continue
        col = frame[C.USER_ID]
        strangers = [uid for uid in col.unique().tolist() if isinstance(uid, str) and uid not in known]
        if not strangers:  # the usual case, asked of the distinct IDs only (a 200k-row log has 2,000)
            continue
        unknown = frame[col.isin(strangers)]
        # one ID written two ways, 0001 here and 1 there: a column Excel turned into numbers.
        # Said once, not once per row blaming the rows that are right.
        by_digits = _by_digits(known) if by_digits is None else by_digits
        zeros = {uid: by_digits[_digits(uid)] for uid in set(unknown[C.USER_ID]) if _digits(uid) in by_digits}
        if zeros:
            lost_here = {uid: k for uid, k in zeros.items() if len(uid) < len(k)}
            if lost_here:
                rows = sorted(unknown.loc[unknown[C.USER_ID].isin(lost_here), ROW].tolist())
                problems.append(_lost_zeros(office, table.name, rows, *next(iter(sorted(lost_here.items())))))
            users_lost_zeros += [(table.name, uid, k) for uid, k in zeros.items() if len(uid) > len(k)]
            unknown = unknown[~unknown[C.USER_ID].isin(zeros)]
        listed = 0
        for row, user_id in zip(unknown[ROW], unknown[C.USER_ID]):
            if listed == MAX_LISTED:
                problems.append(
                    Problem(
                        office.place(table.name, None, "利用者ID"),
                        f"利用者シートにない利用者ID がほか{len(unknown) - listed}件あります。",
                        "利用者シートに加えるか、ID を直してください",
                    )
                )
                break
            problems.append(
                Problem(
                    office.place(table.name, row, "利用者ID"),
                    "この利用者ID は利用者シートにありません。",
                    "ID の打ち間違いを直すか、利用者シートにその人を加えてください",
                    value=str(user_id),
                )
            )
            listed += 1
    if users_lost_zeros:
        tables = "・".join(dict.fromkeys(t for t, _, _ in users_lost_zeros))
        _, theirs, ours = min(users_lost_zeros)
        users = office.users
        rows = sorted(users.loc[users[C.USER_ID].isin({o for _, _, o in users_lost_zeros}), ROW].tolist())
        problems.append(_lost_zeros(office, name, rows, ours, theirs, tables))
    return problems, {ours for _, _, ours in users_lost_zeros}


def _digits(uid: str) -> str | None:
    """An all-digit ID without its leading zeros (0001 → 1); None for other IDs."""
    return uid.lstrip("0") or "0" if uid.isdigit() else None


def _by_digits(known: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for uid in known:
        key = _digits(uid)
        if key is not None:
            found.setdefault(key, uid)
    return found


def _lost_zeros(office: "Office", table: str, rows: list[int], short: str, long: str, others: str = "") -> Problem:
    """One problem for a whole column whose IDs lost their leading zeros: where to
    look (the first three rows as Excel numbers them) and how many rows there are."""
    where = "、".join(f"{row}行目" for row in rows[:3]) + ("ほか" if len(rows) > 3 else "")
    count = f"この形の行が{len(rows)}行: {where}"
    if others:  # the 利用者 sheet is the one that lost them
        message = f"利用者シートの利用者ID の先頭の0が消えているようです（Excel で数値になった可能性）。例: {others}シートの「{long}」は、利用者シートの「{short}」と思われます（{count}）。"
    else:
        message = f"利用者ID の先頭の0が消えているようです（Excel で数値になった可能性）。例: この表の「{short}」は、利用者シートの「{long}」と思われます（{count}）。"
    return Problem(
        office.place(table, None, "利用者ID"),
        message,
        "ID の列を「文字列」の書式にしてから 0 を付けた形（例: 0001）で入れ直してください。CSV を Excel で開いて保存すると 0 が消えるため、"
        "記録ソフトから出し直すか、Excel の「データ → テキストまたは CSV から」で ID の列を文字列として読み込んでください",
        value=short,
    )


MOVE_TO_HISTORY = (
    "就労履歴シートがある人は、利用者シートの就職日・離職日・再就職日・事業主・障害開示・事業主共有同意・事業主共有同意日を空欄にしてください"
    "（書くなら就労履歴と同じに。移すときは、1つ目の仕事＝就職日〜離職日、2つ目＝再就職日から を1行ずつ、"
    "事業主・障害開示・事業主共有同意・事業主共有同意日は最後の仕事の行へ）"
)


def _working_lives(office: "Office", lost_zeros: set[str] = frozenset()) -> list[Problem]:
    """Each person's jobs: readable, in order, and one source of truth. People
    whose jobs are 利用者's own columns are checked column-wise; only those with
    就労履歴 rows are walked one by one (few, and their rows need reading together)."""
    users = office.users
    lives = office.lives
    name = schema.USERS.name
    in_history = users[C.USER_ID].map(lives.has_history).astype(bool)
    own = users[~in_history]
    no_hire = [
        Problem(
            office.place(name, row, "就職日"),
            "就職日が空欄で、就労履歴シートにもこの人の仕事がありません。",
            "利用者シートに就職日を入れるか、就労履歴シートに仕事を1行ずつ入れてください",
        )
        for row in own.loc[own[C.HIRED].isna() & ~own[C.USER_ID].isin(lost_zeros), ROW]  # lost zeros: their jobs are under 0001, said once
        if not office.has_problem(name, row, "就職日")  # an unreadable date was reported as such
    ]
    early = own[own[C.HIRED].notna() & own[C.SERVICE_START].notna() & (own[C.SERVICE_START] < own[C.HIRED])]
    before_hire = [_started_before_hire(office, row, s.date(), h.date(), "就職日") for row, s, h in zip(early[ROW], early[C.SERVICE_START], early[C.HIRED])]
    history: list[Problem] = []
    for user in records(users[in_history], (C.SERVICE_START, *USER_JOB_COLUMNS)):
        life = lives.of(user)
        if not life.jobs:
            continue  # every row's 就職日 is blank or unreadable: reported as such where it was read
        first, started = life.jobs[0], as_date(user[C.SERVICE_START])
        if started is not None and started < first.hired:
            before_hire.append(_started_before_hire(office, user[ROW], started, first.hired, f"就労履歴シート {first.row}行目の最初の就職日"))
        history += _jobs_in_order(office, life.jobs)
        history += _agreement(office, user, life)
    return [
        *_at_most(no_hire, office.place(name, None, "就職日"), "就職日が空欄で就労履歴もない人"),
        *_at_most(before_hire, office.place(name, None, "利用開始日"), "利用開始日が就職日より前の人"),
        *_at_most(history, office.place(HISTORY_TABLE, None, None), "就労履歴の問題"),
        *_records_name_their_employer(office),
    ]


def _started_before_hire(office: "Office", row: int, started, hired, source: str) -> Problem:
    return Problem(
        office.place(schema.USERS.name, row, "利用開始日"),
        f"利用開始日（{format_wareki_date(started)}）が{source}（{format_wareki_date(hired)}）より前です。就労定着支援は就職後に利用するサービスです。",
        "就職日と利用開始日を確かめてください",
        value=started.isoformat(),
    )


def _jobs_in_order(office: "Office", jobs) -> list[Problem]:
    problems = []
    for i, job in enumerate(jobs):
        place = lambda column, job=job: office.place(HISTORY_TABLE, job.row, column)  # noqa: E731
        if job.left is not None and job.left < job.hired:
            problems.append(Problem(place("離職日"), f"離職日（{format_wareki_date(job.left)}）が就職日（{format_wareki_date(job.hired)}）より前です。", "就職日と離職日を確かめてください", value=job.left.isoformat()))
        if job.consent_from is not None:
            if job.consent is not True:
                problems.append(Problem(place("事業主共有同意日"), "事業主共有同意日があるのに、事業主共有同意が「あり」ではありません。", "同意を得ていれば事業主共有同意を「あり」に、得ていなければ同意日を消してください", value=job.consent_from.isoformat()))
            elif job.consent_from < job.hired or (job.left is not None and job.consent_from > job.left):
                problems.append(Problem(place("事業主共有同意日"), f"事業主共有同意日（{format_wareki_date(job.consent_from)}）がこの仕事の期間（{format_wareki_date(job.hired)}〜{format_wareki_date(job.left) if job.left else ''}）の外です。", "同意を得た日を確かめてください", value=job.consent_from.isoformat()))
        if i:
            before = jobs[i - 1]
            if before.left is None or job.hired < before.left:
                ended = f"離職日（{format_wareki_date(before.left)}）" if before.left else "離職日（空欄＝今も勤務中）"
                problems.append(
                    Problem(
                        place("就職日"),
                        f"就職日（{format_wareki_date(job.hired)}）が、前の仕事（{before.row}行目、{before.employer}）の{ended}より前で、仕事が重なっています。",
                        "前の仕事の離職日を入れるか、就職日を確かめてください（同じ日に替わるなら、離職日と就職日を同じ日にできます）",
                        value=job.hired.isoformat(),
                    )
                )
    return problems


def _agreement(office: "Office", user: dict, life) -> list[Problem]:
    """利用者's single-job columns, when filled, must say what the 就労履歴 says."""
    jobs = life.jobs
    first, latest = jobs[0], jobs[-1]
    second = jobs[1] if len(jobs) > 1 else None
    expected = {
        "就職日": (first.hired, first),
        "離職日": (first.left, first),
        "再就職日": (second.hired if second else None, second or first),
        "事業主": (latest.employer, latest),
        "障害開示": (latest.disclosure, latest),
        "事業主共有同意": (latest.consent, latest),
        "事業主共有同意日": (latest.consent_from, latest),
    }
    unreadable = {*office.places[schema.USERS.name].unreadable, *office.places[HISTORY_TABLE].unreadable}
    problems = []
    for column, (want, job) in expected.items():
        if column in unreadable:
            continue  # said as a warning where it was read; a column that could not be read agrees with nothing
        have = user[column]
        if have is None or have != have or have == "":
            continue
        have_value = as_date(have) if column in ("就職日", "離職日", "再就職日", "事業主共有同意日") else have
        same = employer_key(have_value) == employer_key(want) if column == "事業主" else have_value == want
        if not same:
            shown = {True: "あり", False: "なし", None: "空欄"}.get(want, want) if column == "事業主共有同意" else (want if want is not None else "空欄")
            problems.append(
                Problem(
                    office.place(schema.USERS.name, user[ROW], column),
                    f"利用者シートの{column}が、就労履歴シート {job.row}行目の「{shown}」と違います。",
                    MOVE_TO_HISTORY,
                    value=str(have_value if not isinstance(have_value, bool) else ("あり" if have_value else "なし")),
                )
            )
    return problems


def _records_name_their_employer(office: "Office") -> list[Problem]:
    """A 事業主 written on a support entry (or a report) must be the employer the
    person worked for on that date (that month), else the record's job is unknown.
    Column-wise: each distinct name is normalised once and the rows are matched to
    the named person's jobs with that employer in one join (an export may name the
    employer on every one of a million rows)."""
    import numpy as np
    import pandas as pd

    problems: list[Problem] = []
    lives = office.lives
    checks = ((schema.CONTACTS.name, "日付", False), (schema.REPORTS.name, "対象月", True))
    people = None
    for table, column, whole_month in checks:
        if "事業主" not in office.places[table].letters:
            continue  # the column is optional, and most exports do not have it
        frame = office.table(table)
        named = frame.loc[(frame[C.EMPLOYER] != "") & frame[C.EMPLOYER].notna() & frame[column].notna(), [C.USER_ID, column, C.EMPLOYER, ROW]]
        if named.empty:
            continue
        codes, uniques = pd.factorize(named[C.EMPLOYER])
        named = named.assign(key=np.array([employer_key(u) for u in uniques], dtype=object)[codes])
        named = named[named["key"] != ""]
        if people is None:
            people = {u[C.USER_ID]: u for u in records(office.users, USER_JOB_COLUMNS)}
        named = named[named[C.USER_ID].isin(set(people))]  # an unknown ID is reported on its own
        rows = [
            (uid, employer_key(job.employer), pd.Timestamp(job.hired), pd.Timestamp(job.left) if job.left else pd.NaT)
            for uid in set(named[C.USER_ID].tolist())
            for job in lives.of(people[uid]).jobs if job.employer
        ]
        jobs = pd.DataFrame(rows, columns=["利用者ID", "key", "hired", "left"]).astype({"hired": "datetime64[ns]", "left": "datetime64[ns]"})
        joined = named.merge(jobs, on=[C.USER_ID, "key"], how="inner")
        first = joined[column]
        last = (first + pd.offsets.MonthEnd(0)) if whole_month else first
        fits = joined.loc[(joined["hired"] <= last) & (joined["left"].isna() | (joined["left"] >= first)), ROW]
        wrong = named[~named[ROW].isin(set(fits))].sort_values(ROW)
        listed: list[Problem] = []
        for uid, employer, row in zip(wrong[C.USER_ID][: MAX_LISTED + 1], wrong[C.EMPLOYER], wrong[ROW]):
            life = lives.of(people[uid])
            worked = "、".join(sorted({j.employer for j in life.jobs if j.employer})) or "（事業主の記録なし）"
            listed.append(
                Problem(
                    office.place(table, int(row), "事業主"),
                    f"この日（月）にこの人が勤めていた事業主ではありません（就労履歴の事業主: {worked}）。",
                    "事業主の名前を就労履歴と同じに直すか、空欄にしてください（空欄なら日付でその日の仕事とみなします）",
                    value=str(employer),
                )
            )
        problems += _at_most(listed, office.place(table, None, "事業主"), "勤務先と合わない事業主", total=len(wrong))
    return problems


def _blank_gates(office: "Office", lost_zeros: set[str] = frozenset()) -> list[Problem]:
    """A blank disclosure (or, where the job is open, a blank consent) means no employer
    copy for that job (sharing.gate_code): said as a warning, cell by cell, so the office
    can fill it in. A cell that could not be read was already reported."""
    found: list[Problem] = []
    users = office.users
    own = users[~users[C.USER_ID].map(office.lives.has_history).astype(bool) & ~users[C.USER_ID].isin(lost_zeros)]
    for table, frame in ((schema.USERS.name, own), (HISTORY_TABLE, office.table(HISTORY_TABLE))):
        place = office.places[table]
        if frame.empty:
            continue
        gates = sharing.gate_codes(frame[C.DISCLOSURE], frame[C.CONSENT])
        for column, code, message, fix in (
            ("障害開示", sharing.DISCLOSURE_UNKNOWN, "障害開示が空欄です。分からないものは開示していないものとして扱い、事業主への連絡・共有は求めず、事業主用の帳票も作りません。", "オープン か クローズ を入力してください"),
            ("事業主共有同意", sharing.CONSENT_UNKNOWN, "障害開示はオープンですが、事業主共有同意が空欄です。同意なしとして扱い、事業主用の帳票は作りません。", "本人に確かめて あり か なし を入力してください"),
        ):
            if column not in place.letters:
                continue  # a missing column is said once (sharing.missing_gate_columns)
            blanks = [Problem(office.place(table, row, column), message, fix, severity="warning") for row in frame.loc[gates == code, ROW] if not office.has_problem(table, row, column)]
            found += _at_most(blanks, office.place(table, None, column), f"「{column}」が空欄の行")
    return found


def _unnamed_employer_columns(office: "Office") -> list[Problem]:
    """A column of the log or the reports under a header teichaku does not know
    (事業所, 会社名, 訪問先 …) whose cells name the people's employers: it says
    which job a record is about, and left unread a record about the old employer,
    dated in the new job, would reach the new employer's copy. Found by its values,
    not its header (no list of words is ever complete): the 事業主 column of that
    table is then unreadable, so no employer copy is made until it is named."""
    names = {employer_key(v) for table in (schema.USERS.name, HISTORY_TABLE) for v in office.table(table)[C.EMPLOYER].dropna().unique()}
    names.discard("")
    if not names:
        return []
    known = {c.name for table in schema.TABLES for c in table.columns} | {ROW}
    problems: list[Problem] = []
    for table in (schema.CONTACTS.name, schema.REPORTS.name):
        frame, place = office.table(table), office.places[table]
        for header in [c for c in frame.columns if c not in known]:
            values = frame[header].dropna().unique()
            hit = next((v for v in values if employer_key(v) in names), None)
            if hit is None or "事業主" in place.unreadable:
                continue
            place.unreadable[C.EMPLOYER] = f"見出し「{header}」の列（勤務先の名前が入っている）"
            problems.append(
                Problem(
                    office.place(table, None, None),
                    f"見出し「{header}」の列に勤務先の名前（「{hit}」など）が入っていますが、teichaku の列名ではないため、"
                    "記録がどの勤務先のことか読めません。読めない列は「共有しない」として扱い、事業主用の帳票は作りません。",
                    f"勤務先の列なら見出しを「事業主」にするか、teichaku.toml の [columns] に \"{header}\" = \"事業主\" と書いてください",
                    value=header,
                    severity="warning",
                )
            )
    return problems


def _blank_meeting_attendance(office: "Office") -> list[Problem]:
    """A ケース会議 whose サービス管理責任者参加 is blank earns no 会議の加算 (check says
    so per month): said here cell by cell, to be filled in before the claim."""
    name, column = schema.MEETINGS.name, "サービス管理責任者参加"
    frame = office.table(name)
    if frame.empty or column not in office.places[name].letters:
        return []
    blanks = [
        Problem(
            office.place(name, row, column),
            "サービス管理責任者参加が空欄です。空欄の会議は地域連携会議実施加算（R3 は定着支援連携促進加算）に数えません。",
            "はい か いいえ を入力してください",
            severity="warning",
        )
        for row in frame.loc[frame[column].isna(), ROW]
        if not office.has_problem(name, row, column)
    ]
    return _at_most(blanks, office.place(name, None, column), "サービス管理責任者参加が空欄の行")


def _shared_without_consent(office: "Office") -> list[Problem]:
    """A 支援レポート marked as shared with an employer the user works for closed
    (クローズ), or without consent (なし, or before the 同意日): an error naming the row;
    with the disclosure or the consent blank or unreadable: a warning naming the row.
    What was allowed is sharing.share_date_decision's, column-wise (share_date_decisions)."""
    import pandas as pd

    decided = sharing.share_date_decisions(office)
    if decided.empty:
        return []
    wrong = decided["code"].isin(sharing.SHARE_ERRORS)
    bad, unknown = decided[wrong], decided[~wrong]

    def problem(r, fix: str, severity: str) -> Problem:
        start = pd.Timestamp(r["start"]).date()
        return Problem(
            office.place(schema.REPORTS.name, int(r[ROW]), "事業主共有日"),
            f"事業主共有日がありますが、{sharing.share_reason(r['code'], r['employer'], start)}。",
            fix,
            value=pd.Timestamp(r["day"]).date().isoformat(),
            severity=severity,
        )

    problems = [
        problem(r, "共有していなければ事業主共有日を消してください。開示・同意が変わったなら就労履歴（または利用者シート）を直してください", "error")
        for _, r in bad.head(MAX_LISTED + 1).iterrows()
    ]
    unsure = [
        problem(r, "就労履歴（または利用者シート）の障害開示・事業主共有同意を入れてください。共有していなければ事業主共有日を消してください", "warning")
        for _, r in unknown.head(MAX_LISTED + 1).iterrows()
    ]
    return [
        *_at_most(problems, office.place(schema.REPORTS.name, None, "事業主共有日"), "開示・同意のない仕事の事業主共有日", total=len(bad)),
        *_at_most(unsure, office.place(schema.REPORTS.name, None, "事業主共有日"), "開示・同意が空欄の仕事の事業主共有日", total=len(unknown)),
    ]


def _at_most(problems: list[Problem], place, what: str, total: int | None = None) -> list[Problem]:
    """The first MAX_LISTED, then one line counting the rest (a whole export can repeat one
    mistake); ``total`` when the caller stopped making problems before the last one."""
    total = len(problems) if total is None else total
    if total <= MAX_LISTED:
        return problems
    rest = total - MAX_LISTED
    return problems[:MAX_LISTED] + [Problem(place, f"{what}がほか{rest}件あります。", "上の例と同じように直してください", severity=problems[0].severity)]


def _one_report_per_employer(office: "Office") -> list[Problem]:
    """A month has one 支援レポート row per user, or — in a month with a job change — one
    per employer, each naming it: otherwise which row an employer may see is a guess."""
    reports = office.table(schema.REPORTS.name)
    twice = reports[reports.duplicated([C.USER_ID, C.MONTH], keep=False) & reports[C.USER_ID].notna()]
    problems: list[Problem] = []
    for _, group in twice.groupby([C.USER_ID, C.MONTH], sort=False):
        keys = [employer_key(e) for e in group[C.EMPLOYER]]
        if all(keys) and len(set(keys)) == len(keys):
            continue  # one row per employer: fine
        rows = group[ROW].tolist()
        for row in rows[1:]:
            problems.append(Problem(
                office.place(schema.REPORTS.name, int(row), "対象月"),
                f"同じ利用者・同じ対象月の支援レポートが{len(rows)}行あります（{rows[0]}行目と同じ）。どの行をどの事業主に見せるか決められません。",
                "1行にまとめてください。月の途中で転職した月だけは、事業主ごとに1行にして、それぞれの「事業主」列に事業主を書いてください",
            ))
    return _at_most(problems, office.place(schema.REPORTS.name, None, "対象月"), "同じ月の支援レポートの行")
