"""Reading the 国保連 claim file (office/claim_file.py): files built from the spec's
field positions by tests/claim_builder.py (its own table, not the reader's), read
back field by field; and every way a file can be wrong, each a placed Japanese
problem with a stable code, never a traceback and never a guess."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from claim_builder import (
    J111_01,
    J111_02,
    J121_01,
    J121_03,
    J121_04,
    J611_01,
    J611_02,
    NUMERIC,
    OFFICE_NUMBER,
    ClaimBuilder,
    Day,
    at,
    encode,
    find,
    numeric_positions,
    renumber,
)
from teichaku_cli.model.claim import ClaimFile, ClaimFileProblems, UserMonth
from teichaku_cli.office.claim_file import LISTED, read_claim_file

OCT, SEP, NOV = date(2026, 10, 1), date(2026, 9, 1), date(2026, 11, 1)


def read(path: Path, month: date | None = None, office: str = OFFICE_NUMBER) -> ClaimFile:
    return read_claim_file(path, office, month)


def problems(path: Path, month: date | None = None, office: str = OFFICE_NUMBER) -> list:
    with pytest.raises(ClaimFileProblems) as caught:
        read(path, month, office)
    assert caught.value.exit_code == 2
    return caught.value.problems


def codes(found: list) -> list[str]:
    return [p.code for p in found]


def only(found: list, code: str):
    matching = [p for p in found if p.code == code]
    assert len(matching) == 1, [p.describe() for p in found]
    return matching[0]


def two_users() -> ClaimBuilder:
    claim = ClaimBuilder()
    claim.add("1000000001")
    claim.add(
        "1000000002", municipality="131024", cap=0, cap_manager="1398765432", cap_result="2", cap_amount="1200",
        lines=[("471111", 3512, 1, ""), ("476100", 240, 1, "特別地域")], price="10900",
        days=[Day(3, special="1"), Day(17, special="1", liaison="2"), Day(30, base="", special="")],
        report_shared="20261031", form="9901", kana="ﾃｲﾁｬｸ ﾊﾅｺ",
    )
    return claim


# --- a clean file, every field read right ---------------------------------------------------


def test_a_clean_file_is_read_field_by_field(tmp_path):
    builder = two_users()
    claim = read(builder.write(tmp_path / "請求.csv"))
    assert claim.findings == []
    assert claim.month == OCT and claim.months == [OCT]
    control = claim.control
    assert (control.line, control.record_count, control.data_kind, control.office_number, control.medium) == (1, 22, "J11", OFFICE_NUMBER, "1")
    assert control.processing_month == NOV and claim.end_line == 24

    first, second = builder.users
    one = claim.statements[UserMonth("1000000001", "131016", OCT)]
    assert (one.basic.cap_monthly, one.basic.cap_manager, one.basic.cap_result, one.basic.cap_result_amount) == (9300, None, None, None)
    assert (one.basic.units, one.basic.total_cost, one.basic.user_burden, one.basic.benefit) == (3512, 39334, 3933, 35401)
    assert (one.basic.units, one.basic.total_cost, one.basic.user_burden, one.basic.benefit) == (
        first.units, first.total_cost, first.burden, first.benefit)
    two = claim.statements[UserMonth("1000000002", "131024", OCT)]
    assert (two.basic.cap_monthly, two.basic.cap_manager, two.basic.cap_result, two.basic.cap_result_amount) == (0, "1398765432", "2", 1200)
    assert (two.basic.units, two.basic.total_cost, two.basic.user_burden, two.basic.benefit) == (3752, 40896, 0, 40896)
    assert [(d.service_code, d.units, d.count, d.service_units, d.remarks) for d in two.details] == [
        ("471111", 3512, 1, 3512, ""), ("476100", 240, 1, 240, "特別地域")]
    assert [(d.service_type, d.start, d.days) for d in two.days] == [("47", date(2026, 4, 1), 3)]
    (summary,) = two.summaries
    assert (summary.service_type, summary.category, summary.days, summary.units) == ("47", "1", 3, 3752)
    assert summary.unit_price == Decimal("10.9") and isinstance(summary.unit_price, Decimal)
    assert (summary.total_cost, summary.user_burden, summary.benefit) == (40896, 0, 40896)
    (contract,) = two.contracts
    assert (contract.decision_code, contract.amount, contract.start, contract.entry_number) == ("471111", Decimal("1"), date(2026, 4, 1), 1)

    assert [s.key.recipient for s in claim.teichaku_statements()] == ["1000000001", "1000000002"]
    assert claim.service_counts() == [("47", "就労定着支援（47）", 2)]
    (sheet,) = claim.teichaku_record_sheets(two)
    assert (sheet.form, sheet.basic.days_total, sheet.basic.special_area_count, sheet.basic.liaison_count) == ("9901", 2, 2, 1)
    assert sheet.basic.report_shared_on == date(2026, 10, 31)
    assert [(d.day, d.base_support, d.special_area, d.liaison) for d in sheet.days] == [
        (date(2026, 10, 3), "1", "1", None), (date(2026, 10, 17), "1", "1", "2"), (date(2026, 10, 30), None, None, None)]
    (invoice_one, invoice_two) = sorted(claim.invoices, key=lambda i: i.municipality)
    assert (invoice_one.municipality, invoice_one.count, invoice_one.units, invoice_one.total_cost) == ("131016", 1, 3512, 39334)
    assert (invoice_two.benefit, invoice_two.user_burden, invoice_two.amount) == (40896, 0, 40896)
    assert [(i.benefit_kind, i.service_type, i.count) for i in claim.invoice_lines] == [("1", "47", 1), ("1", "47", 1)]
    # each record keeps its line: the file groups records by type (J111, then every J121:01, …)
    assert (invoice_one.line, one.basic.line, two.basic.line, one.days[0].line) == (2, 6, 7, 8)


def test_each_field_is_read_from_its_position(tmp_path):
    """Every 数値 field of a record holds a different number (its 項番 × 11), so a field
    read from a neighbour's position shows: each attribute must come back as the number
    of the spec's 項番 for it."""
    builder = ClaimBuilder()
    builder.add("1000000001")
    rows = builder.rows()
    for index, row in enumerate(rows):
        key = (row[2], row[3]) if row[0] == "2" else None
        if key in NUMERIC:
            for position in numeric_positions(*key):
                row[at(row, position)] = str(position * 11)
        if key == ("J611", "02"):
            for position, value in {44: "3", 45: "4", 80: "6", 81: "7", 82: "8", 89: "9", 90: "2", 91: "1"}.items():
                row[at(row, position)] = value
    claim = read(builder.write(tmp_path / "c.csv", rows))
    (statement,) = claim.statements.values()
    b = statement.basic
    expect = lambda positions: tuple(p * 11 for p in positions)
    assert (b.cap_monthly, b.cap_result_amount, b.units, b.total_cost, b.user_burden, b.benefit, b.high_cost,
            b.special_measures, b.municipal_subsidy) == expect((12, 17, 20, 21, 27, 28, 29, 30, 31))
    (d,) = statement.details
    assert (d.units, d.count, d.service_units) == expect((8, 9, 10))
    (m,) = statement.summaries
    assert (m.days, m.units, m.total_cost, m.user_burden, m.benefit, m.special_measures, m.municipal_subsidy) == expect(
        (9, 10, 13, 21, 22, 24, 25))
    assert m.unit_price == Decimal(11 * 11) / 1000
    assert statement.days[0].days == 110 and statement.contracts[0].amount == Decimal(88) / 100 and statement.contracts[0].entry_number == 121
    (sheet,) = claim.record_sheets.values()
    assert (sheet.basic.days_total, sheet.basic.special_area_count, sheet.basic.liaison_count) == expect((37, 123, 146))
    assert {(d.base_support, d.special_area, d.liaison) for d in sheet.days} == {("4", "7", "2")}
    (invoice,) = claim.invoices
    assert (invoice.amount, invoice.count, invoice.units, invoice.total_cost, invoice.benefit, invoice.special_measures,
            invoice.user_burden, invoice.municipal_subsidy) == expect((6, 17, 18, 19, 20, 21, 22, 23))
    (line,) = claim.invoice_lines
    assert (line.count, line.units, line.total_cost, line.benefit, line.special_measures, line.user_burden,
            line.municipal_subsidy) == expect((8, 9, 10, 11, 12, 13, 14))


