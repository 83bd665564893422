"""Getting raw sheets out of files: an Excel workbook (.xlsx/.xlsm, one sheet per
table) or a folder of CSVs (one ``<sheet>.csv`` per table).

This layer only finds and decodes; it knows nothing of the columns. A raw sheet
is its header and its rows as cells (``str``, ``float``, ``date``…), each with the
row number a person sees in Excel or in a text editor, and the cells calamine
reads as blank that were not: error values (#N/A, #REF!…) and formulas saved
without their result.

A workbook's zip directory is checked before anything is read (a small file can
unpack to gigabytes). Legacy .xls is refused: its error cells and formulas cannot
be checked as an .xlsx's can, so it is to be saved as .xlsx first.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from teichaku_cli.base.errors import Place, TeichakuError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# A workbook's size once unpacked, checked from its zip directory before reading.
# The 2,000-user / 200,000-row benchmark workbook unpacks to 148 MB at about 15:1
# (its largest sheet 21:1); a sheet at Excel's row limit with our columns is ~600 MB.
MAX_UNPACKED = 1 << 30  # bytes in all
MAX_RATIO = 100  # unpacked : packed, for any part over RATIO_FROM (a zip bomb is ~1000:1)
RATIO_FROM = 1 << 20
MAX_PARTS = 10_000
CSV_ENCODINGS = ("UTF-8（BOM付き）", "UTF-8", "CP932（Shift_JIS の Windows 版）")
EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"})
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SourceError(TeichakuError):
    """The data cannot be opened at all (missing, unsupported, corrupt, locked)."""


@dataclass
class RawSheet:
    file: str  # shown to people: the file name
    sheet: str | None  # sheet name in a workbook, None for a CSV
    header: list[str]
    header_row: int  # row number of the header as Excel shows it
    columns: list  # one array (or list) of cells per header position
    rows: list[int]  # the Excel row number of each data row
    error_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, col index) holding #N/A etc.
    uncalculated: set[tuple[int, int]] = field(default_factory=set)  # formulas saved without their result
    # what the text may hold, from the file's bytes ("control", "hash", "long"); None: not known, check every cell
    text_marks: frozenset[str] | None = None
    outside: list[tuple[int, int]] = field(default_factory=list)  # (Excel row, col index) of values outside the table, not read
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (Excel row, table name) of Excel Tables' totals rows, not read

    def place(self, row: int | None = None, column: str | None = None, index: int | None = None) -> Place:
        from teichaku_cli.base.errors import column_letter

        return Place(self.file, self.sheet, row, column, column_letter(index) if index is not None else None)


def normalize_name(name: object) -> str:
    """Header / sheet names compare after NFKC, without spaces, line breaks or a leading ＊."""
    text = unicodedata.normalize("NFKC", str(name or ""))
    return re.sub(r"\s+", "", text).lstrip("*※").rstrip("*※")


HEADER_ROWS = 30  # filled rows searched for the header (an export's title lines sit above it)


# How many of a table's columns a row names (the caller knows the columns).
Known = Callable[[list[str]], int]
# which header positions hold values to parse (dates, IDs, choices), for a CSV read as Coded
Typed = Callable[[list[str]], set[int]]


class Coded:
    """A CSV column of values to parse, read as codes into its distinct values:
    pandas' C parser then makes a Python string per distinct value only, not per
    cell — a million-row log repeats its dates, IDs and choices (about 0.4 s of
    check on a 1M-row office). ``np.asarray`` gives the cells as an object array,
    for any code that wants them one by one."""

    __slots__ = ("codes", "values")

    def __init__(self, codes, values) -> None:
        self.codes = codes  # numpy integers, one per cell
        self.values = values  # object array of the distinct cells (str)

    def __len__(self) -> int:
        return len(self.codes)

    def __array__(self, dtype=None, copy=None):
        import numpy as np

        cells = self.values.take(self.codes)
        return cells if dtype is None or dtype == object else np.asarray(cells, dtype=dtype)

    def __getitem__(self, rows) -> "Coded":
        return Coded(self.codes[rows], self.values)

    def blank(self):
        """Which cells are empty."""
        import numpy as np

        empty = np.flatnonzero(self.values == "")
        return np.isin(self.codes, empty) if len(empty) else np.zeros(len(self.codes), dtype=bool)


def _no_names(names: list[str]) -> int:
    return 0


def header_at(rows: "Iterable[tuple[int, list[str]]]", known: Known) -> tuple[int, list[str]] | None:
    """(position, names) of the header among (position, names) of filled rows: the
    row among the first filled ones that names the most columns (a title line such
    as 「支援記録一覧」 or a line such as 「対象月,令和7年10月」 above it names
    fewer); when no row names any, the first row with a value."""
    best, best_score, first = None, 0, None
    for position, names in rows:
        first = first or (position, names)
        score = known(names)
        if score > best_score:
            best, best_score = (position, names), score
    return best or first


class Source:
    """Where an office's tables come from; ``sheet(names)`` returns a RawSheet or None."""

    display: str
    available: list[str]
    inputs: list[Path]  # the files this source reads (never to be written over)

    def sheet(self, names: list[str], known: Known = _no_names, typed: Typed | None = None) -> RawSheet | None:  # pragma: no cover - interface
        raise NotImplementedError

    def prefetch(self, wanted: list[list[str]], readers: "list[tuple[Known, Typed | None]] | None" = None) -> None:
        """Start reading these sheets (each a list of accepted names, with how its
        header is found and which columns are typed, as ``sheet`` will be asked) in
        the background, where the format allows it. Optional."""

    def ready_order(self, wanted: list[list[str]]) -> Iterable[int]:
        """The positions of ``wanted`` in the order their sheets are ready to be asked
        for (reading in the background finishes in its own order): by default, as given."""
        return range(len(wanted))

    def close(self) -> None:
        """Stop background reading that is no longer needed."""

    def first_rows(self, name: str) -> list[list[str]]:
        """The first rows with a value (up to HEADER_ROWS) of a sheet not read, as text:
        a header to compare with the tables' (a copy of a table under another name)."""
        return []


