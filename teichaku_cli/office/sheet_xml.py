"""Reading a workbook sheet's XML row by row: the cells python-calamine gives, for a
sheet whose grid would be far larger than its cells.

calamine builds a sheet's whole grid, from A1 out to the farthest cell with a value:
one stray value at Z1048576 makes a grid of 27 million cells (1.2 GB) for a sheet of
a few hundred rows. For a sheet whose extent is far beyond what its XML can hold,
office/sources.py has calamine read only the rows above the gap and reads the rows after
it here, one row at a time, keeping only the rows that hold a value (a sheet with no gap
to split at, a value far to the right, is read here whole): it costs the rows it has,
not the rows it spans. Everything else is read by calamine (several times faster).

The values are calamine's, rule for rule (tests/test_sheet_xml.py compares both on the
sample and on odd workbooks): shared and inline strings (rich text runs joined,
phonetic guides left out, Excel's _xHHHH_ escapes), numbers as ``float``, dates by the
cell's number format (built-in or custom, the 1900 and 1904 systems) as ``date``,
``datetime``, ``time`` or ``timedelta``, booleans, error values and formulas without a
saved result as blank, a formula's saved result. Regular expressions over the bytes,
whole rows at a time: ~1 µs a cell.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterator

# The formats calamine reads a number under as a date/time (formats.rs)
OTHER, DATETIME, TIMEDELTA = 0, 1, 2
_BUILTIN = {**{n: DATETIME for n in (*range(14, 23), 45, 47)}, 46: TIMEDELTA}

_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(/?)>")
_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CHILD = re.compile(rb"<(?:\w+:)?(v|f|is)\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?\1>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Za-z]*)(\d*)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Za-z]*)(\d*)(?::([A-Za-z]+)(\d+))?"')
_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)
_PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?(?:/>|</(?:\w+:)?rPh>)", re.S)
_T = re.compile(rb"<(?:\w+:)?t\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_PRESERVE = re.compile(rb'xml:space="preserve"')
_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)
_ENTITY = re.compile(r"&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_EXCEL_ESCAPE = re.compile(r"_x00([0-9A-Fa-f]{2})_")
_FLOAT = re.compile(rb"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)", re.I)
_NUM_FMT = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?>')
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?cellXfs>)", re.S)
_NUM_FMTS = re.compile(rb"<(?:\w+:)?numFmts\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?numFmts>)", re.S)
_CHUNK = 1 << 22


class SheetXmlError(ValueError):
    """What calamine would refuse too (a string index past the table, an unknown cell type)."""


def column_index(letters: bytes) -> int:
    """b"A" → 0, b"AB" → 27."""
    index = 0
    for byte in letters.upper():
        index = index * 26 + byte - 64
    return index - 1


def _text(raw: bytes) -> str:
    """An XML text node as a parser gives it: CDATA kept as is, entities and character
    references resolved, line breaks normalised (\\r\\n and \\r → \\n)."""
    if b"<![CDATA[" in raw:
        parts, last = [], 0
        for m in _CDATA.finditer(raw):
            parts.append(_text(raw[last : m.start()]))
            parts.append(m[1].decode("utf-8"))
            last = m.end()
        parts.append(_text(raw[last:]))
        return "".join(parts)
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    return text


def _entity(m: re.Match) -> str:
    name = m[1]
    if name[0] != "#":
        return _ENTITIES[name]
    return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))


def _excel_unescape(text: str) -> str:
    """Excel's _xHHHH_ escapes of control characters (only _x00HH_, as calamine reads them)."""
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x00" in text else text


def rich_string(body: bytes | None) -> str:
    """A shared string item's or an inline string's text: its <t> runs joined, phonetic
    guides (<rPh>) left out, each run trimmed of ASCII space unless xml:space="preserve"."""
    if not body:
        return ""
    if b"rPh" in body:
        body = _PHONETIC.sub(b"", body)
    parts = []
    for m in _T.finditer(body):
        text = _text(m[2] or b"")
        if not _PRESERVE.search(m[1]):
            text = text.strip(" \t\r\n")
        parts.append(_excel_unescape(text))
    return "".join(parts)


