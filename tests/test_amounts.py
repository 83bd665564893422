"""From units to yen, step by step, with hand-computed examples: each step and its
rounding on its own, then whole months read from an xlsx workbook and from CP932
CSVs with 和暦 dates (every 減算, 処遇改善 in an R6 month, caps 0 / 9,300 / 37,200,
上限管理結果, a certificate ending mid-month, a certificate gap)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from conftest import write_csvs, write_xlsx
from rules_helpers import good_month, merge
from teichaku_cli.office.load import load_office
from teichaku_cli.model.regime import Months, TreatmentImprovement
from teichaku_cli.rules import amounts as A
from teichaku_cli.model.certificates import CapResult
from teichaku_cli.rules.monthly import check_month
from teichaku_cli.model.rulebook import rules_for

MONTH = date(2025, 10, 1)  # an R6 month
TODAY = date(2025, 11, 5)
R6 = rules_for(MONTH)
PRICE = Decimal("11.2")


# --- each step on its own -------------------------------------------------------------------


def test_rounding_is_half_up_for_units_and_down_for_yen():
    assert A.rounded(Decimal("84.5"), "四捨五入") == 85  # Python's round(84.5) is 84: banker's rounding, not 四捨五入
    assert round(84.5) == 84
    assert A.rounded(Decimal("84.49"), "四捨五入") == 84
    assert A.rounded(Decimal("39334.9"), "切り捨て") == 39334
    with pytest.raises(A.BillingDataError):
        A.rounded(Decimal("1.5"), "銀行丸め")


def test_base_line_is_the_tiers_units():
    tier = R6.tiers["全事業所"][1]
    assert A.base_line(tier) == A.UnitLine("base", "就労定着支援サービス費（9割以上9割5分未満）", 3348, tier.source)


def cuts(*keys):
    return [(k, R6.reductions[k]) for k in keys]


EVERY_CUT = ("reduction_no_handoff_system", "reduction_no_information_disclosure", "reduction_no_business_continuity_plan", "reduction_no_abuse_prevention")


def test_each_reduction_is_taken_from_the_base_and_rounded_on_its_own():
    lines = A.reduction_lines(3348, cuts(*EVERY_CUT), R6.billing["reductions"])
    # 334.8 → 335, 167.4 → 167, 33.48 → 33, 33.48 → 33; summed, not compounded (17% at once: 569.16 → 569)
    assert [l.units for l in lines] == [-335, -167, -33, -33]
    assert [l.label for l in lines] == ["支援体制構築未実施減算", "情報公表未報告減算", "業務継続計画未策定減算", "虐待防止措置未実施減算"]
    assert 3348 + sum(l.units for l in lines) == 2780


def test_a_reduction_on_the_half_rounds_up():
    (line,) = A.reduction_lines(1690, cuts("reduction_no_information_disclosure"), R6.billing["reductions"])
    assert line.units == -85  # 1,690 × 5% = 84.5 → 85


def test_the_rule_data_can_switch_reductions_to_compounding():
    step = dataclasses.replace(R6.billing["reductions"], options={**R6.billing["reductions"].options, "combine": "順に乗じる"})
    lines = A.reduction_lines(3348, cuts(*EVERY_CUT), step)
    # 3348 × 0.90 = 3013.2 → 3013; × 0.95 = 2862.35 → 2862; × 0.99 = 2833.38 → 2833; × 0.99 = 2804.67 → 2805
    assert [l.units for l in lines] == [-335, -151, -29, -28]
    broken = dataclasses.replace(step, options={**step.options, "combine": "適当に"})
    with pytest.raises(A.BillingDataError):
        A.reduction_lines(3348, cuts(*EVERY_CUT), broken)


def held(rate: str) -> TreatmentImprovement:
    return TreatmentImprovement(Months(), "Ⅰ", Decimal(rate.rstrip("%")) / 100, rate)


def test_treatment_improvement_is_units_so_far_times_the_rate_rounded_half_up():
    step = R6.billing["treatment_improvement"]
    line = A.treatment_line(3588, held("10.3%"), step.name, step)
    assert line.units == 370  # 3,588 × 10.3% = 369.564 → 370
    assert line.label == "福祉・介護職員等処遇改善加算（Ⅰ、10.3%）"
    assert A.treatment_line(3345, held("10.0%"), step.name, step).units == 335  # 334.5 → 335


def test_treatment_improvement_is_named_for_its_month():
    from teichaku_cli.model.regime import Regime

    regime = Regime(treatment=(held("10.0%"),))
    names = {m: A.unit_lines(rules_for(m), regime, m, rules_for(m).tiers[rules_for(m).bands[0][1]][0], ())[-1].label for m in (date(2024, 5, 1), date(2024, 6, 1), date(2023, 10, 1))}
    assert names[date(2024, 6, 1)].startswith("福祉・介護職員等処遇改善加算")  # one 加算 from June 2024
    assert names[date(2024, 5, 1)].startswith("処遇改善加算等") and names[date(2023, 10, 1)].startswith("処遇改善加算等")  # three before, one combined rate


def test_total_cost_is_units_times_the_unit_price_rounded_down():
    step = R6.billing["total_cost"]
    assert A.total_cost(3512, PRICE, step) == 39334  # 39,334.4
    assert A.total_cost(3683, PRICE, step) == 41249  # 41,249.6: down, not up
    assert A.total_cost(4320, PRICE, step) == 48384  # exactly 48,384.0
    assert A.total_cost(3512, Decimal("10"), step) == 35120


@pytest.mark.parametrize(
    "cost, cap, burden",
    [
        (39334, 0, 0),  # 生活保護・低所得
        (39334, 9300, 3933),  # 一般1: 1割 3,933.4 → 3,933 is less than the cap
        (39334, 37200, 3933),  # 一般2
        (100_000, 9300, 9300),  # the cap binds: 1割 10,000
        (400_009, 37200, 37200),
        (93_009, 9300, 9300),  # 1割 9,300.9 → 9,300 (down), equal to the cap
        (93_008, 9300, 9300),
        (92_999, 9300, 9299),
    ],
)
def test_user_burden_is_a_tenth_rounded_down_capped(cost, cap, burden):
    assert A.user_burden(cost, cap, R6.billing["user_burden"]) == burden


def test_burden_set_by_the_cap_management_result():
    step = R6.billing["user_burden"]
    assert A.managed_burden(39334, 9300, CapResult(MONTH, "3", 1200, 2), False, step) == 1200
    assert A.managed_burden(39334, 9300, CapResult(MONTH, "1", None, 2), False, step) == 0  # another office charged it all
    assert A.managed_burden(39334, 9300, CapResult(MONTH, "1", None, 2), True, step) == 3933  # this office did
    assert A.managed_burden(39334, 9300, CapResult(MONTH, "2", None, 2), False, step) == 3933  # under the cap: own 1割
    assert A.managed_burden(39334, None, CapResult(MONTH, "2", None, 2), False, step) is None


def test_benefit_is_total_cost_less_the_burden():
    assert A.benefit(41249, 4124) == 37125


def test_rate_years_twelve_months():
    months = A.fiscal_year_months(2026)
    assert months[0] == date(2026, 4, 1) and months[-1] == date(2027, 3, 1) and len(months) == 12


# --- whole months, from xlsx and from CP932 CSV ----------------------------------------------

WAREKI = (
    lambda d: f"令和{d.year - 2018}年{d.month}月{d.day}日",
    lambda d: f"R{d.year - 2018}.{d.month}.{d.day}",
    lambda d: d.isoformat(),
)


@pytest.fixture(params=["xlsx", "csv"])
def office_from(request, tmp_path):
    """Write the tables as an xlsx workbook or as CP932 CSVs with mixed 和暦, with a
    teichaku.toml beside them, and load the office."""
    count = iter(range(100))

    def build(tables: dict[str, list[dict]], config: str):
        folder = tmp_path / f"o{next(count)}"
        tables = {k: v for k, v in tables.items() if v}
        if request.param == "xlsx":
            folder.mkdir()
            data = write_xlsx(folder / "office.xlsx", tables)
        else:
            data = write_csvs(folder, tables, encoding="cp932", date_style=lambda d, i: WAREKI[i % len(WAREKI)](d))
        (folder / "teichaku.toml").write_text(config, encoding="utf-8")
        return load_office(data)

    return build


BASE = '"基本報酬区分" = "9割以上9割5分未満"\n"地域区分単価" = 11.2\n"事業所番号" = "1399900001"\n'  # 3,348 units


def certificate(uid: str, start=date(2025, 4, 1), end=date(2026, 3, 31), cap=9300, manager=None, municipality="139991", number=None) -> dict:
    return {
        "利用者ID": uid, "受給者証番号": number or f"99000{int(uid):05d}", "市町村番号": municipality,
        "支給決定開始日": start, "支給決定終了日": end, "負担上限月額": cap, "上限管理事業所番号": manager,
    }


def month_of(office):
    result = check_month(office, MONTH, TODAY)
    return result, {u.user_id: u for u in result.users}


@pytest.mark.parametrize(
    "label, key, cut, units, cost",
    [
        # 3,348 − 335 = 3,013 × 11.2 = 33,745.6 → 33,745
        ("支援体制構築未実施減算", "reduction_no_handoff_system", -335, 3013, 33745),
        # 3,348 − 167 = 3,181 × 11.2 = 35,627.2 → 35,627
        ("情報公表未報告減算", "reduction_no_information_disclosure", -167, 3181, 35627),
        # 3,348 − 33 = 3,315 × 11.2 = 37,128.0
        ("業務継続計画未策定減算", "reduction_no_business_continuity_plan", -33, 3315, 37128),
        ("虐待防止措置未実施減算", "reduction_no_abuse_prevention", -33, 3315, 37128),
    ],
)
def test_one_user_per_reduction(office_from, label, key, cut, units, cost):
    tables = merge(good_month("0001", MONTH), {"受給者証": [certificate("0001", cap=9300)]})
    result, users = month_of(office_from(tables, BASE + f'"{label}" = true\n'))
    user = users["0001"]
    assert [(l.key, l.units) for l in user.lines] == [("base", 3348), (key, cut)]
    assert user.units == units and user.money.total_cost == cost
    assert user.money.burden == cost // 10 and user.money.benefit == cost - cost // 10


def test_treatment_improvement_in_an_r6_month_with_a_special_area_user(office_from):
    config = BASE + '["処遇改善加算"]\n"区分" = "Ⅰ"\n"加算率" = "10.3%"\n'
    tables = merge(good_month("0001", MONTH, 特別地域="はい"), {"受給者証": [certificate("0001", cap=9300)]})
    _, users = month_of(office_from(tables, config))
    user = users["0001"]
    # 3,348 + 240 = 3,588; × 10.3% = 369.564 → 370; 3,958 units × 11.2 = 44,329.6 → 44,329
    assert [(l.key, l.units) for l in user.lines] == [("base", 3348), ("special_area", 240), ("treatment_improvement", 370)]
    assert user.units == 3958 and user.money.total_cost == 44329
    assert user.money.burden == 4432 and user.money.benefit == 39897  # 1割 4,432.9 → 4,432 under the 9,300 cap


def test_treatment_improvement_counts_the_reductions_of_its_period(office_from):
    config = BASE + '"情報公表未報告減算" = [{ "から" = "2025-10", "まで" = "2025-10" }]\n[["処遇改善加算"]]\n"から" = "R7.4"\n"区分" = "Ⅱ"\n"加算率" = "8.6%"\n'
    tables = merge(good_month("0001", MONTH), {"受給者証": [certificate("0001")]})
    _, users = month_of(office_from(tables, config))
    # 3,348 − 167 = 3,181; × 8.6% = 273.566 → 274; 3,455 × 11.2 = 38,696.0
    assert [l.units for l in users["0001"].lines] == [3348, -167, 274]
    assert users["0001"].money.total_cost == 38696


def test_caps_zero_9300_37200_and_a_cap_management_result(office_from):
    config = '"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 11.2\n"事業所番号" = "1399900001"\n'  # 3,512 units → 39,334 円
    tables = merge(
        *(good_month(uid, MONTH) for uid in ("0001", "0002", "0003", "0004", "0005")),
        {
            "受給者証": [
                certificate("0001", cap=0),
                certificate("0002", cap=9300),
                certificate("0003", cap=37200),
                certificate("0004", cap=9300, manager="1399900099"),
                certificate("0005", cap=37200, manager="1399900099"),
            ],
            "上限管理結果": [
                {"利用者ID": "0004", "対象月": MONTH, "管理結果": 3, "利用者負担額": 1200},
                {"利用者ID": "0005", "対象月": MONTH, "管理結果": 1, "利用者負担額": None},
            ],
        },
    )
    result, users = month_of(office_from(tables, config))
    assert {uid: (u.money.total_cost, u.money.burden, u.money.benefit) for uid, u in users.items()} == {
        "0001": (39334, 0, 39334),
        "0002": (39334, 3933, 35401),
        "0003": (39334, 3933, 35401),
        "0004": (39334, 1200, 38134),  # the result settled 1,200円 for this office
        "0005": (39334, 0, 39334),  # result 1: the managing office charged it all
    }
    assert all(u.claimable and not u.findings for u in users.values())


def test_this_office_managing_the_cap_is_said_and_a_missing_result_warned(office_from):
    tables = merge(
        good_month("0001", MONTH), good_month("0002", MONTH),
        {"受給者証": [certificate("0001", manager="1399900001"), certificate("0002", manager="1399900099")]},
    )
    _, users = month_of(office_from(tables, BASE))
    assert [(f.code, f.severity) for f in users["0001"].findings] == [("cap-managed-here", "note")]
    assert "利用者負担上限額管理加算" in users["0001"].findings[0].message
    assert [(f.code, f.severity) for f in users["0002"].findings] == [("cap-result-missing", "warning")]
    assert users["0002"].money.burden == 3749  # 37,497 × 1割, as an estimate until the result comes
    assert users["0001"].claimable and users["0002"].claimable


def test_a_certificate_ending_mid_month(office_from):
    # the report is handed over on the 31st, after the certificate ended on the 15th: not covered
    tables = merge(good_month("0001", MONTH), {"受給者証": [certificate("0001", end=date(2025, 10, 15))]})
    _, users = month_of(office_from(tables, BASE))
    (finding,) = users["0001"].findings
    assert finding.code == "certificate-missing" and finding.severity == "error" and not users["0001"].claimable
    assert "支援レポートの本人提供（令和7年10月31日）が支給決定期間の外" in finding.message
    assert users["0001"].money.burden == 3749  # the certificate on the 15th still gives the cap for "worth fixing"


def test_a_certificate_ending_mid_month_covers_requirements_met_before_its_end(office_from):
    tables = merge(good_month("0001", MONTH), {"受給者証": [certificate("0001", end=date(2025, 10, 15), cap=0)]})
    tables["支援レポート"][0]["本人提供日"] = date(2025, 10, 10)
    # a second visit after the end does not undo the first: one qualifying day inside is enough
    tables["支援記録"].append({"日付": date(2025, 10, 20), "利用者ID": "0001", "方法": "対面", "相手": "本人", "区分": "支援"})
    _, users = month_of(office_from(tables, BASE))
    assert users["0001"].findings == [] and users["0001"].money.burden == 0
    assert users["0001"].certificate.end == date(2025, 10, 15)


def test_the_cap_is_the_one_on_the_months_last_covered_day(office_from):
    tables = merge(
        good_month("0001", MONTH),
        {"受給者証": [certificate("0001", end=date(2025, 10, 15), cap=37200), certificate("0001", start=date(2025, 10, 16), end=date(2026, 10, 15), cap=0, municipality="139992")]},
    )
    _, users = month_of(office_from(tables, BASE))
    user = users["0001"]
    assert user.findings == [] and user.money.burden == 0 and user.certificate.municipality == "139992"


def test_a_certificate_gap_blocks_the_month_between(office_from):
    tables = merge(
        good_month("0001", MONTH),
        {"受給者証": [certificate("0001", end=date(2025, 9, 30)), certificate("0001", start=date(2025, 11, 1), end=date(2026, 10, 31))]},
    )
    _, users = month_of(office_from(tables, BASE))
    (finding,) = users["0001"].findings
    assert finding.code == "certificate-missing"
    assert "令和7年10月を含む支給決定期間がありません" in finding.message and "令和7年11月1日〜令和8年10月31日" in finding.message
    assert users["0001"].money.burden is None and users["0001"].money.total_cost == 37497


def test_a_user_without_rows_in_a_kept_certificate_sheet_is_blocked(office_from):
    tables = merge(good_month("0001", MONTH), good_month("0002", MONTH), {"受給者証": [certificate("0001")]})
    result, users = month_of(office_from(tables, BASE))
    assert [f.code for f in users["0002"].findings] == ["certificate-missing"]
    assert "受給者証シートにこの利用者の行がありません" in users["0002"].findings[0].message
    assert result.office_findings == []


def test_an_office_keeping_no_certificates_gets_one_note_not_an_error_per_user(office_from):
    result, users = month_of(office_from(merge(good_month("0001", MONTH), good_month("0002", MONTH)), BASE))
    assert [(f.code, f.severity) for f in result.office_findings] == [("certificates-not-kept", "note")]
    assert all(u.findings == [] and u.claimable for u in users.values())
    assert all(u.money.burden is None and u.money.benefit is None and u.money.total_cost == 37497 for u in users.values())


def test_a_blank_cap_is_warned_and_the_burden_not_guessed(office_from):
    tables = merge(good_month("0001", MONTH), {"受給者証": [certificate("0001", cap=None)]})
    _, users = month_of(office_from(tables, BASE))
    assert [(f.code, f.severity) for f in users["0001"].findings] == [("certificate-cap-missing", "warning")]
    assert users["0001"].money.burden is None and users["0001"].claimable


def test_the_unit_price_may_change_by_period(office_from):
    config = '"基本報酬区分" = "9割5分以上"\n"地域区分単価" = [{ "から" = "2025-04", "まで" = "2025-09", "単価" = 10.0 }, { "から" = "R7.10", "単価" = 11.2 }]\n'
    tables = merge(good_month("0001", date(2025, 9, 1)), good_month("0001", MONTH))
    tables["利用者"] = tables["利用者"][:1]
    office = office_from(tables, config)
    september = check_month(office, date(2025, 9, 1), TODAY)
    october = check_month(office, MONTH, TODAY)
    assert september.users[0].money.total_cost == 35120 and october.users[0].money.total_cost == 39334
