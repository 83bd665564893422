"""The monthly rules at their edges: the day before, of and after each
threshold, in an R3 and an R6 month, for open and closed (クローズ) employment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules_helpers import build, good_month, merge
from teichaku_cli.base.dates import month_end
from teichaku_cli.rules.monthly import check_month
from teichaku_cli.model.rulebook import RulesUnavailable

TODAY = date(2026, 11, 22)
R6_MONTH = date(2025, 10, 1)
R3_MONTH = date(2023, 10, 1)
BOTH = pytest.mark.parametrize("month", [R6_MONTH, R3_MONTH], ids=["R6", "R3"])
CONFIG = '"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 10.0\n'
# every rule's edges in an R6 and an R3 month, for open and closed (クローズ) employment
EVERY = pytest.mark.parametrize(
    "month, disclosure",
    [(R6_MONTH, "オープン"), (R6_MONTH, "クローズ"), (R3_MONTH, "オープン"), (R3_MONTH, "クローズ")],
    ids=["R6-open", "R6-closed", "R3-open", "R3-closed"],
)


def at(day: date, month: date) -> date:
    """A date of the October 2025 examples, moved to the same place around ``month``."""
    return day.replace(year=day.year + month.year - R6_MONTH.year)


def codes(tmp_path, tables, month, config=CONFIG):
    result = check_month(build(tmp_path, tables, config), month, TODAY)
    (user,) = result.users
    return {f.code: f.severity for f in user.findings}


@BOTH
def test_a_good_month_has_no_findings(tmp_path, month):
    assert codes(tmp_path, good_month("0001", month), month) == {}


@BOTH
def test_face_to_face_needs_the_user_in_person_or_by_video(tmp_path, month):
    tables = good_month("0001", month)
    tables["支援記録"][0]["方法"] = "電話"
    assert codes(tmp_path, tables, month)["face-to-face-missing"] == "error"
    tables["支援記録"][0]["方法"] = "メール"
    assert "face-to-face-missing" in codes(tmp_path, tables, month)
    tables["支援記録"][0]["方法"] = "テレビ電話"
    assert "face-to-face-missing" not in codes(tmp_path, tables, month)


def test_face_to_face_with_family_does_not_count(tmp_path):
    tables = good_month("0001", R6_MONTH)
    tables["支援記録"][0]["相手"] = "家族"
    assert "face-to-face-missing" in codes(tmp_path, tables, R6_MONTH)


@EVERY
def test_face_to_face_on_the_months_edges(tmp_path, month, disclosure):
    tables = good_month("0001", month, 障害開示=disclosure)
    for day, missing in ((date(2025, 9, 30), True), (date(2025, 10, 1), False), (date(2025, 10, 31), False), (date(2025, 11, 1), True)):
        tables["支援記録"][0]["日付"] = at(day, month)
        assert ("face-to-face-missing" in codes(tmp_path, tables, month)) is missing, day


@EVERY
def test_report_counts_for_the_month_it_was_handed_over(tmp_path, month, disclosure):
    tables = good_month("0001", month, 障害開示=disclosure)
    # the October report handed over on November 2 counts for November, not October
    for day, missing in ((date(2025, 9, 30), True), (date(2025, 10, 1), False), (date(2025, 10, 31), False), (date(2025, 11, 2), True)):
        tables["支援レポート"][0]["本人提供日"] = at(day, month)
        assert (codes(tmp_path, tables, month).get("report-missing") == "error") is missing, day


@BOTH
def test_employer_share_and_contact_only_asked_for_open_employment(tmp_path, month):
    tables = good_month("0001", month)
    tables["支援記録"] = tables["支援記録"][:1]  # no employer contact
    tables["支援レポート"][0]["事業主共有日"] = None
    found = codes(tmp_path, tables, month)
    assert found == {"employer-report-share-missing": "warning", "employer-contact-missing": "warning"}
    tables["利用者"][0]["障害開示"] = "クローズ"
    assert codes(tmp_path, tables, month) == {}


@pytest.mark.parametrize("month", [R6_MONTH, date(2025, 2, 1), date(2024, 2, 1), R3_MONTH], ids=["R6", "Feb28", "Feb29", "R3"])
@pytest.mark.parametrize("after_last_day, asked", [(0, True), (1, False)], ids=["consent-on-the-last-day", "consent-the-next-day"])
def test_employer_share_is_asked_for_when_consent_holds_by_the_months_last_day(tmp_path, month, after_last_day, asked):
    """A consent from the month's last day covers the month's report; from the next day, it does not."""
    tables = good_month("0001", month, 事業主共有同意日=month_end(month) + timedelta(days=after_last_day))
    tables["支援レポート"][0]["事業主共有日"] = None
    assert ("employer-report-share-missing" in codes(tmp_path, tables, month)) is asked


def test_employer_share_needs_consent(tmp_path):
    tables = good_month("0001", R6_MONTH, 事業主共有同意="なし")
    tables["支援レポート"][0]["事業主共有日"] = None
    assert codes(tmp_path, tables, R6_MONTH) == {}


@EVERY
def test_plan_missing_when_first_plan_is_after_the_month(tmp_path, month, disclosure):
    tables = good_month("0001", month, 障害開示=disclosure)
    for day, missing in ((date(2025, 10, 30), False), (date(2025, 10, 31), False), (date(2025, 11, 1), True)):
        tables["支援計画"][0]["作成日"] = at(day, month)
        assert (codes(tmp_path, tables, month).get("plan-missing") == "error") is missing, day


@BOTH
@pytest.mark.parametrize(
    "plan_day, overdue",
    [
        (date(2025, 4, 29), True),  # day 1 = 04-30: the six months end 10-29, before the month's last day
        (date(2025, 4, 30), False),  # day 1 = 05-01: whole months, ending 10-31
        (date(2025, 5, 1), False),  # ends 11-01
        (date(2025, 4, 1), True),  # ends 10-01
    ],
)
def test_plan_review_every_six_months(tmp_path, month, plan_day, overdue):
    shift = month.year - R6_MONTH.year
    tables = good_month("0001", month)
    tables["支援計画"][0]["作成日"] = plan_day.replace(year=plan_day.year + shift)
    assert ("plan-review-overdue" in codes(tmp_path, tables, month)) is overdue


def test_plan_review_month_end_edge(tmp_path):
    # plan on 2025-03-31: + 6 months = 2025-09-30 = September's last day → not overdue in September
    month = date(2025, 9, 1)
    tables = good_month("0001", month)
    tables["支援計画"][0]["作成日"] = date(2025, 3, 31)
    assert "plan-review-overdue" not in codes(tmp_path, tables, month)
    tables = good_month("0001", R6_MONTH)
    tables["支援計画"][0]["作成日"] = date(2025, 3, 31)
    assert "plan-review-overdue" in codes(tmp_path, tables, R6_MONTH)


@EVERY
@pytest.mark.parametrize(
    "hired, started, blocked",
    [
        (date(2025, 4, 1), date(2025, 10, 1), False),  # usable from 2025-10-01: October is fine
        (date(2025, 4, 2), date(2025, 10, 1), True),  # usable from 2025-10-02: October starts before
        (date(2025, 3, 31), date(2025, 10, 1), False),
        (date(2025, 4, 2), date(2025, 10, 2), False),  # the service itself starts on the first usable day
    ],
)
def test_eligibility_six_months_after_hire(tmp_path, month, disclosure, hired, started, blocked):
    tables = good_month("0001", month, 就職日=at(hired, month), 利用開始日=at(started, month), 障害開示=disclosure)
    assert ("before-eligibility" in codes(tmp_path, tables, month)) is blocked


@EVERY
def test_eligibility_from_the_kisanbi_for_special_types(tmp_path, month, disclosure):
    for kind in ("労働時間延長支援型", "復職支援型"):
        user = dict(就職日=at(date(2020, 4, 1), month), 利用開始日=at(date(2025, 10, 1), month), 利用類型=kind, 障害開示=disclosure)
        tables = good_month("0001", month, 起算日=at(date(2025, 4, 2), month), **user)
        assert "before-eligibility" in codes(tmp_path, tables, month)
        tables["利用者"][0]["起算日"] = at(date(2025, 4, 1), month)
        assert "before-eligibility" not in codes(tmp_path, tables, month)


@BOTH
@pytest.mark.parametrize(
    "started, beyond",
    [
        ((2022, 9, 30), True),  # last day 2025-09-29
        ((2022, 10, 1), True),  # last day 2025-09-30: October starts after it
        ((2022, 10, 2), False),  # last day 2025-10-01: October starts on it
    ],
)
def test_three_years_of_use(tmp_path, month, started, beyond):
    shift = month.year - R6_MONTH.year
    start = date(started[0] + shift, started[1], started[2])
    tables = good_month("0001", month, 就職日=date(start.year, 3, 1), 利用開始日=start)
    found = codes(tmp_path, tables, month)
    assert ("beyond-3-years" in found) is beyond, found


@BOTH
@pytest.mark.parametrize(
    "hired, beyond",
    [
        ((2022, 3, 31), True),
        ((2022, 4, 1), True),  # + 3y6m − 1 day = 2025-09-30: October starts after it
        ((2022, 4, 2), False),  # last day 2025-10-01
    ],
)
def test_three_years_six_months_after_hire(tmp_path, month, hired, beyond):
    shift = month.year - R6_MONTH.year
    hire = date(hired[0] + shift, hired[1], hired[2])
    tables = good_month("0001", month, 就職日=hire, 利用開始日=date(hire.year + 1, 1, 1))
    found = codes(tmp_path, tables, month)
    assert ("beyond-3y6m" in found) is beyond, found


@BOTH
@pytest.mark.parametrize(
    "left, code, severity",
    [
        ((2025, 9, 30), "left-job", "error"),  # the day before the month
        ((2025, 10, 1), "left-job", "warning"),  # inside the month
        ((2025, 10, 31), "left-job", "warning"),
        ((2025, 11, 1), None, None),  # after the month
    ],
)
def test_left_job(tmp_path, month, left, code, severity):
    shift = month.year - R6_MONTH.year
    tables = good_month("0001", month, 離職日=date(left[0] + shift, *left[1:]))
    found = codes(tmp_path, tables, month)
    assert found.get("left-job") == severity


@EVERY
@pytest.mark.parametrize(
    "rehired, job_change",
    [
        (date(2025, 10, 29), True),
        (date(2025, 10, 31), True),  # 離職 09-30: the month after runs 10-01 … 10-31 (民法140条本文・143条)
        (date(2025, 11, 1), False),  # one day too late: left
        (date(2025, 10, 1), True),
    ],
)
def test_job_change_within_one_month_is_not_leaving(tmp_path, month, disclosure, rehired, job_change):
    tables = good_month("0001", month, 離職日=at(date(2025, 9, 30), month), 再就職日=at(rehired, month), 障害開示=disclosure)
    assert ("left-job" not in codes(tmp_path, tables, month)) is job_change


@BOTH
def test_job_coach_subsidy_month_blocks_only_that_month(tmp_path, month):
    tables = merge(good_month("0001", month), {"助成金": [{"利用者ID": "0001", "対象月": month}]})
    assert codes(tmp_path, tables, month)["job-coach-subsidy-month"] == "error"
    tables["助成金"][0]["対象月"] = date(month.year, month.month + 1, 1)
    assert "job-coach-subsidy-month" not in codes(tmp_path, tables, month)


def handoff_tables(end: date, handoff: date | None = None, month: date = R6_MONTH, disclosure: str = "オープン"):
    tables = good_month("0001", month, 要継続支援="はい", 利用終了日=at(end, month), 障害開示=disclosure)
    if handoff:
        tables["支援記録"].append({"日付": at(handoff, month), "利用者ID": "0001", "方法": "対面", "相手": "関係機関", "区分": "引継ぎ"})
    return tables


@EVERY
@pytest.mark.parametrize(
    "end, shown",
    [
        # deadline = end − 3 months; the finding shows from deadline − 3 months on
        (date(2026, 4, 30), True),  # deadline 2026-01-30, shown from 2025-10-30 (inside October)
        (date(2026, 5, 1), False),  # deadline 2026-02-01, shown from 2025-11-01 (the day after October)
        (date(2026, 1, 31), True),  # deadline 2025-10-31, the month's last day
    ],
)
def test_handoff_reported_from_three_months_before_the_deadline(tmp_path, month, disclosure, end, shown):
    found = codes(tmp_path, handoff_tables(end, month=month, disclosure=disclosure), month)
    assert found.get("handoff-due") == ("warning" if shown else None)


@EVERY
def test_handoff_done_by_the_deadline_clears_it(tmp_path, month, disclosure):
    end = date(2026, 1, 31)  # deadline 2025-10-31
    variant = dict(month=month, disclosure=disclosure)
    assert "handoff-due" in codes(tmp_path, handoff_tables(end, **variant), month)
    assert "handoff-due" not in codes(tmp_path, handoff_tables(end, date(2025, 10, 30), **variant), month)
    assert "handoff-due" not in codes(tmp_path, handoff_tables(end, date(2025, 10, 31), **variant), month)
    assert "handoff-due" in codes(tmp_path, handoff_tables(end, date(2025, 11, 1), **variant), month)  # too late


def test_handoff_past_the_deadline_warns_of_the_office_wide_reduction(tmp_path):
    result = check_month(build(tmp_path, handoff_tables(date(2025, 12, 31)), CONFIG), R6_MONTH, TODAY)
    (finding,) = [f for f in result.users[0].findings if f.code == "handoff-due"]
    assert finding.severity == "warning" and "期限を過ぎています" in finding.message and "支援体制構築未実施減算" in finding.message


def test_handoff_not_needed_without_the_flag(tmp_path):
    tables = handoff_tables(date(2026, 1, 31))
    tables["利用者"][0]["要継続支援"] = "いいえ"
    assert "handoff-due" not in codes(tmp_path, tables, R6_MONTH)


def meetings(*days: date, manager: str = "はい"):
    return {"ケース会議": [{"日付": d, "利用者ID": "0001", "参加機関": "ハローワーク", "サービス管理責任者参加": manager} for d in days]}


def units_of(tmp_path, tables, month=R6_MONTH, config=CONFIG):
    result = check_month(build(tmp_path, tables, config), month, TODAY)
    return result, result.users[0]


@BOTH
@pytest.mark.parametrize(
    "days, capped",
    [
        (((2025, 10, 1), (2025, 10, 31)), True),  # the month's first and last days: two in the month
        (((2025, 9, 30), (2025, 10, 1)), False),  # the day before: September's
        (((2025, 10, 31), (2025, 11, 1)), False),  # the day after: November's
    ],
)
def test_meeting_cap_one_a_month(tmp_path, month, days, capped):
    held = [at(date(*d), month) for d in days]
    _, user = units_of(tmp_path, merge(good_month("0001", month), meetings(*held)), month)
    assert ("meeting-cap" in [f.code for f in user.findings]) is capped
    assert [l.key for l in user.lines].count("meeting_with_manager") == 1


def test_meeting_cap_four_a_fiscal_year(tmp_path):
    earlier = [date(2025, m, 10) for m in (4, 5, 6, 7)]
    tables = merge(good_month("0001", R6_MONTH), meetings(*earlier, date(2025, 10, 3)))
    _, user = units_of(tmp_path, tables)
    assert "meeting-cap" in [f.code for f in user.findings]
    assert "meeting_with_manager" not in [l.key for l in user.lines]
    # the previous fiscal year's meetings do not count
    tables = merge(good_month("0001", R6_MONTH), meetings(*[date(2025, m, 10) for m in (1, 2, 3)], date(2025, 4, 10), date(2025, 10, 3)))
    _, user = units_of(tmp_path, tables)
    assert "meeting-cap" not in [f.code for f in user.findings]


def test_meeting_year_cap_counts_meetings_earned_not_held(tmp_path):
    """Two meetings in April earn one (one a month); with May and June that is three
    earned, so July's is the fourth and still earns."""
    month = date(2025, 7, 1)
    held = [date(2025, 4, 3), date(2025, 4, 20), date(2025, 5, 10), date(2025, 6, 10), date(2025, 7, 10)]
    _, user = units_of(tmp_path, merge(good_month("0001", month), meetings(*held)), month)
    assert "meeting-cap" not in [f.code for f in user.findings]
    assert [l.key for l in user.lines].count("meeting_with_manager") == 1
    # a fifth month: the year's four are used up
    held.append(date(2025, 8, 10))
    _, user = units_of(tmp_path, merge(good_month("0001", date(2025, 8, 1)), meetings(*held)), date(2025, 8, 1))
    assert "meeting-cap" in [f.code for f in user.findings]


