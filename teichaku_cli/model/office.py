"""The office as read: its settings, one typed table per sheet, where each came from,
and the problems found while reading. ``office/`` reads files into it; the rules
ask it (and the typed objects it gives: working lives, certificates, month facts)
their questions."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from teichaku_cli.base.errors import Place, Problem
from teichaku_cli.model import schema
from teichaku_cli.model.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

    from teichaku_cli.model.certificates import CertificateBook
    from teichaku_cli.model.facts import MonthFacts
    from teichaku_cli.model.people import Person
    from teichaku_cli.model.history import WorkingLives

ROW = schema.ROW  # the Excel row number of each record


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
    inputs: list[Path] = field(default_factory=list)  # every file read: no output may be written over one
    read_as_saved: list[Problem] = field(default_factory=list)  # inputs open in Excel: every command says so

    @property
    def users(self) -> "pd.DataFrame":
        return self.tables[schema.USERS.name]

    @property
    def contacts(self) -> "pd.DataFrame":
        return self.tables[schema.CONTACTS.name]

    def table(self, name: str) -> "pd.DataFrame":
        return self.tables[name]

    def warnings_for(self, command: str) -> list[Problem]:
        """The reading warnings that can change what ``command`` computes (each marked
        with ``Touches``): said by that command too, not left to ``validate``."""
        return [p for p in self.problems if p.severity != "error" and p.touches is not None and p.touches.concerns(command)]

    @functools.cached_property
    def lives(self) -> "WorkingLives":
        """Each person's jobs (就労履歴, or the single-job columns on 利用者)."""
        from teichaku_cli.model.history import HISTORY_TABLE, USERS_TABLE, WorkingLives
        from teichaku_cli.model.rows import records

        readable = schema.C.CONSENT_FROM not in self.places[HISTORY_TABLE].unreadable
        users_readable = schema.C.CONSENT_FROM not in self.places[USERS_TABLE].unreadable
        return WorkingLives(records(self.table(HISTORY_TABLE)), readable, users_readable)

    @functools.cached_property
    def certificates(self) -> "CertificateBook":
        """Each user's 受給者証 (支給決定期間) and the 上限管理結果 of the months managed across offices."""
        from teichaku_cli.model.certificates import CertificateBook

        return CertificateBook.of_tables(self.table(schema.CERTIFICATES.name), self.table(schema.CAP_RESULTS.name))

    @functools.cached_property
    def people(self) -> "list[Person]":
        """Everyone on the 利用者 sheet, in its order."""
        from teichaku_cli.model.people import Person
        from teichaku_cli.model.rows import records

        return [Person.of(record) for record in records(self.users)]

    @functools.cached_property
    def person_by_id(self) -> "dict[str, Person]":
        return {p.user_id: p for p in self.people}

    def people_in_service(self, first: date, last: date) -> "list[Person]":
        """Those served on some day from ``first`` to ``last`` (a month, or one day)."""
        return [p for p in self.people if p.in_service(first, last)]

    def month_facts(self, month: date) -> "MonthFacts":
        """What the records say of ``month`` (its first day), computed once and kept."""
        month = month.replace(day=1)
        facts = self._month_facts.get(month)
        if facts is None:
            from teichaku_cli.model.facts import MonthFacts

            facts = self._month_facts[month] = MonthFacts.of_tables(
                month,
                self.contacts,
                self.table(schema.REPORTS.name),
                self.table(schema.PLANS.name),
                self.table(schema.SUBSIDIES.name),
                self.table(schema.MEETINGS.name),
            )
        return facts

    @functools.cached_property
    def _month_facts(self) -> dict:
        return {}

    @functools.cached_property
    def first_handoffs(self) -> "dict[str, date]":
        """Per user, the first handoff to the next agency on record (model/facts.py)."""
        from teichaku_cli.model.facts import first_handoffs

        return first_handoffs(self.contacts)

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
