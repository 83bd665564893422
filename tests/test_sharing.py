"""model/sharing.py, the one place that decides what may reach an employer.

validate asks it column-wise (``share_date_decisions``, ``gate_codes``) for speed; here
those are proven equal to the per-row decisions (``job_of_shared_report`` +
``share_date_decision``, ``gate_code``) on many generated offices, written as CP932
CSV and read as an office is read, that vary every gate value: blank, unreadable (a
value, and a whole column), クローズ, なし, 同意日 before, on and after the 共有日, two
jobs on one day (with and without a named employer), a withdrawal on a later row of the
same employer, a job change in the month, 利用者's columns with a 再就職日. Then the
edges of each rule, one by one."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import write_csvs
from teichaku_cli.model import sharing
from teichaku_cli.model.history import Job, WorkingLife

MONTH = date(2025, 10, 1)
DISCLOSURES = ("オープン", "オープン", "オープン", "クローズ", None, "たぶん")  # たぶん: a value that cannot be read
CONSENTS = ("あり", "あり", "あり", "なし", None, "わからない")
SHARE_DAYS = [date(2025, 10, d) for d in (1, 5, 10, 11, 14, 15, 16, 20, 31)] + [date(2025, 11, 5), date(2025, 9, 30)]
EMPLOYERS = ("甲商事", "乙物流", "丙食品", "丁工業")

# whole gate columns that cannot be read: a look-alike or a second header for them
UNREADABLE_COLUMNS = (
    ("就労履歴", "事業主共有同意", "共有の同意"),
    ("就労履歴", "事業主共有同意日", "同意年月日"),
    ("就労履歴", "障害開示", "※障害開示"),  # a second 障害開示 column (※ is dropped when headers compare)
    ("利用者", "事業主共有同意日", "同意取得日"),
    ("利用者", "障害開示", "障害開示の有無"),
)


def _gates(rng: random.Random, hired: date) -> dict:
    since = rng.choice([None, None, hired, *(d for d in SHARE_DAYS if d >= hired)])
    return {"障害開示": rng.choice(DISCLOSURES), "事業主共有同意": rng.choice(CONSENTS), "事業主共有同意日": since}


def _history(rng: random.Random, uid: str) -> list[dict]:
    """One person's 就労履歴 in one of the shapes that make sharing hard."""
    a, b = rng.sample(EMPLOYERS, 2)
    start = date(2024, 4, 1)
    shape = rng.choice(["one", "change", "same-day", "rehire-same-day", "withdrawal", "gap", "later-consent"])
    change = rng.choice([date(2025, 10, 10), date(2025, 10, 15), date(2025, 10, 31)])
    jobs = []
    if shape == "one":
        jobs = [(a, start, None)]
    elif shape == "change":  # a job change in the month
        jobs = [(a, start, change), (b, change + timedelta(days=1), None)]
    elif shape == "same-day":  # two jobs on one day: the change day is both
        jobs = [(a, start, change), (b, change, None)]
    elif shape == "rehire-same-day":  # the same employer twice on one day
        jobs = [(a, start, change), (a, change, None)]
    elif shape == "withdrawal":  # a later row of the same employer (なし or blank from the next day)
        jobs = [(a, start, change), (a, change + timedelta(days=1), None)]
    elif shape == "gap":
        jobs = [(a, start, date(2025, 10, 10)), (b, date(2025, 10, 20), None)]
    else:  # the same employer again after the month
        jobs = [(a, start, date(2025, 11, 2)), (a, date(2025, 11, 3), None)]
    rows = []
    for employer, hired, left in jobs:
        rows.append({"利用者ID": uid, "事業主": employer, "就職日": hired, "離職日": left, **_gates(rng, hired)})
    if shape == "withdrawal":
        rows[-1]["事業主共有同意"] = rng.choice(["なし", None])
    return rows


def _user(rng: random.Random, uid: str, legacy: bool) -> dict:
    row = {"利用者ID": uid, "氏名": f"利用者{uid}", "利用開始日": date(2024, 10, 1), "就職日": date(2024, 4, 1)}
    if legacy:  # the job(s) on 利用者's own columns: at most two, the first without gates
        rehire = rng.random() < 0.4
        row |= {
            "事業主": rng.choice(EMPLOYERS),
            "離職日": date(2025, 10, 10) if rehire else None,
            "再就職日": date(2025, 10, rng.choice([10, 11, 20])) if rehire else None,
        }
        row |= _gates(rng, row["再就職日"] or row["就職日"])
    return row


