"""Reading an office: every table of the contract, typed, with every problem found.

``read_office`` never stops at the first problem: it reads all it can and returns
the office with the full list, so ``teichaku validate`` can show everything at
once. ``load_office`` is what the computing commands call: it refuses data with
errors (a wrong claim is worse than none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from teichaku_cli.base.errors import DataProblems, Place, Problem, TeichakuError, Touches, column_letter, did_you_mean, near_misses
from teichaku_cli.base.safe_write import open_in_excel
from teichaku_cli.model import schema
from teichaku_cli.model.office import ROW, Office, TablePlace
from teichaku_cli.model.schema import Column, Kind, Table
from teichaku_cli.model.settings import Settings
from teichaku_cli.office.settings import find_config, load_settings
from teichaku_cli.office.sources import EXCEL_ERRORS, Coded, Known, RawSheet, Source, Typed, header_at, normalize_name, open_source
from teichaku_cli.office.values import (
    CONTROL,
    CONTROL_IN_TEXT,
    PRIVATE_USE,
    OpenEnd,
    ValueProblem,
    control_problem,
    excel_text,
    normalize_text,
    parse_amount,
    parse_choice,
    parse_date,
    parse_id,
    parse_month,
    parse_yesno,
    private_use_problem,
)

if TYPE_CHECKING:
    import pandas as pd

MAX_PER_COLUMN = 20  # listed problems per sheet column; the rest are counted
MAX_CELL = 32_767  # characters Excel holds in a cell: a longer text would be cut when written back
SHOWN = 50  # characters of a bad value shown in a message


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


def read_office(data: Path | None, config: Path | None = None, every_text: bool = True) -> Office:
    """Read every table; problems are collected on ``office.problems``.
    ``every_text``: look for 外字 in every text column too (a warning there, for
    validate and the documents; the names, employers and IDs are always checked).

    Raises ``SourceError`` only when nothing can be read at all (missing file,
    unsupported or corrupt workbook).
    """
    path, settings = resolve_data(data, config)
    source = open_source(path)
    kept = {normalize_name(n) for n in settings.unread_sheets}  # "支援記録 (2)" = "": never read
    wanted = {
        table.name: [n for n in (table.name, *table.aliases, *(k for k, v in settings.sheets.items() if v == table.name)) if normalize_name(n) not in kept]
        for table in schema.TABLES
    }
    readers = {table.name: _readers(table, settings) for table in schema.TABLES}
    source.prefetch(list(wanted.values()), [readers[table.name] for table in schema.TABLES])
    try:
        office = _read_all(source, settings, wanted, every_text, readers)
    finally:
        source.close()
    office.read_as_saved = _open_in_excel(path, source)
    office.problems += office.read_as_saved
    office.inputs = [*source.inputs, *([settings.path] if settings.path else [])]
    return office


def _open_in_excel(path: Path, source: Source) -> list[Problem]:
    """Excel keeps a ~$ file beside a file it has open: what was read is the file as
    last saved, and changes not yet saved are not in it. A warning, naming the file."""
    if path.is_dir():
        opened = [p.name[2:] for p in getattr(source, "open_in_excel", [])]
    else:
        opened = [path.name] if open_in_excel(path) is not None else []
    return [
        Problem(
            Place(source.display, None),
            f"「{name}」は Excel で開かれているようです（「~${name}」などの一時ファイルがあります）。読んだのは最後に保存した内容で、保存していない変更は入っていません。",
            "Excel で保存してから実行してください（閉じていれば、残った「~$」のファイルは消してかまいません）",
            severity="warning",
            touches=Touches.EVERYTHING,
        )
        for name in opened
    ]


def _readers(table: Table, settings: Settings) -> tuple[Known, "Typed"]:
    """How a table's header is found (how many of its columns a row names: a title line
    names fewer) and which of its columns hold values to parse (read as codes in a CSV)."""
    known = lambda names: len(_header_map(names, table, settings)[0])  # noqa: E731
    typed = lambda header: {i for name, i in _header_map(header, table, settings)[0].items() if table.column(name).kind is not Kind.TEXT}  # noqa: E731
    return known, typed


def _read_all(
    source: Source, settings: Settings, wanted: dict[str, list[str]], every_text: bool = True, readers: "dict[str, tuple[Known, Typed]] | None" = None
) -> Office:

    tables: dict[str, pd.DataFrame] = {}
    places: dict[str, TablePlace] = {}
    problems: list[Problem] = list(settings.problems)
    missing: list[Table] = []
    read: dict[str, tuple[list[str], Known]] = {}  # table → (its header, how many of its columns a row names)
    # Tables are converted as their files are read (a CSV folder reads in the background and the
    # big log ends last), then put in the contract's order: problems are listed, and the first
    # file that cannot be read is refused, as if each had been read in turn.
    done: dict[int, tuple] = {}
    failed: dict[int, Exception] = {}
    for i in source.ready_order([wanted[t.name] for t in schema.TABLES]):
        table = schema.TABLES[i]
        known, typed = readers[table.name] if readers else _readers(table, settings)
        try:
            raw = source.sheet(wanted[table.name], known, typed)
        except TeichakuError as exc:
            failed[i] = exc
            continue
        done[i] = (raw, known, None if raw is None else _read_table(raw, table, settings, every_text))
    if failed:
        raise failed[min(failed)]
    for i, table in enumerate(schema.TABLES):
        raw, known, converted = done[i]
        if raw is None:
            places[table.name] = TablePlace(source.display, table.name)
            missing.append(table)
            tables[table.name] = _empty_frame(table)
            continue
        frame, place, found = converted
        tables[table.name], places[table.name] = frame, place
        problems += found
        read[table.name] = (raw.header, known)
    problems += _unread_sheets(source, wanted, missing, read, settings)
    office = Office(settings, source.display, tables, places, problems)
    if not any(p.structural for p in problems):
        from teichaku_cli.office.certificate_checks import certificate_checks
        from teichaku_cli.office.checks import cross_check

        problems += cross_check(office) + certificate_checks(office)
    return office


def load_office(data: Path | None, config: Path | None = None, every_text: bool = True) -> Office:
    """Read the office and refuse it if anything is wrong (DataProblems, exit 2)."""
    office = read_office(data, config, every_text)
    if any(p.severity == "error" for p in office.problems):
        raise DataProblems(problems=office.problems)
    return office


# The names programs give a copied sheet or file: Excel 「支援記録 (2)」, LibreOffice
# 「支援記録_2」, Windows 「支援記録 - コピー」, Google 「支援記録 のコピー」「Copy of 支援記録」
# (compared after normalize_name: NFKC, without spaces).
_COPY_NAMES = (
    re.compile(r"^(?P<base>.+?)\(\d+\)$"),
    re.compile(r"^(?P<base>.+?)_\d+$"),
    re.compile(r"^(?P<base>.+?)のコピー(?:\(\d+\))?$"),
    re.compile(r"^(?P<base>.+?)-?コピー(?:\(\d+\))?$"),
    re.compile(r"^copyof(?P<base>.+?)(?:\(\d+\))?$", re.IGNORECASE),
)


def _copy_of(name: str) -> str | None:
    """The name a copied sheet was copied from (「支援記録 (2)」 → 支援記録), normalised; None if it is no copy's name."""
    key = normalize_name(name)
    for pattern in _COPY_NAMES:
        if m := pattern.match(key):
            return m["base"]
    return None


