"""Result tables as Excel sheets that print on A4 like a form a person made.

Every sheet teichaku writes is built here, so they all look and print alike:

- a title block: the sheet's title, 事業所名, 事業所番号, 対象月 or 年度, 作成日 (和暦);
- the table: a bold header row repeated on every printed page (a heading that
  does not fit breaks between its words), teichaku's own texts broken with hard
  newlines where a person would break them and data values wrapped by Excel, each
  row as tall as its lines in 游ゴシック (documents/printed.py: LibreOffice and Excel
  do not grow a row for wrapped text they did not lay out themselves), a cell's
  text clear of its borders (indent), amounts as ``#,##0``, dates as real date
  cells shown in 和暦;
- totals rows under the table, then notes;
- A4, portrait or landscape by the table's width, fit to one page wide; office
  and title in each page's header, page number and 作成日 in its footer.

A new result sheet is one call::

    heading = Heading.of(office.settings, "請求見込み（令和8年10月分）", ("対象月", "令和8年10月分"), today)
    add_sheet(wb, "請求見込み", heading, (Col("利用者ID", 9), Col("総費用額", 12, AMOUNT), ...),
              rows, totals=[Total("合計（12人）", {"総費用額": 1234567})])

Text that looks like a formula is written as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Mapping, Sequence

FONT_NAME = "游ゴシック"  # what Windows offices have; LibreOffice substitutes a CJK font
FONT_SIZE = 10

# Column kinds: how a column's cells are shown and printed.
TEXT = "text"  # short text, one line
WRAP = "wrap"  # a data value (a name, a record), wrapped by Excel within the column's width
PROSE = "prose"  # teichaku's own text (a message, a 根拠, a reason): broken here with hard newlines
MARK = "mark"  # a short mark (可/不可, ○/×), centred
AMOUNT = "amount"  # a count, 単位 or 円: #,##0, right-aligned
DECIMAL = "decimal"  # a unit price with decimals (11.20)
PERCENT = "percent"  # a rate in % to one decimal (87.5), as rate prints it
DATE = "date"  # a real date cell shown in 和暦
MONTH = "month"  # a real date cell shown as 和暦 year and month

AMOUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0"
# [$-411] is the Japanese locale: g/e give the era and its year (令和8年10月5日);
# Excel and LibreOffice both show it, and the cell stays a date that sorts and filters
WAREKI_DATE_FORMAT = '[$-411]ggge"年"m"月"d"日"'
WAREKI_MONTH_FORMAT = '[$-411]ggge"年"m"月"'
DATE_MIN_WIDTH = 16  # 「令和8年10月31日」 at 10 pt; narrower shows ####

TITLE_ROWS = 3  # title, office line, period line
HEADER_ROW = TITLE_ROWS + 2  # one blank row between the title block and the table
PORTRAIT_MAX_WIDTH = 100  # column-width units that fit A4 portrait at 90 % or more (92 at 100 %)

NOTE_SIZE = 9
TEXT_INDENT = 1  # text cells keep clear of their left border (and amounts of their right one)


@dataclass(frozen=True)
class Col:
    header: str
    width: float  # Excel column-width units (about one half-width character)
    kind: str = TEXT
    phrased: bool = False  # short phrases of ours (finding titles): a line breaks between their words (printed.phrases)


@dataclass(frozen=True)
class Heading:
    """The title block at the top of a sheet and the header of each printed page."""

    title: str
    office_name: str
    office_number: str
    period: tuple[str, str]  # ("対象月", "令和8年10月分") or ("対象年度", "令和7年度（2025年度）")
    made_on: date

    @classmethod
    def of(cls, settings, title: str, period: tuple[str, str], made_on: date) -> "Heading":
        """From the office's teichaku.toml settings."""
        return cls(title, settings.office_name, settings.office_number, period, made_on)

    def titled(self, title: str) -> "Heading":
        """The same office and period under another sheet title."""
        return Heading(title, self.office_name, self.office_number, self.period, self.made_on)


@dataclass(frozen=True)
class Total:
    """A totals row: its label in the first column, values by column header."""

    label: str
    values: Mapping[str, float | int] = field(default_factory=dict)


def use_office_font(wb) -> None:
    """Make 游ゴシック 11 pt the workbook's Normal font, as in a book made by
    Japanese Excel; call it on a new workbook, before any cell is styled. Column widths are counted in the Normal font's digits, so with
    openpyxl's default (Calibri) a column holds a different amount of Japanese on
    each PC and LibreOffice (which has no Calibri) lays it out a third wider than
    Excel; with one font both print alike and row heights can be sized to fit."""
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    font = Font(name=FONT_NAME, size=11)
    # openpyxl has no public setter for either. Font 0 first: the Normal style then finds
    # its font there (set the other way round, it keeps an index into the old list)
    wb._fonts = IndexedList([font])  # font 0: the default of every unstyled cell
    wb._named_styles["Normal"].font = font


