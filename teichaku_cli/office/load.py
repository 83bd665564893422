"""Reading an office: every table of the contract, typed, with every problem found.

``read_office`` never stops at the first problem: it reads all it can and returns
the office with the full list, so ``teichaku validate`` can show everything at
once. ``load_office`` is what the computing commands call: it refuses data with
errors (a wrong claim is worse than none).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from teichaku_cli.errors import DataProblems, Place, Problem, TeichakuError, column_letter
from teichaku_cli.office import schema
from teichaku_cli.office.schema import Column, Kind, Table
from teichaku_cli.office.settings import Settings, find_config, load_settings
from teichaku_cli.office.sources import EXCEL_ERRORS, RawSheet, Source, normalize_name, open_source
from teichaku_cli.office.values import (
    ValueProblem,
    normalize_text,
    parse_amount,
    parse_choice,
    parse_date,
    parse_id,
    parse_month,
    parse_yesno,
)

if TYPE_CHECKING:
    import pandas as pd

    from teichaku_cli.office.history import WorkingLives

MAX_PER_COLUMN = 20  # listed problems per sheet column; the rest are counted
ROW = "_row"  # the Excel row number of each record


@dataclass
class TablePlace:
    file: str
    sheet: str | None
    letters: dict[str, str] = field(default_factory=dict)  # canonical column → Excel letter
    # privacy-gate columns whose header could not be read (duplicated, or named in a way
    # that only looks like it): column → why. Their values are all "unknown".
    unreadable: dict[str, str] = field(default_factory=dict)

    def at(self, row: int | None = None, column: str | None = None) -> Place:
        return Place(self.file, self.sheet, row, column, self.letters.get(column or ""))


@dataclass
class Office:
    """The office's data, typed: one pandas DataFrame per table (canonical column
    names, dates as datetime64, yes/no as bool, a ``_row`` column with the Excel
    row), and where each table came from."""

    settings: Settings
    source: str
    tables: dict[str, "pd.DataFrame"]
    places: dict[str, TablePlace]
    problems: list[Problem] = field(default_factory=list)

    @property
    def users(self) -> "pd.DataFrame":
        return self.tables[schema.USERS.name]

    @property
    def contacts(self) -> "pd.DataFrame":
        return self.tables[schema.CONTACTS.name]

    def table(self, name: str) -> "pd.DataFrame":
        return self.tables[name]

    @functools.cached_property
    def lives(self) -> "WorkingLives":
        """Each person's jobs (就労履歴, or the single-job columns on 利用者)."""
        from teichaku_cli.office.history import WorkingLives

        return WorkingLives.of_office(self)

    def place(self, table: str, row: int | None = None, column: str | None = None) -> Place:
        return self.places[table].at(row, column)

    def has_problem(self, table: str, row: int, column: str) -> bool:
        """Was this cell reported while reading (e.g. a value that could not be read)?"""
        place = self.place(table, row, column)
        return (place.file, place.sheet, row, column) in self._reported

    @functools.cached_property
    def _reported(self) -> set[tuple]:
        # taken once, before the checks across tables add theirs: only reading's problems count
        return {(p.place.file, p.place.sheet, p.place.row, p.place.column) for p in self.problems}


def resolve_data(data: Path | None, config: Path | None) -> tuple[Path, Settings]:
    """DATA from the argument, else ``data =`` in teichaku.toml.

    A folder with no CSV in it whose own teichaku.toml names the data (the folder
    ``teichaku init`` makes) means that data: people pass the folder they made."""
    settings = load_settings(find_config(data, config))
    if data is None:
        if settings.data is None:
            raise TeichakuError(
                "読み込むデータが指定されていません。",
                "ブックか CSV フォルダのパスを指定するか、teichaku.toml に data = \"office.xlsx\" と書いてください",
            )
        data = settings.data
    elif _names_its_data(data, settings):
        data = settings.data
    return data, settings


def _names_its_data(folder: Path, settings: Settings) -> bool:
    if not folder.is_dir() or settings.data is None or settings.path is None:
        return False
    if settings.path.resolve().parent != folder.resolve():  # only the folder's own teichaku.toml
        return False
    return not any(p.suffix.lower() == ".csv" and p.is_file() for p in folder.iterdir())


def read_office(data: Path | None, config: Path | None = None) -> Office:
    """Read every table; problems are collected on ``office.problems``.

    Raises ``SourceError`` only when nothing can be read at all (missing file,
    unsupported or corrupt workbook).
    """
    path, settings = resolve_data(data, config)
    source = open_source(path)
    wanted = {table.name: [table.name, *(k for k, v in settings.sheets.items() if v == table.name)] for table in schema.TABLES}
    source.prefetch(list(wanted.values()))
    try:
        return _read_all(source, settings, wanted)
    finally:
        source.close()