def test_r3_meeting_without_the_manager_neither_earns_nor_uses_the_cap(tmp_path):
    month = date(2023, 7, 1)
    held = meetings(date(2023, 4, 10), date(2023, 5, 10), date(2023, 6, 10), manager="いいえ")
    held["ケース会議"] += meetings(date(2023, 4, 20), date(2023, 7, 3), date(2023, 7, 20))["ケース会議"]
    _, user = units_of(tmp_path, merge(good_month("0001", month), held), month)
    # earned so far: April's with the manager only; July: one earns, the second is over the month's cap
    assert [(l.key, l.units) for l in user.lines if l.key.startswith("meeting")] == [("meeting_with_manager", 579)]
    assert "meeting-cap" in [f.code for f in user.findings]


def test_meeting_with_the_manager_blank_is_not_assumed_to_have_them(tmp_path):
    """A blank サービス管理責任者参加 claims neither (I) nor (II): (II) needs a 支援員 who
    attended and shared the result with the manager, which a blank does not say."""
    _, user = units_of(tmp_path, merge(good_month("0001", R6_MONTH), meetings(date(2025, 10, 3), manager="")))
    assert [l for l in user.lines if l.key.startswith("meeting")] == []
    assert "meeting-attendance-unknown" in [f.code for f in user.findings]
    _, user = units_of(tmp_path, merge(good_month("0001", R3_MONTH), meetings(date(2023, 10, 3), manager="")), R3_MONTH)
    assert [l for l in user.lines if l.key.startswith("meeting")] == []


