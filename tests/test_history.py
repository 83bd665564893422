"""A person's working life (就労履歴) and the periods counted as the 民法 counts
them, through check, rate, due and validate: the three stories of the issue from
xlsx and CP932 CSV input, job changes (continuous, a gap, twice, after the
reference date, before the service began), disclosure and consent per job, and
the records that name their employer."""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import write_csvs, write_xlsx
from rules_helpers import build, good_month, merge
from teichaku_cli.office.load import load_office, read_office
from teichaku_cli.base.dates import format_wareki_date
from teichaku_cli.rules.monthly import check_month
from teichaku_cli.rules.retention import compute_rate, retention_record

TODAY = date(2026, 11, 22)
CONFIG = '"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 10.0\n'


def write_office(tmp_path, tables, kind: str):
    """The same office as an xlsx workbook or as CP932 CSVs with 和暦 dates."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "office.xlsx", tables)
        (tmp_path / "teichaku.toml").write_text(CONFIG, encoding="utf-8")
        return path
    wareki = lambda d, i: (format_wareki_date(d), f"{d.year}/{d.month}/{d.day}")[i % 2]  # noqa: E731
    folder = write_csvs(tmp_path / "csv", tables, encoding="cp932", date_style=wareki)
    (folder / "teichaku.toml").write_text(CONFIG, encoding="utf-8")
    return folder


def findings(office, month) -> dict[str, str]:
    (user,) = check_month(office, month, TODAY).users
    return {f.code: f.severity for f in user.findings}


def job(uid, employer, hired, left=None, disclosure="オープン", consent="あり", **kw):
    return {"利用者ID": uid, "事業主": employer, "就職日": hired, "離職日": left, "障害開示": disclosure, "事業主共有同意": consent, **kw}


def without_job_columns(tables):
    """The user's row without the single-job columns (the history holds them)."""
    for row in tables["利用者"]:
        for column in ("就職日", "事業主", "障害開示", "事業主共有同意", "離職日", "再就職日"):
            row.pop(column, None)
    return tables


# --- the three stories, from xlsx and CP932 CSV -------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("hired", [date(2024, 8, 31), date(2024, 8, 29)])
def test_hired_on_the_29th_or_31st_is_usable_from_march_not_february(tmp_path, kind, hired):
    # six months with the hire day as day 1 end on 2025-02-28: the service can be used from 03-01
    feb, mar = date(2025, 2, 1), date(2025, 3, 1)
    tables = merge(good_month("0001", feb, 就職日=hired, 利用開始日=date(2025, 2, 28)), good_month("0001", mar))
    tables["利用者"] = tables["利用者"][:1]
    office = load_office(write_office(tmp_path, tables, kind))
    assert findings(office, feb) == {"before-eligibility": "error"}
    assert "before-eligibility" not in findings(office, mar)
    (user,) = check_month(office, feb, TODAY).users
    message = user.findings[0].message
    assert "令和7年2月28日に満ち" in message and "令和7年3月1日から" in message


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_return_to_work_on_march_31st_counts_that_day_as_day_one(tmp_path, kind):
    # 復職日 2025-03-31 is day 1: six months end 09-30, the service can be used from 10-01
    sep, oct_ = date(2025, 9, 1), date(2025, 10, 1)
    user = dict(就職日=date(2019, 4, 1), 利用開始日=date(2025, 9, 15), 利用類型="復職支援型", 起算日=date(2025, 3, 31))
    tables = merge(good_month("0001", sep, **user), good_month("0001", oct_, **user))
    tables["利用者"] = tables["利用者"][:1]
    office = load_office(write_office(tmp_path, tables, kind))
    assert findings(office, sep) == {"before-eligibility": "error"}
    assert "before-eligibility" not in findings(office, oct_)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_left_on_june_30th_and_re_employed_on_july_31st_is_a_job_change(tmp_path, kind):
    # the month after a 離職日 of 06-30 runs 07-01 … 07-31: re-employment on 07-31 is inside it
    jul = date(2025, 7, 1)
    user = dict(就職日=date(2024, 4, 1), 利用開始日=date(2024, 10, 1), 離職日=date(2025, 6, 30), 再就職日=date(2025, 7, 31))
    tables = good_month("0001", jul, **user)
    office = load_office(write_office(tmp_path, tables, kind))
    assert "left-job" not in findings(office, jul)
    person = compute_rate(office, 2025, TODAY).people[0]
    assert person.retained is True and "就労継続とみなす" in person.reason
    # one day later is not a change but a loss, for the claim and the rate
    tables["利用者"][0]["再就職日"] = date(2025, 8, 1)
    office = load_office(write_office(tmp_path / "later", tables, kind))
    assert findings(office, jul)["left-job"] == "error"
    assert compute_rate(office, 2025, TODAY).people[0].retained is False


