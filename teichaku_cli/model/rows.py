"""Rows of the office tables as plain Python values, for the per-user code."""

from __future__ import annotations

from datetime import date


def records(frame, columns=None) -> list[dict]:
    """A table's rows as dicts of plain Python values (datetime for dates, NaT for
    blank dates): several times faster than ``DataFrame.to_dict("records")``,
    which boxes every date as a pandas Timestamp."""
    names = list(frame.columns if columns is None else columns)
    arrays = [
        frame[n].dt.to_pydatetime().tolist() if frame[n].dtype.kind == "M" else frame[n].tolist() for n in names
    ]
    return [dict(zip(names, row)) for row in zip(*arrays)]


def as_date(value) -> date | None:
    """A pandas Timestamp or datetime, or NaT/None → date or None."""
    return None if value is None or value != value else value.date()