def open_source(path: Path) -> Source:
    if not path.exists():
        raise SourceError(
            f"{path} が見つかりません。",
            "ファイル名とフォルダを確かめてください（Excelブック .xlsx、または CSV を入れたフォルダ）",
        )
    if path.is_dir():
        return CsvFolder(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise SourceError(
            f"{path.name}: 古い形式の Excel ブック（Excel 97-2003、.xls）は読みません。この形式ではエラー値や数式の結果を確かめられないためです。",
            "Excel で開き、［ファイル］→［名前を付けて保存］で「Excel ブック (*.xlsx)」を選んで保存し、その .xlsx を指定してください",
        )
    if suffix == ".csv":
        raise SourceError(
            f"{path.name}: CSV は1つの表しか持てないため、単独では読めません。",
            f"CSV はフォルダにまとめ、表ごとに「利用者.csv」「支援記録.csv」のように名前を付けて、そのフォルダを指定してください",
        )
    if path.name.startswith("~$"):
        raise SourceError(
            f"{path.name} は、Excel がブックを開いている間に置く一時ファイルです（中身は表ではありません）。",
            f"元のブック（「~$」を除いた名前のファイル）を指定してください。Excel で編集中なら、保存して閉じてから実行してください",
        )
    if suffix not in WORKBOOK_SUFFIXES:
        raise SourceError(
            f"{path.name}: 「{path.suffix or '拡張子なし'}」のファイルは読めません。",
            "Excelブック（.xlsx / .xlsm）か、CSV を入れたフォルダを指定してください",
        )
    return Workbook(path)


class Workbook(Source):
    def __init__(self, path: Path) -> None:
        import python_calamine

        self.path = path
        self.display = path.name
        self.inputs = [path]
        try:
            with open(path, "rb") as fh:
                head = fh.read(4096)
        except OSError as exc:
            raise SourceError(
                f"{path.name}: 開けません（{type(exc).__name__}）。",
                "ほかのプログラムがファイルを使っていないか、読む権限があるかを確かめてください",
            ) from None
        if not head:
            raise SourceError(f"{path.name}: ファイルが空です（0バイト）。", "保存し直したブックを指定してください")
        if head.startswith(_CFB_MAGIC):
            raise SourceError(
                f"{path.name}: パスワードで保護（暗号化）されたブックは読めません。",
                "Excelで開いて［ファイル］→［情報］→［ブックの保護］でパスワードを外し、別名で保存してください",
            )
        check_unpacked_size(path)
        try:
            self.book = python_calamine.CalamineWorkbook.from_path(str(path))
        except python_calamine.PasswordError:
            raise SourceError(
                f"{path.name}: パスワードで保護されたブックは読めません。",
                "Excelでパスワードを外して保存し直してください",
            ) from None
        except Exception as exc:  # calamine raises several types for broken files
            raise SourceError(
                f"{path.name}: Excelブックとして開けません（壊れているか、別の形式です: {type(exc).__name__}）。",
                "Excelで開けるか確かめ、「Excel ブック (*.xlsx)」で保存し直してください",
            ) from None
        self.available = list(self.book.sheet_names)
        self._by_norm = {normalize_name(n): n for n in self.available}
        self._flagged: set[str] | None = None
        self._text_marks: frozenset[str] = frozenset()
        self._pool = None
        self._pending: dict[str, object] = {}  # sheet name → Future of its cells

    def _actual(self, names: list[str]) -> str | None:
        return next((self._by_norm[n] for n in map(normalize_name, names) if n in self._by_norm), None)

    def prefetch(self, wanted: list[list[str]], readers: "list[tuple[Known, Typed | None]] | None" = None) -> None:
        """Parse the sheets on both cores while the caller goes on (imports pandas,
        converts the sheets already read): calamine parses without holding the GIL.
        Each thread opens the workbook itself (a calamine workbook is not shared
        between threads); the largest sheets go first."""
        from concurrent.futures import ThreadPoolExecutor

        sheets = [s for s in dict.fromkeys(self._actual(names) for names in wanted) if s is not None]
        if len(sheets) < 2:
            return
        sizes = self._sheet_sizes()
        sheets.sort(key=lambda s: -sizes.get(s, 0))
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="teichaku-read")
        self._pending[sheets[0]] = self._pool.submit(_read_cells, self.path, sheets[0])
        self._pending[""] = self._pool.submit(self._scan_sheets)  # needed with the first sheet converted: early in line
        for name in sheets[1:]:
            self._pending[name] = self._pool.submit(_read_cells, self.path, name)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _sheet_sizes(self) -> dict[str, int]:
        try:
            with zipfile.ZipFile(self.path) as zf:
                return {name: zf.getinfo(member).file_size for name, member in _sheet_members(zf).items()}
        except (zipfile.BadZipFile, KeyError, OSError):
            return {}

    def sheet(self, names: list[str], known: Known = _no_names, typed: Typed | None = None) -> RawSheet | None:
        actual = self._actual(names)
        if actual is None:
            return None
        pending = self._pending.pop(actual, None)
        if pending is not None and not pending.cancel():  # started (or done) in the background
            grid, numbers, merges, failure = pending.result()
        else:  # not started yet: read it here rather than wait in line
            grid, numbers, merges, failure = _read_cells(self.path, actual, self.book)
        if failure is not None:
            raise SourceError(
                f"{self.display} シート「{actual}」: 読めません（{failure}）。",
                "Excelで開いて保存し直してください",
            )
        raw = _raw_from_grid(grid, self.display, actual, known=known, numbers=numbers)
        raw.merges = merges  # type: ignore[attr-defined]
        if self._sheet_flagged(actual) and raw.header:
            raw.error_cells, raw.uncalculated = self._hidden_cells(actual)
        raw.text_marks = self._text_marks
        totals = _totals_rows(self.path, actual)
        if totals and raw.header:
            _drop_rows(raw, totals)
        return raw

    def first_rows(self, name: str) -> list[list[str]]:
        from teichaku_cli.office import sheet_xml

        try:
            with zipfile.ZipFile(self.path) as zf:
                member = _sheet_members(zf).get(name)
                if member is None:
                    return []
                book = sheet_xml.open_book(zf)
                with zf.open(member) as fh:  # only the start of the sheet: rows are read until there are enough
                    rows, _ = sheet_xml.read_rows(iter(lambda: fh.read(1 << 16), b""), book, stop_after=HEADER_ROWS)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return []
        return [_texts(cells) for _, cells in rows]

    def _sheet_flagged(self, name: str) -> bool:
        """Cheap scan: does the sheet's XML hold an error cell (t="e") or a formula?

        calamine reads an error value (#N/A, #REF!…) and a formula saved without its
        result as empty cells; staff must hear which they were.
        """
        if self._flagged is None:
            scan = self._pending.pop("", None)
            self._flagged, self._text_marks = scan.result() if scan is not None else self._scan_sheets()
        return name in self._flagged

    def _scan_sheets(self) -> tuple[set[str], frozenset[str]]:
        """The sheets holding an error cell or a formula, and what the text of the
        whole workbook may hold (``_text_marks``): the checks of each text cell
        (control characters, length, error values typed as text) then run only
        where the XML says there may be something to find. ~0.2 s for 150 MB of
        sheets, in the background while calamine parses."""
        found: set[str] = set()
        marks: set[str] = set()
        unknown = frozenset({"control", "hash", "long"})  # could not scan: check every cell
        try:
            with zipfile.ZipFile(self.path) as zf:
                members = list(_sheet_members(zf).items())
                if "xl/sharedStrings.xml" in zf.namelist():
                    members.append(("", "xl/sharedStrings.xml"))
                for sheet_name, member in members:
                    with zf.open(member) as fh:
                        tail, prefixed, run = b"", None, 0
                        for chunk in iter(lambda: fh.read(1 << 22), b""):
                            if prefixed is None:  # <x:worksheet>, <x:c>, <x:f>: a writer that prefixes every tag
                                prefixed = b"<worksheet" not in chunk and sheet_name != ""
                            joint = tail + chunk[:8]  # a match may span two chunks
                            if sheet_name and sheet_name not in found and (_marks(joint, prefixed) or _marks(chunk, prefixed)):
                                found.add(sheet_name)
                            marks |= _text_marks(joint) | _text_marks(chunk)
                            first = chunk.find(b"<")
                            if run + (len(chunk) if first < 0 else first) > 1 << 15:  # a text run across chunks
                                marks.add("long")
                            run = run + len(chunk) if first < 0 else len(chunk) - 1 - chunk.rfind(b"<")
                            tail = chunk[-8:]
        except (zipfile.BadZipFile, KeyError, OSError):
            return set(), unknown
        return found, frozenset(marks)

    def _hidden_cells(self, name: str) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
        """(error cells, formulas without a saved result) of one sheet, as (Excel row, column index)."""
        try:
            with zipfile.ZipFile(self.path) as zf:
                member = _sheet_members(zf).get(name)
                if member is None:
                    return set(), set()
                with zf.open(member) as fh:
                    return hidden_cells(iter(lambda: fh.read(1 << 22), b""))
        except (zipfile.BadZipFile, KeyError, OSError):
            return set(), set()


