"""Where a line of Japanese may break — one rule for the terminal (cli/text.py) and
the printed page (documents/printed.py).

Japanese breaks between any two characters, as it is set, except:
- a run kept whole: a date as staff write it (2025-06-30, 令和8年10月31日, 令和8年10月分),
  a span (3年6か月), a number or an ID or an option (1,114,620, 0012, --month), a run of
  full-width letters and digits; and any text the caller names (a data value: an
  employer's name, which Excel would wrap on its own, is not ours to cut);
- no line starts with 、。，．）」』】〕・：；！？ー%％ (they stay with what comes before);
- no line ends with （「『【〔 (they stay with what comes after).
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

NO_LINE_START = frozenset("、。，．）」』】〕・：；！？ー%％")  # these stay with the text before them
NO_LINE_END = frozenset("（「『【〔")  # and these with the text after them


@functools.cache
def _unbroken() -> re.Pattern:
    """A run kept on one line (made on first use: --help stays quick)."""
    from teichaku_cli.base.dates import ERAS

    eras = "|".join(era.name for era in ERAS)
    return re.compile(rf"(?:{eras})?(?:元|\d+)年(?:\d+[かヶケカ]?月(?:\d+日)?)?(?:度|分)?|\d+[かヶケカ]月|\d+月\d+日|[!-~]+|[０-９Ａ-Ｚａ-ｚ]+")


@functools.lru_cache(maxsize=64)
def _kept(keep: tuple[str, ...]) -> re.Pattern | None:
    words = sorted({k for k in keep if k}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


def tokens(line: str, keep: Iterable[str] = ()) -> list[str]:
    """The pieces a line may break between (``keep``: texts never cut, longest first)."""
    unbroken = _unbroken()
    kept = _kept(tuple(keep)) if keep else None
    found: list[str] = []
    at = 0
    while at < len(line):
        m = (kept.match(line, at) if kept else None) or unbroken.match(line, at)
        token = m[0] if m else line[at]
        at += len(token)
        if found and (token[0] in NO_LINE_START or found[-1][-1] in NO_LINE_END):
            found[-1] += token
        else:
            found.append(token)
    return found