def test_meeting_units_i_and_ii_in_r6_and_manager_required_in_r3(tmp_path):
    _, user = units_of(tmp_path, merge(good_month("0001", R6_MONTH), meetings(date(2025, 10, 3), manager="いいえ")))
    assert [(l.key, l.units) for l in user.lines if l.key.startswith("meeting")] == [("meeting_without_manager", 405)]
    _, user = units_of(tmp_path, merge(good_month("0001", R3_MONTH), meetings(date(2023, 10, 3), manager="いいえ")), R3_MONTH)
    assert [l for l in user.lines if l.key.startswith("meeting")] == []
    _, user = units_of(tmp_path, merge(good_month("0001", R3_MONTH), meetings(date(2023, 10, 3))), R3_MONTH)
    assert [(l.key, l.units) for l in user.lines if l.key.startswith("meeting")] == [("meeting_with_manager", 579)]


def test_units_base_and_additions(tmp_path):
    tables = good_month("0001", R6_MONTH, 一体的運営="いいえ", 特別地域="はい", 利用開始日=date(2025, 10, 1), 就職日=date(2025, 4, 1))
    result, user = units_of(tmp_path, tables, config=CONFIG + '"就労定着実績体制加算" = true\n')
    assert {l.key: l.units for l in user.lines} == {"base": 3512, "initial": 900, "special_area": 240, "retention_record": 300}
    assert user.units == 4952 and result.yen(user.units) == 49520


