"""A small Jinja-over-xlsx renderer: an Excel file an office can restyle holds
Jinja expressions in its cells, and a marked block of rows repeated per item.

- A cell ``{{ expr }}`` alone keeps the value's type (a date stays a date, with a
  和暦 number format when the cell had none); any other text with ``{{ }}`` or
  ``{% %}`` renders to text. Text is always written as text, never as a formula.
- A row whose first cell is ``{% for x in items %}`` starts a block, a row whose
  first cell is ``{% endfor %}`` ends it; the rows between are repeated per item,
  rows below shift down, merges, heights and the print area follow.
- Rendering runs in Jinja's ``ImmutableSandboxedEnvironment``: a template from
  outside cannot reach Python internals. Undefined names are errors that name the
  template, sheet and cell.

The template is loaded once; each render builds fresh sheets in the same
workbook (so styles are shared, not copied) and saves only those. See
docs/templates.md for why this and not xltpl.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from itertools import islice
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from teichaku_cli.base.errors import TeichakuError
from teichaku_cli.base.dates import format_wareki_date, format_wareki_month

WAREKI_DATE_FORMAT = '[$-411]ggge"年"m"月"d"日"'
_QUOTED = re.compile(r"'([^']*)'")


def _unusable(exc: Exception, source: str) -> str:
    """jinja's words for a name it cannot use, when every name they quote is written in
    the template itself (「'dict object' has no attribute '住所'」); a name that came
    from the data instead (report[user.氏名]) would put a person's name or a note on
    the screen: then only that a name could not be used."""
    message = str(exc)
    quoted = [q for q in _QUOTED.findall(message) if not q.endswith(" object")]
    if all(q in source for q in quoted):
        return message
    return "データの値を名前として使っています"


_HIDES_VALUE = re.compile(r"\s*;\s*;\s*;?\s*")  # a number format with every section empty: the value is never shown
_BLOCK_START = re.compile(r"^\{%-?\s*for\s+(\w+)\s+in\s+(.+?)\s*-?%\}$")
_BLOCK_END = re.compile(r"^\{%-?\s*endfor\s*-?%\}$")
_SINGLE_EXPR = re.compile(r"^\{\{\s*((?:(?!\}\}).)+?)\s*\}\}$", re.S)


class TemplateError(TeichakuError):
    pass


class StepsExceeded(TemplateError):
    """A document whose loops ran past MAX_STEPS: that document fails (the data made
    it too long), the others are made."""


MAX_ROWS_PER_LOOP = 5_000  # a month's support entries are dozens; more is a mistake, not a report
# Loop iterations one document may take: every {% for %} step in a cell, every value
# range() gives, every repeated block of rows. A report loops over a month's entries
# (dozens); nested loops multiply (range(100000) inside range(100000) would run for ever).
MAX_STEPS = 100_000
_STEPS = "_teichaku_steps"  # the name every {% for %} iterates through (see _Budgeted)


class _OverBudget(Exception):
    pass


class _Counted:
    """An iterable whose every item is one step of the document's budget."""

    def __init__(self, iterable, take) -> None:
        self._iterable, self._take = iterable, take

    def __iter__(self):
        for item in self._iterable:
            self._take()
            yield item

    def __len__(self):
        return len(self._iterable)


def _wareki(value: object) -> str:
    if isinstance(value, datetime):
        value = value.date()
    return format_wareki_date(value) if isinstance(value, date) else ("" if value is None else str(value))


def _wareki_month(value: object) -> str:
    if isinstance(value, datetime):
        value = value.date()
    return format_wareki_month(value) if isinstance(value, date) else ("" if value is None else str(value))


def make_environment(take=lambda: None):
    """The sandbox templates render in. ``take`` is called once a loop step: every
    {% for %} iterates through it (the loops are rewritten as they are parsed) and so
    does every value range() gives; it raises when a document has had its steps."""
    from jinja2 import StrictUndefined, nodes
    from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

    class _Budgeted(ImmutableSandboxedEnvironment):
        def _parse(self, source, name, filename):
            tree = super()._parse(source, name, filename)
            for loop in tree.find_all(nodes.For):
                loop.iter = nodes.Call(nodes.Name(_STEPS, "load"), [loop.iter], [], None, None)
            return tree

    def counted(iterable):
        return iterable if isinstance(iterable, _Counted) else _Counted(iterable, take)

    env = _Budgeted(undefined=StrictUndefined, autoescape=False, finalize=lambda v: "" if v is None else v)
    env.filters["wareki"] = _wareki
    env.filters["wareki_month"] = _wareki_month
    env.globals[_STEPS] = counted
    env.globals["range"] = lambda *args: _Counted(safe_range(*args), take)  # still at most MAX_RANGE values
    return env


