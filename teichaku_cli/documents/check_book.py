"""`teichaku check --out`: the pre-check as a workbook staff can filter and print:
the findings, each user's units and amounts, the 請求見込み per 市町村, and the
conditions the month was computed under."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from teichaku_cli.documents.sheets import AMOUNT, DECIMAL, MARK, WRAP, Col, Heading, Total, add_fields_sheet, add_sheet
from teichaku_cli.rules.findings import citation
from teichaku_cli.rules.monthly import ESTIMATE_NOTE, MonthCheck, Totals, by_municipality, totals
from teichaku_cli.base.safe_write import atomic_file

SEVERITY = {"error": "エラー", "warning": "注意", "note": "お知らせ"}
SEVERITY_NOTE = "重要度「エラー」はその月を請求できない指摘、「注意」は請求はできるが直すべき指摘、「お知らせ」は確かめておくことです。"


def write_check_workbook(path: Path, check: MonthCheck, office, made_on: date, overwrite: bool = False) -> None:
    from openpyxl import Workbook

    from teichaku_cli.base.dates import format_wareki_month

    wb = Workbook()
    wb.remove(wb.active)
    month = f"{format_wareki_month(check.month)}分"
    note = check.month_note  # a month not yet over: said on every sheet, in the title block
    heading = Heading.of(office.settings, f"請求前チェック　指摘一覧（{month}）", ("対象月", f"{month}　{note}" if note else month), made_on)
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
            *(
                (u.user_id, u.name, "可" if u.claimable else "不可", SEVERITY[f.severity], f.title, f.message, citation(f.source))
                for u in check.users
                for f in u.findings
            ),
            *(("事業所", "", "", SEVERITY[f.severity], f.title, f.message, citation(f.source)) for f in check.office_findings),
        ),
        notes=(SEVERITY_NOTE,),
        empty="指摘はありません。",
    )

    claimable = [u for u in check.users if u.claimable]
    blocked = [u for u in check.users if not u.claimable]

    def total(label: str, users) -> Total:
        sums = totals(users)
        return Total(
            f"{label}（{len(users)}人）",
            {
                "エラー": sum(f.severity == "error" for u in users for f in u.findings),
                "注意": sum(f.severity == "warning" for u in users for f in u.findings),
                "単位": sums.units,
                "総費用額（円）": sums.total_cost,
                **({"利用者負担（円）": sums.burden} if sums.burden is not None else {}),
                **({"給付費（円）": sums.benefit} if sums.benefit is not None else {}),
            },
        )

    notes = [
        f"総費用額 = 単位 × 地域区分単価 {check.unit_price:.2f} 円（利用者ごとに1円未満切り捨て）。利用者負担・給付費は受給者証から。{ESTIMATE_NOTE}",
    ]
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
            Col("総費用額（円）", 15, AMOUNT),
            Col("利用者負担（円）", 17, AMOUNT),
            Col("給付費（円）", 13, AMOUNT),
            Col("内訳", 48, WRAP),
        ),
        (
            (
                u.user_id,
                u.name + ("＊" if not u.base_known else ""),
                "可" if u.claimable else "不可",
                sum(f.severity == "error" for f in u.findings),
                sum(f.severity == "warning" for f in u.findings),
                u.units,
                u.money.total_cost,
                u.money.burden,
                u.money.benefit,
                "\n".join(f"{line.label} {line.units:+,}" for line in u.lines),
            )
            for u in check.users
        ),
        totals=[total("請求できる分", claimable), total("請求できない分", blocked), total("合計", check.users)],
        notes=notes,
        empty="この月に利用中の利用者はいません。",
    )

    _claim_estimate(wb, check, heading.titled(f"請求見込み（{month}）"))

    tier = check.tier
    add_fields_sheet(
        wb,
        "条件",
        heading.titled(f"請求前チェック　計算の条件（{month}）"),
        (
            ("対象月", month),
            ("報酬改定", check.rules.name),
            ("判定の時点", note or "月末を過ぎた月（記録はそろっている前提）"),
            ("基本報酬区分", (tier.tier.label if tier.tier else "不明") + ("（見込み）" if tier.projection else "")),
            ("基本報酬（単位/月）", tier.tier.units if tier.tier and tier.tier.units else "不明"),
            ("区分の決め方", tier.how),
            ("地域区分単価（円/単位）", float(check.unit_price)),
            ("体制（この月）", "、".join(check.regime) or "届け出た加算・減算なし"),
            ("金額", ESTIMATE_NOTE),
            ("データ", office.source),
        ),
    )
    with atomic_file(path, overwrite=overwrite) as fh:
        wb.save(fh)


def _claim_estimate(wb, check: MonthCheck, heading: Heading) -> None:
    """The 「請求見込み」 sheet: one row per user (受給者証番号, 市町村番号, 単位数, 単価,
    総費用額, 利用者負担, 給付費), claimable ones first; under it the claimable
    user-months summed per 市町村番号 (claims are made per 市町村) and in all, and
    the blocked ones on their own line. A sum that cannot be known (a 利用者負担
    not known) is left blank."""
    price = float(check.unit_price)
    rows = []
    for u in sorted(check.users, key=lambda u: (not u.claimable, u.user_id)):
        cert = u.certificate
        rows.append((
            u.user_id, u.name, cert.number if cert else "", (cert.municipality or "") if cert else "",
            u.units, price, u.money.total_cost, u.money.burden, u.money.benefit,
            "可" if u.claimable else "不可（合計に含めない）",
        ))

    def total(label: str, sums: Totals) -> Total:
        values = {"単位数": sums.units, "総費用額": sums.total_cost}
        if sums.burden is not None:
            values["利用者負担"] = sums.burden
        if sums.benefit is not None:
            values["給付費"] = sums.benefit
        return Total(f"{label}（{sums.users}人）", values)

    add_sheet(
        wb,
        "請求見込み",
        heading,
        (
            Col("利用者ID", 9),
            Col("氏名", 12, WRAP),
            Col("受給者証番号", 12),
            Col("市町村番号", 9),
            Col("単位数", 9, AMOUNT),
            Col("単価", 7, DECIMAL),
            Col("総費用額", 11, AMOUNT),
            Col("利用者負担", 10, AMOUNT),
            Col("給付費", 11, AMOUNT),
            Col("請求", 21, WRAP),
        ),
        rows,
        totals=[
            *(total(f"市町村計 {municipality}", sums) for municipality, sums in by_municipality(check).items()),
            total("請求見込み 合計", totals([u for u in check.users if u.claimable])),
            total("請求できない分（合計に含めない）", totals([u for u in check.users if not u.claimable])),
        ],
        notes=(ESTIMATE_NOTE, "利用者負担・給付費が空欄の人は、受給者証や上限管理結果が分からないため計算していません（合計にも入れません）。"),
        empty="この月に利用中の利用者はいません。",
    )
