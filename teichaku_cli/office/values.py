"""Reading one cell's value: 西暦/和暦 dates, months, yes/no words, enumerations, IDs.

Pure functions, no pandas: each takes what a cell held (a ``date`` from an Excel
date cell, a number, or text from a CSV) and returns the typed value or raises
:class:`ValueProblem` with a Japanese reason and fix. An impossible date is an
error, never a guess.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime

from teichaku_cli.base.dates import ERAS, Era, format_wareki_date


class ValueProblem(ValueError):
    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


class OutOfRange(ValueProblem):
    """A real date outside FIRST_DATE … LAST_DATE."""


class OpenEnd(OutOfRange):
    """9999-12-31, the usual "no end" placeholder: a date only where a column says
    so (``Column.open_end``), which reads it as blank; an error anywhere else."""


_ERA_BY_KEY = {key: era for era in ERAS for key in (era.name, *era.abbreviations)}
_ERA_KEYS = "|".join(sorted(_ERA_BY_KEY, key=len, reverse=True))

_SEP = r"\s*[./\-年]\s*"
_WAREKI_DATE = re.compile(
    rf"^({_ERA_KEYS})\s*(元|\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP.replace('年', '月')}(\d{{1,2}})\s*日?$",
    re.IGNORECASE,
)
_WAREKI_MONTH = re.compile(rf"^({_ERA_KEYS})\s*(元|\d{{1,2}}){_SEP}(\d{{1,2}})\s*月?$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})\s*[./\-年]\s*(\d{1,2})\s*[./\-月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})\s*[./\-年]\s*(\d{1,2})\s*月?$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")

DATE_EXAMPLES = "2024-04-01、2024/4/1、20240401、令和6年4月1日、R6.4.1"

# The dates teichaku reads: from the first day of 昭和 (和暦 is written from there;
# earlier dates in an office's data are typing errors, such as a 1 typed into a date
# cell, which Excel shows as 1900/1/1) to the end of 2099.
FIRST_DATE = date(1926, 12, 25)
LAST_DATE = date(2099, 12, 31)
OPEN_END = date(9999, 12, 31)

# Control characters (C0, DEL, C1) never belong in a cell; text may keep tab and line breaks.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_NAMES = {0x00: "NUL", 0x09: "タブ", 0x0A: "改行", 0x0B: "垂直タブ", 0x0C: "改ページ", 0x0D: "復帰", 0x1B: "ESC", 0x7F: "DEL"}


def control_problem(text: str, pattern: re.Pattern = CONTROL) -> "ValueProblem | None":
    """A problem naming the first control character in ``text`` and where it is
    (not the text itself: it may be a support note)."""
    if text.isprintable():  # the usual case, in C: no control character at all
        return None
    m = pattern.search(text)
    if m is None:
        return None
    code = ord(m[0])
    name = CONTROL_NAMES.get(code, "制御文字")
    return ValueProblem(
        f"見えない制御文字（{name} U+{code:04X}）が {m.start() + 1}文字目にあります。",
        "セルを入力し直してください（コピーした文字に紛れ込むことがあります）",
    )


# Private-use characters: what CP932's user-defined area (F040–F9FC, 外字) decodes to,
# and what a name typed with an office's own 外字 font holds. On any other computer, in a
# claim and on an employer's page they show as something else (or nothing).
PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")


def private_use_problem(text: str, strict: bool = True) -> "ValueProblem | None":
    """A problem naming the first private-use character (外字) in ``text``, its code and
    where it is; None when there is none. ``strict``: a column whose text goes into a
    claim or onto an employer's page (利用者ID, 氏名, 事業主); else a warning's words."""
    m = PRIVATE_USE.search(text)
    if m is None:
        return None
    code = ord(m[0])
    where = f"{m.start() + 1}文字目に外字（私用領域の文字 U+{code:04X}"
    where += f"、CP932 の {_cp932_user_area(code)}）" if 0xE000 <= code <= 0xE757 else "）"
    if strict:
        return ValueProblem(
            where + "があります。外字は請求にも事業主用の帳票にも使えません（ほかのパソコンや帳票では別の文字になるか、表示されません）。",
            "外字を使わない字（ふつうの字体か、かな）に直してください",
        )
    return ValueProblem(
        where + "があります。帳票ではほかの文字になるか、表示されません。",
        "外字を使わない字（ふつうの字体か、かな）に直してください",
    )


def _cp932_user_area(code: int) -> str:
    """The CP932 bytes of a user-defined-area character (U+E000 → F040)."""
    row, cell = divmod(code - 0xE000, 188)
    return f"{0xF0 + row:02X}{cell + 0x40 + (cell >= 0x3F):02X}"


# Dashes that look like a hyphen in a date (2026−10−05 from a Mac or LibreOffice, 2026ー10ー05
# typed with the IME): read as hyphens. NFKC already folds the full-width hyphen-minus.
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\u2500\u2501\u30fc\ufe58"})


def _hyphens(text: str) -> str:
    return text if text.isascii() else text.translate(_DASHES)  # 2026−10−05 → 2026-10-05


def _in_range(day: date, shown: str) -> date:
    if FIRST_DATE <= day <= LAST_DATE:
        return day
    if day == OPEN_END:
        raise OpenEnd(
            f"「{shown}」（9999年12月31日）は「日付なし」の意味で、この列では使えません。",
            "日付を入れるか、空欄にしてください（9999-12-31 を空欄として読むのは、利用終了日・離職日のような終わりの日の列だけです）",
        )
    raise OutOfRange(
        f"「{shown}」は扱える日付の範囲（{FIRST_DATE:%Y-%m-%d}〜{LAST_DATE:%Y-%m-%d}）の外です。",
        "日付を確かめてください（日付のセルに数字の 1 を入れると 1900/1/1 になります）",
    )


# Exports write a weekday after a date (令和8年10月5日(月), 2026/10/5（月）) and 「分」 after a
# claim month (2026年10月分): both are read, and a weekday that is not the date's is an error.
WEEKDAYS = "月火水木金土日"
_WEEKDAY_SUFFIX = re.compile(rf"\s*\(([{WEEKDAYS}])(?:曜日?)?\)$")


def _without_weekday(text: str) -> tuple[str, int | None]:
    """``2026/10/5(月)`` → (``2026/10/5``, 0); text without a weekday is returned as is."""
    if not text.endswith(")"):  # most dates: no weekday to look for
        return text, None
    m = _WEEKDAY_SUFFIX.search(text)
    if m is None:
        return text, None
    return text[: m.start()], WEEKDAYS.index(m[1])


def _check_weekday(day: date, weekday: int | None, shown: str) -> date:
    if weekday is not None and day.weekday() != weekday:
        raise ValueProblem(
            f"「{shown}」の曜日が日付と合いません（{day.year}年{day.month}月{day.day}日は{WEEKDAYS[day.weekday()]}曜日）。",
            "日付と曜日のどちらが正しいか確かめて直してください（曜日は省いてもかまいません）",
        )
    return day

MONTH_EXAMPLES = "2025-10、2025/10、令和7年10月、R7.10"


def normalize_text(value: object) -> str:
    """NFKC (全角→半角) and trim; ``None`` and NaN become ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _era_year(era_key: str, year_text: str) -> tuple[Era, int]:
    era = _ERA_BY_KEY.get(era_key) or _ERA_BY_KEY[era_key.upper()]
    era_year = 1 if year_text == "元" else int(year_text)
    if era_year < 1:
        raise ValueProblem(f"{era.name}0年はありません。", "元年は「元」または「1」と書いてください")
    return era, era.first_day.year + era_year - 1


