"""Findings: what the monthly check says about one user-month.

Each finding has a stable code (the JSON contract, the names staff learn), a
severity (``error`` blocks the claim, ``warning`` does not), a Japanese message
made from a template that says what to do, and the source it rests on: the key
of a value in the rule set's data file, whose ``source`` names the notice and
section.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Spec:
    severity: str
    title: str  # short, for tables
    template: str  # str.format(**facts)
    rule: str  # key of the rule set's limit or period whose source is cited


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
    "meeting-cap": Spec(
        WARNING,
        "会議の算定上限",
        "{month}のケース会議{count}回のうち{excess}回は上限（月{per_month}回・年度{per_year}回）を超え、{addition}を算定できません。",
        "meeting_month_cap",
    ),
}

# left-job has two severities but one public code
PUBLIC_CODE = {"left-job-in-month": "left-job"}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    title: str
    message: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def make(key: str, source: str, **facts: object) -> Finding:
    spec = CATALOGUE[key]
    return Finding(PUBLIC_CODE.get(key, key), spec.severity, spec.title, spec.template.format(**facts), source)


CODES = tuple(dict.fromkeys(PUBLIC_CODE.get(k, k) for k in CATALOGUE))