@BOTH
def test_initial_addition_once_in_the_first_claimed_month(tmp_path, month):
    """初期加算 goes with the first month that can be claimed: a blocked first month
    claims nothing, so it moves to the next (issue 3: "once, first claimed month")."""
    september = at(date(2025, 9, 1), month)
    user = dict(一体的運営="いいえ", 利用開始日=september, 就職日=at(date(2025, 3, 1), month))

    def two_months(**kw):
        tables = merge(good_month("0001", september, **kw), good_month("0001", month, **kw))
        tables["利用者"] = tables["利用者"][:1]  # one user, two months of records
        return tables

    # September claimable: the add-on went with September, not October
    _, in_september = units_of(tmp_path, two_months(**user), september)
    _, in_october = units_of(tmp_path, two_months(**user), month)
    assert "initial" in [l.key for l in in_september.lines] and "initial" not in [l.key for l in in_october.lines]
    # September blocked (no face-to-face): nothing was claimed, October carries it
    blocked_september = two_months(**user)
    blocked_september["支援記録"] = [r for r in blocked_september["支援記録"] if not (r["日付"] < month and r["相手"] == "本人")]
    _, in_october = units_of(tmp_path, blocked_september, month)
    assert "initial" in [l.key for l in in_october.lines]
    # from a sending office run together with this one: never
    _, in_september = units_of(tmp_path, two_months(**{**user, "一体的運営": "はい"}), september)
    assert "initial" not in [l.key for l in in_september.lines]


