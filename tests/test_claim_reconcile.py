"""The claim file against the records (rules/claim.py, ``check --claim``): claim files
built from the spec's field positions (tests/claim_builder.py, never teichaku's reader
or a writer of its own), read against small offices built on disk. A clean claim says
nothing; each finding shows on its own, with both values; the edges of each reading
(month ends, R3/R6/R8.6 months, a job change, a 支給決定期間 ending mid-month)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from claim_builder import J111_02, J121_04, J611_01, ClaimBuilder, Day, UserClaim, at, find, renumber
from conftest import write_csvs, write_xlsx
from rules_helpers import good_month, merge
from teichaku_cli.office.claim_file import read_claim_file
from teichaku_cli.office.load import load_office
from teichaku_cli.rules.claim import attach, match_lines, reconcile
from teichaku_cli.rules.monthly import as_dict, check_month

ROOT = Path(__file__).resolve().parents[1]
OCT = date(2025, 10, 1)
TODAY = date(2025, 11, 20)
OFFICE = "1312345678"
CONFIG = f'"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 11.2\n"事業所名" = "テスト事業所"\n"事業所番号" = "{OFFICE}"\n'


def number(uid: str) -> str:
    return f"99000{int(uid):05d}"


def cert(uid: str, start=date(2025, 4, 1), end=date(2026, 3, 31), cap=9300, manager=None, municipality="131016", number_=None) -> dict:
    return {
        "利用者ID": uid, "受給者証番号": number_ or number(uid), "市町村番号": municipality,
        "支給決定開始日": start, "支給決定終了日": end, "負担上限月額": cap, "上限管理事業所番号": manager,
    }


def folder_of(tmp_path: Path, tables: dict, config: str = CONFIG, xlsx: bool = False) -> Path:
    n = len(list(tmp_path.glob("office*")))
    folder = tmp_path / f"office{n}"
    if xlsx:
        folder.mkdir()
        write_xlsx(folder / "office.xlsx", tables)
        (folder / "teichaku.toml").write_text(config + 'data = "office.xlsx"\n', encoding="utf-8")
        return folder / "office.xlsx"
    write_csvs(folder, {k: v for k, v in tables.items() if v}, encoding="cp932")
    (folder / "teichaku.toml").write_text(config, encoding="utf-8")
    return folder


def users(*uids: str, month: date = OCT, **user) -> dict:
    """Good months for ``uids`` with a 受給者証 each (支給決定期間 2025-04-01 … 2026-03-31)."""
    return merge(*(good_month(uid, month, **user) for uid in uids), {"受給者証": [cert(uid) for uid in uids]})


def claimed(uid: str, recipient: str | None = None, **kw) -> UserClaim:
    """What a correct claims program writes for a good month: 3,512 units at 11.2円, the 5th
    a day of support, the report shared on the 31st."""
    options = dict(month="202510", days=[Day(5)], report_shared="20251031", lines=[("471111", 3512, 1, "")])
    options.update(kw)
    return UserClaim(recipient or number(uid), **options)


def builder(*claims: UserClaim, **kw) -> ClaimBuilder:
    return ClaimBuilder(list(claims), **({"processing": "202511"} | kw))


def run(tmp_path: Path, data: Path, claim: ClaimBuilder | Path, month: date | None = None, rows=None):
    path = claim if isinstance(claim, Path) else claim.write(tmp_path / "請求.csv", rows)
    office = load_office(data)
    read = read_claim_file(path, office.settings.office_number, month)
    check = check_month(office, read.month, TODAY)
    return reconcile(office, check, read)


def every(result) -> list:
    return [f for m in result.months for f in m.findings] + result.office_findings + list(result.file_findings)


def codes(result) -> list[str]:
    return [f.code for f in every(result)]


def only(result, code: str):
    found = [f for f in every(result) if f.code == code]
    assert codes(result) == [code], [(f.code, getattr(f, "message", "")) for f in every(result)]
    return found[0]


# --- a clean claim ----------------------------------------------------------------------------


def test_a_clean_claim_has_no_finding(tmp_path):
    data = folder_of(tmp_path, users("0001", "0002"))
    result = run(tmp_path, data, builder(claimed("0001"), claimed("0002")))
    assert every(result) == [] and result.differences == 0
    assert (result.statements, result.record_sheets) == (2, 2)
    assert [(m.user_id, m.recipient, m.line is not None) for m in result.months] == [("0001", "9900000001", True), ("0002", "9900000002", True)]


def test_a_clean_claim_from_an_xlsx_office_too(tmp_path):
    data = folder_of(tmp_path, users("0001", "0002"), xlsx=True)
    assert codes(run(tmp_path, data, builder(claimed("0001"), claimed("0002")))) == []


def test_a_claim_holding_another_service_beside_teichaku_users(tmp_path):
    """B型 (46) of users this office does not serve: counted and named, never judged."""
    data = folder_of(tmp_path, users("0001"))
    b_type = UserClaim("2000000001", month="202510", service="46", lines=[("461111", 584, 20, "")], days=[Day(d) for d in range(1, 21)])
    result = run(tmp_path, data, builder(claimed("0001"), b_type))
    note = only(result, "claim-other-services")
    assert note.severity == "note" and "就労継続支援B型（46） 1件" in note.message
    assert result.statements == 1 and result.claim.service_counts(OCT) == [("47", "就労定着支援（47）", 1), ("46", "就労継続支援B型（46）", 1)]


def test_a_cp932_file_with_nec_extensions_reads_clean(tmp_path):
    """①・㈱・髙 (CP932's NEC/IBM extensions) in a 摘要 are read as they are."""
    data = folder_of(tmp_path, users("0001"))
    result = run(tmp_path, data, builder(claimed("0001", lines=[("471111", 3512, 1, "①㈱髙﨑")])))
    assert codes(result) == []


# --- each finding on its own -----------------------------------------------------------------


def test_claim_not_supported_names_checks_own_error(tmp_path):
    tables = users("0001", "0002")
    tables["支援記録"][2]["方法"] = "電話"  # 0002's contact with the person: a phone call
    data = folder_of(tmp_path, tables)
    result = run(tmp_path, data, builder(claimed("0001"), claimed("0002")))
    finding = only(result, "claim-not-supported")
    assert finding.severity == "error" and "対面支援なし" in finding.message and "利用者ID 0002" in finding.message
    assert (finding.claim_value, finding.records_value) == ("請求あり", "請求できない（対面支援なし）")
    assert "1の(4)②" in finding.source  # the source of check's own error


def test_claim_not_supported_for_a_month_outside_the_service(tmp_path):
    tables = merge(users("0001"), {"利用者": [{"利用者ID": "0003", "氏名": "利用者0003", "就職日": date(2025, 1, 6), "利用開始日": date(2025, 11, 1)}],
                                   "受給者証": [cert("0003", start=date(2025, 11, 1))]})
    result = run(tmp_path, folder_of(tmp_path, tables), builder(claimed("0001"), claimed("0003")))
    finding = only(result, "claim-not-supported")
    assert "利用期間" in finding.message and result.months[1].user_id == "0003"


def test_a_second_statement_of_the_same_user_is_not_supported(tmp_path):
    data = folder_of(tmp_path, users("0001"))
    result = run(tmp_path, data, builder(claimed("0001"), claimed("0001", municipality="131024")))
    assert "二重" in only(result, "claim-not-supported").message


def test_claim_missing_user(tmp_path):
    data = folder_of(tmp_path, users("0001", "0002"))
    finding = only(run(tmp_path, data, builder(claimed("0001"))), "claim-missing-user")
    assert finding.severity == "warning" and "利用者ID 0002" in finding.message
    assert (finding.claim_value, finding.records_value) == ("なし", "請求できる（3,512単位、総費用額 39,334円）")


def test_claim_unknown_recipient_suggests_the_user_left_out(tmp_path):
    data = folder_of(tmp_path, users("0001", "0002"))
    result = run(tmp_path, data, builder(claimed("0001"), claimed("0002", recipient="9900000020")))  # 02 → 20
    assert sorted(codes(result)) == ["claim-missing-user", "claim-unknown-recipient"]
    unknown = next(f for f in every(result) if f.code == "claim-unknown-recipient")
    assert unknown.severity == "error" and "9900000002（利用者ID 0002）" in unknown.message and unknown.claim_value == "9900000020"
    far = run(tmp_path, data, builder(claimed("0001"), claimed("0002"), claimed("0009", recipient="1234567890")))
    assert "打ち間違い" not in only(far, "claim-unknown-recipient").message


@pytest.mark.parametrize(
    "claim, certificate, subject, values",
    [
        (dict(municipality="131024"), {}, "市町村番号", ("131024", "131016")),
        (dict(cap=37200), {}, "利用者負担上限月額", ("37,200円", "9,300円")),
        (dict(cap_manager="1398765432"), {}, "上限額管理事業所", ("1398765432", "空欄（上限額管理なし）")),
        (dict(cap_result="2"), {}, "管理結果", ("2", "なし（上限額管理なし）")),
        (dict(recipient="9900000077"), dict(number_="9900000077", end=date(2025, 9, 30)), "受給者証番号", ("9900000077", "9900000001")),
    ],
)
def test_claim_certificate_differs(tmp_path, claim, certificate, subject, values):
    tables = users("0001")
    if certificate:  # an earlier 受給者証 with another number; October's is the one after it
        tables["受給者証"] = [cert("0001", start=date(2025, 4, 1), **certificate), cert("0001", start=date(2025, 10, 1))]
    finding = only(run(tmp_path, folder_of(tmp_path, tables), builder(claimed("0001", **claim))), "claim-certificate-differs")
    assert finding.severity == "error" and finding.subject == subject and (finding.claim_value, finding.records_value) == values


def test_claim_certificate_differs_on_the_cap_result_amount(tmp_path):
    tables = merge(users("0001"), {"上限管理結果": [{"利用者ID": "0001", "対象月": OCT, "管理結果": "3", "利用者負担額": 1200}]})
    tables["受給者証"][0]["上限管理事業所番号"] = "1398765432"
    data = folder_of(tmp_path, tables)
    right = dict(cap_manager="1398765432", cap_result="3", burden_override=1200)
    assert codes(run(tmp_path, data, builder(claimed("0001", cap_amount="1200", **right)))) == []
    finding = only(run(tmp_path, data, builder(claimed("0001", cap_amount="1500", **right))), "claim-certificate-differs")
    assert (finding.subject, finding.claim_value, finding.records_value) == ("管理結果額", "1,500円", "1,200円")


def test_a_cap_result_not_yet_in_is_never_a_difference(tmp_path):
    tables = users("0001")
    tables["受給者証"][0]["上限管理事業所番号"] = "1398765432"  # managed elsewhere, no result yet: teichaku does not know
    data = folder_of(tmp_path, tables)
    assert codes(run(tmp_path, data, builder(claimed("0001", cap_manager="1398765432", cap_result="2")))) == []


def test_claim_units_differ_lists_both_sides(tmp_path):
    data = folder_of(tmp_path, users("0001"))
    finding = only(run(tmp_path, data, builder(claimed("0001", lines=[("471111", 3512, 1, ""), ("476100", 240, 1, "")]))), "claim-units-differ")
    assert (finding.claim_value, finding.records_value) == ("3,752", "3,512")
    assert "476100 240単位×1回=240" in finding.message and "記録にない請求の行: 476100 240単位" in finding.message
    assert "就労定着支援サービス費（9割5分以上） 3,512" in finding.message and "差 +240単位" in finding.message


def test_claim_tier_differs_replaces_units_differ(tmp_path):
    data = folder_of(tmp_path, users("0001"))
    finding = only(run(tmp_path, data, builder(claimed("0001", lines=[("471112", 3348, 1, "")]))), "claim-tier-differs")
    assert (finding.claim_value, finding.records_value) == ("9割以上9割5分未満（3,348単位）", "9割5分以上（3,512単位）")
    assert "サービスコード 471112" in finding.message and "令和6年度報酬改定" in finding.message


def test_lines_that_differ_when_the_units_agree_are_a_note(tmp_path):
    data = folder_of(tmp_path, users("0001"))
    finding = only(run(tmp_path, data, builder(claimed("0001", lines=[("471111", 3000, 1, ""), ("479999", 512, 1, "")]))), "claim-lines-differ")
    assert finding.severity == "note" and "給付単位数（3,512単位）は記録と同じ" in finding.message


def test_one_extra_line_of_a_user_whose_cap_this_office_manages_may_be_the_cap_management_addition(tmp_path):
    tables = users("0001")
    tables["受給者証"][0]["上限管理事業所番号"] = OFFICE
    data = folder_of(tmp_path, tables)
    claim = claimed("0001", cap_manager=OFFICE, lines=[("471111", 3512, 1, ""), ("476200", 150, 1, "")])
    finding = only(run(tmp_path, data, builder(claim)), "claim-lines-differ")
    assert "利用者負担上限額管理加算" in finding.message and "476200 150単位" in finding.message
    # the amounts are those of the claim's units, so a wrong burden still shows
    wrong = claimed("0001", cap_manager=OFFICE, lines=claim.lines, burden_override=1)
    assert sorted(codes(run(tmp_path, data, builder(wrong)))) == ["claim-amounts-differ", "claim-amounts-differ", "claim-lines-differ"]
    other = claimed("0001", lines=claim.lines)  # not managed here: an error
    tables["受給者証"][0]["上限管理事業所番号"] = None
    assert codes(run(tmp_path, folder_of(tmp_path, tables), builder(other))) == ["claim-units-differ"]


def test_claim_price_differs(tmp_path):
    data = folder_of(tmp_path, users("0001"))
    finding = only(run(tmp_path, data, builder(claimed("0001", price="10900"))), "claim-price-differs")
    assert (finding.claim_value, finding.records_value) == ("10.9", "11.2")


def test_no_unit_price_in_teichaku_toml_is_compared_with_nothing(tmp_path):
    data = folder_of(tmp_path, users("0001"), config=CONFIG.replace('"地域区分単価" = 11.2\n', ""))
    result = run(tmp_path, data, builder(claimed("0001", price="10900")))
    assert sorted(codes(result)) == ["claim-price-unchecked", "claim-unconfirmed"] and result.count("error") == 0
    note = next(f for f in every(result) if f.code == "claim-price-unchecked")
    assert "10.9円" in note.message and "10円とはみなしません" in note.message


def test_claim_amounts_differ(tmp_path):
    data = folder_of(tmp_path, users("0001"))
    result = run(tmp_path, data, builder(claimed("0001", burden_override=1000)))
    assert codes(result) == ["claim-amounts-differ", "claim-amounts-differ"]
    assert [(f.subject, f.claim_value, f.records_value) for f in every(result)] == [
        ("決定利用者負担額", "1,000", "3,933"), ("給付費", "38,334", "35,401")]


def test_the_claims_own_arithmetic(tmp_path):
    """A 総費用額 that is not 給付単位数 × 単位数単価: the J111 sums kept right, so only the claim's own sum is wrong."""
    data = folder_of(tmp_path, users("0001"))
    claim = builder(claimed("0001"))
    rows = claim.rows()
    summary, line = find(rows, "J121", "04"), find(rows, "J111", "02")
    rows[summary][at(rows[summary], J121_04["total_cost"])] = "39335"
    rows[line][at(rows[line], J111_02["total_cost"])] = "39335"
    result = run(tmp_path, data, claim, rows=rows)
    assert codes(result) == ["claim-amounts-differ", "claim-amounts-differ"]
    assert [(f.subject, f.claim_value, f.records_value) for f in every(result)] == [
        ("総費用額（請求の中の計算）", "39,335", "39,334"), ("給付費（請求の中の計算）", "35,401", "35,402")]


def test_claim_record_sheet_differs_on_each_value(tmp_path):
    tables = users("0001")
    tables["利用者"][0]["特別地域"] = "はい"
    tables["ケース会議"] = [{"日付": date(2025, 10, 8), "利用者ID": "0001", "参加機関": "事業主", "サービス管理責任者参加": "はい"}]
    tables["支援レポート"][0]["事業主共有日"] = date(2025, 11, 4)
    data = folder_of(tmp_path, tables)
    lines = [("471111", 3512, 1, ""), ("476100", 240, 1, ""), ("475001", 579, 1, "")]
    right = dict(lines=lines, days=[Day(5, special="1"), Day(8, base="", liaison="1")])

    def subjects(**kw):
        result = run(tmp_path, data, builder(claimed("0001", **(right | kw))))
        assert set(codes(result)) <= {"claim-record-sheet-differs"}, codes(result)
        return [(f.subject, f.claim_value, f.records_value) for f in every(result)]

    assert subjects() == []
    assert subjects(report_shared="20251104") == []  # the same row's 事業主共有日 is accepted too
    assert subjects(days=[Day(6, special="1"), Day(8, base="", liaison="1")]) == [("算定日数の日", "6日", "5日"), ("特別地域加算の日", "6日", "5日")]
    assert subjects(days=[Day(5, special="1"), Day(8, base="", liaison="2")]) == [("定着支援連携促進加算", "8日=2", "8日=1")]
    assert subjects(days=[Day(5), Day(8, base="", liaison="1")]) == [("特別地域加算の日", "なし", "5日"), ("特別地域加算（回）", "0回", "1回")]
    assert subjects(report_shared="20251030") == [("支援レポート共有日", "令和7年10月30日", "本人提供日 令和7年10月31日（事業主共有日 令和7年11月4日 も可）")]
    assert subjects(report_shared="") == [("支援レポート共有日", "空欄", "本人提供日 令和7年10月31日（事業主共有日 令和7年11月4日 も可）")]
    claim = builder(claimed("0001", **right))
    rows = claim.rows()
    sheet = find(rows, "J611", "01")
    rows[sheet][at(rows[sheet], J611_01["days_total"])] = "2"
    result = run(tmp_path, data, claim, rows=rows)
    assert [(f.subject, f.claim_value, f.records_value) for f in every(result)] == [("合計算定日数", "2日", "1日")]


def test_a_statement_without_its_record_sheet(tmp_path):
    data = folder_of(tmp_path, users("0001"))
    finding = only(run(tmp_path, data, builder(claimed("0001", with_sheet=False))), "claim-record-sheet-differs")
    assert (finding.subject, finding.claim_value, finding.records_value) == ("実績記録票", "なし", "算定日数 5日")


def test_two_record_sheets_of_one_user_month_are_not_judged(tmp_path):
    data = folder_of(tmp_path, users("0001"))
    claim = builder(claimed("0001", days=[Day(9)]))  # the 9th would differ: it is not looked at
    rows = claim.rows()
    extra = [list(r) for r in rows if r[0] == "2" and r[2] == "J611"]
    for r in extra:
        r[at(r, 7)] = "9901"  # another 様式種別番号
    rows = renumber(rows[:-1] + extra + rows[-1:])
    assert codes(run(tmp_path, data, claim, rows=rows)) == ["claim-record-sheet-unclear"]


def test_a_user_month_unconfirmed_in_the_records_is_a_note_not_an_error(tmp_path):
    """No 基本報酬区分 and no rate to compute one: the units are unknown (要確認)."""
    data = folder_of(tmp_path, users("0001"), config=CONFIG.replace('"基本報酬区分" = "9割5分以上"\n', ""))
    result = run(tmp_path, data, builder(claimed("0001", lines=[("471111", 1234, 1, "")])))
    note = only(result, "claim-unconfirmed")
    assert note.severity == "note" and "基本報酬の単位が分からない" in note.message and "給付単位数・サービスコードの行・金額" in note.message


def test_no_statement_of_the_month_says_so_and_no_one_is_left_out(tmp_path):
    november = {k: v for k, v in good_month("0001", date(2025, 11, 1)).items() if k != "利用者"}
    data = folder_of(tmp_path, merge(users("0001"), november))
    result = run(tmp_path, data, builder(claimed("0001")), month=date(2025, 11, 1))
    assert sorted(codes(result)) == ["claim-late-statements", "claim-no-statements"]
    assert [late.user_id for late in result.late] == ["0001"]


# --- the readings at their edges ---------------------------------------------------------------


def test_the_last_day_of_the_month_is_a_day_of_support(tmp_path):
    tables = users("0001")
    tables["支援記録"][0]["日付"] = date(2025, 10, 31)
    data = folder_of(tmp_path, tables)
    assert codes(run(tmp_path, data, builder(claimed("0001", days=[Day(31)])))) == []
    assert only(run(tmp_path, data, builder(claimed("0001", days=[Day(30)]))), "claim-record-sheet-differs").records_value == "31日"


def test_february_28th(tmp_path):
    feb = date(2025, 2, 1)
    tables = merge(good_month("0001", feb), {"受給者証": [cert("0001", start=date(2024, 10, 1), end=date(2025, 9, 30))]})
    tables["支援記録"][0]["日付"] = date(2025, 2, 28)
    data = folder_of(tmp_path, tables)
    claim = claimed("0001", month="202502", days=[Day(28)], report_shared="20250228")
    assert codes(run(tmp_path, data, builder(claim, processing="202503"))) == []


@pytest.mark.parametrize("month, revision, units", [
    (date(2023, 10, 1), "令和3年度報酬改定", (3449, 3285)),  # R3: the tiers of the office's band (20人以下)
    (date(2026, 5, 1), "令和6年度報酬改定", (3512, 3348)),
    (date(2026, 6, 1), "令和8年6月改定", (3512, 3348)),
])
def test_the_tiers_are_the_months_revisions(tmp_path, month, revision, units):
    ours, theirs = units
    tables = merge(good_month("0001", month), {"受給者証": [cert("0001", start=date(2021, 4, 1), end=date(2027, 3, 31))]})
    data = folder_of(tmp_path, tables)
    end = f"{(date(month.year + month.month // 12, month.month % 12 + 1, 1) - date.resolution):%Y%m%d}"
    right = dict(month=f"{month:%Y%m}", report_shared=end)
    assert codes(run(tmp_path, data, builder(claimed("0001", lines=[("471111", ours, 1, "")], **right)))) == []
    finding = only(run(tmp_path, data, builder(claimed("0001", lines=[("471112", theirs, 1, "")], **right))), "claim-tier-differs")
    assert revision in finding.message and finding.claim_value == f"9割以上9割5分未満（{theirs:,}単位）"


def test_a_job_change_in_the_month_keeps_every_day_of_support(tmp_path):
    tables = users("0001")
    tables["利用者"][0]["就職日"] = None
    tables["利用者"][0]["事業主"] = None
    tables["就労履歴"] = [
        {"利用者ID": "0001", "事業主": "甲社", "就職日": date(2024, 10, 1), "離職日": date(2025, 10, 10), "障害開示": "オープン", "事業主共有同意": "あり"},
        {"利用者ID": "0001", "事業主": "乙社", "就職日": date(2025, 10, 20), "障害開示": "オープン", "事業主共有同意": "あり"},
    ]
    tables["支援記録"].append({"日付": date(2025, 10, 25), "利用者ID": "0001", "方法": "テレビ電話", "相手": "本人", "区分": "支援"})
    data = folder_of(tmp_path, tables)
    assert codes(run(tmp_path, data, builder(claimed("0001", days=[Day(5), Day(25)])))) == []
    result = run(tmp_path, data, builder(claimed("0001", days=[Day(5)])))
    assert [(f.subject, f.claim_value, f.records_value) for f in every(result)] == [("算定日数の日", "5日", "5日・25日"), ("合計算定日数", "1日", "2日")]


def test_a_certificate_ending_mid_month_ends_the_days_of_support(tmp_path):
    tables = users("0001")
    tables["受給者証"] = [cert("0001", end=date(2025, 10, 15))]
    tables["支援記録"].append({"日付": date(2025, 10, 20), "利用者ID": "0001", "方法": "対面", "相手": "本人", "区分": "支援"})
    tables["支援レポート"][0].update({"本人提供日": date(2025, 10, 10), "事業主共有日": date(2025, 10, 10)})
    data = folder_of(tmp_path, tables)
    early = dict(report_shared="20251010")
    assert codes(run(tmp_path, data, builder(claimed("0001", days=[Day(5)], **early)))) == []
    result = run(tmp_path, data, builder(claimed("0001", days=[Day(5), Day(20)], **early)))
    assert [(f.subject, f.claim_value, f.records_value) for f in every(result)] == [("算定日数の日", "5日・20日", "5日"), ("合計算定日数", "2日", "1日")]
    assert "支給決定期間の中" in every(result)[0].message


def test_the_service_ending_mid_month_ends_the_days_of_support(tmp_path):
    tables = users("0001", 利用終了日=date(2025, 10, 15))
    tables["支援記録"].append({"日付": date(2025, 10, 20), "利用者ID": "0001", "方法": "対面", "相手": "本人", "区分": "支援"})
    tables["支援レポート"][0].update({"本人提供日": date(2025, 10, 10), "事業主共有日": date(2025, 10, 10)})
    data = folder_of(tmp_path, tables)
    early = dict(report_shared="20251010")
    assert codes(run(tmp_path, data, builder(claimed("0001", days=[Day(5)], **early)))) == []
    result = run(tmp_path, data, builder(claimed("0001", days=[Day(5), Day(20)], **early)))
    assert [f.subject for f in every(result)] == ["算定日数の日", "合計算定日数"]


def test_lines_are_matched_by_units_per_time():
    from claim_builder import OFFICE_NUMBER  # noqa: F401 (the builder is the only source of positions here)
    from teichaku_cli.model.claim import StatementDetail
    from teichaku_cli.rules.amounts import UnitLine

    ours = [UnitLine("base", "基本", 3512, ""), UnitLine("meeting_with_manager", "会議", 579, ""), UnitLine("treatment_improvement", "処遇", 409, "")]
    details = [StatementDetail(1, "471111", 3512, 1, 3512, ""), StatementDetail(2, "475001", 579, 2, 1158, "")]
    match = match_lines(details, ours)
    assert [(d.service_code, n) for d, n in match.extra] == [("475001", 1)]
    assert [line.key for line in match.missing] == ["treatment_improvement"]


# --- from the command line -----------------------------------------------------------------------


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY.isoformat())
    monkeypatch.setenv("COLUMNS", "120")


