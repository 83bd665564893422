"""Typed exceptions and the problem record every reader and rule reports with.

The core never prints and never exits: it raises one of these, and the CLI edge
turns them into a Japanese one-liner and an exit code (0 fine, 1 problems in the
data, 2 could not run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable


def column_letter(index: int) -> str:
    """0-based column index → Excel column letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Place:
    """Where a problem is, as staff would look for it in Excel."""

    file: str
    sheet: str | None = None
    row: int | None = None  # row number as Excel (or a text editor) shows it
    column: str | None = None  # canonical header
    column_letter: str | None = None

    def describe(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"シート「{self.sheet}」")
        if self.row is not None:
            parts.append(f"{self.row}行目")
        if self.column:
            col = f"{self.column_letter}列" if self.column_letter else ""
            parts.append(f"{col}「{self.column}」")
        return " ".join(parts)


class Touches(Enum):
    """What a reading warning can change in a computing command's result, and so
    which commands say it (on stderr before the result, and in their JSON) besides
    ``validate``. A warning without it cannot change a result and stays validate's.
    Each member's value names the commands it concerns (docs/data-format.md lists them)."""

    # rows not read at all (a sheet that looks like a table, left unread; a file open
    # in Excel, read as last saved): any result may be missing something
    EVERYTHING = ("check", "due", "rate", "report", "plan")
    # a privacy gate read as "not shared" (a look-alike or duplicated gate column, a
    # missing or blank gate): check's employer findings and report's employer copies
    SHARING = ("check", "report")
    # text that would print wrongly in a document (a private-use character, 外字)
    TEXT = ("report", "plan")

    def concerns(self, command: str) -> bool:
        return command in self.value


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the office data.

    ``structural`` problems (missing file, sheet or column, undecodable CSV) mean
    the data could not be read at all; the others are values to fix. ``touches``
    marks a warning that can change what a computing command computes (``Touches``).
    """

    place: Place
    message: str
    fix: str = ""
    value: str | None = None
    severity: str = "error"  # "error" | "warning"
    structural: bool = False
    touches: Touches | None = field(default=None, kw_only=True)  # keyword only: subclasses add positional fields (ClaimProblem.code)

    def describe(self) -> str:
        text = f"{self.place.describe()}: "
        if self.value is not None:
            text += f"値「{self.value}」: "
        text += self.message
        if self.fix:
            text += f" → {self.fix}"
        return text


class TeichakuError(Exception):
    """Base of every error the CLI shows as a message rather than a traceback."""

    exit_code = 2

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def describe(self) -> str:
        return f"{self.message} → {self.fix}" if self.fix else self.message


class UsageError(TeichakuError):
    """A command-line value (month, year, path) that cannot be used."""


@dataclass
class DataProblems(TeichakuError):
    """The office data has problems; carries every one of them."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        TeichakuError.__init__(self, f"入力データに{len(self.errors)}件の問題があります。")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def structural(self) -> bool:
        return any(p.structural for p in self.problems)


def _comparable(name: str) -> str:
    import re
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


def near_misses(name: str, known: Iterable[str]) -> list[str]:
    """The known names ``name`` was probably meant to be ("did you mean …"): the
    same after NFKC and spacing, one containing the other (「ジョブコーチ助成金」 →
    「助成金」), or close in spelling (「地域区分単位」 → 「地域区分単価」). Best first."""
    from difflib import SequenceMatcher

    key = _comparable(name)
    scored = []
    for candidate in dict.fromkeys(known):
        other = _comparable(candidate)
        if not key or not other:
            continue
        if key == other:
            score = 2.0
        elif len(other) >= 2 and len(key) >= 2 and (other in key or key in other):
            score = 1.0 + min(len(key), len(other)) / max(len(key), len(other))
        else:
            score = SequenceMatcher(None, key, other).ratio()
            if score < 0.6:
                continue
        scored.append((-score, candidate))
    return [c for _, c in sorted(scored)]


def did_you_mean(candidates: list[str]) -> str:
    return f"「{'」か「'.join(candidates[:3])}」のことですか？" if candidates else ""
