"""Reading the 国保連 claim file (請求ファイル) into the model (model/claim.py).

The file is the office's, made by its claims software or the 簡易入力: teichaku only
reads it, never writes or changes it. The format (インタフェース仕様書 共通編 1.2,
p.6; layouts in model/claim_layout.py): CP932 (Shift_JIS), lines ending CRLF, fields
separated by commas, any field may be in double quotes ("" inside is one quote);
outer records 1 (control), 2 (data: a running number, then one inner record) and 3
(end), numbered from 1 through the file.

Everything wrong is a placed Japanese problem (file, line, record and field by the
spec's 項番 and name, the value where it is not personal, the fix), never a guess:
what makes the file unusable is collected and raised together (ClaimFileProblems,
exit 2); what does not (the J111 請求書 totals against the J121 明細書, LF line ends,
fields left unquoted) is kept in ``ClaimFile.findings``. Readings where the spec
leaves a choice are in docs/check.md (「請求ファイルの読み方」).
"""

from __future__ import annotations

import codecs
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Callable

from teichaku_cli.base.dates import format_wareki_month, month_end
from teichaku_cli.base.errors import Place, TeichakuError
from teichaku_cli.model import claim_layout
from teichaku_cli.model.claim import (
    ClaimFile,
    ClaimFileProblems,
    ClaimProblem,
    ControlRecord,
    InvoiceLine,
    InvoiceTotals,
    OtherRecords,
    RecordSheet,
    RecordSheetBasic,
    RecordSheetDay,
    Statement,
    StatementBasic,
    StatementContract,
    StatementDays,
    StatementDetail,
    StatementSummary,
    UserMonth,
    service_name,
    shown,
)
from teichaku_cli.model.claim_layout import BY_KEY, CONTROL, Layout

MAX_BYTES = 256 << 20  # a 2,000-user month is ~5 MB; anything near this is not a claim file
LISTED = 100  # problems listed one by one; beyond this they are counted (a shifted file errs on every line)
KNOWN = frozenset(layout.exchange for layout in claim_layout.INNER)
FIX_SOFTWARE = "請求ソフト（または簡易入力）で直して、請求ファイルを作り直してください（ファイルを直接書き換えないでください）"

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an encrypted workbook
# What Python's cp932 yields for the bytes CP932 leaves unused (0x80, 0xA0, 0xFD–0xFF)
# instead of failing: a file holding them was not written as CP932.
_NOT_CP932 = "\x80\uf8f0\uf8f1\uf8f2\uf8f3"
# 外字 (CP932's user-defined area F040–F9FC, which Python decodes to U+E000–U+E757), control
# characters other than the CRLF that ends a record, and the single quote the spec forbids
# (共通編 1.2.2(3)). A CR at the very end is a file cut between CR and LF: said as truncation.
_BAD_CHARACTER = re.compile("[\ue000-\ue757\x00-\x09\x0b\x0c\x0e-\x1f\x7f']|\r(?!\n|\\Z)")
_BAD_CLASS = re.compile("[\ue000-\ue757\x00-\x09\x0b\x0c\x0e-\x1f\x7f']")  # the same without the CR: 8× faster to search
# Characters that take two bytes in CP932: a field holding one (漢字) or a space must be quoted.
_TWO_BYTE = re.compile("[^\x00-\x7f\uff61-\uff9f]")
_EXCHANGE = re.compile(r"[A-Z][0-9]{3}")


def read_claim_file(path: Path, office_number: str, month: date | None = None) -> ClaimFile:
    """The claim file at ``path``, read whole. ``office_number`` is the office's
    事業所番号 (the control record and every inner record must carry it); records for a
    サービス提供年月 after ``month`` are an error, earlier ones are 月遅れ (kept, not judged).
    Raises ClaimFileProblems listing everything that makes the file unusable."""
    if not office_number:
        raise TeichakuError(
            "請求ファイルを読むには事業所の事業所番号が必要です（teichaku.toml に「事業所番号」がありません）。",
            'teichaku.toml に "事業所番号" = "1312345678" のように10桁で書いてください',
        )
    data = _read_bytes(path)
    reader = _Reader(path, path.name, office_number, month.replace(day=1) if month else None)
    text = reader.decode(data)
    return reader.read(text)


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise TeichakuError(f"請求ファイル {path} が見つかりません。", "ファイル名とフォルダを確かめてください")
    if path.is_dir():
        raise TeichakuError(f"{path} はフォルダです。", "請求ソフトが書き出した請求ファイル（CSV）を指定してください")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise TeichakuError(
                f"{path.name}: {size:,}バイトあり、請求ファイルとしては大きすぎます（{MAX_BYTES >> 20} MB まで）。",
                "請求ソフトが書き出した請求ファイル（CSV）を指定してください",
            )
        return path.read_bytes()
    except OSError as exc:
        raise TeichakuError(
            f"{path.name}: 開けません（{type(exc).__name__}）。",
            "ほかのプログラムがファイルを使っていないか、読む権限があるかを確かめてください",
        ) from None


def _digits(text: str) -> bool:
    """Half-width digits only (str.isdigit alone takes ３ and other Unicode digits, which
    int() would then read: a full-width number is not the spec's 半角数字)."""
    return text.isascii() and text.isdigit()


_shown = shown  # a value a message may show (model/claim.py)


def _date(text: str) -> date | None:
    """YYYYMMDD → date; None when it is not a day of the calendar."""
    if len(text) != 8 or not _digits(text):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _month(text: str) -> date | None:
    """YYYYMM → the month's first day; None when it is not a month (year 1900–2099)."""
    if len(text) != 6 or not _digits(text) or not 1 <= int(text[4:]) <= 12 or not 1900 <= int(text[:4]) <= 2099:
        return None
    return date(int(text[:4]), int(text[4:]), 1)


def _unset(text: str) -> bool:
    """A コード値 of all zeros is 未設定 (共通編 1.3.2(1)③), as is a blank."""
    return not text.strip("0")


