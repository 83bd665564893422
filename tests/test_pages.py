"""Pages that fit (issue 21): rows as tall as their text in 游ゴシック, counted from a
width table of the font Excel uses (documents/printed.py), teichaku's own texts broken
with hard newlines where a person would — never a line that starts with 」）。、・,
never a heading word split, never a data value cut — and each 根拠 printed once.
LibreOffice only renders the previews; nothing here asks it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from teichaku_cli.documents import printed
from teichaku_cli.documents.sheets import HEADER_ROW

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "office.xlsx"
NO_LINE_START = "、。）」』】・：；！？ー"  # written out here: a test must not read the rule it guards


# --- the width table -----------------------------------------------------------------------


@pytest.mark.parametrize("ch, em", [
    ("漢", 1.0), ("あ", 1.0), ("ア", 1.0), ("、", 1.0), ("（", 1.0), ("ー", 1.0), ("①", 1.0), ("○", 1.0), ("※", 1.0), ("→", 1.0),
    ("Ａ", 1.0), ("M", 1.0), ("W", 1.0), ("%", 1.0),  # wide Latin counted full-width
    ("0", 0.62), ("9", 0.62), ("a", 0.62), ("K", 0.62), ("ｱ", 0.62),  # half-width
    (" ", 0.32), (".", 0.32), (",", 0.32), ("(", 0.32), ("i", 0.32), ("l", 0.32), ("/", 0.32), ("-", 0.32),  # narrow
])
def test_the_width_table_classes_each_character(ch, em):
    assert printed.char_em(ch) == em


def test_widths_in_column_units_for_10pt():
    # 10 pt = 13.33 px; a column unit is the Normal font's digit, 8 px
    assert printed.text_units("漢字") == pytest.approx(2 * 13.333 / 8, rel=1e-3)
    assert printed.text_units("2026") == pytest.approx(4 * 0.62 * 13.333 / 8, rel=1e-3)
    assert printed.text_units("漢", size=20) == pytest.approx(2 * printed.text_units("漢"))
    assert printed.room(10) == pytest.approx((80 - printed.CELL_PADDING_PX) / 8)
    assert printed.room(10, indent=1) < printed.room(10)


def test_a_line_never_exceeds_the_room_and_every_character_is_kept():
    text = "就労定着支援の実施について（令和6年3月29日改正）1の(4)②（支援内容）、支援レポートを本人に渡した記録がありません。"
    for width in (8, 12, 20, 28, 40):
        lines = printed.wrap(text, width, indent=1)
        assert "".join(lines) == text
        assert all(printed.text_units(line) <= printed.room(width, 1) for line in lines), (width, lines)
        assert not any(line[0] in NO_LINE_START for line in lines[1:]), (width, lines)
        assert not any(line[-1] in "（「" for line in lines), (width, lines)
        if printed.text_units("（令和6年3月29日") <= printed.room(width, 1) * printed.SAFETY:
            assert any("令和6年3月29日" in line for line in lines), (width, lines)  # a date that fits a line is never cut


def test_a_newline_in_the_text_is_kept_and_counted():
    assert printed.wrap("一行目\n二行目", 40) == ["一行目", "二行目"]
    assert printed.lines_needed("一行目\n二行目", 40) == 2
    assert printed.row_height(2) == pytest.approx(2 * 10 * printed.LINE_SPACING + printed.ROW_PADDING)


def test_a_data_value_quoted_in_a_message_is_never_cut():
    text = "ひかり商事株式会社で障害を開示し共有に同意した利用者ですが、令和8年10月にひかり商事株式会社と共有した支援レポートがありません。"
    for width in (20, 24, 30, 36):
        lines = printed.wrap(text, width, keep=("ひかり商事株式会社",))
        assert sum(line.count("ひかり商事株式会社") for line in lines) == 2, (width, lines)


def test_a_token_wider_than_the_cell_is_folded_but_not_before_a_long_vowel_mark():
    lines = printed.wrap("エラー", 5)
    assert "".join(lines) == "エラー" and not any(line.startswith("ー") for line in lines)


# --- headings and phrases --------------------------------------------------------------------


@pytest.mark.parametrize("text, width, expected", [
    ("事業主共有同意日", 12, "事業主共有\n同意日"),  # not 「事業主共有同意\n日」
    ("利用者負担（円）", 10, "利用者負担\n（円）"),
    ("サービス管理責任者参加", 12, "サービス管理\n責任者参加"),
    ("利用開始日", 8, "利用\n開始日"),
    ("利用者ID", 12, "利用者ID"),  # fits: as it is
])
def test_a_heading_breaks_between_its_words(text, width, expected):
    assert printed.heading(text, width) == expected


@pytest.mark.parametrize("title, pieces", [
    ("計画見直し期限超過", ["計画見直し", "期限超過"]),
    ("支援レポート未提供", ["支援", "レポート", "未提供"]),
    ("受給者証の期間外", ["受給者証の", "期間外"]),
    ("就職後3年6か月超過", ["就職後", "3年6か月超過"]),
])
def test_a_finding_title_breaks_between_words(title, pieces):
    assert printed.phrases(title) == pieces


def assert_broken_between_words(text: str, where) -> None:
    for line in text.split("\n")[:-1]:  # each break falls at the end of a word
        assert any(line.endswith(word) for word in printed.HEADING_WORDS), (where, text)


def test_every_schema_heading_breaks_only_between_words():
    """init's blank book: a heading that does not fit its column breaks between words."""
    from teichaku_cli.model import schema

    for table in schema.TABLES:
        for column in table.columns:
            assert_broken_between_words(printed.heading(column.name, column.width), (table.name, column.name))


