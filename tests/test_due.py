"""`teichaku due` leads with last month's misses (issue 21): the user-months check
finds 請求不可 for a missing 対面, 支援レポート or plan or an overdue review, all
through the month they are claimed in, with the claim deadline (the 10th) or
月遅れ after it. Then what is late (issue 15): an overdue plan review (so
``check`` refuses the claim), a handoff deadline passed or a handoff recorded
after it, a limit passed while service goes on — whatever ``--within`` says —
then this month's missing 対面 / 支援レポート, then the window, soonest first."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest

from conftest import write_csvs
from rules_helpers import good_month, merge
from teichaku_cli.documents.sheets import HEADER_ROW

TODAY = "2025-10-15"
MONTH = date(2025, 10, 1)


def due(invoke, tmp_path, tables, *args, last_month: bool = True):
    """``due --json``; ``last_month=False`` leaves out 先月分 (for the tests of what comes
    after it, whose fixtures have records for October only)."""
    folder = write_csvs(tmp_path / f"o{len(list(tmp_path.iterdir()))}", tables, encoding="cp932")
    result = invoke("due", folder, "--json", *args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    if not last_month:
        payload["deadlines"] = [d for d in payload["deadlines"] if not d["kind"].endswith("-last-month")]
    return payload


def september(*uids: str, plans: tuple[str, ...] = ()) -> dict:
    """September's two requirements met for these users (and a plan made then for
    ``plans``): last month is clean but for what a test leaves out."""
    return {
        "支援記録": [{"日付": date(2025, 9, 5), "利用者ID": uid, "方法": "対面", "相手": "本人", "区分": "支援"} for uid in uids],
        "支援レポート": [{"利用者ID": uid, "対象月": date(2025, 9, 1), "本人提供日": date(2025, 9, 30)} for uid in uids],
        "支援計画": [{"利用者ID": uid, "作成日": date(2025, 9, 1)} for uid in plans],
    }


def late_office() -> dict:
    # 0001: plan made 2025-03-01 → review due 2025-09-01, passed; no 対面 this month yet
    overdue_plan = good_month("0001", MONTH, 就職日=date(2024, 4, 1), 利用開始日=date(2024, 10, 1))
    overdue_plan["支援計画"][0]["作成日"] = date(2025, 3, 1)
    overdue_plan["支援記録"] = [r for r in overdue_plan["支援記録"] if r["相手"] != "本人"]
    # 0002: ends 2025-12-31 and needs an agency after: handoff deadline 2025-09-30, nothing on record
    no_handoff = good_month("0002", MONTH, 就職日=date(2023, 4, 1), 利用開始日=date(2023, 10, 1), 利用終了日=date(2025, 12, 31), 要継続支援="はい")
    # 0003: the same end, handed over on 2025-10-03, after the deadline
    late_handoff = good_month("0003", MONTH, 就職日=date(2023, 4, 1), 利用開始日=date(2023, 10, 1), 利用終了日=date(2025, 12, 31), 要継続支援="はい")
    late_handoff["支援記録"].append({"日付": date(2025, 10, 3), "利用者ID": "0003", "方法": "対面", "相手": "関係機関", "区分": "引継ぎ"})
    # 0004: all in order this month; its review falls in the window (2026-04-01)
    # September's 対面 and 支援レポート for all: only 0001's overdue review blocks last month
    return merge(overdue_plan, no_handoff, late_handoff, good_month("0004", MONTH), september("0001", "0002", "0003", "0004", plans=("0002", "0003", "0004")))


def test_late_items_come_first_with_days_late_whatever_the_window(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    for within in ("1", "12"):  # the story: even --within 12 hid them, as the list started today
        payload = due(invoke, tmp_path, late_office(), "--within", within)
        items = [(d["date"], d["user_id"], d["kind"], d["overdue"]) for d in payload["deadlines"]]
        assert items[:3] == [
            # the overdue review blocked September: said under 先月分 (with the claim's date), not again under 期限切れ
            ("2025-10-10", "0001", "plan-review-last-month", False),
            ("2025-09-30", "0002", "handoff", True),
            ("2025-09-30", "0003", "handoff-late", True),
        ]
        assert (payload["last_month_count"], payload["overdue_count"]) == (1, 2) and not any(d["overdue"] for d in payload["deadlines"][3:])
        coming = [d["date"] for d in payload["deadlines"][3:]]
        assert coming == sorted(coming) and coming[0] == "2025-10-31"  # then this month's missing 対面, soonest first
    first, *late = payload["deadlines"]
    assert "令和7年9月分から請求できません" in first["label"] and first["state"] == "先月分（令和7年9月）"
    assert (late[0]["days_late"], late[0]["days_left"]) == (15, None) and late[0]["state"] == "期限切れ（15日超過）"
    assert "期限後に記録" in late[1]["label"] and "令和7年10月3日" in late[1]["label"]
    assert "支援体制構築未実施減算" in late[0]["label"] and late[0]["source"].startswith("就労定着支援の実施について")


def test_an_overdue_review_in_due_is_what_check_refuses(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    folder = write_csvs(tmp_path / "o", late_office(), encoding="cp932")
    check = json.loads(invoke("check", folder, "--month", "2025-09", "--json").stdout)
    user = next(u for u in check["users"] if u["user_id"] == "0001")
    assert "plan-review-overdue" in [f["code"] for f in user["findings"]] and not user["claimable"]
    earlier = json.loads(invoke("check", folder, "--month", "2025-08", "--json").stdout)
    assert "plan-review-overdue" not in [f["code"] for f in next(u for u in earlier["users"] if u["user_id"] == "0001")["findings"]]


def test_this_months_missing_face_to_face_and_report_are_due_at_the_months_end(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    tables = merge(good_month("0001", MONTH), good_month("0002", MONTH), good_month("0003", MONTH))
    tables["支援記録"] = [r for r in tables["支援記録"] if not (r["利用者ID"] == "0001" and r["相手"] == "本人")]
    tables["支援記録"].append({"日付": date(2025, 10, 6), "利用者ID": "0003", "方法": "電話", "相手": "本人"})  # a call does not count
    tables["支援記録"] = [r for r in tables["支援記録"] if not (r["利用者ID"] == "0003" and r["方法"] == "対面" and r["相手"] == "本人")]
    tables["支援レポート"] = [r for r in tables["支援レポート"] if r["利用者ID"] != "0002"]
    payload = due(invoke, tmp_path, tables, "--within", "1", last_month=False)
    this_month = [(d["user_id"], d["kind"], d["date"], d["state"]) for d in payload["deadlines"] if d["kind"].endswith("this-month")]
    assert this_month == [
        ("0001", "face-to-face-this-month", "2025-10-31", "今月まだ（あと16日）"),
        ("0002", "report-this-month", "2025-10-31", "今月まだ（あと16日）"),
        ("0003", "face-to-face-this-month", "2025-10-31", "今月まだ（あと16日）"),
    ]


def test_a_limit_passed_while_service_goes_on_is_late_and_a_user_without_a_plan_too(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    # hired 2022-01-01: 3年6か月 ended 2025-06-30, no 利用終了日
    beyond = good_month("0001", MONTH, 就職日=date(2022, 1, 1), 利用開始日=date(2022, 7, 1))
    beyond["支援記録"], beyond["支援レポート"] = beyond["支援記録"][1:], []  # nothing with the user this month
    no_plan = good_month("0002", MONTH, 就職日=date(2024, 4, 1), 利用開始日=date(2025, 8, 1))
    no_plan["支援計画"] = []
    new_user = good_month("0003", MONTH, 就職日=date(2025, 4, 1), 利用開始日=date(2025, 10, 1))
    new_user["支援計画"] = []
    later = good_month("0004", MONTH, 就職日=date(2025, 5, 1), 利用開始日=date(2025, 11, 1))  # starts next month: nothing due yet
    later["支援計画"] = []
    payload = due(invoke, tmp_path, merge(beyond, no_plan, new_user, later), "--within", "1")
    late = [(d["user_id"], d["kind"], d["date"]) for d in payload["deadlines"] if d["overdue"]]
    # hired 2022-01-01 and started 2022-07-01: both limits ended 2025-06-30
    assert late == [("0001", "hire-limit", "2025-06-30"), ("0001", "use-limit", "2025-06-30")]
    # 0002's missing plan blocked September: said once, under 先月分 (not again under 期限切れ)
    assert ("0002", "plan-last-month") in [(d["user_id"], d["kind"]) for d in payload["deadlines"]]
    coming = [(d["user_id"], d["kind"], d["date"]) for d in payload["deadlines"] if not d["overdue"]]
    assert ("0003", "plan-this-month", "2025-10-31") in coming
    assert not [c for c in coming if c[0] == "0004" and c[1] != "eligible-from"]  # no plan, 対面 or report due before the service starts
    assert not [c for c in coming if c[0] == "0001" and c[1].endswith("this-month")]  # beyond its limits: no month to claim


def test_the_terminal_and_the_workbook_lead_with_the_late(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    monkeypatch.setenv("COLUMNS", "160")
    folder = write_csvs(tmp_path / "o", late_office(), encoding="cp932")
    result = invoke("due", folder, "--within", "6", "--out", tmp_path / "due.xlsx")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.index("先月分（令和7年9月）1件") < text.index("期限切れ 2件") < text.index("期限切れ（15日超過）") < text.index("から6か月の期限") < text.index("今月まだ")
    ws = openpyxl.load_workbook(tmp_path / "due.xlsx")["期限"]
    states = [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, HEADER_ROW + 5)]
    assert states[:3] == ["先月分（令和7年9月）", "期限切れ（15日超過）", "期限切れ（15日超過）"] and states[3].startswith("今月まだ")
    assert "先月分・期限切れ" in ws["A1"].value


def test_a_service_ending_this_month_wants_its_requirements_by_its_last_day(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    ending = good_month("0001", MONTH, 利用終了日=date(2025, 10, 20))
    ending["支援記録"] = [r for r in ending["支援記録"] if r["相手"] != "本人"]
    ending["支援記録"].append({"日付": date(2025, 10, 24), "利用者ID": "0001", "方法": "対面", "相手": "本人"})  # after the end: no use
    ending["支援レポート"][0]["本人提供日"] = date(2025, 10, 20)  # on the last day: counts
    payload = due(invoke, tmp_path, ending, "--within", "1")
    this_month = [(d["kind"], d["date"], d["label"]) for d in payload["deadlines"] if d["kind"].endswith("this-month")]
    assert this_month == [("face-to-face-this-month", "2025-10-20", "本人との対面・テレビ電話の支援がまだありません（利用は令和7年10月20日まで。その日までに）")]


# --- 先月分: last month until it is claimed (issue 21) ------------------------------------------

NOVEMBER = date(2026, 11, 1)


def november_office() -> dict:
    """An office with November misses of every kind due keeps, one that due does not
    keep (another error), one that is late for another reason, and one all in order."""
    user = dict(就職日=date(2025, 4, 1), 利用開始日=date(2025, 10, 1))
    no_face = good_month("0001", NOVEMBER, **user)  # a call does not count
    no_face["支援記録"][0]["方法"] = "電話"
    no_report = good_month("0002", NOVEMBER, **user)
    no_report["支援レポート"] = []
    overdue = good_month("0003", NOVEMBER, **user)  # made 2026-05-01: review by 2026-11-01, passed in November
    overdue["支援計画"][0]["作成日"] = date(2026, 5, 1)
    no_plan = good_month("0004", NOVEMBER, 就職日=date(2026, 1, 5), 利用開始日=date(2026, 10, 1))
    no_plan["支援計画"] = []
    subsidy = good_month("0005", NOVEMBER, **user)  # blocked by the job coach's subsidy only: nothing a record fixes
    subsidy["助成金"] = [{"利用者ID": "0005", "対象月": NOVEMBER}]
    # all in order in November, but its handoff is late (ends 2027-01-31, deadline 2026-10-31)
    handoff = good_month("0006", NOVEMBER, 就職日=date(2024, 4, 1), 利用開始日=date(2024, 10, 1), 利用終了日=date(2027, 1, 31), 要継続支援="はい")
    fine = good_month("0007", NOVEMBER, **user)
    review_soon = good_month("0008", NOVEMBER, **user)  # made 2026-06-14: review by 2026-12-14, before December's 今月まだ
    review_soon["支援計画"][0]["作成日"] = date(2026, 6, 14)
    return merge(no_face, no_report, overdue, no_plan, subsidy, handoff, fine, review_soon)


KEPT = [("0001", "face-to-face-last-month"), ("0002", "report-last-month"), ("0003", "plan-review-last-month"), ("0004", "plan-last-month")]


@pytest.mark.parametrize(
    "today, days_left, claim",
    [
        ("2026-12-01", 9, "請求は令和8年12月10日まで（あと9日）"),
        ("2026-12-10", 0, "請求は今日（令和8年12月10日）まで"),
        ("2026-12-11", None, "令和8年12月10日の請求は過ぎました。記録を入力すれば月遅れで請求できます"),
        ("2026-12-31", None, "月遅れで請求できます"),  # it stays until the month it is claimed in ends
    ],
)
def test_last_months_misses_lead_until_the_month_after_ends(invoke, tmp_path, monkeypatch, today, days_left, claim):
    """Story: on 11-22 due listed the missing 対面 and 支援レポート as 今月まだ; on 12-08
    those rows were gone while check said November was 請求不可 — in the week before the
    10th, when claims are made. They lead, as 先月分（令和8年11月）, until December ends."""
    monkeypatch.setenv("TEICHAKU_TODAY", today)
    payload = due(invoke, tmp_path, november_office(), "--within", "1")
    items = payload["deadlines"]
    first = items[: len(KEPT)]
    assert [(d["user_id"], d["kind"]) for d in first] == KEPT
    assert payload["last_month_count"] == len(KEPT) and payload["last_month"] == "2026-11" and payload["claim_deadline"] == "2026-12-10"
    assert claim in payload["claim_situation"]
    for d in first:
        assert d["state"] == "先月分（令和8年11月）" and d["month"] == "2026-11" and d["date"] == "2026-12-10"
        assert (d["days_left"], d["days_late"], d["overdue"]) == (days_left, None, False)
        assert d["label"].endswith("なければ11月分は請求できません") and "→" in d["label"]
    assert "実際の日付" in first[0]["label"] and "本人提供日" in first[1]["label"]
    assert "令和8年5月1日作成、期限 令和8年11月1日。令和8年11月分から請求できません" in first[2]["label"]
    rest = items[len(KEPT):]
    late = [(d["user_id"], d["kind"]) for d in rest if d["overdue"]]
    assert late[0] == ("0006", "handoff")  # then what is late
    # a cause shown under 先月分 is not said again under 期限切れ: 0003's review, 0004's missing plan
    assert ("0003", "plan-review") not in late and ("0004", "plan-missing") not in late
    assert not any(d["user_id"] == "0005" and d["kind"].endswith("last-month") for d in items)  # its error is not a missing record
    kinds = [d["kind"] for d in rest if not d["overdue"]]
    this_month = [k.endswith("this-month") for k in kinds]
    assert this_month == sorted(this_month, reverse=True)  # 今月まだ before what is coming …
    if today < "2026-12-14":
        assert kinds[this_month.index(False)] == "plan-review"  # … even a date before the month's end


def test_last_month_is_what_check_finds_for_it(invoke, tmp_path, monkeypatch):
    """The same code decides both (check_month of last month): every user-month check
    refuses for a missing 対面, 支援レポート or plan or an overdue review, and no other."""
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-12-08")
    folder = write_csvs(tmp_path / "o", november_office(), encoding="cp932")
    check = json.loads(invoke("check", folder, "--json").stdout)  # the default month: last month
    assert check["month"] == "2026-11"
    causes = {"face-to-face-missing": "face-to-face-last-month", "report-missing": "report-last-month", "plan-missing": "plan-last-month", "plan-review-overdue": "plan-review-last-month"}
    expected = sorted((u["user_id"], causes[f["code"]]) for u in check["users"] for f in u["findings"] if f["code"] in causes)
    assert all(not u["claimable"] for u in check["users"] if u["user_id"] in {uid for uid, _ in expected})
    payload = json.loads(invoke("due", folder, "--json").stdout)
    assert sorted((d["user_id"], d["kind"]) for d in payload["deadlines"] if d["kind"].endswith("-last-month")) == expected == sorted(KEPT)


def test_a_record_entered_with_its_real_date_clears_last_month(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-12-05")
    tables = november_office()
    tables["支援記録"].append({"日付": date(2026, 11, 20), "利用者ID": "0001", "方法": "対面", "相手": "本人", "区分": "支援"})
    kinds = [(d["user_id"], d["kind"]) for d in due(invoke, tmp_path, tables)["deadlines"]]
    assert ("0001", "face-to-face-last-month") not in kinds and ("0002", "report-last-month") in kinds


def test_january_no_longer_lists_november(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2027-01-01")
    payload = due(invoke, tmp_path, november_office())
    assert payload["last_month"] == "2026-12" and all(d["month"] in (None, "2026-12") for d in payload["deadlines"])
    assert "0003" in {d["user_id"] for d in payload["deadlines"] if d["kind"] == "plan-review-last-month"}  # still overdue in December


def test_the_terminal_and_the_workbook_show_last_month_first(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-12-08")
    monkeypatch.setenv("COLUMNS", "120")
    folder = write_csvs(tmp_path / "o", november_office(), encoding="cp932")
    result = invoke("due", folder, "--out", tmp_path / "due.xlsx")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.index("先月分（令和8年11月）4件 — 請求は令和8年12月10日まで（あと2日）") < text.index("期限切れ 1件") < text.index("今月まだ")
    late_table = text[text.index("期限切れ 1件"):text.index("今月まだ")]
    assert "支援計画の見直し期限切れ" not in late_table  # 0003's review: under 先月分 only
    ws = openpyxl.load_workbook(tmp_path / "due.xlsx")["期限"]
    states = [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, HEADER_ROW + 6)]
    assert states[:4] == ["先月分（令和8年11月）"] * 4 and states[4].startswith("期限切れ")
    assert [ws.cell(r, 3).value for r in range(HEADER_ROW + 1, HEADER_ROW + 5)] == [2] * 4  # days to the claim's date
    assert ws.cell(HEADER_ROW + 1, 1).font.color.rgb.endswith("C00000")
    notes = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("先月分（令和8年11月）4件")]
    assert notes and "請求は令和8年12月10日まで" in notes[0]


def test_last_month_that_check_cannot_compute_is_said_not_dropped(invoke, tmp_path, monkeypatch):
    """A unit price written for periods that leave November out stops check for that
    month; due says so, and lists the rest."""
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-12-08")
    folder = write_csvs(tmp_path / "o", november_office(), encoding="cp932")
    (folder / "teichaku.toml").write_text('"地域区分単価" = [{ "から" = "2026-12", "単価" = 11.2 }]\n', encoding="utf-8")
    payload = json.loads(invoke("due", folder, "--json").stdout)
    assert "令和8年11月分は確かめられませんでした" in payload["last_month_note"] and "地域区分単価" in payload["last_month_note"]
    assert payload["last_month_count"] == 0 and payload["overdue_count"] >= 1
    assert "確かめられませんでした" in invoke("due", folder).output
