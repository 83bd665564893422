"""Japanese text laid out in terminal columns, for the help and the result tables:
how wide a text is (full-width characters take two columns) and where its lines
break — between any two Japanese characters, as Japanese is set, but never inside
a date, a span, a number, an ID or an option (2025-06-30, 令和8年10月31日, 3年6か月,
1,114,620, --month), no line starting with 、。） and none ending with （."""

from __future__ import annotations

import unicodedata

from teichaku_cli.base.linebreak import tokens  # the one rule for the terminal and the page


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: full-width (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns (a piece wider than that is folded); a
    space where a line breaks is not printed, a newline in ``text`` is kept."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in tokens(paragraph):
            if line and display_width(line + token) > width:
                out.append(line.rstrip())
                line = ""
            if not line and token.isspace():
                continue
            while display_width(token) > width:
                cut = next(i for i in range(len(token), 0, -1) if display_width(token[:i]) <= width or i == 1)
                out.append(token[:cut])
                token = token[cut:]
            line += token
        out.append(line.rstrip())
    return out