def test_the_story_that_moved_an_office_down_a_tier(tmp_path):
    # 20 people, one of whom left 06-30 and was re-employed 07-31: 20/20 is 9割5分以上, not 19/20 … 9割
    users = [
        {"利用者ID": f"{i:04d}", "氏名": f"利用者{i}", "就職日": date(2023, 4, 3), "利用開始日": date(2023, 10, 3), "障害開示": "オープン", "事業主共有同意": "あり"}
        for i in range(1, 21)
    ]
    users[0].update(離職日=date(2025, 6, 30), 再就職日=date(2025, 7, 31))
    office = build(tmp_path, {"利用者": users, "支援記録": [{"日付": date(2024, 1, 5), "利用者ID": "0001", "方法": "対面", "相手": "本人"}]})
    result = compute_rate(office, 2025, TODAY)
    assert (result.numerator, result.denominator, result.tier.label) == (20, 20, "9割5分以上")


# --- job changes through the history ------------------------------------------------------

START = date(2024, 10, 1)
MONTH = date(2025, 10, 1)


def history_office(tmp_path, jobs, month=MONTH, config=CONFIG, **user):
    tables = good_month("0001", month, 就職日=date(2024, 4, 1), 利用開始日=START, **user)
    tables["就労履歴"] = jobs
    return build(tmp_path, without_job_columns(tables), config)


def test_two_job_changes_the_second_is_beyond_the_policy(tmp_path):
    jobs = [
        job("0001", "一商店", date(2024, 4, 1), date(2025, 3, 31)),
        job("0001", "二物流", date(2025, 4, 10), date(2025, 8, 20)),
        job("0001", "三工業", date(2025, 9, 1)),
    ]
    office = history_office(tmp_path, jobs)
    found = findings(office, MONTH)
    assert found["left-job"] == "error"  # re-employed, but the second change during use is not counted as continuous
    (user,) = check_month(office, MONTH, TODAY).users
    message = next(f.message for f in user.findings if f.code == "left-job")
    assert "利用開始後2回目の転職" in message and "1回まで" in message
    person = compute_rate(office, 2025, TODAY).people[0]
    assert person.retained is False and "利用開始後2回目の転職" in person.reason
    assert [left for left, _ in person.moves] == [date(2025, 3, 31), date(2025, 8, 20)]
    # the first change alone (03-31 → 04-10) is continuous: May is claimable
    assert "left-job" not in findings(history_office(tmp_path, jobs, month=date(2025, 5, 1)), date(2025, 5, 1))


def test_a_change_before_the_service_began_does_not_count_toward_the_policy(tmp_path):
    jobs = [
        job("0001", "一商店", date(2024, 4, 1), date(2024, 6, 30)),
        job("0001", "二物流", date(2024, 7, 15), date(2025, 5, 31)),  # before 利用開始日: not counted
        job("0001", "三工業", date(2025, 6, 20)),  # the first change during use
    ]
    office = history_office(tmp_path, jobs)
    assert "left-job" not in findings(office, MONTH)
    assert compute_rate(office, 2025, TODAY).people[0].retained is True


