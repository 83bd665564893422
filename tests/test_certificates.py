"""The 受給者証 and 上限管理結果 sheets: validated as they are read, asked as a
timeline, and listed by ``due`` (lapsed ones first)."""

from __future__ import annotations

import json
from datetime import date

from conftest import write_csvs
from rules_helpers import good_month, merge
from teichaku_cli.office.load import read_office
from teichaku_cli.model.schema import USERS
from teichaku_cli.model.certificates import Certificate, Certificates

MONTH = date(2025, 10, 1)


def cert(start, end, cap=9300, number="9900000001", municipality="139991", manager=None, row=2) -> Certificate:
    return Certificate(number, municipality, start, end, cap, manager, row)


def test_the_timeline_answers_on_a_day_and_through_renewals():
    timeline = Certificates([cert(date(2025, 4, 1), date(2026, 3, 31), cap=9300), cert(date(2026, 4, 1), date(2027, 3, 31), cap=0)])
    assert timeline.on(date(2025, 3, 31)) is None
    assert timeline.cap_on(date(2026, 3, 31)) == 9300 and timeline.cap_on(date(2026, 4, 1)) == 0
    assert timeline.on(date(2027, 4, 1)) is None
    assert timeline.runs_until(date(2025, 6, 1)) == date(2027, 3, 31)  # the renewal begins the next day
    gap = Certificates([cert(date(2025, 4, 1), date(2025, 9, 30)), cert(date(2025, 11, 1), date(2026, 10, 31))])
    assert gap.runs_until(date(2025, 6, 1)) == date(2025, 9, 30) and gap.runs_until(date(2025, 10, 15)) is None
    assert gap.last_covered_day(date(2025, 10, 1)) is None and gap.last_covered_day(date(2025, 9, 1)) == date(2025, 9, 30)


def test_coverage_on_the_edges_of_a_period():
    timeline = Certificates([cert(date(2025, 10, 5), date(2025, 10, 20))])
    assert timeline.certificate_covering(MONTH, [date(2025, 10, 5)], [date(2025, 10, 20)]).covered  # first and last days count
    assert not timeline.certificate_covering(MONTH, [date(2025, 10, 4)], [date(2025, 10, 20)]).covered  # the day before
    assert not timeline.certificate_covering(MONTH, [date(2025, 10, 5)], [date(2025, 10, 21)]).covered  # the day after
    assert timeline.certificate_covering(MONTH).covered  # nothing to place (the month is blocked for that anyway)
    assert not timeline.certificate_covering(date(2025, 11, 1)).covered


def rows(*certs: dict) -> dict:
    return {"受給者証": list(certs)}


def certificate(uid="0001", start=date(2025, 4, 1), end=date(2026, 3, 31), **kw) -> dict:
    return {"利用者ID": uid, "受給者証番号": "9900000001", "市町村番号": "139991", "支給決定開始日": start, "支給決定終了日": end, "負担上限月額": 9300, **kw}


def problems_of(tmp_path, tables):
    folder = write_csvs(tmp_path / f"o{len(list(tmp_path.iterdir()))}", tables, encoding="cp932")
    return [(p.place.sheet or p.place.file.rsplit("/", 1)[-1].removesuffix(".csv"), p.place.row, p.place.column, p.severity, p.message) for p in read_office(folder).problems]


def test_a_clean_certificate_sheet_has_no_problems(tmp_path):
    assert problems_of(tmp_path, merge(good_month("0001", MONTH), rows(certificate(), certificate(start=date(2026, 4, 1), end=date(2027, 3, 31))))) == []


def test_validate_finds_unknown_users_backwards_and_overlapping_periods(tmp_path):
    found = problems_of(
        tmp_path,
        merge(
            good_month("0001", MONTH),
            rows(
                certificate(),  # row 2
                certificate(start=date(2026, 3, 31), end=date(2027, 3, 30)),  # row 3: overlaps row 2 by one day
                certificate(start=date(2027, 5, 1), end=date(2027, 4, 30)),  # row 4: ends before it starts
                certificate(uid="0099"),  # row 5: not a user
            ),
        ),
    )
    assert ("受給者証", 5, "利用者ID", "error", "この利用者ID は利用者シートにありません。") in found
    assert any(p[:4] == ("受給者証", 4, "支給決定終了日", "error") and "令和9年4月30日" in p[4] for p in found)
    assert any(p[:4] == ("受給者証", 3, "支給決定開始日", "error") and "2行目の期間" in p[4] for p in found)
    assert len([p for p in found if p[3] == "error"]) == 3