def _read_all(source: Source, settings: Settings, wanted: dict[str, list[str]]) -> Office:
    import pandas as pd  # while the sheets are read in the background

    tables: dict[str, pd.DataFrame] = {}
    places: dict[str, TablePlace] = {}
    problems: list[Problem] = []
    for table in schema.TABLES:
        known = lambda names, t=table: len(_header_map(names, t, settings))  # noqa: E731 - a title line names fewer
        raw = source.sheet(wanted[table.name], known)
        if raw is None:
            places[table.name] = TablePlace(source.display, table.name)
            if table.required:
                problems.append(_missing_table(source, table))
            tables[table.name] = _empty_frame(table)
            continue
        frame, place, found = _read_table(raw, table, settings)
        tables[table.name], places[table.name] = frame, place
        problems += found
    office = Office(settings, source.display, tables, places, problems)
    if not any(p.structural for p in problems):
        from teichaku_cli.office.certificate_checks import certificate_checks
        from teichaku_cli.office.checks import cross_check

        problems += cross_check(office) + certificate_checks(office)
    return office


def load_office(data: Path | None, config: Path | None = None) -> Office:
    """Read the office and refuse it if anything is wrong (DataProblems, exit 2)."""
    office = read_office(data, config)
    if any(p.severity == "error" for p in office.problems):
        raise DataProblems(problems=office.problems)
    return office


def _missing_table(source: Source, table: Table) -> Problem:
    found = "、".join(source.available) or "なし"
    kind = "シート" if source.display.endswith("/") is False else "CSV ファイル"
    name = table.name if kind == "シート" else f"{table.name}.csv"
    return Problem(
        Place(source.display, table.name),
        f"必須の{kind}「{name}」がありません（あるもの: {found}）。",
        f"{kind}「{name}」を用意してください（teichaku init で空の様式を作れます）",
        structural=True,
    )


def _empty_frame(table: Table) -> "pd.DataFrame":
    import pandas as pd

    frame = pd.DataFrame({c.name: pd.Series([], dtype=_dtype(c)) for c in table.columns})
    frame[ROW] = pd.Series([], dtype="int64")
    return frame


def _dtype(column: Column) -> str:
    return {
        Kind.DATE: "datetime64[ns]",
        Kind.MONTH: "datetime64[ns]",
        Kind.YESNO: "bool",
    }.get(column.kind, "object")


def _header_map(header: list[str], table: Table, settings: Settings) -> dict[str, int]:
    """Canonical column → header position, via teichaku.toml [columns], the
    canonical name, then known aliases."""
    user_map = {normalize_name(k): v for k, v in settings.column_map(table.name).items()}
    positions: dict[str, int] = {}
    lookup = {}
    for column in table.columns:
        for name in (column.name, *column.aliases):
            lookup.setdefault(normalize_name(name), column.name)
    for index, name in enumerate(header):
        key = normalize_name(name)
        canonical = user_map.get(key) or lookup.get(key)
        if canonical and canonical not in positions:
            positions[canonical] = index
    return positions


def _read_table(raw: RawSheet, table: Table, settings: Settings) -> tuple["pd.DataFrame", TablePlace, list[Problem]]:
    import numpy as np
    import pandas as pd

    problems: list[Problem] = []
    positions = _header_map(raw.header, table, settings)
    place = TablePlace(raw.file, raw.sheet, {c: column_letter(i) for c, i in positions.items()})
    if not raw.header:
        return _empty_frame(table), place, [
            Problem(
                raw.place(),
                "見出し行もデータもありません（空のシート/ファイルです）。",
                f"1行目に見出し（{'、'.join(c.name for c in table.columns if c.required)} など）を入れてください",
                structural=table.required,
                severity="error" if table.required else "warning",
            )
        ]
    for merge in getattr(raw, "merges", []):
        (r1, c1), (r2, c2) = merge
        if r2 + 1 >= raw.header_row:
            problems.append(
                Problem(
                    raw.place(r1 + 1),
                    f"結合されたセル（{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}）があります。結合セルは左上以外の値が失われます。",
                    "セルの結合を解除し、各セルに値を入れてください",
                )
            )
    missing = [c for c in table.columns if c.required and c.name not in positions]
    for column in missing:
        problems.append(
            Problem(
                raw.place(raw.header_row, column.name),
                f"必須の列「{column.name}」がありません（見出し: {'、'.join(h for h in raw.header if h) or 'なし'}）。",
                f"見出し行に「{column.name}」の列を加えるか、teichaku.toml の [columns] で既存の見出しを対応づけてください",
                structural=True,
            )
        )
    unreadable, found = _gate_headers(raw, table, settings, positions)
    problems += found
    for name in unreadable:
        positions.pop(name, None)
    place.unreadable = unreadable
    rows = raw.rows
    data: dict[str, object] = {}
    for column in table.columns:
        index = positions.get(column.name)
        if index is None:
            data[column.name] = _defaults(column, len(rows))
            continue
        values, found = _convert(raw, column, index, rows)
        data[column.name] = values
        if column.gate and column.kind is not Kind.DATE:
            found = [_gate_value(p) for p in found]
        problems += found
    known = set(positions.values())
    for index, header in enumerate(raw.header):  # extra columns are kept for templates
        name = header.strip()
        if index not in known and name and name not in data:
            data[name] = [_as_text(v) for v in raw.columns[index]] if raw.sheet is not None else raw.columns[index]
    data[ROW] = np.asarray(rows, dtype=np.int64)
    frame = pd.DataFrame(data, copy=False)  # the arrays are ours alone: no copy
    for column in table.columns:
        if column.kind in (Kind.DATE, Kind.MONTH) and frame[column.name].dtype != "datetime64[ns]":
            frame[column.name] = pd.to_datetime(frame[column.name]).astype("datetime64[ns]")  # a column left at its default
    return frame, place, problems