def _unread_sheets(
    source: Source, wanted: dict[str, list[str]], missing: list[Table], read: dict[str, tuple[list[str], Known]], settings: Settings
) -> list[Problem]:
    """Sheets (or CSV files) read as no table, whose name or header row is a table's:

    - a second copy of a table that was read (「支援記録 (2)」 and the like, or the same
      header row under another name): an error — its rows are not read, and the result
      would be computed without them; every computing command reads every table. An
      archive the office keeps is mapped to nothing in [sheets] ("支援記録 (2)" = "").
    - a name close to a table's (「ジョブコーチ助成金」 was meant as 助成金 more likely than
      not): a missing required table, and a missing optional one with a near-miss, are
      errors (a table read as absent can make a claim look right); a second 就労履歴
      beside the one read too (the jobs decide what an employer may see); a near-miss of
      another table that was read is a warning that it was not read, said by every
      computing command (Touches.EVERYTHING)."""
    csv = source.display.endswith("/")
    kind = "CSV ファイル" if csv else "シート"
    label = (lambda n: f"{n}.csv") if csv else (lambda n: n)
    kept = {normalize_name(n) for n in settings.unread_sheets}
    used = {normalize_name(n) for names in wanted.values() for n in names} | kept
    unread = [n for n in source.available if normalize_name(n) not in used]
    missing_names = {t.name for t in missing}
    problems: list[Problem] = []
    present: dict[str, str] = {}  # table → the sheet it was read from
    for table, names in wanted.items():  # one table from two sheets: which holds the truth is not ours to guess
        keys = {normalize_name(n) for n in names}
        found = [n for n in source.available if normalize_name(n) in keys]
        if found and table not in missing_names:
            present[table] = found[0]
        if len(found) > 1:
            shown = "・".join(f"「{label(n)}」" for n in found)
            problems.append(
                Problem(
                    Place(source.display, found[1]),
                    f"{shown}は、どれも「{table}」として読める{kind}です。どれを読めばよいか分からないため、どれも読まずに止めます。",
                    f"1つにまとめ、ほかは「{table}」と紛らわしくない名前に変えるか削除してください"
                    "（teichaku.toml の [sheets] で名前を対応づけているなら、その対応も確かめてください）",
                    structural=True,
                )
            )

    def second_copy(name: str, table: str, why: str) -> Problem:
        sheet = present[table]
        return Problem(
            Place(source.display, name),
            f"{kind}「{label(name)}」は「{label(sheet)}」のコピーのようです（{why}）。読むのは「{label(sheet)}」だけで、"
            f"「{label(name)}」の行は計算に入りません。どちらの記録が正しいか分からないまま計算しません。",
            f"「{label(name)}」の行が要るなら「{label(sheet)}」の同じ見出しの列へ移し、「{label(name)}」は削除してください。"
            f"控えとして残すなら、teichaku.toml の [sheets] に \"{name}\" = \"\" と書くと読まずに進みます",
        )

    copies: set[str] = set()
    by_key = {normalize_name(n): t for t, names in wanted.items() if t in present for n in (*names, present[t])}
    for name in unread:  # a copy by its name
        base = _copy_of(name)
        if base is not None and base in by_key:
            copies.add(name)
            problems.append(second_copy(name, by_key[base], "コピーしたときに付く名前です"))
    for name in unread:  # a copy by its header row: the same header as a table that was read
        if name in copies:
            continue
        rows = source.first_rows(name)
        if not rows:
            continue
        for table, (header, known) in read.items():
            if table not in present or known(header) < 2:
                continue
            found = header_at(list(enumerate(rows)), known)
            if found is not None and _same_header(found[1], header):
                copies.add(name)
                shown = "・".join(h for h in header if h)
                problems.append(second_copy(name, table, f"見出しの行が同じです: {_short(shown)}"))
                break
    # a sheet close to a table's name or to one of its aliases (「職歴（2025）」 → 就労履歴)
    names_of = {n: t.name for t in schema.TABLES for n in (t.name, *t.aliases)}
    claimed: dict[str, str] = {}  # missing table → the unread sheet that is probably it
    for name in unread:
        if name in copies:
            continue
        close = list(dict.fromkeys(names_of[n] for n in near_misses(name, names_of)))
        if not close:
            continue
        target = next((t for t in close if t in missing_names), close[0])
        if target == schema.HISTORY.name and target not in missing_names:
            # a second history beside the one read: the jobs decide what an employer may see
            problems.append(
                Problem(
                    Place(source.display, name),
                    f"{kind}「{label(name)}」は「{label(target)}」と似た名前ですが、読んでいません。就労履歴は事業主用の帳票に何を載せるかを決めるため、"
                    "どちらが正しいか分からないまま進めません。",
                    f"就労履歴は「{label(target)}」の1つにまとめ、「{label(name)}」は名前を変えるか削除してください"
                    f"（控えとして残すなら、teichaku.toml の [sheets] に \"{name}\" = \"\" と書くと読まずに進みます）",
                )
            )
            continue
        if target in missing_names:
            claimed.setdefault(target, name)
            if schema.TABLES_BY_NAME[target].required:
                continue  # said with the missing table below
            problems.append(
                Problem(
                    Place(source.display, name),
                    f"{kind}「{label(name)}」は読んでいません。{did_you_mean([label(target)])}（「{label(target)}」がないため、ないものとして計算されます）",
                    f"{kind}の名前を「{label(target)}」に変えるか、teichaku.toml の [sheets] に \"{name}\" = \"{target}\" と書いてください"
                    f"（「{target}」でなければ、紛らわしくない名前に変えてください）",
                )
            )
        else:
            problems.append(
                Problem(
                    Place(source.display, name),
                    f"{kind}「{label(name)}」は読んでいません（読むのは「{label(target)}」だけです）。",
                    f"「{label(target)}」の記録なら、「{label(target)}」に移してください。控えとして残すなら、teichaku.toml の [sheets] に \"{name}\" = \"\" と書くと、この注意は出ません",
                    severity="warning",
                    touches=Touches.EVERYTHING,
                )
            )
    for table in missing:
        if table.required:
            found = "、".join(label(n) for n in source.available) or "なし"
            hint = did_you_mean([label(claimed[table.name])]) if table.name in claimed else ""
            problems.append(
                Problem(
                    Place(source.display, table.name),
                    f"必須の{kind}「{label(table.name)}」がありません（あるもの: {found}）。{hint}",
                    f"{kind}「{label(table.name)}」を用意してください（teichaku init で空の様式を作れます。名前が違うだけなら teichaku.toml の [sheets] で対応づけられます）",
                    structural=True,
                )
            )
    return problems