def test_a_gap_longer_than_the_month_is_leaving_for_every_later_month(tmp_path):
    jobs = [job("0001", "一商店", date(2024, 4, 1), date(2025, 6, 10)), job("0001", "二物流", date(2025, 8, 20))]
    office = history_office(tmp_path, jobs)
    assert findings(office, date(2025, 6, 1)).get("left-job") == "warning"  # left in the month
    assert findings(office, date(2025, 7, 1))["left-job"] == "error"
    assert findings(office, date(2025, 10, 1))["left-job"] == "error"  # even once re-employed
    (user,) = check_month(office, date(2025, 10, 1), TODAY).users
    assert "1か月（令和7年7月10日まで）を過ぎている" in next(f.message for f in user.findings if f.code == "left-job")
    # and a later job never re-anchors eligibility: counted from the first hire
    assert "before-eligibility" not in findings(office, date(2025, 10, 1))


def test_re_employed_after_the_reference_date_inside_the_month_counts_as_retained(tmp_path):
    jobs = [job("0001", "一商店", date(2024, 4, 1), date(2026, 3, 20)), job("0001", "二物流", date(2026, 4, 15))]
    office = history_office(tmp_path, jobs)
    person = compute_rate(office, 2025, TODAY).people[0]
    assert person.retained is True
    assert "令和8年4月15日に再就職" in person.reason and "就労継続とみなす" in person.reason
    # checked in March, the month of leaving: re-employed inside the month after, so no finding
    assert "left-job" not in findings(office, date(2026, 3, 1))


def test_left_with_nothing_on_record_is_a_warning_that_says_until_when(tmp_path):
    jobs = [job("0001", "一商店", date(2024, 4, 1), date(2025, 10, 20))]
    office = history_office(tmp_path, jobs)
    (user,) = check_month(office, MONTH, date(2025, 11, 20)).users  # checked while a rehire can still count
    left = next(f for f in user.findings if f.code == "left-job")
    assert left.severity == "warning" and "令和7年11月20日までに再就職すれば" in left.message
    (user,) = check_month(office, MONTH, date(2025, 11, 21)).users  # once that day has passed, not offered
    left = next(f for f in user.findings if f.code == "left-job")
    assert left.severity == "warning" and "までに再就職すれば" not in left.message


def test_disclosure_and_consent_belong_to_the_job(tmp_path):
    # open with consent at the first employer, closed at the second: the employer is asked for only in the first job's months
    jobs = [
        job("0001", "一商店", date(2024, 4, 1), date(2025, 7, 31)),
        job("0001", "二物流", date(2025, 8, 15), disclosure="クローズ", consent="なし"),
    ]
    june, october = date(2025, 6, 1), date(2025, 10, 1)
    tables = merge(good_month("0001", june, 就職日=date(2024, 4, 1), 利用開始日=START), good_month("0001", october))
    tables["利用者"] = tables["利用者"][:1]
    tables["支援記録"] = [r for r in tables["支援記録"] if r["相手"] == "本人"]  # no employer contact at all
    tables["支援レポート"] = [dict(r, 事業主共有日=None) for r in tables["支援レポート"]]
    tables["就労履歴"] = jobs
    office = build(tmp_path, without_job_columns(tables), CONFIG)
    assert findings(office, june) == {"employer-report-share-missing": "warning", "employer-contact-missing": "warning"}
    assert findings(office, october) == {}  # closed at 二物流: nothing is asked of that employer
    (user,) = check_month(office, june, TODAY).users
    assert all("一商店" in f.message for f in user.findings)


def test_an_employer_contact_counts_only_for_the_job_it_was_about(tmp_path):
    # changed jobs in October: the visit on 10-05 was to the old employer, so the new one was not contacted
    jobs = [job("0001", "一商店", date(2024, 4, 1), date(2025, 10, 10)), job("0001", "二物流", date(2025, 10, 20))]
    office = history_office(tmp_path, jobs)
    assert "employer-contact-missing" in findings(office, MONTH)  # good_month's visit is on 10-12: between the jobs
    tables = good_month("0001", MONTH, 就職日=date(2024, 4, 1), 利用開始日=START)
    tables["支援記録"][1]["日付"] = date(2025, 10, 25)  # a visit while at 二物流
    tables["支援レポート"][0]["事業主"] = "二物流"
    tables["就労履歴"] = jobs
    assert findings(build(tmp_path, without_job_columns(tables), CONFIG), MONTH) == {}


