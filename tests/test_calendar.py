"""Periods counted as the law counts them (民法140条・143条), and every period the
rules name, at month ends: the 28th–31st, February in leap and common years.
Each case asserts the last day inside and the first day outside."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from teichaku_cli.base.dates import months_back_from, months_from, span_label
from teichaku_cli.model.rulebook import all_rule_sets, rules_for

D = date


@pytest.mark.parametrize(
    "day1, months, last",
    [
        (D(2024, 4, 1), 6, D(2024, 9, 30)),  # from the 1st: whole months (143条1項)
        (D(2024, 8, 28), 6, D(2025, 2, 27)),  # 応当日 02-28 exists: the day before it
        (D(2024, 8, 29), 6, D(2025, 2, 28)),  # no 02-29 in 2025: that month's last day
        (D(2024, 8, 30), 6, D(2025, 2, 28)),
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
        (D(2027, 8, 29), 6, D(2028, 2, 28)),  # 2028-02-29 exists: the day before it
        (D(2027, 8, 30), 6, D(2028, 2, 29)),  # leap year, no 02-30: the 29th
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2025, 3, 31), 6, D(2025, 9, 30)),  # no 09-31
        (D(2025, 3, 30), 6, D(2025, 9, 29)),
        (D(2025, 3, 28), 6, D(2025, 9, 27)),
        (D(2024, 2, 29), 36, D(2027, 2, 28)),  # from a leap day into a common February
        (D(2024, 2, 28), 36, D(2027, 2, 27)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 1, 30), 1, D(2024, 2, 29)),
        (D(2024, 1, 29), 1, D(2024, 2, 28)),
        (D(2025, 7, 1), 1, D(2025, 7, 31)),
        (D(2024, 12, 15), 1, D(2025, 1, 14)),  # across the year
        (D(2020, 8, 31), 42, D(2024, 2, 29)),
    ],
)
def test_months_forward(day1, months, last):
    period = months_from(day1, months)
    assert (period.first, period.last, period.day_after) == (day1, last, last + timedelta(days=1))
    assert last in period and period.day_after not in period


@pytest.mark.parametrize(
    "day1, months, first",
    [
        (D(2026, 3, 31), 36, D(2023, 4, 1)),
        (D(2026, 9, 30), 3, D(2026, 7, 1)),
        (D(2026, 5, 31), 3, D(2026, 3, 1)),  # no 02-31: from the 1st of the month after
        (D(2026, 5, 30), 3, D(2026, 3, 1)),
        (D(2026, 5, 29), 3, D(2026, 3, 1)),  # no 02-29 in 2026
        (D(2028, 5, 29), 3, D(2028, 3, 1)),  # 02-29 exists in 2028: the day after it
        (D(2028, 5, 28), 3, D(2028, 2, 29)),
        (D(2028, 2, 29), 12, D(2027, 3, 1)),
        (D(2026, 2, 28), 36, D(2023, 3, 1)),
        (D(2024, 2, 29), 36, D(2021, 3, 1)),
        (D(2026, 6, 15), 3, D(2026, 3, 16)),
    ],
)
def test_months_backward(day1, months, first):
    period = months_back_from(day1, months)
    assert (period.first, period.last, period.day_before) == (first, day1, first - timedelta(days=1))
    assert first in period and period.day_before not in period


def test_a_period_has_at_least_one_month():
    with pytest.raises(ValueError):
        months_from(D(2024, 1, 1), 0)


# Every period a rule names, counted from a month-end event: (event, first day inside, last day inside).
PERIODS = {
    # 就職日 (起算日) is day 1; usable from the day after the last day
    "eligibility": [
        (D(2024, 4, 1), D(2024, 4, 1), D(2024, 9, 30)),
        (D(2024, 8, 29), D(2024, 8, 29), D(2025, 2, 28)),
        (D(2024, 8, 30), D(2024, 8, 30), D(2025, 2, 28)),
        (D(2024, 8, 31), D(2024, 8, 31), D(2025, 2, 28)),
        (D(2023, 8, 31), D(2023, 8, 31), D(2024, 2, 29)),  # into a leap February
        (D(2025, 3, 31), D(2025, 3, 31), D(2025, 9, 30)),  # 復職日 as day 1
        (D(2025, 2, 28), D(2025, 2, 28), D(2025, 8, 27)),
    ],
    "use": [
        (D(2024, 2, 29), D(2024, 2, 29), D(2027, 2, 28)),
        (D(2023, 8, 31), D(2023, 8, 31), D(2026, 8, 30)),
        (D(2024, 10, 1), D(2024, 10, 1), D(2027, 9, 30)),
    ],
    "hire_limit": [
        (D(2020, 8, 31), D(2020, 8, 31), D(2024, 2, 29)),
        (D(2021, 8, 31), D(2021, 8, 31), D(2025, 2, 28)),
        (D(2024, 4, 1), D(2024, 4, 1), D(2027, 9, 30)),
    ],
    # the plan is made during its day: the next day is day 1
    "plan_review": [
        (D(2026, 3, 2), D(2026, 3, 3), D(2026, 9, 2)),
        (D(2026, 8, 31), D(2026, 9, 1), D(2027, 2, 28)),
        (D(2027, 8, 31), D(2027, 9, 1), D(2028, 2, 29)),
        (D(2026, 3, 31), D(2026, 4, 1), D(2026, 9, 30)),
        (D(2026, 2, 28), D(2026, 3, 1), D(2026, 8, 31)),
    ],
    # the day after the 離職日 is day 1
    "job_change": [
        (D(2025, 6, 30), D(2025, 7, 1), D(2025, 7, 31)),
        (D(2025, 1, 30), D(2025, 1, 31), D(2025, 2, 28)),
        (D(2024, 1, 30), D(2024, 1, 31), D(2024, 2, 29)),
        (D(2025, 1, 31), D(2025, 2, 1), D(2025, 2, 28)),
        (D(2025, 2, 28), D(2025, 3, 1), D(2025, 3, 31)),
        (D(2025, 1, 15), D(2025, 1, 16), D(2025, 2, 15)),
    ],
    # counted back from the last day of service: the deadline is the day before
    "handoff": [
        (D(2026, 9, 30), D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 5, 31), D(2026, 3, 1), D(2026, 5, 31)),
        (D(2026, 5, 29), D(2026, 3, 1), D(2026, 5, 29)),
        (D(2028, 5, 28), D(2028, 2, 29), D(2028, 5, 28)),
        (D(2026, 11, 30), D(2026, 8, 31), D(2026, 11, 30)),
    ],
    "designation_window": [
        (D(2026, 3, 31), D(2023, 4, 1), D(2026, 3, 31)),
        (D(2026, 2, 28), D(2023, 3, 1), D(2026, 2, 28)),
        (D(2024, 2, 29), D(2021, 3, 1), D(2024, 2, 29)),
        (D(2026, 4, 30), D(2023, 5, 1), D(2026, 4, 30)),
    ],
    "rate_window": [
        (D(2026, 3, 31), D(2023, 4, 1), D(2026, 3, 31)),
        (D(2024, 3, 31), D(2021, 4, 1), D(2024, 3, 31)),
    ],
    "retention_record_window": [
        (D(2026, 3, 31), D(2020, 4, 1), D(2026, 3, 31)),
    ],
    "retention_record_min": [
        (D(2020, 8, 31), D(2020, 8, 31), D(2024, 2, 29)),
        (D(2022, 10, 3), D(2022, 10, 3), D(2026, 4, 2)),
    ],
    "retention_record_max": [
        (D(2019, 8, 31), D(2019, 8, 31), D(2026, 2, 28)),
        (D(2019, 10, 1), D(2019, 10, 1), D(2026, 3, 31)),
    ],
}


def test_every_period_in_the_rule_files_is_tested_and_counted_alike_in_r3_and_r6():
    for rules in all_rule_sets():
        assert set(rules.periods) == set(PERIODS), rules.id
    r3, r6 = rules_for(D(2023, 4, 1)), rules_for(D(2024, 4, 1))
    for key in PERIODS:
        a, b = r3.period(key), r6.period(key)
        assert (a.months, a.direction, a.day1) == (b.months, b.direction, b.day1), key
        assert a.reading and a.why and a.source, key


@pytest.mark.parametrize("rule_day", [D(2023, 4, 1), D(2024, 4, 1)], ids=["R3", "R6"])
@pytest.mark.parametrize("key, event, first, last", [(k, *case) for k, cases in PERIODS.items() for case in cases])
def test_each_period_at_month_ends(rule_day, key, event, first, last):
    period = rules_for(rule_day).period(key).of(event)
    assert (period.first, period.last) == (first, last)
    assert period.day_before not in period and period.day_after not in period
    assert period.day_before == first - timedelta(days=1) and period.day_after == last + timedelta(days=1)


def test_span_labels():
    assert [span_label(m) for m in (1, 3, 6, 12, 36, 42, 72, 78)] == ["1か月", "3か月", "6か月", "1年", "3年", "3年6か月", "6年", "6年6か月"]