@dataclass
class SharedStrings:
    """The shared string table, parsed as far as the cells read need (a sheet read here
    is mostly small; the table may be a workbook's largest part)."""

    zf: zipfile.ZipFile
    member: str | None
    strings: list[str] = field(default_factory=list)
    _chunks: Iterator[bytes] | None = None
    _carry: bytes = b""
    _done: bool = False

    def get(self, index: int) -> str:
        while index >= len(self.strings) and not self._done:
            self._more()
        if index >= len(self.strings):
            raise SheetXmlError("Cell string index not found in shared strings table")
        return self.strings[index]

    def _more(self) -> None:
        if self.member is None:
            self._done = True
            return
        if self._chunks is None:
            fh = self.zf.open(self.member)
            self._chunks = iter(lambda: fh.read(_CHUNK), b"")
        chunk = next(self._chunks, None)
        if chunk is None:
            self._done = True
            text, self._carry = self._carry, b""
        else:
            text = self._carry + chunk
            cut = max(text.rfind(b"</si>"), text.rfind(b"/>"))
            if cut < 0:
                self._carry = text
                return
            cut = text.find(b">", cut) + 1
            text, self._carry = text[:cut], text[cut:]
        for m in _SI.finditer(text):
            self.strings.append(rich_string(m[1]))


@dataclass
class Book:
    """What a sheet's cells need from the rest of the workbook."""

    strings: SharedStrings
    formats: list[int]  # cell style (xf) index → OTHER / DATETIME / TIMEDELTA
    is_1904: bool


def open_book(zf: zipfile.ZipFile) -> Book:
    names = {n.lower(): n for n in zf.namelist()}
    book = zf.read(names["xl/workbook.xml"]) if "xl/workbook.xml" in names else b""
    m = re.search(rb'<(?:\w+:)?workbookPr\b[^>]*?\bdate1904="([^"]*)"', book)
    is_1904 = bool(m) and m[1] in (b"1", b"true")
    formats: list[int] = []
    if "xl/styles.xml" in names:
        styles = zf.read(names["xl/styles.xml"])
        custom: dict[bytes, str] = {}
        block = _NUM_FMTS.search(styles)
        for tag in _NUM_FMT.finditer(block[1] or b"") if block else ():
            fid = re.search(rb'\bnumFmtId="([^"]*)"', tag[0])
            code = re.search(rb'\bformatCode="([^"]*)"', tag[0])
            if fid and code:
                custom[fid[1]] = _text(code[1])
        xfs = _CELL_XFS.search(styles)
        for xf in _XF.finditer(xfs[1] or b"") if xfs else ():
            fid = re.search(rb'\bnumFmtId="([^"]*)"', xf[1])
            if fid is None:
                formats.append(OTHER)
            elif fid[1] in custom:
                formats.append(custom_format(custom[fid[1]]))
            else:
                formats.append(_BUILTIN.get(int(fid[1]), OTHER) if fid[1].isdigit() else OTHER)
    strings = SharedStrings(zf, names.get("xl/sharedstrings.xml"))
    return Book(strings, formats, is_1904)


def custom_format(code: str) -> int:
    """Whether a custom number format shows a date/time, as calamine decides it
    (formats.rs ``detect_custom_number_format``): a date or time letter outside quotes,
    brackets and escapes, in the first section; [h] [m] [s] make a duration."""
    escaped = quoted = ampm = hms = False
    brackets = 0
    prev = " "
    for ch in code:
        if escaped:
            escaped = False
        elif ch in "_\\*":
            escaped = True
        elif quoted:
            if ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == ";":
            return OTHER
        elif ch == "[":
            brackets += 1
        elif ch == "]" and brackets == 1 and hms:
            return TIMEDELTA
        elif ch == "]":
            brackets = max(brackets - 1, 0)
        elif ch in "aA" and not ampm and brackets == 0:
            ampm = True
        elif ch in "pm/PM" and ampm and brackets == 0:
            return DATETIME
        elif ch in "dmhysDMHYS" and not ampm and brackets == 0:
            return DATETIME
        elif hms and ch.lower() == prev.lower():
            pass
        else:
            hms = prev == "[" and ch in "mhsMHS"
        prev = ch
    return OTHER