def test_reduction_is_ten_percent_of_the_base_rounded(tmp_path):
    config = '"基本報酬区分" = "3割未満"\n"支援体制構築未実施減算" = true\n'
    _, user = units_of(tmp_path, good_month("0001", R6_MONTH), config=config)
    assert {l.key: l.units for l in user.lines} == {"base": 1074, "reduction_no_handoff_system": -107}


def test_yen_is_units_times_unit_price_rounded_down(tmp_path):
    result, user = units_of(tmp_path, good_month("0001", R6_MONTH), config='"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 11.2\n')
    assert result.yen(3512) == 39334  # 39,334.4 → 39,334


def test_months_before_r3_are_refused(tmp_path):
    office = build(tmp_path, good_month("0001", date(2021, 3, 1)), CONFIG)
    with pytest.raises(RulesUnavailable) as info:
        check_month(office, date(2021, 3, 1), TODAY)
    assert "2021年4月" in info.value.describe()


def test_rule_set_switches_on_april_2024(tmp_path):
    office = build(tmp_path, merge(good_month("0001", date(2024, 3, 1))), "")
    assert check_month(office, date(2024, 3, 1), TODAY).rules.id == "R3"
    assert check_month(office, date(2024, 4, 1), TODAY).rules.id == "R6"


def test_only_users_whose_service_overlaps_the_month_are_listed(tmp_path):
    tables = merge(
        good_month("0001", R6_MONTH, 利用終了日=date(2025, 9, 30)),  # ended the day before
        good_month("0002", R6_MONTH, 利用終了日=date(2025, 10, 1)),  # ended on the first day
        good_month("0003", R6_MONTH, 利用開始日=date(2025, 10, 31), 就職日=date(2025, 3, 1)),  # starts on the last day
        good_month("0004", R6_MONTH, 利用開始日=date(2025, 11, 1), 就職日=date(2025, 3, 1)),  # starts the day after
    )
    result = check_month(build(tmp_path, tables, CONFIG), R6_MONTH, TODAY)
    assert [u.user_id for u in result.users] == ["0002", "0003"]


