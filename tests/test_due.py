"""`teichaku due` leads with what is late (issue 15): an overdue plan review (so
``check`` refuses the claim), a handoff deadline passed or a handoff recorded
after it, a limit passed while service goes on — whatever ``--within`` says —
then this month's missing 対面 / 支援レポート, then the window, soonest first."""

from __future__ import annotations

import json
from datetime import date

import openpyxl

from conftest import write_csvs
from rules_helpers import good_month, merge
from teichaku_cli.documents.sheets import HEADER_ROW

TODAY = "2025-10-15"
MONTH = date(2025, 10, 1)


def due(invoke, tmp_path, tables, *args):
    folder = write_csvs(tmp_path / f"o{len(list(tmp_path.iterdir()))}", tables, encoding="cp932")
    result = invoke("due", folder, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


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
    return merge(overdue_plan, no_handoff, late_handoff, good_month("0004", MONTH))


def test_late_items_come_first_with_days_late_whatever_the_window(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    for within in ("1", "12"):  # the story: even --within 12 hid them, as the list started today
        payload = due(invoke, tmp_path, late_office(), "--within", within)
        items = [(d["date"], d["user_id"], d["kind"], d["overdue"]) for d in payload["deadlines"]]
        assert items[:3] == [
            ("2025-09-01", "0001", "plan-review", True),  # 44 days late: the longest late first
            ("2025-09-30", "0002", "handoff", True),
            ("2025-09-30", "0003", "handoff-late", True),
        ]
        assert payload["overdue_count"] == 3 and not any(d["overdue"] for d in payload["deadlines"][3:])
        coming = [d["date"] for d in payload["deadlines"][3:]]
        assert coming == sorted(coming) and coming[0] == "2025-10-31"  # then this month's missing 対面, soonest first
    late = payload["deadlines"]
    assert (late[0]["days_late"], late[0]["days_left"]) == (44, None) and late[0]["state"] == "期限切れ（44日超過）"
    assert "令和7年9月分から請求できません" in late[0]["label"]
    assert "期限後に記録" in late[2]["label"] and "令和7年10月3日" in late[2]["label"]
    assert "支援体制構築未実施減算" in late[1]["label"] and late[1]["source"].startswith("就労定着支援の実施について")


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
    payload = due(invoke, tmp_path, tables, "--within", "1")
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
    assert late == [("0001", "hire-limit", "2025-06-30"), ("0001", "use-limit", "2025-06-30"), ("0002", "plan-missing", "2025-08-31")]
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
    assert text.index("期限切れ 3件") < text.index("期限切れ（44日超過）") < text.index("から6か月の期限") < text.index("今月まだ")
    ws = openpyxl.load_workbook(tmp_path / "due.xlsx")["期限"]
    states = [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, HEADER_ROW + 5)]
    assert states[:3] == ["期限切れ（44日超過）", "期限切れ（15日超過）", "期限切れ（15日超過）"] and states[3].startswith("今月まだ")
    assert "期限切れ" in ws["A1"].value


def test_a_service_ending_this_month_wants_its_requirements_by_its_last_day(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    ending = good_month("0001", MONTH, 利用終了日=date(2025, 10, 20))
    ending["支援記録"] = [r for r in ending["支援記録"] if r["相手"] != "本人"]
    ending["支援記録"].append({"日付": date(2025, 10, 24), "利用者ID": "0001", "方法": "対面", "相手": "本人"})  # after the end: no use
    ending["支援レポート"][0]["本人提供日"] = date(2025, 10, 20)  # on the last day: counts
    payload = due(invoke, tmp_path, ending, "--within", "1")
    this_month = [(d["kind"], d["date"], d["label"]) for d in payload["deadlines"] if d["kind"].endswith("this-month")]
    assert this_month == [("face-to-face-this-month", "2025-10-20", "本人との対面・テレビ電話の支援がまだありません（利用は令和7年10月20日まで。その日までに）")]