def _gate_headers(raw: RawSheet, table: Table, settings: Settings, positions: dict[str, int]) -> tuple[dict[str, str], list[Problem]]:
    """Privacy-gate columns whose header cannot be trusted: named twice, or missing
    while an unknown header looks like it (障害開示の有無, 開示, 同意…). Either way the
    column is unreadable, which means nothing is shared — said as a warning, with how
    to name it."""
    mapped: dict[str, list[int]] = {}
    user_map = {normalize_name(k): v for k, v in settings.column_map(table.name).items()}
    names = {normalize_name(n): c.name for c in table.columns for n in (c.name, *c.aliases)}
    for index, header in enumerate(raw.header):
        canonical = user_map.get(normalize_name(header)) or names.get(normalize_name(header))
        if canonical:
            mapped.setdefault(canonical, []).append(index)
    unknown = [(i, h) for i, h in enumerate(raw.header) if h and not any(i in v for v in mapped.values())]
    unreadable: dict[str, str] = {}
    problems: list[Problem] = []
    consequence = "読めない列は「共有しない」として扱い、事業主用の帳票は作りません"
    for column in table.columns:
        if not column.gate:
            continue
        at = mapped.get(column.name, [])
        if len(at) > 1:
            shown = "、".join(f"{column_letter(i)}列「{raw.header[i]}」" for i in at)
            unreadable[column.name] = f"見出しが重複（{shown}）"
            problems.append(Problem(
                raw.place(raw.header_row, column.name, at[0]),
                f"「{column.name}」にあたる列が{len(at)}つあります（{shown}）。どちらを読むか決められません。{consequence}。",
                "1つを残して消すか、見出しを変えてください", severity="warning",
            ))
        elif not at:
            alike = [(i, h) for i, h in unknown if _looks_like(normalize_name(h), column, table)]
            if alike:
                i, header = alike[0]
                unreadable[column.name] = f"見出し「{header}」"
                problems.append(Problem(
                    raw.place(raw.header_row, column.name, i),
                    f"見出し「{header}」は「{column.name}」の列のようですが、名前が違うため読んでいません。{consequence}。",
                    f"見出しを「{column.name}」にするか、teichaku.toml の [columns] に \"{header}\" = \"{column.name}\" と書いてください",
                    value=header, severity="warning",
                ))
    return unreadable, problems


def _looks_like(header: str, column: Column, table: Table) -> bool:
    """Does an unknown header name this gate column in other words? The most specific
    word wins: 「共有同意日」 looks like 事業主共有同意日, not 事業主共有同意 or 事業主共有."""
    words = [(w, c) for c in table.columns if c.gate for w in c.lookalike if w in header]
    return bool(words) and max(words, key=lambda wc: len(wc[0]))[1] is column


def _gate_value(problem: Problem) -> Problem:
    """A gate cell that cannot be read: a warning, and "not shared"."""
    import dataclasses

    return dataclasses.replace(problem, severity="warning", message=problem.message + "読めない値は「共有しない」として扱います。")


def _defaults(column: Column, n: int) -> object:
    import numpy as np

    return np.full(n, column.default, dtype=bool if isinstance(column.default, bool) else object)