def test_tier_computed_from_the_data_when_not_set(tmp_path):
    # claims in FY2025 use the rate closing FY2024: window 2022-04-01 … 2025-03-31, reference 2025-03-31
    people = [
        good_month(f"{i:04d}", R6_MONTH, 就職日=date(2022, 10, 1), 利用開始日=date(2023, 4, 1)) for i in range(1, 20)
    ] + [good_month("0020", R6_MONTH, 就職日=date(2022, 10, 1), 利用開始日=date(2023, 4, 1), 離職日=date(2025, 3, 31), 利用終了日=date(2025, 3, 31))]
    result = check_month(build(tmp_path, merge(*people), ""), R6_MONTH, TODAY)
    assert result.tier.rate == pytest.approx(0.95) and str(result.tier.rate) == "19/20"
    assert result.tier.tier.units == 3512
    assert "19/20" in result.tier.how


def test_r3_office_above_twenty_users_has_no_known_table(tmp_path):
    month = date(2023, 10, 1)
    people = [good_month(f"{i:04d}", month, 就職日=date(2021, 1, 1), 利用開始日=date(2021, 7, 1)) for i in range(1, 23)]
    result = check_month(build(tmp_path, merge(*people), ""), month, TODAY)
    assert result.tier.band == "利用者数21人以上40人以下"
    assert result.tier.tier.units is None and "資料にない" in result.tier.how
    assert all(not u.base_known for u in result.users)
    assert all("base" not in [l.key for l in u.lines] for u in result.users)


def test_r3_tier_set_in_the_config_uses_the_offices_own_band(tmp_path):
    """The labels repeat in every R3 band: 「9割5分以上」 for an office averaging more
    than 20 users must not take the ≤20 table's units."""
    month = date(2023, 10, 1)
    people = [good_month(f"{i:04d}", month, 就職日=date(2021, 1, 1), 利用開始日=date(2021, 7, 1)) for i in range(1, 23)]
    result = check_month(build(tmp_path, merge(*people), CONFIG), month, TODAY)
    assert result.tier.band == "利用者数21人以上40人以下" and result.tier.tier.units is None
    assert "資料にない" in result.tier.how
    assert all("base" not in [l.key for l in u.lines] for u in result.users)
    # 20 users: the ≤20 table is known
    result = check_month(build(tmp_path, merge(*people[:20]), CONFIG), month, TODAY)
    assert result.tier.tier.units is not None and result.users[0].lines[0].key == "base"


def test_a_late_handoff_in_r3_does_not_threaten_a_reduction_r3_did_not_have(tmp_path):
    tables = handoff_tables(date(2025, 12, 31), month=R3_MONTH)  # deadline 2023-09-30: past in October 2023
    result = check_month(build(tmp_path, tables, CONFIG), R3_MONTH, TODAY)
    (finding,) = [f for f in result.users[0].findings if f.code == "handoff-due"]
    assert "期限を過ぎています" in finding.message and "減算" not in finding.message
    assert "3か月前" in finding.message


