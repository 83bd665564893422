"""The yearly 就労定着率: both wordings, the window's edges, the reference date,
job changes, every tier threshold as an exact fraction, projection, new
designation and 就労定着実績体制加算."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

import pytest

from conftest import write_csvs
from rules_helpers import build
from teichaku_cli.documents.sheets import HEADER_ROW
from teichaku_cli.office.load import load_office
from teichaku_cli.rules.retention import compute_rate, designation_rate, rate_as_dict, retention_record, what_moves

TODAY = date(2026, 11, 22)


def user(uid, started, hired=None, finished=None, left=None, rehired=None, **kw):
    hired = hired or date(started.year - 1, started.month, 1)
    return {"利用者ID": uid, "氏名": f"利用者{uid}", "就職日": hired, "利用開始日": started, "利用終了日": finished, "離職日": left, "再就職日": rehired, **kw}


def office_of(tmp_path, *users, **tables):
    contacts = [{"日付": users[0]["利用開始日"], "利用者ID": users[0]["利用者ID"], "方法": "対面", "相手": "本人"}]
    return build(tmp_path, {"利用者": list(users), "支援記録": contacts, **tables})


def by_id(result):
    return {p.user_id: p for p in result.people}


def test_window_reference_and_applies_to(tmp_path):
    r = compute_rate(office_of(tmp_path, user("1", date(2023, 4, 1))), 2025, TODAY)
    assert (r.window_start, r.window_end, r.reference_date, r.applies_to_fiscal_year) == (date(2023, 4, 1), date(2026, 3, 31), date(2026, 3, 31), 2026)
    assert r.rules.id == "R6" and r.projection is False


def test_both_wordings_on_one_data_set_where_they_differ(tmp_path):
    # "before": started before either window, served inside both
    people = (user("before", date(2019, 10, 1), finished=date(2022, 9, 30)), user("inside", date(2021, 5, 1)))
    office = office_of(tmp_path, *people)
    r3 = compute_rate(office, 2022, TODAY)  # claims FY2023: R3 「受けた」, window 2020-04-01 … 2023-03-31
    assert r3.rules.id == "R3"
    assert by_id(r3)["before"].in_denominator and by_id(r3)["inside"].in_denominator
    r6 = compute_rate(office, 2023, TODAY)  # claims FY2024: R6 「利用を開始した」, window 2021-04-01 … 2024-03-31
    assert r6.rules.id == "R6"
    assert not by_id(r6)["before"].in_denominator and by_id(r6)["inside"].in_denominator
    assert "期間外" in by_id(r6)["before"].reason


@pytest.mark.parametrize("started, counted", [(date(2023, 4, 1), True), (date(2023, 3, 31), False), (date(2026, 3, 31), True), (date(2026, 4, 1), False)])
def test_window_edges_r6(tmp_path, started, counted):
    r = compute_rate(office_of(tmp_path, user("1", started)), 2025, TODAY)
    assert r.people[0].in_denominator is counted


@pytest.mark.parametrize(
    "left, rehired, retained",
    [
        (date(2026, 3, 31), None, False),  # left on the reference date itself
        (date(2026, 4, 1), None, True),  # the day after
        (date(2026, 3, 30), None, False),
        (date(2026, 2, 28), date(2026, 3, 31), True),  # the month after 02-28 runs 03-01 … 03-31
        (date(2026, 2, 28), date(2026, 4, 1), False),  # one day over: left
        (date(2026, 3, 20), date(2026, 4, 20), True),  # re-employed after the reference date, inside the month after
        (date(2026, 3, 20), date(2026, 4, 21), False),
    ],
)
def test_reference_date_and_job_change(tmp_path, left, rehired, retained):
    r = compute_rate(office_of(tmp_path, user("1", date(2024, 5, 1), left=left, rehired=rehired)), 2025, TODAY)
    assert r.people[0].retained is retained


def test_retained_even_after_service_ended(tmp_path):
    r = compute_rate(office_of(tmp_path, user("1", date(2023, 5, 1), finished=date(2025, 4, 30))), 2025, TODAY)
    assert r.people[0].retained is True


def rate_office(tmp_path, retained: int, total: int, started=date(2024, 5, 1), left=date(2025, 6, 1)):
    people = [user(f"{i:03d}", started, left=None if i < retained else left) for i in range(total)]
    return office_of(tmp_path, *people)


# FY2025 closes for claims in FY2026 (R6); FY2022 for claims in FY2023 (R3, ≤20 users:
# the only R3 table in the sources)
VERSIONS = {"R6": (2025, date(2024, 5, 1), date(2025, 6, 1)), "R3": (2022, date(2021, 5, 1), date(2022, 6, 1))}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "retained, total, units",
    [
        (19, 20, {"R6": 3512, "R3": 3449}),  # exactly 95%
        (18, 19, {"R6": 3348, "R3": 3285}),  # 94.7%
        (9, 10, {"R6": 3348, "R3": 3285}),  # exactly 90%
        (17, 19, {"R6": 2768, "R3": 2710}),  # 89.5%
        (4, 5, {"R6": 2768, "R3": 2710}),  # exactly 80%
        (15, 19, {"R6": 2234, "R3": 2176}),  # 78.9%
        (7, 10, {"R6": 2234, "R3": 2176}),  # exactly 70%
        (13, 19, {"R6": 1690, "R3": 1642}),  # 68.4%
        (1, 2, {"R6": 1690, "R3": 1642}),  # exactly 50%
        (9, 19, {"R6": 1433, "R3": 1395}),  # 47.4%
        (3, 10, {"R6": 1433, "R3": 1395}),  # exactly 30%
        (5, 17, {"R6": 1074, "R3": 1046}),  # 29.4%
        (0, 3, {"R6": 1074, "R3": 1046}),
    ],
)
def test_every_tier_threshold_as_an_exact_fraction(tmp_path, version, retained, total, units):
    year, started, left = VERSIONS[version]
    r = compute_rate(rate_office(tmp_path, retained, total, started, left), year, TODAY)
    assert r.rules.id == version and r.band == ("全事業所" if version == "R6" else "利用者数20人以下")
    assert r.rate == Fraction(retained, total)
    assert r.tier.units == units[version]


def test_projection_when_the_reference_date_is_ahead(tmp_path):
    office = office_of(tmp_path, user("1", date(2025, 5, 1)))
    assert compute_rate(office, 2026, TODAY).projection is True
    assert "見込み" in compute_rate(office, 2026, TODAY).notes[0]
    assert compute_rate(office, 2025, TODAY).projection is False


def test_empty_denominator_explained_and_points_to_new_designation(tmp_path):
    r = compute_rate(office_of(tmp_path, user("1", date(2019, 5, 1))), 2025, TODAY)
    assert r.rate is None and r.tier is None
    assert any("--designation-date" in n for n in r.notes)


def test_r3_band_from_average_users_and_fee_table(tmp_path):
    people = [user(f"{i:03d}", date(2021, 4, 1)) for i in range(25)]  # 25 users all of FY2022
    office = office_of(tmp_path, *people)
    r = compute_rate(office, 2022, TODAY)
    assert r.average_users == 25 and r.band == "利用者数21人以上40人以下"
    assert r.tier.units is None and any("--fee-table" in n for n in r.notes)
    table = tmp_path / "fees.toml"
    table.write_text('source = "テスト"\n' + "".join(f"[[tiers]]\nmin_percent = {p}\nunits = {u}\n" for p, u in zip((95, 90, 80, 70, 50, 30, 0), range(3000, 2300, -100))), encoding="utf-8")
    r = compute_rate(office, 2022, TODAY, table)
    assert r.tier.units == 3000 and "fees.toml" in r.tier.source
    # a band whose table the sources give is never overwritten
    small = compute_rate(office_of(tmp_path, *people[:20]), 2022, TODAY, table)
    assert small.band == "利用者数20人以下" and small.tier.units == 3449 and "資料にない" not in small.tier.source
    assert any("--fee-table は使いませんでした" in n for n in small.notes)
    r6 = compute_rate(rate_office(tmp_path, 19, 20), 2025, TODAY, table)
    assert r6.tier.units == 3512


def test_what_moves(tmp_path):
    r = compute_rate(rate_office(tmp_path, 17, 20), 2025, TODAY)  # 85% → 8割以上9割未満
    move = what_moves(r, users_now=10)
    assert move.up_needed == 1 and move.up_tier.label == "9割以上9割5分未満"  # 18/20 = 90%
    assert move.down_losses == 2 and move.down_tier.label == "7割以上8割未満"  # 15/20 = 75%
    assert move.up_units_per_year == (3348 - 2768) * 10 * 12
    assert move.down_units_per_year == (2234 - 2768) * 10 * 12


def test_new_designation_uses_the_transition_record(tmp_path):
    transitions = [
        {"氏名": "甲", "就職日": date(2023, 4, 1), "離職日": None},  # first day of the window
        {"氏名": "乙", "就職日": date(2023, 3, 31), "離職日": None},  # the day before: outside
        {"氏名": "丙", "就職日": date(2025, 1, 10), "離職日": date(2026, 3, 31)},  # left on the reference day
        {"氏名": "丁", "就職日": date(2026, 3, 31), "離職日": None},
    ]
    office = office_of(tmp_path, user("1", date(2026, 4, 1)), 移行実績=transitions)
    r = designation_rate(office, date(2026, 4, 1))
    assert (r.window_start, r.reference_date) == (date(2023, 4, 1), date(2026, 3, 31))
    assert (r.numerator, r.denominator) == (2, 3)
    assert r.tier.label == "5割以上7割未満"


def test_retention_record_addition(tmp_path):
    # ended within the 6 years up to 2026-03-31; same employer 3y6m … 6y6m
    people = [
        user("a", date(2020, 10, 1), hired=date(2020, 4, 1), finished=date(2023, 9, 30)),  # employed 2020-04-01 → reference: 6 years
        user("b", date(2021, 10, 1), hired=date(2021, 4, 1), finished=date(2024, 9, 30), left=date(2024, 9, 29)),  # 3y6m − 2 days
        user("c", date(2021, 10, 1), hired=date(2021, 4, 1), finished=date(2024, 9, 30), left=date(2024, 9, 30)),  # exactly 3y6m
    ]
    r = retention_record(office_of(tmp_path, *people), 2025)
    assert {p.user_id: p.counted for p in r.people} == {"a": True, "b": False, "c": True}
    assert r.rate == Fraction(2, 3) and r.qualifies is False  # 66.7% < 70%


def test_rate_cli_json_and_workbook(invoke, tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    people = [user(f"{i:03d}", date(2023, 5, 1)) for i in range(3)]
    folder = write_csvs(tmp_path / "o", {"利用者": people, "支援記録": [{"日付": date(2023, 5, 2), "利用者ID": "000", "方法": "対面", "相手": "本人"}]})
    result = invoke("rate", folder, "--year", "令和7年度", "--json", "--out", tmp_path / "rate.xlsx")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    office = load_office(folder)
    r = compute_rate(office, 2025, TODAY)
    assert payload["rate"] == "1" and payload["rate_percent"] == 100.0 and payload["tier"]["units"] == 3512
    assert payload["people"] == rate_as_dict(r, retention_record(office, 2025), None)["people"]
    wb = openpyxl.load_workbook(tmp_path / "rate.xlsx")
    assert wb.sheetnames == ["概要", "利用者別", "実績体制加算", "推移"]
    assert len(wb["推移"]._charts) == 1
    assert wb["利用者別"].cell(HEADER_ROW + 1, 3).value.date() == date(2023, 5, 1)  # a real date, not text


def test_rate_cli_shows_what_moves_in_units_and_yen_both_ways(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    people = [user(f"{i:03d}", date(2024, 5, 1), left=None if i < 17 else date(2025, 6, 1)) for i in range(20)]
    folder = write_csvs(tmp_path / "o", {"利用者": people, "支援記録": [{"日付": date(2024, 5, 2), "利用者ID": "000", "方法": "対面", "相手": "本人"}]})
    (folder / "teichaku.toml").write_text('"地域区分単価" = 11.2\n', encoding="utf-8")
    payload = json.loads(invoke("rate", folder, "--year", "2025", "--json").stdout)
    move = payload["what_moves"]
    users_now = move["users_now"]
    assert move["up"]["units_per_year"] == (3348 - 2768) * users_now * 12
    assert move["down"]["units_per_year"] == (2234 - 2768) * users_now * 12 < 0
    # the 総費用額 difference of a user-month (units × 11.2 円, fractions of a yen dropped each month) × users × 12:
    # 3348 → 37,497.6 → 37,497; 2768 → 31,001.6 → 31,001; 2234 → 25,020.8 → 25,020
    assert move["up"]["yen_per_year"] == (37497 - 31001) * users_now * 12
    assert move["down"]["yen_per_year"] == (25020 - 31001) * users_now * 12
    text = invoke("rate", folder, "--year", "2025").output
    assert f"約 {move['up']['yen_per_year']:,} 円" in text and f"約 {move['down']['yen_per_year']:,} 円" in text


def test_rate_cli_with_an_empty_denominator_explains_and_exits_0(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    folder = write_csvs(tmp_path / "o", {"利用者": [user("1", date(2019, 5, 1))], "支援記録": [{"日付": date(2019, 5, 2), "利用者ID": "1", "方法": "対面", "相手": "本人"}]})
    result = invoke("rate", folder, "--year", "2025")
    assert result.exit_code == 0 and "--designation-date" in result.output


def test_rate_cli_new_designation(invoke, tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    transitions = [{"氏名": "甲", "就職日": date(2023, 4, 1)}, {"氏名": "乙", "就職日": date(2025, 1, 10), "離職日": date(2026, 3, 31)}]
    folder = write_csvs(
        tmp_path / "o",
        {"利用者": [user("1", date(2026, 4, 1))], "支援記録": [{"日付": date(2026, 4, 2), "利用者ID": "1", "方法": "対面", "相手": "本人"}], "移行実績": transitions},
    )
    result = invoke("rate", folder, "--designation-date", "令和8年4月1日", "--json", "--out", tmp_path / "new.xlsx")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["numerator"], payload["denominator"], payload["rate"]) == (1, 2, "1/2")
    wb = openpyxl.load_workbook(tmp_path / "new.xlsx")
    assert wb.sheetnames == ["概要", "移行実績"] and wb["移行実績"].cell(HEADER_ROW + 1, 1).value == "甲"
    summary = {wb["概要"].cell(r, 1).value: wb["概要"].cell(r, 2).value for r in range(1, wb["概要"].max_row + 1)}
    assert payload["rules_version"] == "R6" and summary["報酬改定"] == payload["rules_name"] == "令和6年度報酬改定"  # in words
    text = invoke("rate", folder, "--designation-date", "2026-04-01").output
    assert "1/2 = 50.0%" in text and "甲" in text and "乙" in text
    both = invoke("rate", folder, "--designation-date", "2026-04-01", "--year", "2025")
    assert both.exit_code == 2 and "--year" in both.output


@pytest.mark.parametrize("text, year", [("2025", 2025), ("R7", 2025), ("令和7年度", 2025), ("２０２５年度", 2025), ("令和元年度", 2019), ("H30", 2018)])
def test_year_option_styles(text, year):
    from teichaku_cli.cli.options import read_fiscal_year

    assert read_fiscal_year(text) == year


def test_bad_year_is_a_usage_error(invoke, tmp_path):
    folder = write_csvs(tmp_path / "o", {"利用者": [user("1", date(2023, 5, 1))], "支援記録": [{"日付": date(2023, 5, 2), "利用者ID": "1", "方法": "対面", "相手": "本人"}]})
    result = invoke("rate", folder, "--year", "来年")
    assert result.exit_code == 2 and "--year" in result.output


def test_rate_names_the_revisions_of_the_claim_year_in_words_with_their_months(invoke, tmp_path, monkeypatch):
    """FY2026's claims fall under 令和6年度報酬改定 (April–May) and 令和8年6月改定 (June–March):
    the screen, the JSON and the workbook say both with their months, never a bare id."""
    import openpyxl

    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    people = [user(f"{i:03d}", date(2023, 5, 1)) for i in range(3)]
    folder = write_csvs(tmp_path / "o", {"利用者": people, "支援記録": [{"日付": date(2023, 5, 2), "利用者ID": "000", "方法": "対面", "相手": "本人"}]})
    both = "令和6年度報酬改定（令和8年4月〜5月）・令和8年6月改定（令和8年6月〜令和9年3月）"
    payload = json.loads(invoke("rate", folder, "--year", "2025", "--json", "--out", tmp_path / "rate.xlsx").stdout)
    assert payload["rules_version"] == "R6" and payload["rules_name"] == "令和6年度報酬改定"
    assert payload["claim_revisions"] == [
        {"id": "R6", "name": "令和6年度報酬改定", "first_month": "2026-04", "last_month": "2026-05"},
        {"id": "R8.6", "name": "令和8年6月改定", "first_month": "2026-06", "last_month": "2027-03"},
    ]
    assert any("令和8年6月〜令和9年3月の請求は令和8年6月改定によります" in n and "引き継いで" in n for n in payload["notes"])
    text = invoke("rate", folder, "--year", "2025").output
    assert f"2026年度の請求に使う（{both}）" in text and "分母: 期間内に利用を開始した人（令和6年度報酬改定）" in text
    assert "（R6）" not in text and "（R3）" not in text
    sheet = openpyxl.load_workbook(tmp_path / "rate.xlsx")["概要"]
    rows = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)}
    assert rows["報酬改定"].replace("\n", "") == both  # printed over lines where it is broken (documents/printed.py)
    one = invoke("rate", folder, "--year", "2023").output  # FY2024 claims: one revision, no months
    assert "2024年度の請求に使う（令和6年度報酬改定）" in one
    r3 = invoke("rate", folder, "--year", "2022").output
    assert "2023年度の請求に使う（令和3年度報酬改定）" in r3 and "分母: 期間内に支援を受けた人（令和3年度報酬改定）" in r3