def _split_quoted(raw: str) -> tuple[list[str], list[bool]] | int:
    """A line with double quotes → (fields, which were quoted); the 1-based field where
    the quoting breaks (a quote inside an unquoted field, an unclosed quote, text after
    the closing quote) when it is not the spec's CSV. Split at every comma first and
    joined again inside quotes: most fields hold no quote, and a regex per field cost
    ~2 µs each."""
    parts = raw.split(",")
    fields: list[str] = []
    quoted: list[bool] = []
    index, count = 0, len(parts)
    while index < count:
        text = parts[index]
        if '"' not in text:
            fields.append(text)
            quoted.append(False)
            index += 1
            continue
        if not text.startswith('"'):
            return len(fields) + 1
        end = index
        # closed when it ends with a quote and every quote between is doubled
        while len(text) < 2 or not text.endswith('"') or '"' in text[1:-1].replace('""', ""):
            end += 1
            if end == count:
                return len(fields) + 1
            text += "," + parts[end]
        fields.append(text[1:-1].replace('""', '"'))
        quoted.append(True)
        index = end + 1
    return fields, quoted


def _field_at(raw: str, offset: int) -> int:
    """The 0-based field of a line that character ``offset`` is in (quotes respected)."""
    index, quoted = 0, False
    for ch in raw[:offset]:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            index += 1
    return index