def set_text_or_value(cell, value: object) -> None:
    """Strings are always string cells: a value starting with = + - @ is never
    turned into a formula (a support log can hold "=要確認" or "-3kg")."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def lines_needed(text: str, width: float, size: float = FONT_SIZE, indent: int = TEXT_INDENT) -> int:
    """How many printed lines ``text`` takes in a cell ``width`` wide (documents/printed.py)."""
    from teichaku_cli.documents.printed import lines_needed as counted

    return counted(text, width, size, indent)


def row_height(lines: int, size: float = FONT_SIZE) -> float:
    """Points for ``lines`` lines of text ``size`` points high."""
    from teichaku_cli.documents.printed import row_height as height

    return height(lines, size)


def footnotes(sources: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """The few 根拠 many rows share, each printed once under the table: a mark per
    source (※1, ※2 … in order of first use) for the rows, and the notes that say
    them. A column of three-line citations repeated on every row made a list of 45
    deadlines five pages long."""
    marks: dict[str, str] = {}
    for source in sources:
        marks.setdefault(source, f"※{len(marks) + 1}")
    return marks, [f"根拠 {mark}: {source}" for source, mark in marks.items()]


def office_words(office) -> tuple[str, ...]:
    """The data values teichaku's texts quote (employers' and people's names): a line
    of a message breaks around them, never inside one."""
    from teichaku_cli.model import schema

    found: set[str] = set()
    for table, column in ((schema.USERS.name, "事業主"), (schema.HISTORY.name, "事業主"), (schema.USERS.name, "氏名")):
        frame = office.table(table)
        if column in frame:
            found |= {v for v in frame[column].dropna().unique().tolist() if isinstance(v, str) and v}
    return tuple(sorted(found))


def add_sheet(
    wb,
    name: str,
    heading: Heading,
    columns: Sequence[Col],
    rows: Iterable[Sequence[object]],
    *,
    totals: Sequence[Total] = (),
    notes: Sequence[str] = (),
    empty: str = "該当する行はありません。",
    landscape: bool | None = None,
    keep: Iterable[str] = (),
):
    """A titled, printable table sheet; returns the worksheet.

    ``landscape`` defaults to the table's width: portrait when it fits A4
    portrait at 100 %, else landscape (and always fit to one page wide).
    ``keep``: data values quoted in the PROSE columns, never cut (office_words)."""
    from openpyxl.utils import get_column_letter

    from teichaku_cli.documents.printed import fill, heading as heading_lines, phrases

    styles = _styles(wb)
    ws = wb.create_sheet(name)
    last = get_column_letter(len(columns))
    widths = [max(c.width, DATE_MIN_WIDTH) if c.kind in (DATE, MONTH) else c.width for c in columns]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    _title_block(ws, heading, last)

    header_lines = 1
    for c, (column, width) in enumerate(zip(columns, widths), start=1):
        text = heading_lines(column.header, width, indent=0)  # centred: no indent; broken between words
        cell = ws.cell(HEADER_ROW, c, text)
        cell.style = styles["head"]
        header_lines = max(header_lines, text.count("\n") + 1)
    ws.row_dimensions[HEADER_ROW].height = row_height(header_lines)

    keep = tuple(keep)
    prose = [(i, w, c.phrased) for i, (c, w) in enumerate(zip(columns, widths)) if c.kind == PROSE]
    wrapped = [(i, w) for i, (c, w) in enumerate(zip(columns, widths)) if c.kind == WRAP]
    kinds = [styles[c.kind] for c in columns]
    r = HEADER_ROW
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        row = list(row)
        lines = 1
        for i, width, phrased in prose:  # ours: broken here, and as many lines as that makes
            if isinstance(row[i], str) and row[i]:
                row[i] = fill(row[i], width, FONT_SIZE, TEXT_INDENT, (*phrases(row[i]), *keep) if phrased else keep)
                lines = max(lines, row[i].count("\n") + 1)
        for i, width in wrapped:  # data: Excel wraps it; the row is counted for its lines
            if isinstance(row[i], str):
                lines = max(lines, lines_needed(row[i], width))
        for c, (value, style) in enumerate(zip(row, kinds), start=1):
            cell = ws.cell(r, c)
            set_text_or_value(cell, value)
            cell.style = style
        ws.row_dimensions[r].height = row_height(lines)
    last_data = r
    if last_data == HEADER_ROW:  # nothing to list: say so rather than print a bare header
        r = HEADER_ROW + 1
        ws.cell(r, 1, empty).style = styles[TEXT]
        ws.merge_cells(f"A{r}:{last}{r}")
        ws.row_dimensions[r].height = row_height(1)
    else:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{last_data}"
    ws.freeze_panes = f"A{HEADER_ROW + 1}"

    by_header = {c.header: i for i, c in enumerate(columns, start=1)}
    for total in totals:
        r += 1
        # the label spans the columns left of the first total, so it is not squeezed into an ID column
        span = min((by_header[h] for h in total.values), default=len(columns) + 1) - 1 or 1
        for c, column in enumerate(columns, start=1):
            ws.cell(r, c).style = styles["total-label" if c <= span else f"total-{column.kind}"]
        ws.cell(r, 1, total.label)
        for header, value in total.values.items():
            ws.cell(r, by_header[header], value)
        if span > 1:
            ws.merge_cells(f"A{r}:{get_column_letter(span)}{r}")
        label = fill(total.label, sum(widths[:span]), FONT_SIZE, TEXT_INDENT)
        ws.cell(r, 1).value = label
        ws.row_dimensions[r].height = row_height(label.count("\n") + 1)
    if notes:
        r += 1
        for note in notes:
            r += 1
            _line(ws, r, note, last, styles["note"], sum(widths), size=NOTE_SIZE)

    _print_setup(
        ws,
        landscape if landscape is not None else sum(widths) > PORTRAIT_MAX_WIDTH,
        heading,
        f"A1:{last}{r}",
    )
    return ws


def add_fields_sheet(
    wb, name: str, heading: Heading, fields: Sequence[tuple[str, object]], *, value_width: float = 70, notes: Sequence[str] = (), keep: Iterable[str] = ()
):
    """A 項目 / 値 sheet (summary, conditions): each value shown by its type —
    dates in 和暦, whole numbers as #,##0, text broken into lines."""
    styles = _styles(wb)
    ws = add_sheet(wb, name, heading, (Col("項目", 26, PROSE), Col("値", value_width, PROSE)), fields, notes=notes, keep=keep)
    for r, (_, value) in enumerate(fields, start=HEADER_ROW + 1):
        if isinstance(value, (date, datetime)):
            ws.cell(r, 2).style = styles[DATE]
        elif isinstance(value, int) and not isinstance(value, bool):
            ws.cell(r, 2).style = styles["field-amount"]
        elif isinstance(value, float):
            ws.cell(r, 2).style = styles["field-decimal"]
    return ws