def _reports(rng: random.Random, uid: str, employers: list[str]) -> list[dict]:
    """Report rows shared on days around the changes and the consent dates, naming the
    person's employer, another one, or none."""
    rows = []
    for k in range(rng.randint(1, 4)):
        named = rng.choice([None, None, *employers, "戊不動産"])
        rows.append({"利用者ID": uid, "対象月": date(2025, 10 - k, 1), "事業主共有日": rng.choice(SHARE_DAYS), "事業主": named})
    return rows


def generated_office(seed: int, folder: Path) -> Path:
    rng = random.Random(seed)
    users, history, reports = [], [], []
    for i in range(rng.randint(6, 12)):
        uid = f"{seed:03d}{i:02d}"
        legacy = rng.random() < 0.3
        user = _user(rng, uid, legacy)
        users.append(user)
        jobs = [] if legacy else _history(rng, uid)
        history += jobs
        reports += _reports(rng, uid, [j["事業主"] for j in jobs] or [user["事業主"]])
    tables = {
        "利用者": users,
        "就労履歴": history,
        "支援記録": [{"日付": date(2025, 10, 2), "利用者ID": users[0]["利用者ID"], "方法": "電話", "相手": "本人", "内容": "電話", "事業主共有": "不可"}],
        "支援レポート": reports,
    }
    if rng.random() < 0.4:  # a whole gate column that cannot be read
        table, column, header = rng.choice(UNREADABLE_COLUMNS)
        for row in tables[table]:
            row[header] = row.pop(column, None) if not header.startswith("※") else rng.choice(["オープン", "クローズ", None])
    return write_csvs(folder, tables)


def share_decisions_row_by_row(office) -> dict[int, tuple[str, str]]:
    """The definition: each report row with a 事業主共有日, its job, that job's decision."""
    from teichaku_cli.model.office import ROW
    from teichaku_cli.model.rows import as_date, records

    people = {u["利用者ID"]: u for u in records(office.users)}
    found = {}
    reports = office.table("支援レポート")
    for r in records(reports[reports["事業主共有日"].notna()]):
        if r["利用者ID"] not in people:
            continue
        day = as_date(r["事業主共有日"])
        job = sharing.job_of_shared_report(office.lives.of(people[r["利用者ID"]]), day, r["事業主"])
        if job is None:
            continue
        decision = sharing.share_date_decision(job, day)
        if not decision.allowed:
            found[r[ROW]] = (decision.code, decision.reason)
    return found


def test_validate_column_wise_decides_as_the_rows_do(tmp_path):
    import pandas as pd

    from teichaku_cli.model.office import ROW
    from teichaku_cli.office.load import read_office

    seen: set[str] = set()
    unreadable = 0
    for seed in range(60):
        office = read_office(generated_office(seed, tmp_path / str(seed)))
        assert not any(p.structural for p in office.problems), seed
        unreadable += any(office.places[t].unreadable for t in ("利用者", "就労履歴"))
        column_wise = sharing.share_date_decisions(office)
        got = {
            int(r[ROW]): (r["code"], sharing.share_reason(r["code"], r["employer"], pd.Timestamp(r["start"]).date()))
            for _, r in column_wise.iterrows()
        }
        assert got == share_decisions_row_by_row(office), seed
        seen |= {code for code, _ in got.values()}
        for table in ("利用者", "就労履歴"):
            frame = office.table(table)
            codes = sharing.gate_codes(frame["障害開示"], frame["事業主共有同意"]).tolist()
            assert codes == [sharing.gate_code(d, c) for d, c in zip(frame["障害開示"].tolist(), frame["事業主共有同意"].tolist())], (seed, table)
            seen |= set(codes)
    # the offices did vary what they must
    assert seen >= {sharing.CLOSED_EMPLOYMENT, sharing.NO_CONSENT, sharing.BEFORE_CONSENT, sharing.DISCLOSURE_UNKNOWN, sharing.CONSENT_UNKNOWN, sharing.ALLOWED}
    assert unreadable >= 10