def test_cli_clean_claim_exits_0_and_says_so(invoke, tmp_path, today):
    data = folder_of(tmp_path, users("0001", "0002"))
    path = builder(claimed("0001"), claimed("0002")).write(tmp_path / "請求.csv")
    result = invoke("check", data, "--claim", path)
    assert result.exit_code == 0, result.output
    assert "請求データとの照合" in result.output and "請求データと記録は一致しています。" in result.output
    assert "令和7年10月分" in result.output  # the month came from the file


def test_cli_exit_1_on_a_claim_error_and_0_on_a_warning(invoke, tmp_path, today):
    data = folder_of(tmp_path, users("0001", "0002"))
    tier = builder(claimed("0001", lines=[("471112", 3348, 1, "")]), claimed("0002")).write(tmp_path / "tier.csv")
    result = invoke("check", data, "--claim", tier)
    assert result.exit_code == 1, result.output
    assert "請求データと記録に 1件の相違があります（エラー 1件・注意 0件）" in result.output
    reconcile_part = result.output.split("請求データとの照合", 1)[1]
    row = next(line for line in reconcile_part.splitlines() if line.startswith("│ 0001"))
    assert "基本報酬の区分が違う" in row and "9割以上9割5分未満" in row and "9割5分以上" in row
    missing = builder(claimed("0001")).write(tmp_path / "missing.csv")
    result = invoke("check", data, "--claim", missing)
    assert result.exit_code == 0 and "請求もれ" in result.output and "（エラー 0件・注意 1件）" in result.output