def test_the_single_job_columns_describe_the_latest_job_only(tmp_path):
    # 利用者's columns with a 再就職日: the earlier job has no employer, disclosure or consent on record
    user = dict(就職日=date(2024, 4, 1), 利用開始日=START, 離職日=date(2025, 11, 30), 再就職日=date(2025, 12, 10))
    office = build(tmp_path, good_month("0001", MONTH, **user), CONFIG)
    (user_row,) = office.users.to_dict("records")
    life = office.lives.of(user_row)
    first, second = life.jobs
    assert (first.employer, first.disclosure, first.consent) == (None, None, None)
    assert (second.disclosure, second.consent, second.hired) == ("オープン", True, date(2025, 12, 10))
    assert findings(office, MONTH) == {}  # the earlier job's disclosure is unknown: no employer warnings


def test_blank_disclosure_is_unknown_not_open(tmp_path):
    tables = good_month("0001", MONTH, 就職日=date(2024, 4, 1), 利用開始日=START)
    tables["利用者"][0]["障害開示"] = None
    tables["支援記録"] = tables["支援記録"][:1]
    office = build(tmp_path, tables, CONFIG)
    assert "employer-contact-missing" not in findings(office, MONTH)


def test_the_retention_record_counts_the_job_in_force_when_service_ended(tmp_path):
    users = [{"利用者ID": "0001", "氏名": "甲", "利用開始日": date(2021, 3, 1), "利用終了日": date(2024, 2, 29)}]
    jobs = [job("0001", "一商店", date(2020, 8, 31), date(2021, 5, 31)), job("0001", "二物流", date(2021, 6, 15))]
    office = build(tmp_path, {"利用者": users, "就労履歴": jobs, "支援記録": [{"日付": date(2021, 3, 5), "利用者ID": "0001", "方法": "対面", "相手": "本人"}]})
    (person,) = retention_record(office, 2024).people  # reference 2025-03-31
    # 二物流 from 2021-06-15: 3年6か月 end 2024-12-14, before the reference date
    assert person.counted is True and "二物流" in person.reason
    (person,) = retention_record(office, 2023).people  # reference 2024-03-31: not yet 3y6m at 二物流
    assert person.counted is False and "3年6か月に届かない" in person.reason


