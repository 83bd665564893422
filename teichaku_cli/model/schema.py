"""The office-data contract: the sheets (tables), their canonical Japanese headers,
which are required, and what kind of value each column holds.

``docs/data-format.md`` is the prose version of this module; ``teichaku init``
writes an empty workbook from it. Extra columns in a sheet are kept as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


ROW = "_row"  # the Excel row number of each record, a column of every table


class C:
    """Every column's canonical header, by a name the code can check: rules, documents
    and checks reach a column as ``frame[C.USER_ID]``, never by typing its Japanese
    header again (a renamed column is then found by reading, not at run time).
    tests/test_schema_names.py keeps this list and the tables below the same."""

    USER_ID = "利用者ID"
    NAME = "氏名"
    HIRED = "就職日"
    EMPLOYER = "事業主"
    SERVICE_START = "利用開始日"
    SERVICE_END = "利用終了日"
    LEFT = "離職日"
    REHIRED = "再就職日"
    USER_TYPE = "利用類型"
    BASE_DAY = "起算日"
    DISCLOSURE = "障害開示"
    CONSENT = "事業主共有同意"
    CONSENT_FROM = "事業主共有同意日"
    INTEGRATED = "一体的運営"
    SPECIAL_AREA = "特別地域"
    NEEDS_HANDOFF = "要継続支援"
    STAFF = "担当者"
    LEFT_REASON = "離職理由"
    REMARKS = "備考"
    DATE = "日付"
    METHOD = "方法"
    COUNTERPART = "相手"
    KIND = "区分"
    CONTENT = "内容"
    RESULT = "結果"
    SHAREABLE = "事業主共有"
    MONTH = "対象月"
    GIVEN_ON = "本人提供日"
    SHARED_ON = "事業主共有日"
    GOAL = "主な支援目標"
    NEXT_SUPPORT = "今後の支援内容"
    USER_EFFORT = "本人の取組"
    EMPLOYER_EFFORT = "事業主の取組"
    SHARED_NOTES = "共有事項"
    AUTHOR = "作成者"
    MADE_ON = "作成日"
    CONSENTED_ON = "本人同意日"
    AGENCIES = "参加機関"
    MANAGER_ATTENDED = "サービス管理責任者参加"
    CERTIFICATE_NUMBER = "受給者証番号"
    MUNICIPALITY = "市町村番号"
    GRANT_START = "支給決定開始日"
    GRANT_END = "支給決定終了日"
    CAP = "負担上限月額"
    CAP_MANAGER = "上限管理事業所番号"
    CAP_RESULT = "管理結果"
    CAP_BURDEN = "利用者負担額"


class Kind(str, Enum):
    ID = "id"
    TEXT = "text"
    DATE = "date"
    MONTH = "month"
    YESNO = "yesno"
    CHOICE = "choice"
    AMOUNT = "amount"  # whole yen, 0 or more


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    # variants (lower-case, NFKC, no spaces) → canonical choice
    variants: dict[str, str] = field(default_factory=dict)
    default: object = None
    yes_no_words: tuple[str, str] = ("はい", "いいえ")
    aliases: tuple[str, ...] = ()  # other header spellings seen in exports
    hints: tuple[tuple[tuple[str, ...], str], ...] = ()  # (words, hint): refused values worth a hint (values.parse_choice)
    width: int = 14
    note: str = ""
    # an end date where 9999-12-31, the usual "no end" placeholder, reads as blank
    # (with a note); in any other column it is an error
    open_end: bool = False
    # A privacy gate (disclosure, consent, what may be shared, with which employer): read
    # strictly. A value that cannot be read is a warning and means "not shared", never an
    # error that stops the claim check; a duplicated header, or any unknown header that
    # looks like it (``lookalike``: regular expressions, the longest match decides which
    # gate it resembles), makes the whole column unreadable: no employer copy.
    gate: bool = False
    lookalike: tuple[str, ...] = ()
    # text that goes into a claim or onto an employer's page (氏名, 事業主): a private-use
    # character (外字) is an error here, a warning in other text (IDs refuse it as IDs)
    claim_text: bool = False

    def choice_map(self) -> dict[str, str]:
        mapping = {c.lower(): c for c in self.choices}
        mapping.update(self.variants)
        return mapping


@dataclass(frozen=True)
class Table:
    name: str  # the sheet name, or the CSV file name without .csv
    columns: tuple[Column, ...]
    required: bool = False
    description: str = ""
    aliases: tuple[str, ...] = ()  # other sheet / CSV names offices give the table

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _yesno(name: str, default: bool | None, yes: str = "はい", no: str = "いいえ", **kw) -> Column:
    return Column(name, Kind.YESNO, default=default, yes_no_words=(yes, no), **kw)


USER_TYPES = ("通常", "労働時間延長支援型", "復職支援型")
SPECIAL_USER_TYPES = USER_TYPES[1:]
DISCLOSURE = ("オープン", "クローズ")
METHODS = ("対面", "テレビ電話", "電話", "メール", "その他")
COUNTERPARTS = ("本人", "事業主", "家族", "関係機関")
# the methods that meet the monthly 対面 requirement: 対面, or two-way video that shows the person
# (就労定着支援の実施について 1の(4)②); phone, mail and chat do not
FACE_TO_FACE_METHODS = ("対面", "テレビ電話")

# Export words for an online meeting are never mapped to テレビ電話: only two-way video
# that shows the person counts for the monthly support (就労定着支援の実施について
# 1の(4)②), and a Zoom call may have been voice only. They stay errors, with a hint.
ONLINE_HINTS = (
    (
        ("zoom", "オンライン", "online", "teams", "line", "ライン", "skype", "webex", "meet", "web会議", "ウェブ会議", "リモート", "ビデオ会議"),
        "テレビ電話（双方向で本人の様子が見える）なら テレビ電話 と書いてください。声だけなら 電話、文字のやりとりなら メール か その他 です",
    ),
)

# Privacy gates: never a default that opens them. A blank disclosure is unknown
# (no employer copy, no employer warnings); a blank consent is no consent.
def _disclosure(**kw) -> Column:
    return Column(
        "障害開示",
        Kind.CHOICE,
        choices=DISCLOSURE,
        variants={"open": "オープン", "開示": "オープン", "close": "クローズ", "closed": "クローズ", "非開示": "クローズ"},
        gate=True,
        lookalike=("開示",),
        **kw,
    )


def _consent(**kw) -> Column:
    return _yesno("事業主共有同意", None, "あり", "なし", aliases=("事業主への共有同意", "共有同意"), gate=True, lookalike=("同意",), **kw)


# 同意年月日, 同意取得日, 同意した日, 同意撤回日 … a date about consent
CONSENT_DATE_WORDS = ("同意.*日", "同意.*撤回", "撤回")

# Subjects offices keep columns about that are not sharing with an employer, though their
# headers hold a look-alike's word (「個人情報同意日」「利用契約同意書回収」「写真掲載同意」): such
# a header is an unknown column, kept for the templates like any other. One that also names
# the sharing itself (SHARING_WORDS: 「事業主共有同意書」「個人情報の事業主への開示同意」) stays a
# look-alike: fail closed. The one list of them (docs/data-format.md says it).
UNRELATED_SUBJECTS = ("個人情報", "利用契約", "同意書", "写真")
SHARING_WORDS = ("事業主", "共有", "開示")


def unrelated_subject(header: str) -> str | None:
    """The unrelated subject a header names (「個人情報同意日」 → 個人情報), unless it
    also names the sharing itself; None otherwise."""
    if any(word in header for word in SHARING_WORDS):
        return None
    return next((subject for subject in UNRELATED_SUBJECTS if subject in header), None)


def _consent_from(**kw) -> Column:
    return Column("事業主共有同意日", Kind.DATE, aliases=("共有同意日",), gate=True, lookalike=CONSENT_DATE_WORDS, **kw)


def _record_employer(**kw) -> Column:
    """The employer a record is about: it decides which employer may ever see it."""
    return Column("事業主", aliases=("就職先", "勤務先", "事業主名"), width=22, gate=True, lookalike=("事業主", "勤務先", "就職先", "企業"), claim_text=True, **kw)


USERS = Table(
    "利用者",
    required=True,
    description="利用者ごとに1行。利用期間・利用類型など。仕事（就職日・事業主・障害開示・共有同意）は就労履歴シートに書くか、1つ目と2つ目の仕事までならこのシートの列でも書けます。",
    columns=(
        Column("利用者ID", Kind.ID, required=True, aliases=("ID", "利用者番号"), width=12),
        Column("氏名", required=True, aliases=("利用者名", "名前"), width=16, claim_text=True),
        Column("就職日", Kind.DATE, aliases=("雇用開始日", "入社日"), note="最初の仕事の就職日。就労履歴シートにこの人の行があれば空欄でよい"),
        Column("事業主", aliases=("就職先", "勤務先", "事業所名（就職先）"), width=22, note="今の（最後の）仕事の事業主", claim_text=True),
        Column("利用開始日", Kind.DATE, required=True, aliases=("サービス開始日", "契約開始日")),
        Column("利用終了日", Kind.DATE, aliases=("サービス終了日", "契約終了日"), note="空欄＝利用継続中（9999/12/31 も空欄として読みます）", open_end=True),
        Column("離職日", Kind.DATE, aliases=("退職日",), note="最初の仕事の離職日（9999/12/31 は空欄として読みます）", open_end=True),
        Column("再就職日", Kind.DATE, aliases=("転職日",), note="2つ目の仕事の就職日。3つ目からは就労履歴シートへ"),
        Column(
            "利用類型",
            Kind.CHOICE,
            choices=USER_TYPES,
            default="通常",
            variants={"通常型": "通常", "労働時間延長": "労働時間延長支援型", "復職支援": "復職支援型"},
            width=20,
        ),
        Column("起算日", Kind.DATE, note="労働時間延長支援型・復職支援型では必須"),
        _disclosure(note="今の（最後の）仕事での障害開示。空欄は「分からない」で、事業主用の帳票は作りません"),
        _consent(note="今の（最後の）仕事の事業主と支援レポートを共有することへの本人の同意。空欄は「同意なし」"),
        _consent_from(note="今の（最後の）仕事で共有に同意した日。この日より前の記録は共有しない。空欄で同意ありなら就職日から"),
        _yesno("一体的運営", True, note="いいえ＝一体的に運営していない送り出し事業所から来た利用者（初期加算）"),
        _yesno("特別地域", False),
        _yesno("要継続支援", False, note="はい＝終了後も他機関による支援が必要（引継ぎが必要）"),
        Column("担当者", aliases=("就労定着支援員", "担当職員")),
    ),
)

HISTORY = Table(
    "就労履歴",
    description="仕事ごとに1行（転職したら行を足す）。障害開示と事業主との共有同意は仕事ごとに決まります。",
    # a history kept under another name, left unread, would make every job the latest one
    aliases=("職歴", "就労歴", "勤務歴", "就職歴", "職務経歴", "雇用履歴", "勤務履歴"),
    columns=(
        Column("利用者ID", Kind.ID, required=True, aliases=("ID", "利用者番号"), width=12),
        Column("事業主", required=True, aliases=("就職先", "勤務先"), width=22, claim_text=True),
        Column("就職日", Kind.DATE, required=True, aliases=("雇用開始日", "入社日")),
        Column("離職日", Kind.DATE, aliases=("退職日",), note="空欄＝今も勤務中（9999/12/31 も空欄として読みます）", open_end=True),
        _disclosure(note="この仕事での障害開示。空欄は「分からない」で、この事業主向けの帳票は作りません"),
        _consent(note="この事業主と支援レポートを共有することへの本人の同意。空欄は「同意なし」"),
        _consent_from(note="この日より前の記録は共有しない。空欄で同意ありなら就職日から"),
        Column("離職理由", width=24),
        Column("備考", width=30),
    ),
)

CONTACTS = Table(
    "支援記録",
    required=True,
    description="支援・連絡の記録。1回の支援ごとに1行。",
    columns=(
        Column("日付", Kind.DATE, required=True, aliases=("支援日", "実施日", "提供日")),
        Column("利用者ID", Kind.ID, required=True, aliases=("ID", "利用者番号"), width=12),
        Column(
            "方法",
            Kind.CHOICE,
            required=True,
            choices=METHODS,
            variants={
                "面談": "対面",
                "訪問": "対面",
                "来所": "対面",
                "テレビ電話装置等": "テレビ電話",
                "ビデオ通話": "テレビ電話",
                "tel": "電話",
                "e-mail": "メール",
                "email": "メール",
                "mail": "メール",
            },
            aliases=("支援方法", "手段"),
            hints=ONLINE_HINTS,
        ),
        Column(
            "相手",
            Kind.CHOICE,
            required=True,
            choices=COUNTERPARTS,
            variants={"利用者": "本人", "企業": "事業主", "雇用主": "事業主", "職場": "事業主"},
            aliases=("対象", "支援対象"),
        ),
        Column("区分", note="例: 支援 / 職場訪問 / 引継ぎ"),
        Column("担当者", aliases=("記録者", "支援者")),
        Column("内容", aliases=("支援内容",), width=40),
        Column("結果", aliases=("支援結果",), width=30),
        _yesno("事業主共有", False, "可", "不可", note="可＝事業主向け支援レポートに載せてよい", gate=True, lookalike=("共有", "公開", "開示")),
        _record_employer(note="どの仕事（事業主）についての記録か。空欄なら日付でその日の仕事とみなす"),
    ),
)

REPORTS = Table(
    "支援レポート",
    description="月ごとの支援レポート（別紙様式1）の提供記録と記載内容。",
    columns=(
        Column("利用者ID", Kind.ID, required=True, aliases=("ID",), width=12),
        Column("対象月", Kind.MONTH, required=True),
        Column("本人提供日", Kind.DATE),
        Column("事業主共有日", Kind.DATE),
        Column("主な支援目標", width=30),
        Column("今後の支援内容", width=30),
        Column("本人の取組", width=30),
        Column("事業主の取組", width=30),
        Column("共有事項", width=30),
        Column("作成者"),
        _record_employer(note="共有した事業主。月の途中で転職したときは必ず書く"),
    ),
)

# The 支援レポート's own text, and what of it an employer copy may show: declared in
# teichaku.toml ("事業主と共有する項目"), by default only the two written for the employer
# (docs/templates.md says why). 事業主共有同意=あり is consent to exactly that list.
REPORT_FIELDS = ("主な支援目標", "今後の支援内容", "本人の取組", "事業主の取組", "共有事項")
EMPLOYER_FIELDS = ("事業主の取組", "共有事項")

PLAN_CONTENT = (
    "引継ぎ事項",
    "職場環境",
    "業務内容",
    "労働条件",
    "関係機関",
    "健康状態",
    "生活環境",
    "長期目標",
    "短期目標",
    "支援方針",
    "支援内容",
    "支援期間",
    "支援頻度",
    "役割分担",
    "評価",
)

PLANS = Table(
    "支援計画",
    description="就労定着支援計画（別紙様式2）。作成・見直しのたびに1行。",
    columns=(
        Column("利用者ID", Kind.ID, required=True, aliases=("ID",), width=12),
        Column("作成日", Kind.DATE, required=True, aliases=("見直し日", "計画作成日")),
        *(Column(name, width=30) for name in PLAN_CONTENT),
        Column("作成者"),
        Column("本人同意日", Kind.DATE),
    ),
)

MEETINGS = Table(
    "ケース会議",
    description="地域連携会議（ケース会議）の開催記録。",
    columns=(
        Column("日付", Kind.DATE, required=True, aliases=("開催日",)),
        Column("利用者ID", Kind.ID, required=True, aliases=("ID",), width=12),
        Column("参加機関", width=30),
        _yesno("サービス管理責任者参加", None, aliases=("サビ管参加",)),
    ),
)

SUBSIDIES = Table(
    "助成金",
    description="訪問型職場適応援助者（ジョブコーチ）助成金を請求した利用者・月。",
    columns=(
        Column("利用者ID", Kind.ID, required=True, aliases=("ID",), width=12),
        Column("対象月", Kind.MONTH, required=True),
    ),
)

TRANSITIONS = Table(
    "移行実績",
    description="新規指定の事業所のみ: 一体的に運営する就労移行支援等から一般就労した人。",
    columns=(
        Column("氏名", required=True, width=16, claim_text=True),
        Column("就職日", Kind.DATE, required=True),
        Column("離職日", Kind.DATE, open_end=True),
    ),
)

CERTIFICATES = Table(
    "受給者証",
    description="障害福祉サービス受給者証（就労定着支援の支給決定）。支給決定期間ごとに1行（更新したら行を加える）。",
    columns=(
        Column("利用者ID", Kind.ID, required=True, aliases=("ID",), width=12),
        Column("受給者証番号", Kind.ID, required=True, width=14, note="受給者証に書かれた10桁の番号"),
        Column("市町村番号", Kind.ID, width=12, note="支給決定をした市町村の番号（6桁）。請求は市町村ごと"),
        Column("支給決定開始日", Kind.DATE, required=True, aliases=("支給決定期間開始日", "支給期間開始日")),
        Column("支給決定終了日", Kind.DATE, required=True, aliases=("支給決定期間終了日", "支給期間終了日")),
        Column("負担上限月額", Kind.AMOUNT, aliases=("利用者負担上限月額", "上限月額"), note="円。0 / 9,300 / 37,200 など"),
        Column("上限管理事業所番号", Kind.ID, width=16, note="上限額管理をする事業所の番号（10桁）。なければ空欄"),
    ),
)

CAP_RESULT_CHOICES = ("1", "2", "3")

CAP_RESULTS = Table(
    "上限管理結果",
    description="他の事業所と合わせて上限額管理をする利用者の、月ごとの上限額管理の結果（利用者負担上限額管理結果票）。",
    columns=(
        Column("利用者ID", Kind.ID, required=True, aliases=("ID",), width=12),
        Column("対象月", Kind.MONTH, required=True, aliases=("サービス提供年月", "提供年月")),
        Column(
            "管理結果",
            Kind.CHOICE,
            required=True,
            choices=CAP_RESULT_CHOICES,
            note="1: 管理事業所で充当（ほかの事業所は負担なし） 2: 合計が上限以下（調整なし） 3: 上限を超えたので調整",
        ),
        Column("利用者負担額", Kind.AMOUNT, aliases=("管理結果後利用者負担額",), note="円。結果票のこの事業所の利用者負担額（管理結果3では必須）"),
    ),
)

TABLES: tuple[Table, ...] = (USERS, HISTORY, CONTACTS, REPORTS, PLANS, MEETINGS, SUBSIDIES, TRANSITIONS, CERTIFICATES, CAP_RESULTS)
TABLES_BY_NAME = {t.name: t for t in TABLES}