_EPOCH = datetime(1899, 12, 30)
_DAY_MS = 86_400_000


def _round(x: float) -> int:
    """Rust's f64::round: half away from zero (Python's round is half to even)."""
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def _serial_datetime(value: float, is_1904: bool) -> datetime | None:
    days = value + 1462 if is_1904 else value
    if days < 60:
        days += 1  # Excel's 1900-02-29, a day that never was
    try:
        return _EPOCH + timedelta(milliseconds=_round(days * _DAY_MS))
    except OverflowError:
        return None


def excel_date(value: float, kind: int, is_1904: bool) -> object:
    """A number cell under a date/time format, as python-calamine gives it: a duration
    ([h]:mm) → timedelta; under 1 → time; a whole number → date; else datetime; a
    value outside Python's years → the number."""
    if kind == TIMEDELTA:
        return timedelta(milliseconds=_round(value * _DAY_MS))
    moment = _serial_datetime(value, is_1904)
    if moment is None:
        return value
    if value < 1.0:
        return moment.time()
    if value == float(int(value)):
        return moment.date()
    return moment


def _iso(text: str) -> object:
    """A t="d" cell (ISO 8601 text), as python-calamine reads it."""
    try:
        if "T" in text:
            return datetime.fromisoformat(text)
        if ":" in text:
            return time.fromisoformat(text)
        return date.fromisoformat(text)
    except ValueError:
        return text


def cell_value(attrs: bytes, body: bytes | None, book: Book) -> object:
    """One <c>'s value, or None for a cell calamine reads as empty (dropped)."""
    kind = _ATTR_T.search(attrs)
    kind = kind[1] if kind else None
    value: object = None
    for child in _CHILD.finditer(body or b""):
        tag, inner = child[1], child[2]
        if tag == b"f":
            value = None
        elif tag == b"is":
            value = rich_string(inner)
        elif kind in (b"inlineStr", b"is"):
            value = None  # the <v> of an inline string repeats it
        else:
            value = _v(inner or b"", kind, attrs, book)
    return value


def _v(raw: bytes, kind: bytes | None, attrs: bytes, book: Book) -> object:
    if kind in (None, b"n"):
        if not raw:
            return None
        if not _FLOAT.fullmatch(raw):
            if kind is None:
                return _text(raw)
            raise SheetXmlError(f"a number cell that is not a number ({raw[:20]!r})")
        number = float(raw)
        style = _ATTR_S.search(attrs)
        if style is None:
            return number
        index = int(style[1])
        fmt = book.formats[index] if index < len(book.formats) else OTHER
        return excel_date(number, fmt, book.is_1904) if fmt != OTHER else number
    if kind == b"s":
        if not raw:
            return None
        return book.strings.get(int(raw) if raw.isdigit() else 0)  # calamine: an unreadable index is 0
    if kind == b"b":
        return raw != b"0"
    if kind == b"e":
        return ""  # an error value: blank, as calamine gives it (the error cells are found apart)
    if kind == b"str":
        return _text(raw)
    if kind == b"d":
        return _iso(_text(raw))
    raise SheetXmlError(f"unknown cell type {kind!r}")


def dimension(head: bytes) -> tuple[int, int] | None:
    """(last row, last column), both counted from 1, of a sheet's <dimension ref>, from
    the first bytes of its XML; None when there is none."""
    m = _DIMENSION.search(head)
    if m is None:
        return None
    letters, digits = (m[3], m[4]) if m[3] else (m[1], m[2])
    if not letters or not digits:
        return None
    return int(digits), column_index(letters) + 1