def test_records_grouped_by_user_read_the_same(tmp_path):
    by_type = read(two_users().write(tmp_path / "a.csv"))
    builder = two_users()
    builder.by_type = False
    by_user = read(builder.write(tmp_path / "b.csv"))
    strip = lambda claim: {k: (s.basic.units, s.basic.benefit, [d.service_code for d in s.details]) for k, s in claim.statements.items()}
    assert strip(by_type) == strip(by_user)
    days = lambda claim: {k: [(d.day, d.liaison) for d in r.days] for k, r in claim.record_sheets.items()}
    assert days(by_type) == days(by_user)


def test_unit_price_with_or_without_its_leading_zero(tmp_path):
    """単位数単価: 2 integer + 3 decimal digits, the leading zero optional (8.5円 → 08500 or 8500)."""
    for written in ("08500", "8500"):
        builder = ClaimBuilder()
        builder.add("1000000001", price=written)
        claim = read(builder.write(tmp_path / f"{written}.csv"))
        (statement,) = claim.statements.values()
        assert statement.summaries[0].unit_price == Decimal("8.5")
    builder = ClaimBuilder()
    builder.add("1000000001", price="112000")
    problem = only(problems(builder.write(tmp_path / "six.csv")), "claim-not-numeric")
    assert "項番11「単位数単価」" in problem.place.column and problem.value == "112000"


