"""Text as Excel prints it in 游ゴシック: how wide it is, where its lines break in a
cell of a given width, and how tall the row must be.

Excel (and LibreOffice) grow a row for wrapped text only when they lay it out
themselves, so teichaku sets every row's height. It is counted here, line by
line, from a width table of the font Excel uses — not measured in LibreOffice,
which prints the previews (docs/make_preview.sh) with another font:

- full-width characters (漢字・かな・全角の記号、「」（）、。・ー、①, ○ and the other
  characters a Japanese font sets full-width): 1 em;
- half-width characters (digits, letters, ｶﾀｶﾅ): 0.62 em — 游ゴシック's digits are
  about 0.55 em, its widest capitals 0.75; M W m w @ % & are counted full-width;
- narrow characters (space . , : ; ' ! | ( ) [ ] { } / - i j l r t f I `): 0.32 em.

Widths are in Excel's column-width units: the digit of the workbook's Normal font
(游ゴシック 11 pt, 8 px at 96 dpi; sheets.use_office_font). A cell's text area is
its width less the padding Excel keeps inside the borders and the indent.

teichaku's own texts (messages, 根拠, reasons, headings, notes) are broken here
with hard newlines where a person would break them (base/linebreak.py: no line
starting with 」）。、・, no date or number cut, no heading word split), so
what prints is what was counted; a data value (a name, a record's 内容) is never
cut by us — Excel wraps it, and the row is counted for the lines it will take.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable

from teichaku_cli.base.linebreak import NO_LINE_START, tokens

FULL_EM, HALF_EM, NARROW_EM = 1.0, 0.62, 0.32
NARROW = frozenset(" !'(),./:;[]`{|}-ijlrtfI")
WIDE_LATIN = frozenset("MWmw@%&")
DIGIT_PX = 8  # the Normal font's digit (游ゴシック 11 pt) at 96 dpi: one column-width unit
PX_PER_PT = 96 / 72
CELL_PADDING_PX = 6  # the margin Excel keeps inside a cell's borders, both sides together, and a gridline
INDENT_PX = 9  # one indent level
SAFETY = 0.95  # a line is filled to this share of the room: a glyph wider than the table does not push a word over

# Row height per printed line: 游ゴシック's line spacing is about 1.6 times its size in
# Excel on Windows (the tallest of the fonts it meets), so rows are sized for it.
LINE_SPACING = 1.6
ROW_PADDING = 3


def char_em(ch: str) -> float:
    """The advance of one character, in ems of its font size."""
    if ch in NARROW:
        return NARROW_EM
    if ch in WIDE_LATIN:
        return FULL_EM
    kind = unicodedata.east_asian_width(ch)
    if kind in "WFA":  # ambiguous ones (○ × ① ※ → —) are full-width in a Japanese font
        return FULL_EM
    return HALF_EM


def text_units(text: str, size: float = 10) -> float:
    """How wide ``text`` prints at ``size`` points, in column-width units."""
    return sum(char_em(ch) for ch in text) * size * PX_PER_PT / DIGIT_PX


def room(width: float, indent: int = 0) -> float:
    """The column-width units of text a line holds in a cell ``width`` wide."""
    return max((width * DIGIT_PX - CELL_PADDING_PX - indent * INDENT_PX) / DIGIT_PX, 1.0)


def wrap(text: str, width: float, size: float = 10, indent: int = 0, keep: Iterable[str] = ()) -> list[str]:
    """The lines ``text`` takes in a cell ``width`` wide: broken between tokens where
    a person would (base/linebreak.py), a token wider than a line folded; a newline
    in ``text`` is kept; a space where a line breaks is not printed."""
    limit = room(width, indent) * SAFETY
    keep = tuple(keep)
    out: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in tokens(paragraph, keep):
            size_of = text_units(token, size)
            if line and used + size_of > limit:
                out.append(line.rstrip())
                line, used = "", 0.0
            if not line and token.isspace():
                continue
            while size_of > limit and len(token) > 1:  # wider than the cell: folded where it must (still not before 、。）ー)
                fits = next(i for i in range(len(token) - 1, 0, -1) if text_units(token[:i], size) <= limit or i == 1)
                cut = next((i for i in range(fits, 0, -1) if token[i] not in NO_LINE_START), fits)
                out.append(token[:cut])
                token = token[cut:]
                size_of = text_units(token, size)
            line += token
            used += size_of
        out.append(line.rstrip())
    return out


def fill(text: str, width: float, size: float = 10, indent: int = 0, keep: Iterable[str] = ()) -> str:
    """teichaku's own ``text`` with hard newlines where its lines break in the cell."""
    return "\n".join(wrap(text, width, size, indent, keep))