def read_rows(chunks: Iterator[bytes], book: Book, stop_after: int | None = None) -> tuple[list[tuple[int, list]], list]:
    """The rows holding a value, each (Excel row number, cells from column A to its last
    value, "" between), and the merged ranges as calamine gives them (0-based
    ((row, col), (row, col))). ``stop_after``: stop after that many rows with a value
    (a header's search needs the first few)."""
    rows: list[tuple[int, list]] = []
    merges: list = []
    carry = b""
    row_index = 0  # 0-based, as calamine counts a row without r=
    in_data = True
    tail = b""
    for chunk in _with_end(chunks):
        if chunk is None:
            text, carry = carry, b""
        else:
            text = carry + chunk
            cut = _last_row_end(text)
            if cut < 0:
                carry = text
                continue
            text, carry = text[:cut], text[cut:]
        if in_data:
            end = _SHEET_DATA_END.search(text)
            data = text if end is None else text[: end.start()]
            row_index = _rows_of(data, book, rows, row_index)
            if stop_after is not None and len(rows) >= stop_after:
                return rows[:stop_after], []
            if end is not None:
                in_data = False
                tail = text[end.end() :]
        else:
            tail += text
    for m in _MERGE.finditer(tail):
        r1, c1 = int(m[2]) - 1, column_index(m[1])
        r2, c2 = (int(m[4]) - 1, column_index(m[3])) if m[3] else (r1, c1)
        merges.append(((r1, c1), (r2, c2)))
    return rows, merges


def _last_row_end(text: bytes) -> int:
    """Where the last </row> (or </x:row>) ends, or -1: a chunk is read whole rows at a time."""
    at = text.rfind(b"row>")
    while at >= 0:
        start = text.rfind(b"<", 0, at)
        if start >= 0 and text[start + 1 : start + 2] == b"/" and re.fullmatch(rb"</(?:\w+:)?", text[start:at]):
            return at + 4
        at = text.rfind(b"row>", 0, at)
    return -1


def _with_end(chunks: Iterator[bytes]) -> Iterator[bytes | None]:
    yield from chunks
    yield None


# The cells most writers write (Excel, LibreOffice, openpyxl): a reference, a style, a type
# and a value or an inline string, nothing else. A stretch of rows made only of these is
# read in one pass (~1 µs a cell); any other cell (a formula, rich text, a prefix, no
# reference, an ISO date) sends the stretch to the general reading below.
_PLAIN_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?'
    rb'(?:/>|>(?:(<v>)([^<]*)</v>|(<is>)<t( xml:space="preserve")?>([^<]*)</t></is>)?</c>)'
)
_COLUMNS: dict[bytes, int] = {}