@dataclass
class _Row:
    index: int  # row number in the template
    kind: str  # "plain" | "start" | "end"
    loop_var: str = ""
    loop_expr: str = ""


def _fit_rows(out, texts: list[tuple[int, int, str]]) -> None:
    """Grow a row whose filled-in text wraps to more lines than the template's
    height shows, so a long 支援内容 prints whole instead of cut off mid-sentence.
    The template's height stays the least (a form keeps its boxes); a box spanning
    several rows keeps the template's size."""
    from openpyxl.utils import column_index_from_string

    from teichaku_cli.documents.printed import lines_needed, row_height

    spans = {(rng.min_row, rng.min_col): rng for rng in out.merged_cells.ranges}
    widths = {  # Excel saves neighbouring columns of one width as one range (min…max)
        c: dim.width or DEFAULT_COLUMN_WIDTH
        for key, dim in out.column_dimensions.items()
        for c in range(dim.min or column_index_from_string(key), max(dim.max or 0, dim.min or column_index_from_string(key)) + 1)
    }
    needed: dict[int, float] = {}
    for row, col, text in texts:
        rng = spans.get((row, col))
        if rng is not None and rng.max_row > rng.min_row:
            continue
        cell = out.cell(row, col)
        if not cell.alignment.wrap_text:
            continue
        last = rng.max_col if rng is not None else col
        width = sum(widths.get(c, DEFAULT_COLUMN_WIDTH) for c in range(col, last + 1))
        size = cell.font.sz or 11
        lines = lines_needed(text, width, size, int(cell.alignment.indent or 0))
        if lines > 1:  # one line fits any row
            needed[row] = max(needed.get(row, 0.0), row_height(lines, size))
    for row, height in needed.items():
        if height > (out.row_dimensions[row].height or 0):
            out.row_dimensions[row].height = height


DEFAULT_COLUMN_WIDTH = 8.43  # Excel's, for a column the template leaves unset