def _same_header(names: list[str], header: list[str]) -> bool:
    """Two header rows alike (after normalize_name, trailing blanks aside)."""
    a = [normalize_name(n) for n in names]
    b = [normalize_name(n) for n in header]
    while a and not a[-1]:
        a.pop()
    while b and not b[-1]:
        b.pop()
    return a == b


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


def _header_map(header: list[str], table: Table, settings: Settings) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Canonical column → header position, and the columns named more than once.

    A header names a column through teichaku.toml [columns] (the office's own
    word, first), its canonical name, or a known alias (last): an export with both
    「利用者ID」 and the alias 「利用者番号」 reads 利用者ID, and keeps the other as
    an extra column. Two headers at the same level (two 「離職日」) are duplicates:
    which one holds the truth is not ours to guess."""
    own = {c.name for c in table.columns}
    user_map = {normalize_name(k): v for k, v in settings.column_map(table.name).items() if v in own}
    canonical = {normalize_name(c.name): c.name for c in table.columns}
    aliases: dict[str, str] = {}
    for column in table.columns:
        for name in column.aliases:
            aliases.setdefault(normalize_name(name), column.name)
    found: dict[str, list[tuple[int, int]]] = {}  # column → (level, position)
    for index, name in enumerate(header):
        key = normalize_name(name)
        if not key:
            continue
        for level, names in enumerate((user_map, canonical, aliases)):
            if key in names:
                found.setdefault(names[key], []).append((level, index))
                break
    positions: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    for column, places in found.items():
        best = min(level for level, _ in places)
        at = [index for level, index in places if level == best]
        positions[column] = at[0]
        if len(at) > 1:
            duplicates[column] = at
    return positions, duplicates


def duplicated_header(raw: RawSheet, column: Column, indexes: list[int]) -> Problem:
    """Two columns for one field: an error (which one holds the truth is not ours to
    guess). Privacy-gate columns have their own policy (``_gate_headers``: a warning,
    and the column read as unknown, so nothing is shared)."""
    letters = "と".join(f"{column_letter(i)}列" for i in indexes)
    return Problem(
        raw.place(raw.header_row, column.name, indexes[0]),
        f"「{column.name}」の列が重複しています（{letters}）。どちらを読むか決められません。",
        "どちらかの列を消すか見出しを変えてください（teichaku.toml の [columns] でどちらを読むか決めることもできます）",
    )


def _read_table(raw: RawSheet, table: Table, settings: Settings, every_text: bool = True) -> tuple["pd.DataFrame", TablePlace, list[Problem]]:
    import numpy as np
    import pandas as pd

    problems: list[Problem] = []
    positions, duplicates = _header_map(raw.header, table, settings)
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
    read = set(positions.values())
    for merge in getattr(raw, "merges", []):
        (r1, c1), (r2, c2) = merge
        if r2 + 1 == raw.header_row and read.isdisjoint(range(c1, c2 + 1)):
            continue  # a header cell merged over columns teichaku does not read: nothing of a record is lost
        if r2 + 1 >= raw.header_row:
            problems.append(
                Problem(
                    raw.place(r1 + 1),
                    f"結合されたセル（{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}）があります。結合セルは左上以外の値が失われます。",
                    "セルの結合を解除し、各セルに値を入れてください",
                )
            )
    for row, name in raw.skipped:  # an Excel Table's totals row: its own kind of row, not a record
        problems.append(
            Problem(
                raw.place(row),
                f"Excel のテーブル「{name}」の集計行（{row}行目）は、記録ではないため読みませんでした。",
                "このままで構いません",
                severity="warning",
            )
        )
    if raw.outside:  # unread: said, since it is where Excel thinks the sheet ends
        row, col = raw.outside[0]
        more = f"（ほか{len(raw.outside) - 1}か所）" if len(raw.outside) > 1 else ""
        problems.append(
            Problem(
                raw.place(row, None, col),
                f"セル {column_letter(col)}{row} {more}に値がありますが、表の外（見出しのない列で、表に何も書いていない行）のため読んでいません。",
                "要らない値なら消してください（Excel はシートがそこまで続くと見なします）。表の記録なら、見出しのある列に入れてください",
                severity="warning",
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
    for column in table.columns:
        if column.name in duplicates and not column.gate:  # a gate column's own policy is _gate_headers'
            problems.append(duplicated_header(raw, column, duplicates[column.name]))
    problems += _maps_a_name_away(raw, table, settings)
    unreadable, gate_positions, found = _gate_headers(raw, table, settings, positions)
    problems += found
    for name in unreadable:
        positions.pop(name, None)
        place.letters.pop(name, None)  # not read: as good as missing, for every check after this
    place.unreadable = unreadable
    rows = raw.rows
    hidden = _hidden_cells(raw)
    problems += hidden.problems
    data: dict[str, object] = {}
    written_for_excel: dict[str, int] = {}
    for column in table.columns:
        index = positions.get(column.name)
        if index is None:
            data[column.name] = _defaults(column, len(rows))
            continue
        values, found = _convert(raw, column, index, rows, hidden, written_for_excel, every_text)
        data[column.name] = values
        if column.gate and column.kind is not Kind.DATE:
            found = [_gate_value(p) for p in found]
        problems += found
    if written_for_excel:  # ="0001" (a CSV made for Excel): read as 0001, said once
        columns = "・".join(f"「{c}」" for c in written_for_excel)
        problems.append(Problem(
            raw.place(None, next(iter(written_for_excel)), positions[next(iter(written_for_excel))]),
            f'{columns}の ="0001" の形の値（Excel に文字として読ませる書き方、{sum(written_for_excel.values()):,}件）を、0001 のように中の値として読みました。',
            "このままで構いません",
            severity="warning",
        ))
    known = set(positions.values()) | gate_positions  # an unreadable gate's own column is no extra column
    extra_seen: dict[str, int] = {}
    for index, header in enumerate(raw.header):  # extra columns are kept for templates
        name = header.strip()
        if index in known or not name:
            continue
        if name in data or name in extra_seen:
            first = positions.get(name, extra_seen.get(name))
            problems.append(
                Problem(
                    raw.place(raw.header_row, name, index),
                    f"見出し「{name}」の列が重なっています（{column_letter(first)}列と{column_letter(index)}列）。この列は読みません。" if first is not None else f"見出し「{name}」の列が重なっています。この列は読みません。",
                    "見出しを変えてください",
                    severity="warning",
                )
            )
            continue
        extra_seen[name] = index
        cells = [_as_text(v) for v in raw.columns[index]] if raw.sheet is not None else raw.columns[index]
        data[name] = cells
        extra = Column(name)
        found_here = _text_problems(cells, hidden, rows, index, raw.text_marks, raw.sheet is not None)
        problems += _cap(
            [Problem(raw.place(rows[i], name, index), message, fix, value=shown) for i, (shown, message, fix) in found_here.items()],
            raw, extra, index,
        )
        if every_text:
            problems += _private_use_warnings(_private_use(cells, raw.text_marks, strict=False), found_here, raw, rows, name, index)
    data[ROW] = np.asarray(rows, dtype=np.int64)
    # The arrays are ours alone: no copy. Text stays a plain object column: pandas 3
    # would otherwise turn every text column into its string dtype, checking each cell
    # (~0.1 s a million-row table) and making every later walk over it several times slower.
    frame = pd.DataFrame(
        {k: pd.Series(v, dtype=object, copy=False) if isinstance(v, np.ndarray) and v.dtype == object else v for k, v in data.items()},
        copy=False,
    )
    for column in table.columns:
        if column.kind in (Kind.DATE, Kind.MONTH) and frame[column.name].dtype != "datetime64[ns]":
            frame[column.name] = pd.to_datetime(frame[column.name]).astype("datetime64[ns]")  # a column left at its default
    return frame, place, problems


def _maps_a_name_away(raw: RawSheet, table: Table, settings: Settings) -> list[Problem]:
    """[columns] may give an export's own word for a column, not move one column onto
    another: "本人の取組" = "共有事項" would print the 本人の取組 as 共有事項 (and so into
    an employer copy) and drop the real 共有事項. An error, naming both."""
    names = {normalize_name(n): c.name for c in table.columns for n in (c.name, *c.aliases)}
    present = {normalize_name(h) for h in raw.header}
    found = []
    for key, target in settings.column_map(table.name).items():
        own = names.get(normalize_name(key))
        if own is not None and own != target and normalize_name(key) in present:
            found.append(Problem(
                raw.place(raw.header_row),
                f"teichaku.toml の [columns] が見出し「{key}」を「{target}」として読むよう書いていますが、「{key}」は「{own}」の列の名前です。"
                f"別の列を「{target}」として読むと、その内容が違う欄に（事業主用にも）載ってしまいます。",
                f"この対応づけを消してください（「{key}」はそのまま「{own}」として読みます）",
                value=key, structural=True,
            ))
    return found


def _gate_headers(raw: RawSheet, table: Table, settings: Settings, positions: dict[str, int]) -> tuple[dict[str, str], set[int], list[Problem]]:
    """Privacy-gate columns whose header cannot be trusted: named twice, or beside an
    unknown header that looks like it (障害開示の有無, 開示変更, 同意年月日, 同意撤回日,
    勤務先名…) — whether or not the gate's own header is there too, since a second
    column about the same gate (a withdrawal, a newer value) may say the opposite.
    Either way the column is unreadable, which means nothing is shared: a warning,
    with how to name it, said by the commands whose result it changes (Touches.SHARING).
    A header naming an unrelated subject (schema.UNRELATED_SUBJECTS: 「個人情報同意日」)
    is no look-alike: an unknown column like any other, listed once.

    Returns the unreadable columns (→ why), the header positions that name them (not
    to be taken for extra columns: the real 事業主共有同意 is never "a duplicate"),
    and the problems."""
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
        if column.gate and len(mapped.get(column.name, [])) > 1:
            at = mapped[column.name]
            shown = "、".join(f"{column_letter(i)}列「{raw.header[i]}」" for i in at)
            unreadable[column.name] = f"見出しが重複（{shown}）"
            problems.append(Problem(
                raw.place(raw.header_row, column.name, at[0]),
                f"「{column.name}」にあたる列が{len(at)}つあります（{shown}）。どちらを読むか決められません。{consequence}。",
                "1つを残して消すか、見出しを変えてください", severity="warning", touches=Touches.SHARING,
            ))
    unrelated: list[tuple[int, str, str]] = []  # (position, header, subject)
    for i, header in unknown:
        key = normalize_name(header)
        column = _looks_like(key, table)
        if column is not None and (subject := schema.unrelated_subject(key)) is not None:
            unrelated.append((i, header, subject))
            continue
        if column is None or column.name in unreadable:
            continue
        unreadable[column.name] = f"見出し「{header}」"
        present = column.name in mapped
        problems.append(Problem(
            raw.place(raw.header_row, column.name, i),
            f"見出し「{header}」は「{column.name}」{'と同じことについての別の列' if present else 'の列'}のようですが、"
            f"teichaku の列名ではないため読めません。{consequence}。",
            (f"「{column.name}」と食い違うなら直して1つの列にまとめ、関係のない列なら見出しから「{column.name}」を思わせる言葉を外してください"
             if present else
             f"見出しを「{column.name}」にするか、teichaku.toml の [columns] に \"{header}\" = \"{column.name}\" と書いてください"),
            value=header, severity="warning", touches=Touches.SHARING,
        ))
    if unrelated:  # said once a sheet: what was not taken for a gate, and why
        shown = "・".join(f"{column_letter(i)}列「{h}」" for i, h, _ in unrelated)
        subjects = "・".join(dict.fromkeys(s for _, _, s in unrelated))
        problems.append(Problem(
            raw.place(raw.header_row, None, unrelated[0][0]),
            f"{shown}は、{subjects}についての列として読みました（事業主との共有を決める列ではありません）。ほかの知らない列と同じく、帳票のために残します。",
            "このままで構いません。事業主との共有についての列なら、見出しを teichaku の列名にするか、teichaku.toml の [columns] で対応づけてください",
            severity="warning",
        ))
    hidden = {i for name in unreadable for i in mapped.get(name, [])}
    return unreadable, hidden, problems


def _looks_like(header: str, table: Table) -> Column | None:
    """The gate column an unknown header names in other words: the longest pattern
    that matches decides (「共有同意日」 is about 事業主共有同意日, not 事業主共有同意)."""
    import re

    found = [(len(w), c) for c in table.columns if c.gate for w in c.lookalike if re.search(w, header)]
    return max(found, key=lambda lc: lc[0])[1] if found else None


def _gate_value(problem: Problem) -> Problem:
    """A gate cell that cannot be read: a warning, and "not shared"."""
    import dataclasses

    return dataclasses.replace(problem, severity="warning", message=problem.message + "読めない値は「共有しない」として扱います。", touches=Touches.SHARING)


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


def _short(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


@dataclass
class _Hidden:
    """Cells calamine reads as blank that were not (error values, formulas without
    a saved result): by (row, column index), with the problems of those in rows
    that look blank otherwise (and so were dropped as blank rows)."""

    cells: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)  # → (message, fix)
    positions: dict[int, int] = field(default_factory=dict)  # Excel row → data position
    problems: list[Problem] = field(default_factory=list)

    def in_column(self, index: int) -> dict[int, tuple[str, str]]:
        """data position → (message, fix) of the hidden cells in one column."""
        return {self.positions[r]: why for (r, c), why in self.cells.items() if c == index and r in self.positions}


_ERROR_CELL = ("Excel のエラー値（#N/A・#REF! など）です。", "元の数式やセルを直し、値を入れてください（空欄でよければセルを消してください）")
_UNCALCULATED = (
    "数式の結果が保存されていません（数式だけがあり、値がありません。スクリプトや他のソフトが書いたブックで起きます）。",
    "Excel で開いて保存し直すと結果が保存されます。数式でなくてよければ値を入力してください",
)


def _hidden_cells(raw: RawSheet) -> _Hidden:
    hidden = _Hidden()
    if not raw.error_cells and not raw.uncalculated:
        return hidden
    width = len(raw.header)
    for cells, why in ((raw.uncalculated, _UNCALCULATED), (raw.error_cells, _ERROR_CELL)):
        for row, col in cells:
            if row > raw.header_row and col < width:
                hidden.cells[(row, col)] = why
    hidden.positions = {r: i for i, r in enumerate(raw.rows)}
    dropped: dict[int, list[int]] = {}
    for row, col in hidden.cells:
        if row not in hidden.positions:
            dropped.setdefault(row, []).append(col)
    for row, cols in sorted(dropped.items())[:MAX_PER_COLUMN]:
        col = min(cols)
        message, fix = hidden.cells[(row, col)]
        hidden.problems.append(Problem(raw.place(row, raw.header[col] or None, col), message, fix))
    return hidden


def _text_problems(
    values, hidden: _Hidden, rows: list[int], index: int, marks: frozenset[str] | None = None, workbook: bool = False
) -> dict[int, tuple[str | None, str, str]]:
    """Text cells (``str`` each) that cannot be used as they are: control characters
    (tab and line breaks are text), more than Excel holds, an error value typed or
    exported as text. The cells' text is not shown: it may be a support note.
    Each check runs once over the whole column joined (~10 ms for 200,000 CSV
    cells) and looks at single cells only when it finds something; in a workbook,
    only the checks the file's bytes call for (``marks``; a workbook's cells,
    scattered in memory, cost several times more to walk)."""
    found: dict[int, tuple[str | None, str, str]] = {}
    if marks is not None and not marks - {"private"}:  # 外字 is _private_use's
        for i, (message, fix) in hidden.in_column(index).items():
            found[i] = (None, message, fix)
        return found
    marks = marks if marks is not None else frozenset({"control", "hash", "long"})
    joined = "".join(values)
    if "control" in marks and not joined.isprintable() and CONTROL_IN_TEXT.search(joined):
        for i, v in enumerate(values):
            if problem := control_problem(v, CONTROL_IN_TEXT):
                found[i] = (None, problem.message, problem.fix)
    # a workbook's reader stops a cell at Excel's limit: one that reaches it was longer in the file
    limit = MAX_CELL if workbook else MAX_CELL + 1
    if "long" in marks and len(joined) >= limit and max(map(len, values)) >= limit:
        for i, v in enumerate(values):
            if len(v) >= limit:
                message = (
                    f"Excel のセルに入る {MAX_CELL:,}文字に達していて、それより後は読めていません。"
                    if workbook
                    else f"{len(v):,}文字あり、Excel のセルに入る {MAX_CELL:,}文字を超えています。"
                )
                found[i] = (None, message, "内容を分けるか短くしてください（Excel に書くと切れてしまいます）")
    if "hash" in marks and "#" in joined and (errors := EXCEL_ERRORS.intersection(values)):
        for i, v in enumerate(values):
            if v in errors:
                found[i] = (v, f"Excel のエラー値「{v}」です。", "元の数式やセルを直し、値を入れてください")
    for i, (message, fix) in hidden.in_column(index).items():
        found.setdefault(i, (None, message, fix))
    return found


def _private_use(values, marks: frozenset[str] | None, strict: bool = True) -> dict[int, ValueProblem]:
    """The cells of a text column holding a private-use character (外字): position → its
    problem. One search over the column joined, and only where the file's bytes allow
    one (``marks``)."""
    if marks is not None and "private" not in marks:
        return {}
    joined = "".join(values)
    if joined.isprintable() or not PRIVATE_USE.search(joined):  # isprintable: one fast pass, False for any 外字
        return {}
    return {i: p for i, v in enumerate(values) if (p := private_use_problem(v, strict)) is not None}


def _private_use_warnings(found: dict[int, ValueProblem], other: dict, raw: RawSheet, rows: list[int], name: str, index: int) -> list[Problem]:
    """外字 in other text: a warning a cell (up to MAX_PER_COLUMN, then a count), said by
    the commands that print text into documents too (Touches.TEXT)."""
    listed = [(i, p) for i, p in found.items() if i not in other]
    warnings = [
        Problem(raw.place(rows[i], name, index), p.message, p.fix, severity="warning", touches=Touches.TEXT)
        for i, p in listed[:MAX_PER_COLUMN]
    ]
    if len(listed) > MAX_PER_COLUMN:
        warnings.append(Problem(
            raw.place(None, name, index), f"同じ列にほか{len(listed) - MAX_PER_COLUMN}件の外字があります。", "上の例と同じように直してください",
            severity="warning", touches=Touches.TEXT,
        ))
    return warnings


def _convert(
    raw: RawSheet, column: Column, index: int, rows: list[int], hidden: _Hidden, notes: dict[str, int] | None = None, every_text: bool = True
) -> tuple[object, list[Problem]]:
    """Parse one column, each distinct value once (a log repeats dates a lot).
    ``notes``: ID column → how many cells were written ="0001" (said once a table).

    Returns the typed column (datetime64 for dates and months, object otherwise)
    and its problems; all per-cell work is vectorised.
    """
    import numpy as np
    import pandas as pd

    coded = raw.columns[index] if isinstance(raw.columns[index], Coded) else None
    cells = np.asarray(raw.columns[index], dtype=object) if coded is None else None
    bad_messages: dict[int, tuple[str | None, str, str]] = {}  # position → (shown, message, fix)
    open_ends = 0
    if column.kind is Kind.TEXT:
        if cells is None:
            cells = np.asarray(coded, dtype=object)
        if raw.sheet is not None and set(map(type, cells)) - {str}:
            cells = np.array([_as_text(v) for v in cells], dtype=object)
        values = cells
        bad_messages = _text_problems(values, hidden, rows, index, raw.text_marks, raw.sheet is not None)
        if column.claim_text:  # 外字 in a name: an error, like any value that cannot be used
            for i, problem in _private_use(values, raw.text_marks).items():
                bad_messages.setdefault(i, (None, problem.message, problem.fix))
        elif every_text:
            private = _private_use(values, raw.text_marks, strict=False)
        blank = values == ""
    else:
        parse = _PARSERS[column.kind](column)
        if coded is not None:  # read as codes into the distinct values already (office/sources.py Coded)
            codes, uniques = coded.codes, coded.values
        else:
            codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
        parsed: list[object] = []
        problems_by_code: dict[int, tuple[str | None, str, str]] = {}
        open_end_codes: list[int] = []
        written_for_excel: list[int] = []  # ="0001": read as 0001, counted for one note a table
        for code, value in enumerate(uniques):
            shown = _as_text(value)
            if shown == "":
                parsed.append(None)
                continue
            if column.kind is Kind.ID and shown[:1] in ("=", "＝") and excel_text(value) is not None:
                written_for_excel.append(code)
            if shown in EXCEL_ERRORS:
                parsed.append(None)
                problems_by_code[code] = (shown, f"Excel のエラー値「{shown}」です。", "元の数式やセルを直し、値を入れてください")
                continue
            if problem := control_problem(shown, CONTROL):
                parsed.append(None)
                problems_by_code[code] = (None, problem.message, problem.fix)
                continue
            try:
                parsed.append(parse(value))
            except OpenEnd as exc:
                parsed.append(None)
                if column.open_end:
                    open_end_codes.append(code)
                else:
                    problems_by_code[code] = (_short(shown), exc.message, exc.fix)
            except ValueProblem as exc:
                parsed.append(None)
                problems_by_code[code] = (_short(shown), exc.message, exc.fix)
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
        if open_end_codes:
            open_ends = int(np.isin(codes, open_end_codes).sum())
        if written_for_excel and notes is not None:
            notes[column.name] = int(np.isin(codes, written_for_excel).sum())
        for i, (message, fix) in hidden.in_column(index).items():
            bad_messages.setdefault(i, (None, message, fix))
    problems: list[Problem] = [
        Problem(raw.place(rows[i], column.name, index), message, fix, value=shown)
        for i, (shown, message, fix) in bad_messages.items()
    ]
    if column.required:
        for i in np.flatnonzero(blank):
            if int(i) not in bad_messages:
                problems.append(
                    Problem(raw.place(rows[i], column.name, index), f"必須の「{column.name}」が空欄です。", f"「{column.name}」を入力してください")
                )
    elif column.default is not None and blank.any():
        values = np.where(blank, column.default, values).astype(object)
    problems = _cap(problems, raw, column, index)
    if column.kind is Kind.TEXT and not column.claim_text and every_text:
        problems += _private_use_warnings(private, bad_messages, raw, rows, column.name, index)
    if open_ends:
        problems.append(
            Problem(
                raw.place(None, column.name, index),
                f"9999-12-31（{open_ends:,}件）を「日付なし」として空欄に読みました。",
                "このままで構いません（空欄にしても同じ意味です）",
                severity="warning",
            )
        )
    return values, problems


def _cap(problems: list[Problem], raw: RawSheet, column: Column, index: int) -> list[Problem]:
    if len(problems) <= MAX_PER_COLUMN:
        return problems
    rest = len(problems) - MAX_PER_COLUMN
    return problems[:MAX_PER_COLUMN] + [
        Problem(raw.place(None, column.name, index), f"同じ列にほか{rest}件の問題があります。", "上の例と同じように直してください")
    ]