def _plain_rows(text: bytes, book: Book, rows: list) -> int | None:
    """The rows of ``text`` when every cell in it is a plain one, read as ``cell_value``
    reads them; the last row number (0 when there was no cell), or None (nothing added)
    when some cell is not plain. The loop is kept tight: a 200,000-row log is 1.8 million
    cells (dates repeat: each serial number is converted once)."""
    if b":c " in text or b":c>" in text:  # prefixed tags (<x:c>)
        return None
    cells = _PLAIN_CELL.findall(text)  # a group that took no part is b"": <v> and <is> are captured to tell
    if len(cells) != text.count(b"<c ") + text.count(b"<c>") + text.count(b"<c/"):
        return None
    formats, is_1904, strings = book.formats, book.is_1904, book.strings
    columns, dates = _COLUMNS, {}
    found: list[tuple[int, list]] = []
    number, line = 0, []
    for letters, digits, style, kind, has_v, v, has_is, preserve, t in cells:
        if has_is:  # an inline string, whatever the type says
            value: object = t.decode("utf-8") if b"&" not in t and b"\r" not in t and b"<" not in t else _text(t)
            if not preserve:
                value = value.strip(" \t\r\n")
            if "_x00" in value:
                value = _excel_unescape(value)
        elif not has_v or kind == b"inlineStr":  # no value; an inline string's <v> repeats it
            continue
        elif not kind or kind == b"n":
            if not v:
                continue
            if not (v.isdigit() or _FLOAT.fullmatch(v)):
                return None  # text in a number cell: the general reading says what it is
            value = float(v)
            if style:
                index = int(style)
                fmt = formats[index] if index < len(formats) else OTHER
                if fmt != OTHER:
                    key = (v, fmt)
                    value = dates[key] if key in dates else dates.setdefault(key, excel_date(value, fmt, is_1904))
        elif kind == b"s":
            if not v:
                continue
            value = strings.get(int(v) if v.isdigit() else 0)
        elif kind == b"str":
            value = _text(v)
        elif kind == b"b":
            if not v:
                continue
            value = v != b"0"
        elif kind == b"e":
            value = ""  # an error value: blank, as calamine gives it
        else:
            return None
        row = int(digits)
        if row != number:
            number, line = row, []
            found.append((row, line))
        column = columns.get(letters)
        if column is None:
            column = columns.setdefault(letters, column_index(letters))
        if column == len(line):
            line.append(value)
        elif column > len(line):
            line.extend([""] * (column - len(line)))
            line.append(value)
        else:  # a column again, or out of order: the later cell wins, as in calamine's grid
            line[column] = value
    for row, values in found:
        _put_row(rows, row, values)
    return number


def _rows_of(text: bytes, book: Book, rows: list, row_index: int) -> int:
    last = _plain_rows(text, book, rows) if b'<c r="' in text else None
    if last:
        return last  # 0-based: the row after the last one read, as calamine counts rows without r=
    position = 0
    while True:
        start = _ROW.search(text, position)
        if start is None:
            return row_index
        number = _ATTR_R.search(start[1])
        if number and number[2]:
            row_index = int(number[2]) - 1
        if start[2] == b"/":  # <row r="5"/>: nothing in it
            position = start.end()
            row_index += 1
            continue
        end = _ROW_END.search(text, start.end())
        stop = end.start() if end else len(text)
        cells: dict[int, object] = {}
        col_index = 0
        for cell in _CELL.finditer(text, start.end(), stop):
            attrs = cell[1]
            ref = _ATTR_R.search(attrs)
            row_of_cell = row_index
            if ref and ref[1]:
                col_index = column_index(ref[1])
                if ref[2]:
                    row_of_cell = int(ref[2]) - 1
            value = cell_value(attrs, cell[2], book)
            if value is not None:
                if row_of_cell != row_index:  # a cell naming another row: rare, kept where it says
                    _put(rows, row_of_cell + 1, col_index, value)
                else:
                    cells[col_index] = value
            col_index += 1
        if cells:
            line = [""] * (max(cells) + 1)
            for c, v in cells.items():
                line[c] = v
            _put_row(rows, row_index + 1, line)
        row_index += 1
        position = end.end() if end else len(text)


def _put_row(rows: list, number: int, line: list) -> None:
    if rows and rows[-1][0] == number:  # the same row again: merged, later cells win
        old = rows[-1][1]
        merged = old + [""] * (len(line) - len(old)) if len(line) > len(old) else list(old)
        for c, v in enumerate(line):
            if v != "":
                merged[c] = v
        rows[-1] = (number, merged)
    elif rows and rows[-1][0] > number:  # out of order: put in its place
        _put(rows, number, None, line)
    else:
        rows.append((number, line))


def _put(rows: list, number: int, col: int | None, value) -> None:
    line = value if col is None else [""] * col + [value]
    for i, (n, old) in enumerate(rows):
        if n == number:
            merged = old + [""] * (len(line) - len(old)) if len(line) > len(old) else list(old)
            for c, v in enumerate(line):
                if v != "":
                    merged[c] = v
            rows[i] = (n, merged)
            return
        if n > number:
            rows.insert(i, (number, list(line)))
            return
    rows.append((number, list(line)))
