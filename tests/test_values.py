"""Cell values: 西暦/和暦 dates, months, yes/no, choices, IDs."""

from datetime import date, datetime

import pytest

from teichaku_cli.base.dates import format_wareki_date, format_wareki_month
from teichaku_cli.office.values import ValueProblem, parse_choice, parse_date, parse_id, parse_month, parse_yesno


@pytest.mark.parametrize(
    "text",
    [
        "2024-04-01",
        "2024/4/1",
        "2024/04/01",
        "20240401",
        "2024年4月1日",
        "令和6年4月1日",
        "R6.4.1",
        "r6.4.1",
        "R06/04/01",
        "Ｒ６．４．１",
        "２０２４／４／１",
        "令和６年４月１日",
        "令6.4.1",
        "2024-04-01 00:00:00",
        " 2024/4/1 ",
    ],
)
def test_every_accepted_date_style_reads_the_same_day(text):
    assert parse_date(text) == date(2024, 4, 1)


def test_excel_date_cells_and_datetimes():
    assert parse_date(date(2024, 4, 1)) == date(2024, 4, 1)
    assert parse_date(datetime(2024, 4, 1, 0, 0)) == date(2024, 4, 1)


def test_gannen_and_era_edges():
    assert parse_date("令和元年5月1日") == date(2019, 5, 1)
    assert parse_date("令和1年5月1日") == date(2019, 5, 1)
    assert parse_date("平成31年4月30日") == date(2019, 4, 30)
    assert parse_date("H31.4.30") == date(2019, 4, 30)
    assert parse_date("平成元年1月8日") == date(1989, 1, 8)
    assert parse_date("昭和64年1月7日") == date(1989, 1, 7)


@pytest.mark.parametrize(
    "text, words",
    [
        ("令和7年2月30日", "存在しない日付"),
        ("2025-02-29", "存在しない日付"),
        ("2024-13-01", "存在しない日付"),
        ("平成31年5月1日", "平成の期間外"),
        ("令和元年4月30日", "令和の期間外"),
        ("平成元年1月7日", "平成の期間外"),
        ("R0.1.1", "令和0年"),
        ("来月", "日付として読めません"),
        ("2024.4", "日付として読めません"),
    ],
)
def test_impossible_dates_are_errors_never_guesses(text, words):
    with pytest.raises(ValueProblem) as info:
        parse_date(text)
    assert words in info.value.message
    assert info.value.fix


def test_leap_day_exists_only_in_leap_years():
    assert parse_date("令和6年2月29日") == date(2024, 2, 29)


def test_blank_dates_are_none():
    for blank in ("", None, "  ", float("nan")):
        assert parse_date(blank) is None


@pytest.mark.parametrize("text", ["2025-10", "2025/10", "202510", "2025年10月", "令和7年10月", "R7.10", "R07/10", "2025/10/1", "２０２５／１０"])
def test_month_styles(text):
    assert parse_month(text) == date(2025, 10, 1)


def test_month_from_an_excel_date_cell():
    # Excel turns a typed "2025/10" into the date 2025-10-01
    assert parse_month(date(2025, 10, 1)) == date(2025, 10, 1)
    assert parse_month(datetime(2025, 10, 17)) == date(2025, 10, 1)


@pytest.mark.parametrize("text", ["2025-13", "平成31年5月", "令和元年4月", "十月"])
def test_bad_months(text):
    with pytest.raises(ValueProblem):
        parse_month(text)


def test_month_of_era_change():
    assert parse_month("平成31年4月") == date(2019, 4, 1)
    assert parse_month("令和元年5月") == date(2019, 5, 1)


@pytest.mark.parametrize("word", ["はい", "あり", "有", "可", "○", "〇", "1", "TRUE", "yes", "Ｙｅｓ"])
def test_yes_words(word):
    assert parse_yesno(word) is True


@pytest.mark.parametrize("word", ["いいえ", "なし", "無", "不可", "×", "0", "FALSE", "no"])
def test_no_words(word):
    assert parse_yesno(word) is False


def test_yesno_unknown_names_the_words_to_use():
    with pytest.raises(ValueProblem) as info:
        parse_yesno("たぶん", "あり", "なし")
    assert "「あり」か「なし」" in info.value.fix


def test_yesno_blank_and_bool():
    assert parse_yesno("") is None
    assert parse_yesno(True) is True


def test_choice_variants_and_unknown_lists_allowed():
    choices = {"対面": "対面", "テレビ電話": "テレビ電話", "ビデオ通話": "テレビ電話"}
    assert parse_choice("ビデオ通話", choices, ("対面", "テレビ電話")) == "テレビ電話"
    with pytest.raises(ValueProblem) as info:
        parse_choice("チャット", choices, ("対面", "テレビ電話"))
    assert "対面 / テレビ電話" in info.value.fix


def test_ids_stay_text_with_leading_zeros():
    assert parse_id("0001") == "0001"
    assert parse_id("００１２") == "0012"
    assert parse_id(12.0) == "12"
    assert parse_id("") is None


def test_wareki_formatting():
    assert format_wareki_date(date(2019, 5, 1)) == "令和元年5月1日"
    assert format_wareki_date(date(2019, 4, 30)) == "平成31年4月30日"
    assert format_wareki_date(date(2024, 4, 1)) == "令和6年4月1日"
    assert format_wareki_month(date(2025, 10, 1)) == "令和7年10月"
    assert format_wareki_month(date(2019, 4, 1)) == "平成31年4月"