def test_quoted_fields_commas_and_doubled_quotes(tmp_path):
    builder = ClaimBuilder()
    builder.add("1000000001", lines=[("471111", 3512, 1, 'A,B "C" D'), ("476100", 240, 1, '""')])
    path = builder.write(tmp_path / "q.csv")
    assert b'"A,B ""C"" D"' in path.read_bytes()
    (statement,) = read(path).statements.values()
    assert [d.remarks for d in statement.details] == ['A,B "C" D', '""']
    # quotes are allowed on any field: every field quoted reads the same
    all_quoted = builder.write(tmp_path / "all.csv", quote_all=True)
    assert all_quoted.read_bytes().startswith(b'"1","1","0",')
    (again,) = read(all_quoted).statements.values()
    assert again.basic == statement.basic and again.details == statement.details


@pytest.mark.parametrize("broken", ['"abc"x', 'ab"c', '"abc', '"'])
def test_quotes_not_as_the_spec_writes_them(tmp_path, broken):
    builder = ClaimBuilder()
    builder.add("1000000001")
    rows = builder.rows()
    index = find(rows, "J121", "03")
    text = encode(rows).decode("cp932").split("\r\n")
    text[index] = text[index] + "," + broken  # one more field, badly quoted
    (tmp_path / "bad.csv").write_bytes("\r\n".join(text).encode("cp932"))
    problem = only(problems(tmp_path / "bad.csv"), "claim-record-malformed")
    assert problem.place.row == index + 1 and "引用符" in problem.message


# --- other services beside 就労定着支援 ----------------------------------------------------------


def test_another_service_is_counted_and_named_not_judged(tmp_path):
    builder = two_users()
    builder.add("2000000001", service="46", lines=[("462980", 566, 5, "")], days=[Day(1), Day(2), Day(6)], form="1701",
                contract=("461000", "2200", "20260401"))
    claim = read(builder.write(tmp_path / "請求.csv"))
    assert claim.findings == []  # its J111:02 (46) adds up too
    assert claim.service_counts() == [("47", "就労定着支援（47）", 2), ("46", "就労継続支援B型（46）", 1)]
    assert [s.key.recipient for s in claim.teichaku_statements()] == ["1000000001", "1000000002"]
    b_type = claim.statements[UserMonth("2000000001", "131016", OCT)]
    assert not b_type.is_teichaku and b_type.teichaku_details == [] and claim.teichaku_record_sheets(b_type) == []
    assert [s.service_type for s in b_type.summaries] == ["46"] and b_type.details[0].service_units == 2830
    assert claim.record_sheets_of("2000000001", OCT)[0].form == "1701"


def test_a_user_with_two_services_keeps_only_the_47_lines(tmp_path):
    builder = ClaimBuilder()
    builder.add("1000000001", lines=[("471111", 3512, 1, ""), ("462980", 566, 2, "")])
    path = builder.write(tmp_path / "c.csv")
    (statement,) = read(path).statements.values()
    assert statement.is_teichaku and [d.service_code for d in statement.teichaku_details] == ["471111"]
    assert [d.service_code for d in statement.details] == ["471111", "462980"]


def test_a_service_type_from_j121_02_alone(tmp_path):
    """A 明細書 is 就労定着支援 when its J121:04 — or its J121:02 — サービス種類コード is 47."""
    builder = ClaimBuilder()
    builder.add("1000000001")
    rows = builder.rows()
    del rows[find(rows, "J121", "04")]
    claim = read(builder.write(tmp_path / "c.csv", renumber(rows)))
    (statement,) = claim.statements.values()
    assert statement.summaries == [] and statement.is_teichaku


# --- the control record --------------------------------------------------------------------------


def test_another_offices_claim_is_refused(tmp_path):
    path = two_users().write(tmp_path / "c.csv")
    problem = only(problems(path, office="1399999999"), "claim-office-number")
    assert (problem.place.row, problem.value) == (1, OFFICE_NUMBER)
    assert "項番7「事業所番号」" in problem.place.column and "1399999999" in problem.message
    # the inner records carry it too (項番5): once, with the first line and the count
    inner = [p for p in problems(path, office="1399999999") if p.code == "claim-office-number"]
    assert len(inner) == 1
    builder = two_users()
    rows = builder.rows()
    for row in rows[1:-1]:
        if row[2] == "J611":
            row[at(row, 5)] = "1300000000"
    inner = only(problems(builder.write(tmp_path / "d.csv", rows)), "claim-office-number")
    assert inner.value == "1300000000" and "7件" in inner.message and inner.place.row == find(rows, "J611", "01") + 1