def test_cli_json_carries_the_findings_under_each_user_and_a_claim_object(invoke, tmp_path, today):
    data = folder_of(tmp_path, users("0001", "0002"))
    path = builder(claimed("0001", days=[Day(6)]), claimed("0005"), claimed("0001", month="202509", report_shared="20250930")).write(tmp_path / "請求.csv")
    plain = json.loads(invoke("check", data, "--month", "2025-10", "--json").stdout)
    office = load_office(data)
    assert plain == as_dict(check_month(office, OCT, TODAY))  # without --claim: unchanged
    result = invoke("check", data, "--claim", path, "--json")
    payload = json.loads(result.stdout)
    read = read_claim_file(path, OFFICE)
    check = check_month(office, OCT, TODAY)
    assert payload == attach(as_dict(check), reconcile(office, check, read))  # --json is the core result
    users_ = {u["user_id"]: u for u in payload["users"]}
    (finding,) = users_["0001"]["claim"]["findings"]
    assert (finding["code"], finding["subject"], finding["claim_value"], finding["records_value"]) == ("claim-record-sheet-differs", "算定日数の日", "6日", "5日")
    assert [(st["recipient"], st["municipality"]) for st in users_["0001"]["claim"]["statements"]] == [("9900000001", "131016")]
    assert [f["code"] for f in users_["0002"]["claim"]["findings"]] == ["claim-missing-user"] and users_["0002"]["claim"]["statements"] == []
    claim = payload["claim"]
    assert (claim["file"], claim["month"], claim["processing_month"]) == ("請求.csv", "2025-10", "2025-11")
    assert claim["counts"]["statements"] == 2 and claim["counts"]["late"] == 1
    assert [(l["month"], l["user_id"]) for l in claim["late"]] == [("2025-09", "0001")]
    assert [u["recipient"] for u in claim["unmatched"]] == ["9900000005"] and claim["unmatched"][0]["findings"][0]["code"] == "claim-unknown-recipient"
    assert [f["code"] for f in claim["office_findings"]] == ["claim-late-statements"]
    assert claim["summary"] == {"errors": 1, "warnings": 2, "notes": 1, "differences": 3}
    assert result.exit_code == 1


