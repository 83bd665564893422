"""The bundled sample office: a fictional 就労定着支援事業所 over four fiscal years
(2023-04 … 2026-11), written as ``office.xlsx`` and as CP932 CSVs in ``csv/``
with mixed 和暦 styles. Both hold identical records (a test reads both).

Each user shows one situation staff meet in October 2026 (the month ``make run``
checks). Every name and company is made up.

    python samples/make_samples.py
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from teichaku_cli.model import schema  # noqa: E402

UNTIL = date(2026, 11, 10)  # data entered up to here
STAFF = ("山田 一郎", "佐藤 花子", "鈴木 健")
TALKS = [
    ("職場での一日の流れを聞き取り", "大きな困りごとはない", True),
    ("通勤の様子を確認", "遅刻なく通えている", True),
    ("作業手順の覚え方を一緒に整理", "手順メモを作ることに", True),
    ("休憩時間の過ごし方を相談", "一人で休める場所を確保", True),
    ("残業が増えたことへの不安を聞き取り", "上司に相談する練習をした", True),
    ("体調と服薬の状況を確認", "主治医に睡眠の相談をする", False),
    ("家族との関係について相談", "週末の予定を一緒に立てた", False),
    ("金銭管理について相談", "家計簿アプリを試す", False),
]
VISITS = [
    ("上司と作業の割り振りを確認", "指示を一つずつ出してもらうことに"),
    ("職場を訪問し作業の様子を見学", "作業は安定している"),
    ("人事担当と勤務時間について相談", "来月から30分延長を検討"),
]


def months(first: date, last: date):
    d = first.replace(day=1)
    while d <= last:
        yield d
        d = date(d.year + d.month // 12, d.month % 12 + 1, 1)


@dataclass
class User:
    id: str
    name: str
    hired: date
    employer: str
    start: date
    end: date | None = None
    left: date | None = None
    rehired: date | None = None
    kind: str = "通常"
    kisanbi: date | None = None
    closed: bool = False
    consent: bool = True
    integrated: bool = True
    special_area: bool = False
    needs_handoff: bool = False
    staff: str = STAFF[0]
    # what is missing in some months (scenarios)
    skip: dict[date, set[str]] = field(default_factory=dict)
    video_months: set[date] = field(default_factory=set)
    plan_every: int = 6
    last_plan: date | None = None
    # the 就労履歴 rows (employer, hired, left, disclosure, consent) of someone whose jobs are kept there;
    # their 利用者 row then leaves the job columns blank
    jobs: list[tuple] = field(default_factory=list)

    def closed_on(self, day: date) -> bool:
        for employer, hired, left, disclosure, consent in self.jobs:
            if hired <= day and (left is None or day <= left):
                return disclosure == "クローズ"
        return self.closed


USERS = [
    User("0001", "青木 さくら", date(2023, 1, 10), "㈱髙﨑フーズ", date(2023, 7, 10), end=date(2026, 7, 9)),
    User("0002", "石川 大輔", date(2024, 2, 1), "みどり物流㈱", date(2024, 8, 1), closed=True, consent=False, staff=STAFF[1],
         skip={date(2026, 10, 1): {"face"}}),
    User("0003", "上田 美咲", date(2024, 5, 7), "さくら製作所", date(2024, 11, 7), video_months={date(2026, 10, 1)}),
    User("0004", "江藤 翔", date(2023, 9, 1), "ひかり商事㈱", date(2024, 3, 1), left=date(2025, 6, 30), rehired=date(2025, 7, 14), staff=STAFF[2]),
    User("0005", "大野 陽菜", date(2024, 1, 15), "①番館ホテル", date(2024, 7, 15), end=date(2026, 9, 30), left=date(2026, 9, 15)),
    User("0006", "加藤 健太", date(2024, 6, 3), "かえで印刷㈱", date(2024, 12, 3), staff=STAFF[1], last_plan=date(2026, 3, 2)),
    User("0007", "木村 由佳", date(2022, 4, 1), "あおぞら介護", date(2025, 4, 1), kind="労働時間延長支援型", kisanbi=date(2024, 10, 1)),
    User("0008", "工藤 誠", date(2019, 4, 1), "ひかり商事㈱", date(2025, 7, 7), kind="復職支援型", kisanbi=date(2025, 1, 6), staff=STAFF[2]),
    User("0009", "佐々木 葵", date(2024, 9, 2), "みどり物流㈱", date(2025, 3, 3), consent=False),
    User("0010", "高橋 蓮", date(2023, 7, 3), "さくら製作所", date(2024, 2, 1), end=date(2027, 1, 31), needs_handoff=True, staff=STAFF[1]),
    User("0011", "中村 結衣", date(2025, 1, 6), "㈱髙﨑フーズ", date(2025, 7, 7), special_area=True),
    User("0012", "野口 拓海", date(2022, 11, 1), "かえで印刷㈱", date(2023, 5, 1), end=date(2025, 3, 31), staff=STAFF[2]),
    User("0013", "浜田 千尋", date(2026, 5, 1), "あおぞら介護", date(2026, 10, 1)),
    User("0014", "藤井 湊", date(2026, 2, 1), "①番館ホテル", date(2026, 8, 1), integrated=False, staff=STAFF[1]),
    User("0015", "松本 莉子", date(2024, 10, 1), "ひかり商事㈱", date(2025, 4, 1), skip={date(2026, 10, 1): {"report"}}),
    User("0016", "森 大和", date(2023, 10, 2), "さくら製作所", date(2024, 4, 1), end=date(2025, 11, 30), left=date(2025, 11, 20), staff=STAFF[2]),
    # two job changes during use: the second is beyond the policy (once during use), so the person has left
    User("0017", "山口 悠真", date(2023, 6, 1), "", date(2023, 12, 1), end=date(2026, 1, 31), staff=STAFF[1], jobs=[
        ("かえで印刷㈱", date(2023, 6, 1), date(2024, 9, 30), "オープン", "あり"),
        ("みどり物流㈱", date(2024, 10, 21), date(2025, 12, 15), "オープン", "あり"),
        ("さくら製作所", date(2026, 1, 5), None, "オープン", "なし"),
    ]),
    # disclosed at the first employer, works closed (クローズ) at the second
    User("0018", "吉田 杏", date(2024, 6, 3), "", date(2024, 12, 3), staff=STAFF[0], jobs=[
        ("ひかり商事㈱", date(2024, 6, 3), date(2025, 8, 31), "オープン", "あり"),
        ("①番館ホテル", date(2025, 9, 16), None, "クローズ", "なし"),
    ]),
]
SUBSIDIES = [("0011", date(2026, 10, 1))]
MEETINGS = [
    (date(2025, 9, 18), "0003", "障害者就業・生活支援センター、事業主", "はい"),
    (date(2026, 2, 12), "0006", "ハローワーク、事業主", "はい"),
    (date(2026, 6, 11), "0011", "主治医（医療機関）、事業主", "いいえ"),
    (date(2026, 10, 8), "0009", "障害者就業・生活支援センター", "はい"),
    (date(2026, 10, 22), "0009", "事業主、相談支援事業所", "はい"),  # a second one in the month: over the cap
]


OFFICE_NUMBER = "1399900001"
OTHER_OFFICE = "1399900099"  # another office that manages one user's cap
MUNICIPALITIES = ("139991", "139992")  # made-up 市町村番号
CAPS = (9300, 0, 37200)  # 負担上限月額 by user, in turn
CERTIFICATE_GAPS = {"0007": (date(2026, 10, 1), date(2026, 10, 31))}  # renewed a month late: October cannot be claimed
CERTIFICATE_LAST_END = {"0003": date(2026, 12, 31), "0014": date(2026, 10, 31)}  # ends soon (no renewal yet) / lapsed
CAP_MANAGERS = {"0004": OFFICE_NUMBER, "0008": OTHER_OFFICE}
CAP_OVERRIDES = {"0008": 9300}
CAP_RESULTS = [("0008", date(2026, 10, 1), "3", 1200)]  # the managing office settled 1,200円 for this office


def _plus_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def certificates() -> list[dict]:
    """One 受給者証 row per 支給決定期間: a year at a time (to a month's end), renewed
    the next day, over each user's service; the scenarios above break the pattern."""
    rows = []
    for n, u in enumerate(USERS):
        periods, first = [], u.start
        stop = u.end or date(2027, 3, 31)
        while first <= stop:
            last = _plus_months(first, 12) - timedelta(days=1)
            periods.append((first, last))
            first = last + timedelta(days=1)
        if u.id in CERTIFICATE_LAST_END:
            until = CERTIFICATE_LAST_END[u.id]
            periods = [(a, min(b, until)) for a, b in periods if a <= until]
        if u.id in CERTIFICATE_GAPS:
            gap_first, gap_last = CERTIFICATE_GAPS[u.id]
            split = []
            for a, b in periods:
                if a <= gap_last and b >= gap_first:
                    if a < gap_first:
                        split.append((a, gap_first - timedelta(days=1)))
                    if b > gap_last:
                        split.append((gap_last + timedelta(days=1), _plus_months(gap_last + timedelta(days=1), 12) - timedelta(days=1)))
                else:
                    split.append((a, b))
            periods = split
        for a, b in periods:
            rows.append({
                "利用者ID": u.id, "受給者証番号": f"99000{int(u.id):05d}", "市町村番号": MUNICIPALITIES[n % 2],
                "支給決定開始日": a, "支給決定終了日": b, "負担上限月額": CAP_OVERRIDES.get(u.id, CAPS[n % 3]),
                "上限管理事業所番号": CAP_MANAGERS.get(u.id),
            })
    return rows


def build() -> dict[str, list[dict]]:
    users, history, contacts, reports, plans = [], [], [], [], []
    for n, u in enumerate(USERS):
        single = not u.jobs  # else the 就労履歴 holds the jobs and these columns stay blank
        users.append({
            "利用者ID": u.id, "氏名": u.name, "就職日": u.hired if single else None, "事業主": u.employer or None,
            "利用開始日": u.start, "利用終了日": u.end, "離職日": u.left, "再就職日": u.rehired, "利用類型": u.kind, "起算日": u.kisanbi,
            "障害開示": ("クローズ" if u.closed else "オープン") if single else None,
            "事業主共有同意": ("あり" if u.consent else "なし") if single else None,
            "一体的運営": "はい" if u.integrated else "いいえ", "特別地域": "はい" if u.special_area else "いいえ",
            "要継続支援": "はい" if u.needs_handoff else "いいえ", "担当者": u.staff,
        })
        for employer, hired, left, disclosure, consent in u.jobs:
            history.append({
                "利用者ID": u.id, "事業主": employer, "就職日": hired, "離職日": left, "障害開示": disclosure,
                "事業主共有同意": consent, "事業主共有同意日": hired if consent == "あり" else None,
                "離職理由": "契約期間の満了" if left else None, "備考": None,
            })
        stopped = u.left if u.left and not u.rehired else None  # a job change does not stop the service
        last = min(u.end or UNTIL, UNTIL, stopped or UNTIL)
        for k, month in enumerate(months(u.start, last)):
            skip = u.skip.get(month, set())
            seed = n * 7 + k
            talk, result, shareable = TALKS[seed % len(TALKS)]
            day = month + timedelta(days=(seed * 3) % 20 + 3)
            if day > last:
                day = max(month, last)
            if "face" in skip:
                contacts.append(_contact(day, u, "電話", "本人", "支援", talk, result, shareable))
                contacts.append(_contact(day + timedelta(days=5), u, "メール", "本人", "支援", "勤務表の確認", "返信あり", True))
            else:
                method = "テレビ電話" if month in u.video_months else "対面"
                contacts.append(_contact(day, u, method, "本人", "支援", talk, result, shareable))
            visit_day = min(day + timedelta(days=2), last)
            if not u.closed_on(visit_day) and (not u.jobs or any(h <= visit_day and (l is None or visit_day <= l) for _, h, l, _, _ in u.jobs)):
                visit, outcome = VISITS[seed % len(VISITS)]
                contacts.append(_contact(visit_day, u, "対面", "事業主", "職場訪問", visit, outcome, True))
            if "report" not in skip and month <= date(2026, 10, 1):
                given = month + timedelta(days=27) if seed % 4 else date(month.year, month.month, 28)
                if given > last:
                    given = last
                shared = not u.closed_on(given) and (u.consent if not u.jobs else any(
                    h <= given and (l is None or given <= l) and c == "あり" for _, h, l, _, c in u.jobs))
                reports.append({
                    "利用者ID": u.id, "対象月": month, "本人提供日": given,
                    "事業主共有日": given if shared else None,
                    "主な支援目標": "生活リズムを整え、安定して通勤する" if k % 2 else "職場でのコミュニケーションを増やす",
                    "今後の支援内容": "月1回の面談と職場訪問を続ける", "本人の取組": "困ったことをメモして面談で話す",
                    "事業主の取組": "作業の指示を一つずつ出す" if not u.closed_on(given) else "", "共有事項": "特になし" if k % 3 else "勤務時間の延長を相談中",
                    "作成者": u.staff,
                })
            if k % u.plan_every == 0 and (u.last_plan is None or month <= u.last_plan):
                plans.append(_plan(u, month if k else u.start, k))
        if u.last_plan is not None and not any(p["利用者ID"] == u.id and p["作成日"] == u.last_plan for p in plans):
            plans.append(_plan(u, u.last_plan, 99))
    contacts.sort(key=lambda c: (c["日付"], c["利用者ID"]))
    plans.sort(key=lambda p: (p["作成日"], p["利用者ID"]))
    return {
        "利用者": users,
        "就労履歴": history,
        "支援記録": contacts,
        "支援レポート": reports,
        "支援計画": plans,
        "ケース会議": [{"日付": d, "利用者ID": uid, "参加機関": who, "サービス管理責任者参加": sabikan} for d, uid, who, sabikan in MEETINGS],
        "助成金": [{"利用者ID": uid, "対象月": m} for uid, m in SUBSIDIES],
        "受給者証": certificates(),
        "上限管理結果": [{"利用者ID": uid, "対象月": m, "管理結果": r, "利用者負担額": a} for uid, m, r, a in CAP_RESULTS],
    }


def _contact(day: date, u: User, method: str, who: str, kind: str, content: str, result: str, shareable: bool) -> dict:
    return {"日付": day, "利用者ID": u.id, "方法": method, "相手": who, "区分": kind, "担当者": u.staff,
            "内容": content, "結果": result, "事業主共有": "可" if shareable and not u.closed_on(day) else "不可"}


def _plan(u: User, made: date, k: int) -> dict:
    first = k == 0
    return {
        "利用者ID": u.id, "作成日": made,
        "引継ぎ事項": "就労移行支援で作業の正確さを評価されていた" if first else "前回計画から継続",
        "職場環境": f"{u.employer or next((e for e, h, l, _, _ in reversed(u.jobs) if h <= made), u.jobs[0][0])}。上司1名と同僚5名の職場", "業務内容": "事務補助・データ入力" if int(u.id) % 2 else "軽作業・梱包",
        "労働条件": "週30時間、平日日勤", "関係機関": "障害者就業・生活支援センター、主治医",
        "健康状態": "服薬継続中。睡眠が浅い日がある", "生活環境": "家族と同居。週末は家族が支える",
        "長期目標": "今の職場で長く働き続ける", "短期目標": "通勤リズムを保つ\n困ったときに上司へ相談する",
        "支援方針": "本人が自分で相談できるよう後押しする", "支援内容": "月1回の面談\n職場訪問で上司と確認",
        "支援期間": "6か月", "支援頻度": "月1回", "役割分担": "本人・支援員・上司",
        "評価": "初回のため評価なし" if first else "通勤は安定。相談は増えてきた", "作成者": STAFF[0],
        "本人同意日": made + timedelta(days=3),
    }


# --- writing --------------------------------------------------------------------------------
WAREKI_STYLES = (
    lambda d: f"令和{d.year - 2018}年{d.month}月{d.day}日",
    lambda d: f"R{d.year - 2018}.{d.month}.{d.day}",
    lambda d: f"R{d.year - 2018:02d}/{d.month:02d}/{d.day:02d}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}".translate(str.maketrans("0123456789/", "０１２３４５６７８９／")),
)
MONTH_STYLES = (
    lambda d: f"令和{d.year - 2018}年{d.month}月",
    lambda d: f"R{d.year - 2018}.{d.month}",
    lambda d: f"{d.year}/{d.month}",
    lambda d: f"{d.year}-{d.month:02d}",
)
CSV_YESNO = {"あり": "○", "なし": "×", "はい": "はい", "いいえ": "いいえ", "可": "可", "不可": "不可"}


def write_csvs(tables: dict[str, list[dict]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table in schema.TABLES:
        rows = tables.get(table.name)
        if rows is None:
            continue
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\r\n")
        out.writerow([c.name for c in table.columns])
        for i, row in enumerate(rows):
            cells = []
            for c in table.columns:
                v = row.get(c.name)
                if v is None:
                    cells.append("")
                elif c.kind is schema.Kind.MONTH:
                    cells.append(MONTH_STYLES[i % len(MONTH_STYLES)](v))
                elif isinstance(v, date):
                    cells.append(WAREKI_STYLES[(i + len(cells)) % len(WAREKI_STYLES)](v))
                elif c.kind is schema.Kind.YESNO and c.name == "事業主共有同意":
                    cells.append(CSV_YESNO[v])
                elif c.kind is schema.Kind.AMOUNT:
                    cells.append(f"{v:,}" if i % 2 else v)  # both 9,300 and 9300, as exports write them
                else:
                    cells.append(v)
            out.writerow(cells)
        (folder / f"{table.name}.csv").write_bytes(buf.getvalue().encode("cp932"))


def write_xlsx(tables: dict[str, list[dict]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    for table in schema.TABLES:
        rows = tables.get(table.name)
        if rows is None:
            continue
        ws = wb.create_sheet(table.name)
        ws.append([c.name for c in table.columns])
        for cell in ws[1]:
            cell.font = Font(name="游ゴシック", bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        for row in rows:
            ws.append([row.get(c.name) for c in table.columns])
            for c, cell in zip(table.columns, ws[ws.max_row]):
                if c.kind is schema.Kind.MONTH and cell.value is not None:
                    cell.number_format = "yyyy/m"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy/m/d"
                elif c.kind is schema.Kind.ID:
                    cell.data_type = "s"
        for i, c in enumerate(table.columns):
            ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = c.width
        ws.freeze_panes = "A2"
    wb.save(path)


def main() -> None:
    tables = build()
    write_xlsx(tables, HERE / "office.xlsx")
    write_csvs(tables, HERE / "csv")
    (HERE / "csv" / "teichaku.toml").write_text(CONFIG.replace('data = "office.xlsx"\n', ""), encoding="utf-8")
    (HERE / "teichaku.toml").write_text(CONFIG, encoding="utf-8")
    print("samples:", {k: len(v) for k, v in tables.items()})


CONFIG = f"""# サンプル事業所の設定（架空）
"事業所名" = "ひだまり就労定着支援センター"
"事業所番号" = "{OFFICE_NUMBER}"
"地域区分単価" = 11.2
"指定日" = 2021-04-01
data = "office.xlsx"

# 令和6年度は業務継続計画（BCP）が未策定だった（架空）: その期間だけ減算
"業務継続計画未策定減算" = [{{ "から" = "2024-04", "まで" = "2025-03" }}]

# 処遇改善計画書で届け出た区分と加算率（架空の値。自事業所の率は処遇改善計画書で確かめてください）
["処遇改善加算"]
"区分" = "Ⅰ"
"加算率" = "10.0%"
"""

if __name__ == "__main__":
    main()