def extend_print_area(ws, last_row: int) -> None:
    """Print down to ``last_row`` (a chart under the table is not a cell, so the
    print area would otherwise end above it)."""
    from openpyxl.utils import get_column_letter, range_boundaries

    _, _, max_col, _ = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))
    ws.print_area = f"A1:{get_column_letter(max_col)}{last_row}"


def print_setup(
    ws,
    *,
    landscape: bool,
    title_rows: str,
    header_left: str = "",
    header_right: str = "",
    print_area: str | None = None,
    pages_wide: int = 1,
) -> None:
    """A4, fit to ``pages_wide`` pages across (as many pages down as the rows need),
    header rows on every page, page numbers in the footer. Used by the blank input
    workbook too. ``pages_wide=0``: print at 100 % (a narrow sheet: Excel never
    enlarges to fit, but LibreOffice would blow it up to the page's width)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if pages_wide:
        ws.page_setup.fitToWidth = pages_wide
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
    ws.page_margins.header, ws.page_margins.footer = 0.2, 0.25
    ws.print_title_rows = title_rows
    if print_area:
        ws.print_area = print_area
    ws.oddFooter.center.text = "&P / &N ページ"
    ws.oddFooter.center.size = 9
    for part, text in ((ws.oddHeader.left, header_left), (ws.oddHeader.right, header_right)):
        if text:
            part.text = text.replace("&", "&&")  # & starts a header code
            part.size = 8


def _print_setup(ws, landscape: bool, heading: Heading, area: str) -> None:
    # every page says whose and what it is, should the pages come apart
    print_setup(
        ws,
        landscape=landscape,
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        header_left=heading.office_name,
        header_right=heading.title,
        print_area=area,
    )
    ws.oddFooter.right.text = f"作成日 {_wareki(heading.made_on)}"
    ws.oddFooter.right.size = 8


def _title_block(ws, heading: Heading, last: str) -> None:
    styles = _styles(ws.parent)
    width = sum(d.width or 0 for d in ws.column_dimensions.values())
    label, value = heading.period
    # each 「項目　値」 is kept on one line where it fits: a line breaks between them
    name = f"事業所名　{heading.office_name or '（teichaku.toml の「事業所名」が未設定）'}"
    number = f"事業所番号　{heading.office_number or '（未設定）'}"
    made = f"作成日　{_wareki(heading.made_on)}"
    _line(ws, 1, heading.title, last, styles["title"], width, size=14)
    _line(ws, 2, f"{name}　　{number}", last, styles["block"], width, keep=(name, number))
    _line(ws, 3, f"{label}　{value}　　{made}", last, styles["block"], width, keep=(made,))


def _line(ws, row: int, text: str, last: str, style: str, width: float, size: float = FONT_SIZE, keep: Iterable[str] = ()) -> None:
    """One line of teichaku's text across the table's width (merged; broken into lines if it must)."""
    from teichaku_cli.documents.printed import fill

    text = fill(text, width, size, keep=keep)
    cell = ws.cell(row, 1)
    set_text_or_value(cell, text)
    cell.style = style
    ws.merge_cells(f"A{row}:{last}{row}")
    ws.row_dimensions[row].height = row_height(text.count("\n") + 1, size)


def _wareki(day: date) -> str:
    from teichaku_cli.base.dates import format_wareki_date

    return format_wareki_date(day)


def _styles(wb) -> dict[str, str]:
    """Named styles, registered once per workbook: one style per cell is much
    cheaper than setting font, border and alignment on each (a head office's
    check writes tens of thousands of rows)."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    if STYLE_PREFIX + "見出し" in wb.named_styles:
        return _STYLE_NAMES
    use_office_font(wb)  # first: it sets font 0, the default of every cell
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    above = Border(left=thin, right=thin, top=Side(style="medium", color="404040"), bottom=thin)
    body = Font(name=FONT_NAME, size=FONT_SIZE)
    bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    total_fill = PatternFill("solid", fgColor="F2F2F2")
    looks = {
        **{kind: dict(font=body, border=box, **kw) for kind, kw in _CELLS.items()},
        **{f"total-{kind}": dict(font=bold, border=above, fill=total_fill, **kw) for kind, kw in _CELLS.items()},
        "total-label": dict(font=bold, border=above, fill=total_fill, wrap_text=True, horizontal="left", indent=TEXT_INDENT, vertical="top"),
        "field-amount": dict(font=body, border=box, number_format=AMOUNT_FORMAT, horizontal="left", indent=TEXT_INDENT, vertical="top"),
        "field-decimal": dict(font=body, border=box, number_format=DECIMAL_FORMAT, horizontal="left", indent=TEXT_INDENT, vertical="top"),
        "head": dict(font=bold, border=box, fill=PatternFill("solid", fgColor="DDEBF7"), horizontal="center", vertical="center", wrap_text=True),
        "title": dict(font=Font(name=FONT_NAME, size=14, bold=True), vertical="center", wrap_text=True),
        "block": dict(font=body, vertical="center", wrap_text=True),
        "note": dict(font=Font(name=FONT_NAME, size=NOTE_SIZE), wrap_text=True, vertical="top"),
    }
    for key, look in looks.items():
        font, border, fill = look.pop("font"), look.pop("border", Border()), look.pop("fill", None)
        number_format = look.pop("number_format", "General")
        named = NamedStyle(name=_STYLE_NAMES[key], font=font, border=border, number_format=number_format, alignment=Alignment(**look))
        if fill is not None:
            named.fill = fill
        wb.add_named_style(named)
    return _STYLE_NAMES


