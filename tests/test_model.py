"""The model the rules ask questions of: a person's service period, the month's
support facts (computed once per office and month), and the column names."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from teichaku_cli.model import schema
from teichaku_cli.model.facts import MonthFacts, face_to_face, first_handoffs, reports_given
from teichaku_cli.model.people import Person, in_service_mask

C = schema.C
PACKAGE = Path(__file__).resolve().parents[1] / "teichaku_cli"


def person(started: date, finished: date | None = None, **extra) -> Person:
    record = {
        C.USER_ID: "0001", C.NAME: "青木 さくら", C.SERVICE_START: pd.Timestamp(started),
        C.SERVICE_END: pd.Timestamp(finished) if finished else pd.NaT, C.USER_TYPE: "通常", C.BASE_DAY: pd.NaT,
        C.INTEGRATED: True, C.SPECIAL_AREA: False, C.NEEDS_HANDOFF: False, C.STAFF: "", schema.ROW: 2,
    }
    record.update(extra)
    return Person.of(record)


# --- in service: the day before, of and after each end of the service --------------------


@pytest.mark.parametrize(
    "first, last, expected",
    [
        (date(2026, 3, 31), date(2026, 3, 31), False),  # the day before 利用開始日
        (date(2026, 4, 1), date(2026, 4, 1), True),  # 利用開始日
        (date(2026, 3, 1), date(2026, 3, 31), False),  # the month before
        (date(2026, 4, 1), date(2026, 4, 30), True),
        (date(2029, 3, 31), date(2029, 3, 31), True),  # 利用終了日
        (date(2029, 4, 1), date(2029, 4, 1), False),  # the day after
        (date(2029, 3, 1), date(2029, 3, 31), True),  # the month it ends
        (date(2029, 4, 1), date(2029, 4, 30), False),
    ],
)
def test_in_service_at_both_ends(first, last, expected):
    served = person(date(2026, 4, 1), date(2029, 3, 31))
    assert served.in_service(first, last) is expected


def test_in_service_without_an_end_goes_on():
    served = person(date(2024, 2, 29))
    assert served.in_service(date(2031, 1, 1), date(2031, 1, 31))
    assert not served.in_service(date(2024, 2, 1), date(2024, 2, 28))
    assert served.in_service(date(2024, 2, 1), date(2024, 2, 29))


def test_the_table_wide_test_is_the_same_test():
    """``in_service_mask`` (for frames) answers as ``Person.in_service`` does, on every
    combination of starts, ends and months around month ends and February."""
    days = [date(2024, 1, 31), date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2024, 3, 31), date(2024, 4, 30)]
    rows = [(s, e) for s in days for e in [None, *days] if e is None or e >= s]
    users = pd.DataFrame(
        {
            C.SERVICE_START: pd.to_datetime([s for s, _ in rows]),
            C.SERVICE_END: pd.to_datetime([e for _, e in rows]),
        }
    )
    for month in (date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)):
        last = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
        mask = in_service_mask(users, month, last).tolist()
        assert mask == [person(s, e).in_service(month, last) for s, e in rows]
        for day in days:
            assert in_service_mask(users, day, day).tolist() == [person(s, e).in_service(day, day) for s, e in rows]


def test_a_person_reads_its_row():
    served = person(date(2026, 4, 1), None, **{C.USER_TYPE: "復職支援型", C.BASE_DAY: pd.Timestamp(2026, 3, 31), C.INTEGRATED: False, C.SPECIAL_AREA: True})
    assert (served.started, served.finished, served.base_day) == (date(2026, 4, 1), None, date(2026, 3, 31))
    assert served.special_type and served.integrated is False and served.special_area
    assert not person(date(2026, 4, 1), None, **{C.USER_TYPE: "復職支援型"}).special_type  # without its 起算日


# --- the month's facts ---------------------------------------------------------------------


def contacts(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[C.DATE, C.USER_ID, C.METHOD, C.COUNTERPART, C.KIND, C.EMPLOYER])
    frame[C.DATE] = pd.to_datetime(frame[C.DATE])
    frame[schema.ROW] = range(2, 2 + len(frame))
    return frame


def empty(*columns) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype="object") for c in columns})
    for c in columns:
        if c in (C.DATE, C.GIVEN_ON, C.SHARED_ON, C.MONTH, C.MADE_ON):
            frame[c] = pd.to_datetime(frame[c])
    return frame


LOG = contacts(
    ("2026-01-31", "0001", "対面", "本人", "支援", ""),  # the last day of January
    ("2026-02-01", "0002", "テレビ電話", "本人", "支援", ""),  # the first day of February
    ("2026-02-28", "0003", "電話", "本人", "支援", ""),  # a phone call: not 対面
    ("2026-02-28", "0004", "対面", "家族", "支援", ""),  # with the family: not the person
    ("2026-02-28", "0005", "対面", "事業主", "職場訪問", "さくら製作所"),
    ("2026-03-01", "0001", "対面", "本人", "支援", ""),  # the first day of March
    ("2026-02-10", "0006", "対面", "関係機関", "引継ぎ", ""),
    ("2026-02-05", "0006", "メール", "関係機関", "引き継ぎ", ""),
    ("2026-01-05", "0007", "対面", "関係機関", "連絡", ""),
)


def facts_of(month: date, reports: pd.DataFrame | None = None) -> MonthFacts:
    reports = reports if reports is not None else empty(C.USER_ID, C.MONTH, C.GIVEN_ON, C.SHARED_ON, C.EMPLOYER)
    return MonthFacts.of_tables(
        month, LOG, reports, empty(C.USER_ID, C.MADE_ON), empty(C.USER_ID, C.MONTH), empty(C.DATE, C.USER_ID, C.MANAGER_ATTENDED)
    )


def test_face_to_face_is_the_person_in_person_or_on_video():
    assert face_to_face(LOG)[C.USER_ID].tolist() == ["0001", "0002", "0001"]


def test_the_month_holds_its_first_and_last_day_and_nothing_else():
    february = facts_of(date(2026, 2, 1))
    assert february.face.users == {"0002"}
    assert february.face.days("0002") == [date(2026, 2, 1)]
    assert february.requirement_days("0001") == ([], [])
    assert set(february.contacts[C.USER_ID]) == {"0002", "0003", "0004", "0005", "0006"}
    assert february.employer.users == {"0005"}
    january = facts_of(date(2026, 1, 1))
    assert january.face.days("0001") == [date(2026, 1, 31)]


def test_reports_count_in_the_month_they_were_given():
    reports = pd.DataFrame(
        {
            C.USER_ID: ["0001", "0002", "0003"],
            C.MONTH: pd.to_datetime(["2026-01-01", "2026-02-01", "2026-02-01"]),
            C.GIVEN_ON: pd.to_datetime(["2026-02-02", "2026-02-28", "2026-03-01"]),  # January's report given in February
            C.SHARED_ON: pd.to_datetime([None, "2026-02-28", None]),
            C.EMPLOYER: ["", "", ""],
        }
    )
    february = facts_of(date(2026, 2, 1), reports)
    assert february.reported.users == {"0001", "0002"}
    assert reports_given(reports, date(2026, 3, 1), date(2026, 3, 31))[C.USER_ID].tolist() == ["0003"]
    assert february.shared.users == {"0002"}


def test_within_the_service_window():
    february = facts_of(date(2026, 2, 1))
    assert february.face.within("0002", date(2026, 1, 1), date(2026, 2, 1), date(2026, 2, 1))  # ends on the day of the support
    assert not february.face.within("0002", date(2026, 2, 2), date(2026, 12, 31), date(2026, 2, 1))  # begins the day after


def test_the_first_handoff_is_the_earliest_handoff_to_an_agency():
    assert first_handoffs(LOG) == {"0006": date(2026, 2, 5)}


def test_an_office_computes_a_month_once():
    from teichaku_cli.office.load import load_office

    office = load_office(PACKAGE.parent / "samples" / "office.xlsx")
    first = office.month_facts(date(2026, 10, 1))
    assert office.month_facts(date(2026, 10, 15)) is first
    assert [p.user_id for p in office.people_in_service(date(2026, 10, 1), date(2026, 10, 31))] == sorted(
        office.users.loc[in_service_mask(office.users, date(2026, 10, 1), date(2026, 10, 31)), C.USER_ID]
    )


# --- the column names -------------------------------------------------------------------------


def test_every_column_has_a_name_the_code_can_check():
    names = {c.name for t in schema.TABLES for c in t.columns} - set(schema.PLAN_CONTENT)
    constants = {v for k, v in vars(C).items() if k.isupper()}
    assert names == constants


COLUMN_NAMES = {v for k, v in vars(C).items() if k.isupper()}
# the code that asks the office's tables: it reaches every column as C.<NAME> (the readers in
# office/ map headers to these names, and schema.py defines them, so they are the exceptions)
ASKING = sorted(
    p
    for p in PACKAGE.rglob("*.py")
    if p.parent.name in ("rules", "documents", "model") and p.name not in ("schema.py", "claim_layout.py")
    or p.name in ("checks.py", "certificate_checks.py")
)


def _column_literals(path: Path, root: Path = PACKAGE) -> list[str]:
    """Japanese column names typed as strings where a column is reached: a subscript
    (``users["利用開始日"]``, ``frame.loc[m, ["利用者ID", "日付"]]``) or the column
    argument of a pandas or row method (``groupby("利用者ID")``, ``row.get("担当者")``)."""
    found = []

    def literals(node):
        if isinstance(node, ast.Constant) and node.value in COLUMN_NAMES:
            yield node
        elif isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                yield from literals(element)

    methods = {"groupby", "sort_values", "duplicated", "drop_duplicates", "get", "dropna", "set_index", "merge", "records"}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        places = []
        if isinstance(node, ast.Subscript):
            places = [node.slice]
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in methods:
                places = [*node.args, *(k.value for k in node.keywords)]
        for place in places:
            found += [f"{path.relative_to(root)}:{n.lineno} {n.value!r}" for n in literals(place)]
    return found


@pytest.mark.parametrize("path", ASKING, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_columns_are_reached_by_name(path):
    assert _column_literals(path) == []


def test_the_column_check_sees_a_typed_name(tmp_path):
    typed = tmp_path / "rule.py"
    typed.write_text('def f(users, row):\n    return users["利用開始日"], row.get("担当者"), users.groupby(["利用者ID", C.DATE])\n', encoding="utf-8")
    found = _column_literals(typed, tmp_path)
    assert [line.split(" ", 1)[1] for line in found] == ["'利用開始日'", "'担当者'", "'利用者ID'"]