def test_a_record_count_that_does_not_match(tmp_path):
    builder = two_users()
    rows = builder.rows()
    rows[0][3] = "21"
    problem = only(problems(builder.write(tmp_path / "c.csv", rows)), "claim-record-count")
    assert problem.place.row == 1 and "項番4「レコード件数」" in problem.place.column
    assert "21" in problem.message and "22件" in problem.message


def test_the_data_kind_is_never_a_reason_to_refuse(tmp_path):
    builder = two_users()
    builder.data_kind = "J61"
    claim = read(builder.write(tmp_path / "c.csv"))
    finding = only(claim.findings, "claim-data-kind")
    assert finding.severity == "warning" and "J11" in finding.message and claim.control.data_kind == "J61"
    assert len(claim.teichaku_statements()) == 2


def test_a_medium_other_than_transmission_is_said(tmp_path):
    builder = two_users()
    builder.medium = "2"
    claim = read(builder.write(tmp_path / "c.csv"))
    assert only(claim.findings, "claim-medium").severity == "warning"


def test_a_file_starting_with_a_data_record(tmp_path):
    builder = two_users()
    rows = builder.rows()[1:]
    problem = only(problems(builder.write(tmp_path / "c.csv", rows)), "claim-not-claim-file")
    assert problem.place.row == 1 and "データレコードから始まって" in problem.message


# --- the sequence and the end ---------------------------------------------------------------------


def test_a_record_taken_out_is_one_sequence_error(tmp_path):
    builder = two_users()
    rows = builder.rows()
    removed = find(rows, "J121", "03")
    del rows[removed]
    found = problems(builder.write(tmp_path / "c.csv", rows))
    assert codes(found) == ["claim-record-count", "claim-record-sequence"]  # in the file's order
    assert found[1].place.row == removed + 1 and found[1].value == str(removed + 2)


def test_a_file_cut_in_the_middle_of_a_line(tmp_path):
    data = two_users().write(tmp_path / "c.csv").read_bytes()
    cut = data.index(b"\r\n2,15,") + 20  # inside line 15
    (tmp_path / "cut.csv").write_bytes(data[:cut])
    found = problems(tmp_path / "cut.csv")
    truncated = only(found, "claim-truncated")
    assert truncated.place.row == 15 and "途中で切れて" in truncated.message
    assert "claim-end-missing" not in codes(found)  # said once, as the cut
    # cut between CR and LF: still a cut line
    (tmp_path / "cr.csv").write_bytes(data[: data.index(b"\r\n2,15,") + 1])
    assert only(problems(tmp_path / "cr.csv"), "claim-truncated").place.row == 14


def test_a_file_cut_at_a_line_end_has_no_end_record(tmp_path):
    data = two_users().write(tmp_path / "c.csv").read_bytes()
    (tmp_path / "cut.csv").write_bytes(data[: data.index(b"3,24")])
    found = problems(tmp_path / "cut.csv")
    assert codes(found) == ["claim-end-missing"]


def test_an_end_record_without_its_line_end_is_read_with_a_warning(tmp_path):
    data = two_users().write(tmp_path / "c.csv").read_bytes()
    (tmp_path / "no-crlf.csv").write_bytes(data[:-2])
    claim = read(tmp_path / "no-crlf.csv")
    assert only(claim.findings, "claim-no-final-line-end").place.row == 24 and len(claim.statements) == 2


def test_lines_after_the_end_record(tmp_path):
    builder = two_users()
    rows = builder.rows() + [["2", "25", "J121", "01"]]
    assert codes(problems(builder.write(tmp_path / "c.csv", rows))) == ["claim-after-end"]


def test_blank_lines(tmp_path):
    data = two_users().write(tmp_path / "c.csv").read_bytes()
    (tmp_path / "after.csv").write_bytes(data + b"\r\n\r\n")
    claim = read(tmp_path / "after.csv")
    finding = only(claim.findings, "claim-blank-after-end")
    assert finding.severity == "warning" and finding.place.row == 25 and "2行" in finding.message
    at_line_3 = data.index(b"\r\n2,3,") + 2
    (tmp_path / "middle.csv").write_bytes(data[:at_line_3] + b"\r\n" + data[at_line_3:])
    found = problems(tmp_path / "middle.csv")
    assert codes(found) == ["claim-record-malformed"] and found[0].place.row == 3 and "空の行" in found[0].message