def test_validate_finds_every_share_date_the_rows_forbid(tmp_path):
    """What the column-wise form finds is what validate says, row by row."""
    from teichaku_cli.office.load import read_office

    for seed in (3, 17, 42):
        office = read_office(generated_office(seed, tmp_path / str(seed)))
        said = {p.place.row for p in office.problems if p.message.startswith("事業主共有日がありますが")}
        assert said == set(share_decisions_row_by_row(office)), seed


# --- the edges, per rule -------------------------------------------------------------------------


def job(employer="甲商事", hired=date(2024, 4, 1), left=None, disclosure="オープン", consent=True, since=None, row=2) -> Job:
    return Job(employer, hired, left, disclosure, consent, since, "就労履歴", row)


@pytest.mark.parametrize(
    "disclosure, consent, code, fill_in",
    [
        ("オープン", True, sharing.ALLOWED, False),
        ("クローズ", True, sharing.CLOSED_EMPLOYMENT, False),
        ("クローズ", None, sharing.CLOSED_EMPLOYMENT, False),
        (None, True, sharing.DISCLOSURE_UNKNOWN, True),
        ("オープン", False, sharing.NO_CONSENT, False),
        ("オープン", None, sharing.CONSENT_UNKNOWN, True),
        (None, False, sharing.DISCLOSURE_UNKNOWN, True),  # the office fixes the disclosure first
    ],
)
def test_a_copy_needs_both_gates_written_out(disclosure, consent, code, fill_in):
    decision = sharing.copy_decision(job(disclosure=disclosure, consent=consent))
    assert (decision.allowed, decision.code, decision.fill_in) == (code == sharing.ALLOWED, code, fill_in)


@pytest.mark.parametrize("disclosure, consent, fill_in", [("クローズ", None, False), ("オープン", False, False), ("オープン", True, True), (None, None, True)])
def test_a_job_without_an_employer_gets_no_copy_and_the_persons_no_still_stands(disclosure, consent, fill_in):
    decision = sharing.copy_decision(job(employer=None, disclosure=disclosure, consent=consent))
    assert (decision.allowed, decision.code, decision.fill_in) == (False, sharing.EMPLOYER_UNKNOWN, fill_in)


@pytest.mark.parametrize("offset, allowed", [(-1, False), (0, True), (1, True)])
def test_an_entry_is_shared_from_the_day_of_consent(offset, allowed):
    consent = date(2025, 10, 15)
    life = WorkingLife((job(since=consent),), True)
    (copy,) = sharing.employer_copies(life, MONTH, date(2025, 10, 31))
    decision = copy.entry(consent + timedelta(days=offset), None, True)
    assert decision.allowed is allowed and decision.code == (sharing.ALLOWED if allowed else sharing.BEFORE_CONSENT)


@pytest.mark.parametrize("offset, allowed", [(-1, False), (0, True), (1, True)])
def test_an_entry_is_shared_from_the_hire_day_without_a_consent_date(offset, allowed):
    hired = date(2025, 10, 15)
    life = WorkingLife((job(hired=hired),), True)
    (copy,) = sharing.employer_copies(life, MONTH, date(2025, 10, 31))
    assert copy.entry(hired + timedelta(days=offset), "甲商事", True).allowed is allowed


@pytest.mark.parametrize("offset, expected", [(-1, True), (0, True), (1, False)])
def test_a_report_is_expected_by_check_when_consent_holds_by_the_months_last_day(offset, expected):
    last = date(2025, 10, 31)
    assert sharing.report_expected(job(since=last + timedelta(days=offset)), last) is expected
    assert sharing.report_expected(job(disclosure="クローズ"), last) is False
    assert sharing.report_expected(job(consent=None), last) is False


@pytest.mark.parametrize("offset, code", [(-1, sharing.BEFORE_CONSENT), (0, sharing.ALLOWED), (1, sharing.ALLOWED)])
def test_a_share_date_is_allowed_from_the_day_of_consent(offset, code):
    consent = date(2025, 10, 15)
    assert sharing.share_date_decision(job(since=consent), consent + timedelta(days=offset)).code == code


