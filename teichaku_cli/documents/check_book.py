"""`teichaku check --out`: the pre-check as a workbook staff can filter and print."""

from __future__ import annotations

from pathlib import Path

from teichaku_cli.documents.sheets import add_table_sheet
from teichaku_cli.rules.monthly import MonthCheck
from teichaku_cli.safe_write import atomic_file

SEVERITY = {"error": "エラー（請求不可）", "warning": "注意"}


def write_check_workbook(path: Path, check: MonthCheck, office, overwrite: bool = False) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    month = check.month.strftime("%Y-%m")
    findings = [
        (u.user_id, u.name, "可" if u.claimable else "不可", f.code, SEVERITY[f.severity], f.message, f.source)
        for u in check.users
        for f in u.findings
    ]
    add_table_sheet(
        wb,
        f"指摘 {month}",
        ("利用者ID", "氏名", "請求", "コード", "重要度", "内容と直し方", "根拠"),
        findings,
        (10, 14, 6, 26, 16, 70, 50),
    )
    add_table_sheet(
        wb,
        "利用者別",
        ("利用者ID", "氏名", "請求", "エラー", "注意", "単位", "金額（円）", "内訳"),
        (
            (
                u.user_id,
                u.name,
                "可" if u.claimable else "不可",
                sum(f.severity == "error" for f in u.findings),
                sum(f.severity == "warning" for f in u.findings),
                u.units,
                check.yen(u.units),
                "、".join(f"{l.label} {l.units:+,}" for l in u.lines),
            )
            for u in check.users
        ),
        (10, 14, 6, 8, 8, 10, 12, 70),
    )
    tier = check.tier
    add_table_sheet(
        wb,
        "条件",
        ("項目", "値"),
        (
            ("対象月", month),
            ("報酬改定", check.rules.name),
            ("基本報酬区分", tier.tier.label if tier.tier else "不明"),
            ("区分の決め方", tier.how),
            ("地域区分単価（円/単位）", check.unit_price),
            ("事業所", office.settings.office_name or office.source),
        ),
        (24, 90),
    )
    with atomic_file(path, overwrite=overwrite) as fh:
        wb.save(fh)