def _make_date(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(
            f"「{shown}」は存在しない日付です。", f"正しい日付に直してください（例: {DATE_EXAMPLES}）"
        ) from None


def parse_date(value: object) -> date | None:
    """A cell → ``date``; blank → ``None``.

    Accepts Excel date cells, ``2024-04-01``, ``2024/4/1``, ``20240401``,
    ``2024年4月1日``, ``令和6年4月1日``, ``R6.4.1``, ``R06/04/01``, ``令和元年5月1日``,
    full-width digits. A 和暦 date outside its era (平成31年5月1日) is an error, and so
    is a date outside FIRST_DATE…LAST_DATE (9999-12-31 raises ``OpenEnd``).
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _in_range(value, value.isoformat())
    shown = normalize_text(value)
    if not shown:
        return None
    if problem := control_problem(shown):
        raise problem
    text, weekday = _without_weekday(shown)
    if not (_ISO_DATE.match(text) or _COMPACT_DATE.match(text) or _WAREKI_DATE.match(text)):
        text = _hyphens(text)  # only when it does not read as it is: a date has none most of the time
    if m := _ISO_DATE.match(text) or _COMPACT_DATE.match(text):
        return _in_range(_check_weekday(_make_date(int(m[1]), int(m[2]), int(m[3]), shown), weekday, shown), shown)
    if m := _WAREKI_DATE.match(text):
        era, year = _era_year(m[1], m[2])
        result = _make_date(year, int(m[3]), int(m[4]), shown)
        if result < era.first_day or (era.last_day and result > era.last_day):
            raise ValueProblem(
                f"「{shown}」は{era.name}の期間外で、存在しない日付です。",
                f"{era.name}は{_wareki_span(era)}です。元号と年を確かめてください",
            )
        return _in_range(_check_weekday(result, weekday, shown), shown)
    text = shown
    raise ValueProblem(
        f"「{text}」を日付として読めません。", f"日付の形で入力してください（例: {DATE_EXAMPLES}）"
    )


def _wareki_span(era: Era) -> str:
    start = format_wareki_date(era.first_day)
    return f"{start}から" + (f"{format_wareki_date(era.last_day)}まで" if era.last_day else "")


def parse_month(value: object) -> date | None:
    """A cell → the first day of the month; blank → ``None``.

    Accepts ``2025-10``, ``2025/10``, ``202510``, ``2025年10月``, ``令和7年10月``,
    ``R7.10``, and a full date (Excel turns a typed ``2025/10`` into 2025-10-01).
    """
    if isinstance(value, (date, datetime)):
        d = value.date() if isinstance(value, datetime) else value
        return _month_in_range(d.replace(day=1), d.isoformat())
    text = normalize_text(value)
    if not text:
        return None
    if problem := control_problem(text):
        raise problem
    text = text.removesuffix("分").rstrip()  # 2026年10月分, as claims and exports name a month
    if not (_ISO_MONTH.match(text) or _COMPACT_MONTH.match(text) or _WAREKI_MONTH.match(text)):
        text = _hyphens(text)
    if m := _ISO_MONTH.match(text) or _COMPACT_MONTH.match(text):
        year, month = int(m[1]), int(m[2])
    elif m := _WAREKI_MONTH.match(text):
        era, year = _era_year(m[1], m[2])
        month = int(m[3])
        if 1 <= month <= 12:
            first, last = date(year, month, 1), _month_end(year, month)
            if last < era.first_day or (era.last_day and first > era.last_day):
                raise ValueProblem(
                    f"「{text}」は{era.name}の期間外です。", f"{era.name}は{_wareki_span(era)}です"
                )
    else:
        try:
            return parse_date(text).replace(day=1)  # type: ignore[union-attr]
        except OutOfRange:
            raise
        except ValueProblem:
            raise ValueProblem(
                f"「{text}」を年月として読めません。", f"年月の形で入力してください（例: {MONTH_EXAMPLES}）"
            ) from None
    if not 1 <= month <= 12:
        raise ValueProblem(f"「{text}」の月が1〜12の範囲にありません。", f"例: {MONTH_EXAMPLES}")
    return _month_in_range(date(year, month, 1), text)


def _month_in_range(first: date, shown: str) -> date:
    if FIRST_DATE.replace(day=1) <= first <= LAST_DATE:
        return first
    if first == OPEN_END.replace(day=1):
        raise OpenEnd(f"「{shown}」（9999年12月）は「日付なし」の意味で、年月の列では使えません。", "年月を入れるか、空欄にしてください")
    raise OutOfRange(
        f"「{shown}」は扱える年月の範囲（{FIRST_DATE:%Y-%m}〜{LAST_DATE:%Y-%m}）の外です。", f"年月を確かめてください（例: {MONTH_EXAMPLES}）"
    )


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


YES_WORDS = frozenset({"はい", "あり", "有", "有り", "可", "○", "〇", "◯", "1", "true", "yes", "y", "済"})
NO_WORDS = frozenset({"いいえ", "なし", "無", "無し", "不可", "×", "✕", "0", "false", "no", "n", "-", "ー"})


def parse_yesno(value: object, yes: str = "はい", no: str = "いいえ") -> bool | None:
    """はい/いいえ, あり/なし, 可/不可, ○/×, 1/0 (and TRUE/FALSE) → bool; blank → None."""
    if isinstance(value, bool):
        return value
    text = normalize_text(value).lower()
    if not text:
        return None
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise ValueProblem(f"「{text}」は{yes}/{no}として読めません。", f"「{yes}」か「{no}」と入力してください")


def parse_choice(value: object, choices: dict[str, str], allowed: tuple[str, ...], hints: tuple[tuple[tuple[str, ...], str], ...] = ()) -> str | None:
    """An enumeration cell → its canonical word; blank → None.

    ``choices`` maps normalized variants (lower case, NFKC) to canonical words.
    ``hints``: (words, hint) for values that are refused but common (an export's
    「Zoom」 in 方法): a value containing one of the words is still an error, with
    the hint before the list of choices.
    """
    text = normalize_text(value)
    if not text:
        return None
    key = text.lower().replace(" ", "")
    if key in choices:
        return choices[key]
    fix = "次のいずれかにしてください: " + " / ".join(allowed)
    hint = next((h for words, h in hints if any(w in key for w in words)), None)
    raise ValueProblem(f"「{text}」は使えない値です。", f"{hint}（{fix}）" if hint else fix)


_AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?\s*円?$")


def parse_amount(value: object) -> int | None:
    """A sum of money in whole yen: ``9300``, ``9,300``, ``9,300円``, full-width
    digits, an Excel number 9300.0; blank → ``None``. A fraction of a yen or a
    negative amount is an error."""
    if isinstance(value, bool):
        raise ValueProblem(f"「{value}」は金額ではありません。", "円の金額を数字で入力してください（例: 9300、9,300）")
    text = normalize_text(value)
    if not text:
        return None
    if m := _AMOUNT.match(text):
        return int(m[1].replace(",", ""))
    raise ValueProblem(f"「{text}」を金額（円、0以上の整数）として読めません。", "円の金額を数字で入力してください（例: 0、9300、37,200）")


# ="0001": the CSV trick that makes Excel keep an ID's leading zeros (a formula giving text)
_EXCEL_TEXT = re.compile(r'^="(.*)"$')


def excel_text(value: object) -> str | None:
    """The ID inside ``="0001"`` (0001); None when the cell is not written so."""
    if not isinstance(value, str) or not value.startswith(("=", "＝")):
        return None
    m = _EXCEL_TEXT.match(normalize_text(value))
    return m[1].strip() if m else None


def parse_id(value: object) -> str | None:
    """IDs are text: leading zeros kept, a number cell 12.0 becomes "12", ``="0001"``
    (a CSV written for Excel) is 0001. A private-use character (外字) is an error: an ID
    goes into claims."""
    inner = excel_text(value)
    text = inner if inner is not None else normalize_text(value)
    if text and not text.isascii() and (problem := private_use_problem(text)):
        raise problem
    return text or None