def test_cli_late_months_are_listed_not_judged(invoke, tmp_path, today):
    """A September 明細書 of a user the records cannot claim in September changes nothing."""
    data = folder_of(tmp_path, users("0001"))
    path = builder(claimed("0001"), claimed("0001", month="202509", lines=[("471111", 9999, 1, "")])).write(tmp_path / "請求.csv")
    result = invoke("check", data, "--claim", path)
    assert result.exit_code == 0, result.output
    assert "月遅れ（照合しません）: 令和7年9月分 受給者証番号 9900000001" in result.output
    assert "請求データと記録は一致しています（お知らせ 1件）。" in result.output


@pytest.mark.parametrize("spoil, expected", [
    ("later", "より後の令和7年11月分"),
    ("office", "この事業所（teichaku.toml の事業所番号 1312345678）のものではありません"),
    ("count", "レコード件数が"),
    ("truncated", "ファイルが途中で切れています"),
    ("gaiji", "外字"),
])
def test_cli_a_claim_file_that_cannot_be_used_exits_2_placed(invoke, tmp_path, today, spoil, expected):
    data = folder_of(tmp_path, users("0001"))
    claim = builder(claimed("0001"))
    if spoil == "later":
        claim.users.append(claimed("0001", month="202511"))
    if spoil == "office":
        claim.office = "1399999999"
    if spoil == "gaiji":
        claim.users[0].lines = [("471111", 3512, 1, "髙\ue000")]
    path = claim.write(tmp_path / "請求.csv")
    if spoil == "count":
        rows = claim.rows()
        rows[0][3] = "99"
        claim.write(path, rows)
    if spoil == "truncated":
        path.write_bytes(path.read_bytes()[:-30])
    result = invoke("check", data, "--month", "2025-10", "--claim", path)
    assert result.exit_code == 2, result.output
    assert expected in result.output and "請求ファイル 請求.csv を読めないため、照合しません。" in result.output
    assert "入力データにエラー" not in result.output and "利用者ID" not in result.stdout  # nothing checked, nothing said of the office data


