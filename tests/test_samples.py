"""The bundled sample office: the xlsx and the CP932 CSVs hold identical
records, read cleanly, and show each scenario they were made for."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from teichaku_cli.office.load import load_office
from teichaku_cli.rules.monthly import check_month

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def offices():
    return load_office(SAMPLES / "office.xlsx"), load_office(SAMPLES / "csv")


def test_csvs_are_cp932_with_mixed_wareki():
    text = (SAMPLES / "csv" / "支援記録.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        text.decode("utf-8")
    decoded = text.decode("cp932")
    assert "令和" in decoded and "R8." in decoded and "２０２" in decoded


def test_xlsx_and_csv_hold_identical_records(offices):
    xlsx, csv = offices
    assert xlsx.problems == [] and csv.problems == []
    for name, frame in xlsx.tables.items():
        other = csv.tables[name]
        assert list(frame.columns) == list(other.columns), name
        left, right = frame.reset_index(drop=True), other.reset_index(drop=True)
        assert left.astype(str).equals(right.astype(str)), name


def test_scenarios_show_in_october_2026(offices):
    result = check_month(offices[0], date(2026, 10, 1), date(2026, 11, 22))
    found = {u.user_id: sorted(f.code for f in u.findings) for u in result.users}
    assert found["0002"] == ["face-to-face-missing"]  # phone and mail only, closed: no employer findings
    assert found["0003"] == []  # video counts
    assert found["0004"] == ["cap-managed-here"]  # job change within a month; this office manages the cap
    assert found["0007"] == ["certificate-missing"]  # the certificate was renewed a month late: October is not covered
    assert found["0008"] == []  # another office manages the cap and sent its result
    assert found["0006"] == ["plan-review-overdue"]
    assert found["0009"] == ["meeting-cap"]
    assert found["0010"] == ["handoff-due"]
    assert found["0011"] == ["job-coach-subsidy-month"]
    assert found["0013"] == ["before-eligibility"]
    assert found["0015"] == ["employer-report-share-missing", "report-missing"]
    assert found["0018"] == []  # disclosed at the first employer, closed at the current one: nothing asked of it
    assert "0005" not in found and "0001" not in found and "0017" not in found  # service ended before October
    claimable = {u.user_id for u in result.users if u.claimable}
    assert claimable and claimable != set(found)
    users = {u.user_id: u for u in result.users}
    # 2,768 + 処遇改善 10.0% (276.8 → 277) = 3,045 units × 11.2 = 34,104 円; 1割 3,410 under the 9,300 cap
    assert users["0003"].units == 3045 and (users["0003"].money.total_cost, users["0003"].money.burden, users["0003"].money.benefit) == (34104, 3410, 30694)
    assert users["0008"].money.burden == 1200  # the 上限管理結果
    assert users["0014"].money.burden == 0  # 負担上限月額 0


def test_samples_hold_certificates_to_act_on_and_a_declared_treatment_rate(offices, invoke, monkeypatch):
    office = offices[0]
    assert office.settings.regime.treatment_on(date(2026, 10, 1)) is not None
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    import json

    deadlines = json.loads(invoke("due", SAMPLES / "office.xlsx", "--json").stdout)["deadlines"]
    kinds = [(d["user_id"], d["kind"]) for d in deadlines if d["kind"].startswith("certificate")]
    assert kinds == [("0014", "certificate-lapsed"), ("0003", "certificate-end")]  # lapsed first, then one expiring soon


def test_sample_employer_copies_hold_no_private_entry(invoke, tmp_path):
    office = load_office(SAMPLES / "office.xlsx")
    contacts = office.contacts
    shared, unshared = contacts[contacts["事業主共有"] == True], contacts[contacts["事業主共有"] == False]  # noqa: E712
    private = set()
    for column in ("内容", "結果"):  # what only private entries say
        private |= {t for t in set(unshared[column]) - set(shared[column]) if t}
    assert len(private) >= 5
    result = invoke("report", SAMPLES / "office.xlsx", "--month", "2026-10", "--for", "employer", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    files = list(tmp_path.glob("*.xlsx"))
    assert files and not any("石川" in p.name for p in files)  # 0002 works closed
    for path in files:
        with zipfile.ZipFile(path) as zf:
            text = "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
        assert not [s for s in private if s in text], path.name


@pytest.mark.parametrize("which", [0, 1], ids=["xlsx", "csv"])
def test_rate_explains_two_job_changes_and_disclosure_per_job(offices, which):
    from teichaku_cli.rules.retention import compute_rate

    people = {p.user_id: p for p in compute_rate(offices[which], 2025, date(2026, 11, 22)).people}
    twice, closed_now = people["0017"], people["0018"]
    assert twice.retained is False and "利用開始後2回目の転職" in twice.reason and len(twice.moves) == 2
    assert closed_now.retained is True and "転職1回" in closed_now.reason
    life = offices[which].lives.of({"利用者ID": "0018"})
    assert [(j.disclosure, j.consent) for j in life.jobs] == [("オープン", True), ("クローズ", False)]


def test_every_month_and_year_of_the_samples_can_be_checked(offices):
    """Story: check crashed (KeyError) for any month without a ケース会議 row — most
    months — while `make run`'s month had one. Every month from the first rule set
    to next month, every due day and every rate year, on both copies of the sample."""
    from teichaku_cli.base.dates import next_month
    from teichaku_cli.rules.deadlines import upcoming
    from teichaku_cli.rules.monthly import as_dict
    from teichaku_cli.rules.retention import compute_rate

    today = date(2026, 11, 22)
    for office in offices:
        month, checked = date(2021, 4, 1), []
        while month <= date(2026, 12, 1):
            payload = as_dict(check_month(office, month, today))
            assert payload["summary"]["users"] == len(payload["users"])
            checked.append(payload["summary"]["users"])
            month = next_month(month)
        assert len(checked) == 69 and max(checked) > 0
        without_meetings = office.table("ケース会議")
        assert not (without_meetings["日付"].dt.to_period("M") == "2026-11").any()  # the story's month is in the sweep
        for year in range(2020, 2027):
            assert compute_rate(office, year, today).fiscal_year == year
        for day in (date(2025, 2, 28), date(2026, 3, 31), today):
            assert upcoming(office, day, 3) is not None


# --- make run: the samples moved to today's calendar (samples/shift.py) -----------------------

import importlib.util as _util

_spec = _util.spec_from_file_location("sample_shift", SAMPLES / "shift.py")
shift = _util.module_from_spec(_spec)
_spec.loader.exec_module(shift)


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 10, 5), 1, date(2026, 11, 5)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped
    (date(2026, 2, 28), 1, date(2026, 3, 31)),  # a month's last day stays its last day
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 12, 15), 2, date(2027, 2, 15)),
])
def test_shift_moves_by_whole_months(day, months, expected):
    assert shift.shift_date(day, months) == expected


@pytest.mark.parametrize("day, expected", [
    (date(2026, 11, 7), date(2026, 11, 6)),  # Saturday → Friday
    (date(2026, 11, 8), date(2026, 11, 9)),  # Sunday → Monday
    (date(2026, 11, 1), date(2026, 11, 2)),  # Sunday the 1st → Monday
    (date(2026, 8, 1), date(2026, 8, 3)),  # Saturday the 1st: Friday is last month → Monday
    (date(2026, 5, 31), date(2026, 5, 29)),  # Sunday the 31st: Monday is next month → Friday
    (date(2026, 11, 10), date(2026, 11, 10)),  # a weekday stays
])
def test_a_weekend_date_moves_to_the_nearest_weekday_in_its_month(day, expected):
    assert shift.weekday(day) == expected


@pytest.mark.parametrize("today", [
    date(2026, 11, 22),  # the samples' own day: nothing moves
    date(2026, 12, 8), date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 1),
    date(2027, 9, 30), date(2028, 2, 29), date(2029, 12, 15),
])
def test_the_moved_office_reads_cleanly_and_last_month_is_a_realistic_mix(tmp_path, today):
    """Story: on 2026-12-08 a newcomer's `teichaku check` (last month) found 13 of 13
    users 不可 — the sample records had ended. Moved to today's calendar, last month
    holds most users claimable and a few with a finding, whatever today is."""
    from teichaku_cli.base.dates import previous_month
    from teichaku_cli.office.load import read_office

    months = shift.shift_workbook(SAMPLES / "office.xlsx", tmp_path / "office.xlsx", today)
    shift.shift_settings(SAMPLES / "teichaku.toml", tmp_path / "teichaku.toml", months)
    assert months == shift.months_between(shift.SAMPLE_TODAY, today)
    office = read_office(tmp_path / "office.xlsx")
    assert not [p.describe() for p in office.problems if p.severity == "error"]
    assert office.settings.office_name == "ひだまり就労定着支援センター" and office.settings.unit_price_set
    last = max(office.contacts["日付"]).date()
    assert last <= today and (today - last).days < 40  # the log runs up to about today, never beyond it
    check = check_month(office, previous_month(today), today)
    states = [u.state for u in check.users]
    assert len(states) >= 10
    assert states.count("claimable") / len(states) >= 0.5  # most can be claimed
    assert 1 <= states.count("blocked") <= len(states) / 2  # a few cannot, and say why
    assert states.count("unconfirmed") == 0  # the tier and the unit price are known
    assert any(f.severity == "error" for u in check.users for f in u.findings)
    if months == 0:  # the samples' own day: October 2026 exactly as the README shows it
        assert states.count("claimable") == 7 and states.count("blocked") == 6


def test_make_run_checks_last_month_of_the_moved_samples():
    """`make run` moves the samples to today's calendar, into a git-ignored folder, and
    checks last month there (exit 1 for blocked users is expected, not a failure)."""
    root = SAMPLES.parent
    recipe = (root / "Makefile").read_text(encoding="utf-8").split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "samples/shift.py --out samples/today" in recipe
    check = next(line for line in recipe.splitlines() if "teichaku check" in line)
    assert "samples/today/office.xlsx" in check and "--month" not in check and "|| test $$? -eq 1" in check
    assert "samples/today/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