def test_due_shows_the_last_day_a_re_employment_still_counts(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-10-25")
    tables = good_month("0001", MONTH, 就職日=date(2024, 4, 1), 利用開始日=START)
    tables["就労履歴"] = [job("0001", "一商店", date(2024, 4, 1), date(2025, 10, 20))]
    folder = write_csvs(tmp_path / "o", without_job_columns(tables))
    result = invoke("due", folder, "--json")
    assert result.exit_code == 0, result.output
    items = {d["kind"]: d for d in json.loads(result.stdout)["deadlines"]}
    assert items["rehire-window"]["date"] == "2025-11-20"
    assert "再就職すれば転職として就労継続" in items["rehire-window"]["label"]


# --- validate -------------------------------------------------------------------------------


def problems(tmp_path, tables) -> list[str]:
    path = write_xlsx(tmp_path / f"v{len(list(tmp_path.iterdir()))}.xlsx", tables)
    return [p.describe() for p in read_office(path).problems]


def test_history_rows_that_cannot_be(tmp_path):
    tables = without_job_columns(good_month("0001", MONTH, 就職日=date(2024, 4, 1), 利用開始日=START))
    tables["就労履歴"] = [
        job("0001", "一商店", date(2024, 4, 1), date(2025, 3, 31), 事業主共有同意日=date(2024, 3, 1)),  # consent before the job
        job("0001", "二物流", date(2025, 3, 1)),  # begins before the first ended
        job("0001", "三工業", date(2026, 1, 10), date(2025, 12, 1), consent="なし", 事業主共有同意日=date(2026, 1, 10)),
    ]
    found = problems(tmp_path, tables)
    assert any("就労履歴」 2行目" in p and "事業主共有同意日" in p and "の外です" in p for p in found)
    assert any("就労履歴」 3行目" in p and "仕事が重なっています" in p and "2行目、一商店" in p for p in found)
    assert any("就労履歴」 4行目" in p and "離職日" in p and "就職日" in p and "より前" in p for p in found)
    assert any("就労履歴」 4行目" in p and "同意日があるのに" in p for p in found)


def test_user_columns_must_agree_with_the_history_and_name_both_places(tmp_path):
    tables = good_month("0001", MONTH, 就職日=date(2024, 4, 2), 利用開始日=START)  # 利用者 says 04-02
    tables["利用者"][0]["障害開示"] = "オープン"
    tables["就労履歴"] = [job("0001", "一商店", date(2024, 4, 1), disclosure="クローズ", consent="なし")]
    found = problems(tmp_path, tables)
    hire = next(p for p in found if "「就職日」" in p and "就労履歴シート 2行目" in p)
    assert "利用者」 2行目" in hire and "空欄にしてください" in hire and "1行ずつ" in hire
    assert any("「障害開示」" in p and "「クローズ」と違います" in p for p in found)
    assert any("「事業主共有同意」" in p and "「なし」と違います" in p for p in found)
    # blank or equal columns are fine (and a closed job's report is not shared with it)
    tables["利用者"][0].update(就職日=date(2024, 4, 1), 障害開示=None, 事業主共有同意=None, 事業主=None)
    tables["支援レポート"][0]["事業主共有日"] = None
    assert problems(tmp_path, tables) == []


def test_a_record_naming_an_employer_the_person_did_not_work_for_then(tmp_path):
    tables = without_job_columns(good_month("0001", MONTH, 就職日=date(2024, 4, 1), 利用開始日=START))
    tables["就労履歴"] = [job("0001", "㈱一商店", date(2024, 4, 1), date(2025, 10, 10)), job("0001", "二物流", date(2025, 10, 20))]
    tables["支援記録"][0]["事業主"] = "（株）一商店"  # 10-05, the same name after NFKC: fine
    tables["支援記録"][1]["事業主"] = "一商店"  # 10-12: nobody's day
    tables["支援レポート"][0]["事業主"] = "三工業"
    found = problems(tmp_path, tables)
    assert len(found) == 2
    assert "支援記録」 3行目" in found[0] and "値「一商店」" in found[0] and "㈱一商店、二物流" in found[0]
    assert "支援レポート」 2行目" in found[1] and "値「三工業」" in found[1]


def test_unknown_user_in_the_history(tmp_path):
    tables = good_month("0001", MONTH, 就職日=date(2024, 4, 1), 利用開始日=START)
    tables["就労履歴"] = [job("0099", "一商店", date(2024, 4, 1))]
    assert any("就労履歴」 2行目" in p and "0099" in p for p in problems(tmp_path, tables))


def test_init_adds_the_history_sheet(invoke, tmp_path):
    assert invoke("init", tmp_path / "new").exit_code == 0
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "new" / "office.xlsx")
    assert [c.value for c in wb["就労履歴"][1]][:4] == ["利用者ID", "事業主", "就職日", "離職日"]


def test_two_rows_for_one_employer_are_one_employment(tmp_path):
    """Disclosure recorded from a later day is a second row for the same employer: not a job change,
    and the 3年6か月 with that employer counts from the first row."""
    jobs = [
        job("0001", "㈱一商店", date(2024, 4, 1), date(2025, 3, 31), disclosure="クローズ", consent="なし"),
        job("0001", "(株)一商店", date(2025, 4, 1)),  # the same employer, now disclosed
    ]
    office = history_office(tmp_path, jobs, month=MONTH)
    assert "left-job" not in findings(office, MONTH)
    person = compute_rate(office, 2025, TODAY).people[0]
    assert person.retained is True and "転職" not in person.reason
    # a real change later is then the first during use, not the second
    more = jobs[:1] + [job("0001", "(株)一商店", date(2025, 4, 1), date(2025, 8, 31)), job("0001", "二物流", date(2025, 9, 10))]
    assert "left-job" not in findings(history_office(tmp_path, more, month=MONTH), MONTH)