def _marks(chunk: bytes, prefixed: bool) -> bool:
    """An error cell or a formula somewhere in this part of a sheet (every formula
    element ends with </f>, a shared one's first cell included). The two searches
    cost ~0.2 s on a 150 MB sheet, in the background."""
    return b't="e"' in chunk or b"</f>" in chunk or (prefixed and b":f>" in chunk)


_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _text_marks(chunk: bytes) -> set[str]:
    """What text in this part of a workbook's XML may hold. Control characters are
    written as Excel's escapes (_x000B_) or, for C1, as raw UTF-8; an error value
    typed as text starts with #; a cell longer than Excel holds needs 32,768 bytes
    without a tag, so a whole 16 KB window without '<' (a run across two chunks is
    the caller's to see). Single-byte searches first: ~15 ms for 150 MB."""
    found = set()
    if (b"_" in chunk and (b"_x00" in chunk or b"_x007F_" in chunk)) or (b"\xc2" in chunk and _C1_UTF8.search(chunk)):
        found.add("control")
    if b"#" in chunk:
        found.add("hash")
    if _maybe_private_utf8(chunk):
        found.add("private")
    for start in range(0, len(chunk) - (1 << 14) + 1, 1 << 14):
        if chunk.find(b"<", start, start + (1 << 14)) < 0:
            found.add("long")
            break
    return found


_PRIVATE_AFTER_EF = re.compile(rb"\xef[\x80-\xa3]")


def _maybe_private_utf8(data: bytes) -> bool:
    """Could UTF-8 bytes hold a private-use character (U+E000–U+F8FF: EE, EF 80–A3;
    planes 15 and 16: F3 B0…, F4)? Plain byte searches first; EF also leads the
    full-width forms (（）０-９Ａ-Ｚ, half-width kana) and CJK compatibility characters
    (﨑), so the byte after each EF is looked at (~20 ms for 150 MB without any)."""
    if b"\xee" in data or b"\xf3" in data or b"\xf4" in data:
        return True
    count = data.count(b"\xef")
    if count == 0:
        return False
    if count > 4096:  # many full-width characters: one search in C
        return _PRIVATE_AFTER_EF.search(data) is not None
    at = data.find(b"\xef")
    while at >= 0:
        following = data[at + 1] if at + 1 < len(data) else 0
        if 0x80 <= following <= 0xA3:
            return True
        at = data.find(b"\xef", at + 1)
    return False


_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)


def csv_text_marks(data: bytes, encoding: str) -> frozenset[str]:
    """What a CSV's text may hold (as ``_text_marks`` for a workbook), from its bytes:
    a control byte (below 0x20, or 0x7F) never occurs inside a UTF-8 or CP932
    multi-byte character, so one in the file is one in the text; C1 characters
    come only from UTF-8 (strict CP932 refuses those bytes, and in CP932 0xC2 0x80…
    is a trail byte and the next lead byte, not C1). A # means a typed error value
    may be there. A field over 32,767 characters needs a 16 KB window without a line
    break, or quotes (which may hold line breaks). ~10 ms for 17 MB."""
    found = set()
    utf8 = encoding.startswith("utf")
    if data.translate(None, _NOT_CONTROL_BYTES) or (utf8 and b"\xc2" in data and _C1_UTF8.search(data)):
        found.add("control")
    if b"#" in data:
        found.add("hash")
    # CP932's user-defined area (外字) has lead bytes F0–F9, which are also trail bytes of
    # ordinary characters (ん is 82 F1): any of them means the text is checked
    if _maybe_private_utf8(data) if utf8 else any(bytes([b]) in data for b in range(0xF0, 0xFA)):
        found.add("private")
    if b'"' in data or any(data.find(b"\n", start, start + (1 << 14)) < 0 for start in range(0, len(data) - (1 << 14) + 1, 1 << 14)):
        found.add("long")
    return frozenset(found)


def _flags_cells(chunk: bytes) -> bool:
    return b't="e"' in chunk or b"<f>" in chunk or b"<f " in chunk or b":f>" in chunk or b":f " in chunk