def test_durations_in_messages_come_from_the_rule_files(tmp_path):
    from teichaku_cli.base.dates import span_label

    assert [span_label(m) for m in (3, 6, 12, 36, 42, 78)] == ["3か月", "6か月", "1年", "3年", "3年6か月", "6年6か月"]
    tables = good_month("0001", R6_MONTH)
    tables["支援計画"][0]["作成日"] = date(2025, 4, 1)
    result = check_month(build(tmp_path, tables, CONFIG), R6_MONTH, TODAY)
    (finding,) = [f for f in result.users[0].findings if f.code == "plan-review-overdue"]
    assert "から6か月を超えています" in finding.message and "{" not in finding.message


def test_no_initial_addition_when_the_log_begins_after_the_users_start(tmp_path):
    """An export holding only recent months cannot show whether 初期加算 was claimed
    at the start: it is not offered (a second one would be a wrong claim)."""
    tables = good_month("0001", R6_MONTH, 一体的運営="いいえ", 利用開始日=date(2023, 4, 1), 就職日=date(2022, 10, 1))
    _, user = units_of(tmp_path, tables)
    assert "initial" not in [l.key for l in user.lines]
    # a phone call in April 2023: the log now reaches back, and every month since had no face-to-face
    tables["支援記録"].append({"日付": date(2023, 4, 3), "利用者ID": "0001", "方法": "電話", "相手": "本人", "区分": "支援"})
    _, user = units_of(tmp_path, tables)
    assert "initial" in [l.key for l in user.lines]


def test_a_handoff_recorded_late_is_said_so_and_not_asked_for_again(tmp_path):
    """The story of issue 15: the handoff message ignored a handoff recorded late."""
    # end 2025-12-31 → deadline 2025-09-30; handed over on 2025-10-10
    result = check_month(build(tmp_path, handoff_tables(date(2025, 12, 31), date(2025, 10, 10)), CONFIG), R6_MONTH, TODAY)
    (finding,) = [f for f in result.users[0].findings if f.code == "handoff-due"]
    assert "令和7年10月10日に記録されていますが、期限より後です" in finding.message
    assert "支援体制構築未実施減算" in finding.message and "できるだけ早く引き継いで" not in finding.message
    r3 = check_month(build(tmp_path, handoff_tables(date(2025, 12, 31), date(2025, 10, 10), month=R3_MONTH), CONFIG), R3_MONTH, TODAY)
    (finding,) = [f for f in r3.users[0].findings if f.code == "handoff-due"]
    assert "期限より後です" in finding.message and "できるだけ早く引き継いで" not in finding.message  # R3: no reduction, nothing more to do


@pytest.mark.parametrize("manager, named", [("いいえ", "地域連携会議実施加算（Ⅱ）"), ("はい", "地域連携会議実施加算（Ⅰ）")])
def test_the_meeting_cap_names_the_addition_of_the_meetings_over_it(tmp_path, manager, named):
    """The story of issue 15: the message named (Ⅰ) for a meeting that was (Ⅱ)."""
    _, user = units_of(tmp_path, merge(good_month("0001", R6_MONTH), meetings(date(2025, 10, 2), date(2025, 10, 20), manager=manager)))
    (finding,) = [f for f in user.findings if f.code == "meeting-cap"]
    assert named in finding.message and ("（Ⅰ）" if manager == "いいえ" else "（Ⅱ）") not in finding.message


@BOTH
@pytest.mark.parametrize("face_day, report_day, found", [
    (10, 10, set()),  # on 利用終了日 itself: inside
    (11, 10, {"face-to-face-outside-service"}),
    (10, 11, {"report-outside-service"}),
    (9, 25, {"report-outside-service"}),  # the last report handed after the service ended
])
def test_support_after_the_end_of_use_does_not_count(tmp_path, month, face_day, report_day, found):
    tables = good_month("0001", month, 利用終了日=month.replace(day=10))
    tables["支援記録"][0]["日付"] = month.replace(day=face_day)
    tables["支援レポート"][0]["本人提供日"] = month.replace(day=report_day)
    got = codes(tmp_path, tables, month)
    assert {c for c in got if c.endswith("outside-service")} == found
    assert all(got[c] == "error" for c in found)


@BOTH
@pytest.mark.parametrize("day, outside", [(19, True), (20, False), (21, False)])
def test_support_before_the_start_of_use_does_not_count(tmp_path, month, day, outside):
    hired = date(month.year - 1, 1, 1)  # long eligible: only 利用開始日 decides
    tables = good_month("0001", month, 就職日=hired, 利用開始日=month.replace(day=20))
    tables["支援記録"][0]["日付"] = month.replace(day=day)
    tables["支援レポート"][0]["本人提供日"] = month_end(month)
    tables["支援計画"][0]["作成日"] = month.replace(day=20)
    got = codes(tmp_path, tables, month)
    assert ("face-to-face-outside-service" in got) is outside
    assert "report-outside-service" not in got