def test_lf_line_ends_are_read_and_said(tmp_path):
    claim = read(two_users().write(tmp_path / "lf.csv", line_end="\n"))
    finding = only(claim.findings, "claim-line-ends-lf")
    assert finding.severity == "warning" and finding.place.row == 1 and "24行" in finding.message
    assert len(claim.statements) == 2


def test_a_field_count_off_by_one(tmp_path):
    builder = two_users()
    rows = builder.rows()
    index = find(rows, "J121", "01", "1000000002")
    rows[index].append("")
    found = problems(builder.write(tmp_path / "c.csv", rows))
    problem = only(found, "claim-field-count")
    assert problem.place.row == index + 1 and "35項目" in problem.message and "38項目" in problem.message
    # its 基本情報 is there, unreadable: not also said to be missing
    assert "claim-statement-basic-missing" not in codes(found)


# --- the records' own structure -----------------------------------------------------------------


def test_a_statement_without_its_basic_record(tmp_path):
    builder = two_users()
    rows = builder.rows()
    del rows[find(rows, "J121", "01", "1000000002")]
    found = problems(builder.write(tmp_path / "c.csv", renumber(rows)))
    problem = only(found, "claim-statement-basic-missing")
    assert "受給者証番号 1000000002" in problem.message and "J121:01" in problem.message
    assert problem.place.row == find(renumber(rows), "J121", "02", "1000000002") + 1


def test_a_record_sheet_without_its_basic_record(tmp_path):
    builder = two_users()
    rows = builder.rows()
    del rows[find(rows, "J611", "01", "1000000001")]
    problem = only(problems(builder.write(tmp_path / "c.csv", renumber(rows))), "claim-record-sheet-basic-missing")
    assert "受給者証番号 1000000001" in problem.message


def test_two_statements_for_one_user_month(tmp_path):
    builder = two_users()
    rows = builder.rows()
    index = find(rows, "J121", "01", "1000000001")
    rows.insert(index + 1, list(rows[index]))
    problem = only(problems(builder.write(tmp_path / "c.csv", renumber(rows))), "claim-duplicate")
    assert problem.place.row == index + 2 and f"最初は{index + 1}行目" in problem.message


def test_records_of_a_kind_teichaku_does_not_read_are_counted(tmp_path):
    builder = two_users()
    rows = builder.rows()
    rows.insert(2, ["2", "0", "J411", "01", "202610", "131016", OFFICE_NUMBER])
    claim = read(builder.write(tmp_path / "c.csv", renumber(rows)))
    assert [(o.key, o.count, o.first_line) for o in claim.other_records] == [("J411:01", 1, 3)]
    assert only(claim.findings, "claim-other-records").severity == "note"
    assert only(claim.findings, "claim-invoice-not-checked").severity == "note"


def test_an_unknown_record_of_a_known_kind_is_an_error(tmp_path):
    builder = two_users()
    rows = builder.rows()
    rows.insert(2, ["2", "0", "J121", "09", "202610"])
    assert codes(problems(builder.write(tmp_path / "c.csv", renumber(rows)))) == ["claim-record-malformed"]


# --- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "position", "value", "code", "name"),
    [
        (("J121", "01"), J121_01["units"], "35l2", "claim-not-numeric", "項番20「給付単位数」"),
        (("J121", "01"), J121_01["benefit"], "", "claim-required-blank", "項番28「給付費」"),
        (("J121", "01"), J121_01["cap"], "ﾃｲﾁｬｸ", "claim-not-numeric", "項番12「利用者負担上限月額①」"),  # a name out of place: not shown
        (("J121", "03"), J121_03["count"], "1.0", "claim-not-numeric", "項番9「回数」"),
        (("J121", "04"), J121_04["total_cost"], "３９３３４", "claim-not-numeric", "項番13「総費用額」"),
        (("J121", "01"), 3, "202613", "claim-bad-date", "項番3「サービス提供年月」"),
        (("J121", "02"), 8, "20260231", "claim-bad-date", "項番8「開始年月日」"),
        (("J611", "01"), J611_01["report_shared"], "2026103", "claim-bad-date", "項番153「支援レポート共有日（年月日）」"),
        (("J611", "02"), J611_02["day"], "32", "claim-bad-date", "項番9「日付」"),
        (("J611", "02"), J611_02["liaison"], "Ⅰ", "claim-not-numeric", "項番90「定着支援連携促進加算」"),
        (("J111", "01"), J111_01["units"], "-", "claim-not-numeric", "項番18「合計単位数」"),
    ],
)
def test_a_value_that_cannot_be_read_is_placed(tmp_path, record, position, value, code, name):
    builder = two_users()
    rows = builder.rows()
    index = find(rows, *record)
    rows[index][at(rows[index], position)] = value
    found = problems(builder.write(tmp_path / "c.csv", rows))
    problem = only(found, code)
    assert problem.place.row == index + 1 and name in problem.place.column and f"{position + 2}項目目" in problem.place.column
    assert problem.value == (None if not value else value if value.isascii() else "（全角文字かカナを含むため表示しません）")
    assert problem.severity == "error" and problem.fix
    text = problem.describe()
    assert "c.csv" in text and f"{index + 1}行目" in text


