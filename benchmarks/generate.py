"""Generate a realistic office of any size, as an xlsx workbook and as a folder
of CP932 CSVs with mixed 和暦 styles.

    python benchmarks/generate.py --users 2000 --rows 200000 --out benchmarks/out/m

Users start over the years before ``--until``; each month of service has
face-to-face and phone contacts with the user, employer visits for open
employment, a report, and a plan reviewed about every six months. Some work
closed (クローズ), some change jobs within a month, some resign; some keep their
jobs in the 就労履歴 sheet (two or three jobs, disclosure per job), their 利用者
row then holding only the first 就職日.
Every name is made up from syllables.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
SURNAMES = ["青木", "石川", "上田", "江藤", "大野", "加藤", "木村", "工藤", "佐々木", "高橋", "中村", "野口", "浜田", "藤井", "松本", "森", "山本", "吉田"]
EMPLOYERS = ["㈱髙﨑フーズ", "みどり物流㈱", "さくら製作所", "ひかり商事㈱", "①番館ホテル", "あおぞら介護", "かえで印刷㈱"]
CONTENT = ["職場での様子を聞き取り", "通勤の状況を確認", "業務の手順を一緒に確認", "生活リズムの振り返り", "上司と配置について相談", "体調と服薬の状況を確認"]
RESULT = ["問題なし", "次回も継続して確認", "手順書を作ることに", "主治医に相談する", "休日の過ごし方を工夫する"]


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise ValueError(d)


def generate(users: int, rows: int, until: date, seed: int = 1) -> dict[str, list[list]]:
    rng = random.Random(seed)
    u_rows, h_rows, c_rows, r_rows, p_rows, m_rows, s_rows = [], [], [], [], [], [], []
    months_total = 0
    plan: list[tuple] = []
    for i in range(users):
        uid = f"{i + 1:05d}"
        start = until - timedelta(days=rng.randint(30, 4 * 365))
        start = start.replace(day=1)
        hired = add_months(start, -rng.randint(6, 9))
        end = add_months(start, 36) - timedelta(days=1)
        finished = end if end < until else None
        closed = rng.random() < 0.2
        left = rejob = None
        if rng.random() < 0.12:
            left = start + timedelta(days=rng.randint(60, 700))
            if left >= until:
                left = None
            elif rng.random() < 0.5:
                rejob = left + timedelta(days=rng.randint(5, 25))
            else:
                finished = min(finished or left, left)
        name = rng.choice(SURNAMES) + " " + "".join(rng.choice(KANA) for _ in range(3))
        employer = rng.choice(EMPLOYERS)
        consent = "なし" if closed or rng.random() < 0.2 else "あり"
        if left is None and rng.random() < 0.06:  # jobs kept in 就労履歴: a change or two, disclosure per job
            changes = rng.choice((1, 1, 2))
            job_hired, jobs = hired, []
            for k in range(changes + 1):
                job_left = None
                if k < changes:
                    job_left = job_hired + timedelta(days=rng.randint(120, 400))
                    if job_left >= until:
                        job_left = None
                shown = "クローズ" if (closed if k == changes else rng.random() < 0.3) else "オープン"
                jobs.append([uid, rng.choice(EMPLOYERS), job_hired, job_left, shown, consent if shown == "オープン" else "なし", None, "転職" if job_left else None, None])
                if job_left is None:
                    break
                job_hired = job_left + timedelta(days=rng.randint(3, 40))
            h_rows += jobs
            u_rows.append([uid, name, hired, None, start, finished, None, None, "通常", None, None, None,
                           "いいえ" if rng.random() < 0.1 else "はい", "いいえ", "はい" if rng.random() < 0.1 else "いいえ", "支援員A"])
        else:
            u_rows.append([uid, name, hired, employer, start, finished, left, rejob, "通常", None,
                           "クローズ" if closed else "オープン", consent,
                           "いいえ" if rng.random() < 0.1 else "はい", "いいえ", "はい" if rng.random() < 0.1 else "いいえ", "支援員A"])
        last = min(finished or until, until)
        months = (last.year - start.year) * 12 + last.month - start.month + 1
        months_total += max(months, 0)
        # where the report may be shared with the employer: open and consented, for the job of that day
        if h_rows and h_rows[-1][0] == uid:
            jobs_of = [r for r in h_rows if r[0] == uid]
            shares = lambda day, jobs_of=jobs_of: any(  # noqa: E731
                h <= day and (l is None or day <= l) and d == "オープン" and c == "あり" for _, _, h, l, d, c, *_ in jobs_of
            )
        else:
            shares = lambda day, ok=(not closed and consent == "あり"): ok  # noqa: E731
        plan.append((uid, start, months, closed, shares))
    per_month = max(1.0, rows / max(months_total, 1))
    for uid, start, months, closed, shares in plan:
        for k in range(max(months, 0)):
            month = add_months(start, k)
            n = max(1, int(per_month + rng.random()))
            for j in range(n):
                day = month + timedelta(days=rng.randint(0, 27))
                if j == 0:
                    method, who = rng.choice(["対面", "対面", "テレビ電話"]), "本人"
                elif not closed and j == 1:
                    method, who = "対面", "事業主"
                else:
                    method, who = rng.choice(["電話", "メール", "対面"]), rng.choice(["本人", "家族", "関係機関"])
                c_rows.append([day, uid, method, who, "支援", "支援員A", rng.choice(CONTENT), rng.choice(RESULT), "可" if rng.random() < 0.5 else "不可"])
            shared_on = month + timedelta(days=27)
            r_rows.append([uid, month, month + timedelta(days=26), shared_on if shares(shared_on) else None, "遅刻なく通勤する", "面談を続ける", "準備表を使う", "手順書の用意", "特になし", "支援員A"])
            if k % 6 == 0:
                p_rows.append([uid, month] + ["計画の内容"] * 15 + ["サビ管B", month])
            if k % 5 == 2 and rng.random() < 0.3:
                m_rows.append([month + timedelta(days=10), uid, "ハローワーク", "はい"])
            if rng.random() < 0.01:  # a job coach month now and then
                s_rows.append([uid, month])
    return {
        "利用者": u_rows, "就労履歴": h_rows, "支援記録": c_rows[:rows] if rows else c_rows, "支援レポート": r_rows,
        "支援計画": p_rows, "ケース会議": m_rows, "助成金": s_rows,
    }


PLAN_COLUMNS = ["引継ぎ事項", "職場環境", "業務内容", "労働条件", "関係機関", "健康状態", "生活環境", "長期目標", "短期目標",
                "支援方針", "支援内容", "支援期間", "支援頻度", "役割分担", "評価"]


def headers() -> dict[str, list[str]]:
    """The header of each table, in the order generate() writes its rows (as an export does: its own order)."""
    return {
        "利用者": ["利用者ID", "氏名", "就職日", "事業主", "利用開始日", "利用終了日", "離職日", "再就職日", "利用類型", "起算日",
                 "障害開示", "事業主共有同意", "一体的運営", "特別地域", "要継続支援", "担当者"],
        "就労履歴": ["利用者ID", "事業主", "就職日", "離職日", "障害開示", "事業主共有同意", "事業主共有同意日", "離職理由", "備考"],
        "支援記録": ["日付", "利用者ID", "方法", "相手", "区分", "担当者", "内容", "結果", "事業主共有"],
        "支援レポート": ["利用者ID", "対象月", "本人提供日", "事業主共有日", "主な支援目標", "今後の支援内容", "本人の取組", "事業主の取組", "共有事項", "作成者"],
        "支援計画": ["利用者ID", "作成日", *PLAN_COLUMNS, "作成者", "本人同意日"],
        "ケース会議": ["日付", "利用者ID", "参加機関", "サービス管理責任者参加"],
        "助成金": ["利用者ID", "対象月"],
    }


def wareki(d: date, i: int) -> str:
    """Dates in the styles records software exports, rotating by row."""
    r = d.year - 2018
    style = i % 5
    if style == 0:
        return f"令和{r}年{d.month}月{d.day}日"
    if style == 1:
        return f"R{r}.{d.month}.{d.day}"
    if style == 2:
        return f"R{r:02d}/{d.month:02d}/{d.day:02d}"
    if style == 3:
        return f"{d.year}/{d.month}/{d.day}"
    return d.isoformat()


def write_csvs(tables: dict[str, list[list]], folder: Path) -> None:
    import csv
    import io

    folder.mkdir(parents=True, exist_ok=True)
    heads = headers()
    for name, rows in tables.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(heads[name])
        for i, row in enumerate(rows):
            w.writerow([wareki(v, i) if isinstance(v, date) else ("" if v is None else v) for v in row])
        (folder / f"{name}.csv").write_bytes(buf.getvalue().encode("cp932"))


def write_xlsx(tables: dict[str, list[list]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    heads = headers()
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        ws.append(heads[name])
        for row in rows:
            cells = []
            for v in row:
                cell = WriteOnlyCell(ws, value=v)
                if isinstance(v, date):
                    cell.number_format = "yyyy/m/d"
                cells.append(cell)
            ws.append(cells)
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--rows", type=int, required=True, help="支援記録の行数")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--until", type=date.fromisoformat, default=date(2026, 11, 10))
    parser.add_argument("--no-xlsx", action="store_true", help="CSV だけ（xlsx は 1,048,576 行まで）")
    args = parser.parse_args()
    tables = generate(args.users, args.rows, args.until)
    write_csvs(tables, args.out / "csv")
    if not args.no_xlsx:
        write_xlsx(tables, args.out / "office.xlsx")
    print({k: len(v) for k, v in tables.items()})


if __name__ == "__main__":
    main()