STYLE_PREFIX = "teichaku "
_CELLS = {  # every text clear of the cell's border: left-aligned ones indented, amounts from the right
    TEXT: dict(horizontal="left", indent=TEXT_INDENT, vertical="top"),
    WRAP: dict(wrap_text=True, horizontal="left", indent=TEXT_INDENT, vertical="top"),
    PROSE: dict(wrap_text=True, horizontal="left", indent=TEXT_INDENT, vertical="top"),
    MARK: dict(horizontal="center", vertical="top"),
    AMOUNT: dict(number_format=AMOUNT_FORMAT, horizontal="right", indent=1, vertical="top"),
    DECIMAL: dict(number_format=DECIMAL_FORMAT, horizontal="right", indent=1, vertical="top"),
    PERCENT: dict(number_format=PERCENT_FORMAT, horizontal="right", indent=1, vertical="top"),
    DATE: dict(number_format=WAREKI_DATE_FORMAT, horizontal="left", indent=TEXT_INDENT, vertical="top"),
    MONTH: dict(number_format=WAREKI_MONTH_FORMAT, horizontal="left", indent=TEXT_INDENT, vertical="top"),
}
_STYLE_NAMES = {
    **{kind: f"{STYLE_PREFIX}本文 {kind}" for kind in _CELLS},
    **{f"total-{kind}": f"{STYLE_PREFIX}合計 {kind}" for kind in _CELLS},
    "total-label": f"{STYLE_PREFIX}合計 見出し",
    "field-amount": f"{STYLE_PREFIX}項目 amount",
    "field-decimal": f"{STYLE_PREFIX}項目 decimal",
    "head": f"{STYLE_PREFIX}見出し",
    "title": f"{STYLE_PREFIX}表題",
    "block": f"{STYLE_PREFIX}表題欄",
    "note": f"{STYLE_PREFIX}注記",
}