# --- the workbooks --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    from typer.testing import CliRunner

    from teichaku_cli.cli import app

    folder = tmp_path_factory.mktemp("books")
    runner = CliRunner()
    env = {"TEICHAKU_TODAY": "2026-12-08"}
    for name, args in (
        ("check", ("check", SAMPLE, "--month", "2026-11")),  # November: 28 findings
        ("check-oct", ("check", SAMPLE, "--month", "2026-10", "--claim", SAMPLE.parent / "請求_2026-10.csv")),  # with the claim's sheets
        ("due", ("due", SAMPLE, "--within", "6")),
        ("rate", ("rate", SAMPLE, "--year", "2025")),
    ):
        result = runner.invoke(app, [str(a) for a in (*args, "--out", folder / f"{name}.xlsx")], env=env)
        assert result.exit_code in (0, 1), result.output
    runner.invoke(app, ["init", str(folder / "init")], env=env)
    return {p.stem: openpyxl.load_workbook(p) for p in [*folder.glob("*.xlsx"), folder / "init" / "office.xlsx"]}


def test_no_printed_line_starts_with_a_mark_that_belongs_to_the_line_before(books):
    """Story: 「）」「。」「・」 began lines, and headings broke as 「事業主共有同意\\n日」."""
    for name, wb in books.items():
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and "\n" in cell.value:
                        lines = cell.value.split("\n")
                        assert not any(line and line[0] in NO_LINE_START for line in lines[1:]), (name, ws.title, cell.coordinate, lines)


def test_every_row_is_as_tall_as_its_lines_and_no_taller(books):
    """Row heights come from the lines counted for each cell (hard newlines in ours, the
    width table for data), not a guess 1.5–2× the text."""
    from openpyxl.utils import get_column_letter

    for name in ("check", "due", "rate"):
        for ws in books[name].worksheets:
            if ws.auto_filter.ref is None:
                continue
            last = int(ws.auto_filter.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            for r in range(HEADER_ROW + 1, last + 1):
                lines = 1
                for c in range(1, ws.max_column + 1):
                    cell = ws.cell(r, c)
                    if isinstance(cell.value, str):
                        width = ws.column_dimensions[get_column_letter(c)].width
                        lines = max(lines, printed.lines_needed(cell.value, width, indent=int(cell.alignment.indent or 0)) if cell.alignment.wrap_text else 1)
                assert ws.row_dimensions[r].height == pytest.approx(printed.row_height(lines)), (name, ws.title, r)


def test_novembers_findings_fit_on_far_fewer_pages(books):
    """Story: November's 28 findings took 9 pages. Each row is its 内容 (the 根拠 once,
    under the table): on A4 landscape that is under five pages of rows."""
    ws = books["check"]["指摘 2026-11"]
    last = int(ws.auto_filter.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    assert last - HEADER_ROW >= 28
    heights = sum(ws.row_dimensions[r].height for r in range(HEADER_ROW + 1, last + 1))
    page = (595 - 72 * (ws.page_margins.top + ws.page_margins.bottom)) - ws.row_dimensions[HEADER_ROW].height  # A4 landscape, points
    assert heights / page < 5, heights / page
    tallest = max(ws.row_dimensions[r].height for r in range(HEADER_ROW + 1, last + 1))
    assert tallest <= printed.row_height(6)  # the longest message (a late handoff) is six lines


def test_text_cells_keep_clear_of_their_borders(books):
    ws = books["check"]["指摘 2026-11"]
    for c in (1, 2, 5, 6):  # ID, name, title, message: left-aligned with an indent
        cell = ws.cell(HEADER_ROW + 1, c)
        assert cell.alignment.horizontal == "left" and cell.alignment.indent == 1, c
    assert ws.cell(HEADER_ROW + 1, 3).alignment.horizontal == "center"  # a mark is centred


def test_the_blank_books_input_sheets_print_a_grid_to_write_on(books):
    """Story: init's blank workbook printed 16 pages of a heading row and nothing to write on."""
    from teichaku_cli.documents.blank import GRID_ROWS_LANDSCAPE, GRID_ROWS_PORTRAIT
    from teichaku_cli.model import schema

    wb = books["office"]
    for table in schema.TABLES:
        ws = wb[table.name]
        rows = GRID_ROWS_LANDSCAPE if ws.page_setup.orientation == "landscape" else GRID_ROWS_PORTRAIT
        for r in (2, rows + 1):
            for c in range(1, len(table.columns) + 1):
                assert ws.cell(r, c).border.left.style == "thin", (table.name, r, c)
        assert ws.cell(rows + 2, 1).border.left.style is None  # one page of them
        for c, column in enumerate(table.columns, start=1):  # a grid cell keeps its column's format (IDs stay text)
            if column.kind.value == "id":
                assert ws.cell(2, c).number_format == "@"


def test_every_heading_of_every_workbook_breaks_only_between_words(books):
    """Story: headings broke as 「事業主共有同意\n日」 and 「特別地域加\n算（回）」."""
    for name, wb in books.items():
        for ws in wb.worksheets:
            row = 1 if name == "office" else HEADER_ROW
            for cell in ws[row]:
                if isinstance(cell.value, str):
                    assert_broken_between_words(cell.value, (name, ws.title, cell.coordinate))
