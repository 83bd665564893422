"""`teichaku check --out`: the pre-check as a workbook staff can filter, print and file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from teichaku_cli.documents.sheets import AMOUNT, MARK, WRAP, Col, Heading, Total, add_fields_sheet, add_sheet
from teichaku_cli.rules.monthly import MonthCheck
from teichaku_cli.safe_write import atomic_path

SEVERITY = {"error": "エラー", "warning": "注意"}
SEVERITY_NOTE = "重要度「エラー」はその月を請求できない指摘、「注意」は請求はできるが直すべき指摘です。"


def write_check_workbook(path: Path, check: MonthCheck, office, made_on: date) -> None:
    from openpyxl import Workbook

    from teichaku_cli.office.values import format_wareki_month

    wb = Workbook()
    wb.remove(wb.active)
    month = f"{format_wareki_month(check.month)}分"
    heading = Heading.of(office.settings, f"請求前チェック　指摘一覧（{month}）", ("対象月", month), made_on)
    add_sheet(
        wb,
        f"指摘 {check.month:%Y-%m}",
        heading,
        (
            Col("利用者ID", 9),
            Col("氏名", 11, WRAP),
            Col("請求", 5, MARK),
            Col("重要度", 7, MARK),
            Col("指摘", 13, WRAP),
            Col("内容と直し方", 54, WRAP),
            Col("根拠", 28, WRAP),
        ),
        (  # the finding's code is for programs (--json); people read its title
            (u.user_id, u.name, "可" if u.claimable else "不可", SEVERITY[f.severity], f.title, f.message, f.source)
            for u in check.users
            for f in u.findings
        ),
        notes=(SEVERITY_NOTE,),
        empty="指摘はありません。",
    )

    claimable = [u for u in check.users if u.claimable]
    blocked = [u for u in check.users if not u.claimable]

    def total(label: str, users) -> Total:
        return Total(
            f"{label}（{len(users)}人）",
            {
                "エラー": sum(f.severity == "error" for u in users for f in u.findings),
                "注意": sum(f.severity == "warning" for u in users for f in u.findings),
                "単位": sum(u.units for u in users),
                "金額（円）": sum(check.yen(u.units) for u in users),
            },
        )

    notes = [f"金額 = 単位 × 地域区分単価 {check.unit_price:.2f} 円（利用者ごとに1円未満切り捨て）。"]
    if not check.unit_price_set:
        notes.append(f"地域区分単価が teichaku.toml にないため、1単位 {check.unit_price:g} 円で計算しています。")
    if any(not u.base_known for u in check.users):
        notes.append("＊ 基本報酬の区分が分からないため、加算だけの単位数です。")
    add_sheet(
        wb,
        "利用者別",
        heading.titled(f"請求前チェック　利用者別の単位と金額（{month}）"),
        (
            Col("利用者ID", 9),
            Col("氏名", 12, WRAP),
            Col("請求", 5, MARK),
            Col("エラー", 6, AMOUNT),
            Col("注意", 6, AMOUNT),
            Col("単位", 9, AMOUNT),
            Col("金額（円）", 11, AMOUNT),
            Col("内訳", 40, WRAP),
        ),
        (
            (
                u.user_id,
                u.name + ("＊" if not u.base_known else ""),
                "可" if u.claimable else "不可",
                sum(f.severity == "error" for f in u.findings),
                sum(f.severity == "warning" for f in u.findings),
                u.units,
                check.yen(u.units),
                "\n".join(f"{line.label} {line.units:+,}" for line in u.lines),
            )
            for u in check.users
        ),
        totals=[total("請求できる分", claimable), total("請求できない分", blocked), total("合計", check.users)],
        notes=notes,
        empty="この月に利用中の利用者はいません。",
    )

    tier = check.tier
    add_fields_sheet(
        wb,
        "条件",
        heading.titled(f"請求前チェック　計算の条件（{month}）"),
        (
            ("対象月", month),
            ("報酬改定", check.rules.name),
            ("基本報酬区分", tier.tier.label if tier.tier else "不明"),
            ("基本報酬（単位/月）", tier.tier.units if tier.tier and tier.tier.units else "不明"),
            ("区分の決め方", tier.how),
            ("地域区分単価（円/単位）", float(check.unit_price)),
            ("データ", office.source),
        ),
    )
    with atomic_path(path) as tmp:
        wb.save(tmp)