def test_the_31st_of_a_30_day_month(tmp_path):
    builder = ClaimBuilder()
    builder.add("1000000001", month="202609", days=[Day(30), Day(31)])
    problem = only(problems(builder.write(tmp_path / "c.csv")), "claim-bad-date")
    assert "令和8年9月にない日" in problem.message and problem.value == "31"


def test_negative_numbers_and_zero_codes(tmp_path):
    """数値 may carry a leading minus (共通編 1.3.2); a コード値 of zeros is 未設定."""
    builder = two_users()
    rows = builder.rows()
    index = find(rows, "J121", "01", "1000000001")
    rows[index][at(rows[index], J121_01["cap_result"])] = "0"
    rows[index][at(rows[index], 25)] = "-100"  # 調整後利用者負担額: not read, but a valid number
    sheet = find(rows, "J611", "02", "1000000001")
    rows[sheet][at(rows[sheet], J611_02["liaison"])] = "00"
    claim = read(builder.write(tmp_path / "c.csv", rows))
    assert claim.statements[UserMonth("1000000001", "131016", OCT)].basic.cap_result is None
    assert claim.record_sheets_of("1000000001", OCT)[0].days[0].liaison is None


def test_many_broken_lines_are_listed_up_to_a_limit(tmp_path):
    builder = ClaimBuilder()
    for n in range(60):
        builder.add(f"10000000{n:02d}")
    rows = builder.rows()
    for row in rows:
        if row[0] == "2" and row[2] == "J611" and row[3] == "02":
            row[at(row, J611_02["base"])] = "x"
    found = problems(builder.write(tmp_path / "c.csv", rows))
    assert len(found) == LISTED + 1 and found[-1].code == "claim-more-problems" and "20件" in found[-1].message


# --- characters ------------------------------------------------------------------------------


def test_gaiji_is_an_error_naming_the_field_not_the_name(tmp_path):
    builder = ClaimBuilder()
    builder.add("1000000001", lines=[("471111", 3512, 1, "山\ue000さん同行")])  # CP932 F040, a 外字
    path = builder.write(tmp_path / "c.csv")
    assert b"\xf0\x40" in path.read_bytes()
    problem = only(problems(path), "claim-gaiji")
    assert problem.place.row == find(builder.rows(), "J121", "03") + 1
    assert "項番11「摘要」" in problem.place.column and "F040" in problem.message
    assert problem.value is None and "山" not in problem.describe()
    # the last code of the area, in the kana name
    builder = ClaimBuilder()
    builder.add("1000000001", kana="ﾃｲﾁｬｸ \ue757")
    problem = only(problems(builder.write(tmp_path / "d.csv")), "claim-gaiji")
    assert "項番8「支給決定者氏名カナ」" in problem.place.column and "F9FC" in problem.message and "ﾃｲﾁｬｸ" not in problem.describe()


def test_characters_cp932_has_beyond_jis_are_read(tmp_path):
    """NEC and IBM extensions (①, 髙) are CP932, not 外字: read as they are."""
    builder = ClaimBuilder()
    builder.add("1000000001", lines=[("471111", 3512, 1, "髙橋①")])
    (statement,) = read(builder.write(tmp_path / "c.csv")).statements.values()
    assert statement.details[0].remarks == "髙橋①"


@pytest.mark.parametrize(("character", "code"), [("\t", "claim-control-character"), ("\r", "claim-control-character"), ("'", "claim-forbidden-character")])
def test_control_characters_and_single_quotes(tmp_path, character, code):
    builder = ClaimBuilder()
    builder.add("1000000001", lines=[("471111", 3512, 1, f"a{character}b")])
    problem = only(problems(builder.write(tmp_path / "c.csv")), code)
    assert "項番11「摘要」" in problem.place.column


def test_unquoted_kanji_and_spaces_are_read_and_said(tmp_path):
    builder = two_users()
    rows = builder.rows()
    path = tmp_path / "c.csv"
    text = encode(rows).decode("cp932").replace('"ﾃｲﾁｬｸ ﾀﾛｳ"', "ﾃｲﾁｬｸ ﾀﾛｳ").replace('"特別地域"', "特別地域")
    path.write_bytes(text.encode("cp932"))
    claim = read(path)
    finding = only(claim.findings, "claim-unquoted-field")
    assert finding.severity == "warning" and "2" in finding.message and "項番8「支給決定者氏名カナ」" in finding.place.column
    assert claim.statements[UserMonth("1000000002", "131024", OCT)].details[1].remarks == "特別地域"