def test_cli_claim_needs_the_certificates_and_the_office_number(invoke, tmp_path, today):
    tables = users("0001")
    no_certs = folder_of(tmp_path, {k: v for k, v in tables.items() if k != "受給者証"})
    path = builder(claimed("0001")).write(tmp_path / "請求.csv")
    result = invoke("check", no_certs, "--claim", path)
    assert result.exit_code == 2 and "受給者証シート" in result.output and "事業所番号」" not in result.output
    no_number = folder_of(tmp_path, tables, config=CONFIG.replace(f'"事業所番号" = "{OFFICE}"\n', ""))
    result = invoke("check", no_number, "--claim", path)
    assert result.exit_code == 2 and "teichaku.toml の「事業所番号」" in result.output


def test_cli_never_writes_over_the_claim_file(invoke, tmp_path, today):
    data = folder_of(tmp_path, users("0001"))
    path = builder(claimed("0001")).write(tmp_path / "請求.xlsx")  # a CSV named .xlsx, so that --out may name it
    before = path.read_bytes()
    result = invoke("check", data, "--claim", path, "--out", path, "--force")
    assert result.exit_code == 2 and "読み込んだ" in result.output
    assert path.read_bytes() == before


def test_cli_out_writes_the_reconcile_and_the_record_sheet(invoke, tmp_path, today):
    import openpyxl

    from teichaku_cli.documents.sheets import HEADER_ROW

    tables = users("0001", "0002")
    tables["ケース会議"] = [{"日付": date(2025, 10, 8), "利用者ID": "0001", "参加機関": "事業主", "サービス管理責任者参加": "いいえ"}]
    tables["支援記録"][2]["方法"] = "電話"  # 0002 is blocked: no 実績記録票 row for them
    data = folder_of(tmp_path, tables)
    path = builder(claimed("0001", days=[Day(5)], lines=[("471111", 3512, 1, ""), ("475002", 405, 1, "")])).write(tmp_path / "請求.csv")
    result = invoke("check", data, "--claim", path, "--out", tmp_path / "c.xlsx")
    assert result.exit_code == 1, result.output  # 0002 blocked (check's own), and the claim's 実績記録票 lacks the meeting
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert wb.sheetnames == ["指摘 2025-10", "請求データとの照合", "利用者別", "請求見込み", "実績記録票（入力用）", "条件"]
    rows = [r for r in wb["請求データとの照合"].iter_rows(min_row=HEADER_ROW, values_only=True)]
    assert rows[0] == ("利用者ID", "氏名", "受給者証番号", "重要度", "相違", "請求ファイル", "記録", "内容と直し方", "根拠")
    body = [r for r in rows[1:] if r[3]]
    assert [(r[0], r[4], r[5], r[6]) for r in body] == [
        ("0001", "実績記録票が違う（定着支援連携促進加算）", "なし", "8日=2"),
        ("0001", "実績記録票が違う（定着支援連携促進加算（回））", "0回", "1回"),
    ]
    sheet = [r for r in wb["実績記録票（入力用）"].iter_rows(min_row=HEADER_ROW, values_only=True)]
    headings = tuple(h.replace("\n", "") for h in sheet[0][:8])  # a heading wider than its column is broken between words
    assert headings == ("利用者ID", "氏名", "受給者証番号", "請求", "算定日数が1の日", "定着支援連携促進加算（日=1/2）", "特別地域加算の日", "支援レポート共有日")
    assert sheet[1][:7] == ("0001", "利用者0001", "9900000001", "可", "5日", "8日=2", None) and sheet[1][7].date() == date(2025, 10, 31)
    assert sheet[1][8:] == (1, 1, 0) and sheet[2][0] == "合計（1人）"
    plain = invoke("check", data, "--month", "2025-10", "--out", tmp_path / "p.xlsx")
    assert plain.exit_code == 1 and "請求データとの照合" not in openpyxl.load_workbook(tmp_path / "p.xlsx").sheetnames