def test_a_withdrawal_on_a_later_row_of_the_employer_ends_the_copy():
    before = job(left=date(2025, 10, 15))
    withdrawn = job(hired=date(2025, 10, 16), consent=False, row=3)
    (copy,) = sharing.employer_copies(WorkingLife((before, withdrawn), True), MONTH, date(2025, 10, 31))
    assert copy.decision.code == sharing.NO_CONSENT and copy.jobs == ()
    # recorded from after the month: the copy is made after it, so still none
    later = job(hired=date(2025, 11, 3), consent=None, row=3)
    (copy,) = sharing.employer_copies(WorkingLife((job(left=date(2025, 11, 2)), later), True), MONTH, date(2025, 10, 31))
    assert copy.decision.code == sharing.CONSENT_UNKNOWN and copy.decision.fill_in


def test_consent_given_only_on_a_later_row_makes_no_copy_of_the_month_and_no_crash():
    """The month's job said なし; a later row of the same employer says あり: the later
    row opens nothing of this month (it used to end in an internal IndexError)."""
    month_job = job(left=date(2025, 10, 31), consent=False)
    later = job(hired=date(2025, 11, 1), consent=True, row=3)
    (copy,) = sharing.employer_copies(WorkingLife((month_job, later), True), MONTH, date(2025, 10, 31))
    assert copy.decision.code == sharing.NO_CONSENT and not copy.decision.fill_in and copy.jobs == ()


def test_a_job_change_gives_each_employer_its_own_entries_only():
    old, new = job(left=date(2025, 10, 10)), job(employer="乙物流", hired=date(2025, 10, 11), row=3)
    copies = sharing.employer_copies(WorkingLife((old, new), True), MONTH, date(2025, 10, 31))
    assert [c.employer for c in copies] == ["甲商事", "乙物流"]
    first, second = copies
    assert first.entry(date(2025, 10, 5), None, True).allowed and not second.entry(date(2025, 10, 5), None, True).allowed
    assert second.entry(date(2025, 10, 5), None, True).code == sharing.OTHER_JOB
    assert not second.entry(date(2025, 10, 20), "甲商事", True).allowed  # about the old employer, dated in the new job
    assert not first.entry(date(2025, 10, 5), None, False).allowed  # not marked 可


def test_no_job_in_the_month_is_the_rules_not_data():
    (copy,) = sharing.employer_copies(WorkingLife((job(left=date(2025, 9, 30)),), True), MONTH, date(2025, 10, 31))
    assert copy.decision.code == sharing.NO_JOB and not copy.decision.fill_in


def test_an_employer_copy_shows_these_entry_fields_and_the_declared_report_fields_only():
    assert sharing.EMPLOYER_ENTRY_FIELDS == ("日付", "方法", "相手", "内容", "結果")

    class Settings:
        employer_fields = ("共有事項",)

    assert sharing.report_fields(Settings()) == ("共有事項",)


def test_report_jobs_itself_refuses_employer_copies_while_a_gate_cannot_be_read(tmp_path):
    """Not only the CLI: a direct call refuses too (and the 本人用 is made)."""
    from teichaku_cli.base.errors import TeichakuError
    from teichaku_cli.documents.build import EMPLOYER_COPY, USER_COPY, report_jobs
    from teichaku_cli.office.load import read_office

    tables = {
        "利用者": [{"利用者ID": "0001", "氏名": "x", "利用開始日": date(2024, 10, 1), "就職日": date(2024, 4, 1), "事業主": "甲商事", "障害開示の有無": "オープン", "事業主共有同意": "あり"}],
        "支援記録": [{"日付": date(2025, 10, 2), "利用者ID": "0001", "方法": "電話", "相手": "本人", "内容": "電話", "事業主共有": "可"}],
    }
    office = read_office(write_csvs(tmp_path / "o", tables))
    with pytest.raises(TeichakuError, match="1件も作りませんでした") as refused:
        report_jobs(office, MONTH, EMPLOYER_COPY, tmp_path / "out", None, date(2025, 11, 5))
    assert "障害開示の有無" in refused.value.message
    assert [j.path is not None for j in report_jobs(office, MONTH, USER_COPY, tmp_path / "out", None, date(2025, 11, 5))] == [True]
    tables["利用者"][0]["障害開示"] = tables["利用者"][0].pop("障害開示の有無")
    office = read_office(write_csvs(tmp_path / "p", tables))
    assert [j.path is not None for j in report_jobs(office, MONTH, EMPLOYER_COPY, tmp_path / "out", None, date(2025, 11, 5))] == [True]
