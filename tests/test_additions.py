"""The registry of user-level 加算 (rules/additions.py): each revision pays what its
own items name, with the condition each names — no code asks which revision it is."""

from __future__ import annotations

from datetime import date

import pytest

from rules_helpers import build, good_month, merge
from teichaku_cli.model.rulebook import all_rule_sets, rules_for
from teichaku_cli.rules.additions import CONDITIONS, AdditionDataError, UserMonthFacts, condition_of, paid_meetings, user_additions
from teichaku_cli.rules.monthly import check_month

R3, R6, R86 = rules_for(date(2023, 10, 1)), rules_for(date(2025, 10, 1)), rules_for(date(2026, 10, 1))
WITH, WITHOUT = True, False


def test_every_user_addition_names_a_condition_of_the_registry():
    for rules in all_rule_sets():
        for key, value in rules.additions.items():
            if value.level == "user":
                assert value.condition in CONDITIONS, (rules.id, key)


def test_an_unknown_condition_is_a_fault_not_a_silent_zero():
    import dataclasses

    value = dataclasses.replace(R6.additions["special_area"], condition="lives_by_the_sea")
    with pytest.raises(AdditionDataError):
        condition_of("special_area", value)


@pytest.mark.parametrize(
    "facts, r3, r6",
    [
        (UserMonthFacts(), [], []),
        (UserMonthFacts(first_claimed_month=True, special_area=True), ["initial", "special_area"], ["initial", "special_area"]),
        (UserMonthFacts(meetings=(WITH,)), ["meeting_with_manager"], ["meeting_with_manager"]),
        # R3's 定着支援連携促進加算 needed the サービス管理責任者: a meeting without them earns nothing
        (UserMonthFacts(meetings=(WITHOUT,)), [], ["meeting_without_manager"]),
    ],
)
def test_what_a_month_earns_in_each_revision(facts, r3, r6):
    assert user_additions(R3, facts) == r3
    assert user_additions(R6, facts) == r6 and user_additions(R86, facts) == r6


def test_only_the_meetings_a_revision_pays_count_toward_the_caps():
    assert paid_meetings(R3) == {WITH}
    assert paid_meetings(R6) == {WITH, WITHOUT} == paid_meetings(R86)


def test_r6_pays_a_meeting_without_the_manager_405_and_r3_nothing(tmp_path):
    def meeting(day, manager):
        return {"ケース会議": [{"日付": day, "利用者ID": "0001", "参加機関": "ハローワーク", "サービス管理責任者参加": manager}]}

    config = '"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 10.0\n'
    for month, expected in ((date(2025, 10, 1), [("meeting_without_manager", 405, "地域連携会議実施加算（Ⅱ）")]), (date(2023, 10, 1), [])):
        office = build(tmp_path, merge(good_month("0001", month), meeting(month.replace(day=3), "いいえ")), config)
        (user,) = check_month(office, month, date(2026, 11, 22)).users
        assert [(l.key, l.units, l.label) for l in user.lines if l.key.startswith("meeting")] == expected
        assert "meeting-cap" not in [f.code for f in user.findings]


def test_r3_meetings_without_the_manager_leave_the_years_cap_untouched(tmp_path):
    """Four meetings without the manager (April–July 2023) earned nothing in R3, so they use
    none of the four a year: August's with the manager still earns. Counted as R6 counts
    them, August would be the fifth and earn nothing."""
    month = date(2023, 8, 1)
    held = [{"日付": date(2023, m, 10), "利用者ID": "0001", "参加機関": "ハローワーク", "サービス管理責任者参加": "いいえ"} for m in (4, 5, 6, 7)]
    held.append({"日付": date(2023, 8, 10), "利用者ID": "0001", "参加機関": "ハローワーク", "サービス管理責任者参加": "はい"})
    office = build(tmp_path, merge(good_month("0001", month), {"ケース会議": held}), '"基本報酬区分" = "9割5分以上"\n"地域区分単価" = 10.0\n')
    (user,) = check_month(office, month, date(2026, 11, 22)).users
    assert [(l.key, l.units) for l in user.lines if l.key.startswith("meeting")] == [("meeting_with_manager", 579)]
    assert "meeting-cap" not in [f.code for f in user.findings]