_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_ROW_START = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v\s*>(.*?)</(?:\w+:)?v>|<(?:\w+:)?v\s*/>", re.S)


def hidden_cells(chunks: Iterable[bytes]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Scan a sheet's XML (in chunks, whole rows at a time) for error cells and for
    formulas saved without their result (no ``<v>``, or an empty one that is not a
    text result: what scripts and exports write and Excel fills in only when it
    recalculates).

    Only the marks are looked at (each ``t="e"``, each formula's end and what
    follows it), then the cell around each: a sheet with a formula in every one of
    200,000 rows costs about a second. A writer that prefixes its tags (<x:c>) or
    leaves out cell references takes the slower row-by-row reading."""
    import itertools

    chunks = iter(chunks)
    first = next(chunks, b"")
    if b"<worksheet" not in first:
        return _hidden_cells_by_row(itertools.chain([first], chunks))
    errors: set[tuple[int, int]] = set()
    uncalculated: set[tuple[int, int]] = set()
    carry = b""
    for chunk in itertools.chain([first], chunks, [None]):
        if chunk is None:
            text, carry = carry, b""
        else:
            text = carry + chunk
            cut = text.rfind(b"</row>")
            if cut < 0:
                carry = text
                continue
            text, carry = text[: cut + 6], text[cut + 6 :]
        try:
            _marked_cells(text, errors, uncalculated)
        except _NoReference:
            return _hidden_cells_by_row(itertools.chain([first], chunks))  # rare: start again, row by row
    return errors, uncalculated


class _NoReference(Exception):
    pass


def _marked_cells(text: bytes, errors: set, uncalculated: set) -> None:
    def cell(at: int) -> tuple[tuple[int, int], bytes]:
        start = text.rfind(b"<c ", 0, at)
        attrs = text[start : text.find(b">", start)]
        ref = _ATTR_R.search(attrs)
        if start < 0 or ref is None:
            raise _NoReference
        kind = _ATTR_T.search(attrs)
        return (int(ref[2]), _column_index(ref[1])), (kind[1] if kind else b"n")

    def no_value_after(end: int, kind: bytes) -> bool:
        rest = text[end : end + 64].lstrip()
        if rest.startswith(b"</c>"):
            return True  # no <v> at all
        empty = rest.startswith((b"<v/>", b"<v />")) or _EMPTY_V.match(rest) is not None
        return empty and kind != b"str"  # an empty text result is a result

    at = text.find(b't="e"')
    while at >= 0:
        errors.add(cell(at)[0])
        at = text.find(b't="e"', at + 5)
    at = text.find(b"</f>")
    while at >= 0:
        place, kind = cell(at)
        if kind != b"e" and no_value_after(at + 4, kind):
            uncalculated.add(place)
        at = text.find(b"</f>", at + 4)
    at = text.find(b"<f ")
    while at >= 0:  # a shared formula's other cells: <f t="shared" si="0"/>
        close = text.find(b">", at)
        if text[close - 1 : close] == b"/":
            place, kind = cell(at)
            if kind != b"e" and no_value_after(close + 1, kind):
                uncalculated.add(place)
        at = text.find(b"<f ", at + 3)


_EMPTY_V = re.compile(rb"<v>\s*</v>")


def _hidden_cells_by_row(chunks: Iterable[bytes]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    import itertools

    errors: set[tuple[int, int]] = set()
    uncalculated: set[tuple[int, int]] = set()
    carry = b""
    for chunk in itertools.chain(chunks, [None]):
        if chunk is None:
            text, carry = carry, b""
        else:
            text = carry + chunk
            ends = list(_ROW_END.finditer(text))
            if not ends:
                carry = text
                continue
            cut = ends[-1].end()
            text, carry = text[:cut], text[cut:]
        for row_xml in _ROW_END.split(text):
            if not _flags_cells(row_xml):
                continue
            row_start = _ROW_START.search(row_xml)
            row_number = int(row_start[1]) if row_start else None
            for index, cell in enumerate(_CELL.finditer(row_xml)):
                attrs, body = cell[1], cell[2]
                kind = _ATTR_T.search(attrs)
                kind = kind[1] if kind else b"n"
                if kind != b"e" and (body is None or not _FORMULA.search(body)):
                    continue
                body = body or b""
                at = _ATTR_R.search(attrs)
                if at:
                    place = (int(at[2]), _column_index(at[1]))
                elif row_number is not None:
                    place = (row_number, index)
                else:
                    continue
                if kind == b"e":
                    errors.add(place)
                    continue
                value = _VALUE.search(body)
                if value is None or (not (value[1] or b"").strip() and kind != b"str"):
                    uncalculated.add(place)
    return errors, uncalculated


def _column_index(letters: bytes) -> int:
    """b"A" → 0, b"AB" → 27."""
    index = 0
    for byte in letters:
        index = index * 26 + byte - 64
    return index - 1


def check_unpacked_size(path: Path) -> None:
    """Refuse a workbook that would unpack to more than we can hold (a zip bomb),
    from the zip directory alone, before any part is decompressed."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: calamine reports the file as broken
    fix = "壊れたファイルか、意図しないデータが入っている可能性があります。Excel で開いて不要なシートや範囲を消し、保存し直してください"
    if len(parts) > MAX_PARTS:
        raise SourceError(f"{path.name}: 中の部品が多すぎるため（{len(parts):,}個）読みません。", fix)
    total = sum(p.file_size for p in parts)
    if total > MAX_UNPACKED:
        raise SourceError(
            f"{path.name}: 展開すると約 {total / 1e9:,.1f} GB になり、扱える大きさ（{MAX_UNPACKED / 1e9:.1f} GB）を超えるため読みません。", fix
        )
    for p in parts:
        if p.file_size > RATIO_FROM and p.file_size > MAX_RATIO * max(p.compress_size, 1):
            raise SourceError(
                f"{path.name}: 圧縮率が異常に高い部分があり（{p.file_size // max(p.compress_size, 1):,}倍）、展開すると大きくなりすぎるおそれがあるため読みません。",
                fix,
            )


# A sheet is read by calamine, which builds its whole grid from A1 to the farthest cell,
# unless that grid (as the sheet's <dimension> says) would hold far more cells than its
# XML can: every cell takes 8 bytes of XML or more, so a grid beyond the part's size / 8
# (and a million cells) is mostly empty — a stray value far below or to the right. Such a
# sheet is read row by row (sheet_xml), costing the rows it has, not the rows it spans.
BYTES_PER_CELL = 8
GRID_SLACK = 1_000_000
# A sheet without <dimension> (only scripts write them: openpyxl's write-only mode; Excel
# and LibreOffice always write it) has its extent found by scanning it when it is this
# small (~10 ms a MB); a larger one is read by calamine, as before.
SCAN_WITHOUT_DIMENSION = 4 << 20


def _read_cells(path: Path, name: str, book=None) -> tuple[list, list[int] | None, list, str | None]:
    """One sheet's cells, their Excel row numbers (None: the grid's rows from row 1 on)
    and merged ranges, or the name of what went wrong."""
    import python_calamine

    try:
        streamed = _read_if_sparse(path, name)
        if streamed is not None:
            return streamed
        book = book or python_calamine.CalamineWorkbook.from_path(str(path))
        cells = book.get_sheet_by_name(name)
        return cells.to_python(skip_empty_area=False), None, list(cells.merged_cell_ranges or []), None
    except Exception as exc:  # calamine raises several types for broken sheets
        return [], None, [], type(exc).__name__


def _read_if_sparse(path: Path, name: str) -> tuple[list, list[int], list, None] | None:
    """A sheet whose grid would be mostly empty, read without building that grid; None
    for any other sheet (calamine reads it whole).

    A stray value far below the rows (the usual case: Z1048576) splits the sheet: the rows
    above the gap are read by calamine from a copy of the workbook holding only them, the
    rows after it one by one (sheet_xml) — the stray costs the rows it adds. Any other
    sparse sheet (a value far to the right, rows without numbers) is read one row at a time."""
    from teichaku_cli.office import sheet_xml

    with zipfile.ZipFile(path) as zf:
        member = _sheet_members(zf).get(name)
        if member is None:
            return None
        extent = _sparse_extent(zf, member)
        if extent is None:
            return None
        book = sheet_xml.open_book(zf)
        split = _rows_above_a_gap(zf, member, extent[1])
        if split is None:
            with zf.open(member) as fh:
                rows, merges = sheet_xml.read_rows(iter(lambda: fh.read(1 << 22), b""), book)
            return [cells for _, cells in rows], [number for number, _ in rows], merges, None
        copy, tail = split
        rows, merges = sheet_xml.read_rows(iter(tail), book)
    import python_calamine

    sheet = python_calamine.CalamineWorkbook.from_filelike(copy).get_sheet_by_name(name)
    grid = sheet.to_python(skip_empty_area=False)
    del copy, sheet
    return grid + [cells for _, cells in rows], [*range(1, len(grid) + 1), *(number for number, _ in rows)], merges, None


def _sparse(zf: zipfile.ZipFile, member: str) -> bool:
    """Would the sheet's grid (A1 to its farthest cell) be far larger than its cells?"""
    return _sparse_extent(zf, member) is not None


def _sparse_extent(zf: zipfile.ZipFile, member: str) -> tuple[int, int] | None:
    """The sheet's extent (last row, last column) when its grid would be far larger than its
    cells; None when it would not (or cannot be told: a large sheet without <dimension>)."""
    from teichaku_cli.office import sheet_xml

    size = zf.getinfo(member).file_size
    with zf.open(member) as fh:
        head = fh.read(1 << 14)
    extent = sheet_xml.dimension(head)
    if extent is None:
        if size > SCAN_WITHOUT_DIMENSION:
            return None
        extent = _scanned_extent(zf.read(member))
    rows, columns = extent
    return extent if rows * columns > size // BYTES_PER_CELL + GRID_SLACK else None


# Rows after a gap of this many empty rows (and more than the rows above it) are "far below".
FAR_BELOW = 10_000


def _rows_above_a_gap(zf: zipfile.ZipFile, member: str, columns: int):
    """(a copy of the workbook whose sheet holds only the rows above the first far gap, the
    sheet's XML from the first far row on, in chunks); None when the sheet has no such gap,
    or its rows above the gap would still span more than their cells (a value far to the
    right too). The copy holds the parts calamine reads (the workbook, its relationships,
    styles, shared strings, this sheet), stored without compression: ~0.1 s a 100 MB sheet."""
    import io

    size = zf.getinfo(member).file_size
    out = io.BytesIO()
    count = 0
    tail: list[bytes] | None = None
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in zf.infolist():
            part = info.filename
            if part == member or (part.startswith("xl/worksheets/") and not part.endswith(".rels")):
                continue  # other sheets are never read from the copy
            if part.startswith(("xl/media/", "xl/drawings/", "xl/embeddings/", "xl/printerSettings/")):
                continue
            copy.writestr(part, zf.read(part))
        with zf.open(member) as fh, copy.open(member, "w") as sheet:
            carry = b""
            numbered = None  # <row r="…"> (or <x:row r="…">): a literal to search for, fast
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                if tail is not None:
                    tail.append(chunk)
                    continue
                text = carry + chunk
                cut = text.rfind(b"<")  # what follows may be half a tag: looked at with the next chunk
                text, carry = text[:cut], text[cut:]
                if numbered is None:
                    data = re.search(rb"<(\w+:)?sheetData\b", text)
                    if data is None:
                        sheet.write(text)
                        continue
                    prefix = data[1] or b""
                    numbered = re.compile(b"<" + re.escape(prefix) + rb'row r="(\d+)"')
                numbers = numbered.findall(text)
                far = next((i for i, n in enumerate(map(int, numbers), start=count + 1) if n > max(2 * i, i + FAR_BELOW)), None)
                if far is None:
                    count += len(numbers)
                    sheet.write(text)
                    continue
                if max(2 * far, far + FAR_BELOW) * columns > size // BYTES_PER_CELL + GRID_SLACK:
                    return None  # still far more grid than cells above the gap: far to the right too
                m = next(m for i, m in enumerate(numbered.finditer(text), start=count + 1) if i == far)
                sheet.write(text[: m.start()])
                sheet.write(b"</" + prefix + b"sheetData></" + prefix + b"worksheet>")
                tail = [text[m.start() :], carry]
            if tail is None:
                return None  # no gap: the grid is wide, not long
    out.seek(0)
    return out, tail


_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL_COLUMN = re.compile(rb' r="([A-Z]+)\d')


def _scanned_extent(xml: bytes) -> tuple[int, int]:
    """(last row, last column) from a sheet's cells, for one without <dimension>."""
    from teichaku_cli.office.sheet_xml import column_index

    last = max(xml.rfind(b"<row "), xml.rfind(b":row "))  # rows come in order: the last one's number
    found = _ROW_NUMBER.search(xml, last, xml.find(b">", last)) if last >= 0 else None
    rows = int(found[1]) if found else xml.count(b"<row") + xml.count(b":row ")
    columns = max((column_index(c) + 1 for c in set(_CELL_COLUMN.findall(xml))), default=1)
    return rows, columns


_TABLE_TAG = re.compile(rb"<(?:\w+:)?table\b[^>]*>")


def _totals_rows(path: Path, sheet: str) -> dict[int, str]:
    """Excel row → table name, for the totals rows of the Excel Tables (テーブル) on a
    sheet: the table part says how many its range ends with (totalsRowCount). Such a
    row holds 集計 and SUBTOTAL formulas, not a record."""
    import posixpath

    found: dict[int, str] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            member = _sheet_members(zf).get(sheet)
            if member is None:
                return found
            folder = posixpath.dirname(member)
            rels = posixpath.join(folder, "_rels", posixpath.basename(member) + ".rels")
            if rels not in zf.namelist():
                return found
            for rel in re.finditer(r"<Relationship\b[^>]*>", zf.read(rels).decode("utf-8")):
                target = re.search(r'Target="([^"]+)"', rel[0])
                if target is None or not re.search(r'Type="[^"]*/table"', rel[0]):
                    continue
                part = target[1].lstrip("/") if target[1].startswith("/") else posixpath.normpath(posixpath.join(folder, target[1]))
                tag = _TABLE_TAG.search(zf.read(part))
                if tag is None:
                    continue
                ref = re.search(rb'\bref="[A-Z]+\d+:[A-Z]+(\d+)"', tag[0])
                count = re.search(rb'\btotalsRowCount="(\d+)"', tag[0])
                name = re.search(rb'\bdisplayName="([^"]*)"', tag[0]) or re.search(rb'\bname="([^"]*)"', tag[0])
                if ref is None or count is None:
                    continue
                last = int(ref[1])
                for row in range(last - int(count[1]) + 1, last + 1):
                    found[row] = _xml_unescape(name[1].decode("utf-8")) if name else ""
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return {}
    return found


def _drop_rows(raw: RawSheet, rows: dict[int, str]) -> None:
    """Leave out these Excel rows (a table's totals row), and say which were left out."""
    import numpy as np

    keep = np.array([r not in rows for r in raw.rows], dtype=bool)
    raw.skipped = [(r, rows[r]) for r in raw.rows if r in rows]
    if keep.all():
        return
    raw.columns = [np.asarray(c)[keep] for c in raw.columns]
    raw.rows = [r for r, k in zip(raw.rows, keep) if k]
    raw.error_cells = {c for c in raw.error_cells if c[0] not in rows}
    raw.uncalculated = {c for c in raw.uncalculated if c[0] not in rows}


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part, from workbook.xml and its relationships."""
    book = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel[0])
        target = re.search(r'Target="([^"]+)"', rel[0])
        if rid and target:
            t = target[1].lstrip("/")
            targets[rid[1]] = t if t.startswith("xl/") else f"xl/{t}"
    members = {}
    for sheet in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", book):
        name = re.search(r'name="([^"]+)"', sheet[0])
        rid = re.search(r'r:id="([^"]+)"', sheet[0]) or re.search(r'\bid="([^"]+)"', sheet[0])
        if name and rid and rid[1] in targets:
            members[_xml_unescape(name[1])] = targets[rid[1]]
    return members


def _xml_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def _raw_from_grid(
    grid: list[list[object]], file: str, sheet: str | None, first_row: int = 1, known: Known = _no_names, numbers: list[int] | None = None
) -> RawSheet:
    """Header as ``header_at`` finds it; data rows below it; blank rows dropped.
    ``numbers``: each grid row's Excel row number, when the rows were read one by one
    (only those with a value, each as long as its last value); else the grid's rows are
    rows ``first_row`` on, all of one length (calamine's grid).

    Blank rows are found with numpy, so a 200,000-row sheet costs little beside
    reading it. A value outside the table (right of the header's last column, on a row
    with nothing in the table) is not read: where it is goes on ``outside``.
    """
    import numpy as np

    number_of = (lambda i: first_row + i) if numbers is None else numbers.__getitem__
    filled_rows = (i for i, row in enumerate(grid) if any(_filled(c) for c in row))
    candidates = [i for _, i in zip(range(HEADER_ROWS), filled_rows)]
    if not candidates:
        return RawSheet(file, sheet, [], first_row, [], [])
    texts = lambda row: [str(c).strip() if _filled(c) else "" for c in row]  # noqa: E731
    top, _ = header_at(((i, texts(grid[i])) for i in candidates), known)
    header_row = number_of(top)
    header_cells = grid[top]
    width = len(header_cells)
    while width and not _filled(header_cells[width - 1]):
        width -= 1
    header = [str(c).strip() if _filled(c) else "" for c in header_cells[:width]]
    body = grid[top + 1 :]
    if not body or not width:
        return RawSheet(file, sheet, header, header_row, [[] for _ in range(width)], [])
    if numbers is None:
        rows = np.arange(header_row + 1, header_row + 1 + len(body))
    else:
        rows = np.asarray(numbers[top + 1 :], dtype=np.int64)
    outside: list[tuple[int, int]] = []
    if numbers is not None:  # rows of any length (each as long as its last value): only those not as wide as the header are looked at
        odd = [i for i, n in enumerate(map(len, body)) if n != width]
        for i in odd:
            row = body[i]
            if len(row) > width:
                if not any(_filled(c) for c in row[:width]):
                    beyond = next((j for j in range(width, len(row)) if _filled(row[j])), None)
                    if beyond is not None:
                        outside.append((int(rows[i]), beyond))
                body[i] = row[:width]
            else:
                body[i] = list(row) + [""] * (width - len(row))
    longest = max(map(len, body))
    if longest < width or any(len(r) != longest for r in body):  # calamine gives rectangular grids; be safe
        longest = max(longest, width)
        body = [list(r) + [""] * (longest - len(r)) for r in body]
    full = np.empty((len(body), len(body[0])), dtype=object)
    full[:] = body  # one C-level copy (np.array(body) could split strings into characters)
    grid2d = full[:, :width]
    filled = ((grid2d != "") & (grid2d != None)).any(axis=1)  # noqa: E711 — elementwise
    if not filled.all():
        if full.shape[1] > width:  # values right of the table on rows with nothing in it
            beyond = full[~filled, width:]
            marks = (beyond != "") & (beyond != None)  # noqa: E711
            hit = marks.any(axis=1)
            for number, column in zip(rows[~filled][hit].tolist(), marks[hit].argmax(axis=1).tolist()):
                outside.append((number, width + column))
        grid2d = grid2d[filled]
        rows = rows[filled]
    columns = [grid2d[:, j] for j in range(width)]
    raw = RawSheet(file, sheet, header, header_row, columns, rows.tolist())
    raw.outside = sorted(outside)
    return raw


def _texts(cells: list) -> list[str]:
    """A row's cells as header text, without trailing blanks ([] for a blank row)."""
    texts = [str(c).strip() if _filled(c) else "" for c in cells]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def _filled(cell: object) -> bool:
    return not (cell is None or cell == "" or (isinstance(cell, float) and cell != cell))


class CsvFolder(Source):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.display = path.name + "/"
        found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        # ~$名前.csv is the mark Excel leaves while it has that CSV open: not a table
        self.open_in_excel = [p for p in found if p.name.startswith("~$")]
        files = [p for p in found if not p.name.startswith("~$")]
        self.available = [p.stem for p in files]
        self.inputs = files
        self._by_norm = {normalize_name(p.stem): p for p in files}
        self._pool = None
        self._pending: dict = {}  # path → the future reading it
        if not files:
            books = sorted(p.name for p in path.iterdir() if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$"))
            raise SourceError(
                f"{path}: CSV ファイルが1つもありません。",
                f"Excel ブックで記録しているなら、フォルダではなくブックを指定してください（例: \"{path / books[0]}\"）"
                if books else "表ごとに「利用者.csv」「支援記録.csv」などの名前で CSV を置いてください",
            )

    def _path_of(self, names: list[str]) -> Path | None:
        return next((self._by_norm[n] for n in map(normalize_name, names) if n in self._by_norm), None)

    def prefetch(self, wanted: list[list[str]], readers: "list[tuple[Known, Typed | None]] | None" = None) -> None:
        """Read the files in two threads while the caller goes on (converts the tables
        already read): pandas' C parser tokenizes without holding the GIL, so the big
        log and the smaller files share both cores (about 0.4 s less of a 1M-row office's
        check). The largest go first; ``sheet`` then takes each file's result, or its
        error, in the tables' order, as reading one by one would."""
        from concurrent.futures import ThreadPoolExecutor

        jobs: dict[Path, tuple[Known, Typed | None]] = {}
        for i, names in enumerate(wanted):
            path = self._path_of(names)
            if path is not None and path not in jobs:
                jobs[path] = readers[i] if readers else (_no_names, None)
        if len(jobs) < 2:
            return
        order = sorted(jobs, key=lambda p: -p.stat().st_size)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="teichaku-read")
        for path in order:
            known, typed = jobs[path]
            self._pending[path] = self._pool.submit(read_csv_file, path, f"{self.path.name}/{path.name}", known, typed)

    def ready_order(self, wanted: list[list[str]]) -> Iterable[int]:
        """What is not being read in the background first, then each file as its reading
        ends: the caller converts the small tables while the big log is still parsed."""
        from concurrent.futures import as_completed

        futures: dict = {}
        for i, names in enumerate(wanted):
            future = self._pending.get(self._path_of(names))
            if future is None:
                yield i
            else:
                futures.setdefault(future, []).append(i)
        for future in as_completed(futures):
            yield from futures[future]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def sheet(self, names: list[str], known: Known = _no_names, typed: Typed | None = None) -> RawSheet | None:
        path = self._path_of(names)
        if path is None:
            return None
        pending = self._pending.pop(path, None)
        if pending is not None:
            return pending.result()
        return read_csv_file(path, f"{self.path.name}/{path.name}", known, typed)

    def first_rows(self, name: str) -> list[list[str]]:
        import csv

        path = self._by_norm.get(normalize_name(name))
        if path is None:
            return []
        try:
            with open(path, "rb") as fh:
                head = fh.read(HEADER_SCAN)
        except OSError:
            return []
        try:
            encoding = csv_encoding(head, path.name)
        except SourceError:
            return []
        try:  # the start only: a character cut at its end waits for bytes never read
            text = codecs.getincrementaldecoder(encoding)("replace").decode(head, final=False)
        except UnicodeDecodeError:
            return []
        rows = []
        for row in csv.reader(text.splitlines()):
            cells = _texts(row)
            if cells:
                rows.append(cells)
                if len(rows) == HEADER_ROWS:
                    break
        return rows


# Python's cp932 decodes the bytes CP932 leaves unused (0x80, 0xA0, 0xFD–0xFF) to
# U+0080 and private-use characters instead of failing: a file holding them was not CP932.
_NOT_CP932 = "\x80\uf8f0\uf8f1\uf8f2\uf8f3"  # searched one by one: 8× faster than a regex class
_STRICT_CP932 = "teichaku_strict_cp932"


class _StrictCp932Decoder(codecs.IncrementalDecoder):
    """CP932 that fails where Python's cp932 would quietly yield private-use
    characters. pandas decodes through it chunk by chunk, so a large CSV is never
    held twice in memory as text."""

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self._inner = codecs.getincrementaldecoder("cp932")(errors)

    def decode(self, data: bytes, final: bool = False) -> str:
        text = self._inner.decode(data, final)
        if any(c in text for c in _NOT_CP932):
            raise UnicodeDecodeError("cp932", bytes(data), 0, len(data), "a byte CP932 does not use")
        return text

    def reset(self) -> None:
        self._inner.reset()

    def getstate(self) -> tuple[bytes, int]:
        return self._inner.getstate()

    def setstate(self, state: tuple[bytes, int]) -> None:
        self._inner.setstate(state)


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name != _STRICT_CP932:
        return None
    base = codecs.lookup("cp932")

    def decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
        decoder = _StrictCp932Decoder(errors)
        return decoder.decode(data, final=True), len(data)

    return codecs.CodecInfo(
        base.encode, decode, name=_STRICT_CP932,
        incrementalencoder=base.incrementalencoder, incrementaldecoder=_StrictCp932Decoder,
        streamreader=base.streamreader, streamwriter=base.streamwriter,
    )


codecs.register(_find_codec)


def csv_encoding(data: bytes, name: str) -> str:
    """BOM → UTF-8; else UTF-8 if the start reads as UTF-8; else strict CP932.
    Never ``shift_jis`` (it fails on ①, ㈱, 髙, 﨑 that Windows software writes)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    head = data[: 1 << 16]
    # UTF-16 without its mark has a NUL beside every ASCII character; a stray NUL
    # pasted into a cell is read, and reported as a control character in its cell
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head.count(b"\x00") * 16 > len(head):
        raise _undecodable(name)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[: 1 << 16], final=len(data) <= 1 << 16)
    except UnicodeDecodeError:
        return _STRICT_CP932
    return "utf-8"


def _undecodable(name: str) -> SourceError:
    return SourceError(
        f"{name}: 文字コードが読み取れません（試したもの: {'、'.join(CSV_ENCODINGS)}）。",
        "CSV を「CSV UTF-8（コンマ区切り）」か「CSV（コンマ区切り）」で保存し直してください",
    )


def read_csv_file(path: Path, file: str, known: Known = _no_names, typed: Typed | None = None) -> RawSheet:
    data = path.read_bytes()
    encoding = csv_encoding(data, path.name)
    try:
        return csv_sheet(data, file, encoding, known, typed)
    except UnicodeDecodeError:
        if encoding == "utf-8":  # UTF-8 at the start only: try CP932 before giving up
            try:
                return csv_sheet(data, file, _STRICT_CP932, known, typed)
            except UnicodeDecodeError:
                pass
        raise _undecodable(path.name) from None


HEADER_SCAN = 1 << 18  # bytes searched for the header row (title and blank lines above it are skipped)


def csv_header(data: bytes, encoding: str, known: Known = _no_names) -> tuple[int, int, list[str]] | None:
    """Where the header is: (records above it, lines above it, its names). The
    header is chosen as in a sheet (``header_at``), among the filled rows of the first
    ``HEADER_SCAN`` bytes. Records and lines differ when a title cell holds a
    quoted line break: pandas skips records, people count lines. None when no row
    has a value."""
    import csv

    chunk = data[:HEADER_SCAN]
    final = len(chunk) == len(data)
    text = codecs.getincrementaldecoder(encoding)().decode(chunk, final=final)
    if not final:  # whole lines only
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]
    reader = csv.reader(text.splitlines(keepends=True))  # \r\n, \n, or an old Mac's \r alone
    filled: list[tuple[tuple[int, int], list[str]]] = []
    records = lines = 0
    for row in reader:
        if any(cell.strip() for cell in row):
            names = [cell.strip() for cell in row]
            while names and not names[-1]:
                names.pop()
            filled.append(((records, lines), names))
            if len(filled) == HEADER_ROWS:
                break
        records, lines = records + 1, reader.line_num
    found = header_at(filled, known)
    if found is None:
        return None
    (records, lines), names = found
    return records, lines, names


def _cells(series) -> "object":
    """A column without the header line: ``Coded`` for a category, else an object array."""
    import numpy as np
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return Coded(series.cat.codes.to_numpy()[1:], np.asarray(series.cat.categories, dtype=object))
    return series.to_numpy(dtype=object)[1:]


def _wider_lines(data: bytes, encoding: str, skip: int):
    """The CSV read again when lines longer than the header hold only empty fields
    beyond it (Excel and other programs write a whole block's width of commas, 「1,2,,,」):
    those fields are dropped. None when a longer line has a value there: a comma
    inside a value without quotes shifts the line, and which fields are which is not
    ours to guess."""
    import csv

    import pandas as pd

    try:
        text = codecs.decode(data, encoding)
    except UnicodeDecodeError:
        return None
    widths = [len(record) for n, record in enumerate(csv.reader(io.StringIO(text, newline=""))) if n >= skip]
    if not widths:
        return None
    frame = pd.read_csv(
        io.BytesIO(data), encoding=encoding, dtype=object, na_filter=False, header=None, names=range(max(widths)),
        skiprows=skip, skip_blank_lines=False, engine="c", low_memory=False,
    )
    beyond = frame.iloc[:, widths[0]:]
    if (beyond != "").to_numpy().any():
        return None
    return frame.iloc[:, : widths[0]]


def csv_sheet(data: bytes, file: str, encoding: str = "utf-8", known: Known = _no_names, typed: Typed | None = None) -> RawSheet:
    """One CSV's header, cells (plain ``str``) and row numbers as a text editor
    shows them. Raises UnicodeDecodeError when ``data`` is not in ``encoding``.
    The columns ``typed(header)`` names are read as ``Coded`` (their distinct values
    and a code per cell); the others as object arrays of ``str``."""
    import csv

    import numpy as np
    import pandas as pd

    if not data or data.isspace() or (encoding == "utf-8-sig" and data[3:].isspace()):
        return RawSheet(file, None, [], 1, [], [])
    try:
        found = csv_header(data, encoding, known)
        if found is None:
            return RawSheet(file, None, [], 1, [], [])
        skip, lines_above, header = found
        coded = typed(header) if typed is not None else set()
        # UTF-8 goes to the C parser as bytes; other encodings are decoded by pandas
        # in chunks. Object columns and no NA detection keep every cell a plain str
        # (pandas' string dtype costs seconds in comparisons on a 1M-row log); the
        # columns of values to parse come as categories (a string per distinct value).
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding=encoding,
            dtype=defaultdict(lambda: object, {i: "category" for i in coded}) if coded else object,
            na_filter=False,
            header=None,
            skiprows=skip,
            skip_blank_lines=False,
            engine="c",
            low_memory=False,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        frame = _wider_lines(data, encoding, skip)
        if frame is None:
            line = re.search(r"line (\d+)", str(exc))
            where = f"{line[1]}行目付近で" if line else ""
            raise SourceError(
                f"{file}: {where}列の数が合わず、CSV として読めません。",
                "区切りのカンマや引用符（\"）が崩れていないか確かめてください",
            ) from None
    except pd.errors.EmptyDataError:
        return RawSheet(file, None, [], 1, [], [])
    columns = [_cells(frame[c]) for c in frame.columns[: len(header)]]
    del frame
    rows = np.arange(lines_above + 2, lines_above + 2 + (len(columns[0]) if columns else 0))
    filled = np.zeros(len(rows), dtype=bool)
    for cells in columns:
        filled |= ~cells.blank() if isinstance(cells, Coded) else cells != ""
    if not filled.all():
        columns = [cells[filled] for cells in columns]
        rows = rows[filled]
    return RawSheet(file, None, header, lines_above + 1, columns, rows.tolist(), text_marks=csv_text_marks(data, encoding))
