"""The 国保連 claim file (請求ファイル) as read: what the office is about to send
through the 取込送信 system, typed. ``office/claim_file.py`` reads the file into it
and reports what is wrong; the reconcile asks it questions.

The file (インタフェース仕様書 共通編・事業所編 令和7年10月版; layouts in
``model/claim_layout.py``, what teichaku reads in docs/check.md) holds a control
record, data records and an end record. Each data record carries one inner record:
J111 請求書 (01 totals per 市町村 and month, 02 per service type), J121 明細書 (one per
user-month: 01 基本, 02 日数, 03 明細, 04 集計, 05 契約) and J611 実績記録票 (01 基本,
02 one row per day). Records may come grouped by record type rather than by user, so
they are keyed here by 受給者証番号, 市町村番号 and サービス提供年月.

Which user-months are 就労定着支援: a J121 whose J121:04 (or J121:02) サービス種類コード is
47; its J121:03 lines are those whose サービスコード starts 47. A J611 carries no
service type (its 様式種別番号 for 就労定着支援 is not in our sources, so it is never
judged): it belongs to 就労定着支援 when its 受給者証番号 and month have such a J121.
Other services in the same file are counted and named, not judged.

Every record keeps the line it was read from, for messages. Months are the first
day of the month (``date``), as everywhere in teichaku.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import ClassVar, NamedTuple

from teichaku_cli.base.dates import format_wareki_month
from teichaku_cli.base.errors import DataProblems, Problem, TeichakuError
from teichaku_cli.model.claim_layout import BY_KEY, CONTROL

TEICHAKU_SERVICE = "47"  # サービス種類コード of 就労定着支援 (secondary sources agree; not in the spec's tables)
TEICHAKU_CODE_PREFIX = "47"  # its サービスコード start so
# The service types whose names our sources give (secondary sources, docs/check.md). Any other code is shown
# as its number: teichaku has no table of サービス種類コード and never invents a meaning.
SERVICE_NAMES = {"47": "就労定着支援", "46": "就労継続支援B型", "43": "就労移行支援"}


def shown(value: str) -> str:
    """A value of the file a message may show: the half-width text of a number or a code.
    Anything else (kana, 漢字) could be a name that landed in the wrong field: not shown."""
    if value.isascii() and value.isprintable():
        return value[:20]
    return "（全角文字かカナを含むため表示しません）"


def service_name(code: str) -> str:
    name = SERVICE_NAMES.get(code)
    return f"{name}（{code}）" if name else f"サービス種類コード {code}"


@dataclass(frozen=True)
class ClaimProblem(Problem):
    """A problem of the claim file, with a stable code (docs/check.md lists them)."""

    code: str = ""


@dataclass
class ClaimFileProblems(DataProblems):
    """The claim file cannot be read as it is: every problem found, each placed."""

    def __post_init__(self) -> None:
        TeichakuError.__init__(
            self,
            f"請求ファイルに{len(self.errors)}件の問題があります。",
            "請求ソフト（または簡易入力）で直して請求ファイルを作り直し、もう一度実行してください",
        )


class UserMonth(NamedTuple):
    """One user-month of the claim: the 明細書 and 実績記録票 are keyed so (a tuple:
    tens of thousands are made and hashed while reading)."""

    recipient: str  # 受給者証番号
    municipality: str  # 市町村番号
    month: date  # サービス提供年月

    def describe(self) -> str:
        return f"受給者証番号 {self.recipient}（市町村番号 {self.municipality}、{format_wareki_month(self.month)}分）"


def _label(cls: type, attribute: str) -> str:
    layout = CONTROL if cls.LAYOUT == "control" else BY_KEY[cls.LAYOUT]  # type: ignore[attr-defined]
    return layout.label(cls.FIELDS[attribute])  # type: ignore[attr-defined]


class _Fields:
    """Where each attribute of a record was read from: ``label("units")`` names the
    field as messages do (record, 項番 and the spec's name)."""

    __slots__ = ()
    LAYOUT: ClassVar[str]
    FIELDS: ClassVar[dict[str, int]]
    label = classmethod(_label)


@dataclass(frozen=True, slots=True)
class ControlRecord(_Fields):
    """The コントロールレコード (共通編 p.6)."""

    line: int
    record_count: int  # レコード件数: data records only
    data_kind: str  # データ種別 (J11 for a claim: never a reason to refuse the file)
    office_number: str  # 事業所番号
    medium: str  # 媒体区分 (1 = 伝送)
    processing_month: date  # 処理対象年月: data, not "service month + 1" (過月請求, 再請求)

    LAYOUT: ClassVar[str] = "control"
    FIELDS: ClassVar[dict[str, int]] = {
        "record_count": 4, "data_kind": 5, "office_number": 7, "medium": 9, "processing_month": 10,
    }


@dataclass(frozen=True, slots=True)
class InvoiceTotals(_Fields):
    """J111:01 請求書 基本情報: one per 市町村 and サービス提供年月."""

    line: int
    municipality: str
    month: date
    amount: int  # 請求金額 (#6)
    count: int  # 合計件数 (#17)
    units: int  # 合計単位数 (#18)
    total_cost: int  # 合計費用合計 (#19)
    benefit: int  # 合計給付費請求額 (#20)
    special_measures: int  # 合計特別対策費請求額 (#21)
    user_burden: int  # 合計利用者負担額 (#22)
    municipal_subsidy: int  # 合計自治体助成額 (#23)

    LAYOUT: ClassVar[str] = "J111:01"
    FIELDS: ClassVar[dict[str, int]] = {
        "municipality": 4, "month": 3, "amount": 6, "count": 17, "units": 18, "total_cost": 19, "benefit": 20,
        "special_measures": 21, "user_burden": 22, "municipal_subsidy": 23,
    }


@dataclass(frozen=True, slots=True)
class InvoiceLine(_Fields):
    """J111:02 請求書 明細情報: one per 市町村, month, 給付種別 and サービス種類."""

    line: int
    municipality: str
    month: date
    benefit_kind: str  # 給付種別 (1 介護給付費・訓練等給付費等, 2 特定障害者特別給付費・高額…, 3 処遇改善助成金)
    service_type: str
    count: int  # 件数 (#8)
    units: int  # 単位数 (#9)
    total_cost: int  # 費用合計 (#10)
    benefit: int  # 給付費請求額 (#11)
    special_measures: int  # 特別対策費請求額 (#12)
    user_burden: int  # 利用者負担額 (#13)
    municipal_subsidy: int  # 自治体助成額 (#14)

    LAYOUT: ClassVar[str] = "J111:02"
    FIELDS: ClassVar[dict[str, int]] = {
        "municipality": 4, "month": 3, "benefit_kind": 6, "service_type": 7, "count": 8, "units": 9,
        "total_cost": 10, "benefit": 11, "special_measures": 12, "user_burden": 13, "municipal_subsidy": 14,
    }


@dataclass(frozen=True, slots=True)
class StatementBasic(_Fields):
    """J121:01 明細書 基本情報: what the reconcile compares with the 受給者証 and the amounts."""

    line: int
    key: UserMonth
    cap_monthly: int | None  # 利用者負担上限月額① (#12)
    cap_manager: str | None  # 上限額管理事業所の指定事業所番号 (#15)
    cap_result: str | None  # 管理結果 (#16; all zeros = 未設定 → None)
    cap_result_amount: int | None  # 管理結果額 (#17)
    units: int  # 給付単位数 (#20)
    total_cost: int  # 総費用額 (#21)
    user_burden: int  # 決定利用者負担額 (#27)
    benefit: int  # 給付費 (#28)
    high_cost: int  # 高額障害福祉サービス費 (#29; blank = 0)
    special_measures: int  # 特別対策費 (#30; blank = 0)
    municipal_subsidy: int  # 自治体助成分請求額 (#31; blank = 0)

    LAYOUT: ClassVar[str] = "J121:01"
    FIELDS: ClassVar[dict[str, int]] = {
        "month": 3, "municipality": 4, "recipient": 6, "cap_monthly": 12, "cap_manager": 15, "cap_result": 16,
        "cap_result_amount": 17, "units": 20, "total_cost": 21, "user_burden": 27, "benefit": 28, "high_cost": 29,
        "special_measures": 30, "municipal_subsidy": 31,
    }


@dataclass(frozen=True, slots=True)
class StatementDays(_Fields):
    """J121:02 明細書 日数情報 (per service type)."""

    line: int
    service_type: str
    start: date | None  # 開始年月日
    end: date | None  # 終了年月日
    days: int | None  # 利用日数

    LAYOUT: ClassVar[str] = "J121:02"
    FIELDS: ClassVar[dict[str, int]] = {"service_type": 7, "start": 8, "end": 9, "days": 10}


@dataclass(frozen=True, slots=True)
class StatementDetail(_Fields):
    """J121:03 明細書 明細情報: one service code's line."""

    line: int
    service_code: str  # サービスコード (shown as it is: no 就労定着支援 code table is at hand)
    units: int  # 単位数 (per time)
    count: int  # 回数
    service_units: int  # サービス単位数
    remarks: str  # 摘要

    LAYOUT: ClassVar[str] = "J121:03"
    FIELDS: ClassVar[dict[str, int]] = {"service_code": 7, "units": 8, "count": 9, "service_units": 10, "remarks": 11}


@dataclass(frozen=True, slots=True)
class StatementSummary(_Fields):
    """J121:04 明細書 集計情報 (per service type and 集計欄分類番号)."""

    line: int
    service_type: str
    category: str | None  # 集計欄分類番号
    days: int | None  # サービス利用日数
    units: int  # 給付単位数 (#10)
    unit_price: Decimal  # 単位数単価 (#11: 2 integer + 3 decimal digits; 11200 → 11.200 円)
    total_cost: int  # 総費用額 (#13)
    user_burden: int  # 決定利用者負担額 (#21)
    benefit: int  # 給付費 (#22)
    special_measures: int  # 特別対策費 (#24; blank = 0)
    municipal_subsidy: int  # 自治体助成分請求額 (#25; blank = 0)

    LAYOUT: ClassVar[str] = "J121:04"
    FIELDS: ClassVar[dict[str, int]] = {
        "service_type": 7, "category": 8, "days": 9, "units": 10, "unit_price": 11, "total_cost": 13,
        "user_burden": 21, "benefit": 22, "special_measures": 24, "municipal_subsidy": 25,
    }


@dataclass(frozen=True, slots=True)
class StatementContract(_Fields):
    """J121:05 明細書 契約情報."""

    line: int
    decision_code: str  # 決定サービスコード
    amount: Decimal | None  # 契約支給量 (3 integer + 2 decimal digits: 01200 → 12.00)
    start: date | None  # 契約開始年月日
    end: date | None  # 契約終了年月日
    entry_number: int | None  # 事業者記入欄番号

    LAYOUT: ClassVar[str] = "J121:05"
    FIELDS: ClassVar[dict[str, int]] = {"decision_code": 7, "amount": 8, "start": 9, "end": 10, "entry_number": 11}


@dataclass
class Statement:
    """One J121 明細書: a user-month of the claim."""

    key: UserMonth
    basic: StatementBasic
    days: list[StatementDays] = field(default_factory=list)
    details: list[StatementDetail] = field(default_factory=list)
    summaries: list[StatementSummary] = field(default_factory=list)
    contracts: list[StatementContract] = field(default_factory=list)

    @property
    def service_types(self) -> list[str]:
        """The サービス種類コード of its J121:04 and J121:02 records, in the order read."""
        return list(dict.fromkeys([s.service_type for s in self.summaries] + [d.service_type for d in self.days]))

    @property
    def is_teichaku(self) -> bool:
        return TEICHAKU_SERVICE in self.service_types

    @property
    def teichaku_details(self) -> list[StatementDetail]:
        """Its J121:03 lines of 就労定着支援 (サービスコード 47…)."""
        return [d for d in self.details if d.service_code.startswith(TEICHAKU_CODE_PREFIX)]

    @property
    def teichaku_summaries(self) -> list[StatementSummary]:
        return [s for s in self.summaries if s.service_type == TEICHAKU_SERVICE]


@dataclass(frozen=True, slots=True)
class RecordSheetBasic(_Fields):
    """J611:01 実績記録票 基本情報: the fields that bear on 就労定着支援."""

    line: int
    key: UserMonth
    form: str  # 様式種別番号 (never judged: its value for 就労定着支援 is not in our sources)
    days_total: int | None  # 合計算定日数 (#37)
    special_area_count: int | None  # 特別地域加算（回） (#123)
    liaison_count: int | None  # 定着支援連携促進加算（回） (#146)
    report_shared_on: date | None  # 支援レポート共有日 (#153)

    LAYOUT: ClassVar[str] = "J611:01"
    FIELDS: ClassVar[dict[str, int]] = {
        "month": 3, "municipality": 4, "recipient": 6, "form": 7, "days_total": 37, "special_area_count": 123,
        "liaison_count": 146, "report_shared_on": 153,
    }


class RecordSheetDay(NamedTuple):
    """J611:02 実績記録票 明細情報: one row of a day (a tuple: ~10 a user)."""

    line: int
    day: date  # 日付 (#9) in the サービス提供年月
    base_support: str | None  # 算定日数 (#45: 1 = a day of base-fee support; all zeros → None)
    special_area: str | None  # 特別地域加算 (#81)
    liaison: str | None  # 定着支援連携促進加算 (#90: 1 = 地域連携会議実施加算（Ⅰ）, 2 = （Ⅱ）)

    LAYOUT = "J611:02"
    FIELDS = {"form": 7, "day": 9, "base_support": 45, "special_area": 81, "liaison": 90}
    label = classmethod(_label)


@dataclass
class RecordSheet:
    """One J611 実績記録票: a user-month and 様式種別番号."""

    key: UserMonth
    form: str
    basic: RecordSheetBasic
    days: list[RecordSheetDay] = field(default_factory=list)


@dataclass(frozen=True)
class OtherRecords:
    """Inner records of a kind teichaku does not read (another 交換情報識別番号): counted."""

    key: str  # 交換情報識別番号:レコード種別コード
    count: int
    first_line: int


@dataclass
class ClaimFile:
    """A claim file as read. ``month`` is the month checked: the one given, or the
    latest サービス提供年月 in the file (None when it holds no inner record)."""

    path: Path
    file: str  # as messages name it
    control: ControlRecord
    end_line: int
    month: date | None
    invoices: list[InvoiceTotals] = field(default_factory=list)
    invoice_lines: list[InvoiceLine] = field(default_factory=list)
    statements: dict[UserMonth, Statement] = field(default_factory=dict)
    record_sheets: dict[tuple[UserMonth, str], RecordSheet] = field(default_factory=dict)
    other_records: list[OtherRecords] = field(default_factory=list)
    # what is wrong or worth saying that does not stop the reading (J111 totals, LF line ends…)
    findings: list[ClaimProblem] = field(default_factory=list)

    @property
    def months(self) -> list[date]:
        """Every サービス提供年月 in the file, oldest first."""
        found = {k.month for k in self.statements} | {k.month for k, _ in self.record_sheets}
        found |= {i.month for i in self.invoices} | {i.month for i in self.invoice_lines}
        return sorted(found)

    def statements_in(self, month: date) -> list[Statement]:
        return [s for k, s in self.statements.items() if k.month == month]

    def teichaku_statements(self, month: date | None = None) -> list[Statement]:
        """The 就労定着支援 明細書 of the month (the month checked by default)."""
        return [s for s in self.statements_in(month or self.month) if s.is_teichaku] if (month or self.month) else []

    def late_statements(self) -> list[Statement]:
        """The 明細書 for months before the month checked (月遅れ: listed, never judged), oldest first."""
        if self.month is None:
            return []
        late = [s for k, s in self.statements.items() if k.month < self.month]
        return sorted(late, key=lambda s: (s.key.month, s.basic.line))

    def record_sheets_of(self, recipient: str, month: date) -> list[RecordSheet]:
        """The 実績記録票 of a 受給者証番号 and month (one per 様式種別番号; 市町村番号 not compared)."""
        return self._sheets_by_recipient.get((recipient, month), [])

    @functools.cached_property
    def _sheets_by_recipient(self) -> dict[tuple[str, date], list[RecordSheet]]:
        # asked once per 明細書: a scan of every sheet each time was quadratic (2,000 users: 0.8 s)
        found: dict[tuple[str, date], list[RecordSheet]] = {}
        for (key, _), sheet in self.record_sheets.items():
            found.setdefault((key.recipient, key.month), []).append(sheet)
        return found

    def teichaku_record_sheets(self, statement: Statement) -> list[RecordSheet]:
        """The 実績記録票 that belong to a 就労定着支援 明細書: those of its 受給者証番号 and month.
        More than one (two 様式種別番号) cannot be told apart: the caller says so."""
        return self.record_sheets_of(statement.key.recipient, statement.key.month) if statement.is_teichaku else []

    def service_counts(self, month: date | None = None) -> list[tuple[str, str, int]]:
        """(サービス種類コード, name, 明細書) for every service type of the month's 明細書,
        就労定着支援 first: what is counted and named, and (47 only) judged."""
        month = month or self.month
        counts = Counter(t for s in (self.statements_in(month) if month else []) for t in s.service_types)
        order = sorted(counts, key=lambda t: (t != TEICHAKU_SERVICE, t))
        return [(t, service_name(t), counts[t]) for t in order]
