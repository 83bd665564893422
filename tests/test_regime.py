"""The office's 体制 in teichaku.toml — 加算・減算 as true or periods, the 処遇改善加算
the office declares, the 地域区分単価 by period — and the checks of those
declarations against the data."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from conftest import write_csvs
from rules_helpers import build, good_month, merge
from teichaku_cli.office.regime import ConfigError
from teichaku_cli.office.settings import load_settings
from teichaku_cli.rules.monthly import check_month

MONTH = date(2025, 10, 1)
TODAY = date(2025, 11, 5)


def settings_of(tmp_path, text: str):
    path = tmp_path / "teichaku.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_a_switch_may_be_true_false_or_periods(tmp_path):
    regime = settings_of(
        tmp_path,
        '"就労定着実績体制加算" = true\n"支援体制構築未実施減算" = false\n'
        '"情報公表未報告減算" = [{ "から" = "2025-04", "まで" = "R7.9" }, { "から" = 2026-01-01 }]\n',
    ).regime
    # kept by rule key: the rule data bind each teichaku.toml name to its item
    assert regime.on("retention_record", date(2019, 4, 1))
    assert not regime.on("reduction_no_handoff_system", MONTH) and not regime.on("reduction_no_abuse_prevention", MONTH)
    on = [m for m in (date(2025, 3, 1), date(2025, 4, 1), date(2025, 9, 1), date(2025, 10, 1), date(2025, 12, 1), date(2026, 1, 1), date(2030, 1, 1)) if regime.on("reduction_no_information_disclosure", m)]
    assert on == [date(2025, 4, 1), date(2025, 9, 1), date(2026, 1, 1), date(2030, 1, 1)]  # both ends included; 「まで」 left out goes on


def test_treatment_improvement_and_unit_price_by_period(tmp_path):
    settings = settings_of(
        tmp_path,
        '"地域区分単価" = [{ "から" = "2024-04", "まで" = "2025-03", "単価" = 11.1 }, { "から" = "2025-04", "単価" = 11.2 }]\n'
        '[["処遇改善加算"]]\n"から" = "2024-06"\n"まで" = "2025-03"\n"区分" = "Ⅱ"\n"加算率" = "9.6%"\n'
        '[["処遇改善加算"]]\n"から" = "令和7年4月"\n"区分" = "Ⅰ"\n"加算率" = "１０．３％"\n',
    )
    regime = settings.regime
    assert regime.price_on(date(2025, 3, 1)) == Decimal("11.1") and regime.price_on(date(2025, 4, 1)) == Decimal("11.2")
    assert regime.price_on(date(2024, 3, 1)) is None and settings.unit_price_set
    assert regime.treatment_on(date(2024, 5, 1)) is None
    assert regime.treatment_on(date(2025, 3, 1)).rate == Decimal("0.096")
    assert regime.treatment_on(date(2025, 4, 1)).grade == "Ⅰ" and regime.treatment_on(date(2025, 4, 1)).rate == Decimal("0.103")


@pytest.mark.parametrize(
    "text, says",
    [
        ('"情報公表未報告減算" = "はい"\n', "true か false"),
        ('"情報公表未報告減算" = [{ "から" = "2025-10", "まで" = "2025-04" }]\n', "より前"),
        ('"情報公表未報告減算" = [{ "から" = "2025-04" }, { "から" = "2025-09", "まで" = "2025-12" }]\n', "重なっています"),
        ('"情報公表未報告減算" = [{ "まで" = "2025-12" }]\n', "「から」がありません"),
        ('"情報公表未報告減算" = [{ "から" = "2025-13" }]\n', "1〜12"),
        ('"情報公表未報告減算" = [{ "から" = "2025-04", "終わり" = "2025-09" }]\n', "知らない項目「終わり」"),
        ('["処遇改善加算"]\n"区分" = "Ⅰ"\n', "推測しません"),
        ('["処遇改善加算"]\n"区分" = "Ⅰ"\n"加算率" = 0.103\n', "% のついた文字"),
        ('["処遇改善加算"]\n"区分" = "Ⅰ"\n"加算率" = "（処遇改善計画書の率）%"\n', "数として読めません"),
        ('["処遇改善加算"]\n"区分" = "Ⅰ"\n"加算率" = "103%"\n', "30% 未満"),
        ('["処遇改善加算"]\n"加算率" = "10.3%"\n', "「区分」がありません"),
        ('"地域区分単価" = 112\n', "1単位あたりの円"),
        ('"地域区分単価" = [{ "から" = "2025-04" }]\n', "「単価」がありません"),
        ('"身体拘束廃止未実施減算" = true\n', "就労定着支援には適用されません"),
    ],
)
def test_a_wrong_declaration_is_refused_with_the_fix(tmp_path, text, says):
    with pytest.raises(ConfigError) as raised:
        settings_of(tmp_path, text)
    assert says in raised.value.describe()


def test_a_month_without_a_declared_unit_price_stops_check(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    folder = write_csvs(tmp_path / "o", good_month("0001", MONTH))
    (folder / "teichaku.toml").write_text('"地域区分単価" = [{ "から" = "2025-11", "単価" = 11.2 }]\n', encoding="utf-8")
    result = invoke("check", folder, "--month", "2025-10")
    assert result.exit_code == 2 and "令和7年10月を含む期間がありません" in result.output and "Traceback" not in result.output


def test_the_init_template_suggests_no_rate_and_no_certificate_number_as_the_user_id(invoke, tmp_path):
    assert invoke("init", tmp_path / "new").exit_code == 0
    text = (tmp_path / "new" / "teichaku.toml").read_text(encoding="utf-8")
    assert '"受給者番号" = "利用者ID"' not in text and "処遇改善計画書" in text
    assert load_settings(tmp_path / "new" / "teichaku.toml").regime.treatment == ()  # nothing declared until the office writes it
    uncommented = text.replace('# ["処遇改善加算"]', '["処遇改善加算"]').replace('# "区分"', '"区分"').replace('# "加算率"', '"加算率"')
    (tmp_path / "new" / "teichaku.toml").write_text(uncommented, encoding="utf-8")
    with pytest.raises(ConfigError):  # the placeholder never passes for a rate
        load_settings(tmp_path / "new" / "teichaku.toml")


# --- declarations checked against the data --------------------------------------------------


def office_codes(tmp_path, tables, config):
    result = check_month(build(tmp_path, tables, config), MONTH, TODAY)
    return result, {f.code: f for f in result.office_findings}


def test_a_retention_record_addition_the_data_do_not_support_is_warned_with_both_numbers(tmp_path):
    # one person ended the service in the window without reaching 3年6か月 with the employer: 0/1
    ended = good_month("0002", MONTH, 就職日=date(2022, 4, 1), 利用開始日=date(2022, 10, 1), 利用終了日=date(2024, 9, 30))
    tables = merge(good_month("0001", MONTH), ended)
    result, found = office_codes(tmp_path, tables, '"基本報酬区分" = "9割5分以上"\n"就労定着実績体制加算" = true\n')
    finding = found["retention-record-not-met"]
    assert finding.severity == "warning" and "0/1" in finding.message and "70%" in finding.message and "2025年度" in finding.message and "--year 2024" in finding.message
    assert any(l.key == "retention_record" for l in result.users[0].lines)  # taken on trust: the warning says to look
    _, found = office_codes(tmp_path, tables, '"基本報酬区分" = "9割5分以上"\n"就労定着実績体制加算" = [{ "から" = "2025-11" }]\n')
    assert "retention-record-not-met" not in found  # not declared for this month


def test_a_declared_tier_other_than_the_datas_is_warned_with_both(tmp_path):
    started = [good_month(f"00{i:02d}", MONTH, 就職日=date(2022, 10, 1), 利用開始日=date(2023, 4, 1)) for i in range(1, 5)]
    tables = merge(*started)
    _, found = office_codes(tmp_path, tables, '"基本報酬区分" = "3割未満"\n')
    finding = found["base-tier-differs"]
    assert "「3割未満」" in finding.message and "「9割5分以上」" in finding.message and "4/4" in finding.message
    _, found = office_codes(tmp_path, tables, '"基本報酬区分" = "9割5分以上"\n')
    assert "base-tier-differs" not in found


def test_a_period_naming_months_outside_the_data_is_warned(tmp_path):
    tables = good_month("0001", MONTH)  # the data run from 2025-04 (利用開始日) to 2025-10
    _, found = office_codes(tmp_path, tables, '"基本報酬区分" = "9割5分以上"\n"虐待防止措置未実施減算" = [{ "から" = "2019-04", "まで" = "2019-09" }]\n')
    finding = found["setting-period-outside-data"]
    assert "虐待防止措置未実施減算" in finding.message and "平成31年4月〜令和元年9月" in finding.message
    _, found = office_codes(tmp_path, tables, '"基本報酬区分" = "9割5分以上"\n"虐待防止措置未実施減算" = [{ "から" = "2025-04", "まで" = "2025-10" }]\n')
    assert found == {"certificates-not-kept": found["certificates-not-kept"]}


def test_json_carries_every_line_and_the_office_findings(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2025-11-05")
    folder = write_csvs(tmp_path / "o", good_month("0001", MONTH, 特別地域="はい"), encoding="cp932")
    (folder / "teichaku.toml").write_text('"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 11.2\n"情報公表未報告減算" = true\n["処遇改善加算"]\n"区分" = "Ⅰ"\n"加算率" = "10.0%"\n', encoding="utf-8")
    payload = json.loads(invoke("check", folder, "--month", "2025-10", "--json").stdout)
    (user,) = payload["users"]
    # 3,512 − 176 (175.6) + 240 = 3,576; × 10% = 357.6 → 358; 3,934 × 11.2 = 44,060.8 → 44,060
    assert [(l["key"], l["units"]) for l in user["units"]["lines"]] == [
        ("base", 3512), ("reduction_no_information_disclosure", -176), ("special_area", 240), ("treatment_improvement", 358),
    ]
    assert user["units"]["total"] == 3934 and user["amounts"]["total_cost"] == 44060
    assert user["amounts"]["user_burden"] is None and [f["code"] for f in payload["office_findings"]] == ["certificates-not-kept"]


def test_rate_yen_follow_the_declared_regime_and_say_when_a_price_is_missing(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    people = [good_month(f"{i:04d}", MONTH, 就職日=date(2022, 10, 1), 利用開始日=date(2023, 4, 1)) for i in range(1, 11)]
    people[0]["利用者"][0]["離職日"] = date(2025, 1, 10)  # 9/10 retained at 2026-03-31: 9割以上9割5分未満, one more reaches 9割5分
    folder = write_csvs(tmp_path / "o", merge(*people), encoding="cp932")
    config = '"地域区分単価" = 10.0\n["処遇改善加算"]\n"区分" = "Ⅰ"\n"加算率" = "10.0%"\n'
    (folder / "teichaku.toml").write_text(config, encoding="utf-8")
    payload = json.loads(invoke("rate", folder, "--year", "2025", "--json").stdout)
    up, users = payload["what_moves"]["up"], payload["what_moves"]["users_now"]
    # a user-month: 3,512 + 351 (351.2) = 3,863 → 38,630 円; 3,348 + 335 (334.8) = 3,683 → 36,830 円
    assert up["yen_per_year"] == (38630 - 36830) * users * 12
    (folder / "teichaku.toml").write_text('"地域区分単価" = [{ "から" = "2026-04", "まで" = "2026-09", "単価" = 10.0 }]\n', encoding="utf-8")
    result = invoke("rate", folder, "--year", "2025")
    assert result.exit_code == 0 and "地域区分単価が teichaku.toml にない月" in result.output


# --- declarations the month's revision has no place for ---------------------------------------


def test_a_misspelt_switch_is_an_error_naming_the_nearest_declarable_item(tmp_path):
    settings = settings_of(tmp_path, '"情報公表未報告減" = true\n"業務継続計画未策定減算" = true\n')
    (problem,) = settings.problems
    assert problem.severity == "error" and problem.place.row == 1
    assert "「情報公表未報告減」という設定項目はありません" in problem.message and "「情報公表未報告減算」のことですか" in problem.message
    assert settings.regime.on("reduction_no_business_continuity_plan", MONTH) and "reduction_no_information_disclosure" not in settings.regime.switches


R3_MONTH, R6_FIRST = date(2024, 3, 1), date(2024, 4, 1)


def test_an_r6_reduction_declared_over_an_r3_month_is_left_out_that_month_with_a_note(tmp_path):
    tables = merge(good_month("0001", R3_MONTH), good_month("0001", R6_FIRST))
    tables["利用者"] = tables["利用者"][:1]
    plain = '"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 10.0\n'
    declared = plain + '"情報公表未報告減算" = true\n'
    for month, note in ((R3_MONTH, True), (R6_FIRST, False)):
        without = check_month(build(tmp_path, tables, plain), month, TODAY)
        result = check_month(build(tmp_path, tables, declared), month, TODAY)
        found = {f.code: f for f in result.office_findings}
        assert ("setting-not-in-revision" in found) is note
        if note:  # R3 had no such 減算: the month's amounts are what they are without it, and the note says why
            message = found["setting-not-in-revision"].message
            assert "「情報公表未報告減算」" in message and "令和6年3月" in message and "令和3年度報酬改定" in message and "減算" in message
            assert found["setting-not-in-revision"].severity == "note" and "減算はない" in found["setting-not-in-revision"].source
            assert [(l.key, l.units) for l in result.users[0].lines] == [(l.key, l.units) for l in without.users[0].lines]
            assert result.users[0].money.total_cost == without.users[0].money.total_cost == 34490
        else:  # R6: 3,512 − 176 (175.6)
            assert [(l.key, l.units) for l in result.users[0].lines] == [("base", 3512), ("reduction_no_information_disclosure", -176)]
            assert result.users[0].money.total_cost == 33360 and "情報公表未報告減算（5%）" in result.regime


R6_LAST, R86_FIRST = date(2026, 5, 1), date(2026, 6, 1)
TREATMENT = '"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 11.2\n["処遇改善加算"]\n"区分" = "{grade}"\n"加算率" = "10.0%"\n'


def class_note(tmp_path, grade: str, month: date):
    office = build(tmp_path, good_month("0001", month), TREATMENT.format(grade=grade))
    result = check_month(office, month, TODAY)
    return next((f for f in result.office_findings if f.code == "treatment-class-unknown"), None), result


def test_a_class_of_r6_written_for_an_r8_6_month_gets_a_note_naming_the_nearest_classes(tmp_path):
    note, result = class_note(tmp_path, "Ⅰ", R86_FIRST)
    assert note.severity == "note" and "区分「Ⅰ」" in note.message and "令和8年6月改定（令和8年6月）" in note.message
    assert "「（Ⅰ）イ」か「（Ⅰ）ロ」のことですか？" in note.message and "（Ⅱ）イ」か" not in note.message
    assert "告示第5号" in note.source
    assert result.users[0].units == 3512 + 351  # counted at the declared rate all the same
    assert class_note(tmp_path, "Ⅰ", R6_LAST)[0] is None  # an R6 class in an R6 month


@pytest.mark.parametrize("grade", ["（Ⅰ）イ", "Ⅰ・ロ", "福祉・介護職員等処遇改善加算（Ⅱ）ロ", "I イ", "Ⅳ"])
def test_a_class_of_r8_6_in_any_usual_spelling_is_recognised(tmp_path, grade):
    assert class_note(tmp_path, grade, R86_FIRST)[0] is None


def test_the_r6_transitional_class_v_exists_until_march_2025(tmp_path):
    assert class_note(tmp_path, "Ⅴ（３）", date(2025, 3, 1))[0] is None
    note, _ = class_note(tmp_path, "Ⅴ（３）", date(2025, 4, 1))
    assert note is not None and "（Ⅰ）」「（Ⅱ）」「（Ⅲ）」「（Ⅳ）」のどれにもあたりません" in note.message
    assert class_note(tmp_path, "Ⅰ", date(2024, 5, 1))[0] is None  # before 2024-06: three additions, the 区分 is free text


def test_r8_6_months_give_the_units_of_r6_and_say_the_values_are_carried_over(tmp_path):
    tables = merge(*(good_month("0001", m) for m in (R6_LAST, R86_FIRST)))
    tables["利用者"] = tables["利用者"][:1]
    tables["ケース会議"] = [{"日付": m.replace(day=3), "利用者ID": "0001", "参加機関": "ハローワーク", "サービス管理責任者参加": "いいえ"} for m in (R6_LAST, R86_FIRST)]
    config = '"基本報酬区分" = "8割以上9割未満"\n"地域区分単価" = 11.2\n"業務継続計画未策定減算" = true\n"職場適応援助者養成研修修了者配置体制加算" = true\n["処遇改善加算"]\n"区分" = "Ⅱ"\n"加算率" = "9.6%"\n'
    office = build(tmp_path, tables, config)
    may, june = (check_month(office, m, TODAY) for m in (R6_LAST, R86_FIRST))
    assert (may.rules.id, june.rules.id) == ("R6", "R8.6")
    assert [(l.key, l.units) for l in may.users[0].lines] == [(l.key, l.units) for l in june.users[0].lines]
    assert [l.key for l in june.users[0].lines] == ["base", "reduction_no_business_continuity_plan", "job_coach_staffing", "meeting_without_manager", "treatment_improvement"]
    assert may.users[0].money == june.users[0].money
    assert "rules-carried-over" not in {f.code for f in may.office_findings}
    carried = next(f for f in june.office_findings if f.code == "rules-carried-over")
    assert carried.severity == "note" and "令和6年度報酬改定の値を引き継いで" in carried.message and "令和8年6月" in carried.message


def test_the_init_template_offers_exactly_the_declarable_items():
    """teichaku init writes the 加算・減算 names by hand; each must be one the rule data let staff declare."""
    import re

    from teichaku_cli.documents.blank import CONFIG_TEMPLATE
    from teichaku_cli.model.rulebook import declarable, refused

    offered = re.findall(r'^# "([^"]+)" = true', CONFIG_TEMPLATE, flags=re.M)
    assert sorted(offered) == sorted(declarable())
    assert all(name in CONFIG_TEMPLATE for name in refused())  # and says which one does not apply