def test_numbers_of_the_wrong_length_and_unusual_caps_are_warnings(tmp_path):
    found = problems_of(tmp_path, merge(good_month("0001", MONTH), rows(certificate(受給者証番号="12345", 市町村番号="1399", 負担上限月額="4,600", 上限管理事業所番号="139990000"))))
    assert {(p[2], p[3]) for p in found} == {("受給者証番号", "warning"), ("市町村番号", "warning"), ("負担上限月額", "warning"), ("上限管理事業所番号", "warning")}
    assert any("0・9,300・37,200" in p[4] for p in found)


def test_a_cap_that_is_not_money_is_an_error(tmp_path):
    found = problems_of(tmp_path, merge(good_month("0001", MONTH), rows(certificate(負担上限月額="9300.5"), certificate(start=date(2026, 4, 1), end=date(2027, 3, 31), 負担上限月額="一般1"))))
    assert [(p[1], p[2], p[3]) for p in found] == [(2, "負担上限月額", "error"), (3, "負担上限月額", "error")]


def test_cap_results_twice_in_a_month_or_settled_without_an_amount(tmp_path):
    results = [
        {"利用者ID": "0001", "対象月": "令和7年10月", "管理結果": "3", "利用者負担額": ""},
        {"利用者ID": "0001", "対象月": "2025/10", "管理結果": "2", "利用者負担額": ""},
        {"利用者ID": "0001", "対象月": "R7.11", "管理結果": "4", "利用者負担額": ""},
    ]
    found = problems_of(tmp_path, merge(good_month("0001", MONTH), rows(certificate()), {"上限管理結果": results}))
    assert ("上限管理結果", 2, "利用者負担額", "error") in [p[:4] for p in found]
    assert any(p[:4] == ("上限管理結果", 3, "対象月", "error") and "2行目と同じ" in p[4] for p in found)
    assert ("上限管理結果", 4, "管理結果", "error") in [p[:4] for p in found]


def test_the_certificate_number_is_no_longer_read_as_the_user_id(tmp_path):
    assert "受給者証番号" not in USERS.column("利用者ID").aliases
    tables = good_month("0001", MONTH)
    tables["利用者"][0] = {("受給者証番号" if k == "利用者ID" else k): v for k, v in tables["利用者"][0].items()}
    found = problems_of(tmp_path, tables)
    assert any("必須の列「利用者ID」がありません" in p[4] for p in found)


def due(invoke, tmp_path, tables, *args):
    folder = write_csvs(tmp_path / f"d{len(list(tmp_path.iterdir()))}", tables, encoding="cp932")
    result = invoke("due", folder, "--json", *args)
    assert result.exit_code == 0, result.output
    return [(d["date"], d["user_id"], d["kind"]) for d in json.loads(result.stdout)["deadlines"] if d["kind"].startswith("certificate")]


def test_due_lists_certificate_ends_in_the_window_and_lapsed_ones_first(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-10-15")
    users = merge(*(good_month(uid, MONTH) for uid in ("0001", "0002", "0003", "0004", "0005")))
    tables = merge(
        users,
        rows(
            certificate("0001", end=date(2026, 1, 15)),  # the window's last day: listed
            certificate("0002", end=date(2026, 1, 16)),  # the day after: not yet
            certificate("0003", end=date(2025, 10, 14)),  # ended yesterday: lapsed, first
            certificate("0004", end=date(2025, 10, 31)),  # renewed from the next day: its end is the renewal's
            certificate("0004", start=date(2025, 11, 1), end=date(2025, 12, 31)),
            certificate("0005", end=date(2025, 10, 15)),  # ends today: listed
        ),
    )
    assert due(invoke, tmp_path, tables, "--within", "3") == [
        ("2025-10-14", "0003", "certificate-lapsed"),
        ("2025-10-15", "0005", "certificate-end"),
        ("2025-12-31", "0004", "certificate-end"),
        ("2026-01-15", "0001", "certificate-end"),
    ]
    text = invoke("due", write_csvs(tmp_path / "text", tables, encoding="cp932")).output
    assert "期限切れ（1日超過）" in text and text.index("期限切れ") < text.index("から3か月の期限")


def test_due_skips_certificates_of_users_no_longer_served_and_offices_without_the_sheet(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-10-15")
    ended = good_month("0001", MONTH, 利用終了日=date(2025, 9, 30))
    assert due(invoke, tmp_path, merge(ended, rows(certificate(end=date(2025, 9, 30))))) == []
    assert due(invoke, tmp_path, good_month("0001", MONTH)) == []
