"""The row-by-row reader (office/sheet_xml.py) gives the cells calamine gives: on every
sheet of the sample, on odd workbooks written by hand (every kind of cell calamine
reads, tag prefixes, rows and cells without references), on a workbook LibreOffice
saved, and on the sheet with a stray value far below that it exists for."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from teichaku_cli.office import sheet_xml
from teichaku_cli.office.sources import _raw_from_grid, _read_cells, _sheet_members, _sparse

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def by_calamine(path: Path, sheet: str) -> tuple[list[tuple[int, list]], list]:
    import python_calamine

    cells = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet)
    grid = cells.to_python(skip_empty_area=False)
    return _rows_with_values((i + 1, row) for i, row in enumerate(grid)), sorted(cells.merged_cell_ranges or [])


def by_rows(path: Path, sheet: str) -> tuple[list[tuple[int, list]], list]:
    with zipfile.ZipFile(path) as zf:
        member = _sheet_members(zf)[sheet]
        book = sheet_xml.open_book(zf)
        with zf.open(member) as fh:
            rows, merges = sheet_xml.read_rows(iter(lambda: fh.read(97), b""), book)  # small chunks: rows split across them
    return _rows_with_values(rows), sorted(merges)


def _rows_with_values(rows) -> list[tuple[int, list]]:
    """Each row with a value, trailing blanks dropped; values with their types."""
    found = []
    for number, row in rows:
        cells = list(row)
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            found.append((number, [(type(v).__name__, v) for v in cells]))
    return found


def assert_same(path: Path, sheet: str) -> list[tuple[int, list]]:
    expected, expected_merges = by_calamine(path, sheet)
    got, merges = by_rows(path, sheet)
    assert got == expected
    assert merges == expected_merges
    return got


@pytest.mark.parametrize("sheet", ["利用者", "就労履歴", "支援記録", "支援レポート", "支援計画", "ケース会議", "助成金", "受給者証", "上限管理結果"])
def test_every_sheet_of_the_sample_reads_the_same(sheet):
    rows = assert_same(ROOT / "samples" / "office.xlsx", sheet)
    assert rows  # something was compared


# --- odd workbooks, written by hand -------------------------------------------------------

STYLES = (
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="5">'
    '<numFmt numFmtId="164" formatCode="yyyy/m/d"/>'
    '<numFmt numFmtId="165" formatCode="[$-411]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
    '<numFmt numFmtId="166" formatCode="[h]:mm"/>'
    '<numFmt numFmtId="167" formatCode="&quot;day&quot;0"/>'
    '<numFmt numFmtId="168" formatCode="0.00_);[Red]\\(0.00\\)"/>'
    "</numFmts>"
    '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'  # not a cell format: must not count
    '<cellXfs count="9"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>'
    '<xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="20"/><xf numFmtId="22"/><xf numFmtId="168"/></cellXfs>'
    "</styleSheet>"
)

SHARED = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="7" uniqueCount="7">'
    "<si><t>利用者ID</t></si>"
    '<si><r><rPr><b/></rPr><t>試験</t></r><r><t xml:space="preserve"> 花子</t></r>'
    '<rPh sb="0" eb="2"><t>シケン</t></rPh><phoneticPr fontId="1"/></si>'
    "<si><t>  trimmed  </t></si>"
    '<si><t xml:space="preserve">  kept  </t></si>'
    "<si><t>a_x000D_b &amp; &lt;c&gt; &#x3042; _x005F_x000D_</t></si>"
    "<si/>"
    "<si><t>line\r\nbreak</t></si>"
    "</sst>"
)

ODD_SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:J12"/><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
    '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c><c r="G1" t="s"><v>6</v></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>0001</t></is></c><c r="B2" t="inlineStr"><is><r><t>rich</t></r><r><t xml:space="preserve"> run</t></r></is></c>'
    '<c r="C2" t="b"><v>1</v></c><c r="D2" t="b"><v>0</v></c><c r="E2" t="e"><v>#N/A</v></c>'
    '<c r="F2" t="str"><f>A1&amp;"x"</f><v>text &amp; result</v></c><c r="G2"><f>1+1</f><v>2</v></c>'
    '<c r="H2"><f t="shared" ref="H2:H3" si="0">1</f><v>1</v></c><c r="I2" t="str"><f>""</f><v></v></c><c r="J2"><v>3.5</v></c></row>'
    '<row r="3"><c r="H3"><f t="shared" si="0"/><v>1</v></c><c r="I3"><f>NOW()</f></c></row>'  # a formula saved without its result
    '<row r="4"><c r="A4" s="1"><v>45566</v></c><c r="B4" s="2"><v>45567</v></c><c r="C4" s="3"><v>45568.75</v></c>'
    '<c r="D4" s="4"><v>1.5</v></c><c r="E4" s="5"><v>12</v></c><c r="F4" s="6"><v>0.25</v></c><c r="G4" s="7"><v>45569.5</v></c>'
    '<c r="H4" s="8"><v>-1.25</v></c><c r="I4" s="1"><v>59</v></c><c r="J4" s="1"><v>61</v></c></row>'
    '<row r="5" spans="1:3"/>'  # empty, self-closing
    '<row r="6"><c r="A6" s="1"><v>3000000</v></c><c r="B6" s="2"><v>0</v></c><c r="C6" t="d"><v>2026-10-05</v></c>'
    '<c r="D6" t="d"><v>2026-10-05T09:30:00</v></c><c r="E6" t="n"><v></v></c><c r="F6" s="99"><v>45566</v></c><c r="G6"><v>  7 </v></c></row>'
    '<row r="8"><c t="inlineStr"><is><t>no ref A</t></is></c><c t="inlineStr"><is><t>no ref B</t></is></c>'
    '<c r="E8" t="inlineStr"><is><t>E</t></is></c><c t="inlineStr"><is><t>no ref F</t></is></c></row>'
    '<row><c t="inlineStr"><is><t>row without r</t></is></c></row>'
    '<row r="11"><c r="B11" s="1"/><c r="C11" t="s"><v>2</v></c></row>'
    '<row r="12"><c r="A12" t="inlineStr"><is><t>&#10;&#13;tab&#9;</t></is></c><c r="B12" t="inlineStr"><is/></c></row>'
    "</sheetData>"
    '<mergeCells count="2"><mergeCell ref="A11:B11"/><mergeCell ref="D8:D9"/></mergeCells>'
    "</worksheet>"
)


# Only the cells most writers write (no formula, no rich text): read in the one-pass way,
# which must give what the general reading and calamine give.
PLAIN_SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:H4"/><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>  spaced  </t></is></c><c r="B1" t="inlineStr"><is><t xml:space="preserve">  kept  </t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>a &amp; b_x000D_c\r\nd</t></is></c><c r="D1" t="s"><v>4</v></c><c r="E1" t="str"><v>&lt;x&gt;</v></c>'
    '<c r="F1" t="inlineStr"><v>ignored</v></c><c r="G1" t="e"><v>#REF!</v></c><c r="H1" t="b"><v>1</v></c></row>'
    '<row r="2"><c r="A2" s="1"><v>45566</v></c><c r="B2" s="3"><v>45568.75</v></c><c r="C2" s="4"><v>1.5</v></c><c r="D2" s="6"><v>0.25</v></c>'
    '<c r="E2" t="n"><v>1.5E3</v></c><c r="F2"><v>-2</v></c><c r="G2" s="1"/><c r="H2" t="n"><v></v></c></row>'
    '<row r="4"><c r="C4" t="s"><v>2</v></c><c r="A4" s="2"><v>45567</v></c><c r="B4" t="inlineStr"><is><t></t></is></c></row>'
    "</sheetData></worksheet>"
)


def write_book(path: Path, sheets: dict[str, str], styles: str = STYLES, shared: str | None = SHARED, date1904: bool = False) -> Path:
    """A minimal workbook from the parts given (what a script or another program writes)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    book = f"<workbook {ns}>{pr}<sheets>" + "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, start=1)
    ) + "</sheets></workbook>"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(
        f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1)
    ) + f'<Relationship Id="rIdS" Type="{rel}/styles" Target="styles.xml"/>'
    if shared is not None:
        rels += f'<Relationship Id="rIdT" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
    rels += "</Relationships>"
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Types>"
    )
    root_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        zf.writestr("xl/styles.xml", styles)
        if shared is not None:
            zf.writestr("xl/sharedStrings.xml", shared)
        for i, xml in enumerate(sheets.values(), start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return path


def test_odd_cells_read_the_same(tmp_path):
    got = assert_same(write_book(tmp_path / "odd.xlsx", {"S": ODD_SHEET}), "S")
    values = {(n, i): v for n, row in got for i, (_, v) in enumerate(row)}
    # what the comparison covered, checked against what each cell is
    assert values[(1, 1)] == "試験 花子" and values[(1, 2)] == "trimmed" and values[(1, 3)] == "  kept  "
    assert values[(1, 4)] == "a\rb & <c> あ _x000D_" and values[(1, 5)] == "" and values[(1, 6)] == "line\nbreak"
    assert values[(2, 2)] is True and values[(2, 3)] is False and values[(2, 4)] == "" and values[(2, 5)] == "text & result"
    assert values[(4, 0)] == date(2024, 10, 1) and values[(4, 2)] == datetime(2024, 10, 3, 18, 0) and values[(4, 3)] == timedelta(hours=36)
    assert values[(4, 4)] == 12.0 and values[(4, 5)] == time(6, 0) and values[(4, 7)] == -1.25
    assert values[(4, 8)] == date(1900, 2, 28) and values[(4, 9)] == date(1900, 3, 1)
    assert values[(6, 0)] == 3000000.0 and values[(6, 2)] == date(2026, 10, 5) and values[(6, 3)] == datetime(2026, 10, 5, 9, 30)
    assert values[(8, 0)] == "no ref A" and values[(8, 5)] == "no ref F" and values[(9, 0)] == "row without r"


@pytest.mark.parametrize("date1904", [False, True])
def test_plain_cells_read_in_one_pass_the_same(tmp_path, date1904):
    path = write_book(tmp_path / "plain.xlsx", {"S": PLAIN_SHEET}, date1904=date1904)
    with zipfile.ZipFile(path) as zf:
        book = sheet_xml.open_book(zf)
        assert sheet_xml._plain_rows(PLAIN_SHEET.encode(), book, []) == 4  # the one-pass reading took it
    got = assert_same(path, "S")
    values = {(n, i): v for n, row in got for i, (_, v) in enumerate(row)}
    assert values[(1, 0)] == "spaced" and values[(1, 1)] == "  kept  " and values[(1, 2)] == "a & b\rc\nd"
    assert values[(1, 4)] == "<x>" and values[(2, 4)] == 1500.0 and values[(4, 2)] == "trimmed"


def test_the_1904_date_system_reads_the_same(tmp_path):
    sheet = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" s="1"><v>44104</v></c><c r="B1" s="3"><v>0.5</v></c></row></sheetData></worksheet>'
    got = assert_same(write_book(tmp_path / "mac.xlsx", {"S": sheet}, date1904=True), "S")
    assert got[0][1][0][1] == date(2024, 10, 1)


def test_prefixed_tags_and_no_shared_strings_read_the_same(tmp_path):
    """Some writers prefix every tag (<x:c>); some have no shared string table at all."""
    x = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (
        f'<x:worksheet {x}><x:dimension ref="A1:C3"/><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>日付</x:t></x:is></x:c>'
        '<x:c r="B1" t="inlineStr"><x:is><x:t xml:space="preserve"> ID </x:t></x:is></x:c></x:row>'
        '<x:row r="3"><x:c r="A3" s="1"><x:v>45566</x:v></x:c><x:c r="C3"><x:f>1</x:f><x:v>1</x:v></x:c></x:row></x:sheetData>'
        '<x:mergeCells count="1"><x:mergeCell ref="A3:B3"/></x:mergeCells></x:worksheet>'
    )
    got = assert_same(write_book(tmp_path / "x.xlsx", {"S": sheet}, shared=None), "S")
    assert got[0][1][1][1] == " ID " and got[1][1][0][1] == date(2024, 10, 1)


def test_a_sheet_libreoffice_saved_reads_the_same():
    """Bytes LibreOffice 7 wrote (tests/fixtures/libreoffice.xlsx: the sample's 支援記録
    head with dates, a 和暦 format, a formula, a merged cell and a stray far below),
    kept so the test needs no LibreOffice."""
    path = FIXTURES / "libreoffice.xlsx"
    for sheet in ("支援記録",):
        assert len(assert_same(path, sheet)) > 5


def test_a_stray_value_far_below_is_read_row_by_row(tmp_path):
    """The sheet the reader exists for: 761 rows and one value at Z1048576. calamine
    would build 27 million cells; here the rows with values only, the same cells."""
    import openpyxl

    wb = openpyxl.load_workbook(ROOT / "samples" / "office.xlsx")
    wb["支援記録"]["Z1048576"] = "x"
    path = tmp_path / "stray.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        members = _sheet_members(zf)
        assert _sparse(zf, members["支援記録"]) and not _sparse(zf, members["利用者"])
    grid, numbers, merges, failure = _read_cells(path, "支援記録")
    assert failure is None and len(grid) == 763 and numbers[-1] == 1_048_576  # header, 761 rows, the stray
    raw = _raw_from_grid(grid, "stray.xlsx", "支援記録", numbers=numbers)
    assert raw.outside == [(1_048_576, 25)] and len(raw.rows) == 761
    # the same table as the sample's, read by calamine
    sample, _, _, _ = _read_cells(ROOT / "samples" / "office.xlsx", "支援記録")
    dense = _raw_from_grid(sample, "office.xlsx", "支援記録")
    assert raw.header == dense.header and raw.rows == dense.rows
    assert all(list(a) == list(b) for a, b in zip(raw.columns, dense.columns))


@pytest.mark.parametrize(
    "code, kind",
    [
        ("yyyy/m/d", sheet_xml.DATETIME), ("[$-411]ggge\"年\"m\"月\"d\"日\"", sheet_xml.DATETIME), ("h:mm AM/PM", sheet_xml.DATETIME),
        ("[h]:mm:ss", sheet_xml.TIMEDELTA), ("[ss]", sheet_xml.TIMEDELTA), ("0.00", sheet_xml.OTHER), ("\"day\"0", sheet_xml.OTHER),
        ("#,##0_);[Red](#,##0)", sheet_xml.OTHER), ("\\Y000000", sheet_xml.OTHER), ("[>=100][Magenta]General", sheet_xml.OTHER),
        ("General;yyyy", sheet_xml.OTHER),
    ],
)
def test_date_formats_are_told_as_calamine_tells_them(code, kind):
    assert sheet_xml.custom_format(code) == kind


def test_a_sheet_without_its_extent_tag_is_scanned_for_it(tmp_path):
    """Scripts write sheets without <dimension>: a small one is scanned for its extent."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>' for r in range(1, 200))
    far = '<row r="1048576"><c r="Z1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    path = write_book(tmp_path / "nodim.xlsx", {"dense": f"<worksheet {ns}><sheetData>{rows}</sheetData></worksheet>", "stray": f"<worksheet {ns}><sheetData>{rows}{far}</sheetData></worksheet>"})
    with zipfile.ZipFile(path) as zf:
        members = _sheet_members(zf)
        assert not _sparse(zf, members["dense"]) and _sparse(zf, members["stray"])
    assert_same(path, "dense")
    assert by_rows(path, "stray")[0][-1] == (1_048_576, [("str", "")] * 25 + [("str", "x")])


def block_sheet(prefix: str = "", far: int = 150_000) -> str:
    """Rows 1–300 (text, shared strings, dates, a formula), a gap, then rows ``far``–``far``+4
    beside and beyond them, and merged cells above and below the gap."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns{":" + prefix if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rows = [f'<{p}row r="1"><{p}c r="A1" t="s"><{p}v>0</{p}v></{p}c><{p}c r="B1" t="s"><{p}v>1</{p}v></{p}c></{p}row>']
    for r in range(2, 301):
        rows.append(
            f'<{p}row r="{r}"><{p}c r="A{r}" s="1"><{p}v>{45000 + r}</{p}v></{p}c><{p}c r="B{r}" t="inlineStr"><{p}is><{p}t>行{r}</{p}t></{p}is></{p}c>'
            f'<{p}c r="C{r}"><{p}f>A{r}+1</{p}f><{p}v>{45001 + r}</{p}v></{p}c></{p}row>'
        )
    for r in range(far, far + 5):
        rows.append(f'<{p}row r="{r}"><{p}c r="B{r}" t="s"><{p}v>4</{p}v></{p}c><{p}c r="J{r}"><{p}v>{r}</{p}v></{p}c></{p}row>')
    merges = f'<{p}mergeCells count="2"><{p}mergeCell ref="D2:E3"/><{p}mergeCell ref="B{far}:C{far + 1}"/></{p}mergeCells>'
    return (
        f'<{p}worksheet {ns}><{p}dimension ref="A1:J{far + 4}"/><{p}sheetData>{"".join(rows)}</{p}sheetData>{merges}</{p}worksheet>'
    )


@pytest.mark.parametrize("prefix", ["", "x"])
def test_rows_far_below_a_gap_are_read_apart_and_the_rest_by_calamine(tmp_path, prefix):
    """The sheet splits at the gap: calamine reads the rows above it from a copy holding
    only them, the rows after it are read one by one. Together: calamine's cells, every
    row numbered as in Excel, the merged ranges of both parts."""
    from teichaku_cli.office.sources import _rows_above_a_gap

    path = write_book(tmp_path / "blocks.xlsx", {"S": block_sheet(prefix), "T": ODD_SHEET})
    with zipfile.ZipFile(path) as zf:
        member = _sheet_members(zf)["S"]
        assert _sparse(zf, member) and _rows_above_a_gap(zf, member, 10) is not None
    grid, numbers, merges, failure = _read_cells(path, "S")
    assert failure is None and numbers[:300] == list(range(1, 301)) and numbers[-5:] == list(range(150_000, 150_005))
    expected, expected_merges = by_calamine(path, "S")
    assert _rows_with_values(zip(numbers, grid)) == expected
    assert sorted(merges) == expected_merges


def test_a_sheet_far_to_the_right_is_read_row_by_row(tmp_path):
    """No gap below to split at: the grid is wide, not long. Read one row at a time."""
    from teichaku_cli.office.sources import _rows_above_a_gap

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 120))
    far = '<row r="120"><c r="XFD120" t="inlineStr"><is><t>x</t></is></c></row>'
    path = write_book(tmp_path / "wide.xlsx", {"S": f'<worksheet {ns}><dimension ref="A1:XFD120"/><sheetData>{rows}{far}</sheetData></worksheet>'})
    with zipfile.ZipFile(path) as zf:
        member = _sheet_members(zf)["S"]
        assert _sparse(zf, member) and _rows_above_a_gap(zf, member, 16384) is None
    grid, numbers, _, failure = _read_cells(path, "S")
    assert failure is None and numbers == list(range(1, 121)) and len(grid[-1]) == 16384 and grid[-1][-1] == "x"
    assert _rows_with_values(zip(numbers, grid)) == by_calamine(path, "S")[0]
