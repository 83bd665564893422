"""A CSV folder read the fast way gives what reading it plainly gives: the columns of
values to parse come as codes into their distinct values (office/sources.py Coded),
the files are read in two threads and converted as they arrive — and the office, its
problems and its first refusal are those of reading one file after another."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from teichaku_cli.base.errors import TeichakuError
from teichaku_cli.model import schema
from teichaku_cli.office import load
from teichaku_cli.office.sources import Coded, CsvFolder, read_csv_file

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "csv"


@pytest.mark.parametrize("table", [t for t in schema.TABLES if (SAMPLE / f"{t.name}.csv").exists()], ids=lambda t: t.name)
def test_coded_columns_hold_the_same_cells(table):
    known, typed = load._readers(table, load.Settings())
    path = SAMPLE / f"{table.name}.csv"
    plain = read_csv_file(path, path.name, known)
    fast = read_csv_file(path, path.name, known, typed)
    assert fast.header == plain.header and fast.rows == plain.rows
    coded = [i for i, cells in enumerate(fast.columns) if isinstance(cells, Coded)]
    assert coded, "some columns are read as codes"
    for a, b in zip(fast.columns, plain.columns):
        assert np.asarray(a, dtype=object).tolist() == np.asarray(b, dtype=object).tolist()


def test_the_office_read_in_the_background_is_the_office_read_in_turn(monkeypatch):
    fast = load.read_office(SAMPLE)
    monkeypatch.setattr(CsvFolder, "prefetch", lambda self, wanted, readers=None: None)  # one file after another
    monkeypatch.setattr(load, "_readers", lambda table, settings: (lambda names: len(load._header_map(names, table, settings)[0]), None))  # no codes
    plain = load.read_office(SAMPLE)
    assert [p.describe() for p in fast.problems] == [p.describe() for p in plain.problems]
    for name, frame in fast.tables.items():
        other = plain.tables[name]
        assert list(frame.columns) == list(other.columns), name
        assert frame.astype(object).where(frame.notna(), None).values.tolist() == other.astype(object).where(other.notna(), None).values.tolist(), name


def test_the_first_file_that_cannot_be_read_is_the_one_said(tmp_path):
    folder = tmp_path / "office"
    shutil.copytree(SAMPLE, folder)
    for name in ("利用者", "支援記録"):  # UTF-16: neither can be read
        (folder / f"{name}.csv").write_bytes("利用者ID,氏名\r\n".encode("utf-16"))
    with pytest.raises(TeichakuError) as caught:
        load.read_office(folder)
    assert "利用者.csv" in caught.value.message and "支援記録" not in caught.value.message