def _getter(columns: tuple[int, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """The fields at ``columns`` in one C call (itemgetter gives a bare value for one column)."""
    if not columns:
        return lambda fields: ()
    if len(columns) == 1:
        only = columns[0]
        return lambda fields: (fields[only],)
    return itemgetter(*columns)


class _Checks:
    """A layout's columns by kind, fetched in one C call each: a line whose numbers all
    read is checked with two joins and an isdigit."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.digits = _getter(layout.numeric + layout.codes)
        self.dates = _getter(layout.dates) if layout.dates else None
        self.months = layout.months


_CONTROL_CHECKS = _Checks(CONTROL)
_NO_COLUMNS: frozenset[int] = frozenset()
_INVALID = object()  # a month value that is not a month (cached as such)
_UNSET = object()  # a month left blank or all zeros


class _Reader:
    def __init__(self, path: Path, file: str, office_number: str, month: date | None) -> None:
        self.path = path
        self.file = file
        self.office_number = office_number
        self.month = month
        self.problems: list[ClaimProblem] = []  # the file cannot be used
        self.findings: list[ClaimProblem] = []  # it can; these are said
        self.unlisted = 0
        self.line = 0
        self._months: dict[str, object] = {}  # month text → date, _UNSET or _INVALID
        self._keys: dict[tuple[str, str, date], UserMonth] = {}
        self._days: dict[tuple[date, str], date] = {}  # (month, 日付 as written) → the day
        # problems said once with their first line and a count
        self.later: dict[date, list[int]] = {}  # month → [first line, records]
        self.other_office: dict[str, list[int]] = {}  # 事業所番号 → [first line, records]
        self.lf = [0, 0]  # [first line, lines] ending LF alone
        self.unquoted: list = [None, 0]  # [(line, label), fields]
        self.after_end = [0, 0]
        self.blank_after_end = [0, 0]
        # the records, keyed
        self.invoices: dict[tuple[str, date], InvoiceTotals] = {}
        self.invoice_lines: dict[tuple[str, date, str, str], InvoiceLine] = {}
        self.basics: dict[UserMonth, StatementBasic] = {}
        self.parts: dict[UserMonth, tuple[list, list, list, list]] = {}
        self.sheet_basics: dict[tuple[UserMonth, str], RecordSheetBasic] = {}
        self.sheet_days: dict[tuple[UserMonth, str], list[RecordSheetDay]] = {}
        self.others: dict[str, list[int]] = {}  # key → [first line, records]
        self.first_exchange: str | None = None
        self.unreadable_basics: set[tuple[str, str, str, str]] = set()  # (交換情報識別番号, 受給者証番号, 市町村番号, 年月)

    # --- saying what is wrong ------------------------------------------------------------

    def error(self, code: str, line: int | None, message: str, fix: str = FIX_SOFTWARE, field: str | None = None,
              value: str | None = None) -> None:
        if len(self.problems) >= LISTED:
            self.unlisted += 1
            return
        self.problems.append(ClaimProblem(Place(self.file, None, line, field), message, fix, value, "error", True, code))

    def finding(self, code: str, severity: str, line: int | None, message: str, fix: str = "",
                field: str | None = None) -> None:
        self.findings.append(ClaimProblem(Place(self.file, None, line, field), message, fix, None, severity, False, code))

    def stop(self) -> ClaimFileProblems:
        return ClaimFileProblems(list(self.problems))

    # --- bytes → text ---------------------------------------------------------------------

    def decode(self, data: bytes) -> str:
        """The file's text, or a ClaimFileProblems saying what the file is instead."""
        def refuse(what: str, fix: str) -> ClaimFileProblems:
            self.error("claim-not-claim-file", None, f"国保連の請求ファイル（CP932 の CSV）ではありません: {what}", fix)
            return self.stop()

        give = "請求ソフトが国保連への伝送用に書き出した請求ファイル（CSV）を指定してください"
        if not data or data.isspace():
            raise refuse("ファイルが空です。", give)
        if data.startswith(b"PK\x03\x04"):
            raise refuse("Excel ブック（.xlsx）か、ほかの zip 形式のファイルです。", give)
        if data.startswith(_CFB_MAGIC):
            raise refuse("古い形式の Excel ブック（.xls）か、パスワードのかかったファイルです。", give)
        if data.startswith(codecs.BOM_UTF8):
            raise refuse(
                "先頭に BOM の付いた UTF-8 のファイルです。請求ファイルは Shift_JIS（CP932）で、BOM はありません。",
                "請求ソフトが書き出したままのファイルを指定してください（Excel やメモ帳で保存し直すと文字コードが変わります）",
            )
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or data[:4096].count(b"\x00") * 16 > len(data[:4096]):
            raise refuse("UTF-16 のテキストです。請求ファイルは Shift_JIS（CP932）です。", give)
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise refuse(
                    "UTF-8 のファイルです。請求ファイルは Shift_JIS（CP932）です。",
                    "請求ソフトが書き出したままのファイルを指定してください（保存し直すと文字コードが変わります）",
                )
        try:
            text = data.decode("cp932")
        except UnicodeDecodeError as exc:
            self.error(
                "claim-encoding", data.count(b"\n", 0, exc.start) + 1,
                f"Shift_JIS（CP932）として読めないバイト（0x{data[exc.start]:02X}）があります。ファイルが壊れているか、別の文字コードです。",
                "請求ソフトが書き出したままのファイルを指定してください",
            )
            raise self.stop() from None
        for ch in _NOT_CP932:
            at = text.find(ch)
            if at >= 0:
                self.error(
                    "claim-encoding", text.count("\n", 0, at) + 1,
                    "Shift_JIS（CP932）では使われないバイトがあります。ファイルが壊れているか、別の文字コードです。",
                    "請求ソフトが書き出したままのファイルを指定してください",
                )
                raise self.stop()
        return text

    # --- text → records ---------------------------------------------------------------

    def read(self, text: str) -> ClaimFile:
        rows = text.split("\n")
        complete = rows[-1] == ""
        if complete:
            rows.pop()
        if _BAD_CLASS.search(text) or text.count("\r") - text.endswith("\r") != text.count("\r\n"):
            self._bad_characters(text)
        control = None
        end_line = 0
        data_records = 0
        shift = 0  # レコード番号 − line, re-synchronised after each break
        last = len(rows)
        for number, raw in enumerate(rows, 1):
            self.line = number
            if raw.endswith("\r"):
                raw = raw[:-1]
            elif number < last or complete:
                self.lf[0] = self.lf[0] or number
                self.lf[1] += 1
            if number == last and not complete:
                if number == 1:
                    first = self._fields(raw) or [""]
                    if first[0] != "1":  # not a claim file at all: say that, not "cut short"
                        self._control(first)
                        raise self.stop()
                if end_line or not re.fullmatch(r"3,0*" + str(number + shift), raw):
                    self.error(
                        "claim-truncated", number,
                        "最後の行が改行で終わっていません。ファイルが途中で切れています（書き出しかコピーが終わる前に止まった）。",
                        "請求ソフトで請求ファイルを書き出し直してください",
                    )
                    break
                self.finding(
                    "claim-no-final-line-end", "warning", number,
                    "終わりのレコード（3）が改行（CRLF）で終わっていません。仕様（共通編 p.6）ではすべてのレコードが CRLF で終わります。",
                    "取込送信で受け付けられないときは、請求ソフトで書き出し直してください",
                )
            if not raw and number > 1:
                if end_line:  # an extra line end after the end record: harmless to read, said
                    self.blank_after_end[0] = self.blank_after_end[0] or number
                    self.blank_after_end[1] += 1
                else:
                    self.error("claim-record-malformed", number, "空の行があります。請求ファイルの行はどれもレコードです。")
                    shift -= 1  # not a record: the numbers go on from the line before
                continue
            fields = self._fields(raw)
            if fields is None:
                if number == 1:
                    raise self.stop()
                continue
            if number == 1:
                control = self._control(fields)
                if control is None:
                    raise self.stop()
                continue
            kind = fields[0]
            if kind == "2" and len(fields) > 1 and fields[1] == str(number + shift) and not end_line:  # the common line
                data_records += 1
                self._data(fields, number)
                continue
            if kind not in ("1", "2", "3"):
                self.error(
                    "claim-record-malformed", number, "レコード種別が 1（コントロール）・2（データ）・3（エンド）のどれでもありません。",
                    field="レコード種別（1項目目）", value=_shown(kind),
                )
                continue
            if len(fields) < 2 or not _digits(fields[1]):
                self.error("claim-record-malformed", number, "レコード番号（2項目目）が数字ではありません。", field="レコード番号（2項目目）",
                           value=_shown(fields[1]) if len(fields) > 1 else None)
                continue
            if int(fields[1]) != number + shift:
                self.error(
                    "claim-record-sequence", number,
                    f"レコード番号が {int(fields[1]):,} ですが、前の行から続く番号は {number + shift:,} です"
                    "（レコードが抜けたか、入れ替わったか、重なっています）。",
                    field="レコード番号（2項目目）", value=fields[1],
                )
                shift = int(fields[1]) - number
            if end_line:
                self.after_end[0] = self.after_end[0] or number
                self.after_end[1] += 1
                continue
            if kind == "1":
                self.error("claim-record-malformed", number, "コントロールレコード（1）が2つ目です。1つのファイルに1つだけです。")
            elif kind == "3":
                end_line = number
                if len(fields) != 2:
                    self.error("claim-record-malformed", number, f"エンドレコードは2項目（3,レコード番号）のはずが、{len(fields)}項目あります。")
            else:
                data_records += 1
                self._data(fields, number)
        return self._finish(control, end_line, data_records, complete)

    def _fields(self, raw: str) -> list[str] | None:
        if '"' not in raw:
            fields = raw.split(",")
            if not raw.isascii() or " " in raw:
                self._unquoted(raw, fields, None)
            return fields
        split = _split_quoted(raw)
        if isinstance(split, int):
            self.error(
                "claim-record-malformed", self.line,
                f"{split}項目目で引用符（\"）の使い方が仕様と違います（項目の途中の \"、閉じていない \"、閉じた \" の後の文字）。"
                "項目全体を \" で囲み、中の \" は \"\" と2つ重ねます（共通編 1.2.2）。",
                field=f"{split}項目目",
            )
            return None
        fields, quoted = split
        if not all(quoted):
            unquoted = "".join(f for f, q in zip(fields, quoted) if not q)
            if not unquoted.isascii() or " " in unquoted:
                self._unquoted(raw, fields, quoted)
        return fields

    def _unquoted(self, raw: str, fields: list[str], quoted: list[bool] | None) -> None:
        """Fields holding a space or a two-byte character (漢字) must be quoted (共通編 1.2.2(4))."""
        for index, value in enumerate(fields):
            if (quoted is None or not quoted[index]) and (" " in value or (not value.isascii() and _TWO_BYTE.search(value))):
                self.unquoted[1] += 1
                if self.unquoted[0] is None:
                    self.unquoted[0] = (self.line, self._label(fields, index))

    def _label(self, fields: list[str], index: int) -> str:
        """A field named as messages name it: the spec's record, 項番 and name where the line is known."""
        layout = self._layout_of(fields)
        if layout is not None and index < layout.width and index >= layout.offset:
            return f"{layout.label(layout.position(index))}（{index + 1}項目目）"
        return f"{index + 1}項目目"

    def _layout_of(self, fields: list[str]) -> Layout | None:
        if self.line == 1 and fields and fields[0] == "1":
            return CONTROL
        if len(fields) >= 4 and fields[0] == "2":
            return BY_KEY.get(f"{fields[2]}:{fields[3]}")
        return None

    def _bad_characters(self, text: str) -> None:
        """Each 外字, control character and single quote, placed by line and field."""
        line, line_start = 1, 0
        for match in _BAD_CHARACTER.finditer(text):
            at = match.start()
            line += text.count("\n", line_start, at)
            line_start = text.rfind("\n", 0, at) + 1
            line_end = text.find("\n", at)
            raw = text[line_start: None if line_end < 0 else line_end].rstrip("\r")
            self.line = line
            split = _split_quoted(raw) if '"' in raw else None
            fields = raw.split(",") if split is None else ([] if isinstance(split, int) else split[0])
            field = self._label(fields, _field_at(raw, at - line_start))
            ch = match[0]
            if "\ue000" <= ch <= "\ue757":
                self.error(
                    "claim-gaiji", line,
                    f"外字（Shift_JIS の利用者定義文字 {ch.encode('cp932').hex().upper()}）があります。外字は請求ファイルに入れられません"
                    "（国保連のシステムでは読めない文字です）。",
                    "請求ソフトで、この項目の外字を通常の文字に置き換えてから（氏名の異体字なら通常の字体に）、請求ファイルを作り直してください",
                    field=field,
                )
            elif ch == "'":
                self.error("claim-forbidden-character", line, "「'」（シングルクォート）は請求ファイルに使えません（共通編 1.2.2(3)）。", field=field)
            else:
                self.error(
                    "claim-control-character", line,
                    f"制御文字（0x{ord(ch):02X}）があります。請求ファイルに使えるのは各行の終わりの改行（CRLF）だけです（共通編 1.2.2(3)）。",
                    field=field,
                )

    # --- the control record -------------------------------------------------------------------

    def _control(self, fields: list[str]) -> ControlRecord | None:
        line = self.line
        if fields[0] != "1":
            starts_as_data = fields[0] in ("2", "3") and len(fields) > 1 and _digits(fields[1])
            self.error(
                "claim-not-claim-file", 1,
                "1行目がコントロールレコード（「1,1,0,レコード件数,J11,0,事業所番号,0,1,処理対象年月,」の形）ではありません。"
                + ("データレコードから始まっています（先頭の行が消されたおそれ）。" if starts_as_data
                   else "国保連の請求ファイル（障害福祉サービス インタフェース仕様）ではありません。"),
                "請求ソフトが国保連への伝送用に書き出した請求ファイル（CSV）を指定してください",
            )
            return None
        if len(fields) != CONTROL.width:
            self.error(
                "claim-record-malformed", 1,
                f"コントロールレコードは{CONTROL.width}項目のはずが、{len(fields)}項目あります（共通編 p.6）。",
            )
            return None
        bad = self._check(fields, _CONTROL_CHECKS)
        if fields[1] != "1" and 1 not in bad:
            self.error("claim-record-sequence", line, "コントロールレコードのレコード番号は 1 です。", field=CONTROL.label(2), value=fields[1])
        count = self._int(fields, CONTROL, 4, bad)
        office = fields[6]
        if office != self.office_number:
            self.error(
                "claim-office-number", line,
                f"事業所番号が {_shown(office) or '（空欄）'} で、この事業所（teichaku.toml の事業所番号 {self.office_number}）のものではありません。",
                "この事業所の請求ファイルを指定してください（teichaku.toml の事業所番号が違うなら、そちらを直してください）",
                field=CONTROL.label(7), value=_shown(office),
            )
        processing = self._month_field(fields, CONTROL, 10, bad)
        if fields[8] != "1":
            self.finding(
                "claim-medium", "warning", line,
                f"媒体区分が「{fields[8]}」です。仕様（共通編 p.6）は 1（伝送）を設定するとしています。",
                "取込送信で受け付けられないときは、請求ソフトの設定を確かめて書き出し直してください",
                field=CONTROL.label(9),
            )
        return ControlRecord(line, count, fields[4], office, fields[8], processing or date(1900, 1, 1))

    # --- data records ---------------------------------------------------------------------------

    def _data(self, fields: list[str], line: int) -> None:
        if len(fields) < 4:
            self.error("claim-record-malformed", line, f"データレコードに内側のレコード（交換情報識別番号・レコード種別コード）がありません（{len(fields)}項目）。")
            return
        exchange, kind = fields[2], fields[3]
        if self.first_exchange is None:
            self.first_exchange = exchange
        record = _RECORDS.get((exchange, kind))
        if record is None:
            if exchange in KNOWN or not _EXCHANGE.fullmatch(exchange):
                self.error(
                    "claim-record-malformed", line,
                    f"交換情報識別番号「{exchange[:8]}」・レコード種別コード「{kind[:4]}」のレコードは仕様（事業所編 令和7年10月版）にありません。",
                    field="交換情報識別番号（3項目目）",
                )
            else:
                seen = self.others.setdefault(f"{exchange}:{kind}", [line, 0])
                seen[1] += 1
            return
        layout, checks, read = record
        if len(fields) != layout.width:
            if kind == "01" and len(fields) > 7:  # its 基本情報 is there, unreadable: not also "missing"
                self.unreadable_basics.add((exchange, fields[7], fields[5], fields[4]))
            self.error(
                "claim-field-count", line,
                f"{layout.key} {layout.title} は{len(layout.fields)}項目（行全体で{layout.width}項目）のはずが、"
                f"行全体で{len(fields)}項目あります（{layout.source}、令和7年10月版）。項目の抜けか、余分な「,」です。",
            )
            return
        bad = self._check(fields, checks)
        month = self._month_field(fields, layout, 3, bad)
        if month is None:
            return
        if self.month is not None and month > self.month:
            seen = self.later.setdefault(month, [line, 0])
            seen[1] += 1
        if fields[6] != self.office_number:
            seen = self.other_office.setdefault(fields[6], [line, 0])
            seen[1] += 1
        read(self, fields, layout, bad, month)

    def _check(self, fields: list[str], checks: _Checks) -> frozenset[int] | set[int]:
        """The columns whose value cannot be read, each said once; empty when all read
        (the common case, checked in two joins)."""
        layout = checks.layout
        bad: set[int] = set()
        joined = "".join(checks.digits(fields))
        if joined and not (joined.isascii() and joined.isdigit()):
            for column in layout.numeric:
                value = fields[column]
                if value and not (_digits(value) or (value[0] == "-" and _digits(value[1:]))):
                    bad.add(column)
                    self.error("claim-not-numeric", self.line, "数値の項目に数字以外が入っています（数値は半角数字、負の数は先頭に -）。",
                               field=self._label(fields, column), value=_shown(value))
            for column in layout.codes:
                value = fields[column]
                if value and not _digits(value):
                    bad.add(column)
                    self.error("claim-not-numeric", self.line, "コード値の項目に半角数字以外が入っています。",
                               field=self._label(fields, column), value=_shown(value))
        if checks.dates is not None and "".join(checks.dates(fields)).strip("0"):
            for column in layout.dates:
                value = fields[column]
                if value.strip("0") and _date(value) is None:
                    bad.add(column)
                    self.error("claim-bad-date", self.line, "ありえない日付です（西暦の年月日 YYYYMMDD、例: 20261031）。",
                               field=self._label(fields, column), value=_shown(value))
        for column in checks.months:
            value = fields[column]
            parsed = self._months.get(value)
            if parsed is None:
                parsed = self._months[value] = _INVALID if _month(value) is None and not _unset(value) else (_month(value) or _UNSET)
            if parsed is _INVALID:
                bad.add(column)
                self.error("claim-bad-date", self.line, "ありえない年月です（西暦の年月 YYYYMM、例: 202610）。",
                           field=self._label(fields, column), value=_shown(value))
        return bad or _NO_COLUMNS

    def _blank(self, fields: list[str], layout: Layout, position: int) -> None:
        self.error(
            "claim-required-blank", self.line,
            "空欄です。teichaku が照合に使う項目で、値が0のときも 0 を書くのが仕様です（共通編 1.2.2(4)）。",
            field=self._label(fields, position - 1 + layout.offset),
        )

    def _int(self, fields: list[str], layout: Layout, position: int, bad: set[int], required: bool = True) -> int:
        """A 数値 field as an int: a blank required field is said (and read as 0, the
        file being refused anyway); a blank optional one is 0."""
        column = position - 1 + layout.offset
        value = fields[column]
        if column in bad:
            return 0
        if not value:
            if required:
                self._blank(fields, layout, position)
            return 0
        return int(value)

    def _optional_int(self, fields: list[str], layout: Layout, position: int, bad: set[int]) -> int | None:
        column = position - 1 + layout.offset
        value = fields[column]
        return None if not value or column in bad else int(value)

    def _text(self, fields: list[str], layout: Layout, position: int, required: bool = True) -> str:
        value = fields[position - 1 + layout.offset]
        if not value and required:
            self._blank(fields, layout, position)
        return value

    def _code(self, fields: list[str], layout: Layout, position: int) -> str | None:
        value = fields[position - 1 + layout.offset]
        return None if _unset(value) else value

    def _date_field(self, fields: list[str], layout: Layout, position: int, bad: set[int]) -> date | None:
        column = position - 1 + layout.offset
        value = fields[column]
        return None if column in bad or _unset(value) else _date(value)

    def _month_field(self, fields: list[str], layout: Layout, position: int, bad: set[int]) -> date | None:
        column = position - 1 + layout.offset
        value = fields[column]
        if column in bad:
            return None
        parsed = self._months[value]
        if parsed is _UNSET:
            self._blank(fields, layout, position)
            return None
        return parsed  # type: ignore[return-value]

    def _key(self, fields: list[str], layout: Layout, month: date) -> UserMonth:
        recipient, municipality = fields[7], fields[5]  # 項番6 and 4
        if not recipient or not municipality:
            self._text(fields, layout, 6)
            self._text(fields, layout, 4)
        key = self._keys.get((recipient, municipality, month))
        if key is None:
            key = self._keys[(recipient, municipality, month)] = UserMonth(recipient, municipality, month)
        return key

    # --- one reader per inner record -----------------------------------------------------------

    def _invoice(self, f: list[str], layout: Layout, bad: set[int], month: date) -> None:
        municipality = self._text(f, layout, 4)
        record = InvoiceTotals(
            self.line, municipality, month, self._int(f, layout, 6, bad),
            *(self._int(f, layout, p, bad) for p in (17, 18, 19, 20)), self._int(f, layout, 21, bad, required=False),
            self._int(f, layout, 22, bad), self._int(f, layout, 23, bad, required=False),
        )
        first = self.invoices.setdefault((municipality, month), record)
        if first is not record:
            self._duplicate(layout, first.line, f"市町村番号 {municipality}、{format_wareki_month(month)}分の請求書")

    def _invoice_line(self, f: list[str], layout: Layout, bad: set[int], month: date) -> None:
        municipality = self._text(f, layout, 4)
        kind, service = self._text(f, layout, 6), self._text(f, layout, 7)
        record = InvoiceLine(
            self.line, municipality, month, kind, service,
            *(self._int(f, layout, p, bad) for p in (8, 9, 10, 11)), self._int(f, layout, 12, bad, required=False),
            self._int(f, layout, 13, bad), self._int(f, layout, 14, bad, required=False),
        )
        first = self.invoice_lines.setdefault((municipality, month, kind, service), record)
        if first is not record:
            self._duplicate(layout, first.line, f"市町村番号 {municipality}、{format_wareki_month(month)}分、給付種別 {kind}、{service_name(service)}の請求書明細")

    def _statement_basic(self, f: list[str], layout: Layout, bad: set[int], month: date) -> None:
        key = self._key(f, layout, month)
        record = StatementBasic(
            self.line, key, self._optional_int(f, layout, 12, bad), f[16] or None, self._code(f, layout, 16),
            self._optional_int(f, layout, 17, bad), *(self._int(f, layout, p, bad) for p in (20, 21, 27, 28)),
            *(self._int(f, layout, p, bad, required=False) for p in (29, 30, 31)),
        )
        first = self.basics.setdefault(key, record)
        if first is not record:
            self._duplicate(layout, first.line, f"{key.describe()}の明細書")

    def _parts(self, key: UserMonth) -> tuple[list, list, list, list]:
        parts = self.parts.get(key)
        if parts is None:
            parts = self.parts[key] = ([], [], [], [])
        return parts

    def _statement_days(self, f: list[str], layout: Layout, bad: set[int], month: date) -> None:
        record = StatementDays(
            self.line, self._text(f, layout, 7), self._date_field(f, layout, 8, bad), self._date_field(f, layout, 9, bad),
            self._optional_int(f, layout, 10, bad),
        )
        self._parts(self._key(f, layout, month))[0].append(record)

    def _statement_detail(self, f: list[str], layout: Layout, bad: set[int], month: date) -> None:
        record = StatementDetail(
            self.line, self._text(f, layout, 7), *(self._int(f, layout, p, bad) for p in (8, 9, 10)), f[12],
        )
        self._parts(self._key(f, layout, month))[1].append(record)

    def _statement_summary(self, f: list[str], layout: Layout, bad: set[int], month: date) -> None:
        price = f[12]
        if 12 not in bad and (len(price) > 5 or price.startswith("-")):
            bad = {*bad, 12}
            self.error(
                "claim-not-numeric", self.line,
                "単位数単価は整数部2桁・小数部3桁の5桁です（11.2円 → 11200、8.5円 → 08500 か 8500。事業所編 p.32）。",
                field=self._label(f, 12), value=_shown(price),
            )
        record = StatementSummary(
            self.line, self._text(f, layout, 7), self._code(f, layout, 8), self._optional_int(f, layout, 9, bad),
            self._int(f, layout, 10, bad), Decimal(self._int(f, layout, 11, bad)).scaleb(-3),
            *(self._int(f, layout, p, bad) for p in (13, 21, 22)),
            *(self._int(f, layout, p, bad, required=False) for p in (24, 25)),
        )
        self._parts(self._key(f, layout, month))[2].append(record)

    def _statement_contract(self, f: list[str], layout: Layout, bad: set[int], month: date) -> None:
        amount = self._optional_int(f, layout, 8, bad)
        record = StatementContract(
            self.line, f[8], None if amount is None else Decimal(amount).scaleb(-2),
            self._date_field(f, layout, 9, bad), self._date_field(f, layout, 10, bad), self._optional_int(f, layout, 11, bad),
        )
        self._parts(self._key(f, layout, month))[3].append(record)

    def _sheet_basic(self, f: list[str], layout: Layout, bad: set[int], month: date) -> None:
        key = self._key(f, layout, month)
        record = RecordSheetBasic(
            self.line, key, f[8], *(self._optional_int(f, layout, p, bad) for p in (37, 123, 146)),
            self._date_field(f, layout, 153, bad),
        )
        first = self.sheet_basics.setdefault((key, record.form), record)
        if first is not record:
            self._duplicate(layout, first.line, f"{key.describe()}・様式種別番号 {record.form or '（空欄）'}の実績記録票")

    def _sheet_day(self, f: list[str], layout: Layout, bad: frozenset[int] | set[int], month: date) -> None:
        # ~10 rows a user: read without the helpers (項番9 日付, 45 算定日数, 81 特別地域加算, 90 定着支援連携促進加算)
        text = f[10]
        day = self._days.get((month, text))
        if day is None and 10 not in bad:
            if not text.strip("0"):
                self._blank(f, layout, 9)
            elif not 1 <= int(text) <= month_end(month).day:
                self.error("claim-bad-date", self.line, f"{format_wareki_month(month)}にない日です（1〜{month_end(month).day}）。",
                           field=self._label(f, 10), value=_shown(text))
            else:
                day = self._days[(month, text)] = month.replace(day=int(text))
        base, special, liaison = f[46], f[82], f[91]
        record = RecordSheetDay(
            self.line, day or month, base if base.strip("0") else None, special if special.strip("0") else None,
            liaison if liaison.strip("0") else None,
        )
        days = self.sheet_days.get((self._key(f, layout, month), f[8]))
        if days is None:
            days = self.sheet_days[(self._key(f, layout, month), f[8])] = []
        days.append(record)

    def _duplicate(self, layout: Layout, first_line: int, what: str) -> None:
        self.error(
            "claim-duplicate", self.line,
            f"{what}（{layout.key} {layout.title}）が2つあります（最初は{first_line}行目）。どちらが正しいか teichaku には決められません。",
        )

    # --- the whole file -------------------------------------------------------------------------

    def _finish(self, control: ControlRecord | None, end_line: int, data_records: int, complete: bool) -> ClaimFile:
        if control is None:  # line 1 was cut short: said already
            raise self.stop()
        if not end_line and complete:
            self.error(
                "claim-end-missing", self.line,
                "終わりのレコード（3,レコード番号）がありません。ファイルが途中で切れているか、最後の行が消されています。",
                "請求ソフトで請求ファイルを書き出し直してください",
            )
        if self.after_end[1]:
            self.error(
                "claim-after-end", self.after_end[0],
                f"終わりのレコード（{end_line}行目）の後に{self.after_end[1]}行あります。エンドレコードはファイルの最後の行です。",
            )
        if control.record_count != data_records:
            self.error(
                "claim-record-count", control.line,
                f"レコード件数が {control.record_count:,} ですが、ファイルのデータレコード（2）は {data_records:,}件です"
                "（コントロールレコードとエンドレコードは数えません。共通編 p.6）。",
                field=CONTROL.label(4), value=str(control.record_count),
            )
        for month, (line, count) in sorted(self.later.items()):
            self.error(
                "claim-later-month", line,
                f"{format_wareki_month(self.month)}分の照合に、それより後の{format_wareki_month(month)}分のレコードが{count:,}件あります（最初は{line}行目）。",
                f"--month {month:%Y-%m} で照合するか、{format_wareki_month(self.month)}分の請求ファイルを指定してください",
                field="サービス提供年月（項番3）", value=f"{month:%Y%m}",
            )
        for number, (line, count) in sorted(self.other_office.items()):
            if number == control.office_number:  # the control record's number: said there once
                continue
            self.error(
                "claim-office-number", line,
                f"事業所番号 {_shown(number) or '（空欄）'} のレコードが{count:,}件あります（最初は{line}行目）。"
                f"この事業所（teichaku.toml の事業所番号 {self.office_number}）のものではありません。",
                "この事業所の請求ファイルを指定してください", field="事業所番号（項番5）", value=_shown(number),
            )
        statements = self._statements()
        sheets = self._record_sheets()
        others = [OtherRecords(key, count, line) for key, (line, count) in self.others.items()]
        months = [k.month for k in statements] + [k.month for k, _ in sheets] + [m for _, m in self.invoices]
        months += [k[1] for k in self.invoice_lines]
        claim = ClaimFile(
            self.path, self.file, control, end_line, self.month or (max(months) if months else None),
            list(self.invoices.values()), list(self.invoice_lines.values()), statements, sheets, others,
        )
        self._notes(control, others)
        if not self.problems:
            self.findings.extend(invoice_findings(claim))
        claim.findings = self.findings
        if self.problems:
            self.problems.sort(key=lambda p: p.place.row or 0)  # in the file's order (the 外字 scan runs first)
            if self.unlisted:
                self.problems.append(ClaimProblem(Place(self.file), f"ほかに{self.unlisted:,}件の問題があります（最初の{LISTED}件だけを示しました）。",
                                                  "", None, "error", True, "claim-more-problems"))
            raise ClaimFileProblems(self.problems + self.findings)
        return claim

    def _statements(self) -> dict[UserMonth, Statement]:
        for key, parts in self.parts.items():
            if key not in self.basics and ("J121", key.recipient, key.municipality, f"{key.month:%Y%m}") not in self.unreadable_basics:
                first = min(r.line for records in parts for r in records)
                self.error(
                    "claim-statement-basic-missing", first,
                    f"{key.describe()}の明細書（J121）に基本情報レコード（J121:01）がありません。"
                    "基本情報のない明細書は請求になりません。",
                )
        empty: tuple[list, list, list, list] = ([], [], [], [])
        return {key: Statement(key, basic, *self.parts.get(key, empty)) for key, basic in self.basics.items()}

    def _record_sheets(self) -> dict[tuple[UserMonth, str], RecordSheet]:
        for (key, form), days in self.sheet_days.items():
            if (key, form) not in self.sheet_basics and ("J611", key.recipient, key.municipality, f"{key.month:%Y%m}") not in self.unreadable_basics:
                self.error(
                    "claim-record-sheet-basic-missing", days[0].line,
                    f"{key.describe()}・様式種別番号 {form or '（空欄）'}の実績記録票（J611）に基本情報レコード（J611:01）がありません。",
                )
        return {k: RecordSheet(k[0], k[1], basic, self.sheet_days.get(k, [])) for k, basic in self.sheet_basics.items()}

    def _notes(self, control: ControlRecord, others: list[OtherRecords]) -> None:
        if self.first_exchange and control.data_kind != self.first_exchange[:3]:
            self.finding(
                "claim-data-kind", "warning", control.line,
                f"データ種別が「{control.data_kind}」ですが、仕様（共通編 1.6）では最初のデータレコードの交換情報識別番号の先頭3文字"
                f"（ここでは「{self.first_exchange[:3]}」）です。teichaku はデータ種別で読み方を変えません。",
                "取込送信で受け付けられないときは、請求ソフトで書き出し直してください", field=CONTROL.label(5),
            )
        if self.lf[1]:
            self.finding(
                "claim-line-ends-lf", "warning", self.lf[0],
                f"{self.lf[1]:,}行が改行 LF だけで終わっています（最初は{self.lf[0]}行目）。仕様（共通編 p.6）は CRLF です。"
                "teichaku は読みますが、取込送信で受け付けられないおそれがあります。",
                "請求ソフトが書き出したままのファイルを送ってください（エディタで保存し直すと改行が変わることがあります）",
            )
        if self.blank_after_end[1]:
            self.finding(
                "claim-blank-after-end", "warning", self.blank_after_end[0],
                f"終わりのレコードの後に空の行が{self.blank_after_end[1]:,}行あります。仕様（共通編 p.6）ではエンドレコードが最後の行です。",
                "取込送信で受け付けられないときは、請求ソフトが書き出したままのファイルを送ってください",
            )
        if self.unquoted[1]:
            line, field = self.unquoted[0]
            self.finding(
                "claim-unquoted-field", "warning", line,
                f"空白か全角文字（漢字など）を含むのに引用符（\"）で囲まれていない項目が{self.unquoted[1]:,}あります（最初は{line}行目）。"
                "仕様（共通編 1.2.2(4)）では囲みます。teichaku はそのまま読みます。",
                "取込送信で受け付けられないときは、請求ソフトで書き出し直してください", field=field,
            )
        for other in others:
            self.finding(
                "claim-other-records", "note", other.first_line,
                f"teichaku が読まないレコード {other.key} が{other.count:,}件あります（最初は{other.first_line}行目）。数えるだけで照合しません。",
            )


_READERS: dict[str, Callable[..., None]] = {
    "J111:01": _Reader._invoice,
    "J111:02": _Reader._invoice_line,
    "J121:01": _Reader._statement_basic,
    "J121:02": _Reader._statement_days,
    "J121:03": _Reader._statement_detail,
    "J121:04": _Reader._statement_summary,
    "J121:05": _Reader._statement_contract,
    "J611:01": _Reader._sheet_basic,
    "J611:02": _Reader._sheet_day,
}
# (交換情報識別番号, レコード種別コード) → its layout, checks and reader: one lookup a line
_RECORDS = {(layout.exchange, layout.record_type): (layout, _Checks(layout), _READERS[layout.key]) for layout in claim_layout.INNER}


# --- J111 請求書 against the J121 明細書 ---------------------------------------------------------

# What each J111 total is compared with: (J111 attribute, what it is summed from, how).
# J111:01 #17–23 from the J121:01 of the same 市町村 and month; J111:02 #8–14 (給付種別 1)
# from the J121:04 of its service type. 利用者負担額 is 決定利用者負担額 less 自治体助成分
# (J111:02 #13's note: 「明細書の決定利用者負担額から自治体助成額を控除した額」).
_TOTALS = (
    ("count", "明細書の件数"),
    ("units", f"{StatementBasic.label('units')}の合計"),
    ("total_cost", f"{StatementBasic.label('total_cost')}の合計"),
    ("benefit", f"{StatementBasic.label('benefit')}の合計"),
    ("special_measures", f"{StatementBasic.label('special_measures')}の合計"),
    ("user_burden", f"{StatementBasic.label('user_burden')}から{StatementBasic.label('municipal_subsidy')}を引いた額の合計"),
    ("municipal_subsidy", f"{StatementBasic.label('municipal_subsidy')}の合計"),
)
_LINES = (
    ("count", "このサービス種類の明細書の件数"),
    ("units", f"{StatementSummary.label('units')}の合計"),
    ("total_cost", f"{StatementSummary.label('total_cost')}の合計"),
    ("benefit", f"{StatementSummary.label('benefit')}の合計"),
    ("special_measures", f"{StatementSummary.label('special_measures')}の合計"),
    ("user_burden", f"{StatementSummary.label('user_burden')}から{StatementSummary.label('municipal_subsidy')}を引いた額の合計"),
    ("municipal_subsidy", f"{StatementSummary.label('municipal_subsidy')}の合計"),
)
# With 給付種別 2 (特定障害者特別給付費・高額障害福祉サービス費; J111:01 #14–16) or 3 (処遇改善助成金) in
# play, 合計件数・費用合計・給付費請求額 add that part, whose arithmetic our sources do not give: not judged.
_WITH_KIND_2 = frozenset({"count", "total_cost", "benefit"})
FIX_INVOICE = "請求ソフトで請求書と明細書を作り直してください（請求書の合計は、同じ市町村・月の明細書の合計と一致します）"


def invoice_findings(claim: ClaimFile) -> list[ClaimProblem]:
    """J111 請求書 totals that do not add up to the J121 明細書 of the same 市町村 and
    month, and 明細書 without their 請求書: errors of the file that do not stop the
    reading (the reconcile shows them at the office level)."""
    found: list[ClaimProblem] = []

    def say(code: str, severity: str, line: int, message: str, fix: str = FIX_INVOICE, field: str | None = None) -> None:
        found.append(ClaimProblem(Place(claim.file, None, line, field), message, fix, None, severity, False, code))

    if claim.other_records:
        kinds = "、".join(o.key for o in claim.other_records)
        say("claim-invoice-not-checked", "note", claim.other_records[0].first_line,
            f"teichaku が読まないレコード（{kinds}）があるため、請求書（J111）の合計を明細書と照らしていません"
            "（読まないレコードが合計に入っているかもしれないため）。", "")
        return found
    statements: dict[tuple[str, date], list[Statement]] = defaultdict(list)
    for statement in claim.statements.values():
        statements[(statement.key.municipality, statement.key.month)].append(statement)
    invoices = {(i.municipality, i.month): i for i in claim.invoices}
    lines: dict[tuple[str, date], list[InvoiceLine]] = defaultdict(list)
    for line in claim.invoice_lines:
        lines[(line.municipality, line.month)].append(line)
    for key in sorted(set(statements) | set(invoices) | set(lines), key=lambda k: (k[1], k[0])):
        municipality, month = key
        where = f"市町村番号 {municipality}・{format_wareki_month(month)}分"
        group = sorted(statements.get(key, []), key=lambda s: s.basic.line)
        invoice = invoices.get(key)
        first_line = group[0].basic.line if group else (lines[key][0].line if lines.get(key) else 0)
        if invoice is None:
            say("claim-invoice-missing", "error", first_line,
                f"{where}の明細書があるのに、請求書の基本情報（J111:01）がありません。")
        else:
            basics = [s.basic for s in group]
            kind_2 = any(b.high_cost for b in basics) or any(l.benefit_kind != "1" for l in lines.get(key, []))
            expected = {
                "count": len(basics), "units": sum(b.units for b in basics), "total_cost": sum(b.total_cost for b in basics),
                "benefit": sum(b.benefit for b in basics), "special_measures": sum(b.special_measures for b in basics),
                "user_burden": sum(b.user_burden - b.municipal_subsidy for b in basics),
                "municipal_subsidy": sum(b.municipal_subsidy for b in basics),
            }
            for attribute, summed in _TOTALS:
                if kind_2 and attribute in _WITH_KIND_2:
                    continue
                claimed = getattr(invoice, attribute)
                if claimed != expected[attribute]:
                    say("claim-invoice-differs", "error", invoice.line,
                        f"{where}の請求書の値は {claimed:,} ですが、{summed}は {expected[attribute]:,} です。",
                        field=InvoiceTotals.label(attribute))
            if kind_2:
                say("claim-invoice-not-checked", "note", invoice.line,
                    f"{where}には給付種別1以外（2 特定障害者特別給付費・高額障害福祉サービス費、3 処遇改善助成金）の分があるため、"
                    "合計件数・合計費用合計・合計給付費請求額は明細書と照らしていません（その分の足し方が手元の資料にないため）。", "")
        by_type: dict[str, list[Statement]] = defaultdict(list)
        for statement in group:
            for service in statement.service_types:
                by_type[service].append(statement)
        kind_1 = {line.service_type: line for line in lines.get(key, []) if line.benefit_kind == "1"}
        for service in sorted(set(by_type) | set(kind_1)):
            line = kind_1.get(service)
            members = by_type.get(service, [])
            if line is None:
                say("claim-invoice-missing", "error", members[0].basic.line,
                    f"{where}の{service_name(service)}の明細書が{len(members)}件あるのに、請求書の明細情報（J111:02、給付種別 1）がありません。")
                continue
            rows = [s for m in members for s in m.summaries if s.service_type == service]
            expected = {
                "count": len(members), "units": sum(s.units for s in rows), "total_cost": sum(s.total_cost for s in rows),
                "benefit": sum(s.benefit for s in rows), "special_measures": sum(s.special_measures for s in rows),
                "user_burden": sum(s.user_burden - s.municipal_subsidy for s in rows),
                "municipal_subsidy": sum(s.municipal_subsidy for s in rows),
            }
            for attribute, summed in _LINES:
                claimed = getattr(line, attribute)
                if claimed != expected[attribute]:
                    say("claim-invoice-differs", "error", line.line,
                        f"{where}・{service_name(service)}の請求書明細の値は {claimed:,} ですが、{summed}は {expected[attribute]:,} です。",
                        field=InvoiceLine.label(attribute))
    return found