class XlsxTemplate:
    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        self.path = Path(path)
        self.name = self.path.name
        try:
            self.wb = load_workbook(self.path)
        except FileNotFoundError:
            raise TemplateError(f"テンプレート {self.path} が見つかりません。", "--template のパスを確かめてください") from None
        except Exception as exc:
            raise TemplateError(
                f"テンプレート {self.name} を Excel ブックとして開けません（{type(exc).__name__}）。",
                "Excel で開いて .xlsx で保存し直してください",
            ) from None
        self._nothing_but_the_template()
        self._steps = 0
        self.env = make_environment(self._take)
        self.sheets = list(self.wb.worksheets)
        self._compiled: dict[str, Any] = {}
        self._rows: dict[str, dict[int, list]] = {}
        self.layouts = [self._layout(ws) for ws in self.sheets]

    # --- reading the template ---------------------------------------------------------
    def _nothing_but_the_template(self) -> None:
        """A rendered copy carries the template's layout and nothing else. A link to
        another workbook (with that workbook's cached cells and its path) or a hidden
        sheet (data nobody sees on screen) would go into every copy, employer copies
        too: the template is refused, saying how to remove it. Workbook-level names,
        document properties (author, company, title…) and custom properties are the
        template's history, not the office's document: dropped from every copy.
        Comments, data validation and conditional formatting are never copied."""
        from openpyxl.packaging.core import DocumentProperties
        from openpyxl.packaging.custom import CustomPropertyList
        from openpyxl.workbook.defined_name import DefinedNameDict

        links = getattr(self.wb, "_external_links", [])
        if links:
            targets = "、".join(str(getattr(getattr(link, "file_link", None), "Target", "") or "外部ブック") for link in links)
            raise TemplateError(
                f"テンプレート {self.name} に外部ブックへのリンクがあります（{targets}）。リンク先のセルの値や場所が、作るすべての帳票に入ってしまいます。",
                "Excel の［データ］→［リンクの編集］で「リンクの解除」をしてから保存し直してください",
            )
        hidden = [ws.title for ws in self.wb.worksheets if ws.sheet_state != "visible"]
        if hidden:
            raise TemplateError(
                f"テンプレート {self.name} に非表示のシート（{'、'.join(hidden)}）があります。見えないシートの内容も、作るすべての帳票に入ってしまいます。",
                "シートを再表示して、要らなければ削除してから保存し直してください",
            )
        for ws in self.wb.worksheets:  # hidden rows and columns: the same, on a smaller scale
            # (hidden, or shrunk to nothing: a width or height of 0 hides as well)
            cols = [key for key, dim in ws.column_dimensions.items() if dim.hidden or (dim.width is not None and dim.width < 0.5)]
            rows = [str(r) for r, dim in ws.row_dimensions.items() if dim.hidden or (dim.height is not None and dim.height < 1)]
            if cols or rows:
                where = "、".join([*(f"{c}列" for c in cols), *(f"{r}行目" for r in rows)])
                raise TemplateError(
                    f"テンプレート {self.name} シート「{ws.title}」に非表示の行・列（{where}）があります。見えない内容も、作るすべての帳票に入ってしまいます。",
                    "行・列を再表示して（幅・高さが 0 なら広げて）、要らなければ削除してから保存し直してください",
                )
            unseen = [c.coordinate for row in ws.iter_rows() for c in row if c.value is not None and _HIDES_VALUE.fullmatch(c.number_format or "")]
            if unseen:
                raise TemplateError(
                    f"テンプレート {self.name} シート「{ws.title}」に、表示形式「;;;」で値が見えないセル（{'、'.join(unseen[:10])}）があります。見えない内容も、作るすべての帳票に入ってしまいます。",
                    "セルの表示形式を「標準」に戻して内容を確かめ、要らなければ消してから保存し直してください",
                )
        self.wb.defined_names = DefinedNameDict()
        self.wb.properties = DocumentProperties(creator="teichaku")
        self.wb.custom_doc_props = CustomPropertyList()

    def _layout(self, ws) -> list[_Row]:
        rows: list[_Row] = []
        open_block = None
        for r in range(1, ws.max_row + 1):
            first = ws.cell(r, 1).value
            text = first.strip() if isinstance(first, str) else ""
            if m := _BLOCK_START.match(text):
                if open_block is not None:
                    raise self._error(ws, f"A{r}", "繰り返しの中に繰り返しは置けません。", "{% endfor %} の行を先に置いてください")
                open_block = r
                rows.append(_Row(r, "start", m[1], m[2]))
            elif _BLOCK_END.match(text):
                if open_block is None:
                    raise self._error(ws, f"A{r}", "{% endfor %} に対応する {% for %} がありません。", "繰り返しの最初の行の A 列に {% for 行 in 一覧 %} を置いてください")
                open_block = None
                rows.append(_Row(r, "end"))
            else:
                rows.append(_Row(r, "plain"))
        if open_block is not None:
            raise self._error(ws, f"A{open_block}", "{% for %} に対応する {% endfor %} がありません。", "繰り返しの最後の次の行の A 列に {% endfor %} を置いてください")
        return rows

    def _error(self, ws, coord: str, message: str, fix: str = "") -> TemplateError:
        return TemplateError(f"テンプレート {self.name} シート「{ws.title}」 {coord}: {message}", fix)

    def _compiled_for(self, text: str, ws, coord: str):
        key = text
        if key not in self._compiled:
            from jinja2 import TemplateSyntaxError

            try:
                m = _SINGLE_EXPR.match(text.strip())
                if m and "{{" not in m[1] and "{%" not in text:
                    self._compiled[key] = ("expr", self.env.compile_expression(m[1], undefined_to_none=False))
                else:
                    self._compiled[key] = ("text", self.env.from_string(text))
            except TemplateSyntaxError as exc:
                raise self._error(ws, coord, f"書き方の誤り（{exc.message}）。", "{{ }} と {% %} の対応を確かめてください") from None
        return self._compiled[key]

    # --- rendering --------------------------------------------------------------------
    def _take(self, n: int = 1) -> None:
        """One loop step (or ``n``) of the document being rendered."""
        self._steps += n
        if self._steps > MAX_STEPS:
            raise _OverBudget

    def _over_budget(self, ws, coord: str) -> StepsExceeded:
        # names the template's cell only: never a value from the data
        return StepsExceeded(
            f"テンプレート {self.name} シート「{ws.title}」 {coord}: 繰り返しが多すぎるため、この帳票は作りませんでした"
            f"（1つの帳票で {MAX_STEPS:,}回まで）。",
            "このセルの {% for %} や range() の回数を確かめてください（入れ子の繰り返しは回数が掛け算になります）",
        )

    def render(self, context: dict[str, Any], out_path: Path, overwrite: bool = True) -> None:
        from teichaku_cli.base.safe_write import atomic_file

        self._steps = 0  # a budget per document
        outs = []
        try:
            for tpl, layout in zip(self.sheets, self.layouts):
                out = self.wb.create_sheet()
                outs.append(out)
                self._fill(tpl, layout, out, context)
            originals = self.wb._sheets  # noqa: SLF001 — save only the rendered sheets
            active = self.wb.active.title if self.wb.active is not None else None
            self.wb._sheets = outs  # noqa: SLF001
            try:
                for tpl, out in zip(self.sheets, outs):
                    out.title = tpl.title
                with atomic_file(out_path, overwrite=overwrite) as fh:
                    self.wb.save(fh)
            finally:
                self.wb._sheets = originals  # noqa: SLF001
                for i, tpl in enumerate(self.sheets):
                    if tpl.title == active:
                        self.wb.active = i
        finally:
            for out in outs:
                if out in self.wb._sheets:  # noqa: SLF001
                    self.wb.remove(out)

    def _fill(self, tpl, layout: list[_Row], out, context: dict[str, Any]) -> None:
        from jinja2 import TemplateSyntaxError, Undefined, UndefinedError
        from jinja2.exceptions import SecurityError

        row_map: dict[int, list[int]] = {}  # template row → output rows
        texts: list[tuple[int, int, str]] = []  # (row, column, text) filled in from the data
        target = 1
        i = 0
        while i < len(layout):
            row = layout[i]
            if row.kind == "start":
                end = next(j for j in range(i + 1, len(layout)) if layout[j].kind == "end")
                body = layout[i + 1 : end]
                coord = f"A{row.index}"
                try:
                    found = self.env.compile_expression(row.loop_expr, undefined_to_none=False)(**context)
                    if isinstance(found, Undefined):
                        str(found)  # StrictUndefined raises, naming what is missing or unsafe
                except _OverBudget:
                    raise self._over_budget(tpl, coord) from None
                except TemplateSyntaxError as exc:
                    raise self._error(tpl, coord, f"書き方の誤り（{exc.message}）。", "{% for e in entries %} の形で書いてください") from None
                except (UndefinedError, SecurityError) as exc:
                    raise self._error(tpl, coord, f"繰り返しの一覧を作れません（{_unusable(exc, row.loop_expr)}）。", "使える名前は docs/templates.md を見てください") from None
                except Exception as exc:  # a filter on the wrong type, a bad operation…
                    raise self._error(tpl, coord, f"繰り返しの一覧を作れません（{type(exc).__name__}）。") from None
                # a number or a date cannot be looped over, and a text would loop over its characters
                if found is None or isinstance(found, (str, bytes)) or not isinstance(found, Iterable):
                    raise self._error(tpl, coord, "繰り返しの一覧を作れません（一覧ではありません）。", "{% for e in entries %} の形で、一覧の名前を書いてください")
                try:
                    items = list(islice(found, MAX_ROWS_PER_LOOP + 1))  # bounded: never materialise a huge range
                except _OverBudget:
                    raise self._over_budget(tpl, coord) from None
                if len(items) * max(len(body), 1) > MAX_ROWS_PER_LOOP:
                    raise self._error(tpl, coord, f"繰り返しが{MAX_ROWS_PER_LOOP:,}行を超えます。", "繰り返す一覧（entries など）を確かめてください")
                try:
                    self._take(len(items))  # each repeated block is a step of the document too
                except _OverBudget:
                    raise self._over_budget(tpl, coord) from None
                for item in items:
                    scope = {**context, row.loop_var: item}
                    for b in body:
                        texts += self._copy_row(tpl, b.index, out, target, scope)
                        row_map.setdefault(b.index, []).append(target)
                        target += 1
                i = end + 1
                continue
            texts += self._copy_row(tpl, row.index, out, target, context)
            row_map.setdefault(row.index, []).append(target)
            target += 1
            i += 1
        self._copy_sheet_settings(tpl, out, row_map)
        _fit_rows(out, texts)

    def _copy_row(self, tpl, src: int, out, dst: int, context: dict[str, Any]) -> list[tuple[int, int, str]]:
        """Copy one template row to ``dst``, filled in; returns the texts it filled in."""
        from jinja2 import Undefined, UndefinedError
        from jinja2.exceptions import SecurityError

        texts = []
        dim = tpl.row_dimensions.get(src) if src in tpl.row_dimensions else None
        if dim is not None and dim.height is not None:
            out.row_dimensions[dst].height = dim.height
        for (_, c), cell in self._row_cells(tpl, src):
            new = out.cell(dst, c)
            if cell.has_style:
                new._style = copy.copy(cell._style)  # noqa: SLF001
            value = cell.value
            if isinstance(value, str) and ("{{" in value or "{%" in value):
                kind, compiled = self._compiled_for(value, tpl, cell.coordinate)
                try:
                    result = compiled(**context) if kind == "expr" else compiled.render(**context)
                    if isinstance(result, Undefined):  # a whole-cell expression returns it instead of raising
                        str(result)  # StrictUndefined raises, naming what is missing or unsafe
                except _OverBudget:
                    raise self._over_budget(tpl, cell.coordinate) from None
                except (UndefinedError, SecurityError) as exc:
                    raise self._error(tpl, cell.coordinate, f"{_unusable(exc, value)}（テンプレートで使えない名前か、安全でない式です）。", "使える名前は docs/templates.md を見てください") from None
                except Exception as exc:  # a filter applied to the wrong type, a bad operation…
                    raise self._error(tpl, cell.coordinate, f"式を評価できません（{type(exc).__name__}）。") from None
                self._set(new, result)
                if isinstance(new.value, str) and new.value:
                    texts.append((dst, c, new.value))
            else:
                new.value = value
        return texts

    def _row_cells(self, ws, row: int) -> list:
        """The template's cells of one row, read once per template."""
        if ws.title not in self._rows:
            by_row: dict[int, list] = {}
            for rc, cell in sorted(ws._cells.items()):  # noqa: SLF001
                by_row.setdefault(rc[0], []).append((rc, cell))
            self._rows[ws.title] = by_row
        return self._rows[ws.title].get(row, [])

    @staticmethod
    def _set(cell, value: object) -> None:
        if isinstance(value, datetime):
            value = value.date() if value.time() == datetime.min.time() else value
        if value is None:
            cell.value = None
        elif isinstance(value, date):
            styled = cell.number_format not in ("General", "@")
            cell.value = value  # openpyxl gives a bare date cell "yyyy-mm-dd"
            if not styled:
                cell.number_format = WAREKI_DATE_FORMAT
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.value = value
        else:
            cell.value = str(value)
            cell.data_type = "s"  # never a formula, whatever it starts with

    def _copy_sheet_settings(self, tpl, out, row_map: dict[int, list[int]]) -> None:
        from openpyxl.worksheet.cell_range import CellRange

        for key, dim in tpl.column_dimensions.items():
            new = out.column_dimensions[key]
            new.width, new.hidden = dim.width, dim.hidden
            new.min, new.max = dim.min, dim.max  # a range of columns (D:F) stays a range
            if dim.has_style:
                new._style = copy.copy(dim._style)  # noqa: SLF001
        for rng in tpl.merged_cells.ranges:
            starts = row_map.get(rng.min_row, [])
            for k, first in enumerate(starts):
                last_rows = row_map.get(rng.max_row, [])
                if k < len(last_rows):
                    # a plain range: its cells were copied with their own borders, so
                    # openpyxl's merge_cells / MergedCellRange (which recompute borders,
                    # most of the render time) are not needed
                    out.merged_cells.add(CellRange(min_col=rng.min_col, min_row=first, max_col=rng.max_col, max_row=last_rows[k]))
        out.sheet_format = copy.copy(tpl.sheet_format)
        out.sheet_properties = copy.copy(tpl.sheet_properties)
        out.page_margins = copy.copy(tpl.page_margins)
        out.print_options = copy.copy(tpl.print_options)
        for attr in ("orientation", "paperSize", "fitToWidth", "fitToHeight", "scale"):
            setattr(out.page_setup, attr, getattr(tpl.page_setup, attr))
        out.HeaderFooter = tpl.HeaderFooter  # shared, never mutated
        out.sheet_view.showGridLines = tpl.sheet_view.showGridLines
        if tpl.print_title_rows:
            out.print_title_rows = tpl.print_title_rows
        if tpl.print_area:
            area = CellRange(str(tpl.print_area).split(",")[0].split("!")[-1].replace("$", ""))
            top = row_map.get(area.min_row, [area.min_row])[0]
            bottom_rows = [r for t, rows in row_map.items() if t <= area.max_row for r in rows]
            bottom = max(bottom_rows) if bottom_rows else area.max_row
            out.print_area = f"{CellRange(min_col=area.min_col, min_row=top, max_col=area.max_col, max_row=bottom).coord}"
        for image in getattr(tpl, "_images", []):
            out.add_image(copy.copy(image))
