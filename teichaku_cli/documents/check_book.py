"""`teichaku check --out`: the pre-check as a workbook staff can filter and print."""

from __future__ import annotations

from pathlib import Path

from teichaku_cli.documents.sheets import add_table_sheet
from teichaku_cli.rules.monthly import ESTIMATE_NOTE, MonthCheck, by_municipality, totals
from teichaku_cli.safe_write import atomic_file

SEVERITY = {"error": "エラー（請求不可）", "warning": "注意", "note": "お知らせ"}


def write_check_workbook(path: Path, check: MonthCheck, office, overwrite: bool = False) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    month = check.month.strftime("%Y-%m")
    findings = [
        (u.user_id, u.name, "可" if u.claimable else "不可", f.code, SEVERITY[f.severity], f.message, f.source)
        for u in check.users
        for f in u.findings
    ] + [("事業所", "", "", f.code, SEVERITY[f.severity], f.message, f.source) for f in check.office_findings]
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
        ("利用者ID", "氏名", "請求", "エラー", "注意", "単位", "総費用額（円・見込み）", "利用者負担（円・見込み）", "給付費（円・見込み）", "内訳"),
        (
            (
                u.user_id,
                u.name,
                "可" if u.claimable else "不可",
                sum(f.severity == "error" for f in u.findings),
                sum(f.severity == "warning" for f in u.findings),
                u.units,
                u.money.total_cost,
                u.money.burden,
                u.money.benefit,
                "、".join(f"{l.label} {l.units:+,}" for l in u.lines),
            )
            for u in check.users
        ),
        (10, 14, 6, 8, 8, 10, 12, 12, 12, 70),
    )
    add_table_sheet(wb, "請求見込み", *claim_estimate(check), (12, 14, 12, 14, 10, 8, 12, 12, 12, 30))
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
            ("地域区分単価（円/単位）", float(check.unit_price)),
            ("体制（この月）", "、".join(check.regime) or "届け出た加算・減算なし"),
            ("金額", ESTIMATE_NOTE),
            ("事業所", office.settings.office_name or office.source),
        ),
        (24, 90),
    )
    with atomic_file(path, overwrite=overwrite) as fh:
        wb.save(fh)


def claim_estimate(check: MonthCheck) -> tuple[tuple[str, ...], list[tuple]]:
    """The 「請求見込み」 sheet: one row per user (受給者証番号, 市町村番号, 単位数, 単価,
    総費用額, 利用者負担, 給付費), then the claimable user-months summed per 市町村番号
    (claims are made per 市町村) and in all, then the blocked ones on their own line.
    A sum that cannot be known (a 利用者負担 not known) is left blank."""
    headers = ("利用者ID", "氏名", "受給者証番号", "市町村番号", "単位数", "単価", "総費用額", "利用者負担", "給付費", "請求")
    price = float(check.unit_price)
    rows: list[tuple] = []
    for u in sorted(check.users, key=lambda u: (not u.claimable, u.user_id)):
        cert = u.certificate
        rows.append((
            u.user_id, u.name, cert.number if cert else "", (cert.municipality or "") if cert else "",
            u.units, price, u.money.total_cost, u.money.burden, u.money.benefit,
            "可" if u.claimable else "不可（合計に含めない）",
        ))
    rows.append(())
    for municipality, sums in by_municipality(check).items():
        rows.append((f"市町村計 {municipality}", f"{sums.users}人", "", municipality, sums.units, price, sums.total_cost, sums.burden, sums.benefit, "請求可の計"))
    claimed = totals([u for u in check.users if u.claimable])
    rows.append(("請求見込み 合計", f"{claimed.users}人", "", "", claimed.units, price, claimed.total_cost, claimed.burden, claimed.benefit, "請求可の計"))
    blocked = totals([u for u in check.users if not u.claimable])
    rows.append(("請求できない分", f"{blocked.users}人", "", "", blocked.units, price, blocked.total_cost, blocked.burden, blocked.benefit, "合計に含めない"))
    rows.append(())
    rows.append((f"{check.month.strftime('%Y-%m')} 分の見込み", ESTIMATE_NOTE))
    return headers, rows