_PARSERS: dict[Kind, Callable[[Column], Callable[[object], object]]] = {
    Kind.ID: lambda c: parse_id,
    Kind.DATE: lambda c: parse_date,
    Kind.MONTH: lambda c: parse_month,
    Kind.YESNO: lambda c: lambda v: parse_yesno(v, *c.yes_no_words),
    Kind.AMOUNT: lambda c: parse_amount,
    Kind.CHOICE: lambda c: (lambda m: lambda v: parse_choice(v, m, c.choices, c.hints))(c.choice_map()),
}


def _as_text(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return normalize_text(value) if isinstance(value, float) else ("" if value is None else str(value).strip())


def _convert(raw: RawSheet, column: Column, index: int, rows: list[int]) -> tuple[object, list[Problem]]:
    """Parse one column, each distinct value once (a log repeats dates a lot).

    Returns the typed column (datetime64 for dates and months, object otherwise)
    and its problems; all per-cell work is vectorised.
    """
    import numpy as np
    import pandas as pd

    cells = np.asarray(raw.columns[index], dtype=object)
    bad_messages: dict[int, tuple[str, str, str]] = {}  # position → (shown, message, fix)
    if column.kind is Kind.TEXT:
        if raw.sheet is not None and set(map(type, cells)) - {str}:
            cells = np.array([_as_text(v) for v in cells], dtype=object)
        values = cells
        # calamine reads an xlsx error cell as empty (see error_cells); only CSV text can hold "#N/A"
        errors = EXCEL_ERRORS.intersection(values) if raw.sheet is None else ()
        if errors:
            for i in np.flatnonzero(np.isin(values, list(errors))):
                v = values[i]
                bad_messages[int(i)] = (v, f"Excel のエラー値「{v}」です。", "元の数式やセルを直し、値を入れてください")
        blank = values == ""
    else:
        parse = _PARSERS[column.kind](column)
        codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
        parsed: list[object] = []
        problems_by_code: dict[int, tuple[str, str, str]] = {}
        for code, value in enumerate(uniques):
            shown = _as_text(value)
            if shown == "":
                parsed.append(None)
                continue
            if shown in EXCEL_ERRORS:
                parsed.append(None)
                problems_by_code[code] = (shown, f"Excel のエラー値「{shown}」です。", "元の数式やセルを直し、値を入れてください")
                continue
            try:
                parsed.append(parse(value))
            except ValueProblem as exc:
                parsed.append(None)
                problems_by_code[code] = (shown, exc.message, exc.fix)
        if column.kind in (Kind.DATE, Kind.MONTH):
            table = pd.DatetimeIndex([pd.NaT if d is None else pd.Timestamp(d) for d in parsed] + [pd.NaT]).astype("datetime64[ns]")
            values = table.take(codes)  # code -1 (empty) picks the trailing NaT
            blank = np.asarray(values.isna())
            values = np.asarray(values)
        else:
            values = np.array(parsed + [None], dtype=object)[codes]
            blank = np.array([v is None for v in parsed] + [True], dtype=bool)[codes]
        if problems_by_code:
            for i in np.flatnonzero(np.isin(codes, list(problems_by_code))):
                bad_messages[int(i)] = problems_by_code[int(codes[i])]
    problems: list[Problem] = [
        Problem(raw.place(rows[i], column.name, index), message, fix, value=shown)
        for i, (shown, message, fix) in bad_messages.items()
    ]
    empty = [int(i) for i in np.flatnonzero(blank) if int(i) not in bad_messages]
    if column.required:
        for i in empty:
            if (rows[i], index) in raw.error_cells:
                problems.append(
                    Problem(raw.place(rows[i], column.name, index), "Excel のエラー値（#N/A など）です。", "元の数式やセルを直し、値を入れてください")
                )
            else:
                problems.append(
                    Problem(raw.place(rows[i], column.name, index), f"必須の「{column.name}」が空欄です。", f"「{column.name}」を入力してください")
                )
    else:
        if column.default is not None and blank.any():
            values = np.where(blank, column.default, values).astype(object)
        if raw.error_cells and column.kind is not Kind.TEXT:
            for i in empty:
                if (rows[i], index) in raw.error_cells:
                    problems.append(
                        Problem(raw.place(rows[i], column.name, index), "Excel のエラー値（#N/A など）です。", "元の数式やセルを直すか、空欄にしてください")
                    )
    return values, _cap(problems, raw, column, index)


def _cap(problems: list[Problem], raw: RawSheet, column: Column, index: int) -> list[Problem]:
    if len(problems) <= MAX_PER_COLUMN:
        return problems
    rest = len(problems) - MAX_PER_COLUMN
    return problems[:MAX_PER_COLUMN] + [
        Problem(raw.place(None, column.name, index), f"同じ列にほか{rest}件の問題があります。", "上の例と同じように直してください")
    ]