# --- files that are not this format -------------------------------------------------------------


def test_a_utf8_file_is_not_a_claim_file(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(encode(two_users().rows(), encoding="utf-8"))
    problem = only(problems(path), "claim-not-claim-file")
    assert "UTF-8" in problem.message and problem.place.row is None
    path.write_bytes(b"\xef\xbb\xbf" + encode(two_users().rows()))
    assert "BOM" in only(problems(path), "claim-not-claim-file").message
    path.write_bytes("利用者ID,氏名\r\n0001,定着 太郎\r\n".encode("utf-8"))
    assert "UTF-8" in only(problems(path), "claim-not-claim-file").message


def test_a_cp932_csv_of_something_else(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("利用者ID,氏名\r\n0001,定着 太郎\r\n".encode("cp932"))
    problem = only(problems(path), "claim-not-claim-file")
    assert problem.place.row == 1 and "コントロールレコード" in problem.message and "太郎" not in problem.describe()
    path.write_bytes(b"abc")  # one line, no line end: not a claim file, rather than "cut short"
    assert codes(problems(path)) == ["claim-not-claim-file"]


def test_an_excel_workbook_is_not_a_claim_file(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["1", "1", "0"])
    book.save(tmp_path / "請求.xlsx")
    assert "Excel" in only(problems(tmp_path / "請求.xlsx"), "claim-not-claim-file").message


def test_bytes_that_are_not_cp932(tmp_path):
    data = encode(two_users().rows())
    at_line_3 = data.index(b"\r\n2,3,") + 2
    path = tmp_path / "c.csv"
    for byte in (b"\xa0", b"\xfd", b"\x81\x20"):
        path.write_bytes(data[:at_line_3] + b"\x82\xa0" + byte + data[at_line_3:])
        problem = only(problems(path), "claim-encoding")
        assert problem.place.row == 3


def test_an_empty_file_a_folder_and_no_file(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    assert "空" in only(problems(tmp_path / "empty.csv"), "claim-not-claim-file").message
    from teichaku_cli.base.errors import TeichakuError

    for path in (tmp_path, tmp_path / "none.csv"):
        with pytest.raises(TeichakuError) as caught:
            read(path)
        assert caught.value.exit_code == 2 and str(path.name) in caught.value.message
    with pytest.raises(TeichakuError, match="事業所番号"):
        read_claim_file(tmp_path / "empty.csv", "")


# --- months -----------------------------------------------------------------------------------


def test_a_month_later_than_the_one_checked_is_refused(tmp_path):
    path = two_users().write(tmp_path / "c.csv")
    assert read(path, OCT).month == OCT and read(path, date(2026, 10, 31)).month == OCT  # a day names its month
    assert read(path, date(2026, 10, 31)).late_statements() == []
    problem = only(problems(path, SEP), "claim-later-month")
    assert problem.place.row == 2 and "令和8年10月分のレコードが22件" in problem.message and problem.value == "202610"
    assert "--month 2026-10" in problem.fix


def test_earlier_months_are_kept_as_late_claims(tmp_path):
    builder = two_users()
    builder.add("1000000003", month="202609")
    builder.add("1000000004", month="202608", municipality="131024")
    claim = read(builder.write(tmp_path / "c.csv"), OCT)
    assert claim.findings == [] and claim.months == [date(2026, 8, 1), SEP, OCT]
    assert [s.key.recipient for s in claim.teichaku_statements()] == ["1000000001", "1000000002"]
    assert [(s.key.recipient, s.key.month) for s in claim.late_statements()] == [("1000000004", date(2026, 8, 1)), ("1000000003", SEP)]
    assert claim.teichaku_statements(SEP)[0].key.recipient == "1000000003"
    # without a month, the month checked is the latest
    assert read(builder.write(tmp_path / "d.csv")).month == OCT


# --- J111 請求書 against the J121 明細書 ---------------------------------------------------------


def test_invoice_totals_that_do_not_add_up(tmp_path):
    builder = two_users()
    rows = builder.rows()
    index = find(rows, "J111", "01")
    rows[index][at(rows[index], J111_01["units"])] = "3600"
    rows[index][at(rows[index], J111_01["burden"])] = "0"
    line = find(rows, "J111", "02")
    rows[line][at(rows[line], J111_02["count"])] = "2"
    claim = read(builder.write(tmp_path / "c.csv", rows))  # not fatal: the reconcile shows them
    found = [f for f in claim.findings if f.code == "claim-invoice-differs"]
    assert [(f.place.row, f.place.column) for f in found] == [
        (index + 1, "J111:01 介護給付費等請求書 基本情報 項番18「合計単位数」"),
        (index + 1, "J111:01 介護給付費等請求書 基本情報 項番22「合計利用者負担額」"),
        (line + 1, "J111:02 介護給付費等請求書 明細情報 項番8「件数」"),
    ]
    assert "3,600" in found[0].message and "3,512" in found[0].message and "項番20「給付単位数」" in found[0].message
    assert "3,933" in found[1].message and all(f.severity == "error" for f in found)


def test_each_invoice_total_is_compared(tmp_path):
    """J111:01 #17–23 against the J121:01 sums, and J111:02 #8–14 against the J121:04 sums:
    each field spoilt alone is the one finding."""
    spoilt = [("J111", "01", p) for n, p in J111_01.items() if not n.startswith("sub") and n != "amount"]
    spoilt += [("J111", "02", p) for n, p in J111_02.items() if n not in ("kind", "service")]
    for exchange, kind, position in spoilt:
        builder = two_users()
        rows = builder.rows()
        index = find(rows, exchange, kind)
        rows[index][at(rows[index], position)] = "7"
        claim = read(builder.write(tmp_path / "c.csv", rows))
        (finding,) = claim.findings
        assert finding.code == "claim-invoice-differs" and finding.place.row == index + 1
        assert f"{exchange}:{kind} " in finding.place.column and f"項番{position}「" in finding.place.column


def test_a_statement_without_its_invoice(tmp_path):
    builder = two_users()
    rows = builder.rows()
    del rows[find(rows, "J111", "02")]
    claim = read(builder.write(tmp_path / "c.csv", renumber(rows)))
    finding = only(claim.findings, "claim-invoice-missing")
    assert "131016" in finding.message and "J111:02" in finding.message
    rows = builder.rows()
    del rows[find(rows, "J111", "01")]
    claim = read(builder.write(tmp_path / "d.csv", renumber(rows)))
    assert "J111:01" in only(claim.findings, "claim-invoice-missing").message


def test_municipal_subsidy_is_taken_off_the_user_burden(tmp_path):
    """J111:02 #13: 「明細書の決定利用者負担額から自治体助成額を控除した額」."""
    builder = ClaimBuilder()
    builder.add("1000000001", subsidy=1000)
    claim = read(builder.write(tmp_path / "c.csv"))
    assert claim.findings == [] and claim.invoices[0].user_burden == 3933 - 1000


def test_every_problem_code_is_in_the_docs():
    import re

    root = Path(__file__).resolve().parents[1]
    source = (root / "teichaku_cli" / "office" / "claim_file.py").read_text(encoding="utf-8")
    found = set(re.findall(r'"(claim-[a-z-]+)"', source))
    guide = (root / "docs" / "check.md").read_text(encoding="utf-8")
    assert len(found) > 25 and all(f"`{code}`" in guide for code in found), sorted(c for c in found if f"`{c}`" not in guide)


def test_benefit_kinds_2_and_3_leave_three_totals_unjudged(tmp_path):
    """With 高額障害福祉サービス費 (給付種別 2) or a J111:02 of 給付種別 2/3 for a 市町村 and month,
    合計件数・合計費用合計・合計給付費請求額 include a part whose arithmetic is not in our sources."""
    builder = ClaimBuilder()
    builder.add("1000000001")
    rows = builder.rows()
    statement = find(rows, "J121", "01")
    rows[statement][at(rows[statement], J121_01["high_cost"])] = "500"
    invoice = find(rows, "J111", "01")
    for name in ("count", "total_cost", "benefit"):
        rows[invoice][at(rows[invoice], J111_01[name])] = "1"
    claim = read(builder.write(tmp_path / "c.csv", rows))
    assert codes(claim.findings) == ["claim-invoice-not-checked"] and "合計件数" in claim.findings[0].message
    # the others are still compared
    rows[invoice][at(rows[invoice], J111_01["units"])] = "1"
    assert codes(read(builder.write(tmp_path / "d.csv", rows)).findings) == ["claim-invoice-differs", "claim-invoice-not-checked"]
    # a 給付種別 3 line, and no 高額
    rows = builder.rows()
    rows.insert(find(rows, "J111", "02") + 1, ["2", "0", "J111", "02", "202610", "131016", OFFICE_NUMBER, "3", "47", "1", "0", "5", "5", "", "0", ""])
    rows[find(rows, "J111", "01")][at(rows[invoice], J111_01["benefit"])] = "35406"
    claim = read(builder.write(tmp_path / "e.csv", renumber(rows)))
    assert codes(claim.findings) == ["claim-invoice-not-checked"]