@pytest.mark.parametrize("day, outside", [(13, False), (14, False), (15, True)])
def test_support_after_the_limits_of_use_does_not_count(tmp_path, day, outside):
    # 就職日 2023-10-15, 利用開始日 2024-04-15: 3年6か月 and 3年 both end on 2027-04-14 (民法143条);
    # April 2027 can be claimed for the support up to that day, not after it
    month = date(2027, 4, 1)
    tables = good_month("0001", month, 就職日=date(2023, 10, 15), 利用開始日=date(2024, 4, 15))
    tables["支援記録"][0]["日付"] = month.replace(day=day)
    tables["支援レポート"][0]["本人提供日"] = month.replace(day=day)
    got = codes(tmp_path, tables, month)
    assert ("face-to-face-outside-service" in got) is outside and ("report-outside-service" in got) is outside
    assert "beyond-3-years" not in got and "beyond-3y6m" not in got  # the month itself is still inside


def test_a_month_wholly_outside_the_service_has_only_its_own_finding(tmp_path):
    month = date(2025, 10, 1)
    tables = good_month("0001", month, 就職日=date(2025, 5, 1), 利用開始日=date(2025, 10, 1))  # usable from 11-01
    got = codes(tmp_path, tables, month)
    assert "before-eligibility" in got and not any(c.endswith("outside-service") for c in got)


@BOTH
@pytest.mark.parametrize("review_day, late", [(1, None), (2, None), (3, 1), (29, 27)])
def test_a_review_made_late_in_the_month_is_claimed_and_said(tmp_path, month, review_day, late):
    # plan on the 2nd, six months before: the review is due on the month's 2nd (翌日起算)
    tables = good_month("0001", month)
    before = month.replace(year=month.year - (month.month <= 6), month=(month.month - 7) % 12 + 1, day=2)
    tables["支援計画"] = [{"利用者ID": "0001", "作成日": before}, {"利用者ID": "0001", "作成日": month.replace(day=review_day)}]
    result = check_month(build(tmp_path, tables, CONFIG), month, TODAY)
    (user,) = result.users
    found = {f.code: f for f in user.findings}
    assert "plan-review-overdue" not in found and user.claimable
    if late is None:
        assert "plan-review-late" not in found
    else:
        assert found["plan-review-late"].severity == "warning" and f"{late}日遅れています" in found["plan-review-late"].message


def test_due_says_a_review_this_month_still_saves_the_month(invoke, tmp_path, monkeypatch):
    import json

    from conftest import write_csvs

    monkeypatch.setenv("TEICHAKU_TODAY", "2025-09-10")
    tables = good_month("0001", date(2025, 9, 1))
    tables["支援計画"][0]["作成日"] = date(2025, 3, 2)  # review due 2025-09-02
    folder = write_csvs(tmp_path / "o", tables, encoding="cp932")
    payload = json.loads(invoke("due", folder, "--json").stdout)
    (item,) = [d for d in payload["deadlines"] if d["kind"] == "plan-review"]
    assert item["overdue"] and "令和7年9月末までに見直さないと令和7年9月分から請求できません" in item["label"]


@BOTH
@pytest.mark.parametrize("attended, units", [("はい", 579), ("いいえ", 405), (None, 0)])
def test_a_blank_manager_attendance_earns_no_meeting_addition(tmp_path, month, attended, units):
    tables = good_month("0001", month)
    tables["ケース会議"] = [{"日付": month.replace(day=14), "利用者ID": "0001", "参加機関": "相談支援", "サービス管理責任者参加": attended}]
    result = check_month(build(tmp_path, tables, CONFIG), month, TODAY)
    (user,) = result.users
    meeting = sum(line.units for line in user.lines if "会議" in line.label or "連携" in line.label)
    if month == R3_MONTH and attended == "いいえ":
        units = 0  # R3 paid only with the manager
    assert meeting == units
    found = {f.code: f for f in user.findings}
    assert ("meeting-attendance-unknown" in found) is (attended is None)
    if attended is None:
        assert found["meeting-attendance-unknown"].severity == "warning" and "空欄" in found["meeting-attendance-unknown"].message