def test_the_retention_record_counts_one_employer_across_its_rows(tmp_path):
    users = [{"利用者ID": "0001", "氏名": "甲", "利用開始日": date(2021, 3, 1), "利用終了日": date(2024, 2, 29)}]
    jobs = [job("0001", "一商店", date(2020, 6, 1), date(2022, 5, 31), disclosure="クローズ", consent="なし"), job("0001", "一商店", date(2022, 6, 1))]
    office = build(tmp_path, {"利用者": users, "就労履歴": jobs, "支援記録": [{"日付": date(2021, 3, 5), "利用者ID": "0001", "方法": "対面", "相手": "本人"}]})
    (person,) = retention_record(office, 2024).people  # 3年6か月 from 2020-06-01 ends 2023-11-30
    assert person.counted is True and "令和2年6月1日就職" in person.reason


def test_a_history_row_without_a_readable_hire_date_is_reported_not_a_crash(invoke, tmp_path):
    tables = without_job_columns(good_month("0001", MONTH, 就職日=date(2024, 4, 1), 利用開始日=START))
    tables["就労履歴"] = [job("0001", "一商店", "不明")]
    folder = write_csvs(tmp_path / "o", tables, encoding="utf-8")
    result = invoke("validate", folder)
    assert result.exit_code == 1 and "就労履歴" in result.output and "不明" in result.output, result.output
    assert "内部エラー" not in result.output


def test_the_rate_is_not_final_while_a_re_employment_could_still_count(tmp_path):
    jobs = [job("0001", "一商店", date(2024, 4, 1), date(2026, 3, 31))]
    office = history_office(tmp_path, jobs)
    early = compute_rate(office, 2025, date(2026, 4, 10))
    assert early.projection is True and any("令和8年4月30日までに再就職すれば" in n for n in early.notes)
    later = compute_rate(office, 2025, date(2026, 5, 1))
    assert later.projection is False and later.people[0].retained is False


def test_the_rehire_by_note_is_only_shown_while_a_rehire_can_still_count():
    from teichaku_cli.model.history import Job, WorkingLife
    from teichaku_cli.rules.employment import employment_on
    from teichaku_cli.model.rulebook import rules_for

    life = WorkingLife((Job("甲", date(2023, 4, 1), date(2025, 3, 30), "オープン", True, None, "就労履歴", 2),), True)
    rules = rules_for(date(2025, 3, 31))
    for today, shown in ((date(2025, 4, 29), True), (date(2025, 4, 30), True), (date(2025, 5, 1), False)):
        status = employment_on(life, date(2025, 3, 31), date(2023, 10, 1), rules, today=today)
        assert status.employed is False and status.rehire_by == date(2025, 4, 30)
        assert ("までに再就職すれば" in status.reason) is shown, today


def test_one_employer_rehired_on_the_last_day_of_the_month_after_leaving_is_one_employment():
    """Rows of one employer count as one employment when the next begins by the last day of
    the month after leaving (離職日の翌日から1か月): a later real job change is then the first
    during use (continuous), not the second. Rehired the day after that: the person had left."""
    from teichaku_cli.model.history import Job, WorkingLife
    from teichaku_cli.model.rulebook import rules_for
    from teichaku_cli.rules.employment import employment_on

    rules = rules_for(date(2025, 10, 1))

    def life(rehired: date) -> WorkingLife:
        return WorkingLife(
            (
                Job("一商店", date(2023, 4, 1), date(2025, 3, 31), "クローズ", False, None, "就労履歴", 2),
                Job("一商店", rehired, date(2025, 8, 31), "オープン", True, None, "就労履歴", 3),
                Job("二物流", date(2025, 9, 10), None, "オープン", True, None, "就労履歴", 4),
            ),
            True,
        )

    on_the_last_day = employment_on(life(date(2025, 4, 30)), date(2025, 10, 31), date(2023, 10, 1), rules)
    assert on_the_last_day.employed is True and on_the_last_day.changes == ((date(2025, 8, 31), date(2025, 9, 10)),)
    a_day_late = employment_on(life(date(2025, 5, 1)), date(2025, 10, 31), date(2023, 10, 1), rules)
    assert a_day_late.employed is False and a_day_late.left_on == date(2025, 3, 31)
