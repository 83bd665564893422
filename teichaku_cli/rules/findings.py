"""Findings: what the monthly check says about one user-month (and, with
``check --claim``, what the claim file says against the records: the ``claim-*`` codes).

Each finding has a stable code (the JSON contract, the names staff learn), a
severity (``error`` blocks the claim, ``warning`` does not), a Japanese message
made from a template that says what to do, and the source it rests on: the key
of a value in the rule set's data file, whose ``source`` names the notice and
section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from teichaku_cli.base.errors import Problem

ERROR, WARNING, NOTE = "error", "warning", "note"  # a note asks for nothing: it tells


@dataclass(frozen=True)
class Spec:
    severity: str
    title: str  # short, for tables
    template: str  # str.format(**facts)
    rule: str  # key of the rule set's limit, period, addition, reduction or billing step whose source is cited


CATALOGUE: dict[str, Spec] = {
    "face-to-face-missing": Spec(
        ERROR,
        "対面支援なし",
        "{month}に本人との対面（またはテレビ電話）の支援がありません。電話・メールは数えません。"
        "月内に対面かテレビ電話で支援し、支援記録（相手=本人、方法=対面/テレビ電話）に入力してください。",
        "face_to_face_per_month",
    ),
    "report-missing": Spec(
        ERROR,
        "支援レポート未提供",
        "{month}に本人へ提供した支援レポートがありません（本人提供日がこの月の行がない）。"
        "支援レポートを本人に渡し、支援レポートの本人提供日に入力してください。",
        "report_per_month",
    ),
    "face-to-face-outside-service": Spec(
        ERROR,
        "対面支援が利用期間外",
        "{month}の本人との対面（またはテレビ電話）の支援は、どれも利用期間（{served_from}〜{served_to}）の外の日です。"
        "利用期間の外の支援は就労定着支援として数えません。"
        "日付の誤りなら支援記録を、利用期間の誤りなら利用開始日・利用終了日・就職日を直してください。",
        "face_to_face_per_month",
    ),
    "report-outside-service": Spec(
        ERROR,
        "支援レポートが利用期間外",
        "{month}の支援レポートの本人提供日は、利用期間（{served_from}〜{served_to}）の外の日です。"
        "利用期間の外に渡したレポートは、この月の要件として数えません。"
        "本人提供日の誤りなら支援レポートを、利用期間の誤りなら利用開始日・利用終了日・就職日を直してください。",
        "report_per_month",
    ),
    "employer-report-share-missing": Spec(
        WARNING,
        "事業主への共有なし",
        "{employer}で障害を開示し共有に同意した利用者ですが、{month}に{employer}と共有した支援レポートがありません。"
        "同意した内容を共有し、支援レポートの事業主共有日を入力してください。",
        "report_per_month",
    ),
    "employer-contact-missing": Spec(
        WARNING,
        "事業主との連絡なし",
        "{month}に今の勤務先（{employer}）との連絡・訪問の記録がありません（努力義務）。月1回以上の企業訪問に努めてください。",
        "employer_contact_per_month",
    ),
    "plan-missing": Spec(
        ERROR,
        "支援計画なし",
        "{month}末までに作成した就労定着支援計画がありません。計画を作成して本人の同意を得て、支援計画シートに入力してください。",
        "plan_review",
    ),
    "plan-review-overdue": Spec(
        ERROR,
        "計画見直し期限超過",
        "最新の就労定着支援計画（{plan_date}作成）から{review}を超えています（見直し期限 {due}。数え方: {reading}）。"
        "計画を見直して本人の同意を得て、支援計画シートに新しい行を加えてください。",
        "plan_review",
    ),
    "plan-review-late": Spec(
        WARNING,
        "計画見直しの遅れ",
        "就労定着支援計画の見直し（{plan_date}）は、前の計画（{previous}作成）の見直し期限 {due} より{late}日遅れています（数え方: {reading}）。"
        "月内に見直したため{month}分は請求できますが、期限までに見直すよう、次の見直し期限（{next_due}）を確かめてください。",
        "plan_review",
    ),
    "before-eligibility": Spec(
        ERROR,
        "利用可能日より前",
        "{base_label}（{base}）を1日目とする{wait}は{ends}に満ち、利用できるのは{eligible}からです。この月は請求できません。"
        "利用開始日・{base_label}を確かめてください。",
        "eligibility",
    ),
    "beyond-3-years": Spec(
        ERROR,
        "利用期間3年超過",
        "利用開始日（{start}）から{use}（{last}まで）を過ぎた月です。この月は請求できません。"
        "利用終了日を入力し、必要なら関係機関へ引き継いでください。",
        "use",
    ),
    "beyond-3y6m": Spec(
        ERROR,
        "就職後3年6か月超過",
        "{base_label}（{base}）から{limit}（{last}まで）を過ぎた月です。この月は請求できません。"
        "利用終了日を入力してください。",
        "hire_limit",
    ),
    "left-job": Spec(
        ERROR,
        "離職",
        "{left}に離職し、就労が続いているとみなせません（{why}）。離職後の月は請求できません。"
        "再就職していれば就労履歴（または利用者の再就職日）に、利用を終えたなら利用終了日を入力してください。",
        "employed",
    ),
    "left-job-in-month": Spec(
        WARNING,
        "月内に離職",
        "{month}中に離職しています（{why}）。再就職していれば就労履歴（または利用者の再就職日）に入力し、"
        "再就職しないなら離職日までの支援を確かめて利用終了日を入力してください。",
        "employed",
    ),
    "job-coach-subsidy-month": Spec(
        ERROR,
        "ジョブコーチ助成金の月",
        "{month}は訪問型職場適応援助者の助成金を請求した月です。同じ月に就労定着支援サービス費は請求できません。",
        "job_coach_subsidy",
    ),
    "handoff-due": Spec(
        WARNING,
        "引継ぎ期限",
        "要継続支援の利用者です。利用終了（{end}）の{before}前（{deadline}。数え方: {reading}）までに、本人の同意を得て関係機関へ情報を共有し、"
        "支援記録（区分=引継ぎ、相手=関係機関）に残してください。{overdue}",
        "handoff",
    ),
    "meeting-attendance-unknown": Spec(
        WARNING,
        "会議の参加者が空欄",
        "ケース会議（{days}）のサービス管理責任者参加が空欄のため、{addition}を数えていません。"
        "ケース会議シートのサービス管理責任者参加に はい か いいえ を入力してください。",
        "meeting_with_manager",
    ),
    "meeting-cap": Spec(
        WARNING,
        "会議の算定上限",
        "{month}のケース会議{count}回のうち{excess}回は上限（月{per_month}回・年度{per_year}回）を超え、{addition}を算定できません。",
        "meeting_month_cap",
    ),
    "certificate-missing": Spec(
        ERROR,
        "受給者証の期間外",
        "{month}は受給者証の支給決定期間で確かめられません: {detail}。支給決定期間の外の月は請求できません（返戻になります）。{fix}",
        "certificate",
    ),
    "certificate-cap-missing": Spec(
        WARNING,
        "負担上限月額なし",
        "受給者証（{number}、{period}）の負担上限月額が空欄のため、{month}の利用者負担と給付費を見込めません。受給者証の負担上限月額を入力してください。",
        "user_burden",
    ),
    "cap-result-missing": Spec(
        WARNING,
        "上限管理結果なし",
        "上限管理事業所（{manager}）が利用者負担の上限額管理をする利用者ですが、{month}の上限管理結果がありません。"
        "利用者負担は1割（負担上限月額まで）で見込んでいます。結果票が届いたら上限管理結果シートに入力してください。{hint}",
        "cap_management",
    ),
    "cap-managed-here": Spec(
        NOTE,
        "上限管理事業所",
        "この事業所がこの利用者の上限管理事業所です（受給者証の上限管理事業所番号 {manager}）。{month}分の利用者負担額一覧表をほかの事業所から集めて上限額管理をし、"
        "結果票を作ってください。利用者負担上限額管理加算は見込みに入れていません（単位の資料が手元にないため）。",
        "cap_management",
    ),
    # office-level: said once for the office, not per user
    "certificates-not-kept": Spec(
        NOTE,
        "受給者証データなし",
        "受給者証シートにデータがないため、支給決定期間（期間外の月は返戻）と負担上限月額を確かめていません。利用者負担と給付費は見込めず、総費用額までを出します。"
        "受給者証シートに支給決定期間ごとに1行入力してください。",
        "certificate",
    ),
    "employer-disclosure-unknown": Spec(
        NOTE,
        "障害開示が分からない",
        "{month}に勤めていた仕事の障害開示が空欄か読めない利用者が{count}人います（{ids}）。分からないものは開示していないものとして、"
        "その事業主への連絡・共有は求めず、事業主用の帳票も作りません。就労履歴（または利用者シート）の障害開示と事業主共有同意を"
        "入力してください（teichaku validate で場所を確かめられます）。",
        "employer_contact_per_month",
    ),
    "retention-record-not-met": Spec(
        WARNING,
        "実績体制加算の基準未達",
        "teichaku.toml で{addition}を届け出ていますが、データでは{fiscal_year}年度の基準を満たしません（{numerator}/{denominator}、基準 {threshold} 以上）。"
        "届出と実績を確かめてください（teichaku rate --year {closing_year} で対象者を確かめられます）。",
        "retention_record_threshold",
    ),
    "base-tier-differs": Spec(
        WARNING,
        "基本報酬区分がデータと違う",
        "teichaku.toml の基本報酬区分は「{declared}」ですが、データから計算した就労定着率（{rate}）では「{computed}」です。"
        "届け出た区分とデータを確かめてください（teichaku rate --year {closing_year}）。",
        "rate",
    ),
    "setting-not-in-revision": Spec(
        NOTE,
        "改定にない加算・減算",
        "teichaku.toml の「{setting}」は、{month}の請求に使う{revision}にない{kind}です。この月は計算に入れていません"
        "（{revision}の{kind}: {present}）。届け出た期間を確かめてください。",
        "reductions",
    ),
    "treatment-class-unknown": Spec(
        NOTE,
        "処遇改善加算の区分",
        "teichaku.toml の処遇改善加算の区分「{grade}」は、{revision}（{month}）の区分{classes}のどれにもあたりません。{near}"
        "処遇改善計画書の区分を確かめてください（金額は teichaku.toml の加算率 {rate} で計算しています）。",
        "treatment_improvement",
    ),
    "rules-carried-over": Spec(
        NOTE,
        "改定の値を引き継ぎ",
        "{month}は{revision}の月です。{reading}。",
        "treatment_improvement",
    ),
    "setting-period-outside-data": Spec(
        WARNING,
        "設定の期間がデータの外",
        "teichaku.toml の「{setting}」の期間（{period}）に、データのある月（{data_first}〜{data_last}）の外の月があります。年月の書き誤りでないか確かめてください。",
        "reductions",
    ),
    # --- the claim file (check --claim) against the records: rules/claim.py. Each finding says both
    # values (claim_value, records_value); the rule keys are the [claim.*] readings of the rule data.
    "claim-not-supported": Spec(
        ERROR,
        "記録では請求できない",
        "{who}の{month}分の明細書が請求ファイルにありますが、記録ではこの月を請求できません（{why}）。"
        "記録の入力漏れなら記録を直してもう一度 check し、請求できない月なら請求ソフトでこの明細書を外してください。",
        "recipient",
    ),
    "claim-missing-user": Spec(
        WARNING,
        "請求もれ",
        "{who}は記録では{month}分を請求できます（{records}）が、請求ファイルにこの人の明細書がありません。"
        "請求ソフトで明細書と実績記録票を作るか、請求しない理由を確かめてください（請求しなければ、その月の報酬は入りません）。",
        "recipient",
    ),
    "claim-unknown-recipient": Spec(
        ERROR,
        "受給者証番号が見つからない",
        "請求ファイルの受給者証番号 {recipient}（市町村番号 {municipality}、{line}行目）は、受給者証シートのどの行にもありません。{hint}"
        "受給者証を見て、請求ソフトの受給者証番号か、受給者証シートを直してください（番号の違う請求は返戻になります）。",
        "recipient",
    ),
    "claim-certificate-differs": Spec(
        ERROR,
        "受給者証と違う",
        "{item}が、請求ファイルでは {claim}、{where}では {records}です。受給者証（と上限額管理結果票）を見て、"
        "請求ソフトか teichaku のシートの違う方を直してください（受給者証と違う請求は返戻になります）。",
        "certificate_fields",
    ),
    "claim-units-differ": Spec(
        ERROR,
        "給付単位数が違う",
        "給付単位数が、請求ファイルでは {claim}単位、記録から計算すると {records}単位です（差 {difference}単位）。{unmatched}"
        "請求の行: {claim_lines}。teichaku の行: {our_lines}。請求ソフトの加算・減算と記録を確かめてください"
        "（サービスコードは書かれたまま示しています。金額は単位を直してから照らします）。",
        "service_lines",
    ),
    "claim-tier-differs": Spec(
        ERROR,
        "基本報酬の区分が違う",
        "請求ファイルの基本報酬の行（サービスコード {code}、{claim_units}単位）は{revision}の「{claim_tier}」の単位ですが、"
        "記録から決まる区分は「{records_tier}」（{records_units}単位。{how}）です。請求の行: {claim_lines}。teichaku の行: {our_lines}。"
        "請求ソフトで選んだ区分を確かめてください（就労定着率が支えない区分の請求は、実地指導で返還になります。金額は区分を直してから照らします）。",
        "service_lines",
    ),
    "claim-lines-differ": Spec(
        NOTE,
        "サービスコードの行が違う",
        "{detail}請求の行: {claim_lines}。teichaku の行: {our_lines}。teichaku は就労定着支援のサービスコード表を持たないため、"
        "行の意味は請求ソフトで確かめてください。",
        "service_lines",
    ),
    "claim-price-differs": Spec(
        ERROR,
        "単位数単価が違う",
        "単位数単価が、請求ファイルでは {claim}円、teichaku.toml の地域区分単価（{month}）は {records}円です。"
        "事業所の地域区分を確かめ、請求ソフトか teichaku.toml の違う方を直してください（金額は単価を直してから照らします）。",
        "unit_price",
    ),
    "claim-price-unchecked": Spec(
        NOTE,
        "単位数単価を照らしていない",
        "teichaku.toml に地域区分単価がないため、請求ファイルの単位数単価（{prices}円）と照らしていません（10円とはみなしません）。"
        "teichaku.toml に \"地域区分単価\" = 11.2 のように書くと、単価と金額を照らします。",
        "unit_price",
    ),
    "claim-amounts-differ": Spec(
        ERROR,
        "金額が違う",
        "{item}が、請求ファイルでは {claim}円、{how}では {records}円です。{fix}",
        "amounts",
    ),
    "claim-record-sheet-differs": Spec(
        WARNING,
        "実績記録票が違う",
        "実績記録票の{item}が、請求ファイルでは {claim}、記録では {records}です。{detail}"
        "請求ソフト（簡易入力）の実績記録票を記録に合わせるか、記録が違うなら記録を直してください"
        "（check --out の「実績記録票（入力用）」シートに、記録から作った値があります）。",
        "base_support_day",
    ),
    "claim-record-sheet-unclear": Spec(
        NOTE,
        "実績記録票が2つ以上",
        "この利用者・月の実績記録票（J611）が{count}つ（様式種別番号 {forms}）あり、どれが就労定着支援のものか teichaku には決められないため、"
        "実績記録票は照らしていません（就労定着支援の様式種別番号は手元の資料にありません）。",
        "base_support_day",
    ),
    "claim-unconfirmed": Spec(
        NOTE,
        "記録では要確認",
        "{who}の{month}分は、記録では金額が確かめられない（要確認: {reasons}）ため、{skipped}を照らしていません。"
        "要確認の理由を直すと照らします。",
        "amounts",
    ),
    # office-level: said once for the claim file
    "claim-no-statements": Spec(
        ERROR,
        "この月の明細書がない",
        "請求ファイルに{month}分の就労定着支援の明細書がありません（ファイルのサービス提供年月: {months}。{services}）。"
        "照合する月（--month）と、指定した請求ファイルを確かめてください。",
        "late_months",
    ),
    "claim-late-statements": Spec(
        NOTE,
        "月遅れの明細書",
        "請求ファイルに、{month}より前の月の明細書（月遅れ）が{count}件あります（{by_month}）。一覧にするだけで、記録とは照らしていません。",
        "late_months",
    ),
    "claim-other-services": Spec(
        NOTE,
        "ほかのサービスの明細書",
        "請求ファイルに就労定着支援（47）以外のサービスの明細書があります（{services}）。数えるだけで、記録とは照らしていません。",
        "service_lines",
    ),
    # the data as read: a warning from reading the files that can change this result
    # (base.errors.Touches); said by the command too, not only by validate
    "reading-warning": Spec(
        WARNING,
        "データの読み込み",
        "{problem}",
        "",  # no rule: the data contract (READING_SOURCE)
    ),
}

READING_SOURCE = "事業所データの形式（docs/data-format.md）: 結果に関わる読み込みの注意"

# left-job has two severities but one public code
PUBLIC_CODE = {"left-job-in-month": "left-job"}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    title: str
    message: str
    source: str

    def as_dict(self) -> dict[str, str]:  # by hand: dataclasses.asdict deep-copies every value
        return {"code": self.code, "severity": self.severity, "title": self.title, "message": self.message, "source": self.source}


def citation(source: str) -> str:
    """The part of a rule's ``source`` that names the document and section (before
    the summary that follows 「: 」), with every ［…］ note kept: what a printed 根拠
    column needs. The whole text stays in JSON."""
    import re

    depth = 0
    for i, c in enumerate(source):
        depth += (c in "（(［") - (c in "）)］")
        if depth == 0 and source.startswith(": ", i):  # not a colon inside brackets: 「結果票の管理結果（1: …）」
            head, rest = source[:i], source[i + 2 :]
            return head + "".join(re.findall(r"［[^］]*］", rest))
    return source


def make(key: str, source: str, **facts: object) -> Finding:
    spec = CATALOGUE[key]
    return Finding(PUBLIC_CODE.get(key, key), spec.severity, spec.title, spec.template.format(**facts), source)


CODES = tuple(dict.fromkeys(PUBLIC_CODE.get(k, k) for k in CATALOGUE))


def reading_finding(problem: "Problem") -> Finding:
    """A reading warning that can change a command's result (``Problem.touches``) as a
    finding: its placed message with the value and the fix, as validate shows it."""
    return make("reading-warning", READING_SOURCE, problem=problem.describe())