# --- the sample office -------------------------------------------------------------------------


SAMPLE_CODES = [
    ("0002", "claim-not-supported"), ("0010", "claim-tier-differs"), (None, "claim-unknown-recipient"),
    ("0003", "claim-record-sheet-differs"), ("0014", "claim-missing-user"),
]


@pytest.mark.parametrize("data", ["office.xlsx", "csv"])
def test_the_sample_claim_against_the_sample_office_xlsx_and_cp932_csv(invoke, monkeypatch, data):
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    result = invoke("check", ROOT / "samples" / data, "--claim", ROOT / "samples" / "請求_2026-10.csv", "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    found = [(u["user_id"], f["code"]) for u in payload["users"] for f in u["claim"]["findings"]]
    found += [(m["user_id"], f["code"]) for m in payload["claim"]["unmatched"] for f in m["findings"]]
    assert sorted(found, key=str) == sorted(SAMPLE_CODES, key=str)
    assert [l["user_id"] for l in payload["claim"]["late"]] == ["0005"] and payload["claim"]["summary"]["differences"] == 5


def test_the_committed_sample_claim_is_what_make_claim_writes(tmp_path, monkeypatch):
    import importlib
    import sys

    monkeypatch.syspath_prepend(str(ROOT / "samples"))
    sys.modules.pop("make_claim", None)
    make_claim = importlib.import_module("make_claim")
    monkeypatch.setattr(make_claim, "HERE", tmp_path)
    make_claim.main()
    assert (tmp_path / "請求_2026-10.csv").read_bytes() == (ROOT / "samples" / "請求_2026-10.csv").read_bytes()


def test_readme_claim_output_is_a_real_run(invoke, monkeypatch):
    """The reconcile shown in the README is what `make run`'s last command prints after check's own result."""
    from test_docs import readme_section

    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    monkeypatch.setenv("COLUMNS", "120")
    result = invoke("check", ROOT / "samples" / "office.xlsx", "--month", "2026-10", "--claim", ROOT / "samples" / "請求_2026-10.csv")
    assert result.exit_code == 1
    part = "請求データとの照合" + result.output.split("\n請求データとの照合", 1)[1]
    block = readme_section("請求データとの照合（`teichaku check --claim`）").split("```\n", 1)[1].split("```", 1)[0]
    assert block == part
    assert "samples/請求_2026-10.csv" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_the_readings_are_the_rule_datas_and_in_the_docs():
    """Each 実績記録票 value's reading is kept in the rule data with its source, and docs/check.md names it."""
    from teichaku_cli.model.rulebook import all_rule_sets

    guide = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    for rules in all_rule_sets():
        for key in ("base_support_day", "special_area_day", "liaison_day", "report_shared_on"):
            reading = rules.claim[key]
            assert reading.name in guide and reading.item in guide, key
            assert "インタフェース仕様書" in reading.source and reading.reading
    assert rules.claim["liaison_day"].options == {"with_manager": "1", "without_manager": "2"}


def test_the_record_sheet_of_an_office_without_certificates(tmp_path):
    """Without 受給者証 data the days are not kept to a 支給決定期間 (and the sheet says so)."""
    from teichaku_cli.rules.record_sheet import record_sheets

    tables = users("0001")
    del tables["受給者証"]
    tables["支援記録"].append({"日付": date(2025, 10, 31), "利用者ID": "0001", "方法": "テレビ電話", "相手": "本人", "区分": "支援"})
    tables["支援記録"].append({"日付": date(2025, 10, 20), "利用者ID": "0001", "方法": "電話", "相手": "本人", "区分": "支援"})
    tables["支援記録"].append({"日付": date(2025, 10, 21), "利用者ID": "0001", "方法": "対面", "相手": "事業主", "区分": "訪問"})
    office = load_office(folder_of(tmp_path, tables))
    sheet = record_sheets(office, OCT)["0001"]
    assert sheet.base_days == [date(2025, 10, 5), date(2025, 10, 31)] and not sheet.certificates_checked
    assert (sheet.days_total, sheet.liaison_count, sheet.special_area_count, sheet.report_given_on) == (2, 0, 0, date(2025, 10, 31))


def test_every_month_of_the_sample_reconciles_clean_with_the_claim_its_records_give(tmp_path):
    """Sweep: for each month the sample's 受給者証 cover, a claim written (by the builder,
    from the spec's positions) with what check and the 実績記録票 say — every user the
    records can claim, their unit lines, days, report date, cap and 上限額管理 — must
    reconcile with no error and no warning. One reading drifting from check (a day of
    support check would not count, a meeting it did not earn) shows here as a difference."""
    from teichaku_cli.base.dates import next_month
    from teichaku_cli.rules.claim import BLOCKED, state_of
    from teichaku_cli.rules.record_sheet import record_sheets

    office = load_office(ROOT / "samples" / "csv")
    month, swept = date(2023, 7, 1), 0
    while month <= date(2026, 10, 1):
        check = check_month(office, month, date(2026, 11, 22))
        sheets = record_sheets(office, month)
        claims = []
        for u in check.users:
            if state_of(u, check) == BLOCKED:
                continue
            sheet, cert, result = sheets[u.user_id], u.certificate, u.cap_result
            days = [Day(d.day.day, "1" if d.base_support else "", "1" if d.special_area else "", d.liaison or "") for d in sheet.days]
            claims.append(UserClaim(
                cert.number, cert.municipality, f"{month:%Y%m}", lines=[(f"47{i:04d}", line.units, 1, "") for i, line in enumerate(u.lines)],
                price=f"{int(check.unit_price * 1000):05d}", cap=cert.cap, cap_manager=cert.cap_manager or "",
                cap_result=result.result if result else "", cap_amount=str(result.amount) if result and result.amount is not None else "",
                days=days, report_shared=f"{sheet.report_given_on:%Y%m%d}", burden_override=u.money.burden,
            ))
        if claims:
            path = ClaimBuilder(claims, office="1399900001", processing=f"{next_month(month):%Y%m}").write(tmp_path / f"{month:%Y-%m}.csv")
            result = reconcile(office, check, read_claim_file(path, "1399900001"))
            found = [(m.user_id, f.code, f.message) for m in result.months for f in m.findings if f.severity != "note"]
            assert found == [] and result.count("error") == 0, (month, found)
            swept += 1
        month = next_month(month)
    assert swept == 40


def test_a_recipient_number_that_is_not_half_width_is_never_shown(tmp_path, invoke, today):
    """A name typed into the 受給者証番号 field (half-width kana are 英数 in the spec) is not printed."""
    data = folder_of(tmp_path, users("0001"))
    claim = builder(claimed("0001"), claimed("0002", recipient="ﾔﾏﾀﾞ ﾀﾛｳ"))
    finding = only(run(tmp_path, data, claim), "claim-unknown-recipient")
    assert "ﾔﾏﾀﾞ" not in finding.message + finding.claim_value and "表示しません" in finding.claim_value
    result = invoke("check", data, "--claim", claim.write(tmp_path / "請求.csv"), "--json")
    assert "ﾔﾏﾀﾞ" not in result.stdout


def test_a_claim_month_check_cannot_take_is_said_as_the_files(invoke, tmp_path, today):
    data = folder_of(tmp_path, users("0001"))
    path = builder(claimed("0001", month="202003")).write(tmp_path / "請求.csv")
    result = invoke("check", data, "--claim", path)
    assert result.exit_code == 2 and "請求ファイル 請求.csv の最も新しいサービス提供年月（2020-03）は扱えません。" in result.output