def lines_needed(text: str, width: float, size: float = 10, indent: int = 0) -> int:
    """How many printed lines ``text`` takes in a wrapped cell ``width`` wide."""
    return len(wrap(text, width, size, indent))


def row_height(lines: int, size: float = 10) -> float:
    """Points for ``lines`` lines of text ``size`` points high."""
    return lines * size * LINE_SPACING + ROW_PADDING


# --- headings --------------------------------------------------------------------------------

# The words table headings are made of: a heading that does not fit its column breaks
# between these, never inside one (「事業主共有同意\n日」 split the word 同意日).
HEADING_WORDS = (  # words, not compounds: 利用開始日 breaks as 利用 / 開始日 when it must
    "利用者", "氏名", "就職日", "事業主", "利用", "開始日", "終了日", "離職日", "就職", "離職", "理由", "類型", "起算日", "障害",
    "開示", "共有", "同意日", "同意", "一体的", "運営", "特別", "地域", "要継続", "支援", "担当者", "日付", "方法", "相手", "区分",
    "内容", "結果", "対象月", "本人", "提供日", "共有日", "主な", "目標", "今後の", "取組", "事項", "作成者", "作成日", "引継ぎ",
    "職場", "環境", "業務", "労働", "条件", "関係", "機関", "健康", "状態", "生活", "長期", "短期", "方針", "期間", "頻度", "役割",
    "分担", "評価", "参加", "サービス", "管理", "責任者", "受給者証", "番号", "市町村", "支給", "決定", "負担", "上限", "月額",
    "事業所", "請求", "重要度", "指摘", "直し方", "根拠", "単位", "総費用額", "給付費", "内訳", "単価", "あと", "日数", "期限",
    "分母", "定着", "分子", "就労", "率", "見込み", "確定", "年度", "数える", "項目", "エラー", "注意", "備考", "助成金", "ケース",
    "会議", "レポート", "支援レポート", "加算", "連携", "促進", "算定", "合計", "日数", "の日", "が1の日", "相違", "記録", "請求ファイル", "実績", "体制",
    "（円）", "（人）", "（%）", "（単位/月）", "（回）", "（日=1/2）",
)


def _script(ch: str) -> str:
    if "\u3040" <= ch <= "\u309f":
        return "hiragana"
    if "\u30a0" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f":
        return "katakana"
    if "\u4e00" <= ch <= "\u9fff" or ch in "々〆":
        return "kanji"
    return "other"


def phrases(text: str) -> list[str]:
    """A short Japanese phrase (a finding's title) cut into the pieces a line may break
    between: after a run of hiragana (a particle or an ending ends a word) and where
    katakana or a number meets kanji — 「計画見直し｜期限超過」「支援｜レポート｜未提供」
    「受給者証の｜期間外」「就職後｜3年6か月｜超過」; a date, a span or a number stays whole
    (3年6か月: its か is not a particle)."""
    found: list[str] = []
    for token in tokens(text):
        if found:
            before, now = _script(found[-1][-1]), _script(token[0])
            if (before == "hiragana" and now != "hiragana") or {before, now} in ({"katakana", "kanji"}, {"other", "kanji"}):
                found.append(token)
                continue
            found[-1] += token
        else:
            found.append(token)
    return found


def heading(text: str, width: float, size: float = 10, indent: int = 0) -> str:
    """A table heading broken with hard newlines between its words (HEADING_WORDS)
    when it does not fit the column on one line; a word wider than the column is
    folded as it must be."""
    if len(wrap(text, width, size, indent)) == 1:
        return text
    return fill(text, width, size, indent, keep=HEADING_WORDS)
