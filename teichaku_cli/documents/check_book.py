"""`teichaku check --out`: the pre-check as a workbook staff can filter and print:
the findings, each user's units and amounts, the 請求見込み per 市町村, and the
conditions the month was computed under."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from teichaku_cli.documents.sheets import AMOUNT, DATE, DECIMAL, MARK, PROSE, WRAP, Col, Heading, Total, add_fields_sheet, add_sheet, footnotes, office_words
from teichaku_cli.rules.findings import citation
from teichaku_cli.rules.monthly import BLOCKED, CLAIMABLE, ESTIMATE_NOTE, UNCONFIRMED, MonthCheck, Totals, by_municipality, totals
from teichaku_cli.base.safe_write import atomic_file

SEVERITY = {"error": "エラー", "warning": "注意", "note": "お知らせ"}
SEVERITY_NOTE = "重要度「エラー」はその月を請求できない指摘、「注意」は請求はできるが直すべき指摘、「お知らせ」は確かめておくことです。"
SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}
STATE_ORDER = {CLAIMABLE: 0, UNCONFIRMED: 1, BLOCKED: 2}  # the estimate sheet: what is claimed first


def ordered(findings):
    """A user's findings errors first (what blocks the claim), then warnings, then notes."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


def write_check_workbook(path: Path, check: MonthCheck, office, made_on: date, overwrite: bool = False, reconciled=None) -> None:
    """The check's sheets; 「実績記録票（入力用）」 always, 「請求データとの照合」 with ``reconciled``
    (rules/claim.py's result for ``check --claim``)."""
    from openpyxl import Workbook

    from teichaku_cli.base.dates import format_wareki_month

    wb = Workbook()
    wb.remove(wb.active)
    keep = office_words(office)  # the names its messages quote: never cut across two lines
    month = f"{format_wareki_month(check.month)}分"
    note = check.month_note  # a month not yet over: said on every sheet, in the title block
    heading = Heading.of(office.settings, f"請求前チェック　指摘一覧（{month}）", ("対象月", f"{month}　{note}" if note else month), made_on)
    listed = [(u.user_id, u.name, u.mark, f) for u in check.users for f in ordered(u.findings)]
    listed += [("事業所", "", "", f) for f in check.office_findings]
    # each 根拠 once, under the table (a few sources serve many findings): the rows are as
    # tall as their 内容, not as a three-line citation beside it
    marks, cited = footnotes(citation(f.source) for *_, f in listed)
    add_sheet(
        wb,
        f"指摘 {check.month:%Y-%m}",
        heading,
        (
            Col("利用者ID", 9),
            Col("氏名", 11, WRAP),
            Col("請求", 6, MARK),
            Col("重要度", 7, MARK),
            Col("指摘", 16, PROSE, phrased=True),
            Col("内容と直し方", 68, PROSE),
            Col("根拠", 6, MARK),
        ),
        # the finding's code is for programs (--json); people read its title
        ((uid, name, mark, SEVERITY[f.severity], f.title, f.message, marks[citation(f.source)]) for uid, name, mark, f in listed),
        notes=(SEVERITY_NOTE, *cited, *(["根拠は資料と節の名前です（要旨は --json の source に）。"] if cited else [])),
        empty="指摘はありません。",
        keep=keep,
    )

    claimable, blocked, unconfirmed = (check.users_in(state) for state in (CLAIMABLE, BLOCKED, UNCONFIRMED))

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
    notes += unconfirmed_notes(check)
    add_sheet(
        wb,
        "利用者別",
        heading.titled(f"請求前チェック　利用者別の単位と金額（{month}）"),
        (
            Col("利用者ID", 9),
            Col("氏名", 12, WRAP),
            Col("請求", 5, MARK),
            Col("エラー", 7, AMOUNT),
            Col("注意", 6, AMOUNT),
            Col("単位", 9, AMOUNT),
            Col("総費用額（円）", 15, AMOUNT),
            Col("利用者負担（円）", 17, AMOUNT),
            Col("給付費（円）", 13, AMOUNT),
            Col("内訳", 48, PROSE),
        ),
        (
            (
                u.user_id,
                u.name + ("＊" if not u.base_known else ""),
                u.mark,
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
        totals=[
            total("請求できる分", claimable), total("請求できない分", blocked), *([total("要確認の分", unconfirmed)] if unconfirmed else []),
            total("合計", check.users),
        ],
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
        keep=(office.source,),
    )
    record_sheet_inputs(wb, check, office, heading.titled(f"実績記録票（入力用）（{month}）"))
    if reconciled is not None:
        claim_reconcile(wb, reconciled, heading.titled(f"請求データとの照合（{month}）"))
    with atomic_file(path, overwrite=overwrite) as fh:
        wb.save(fh)


def unconfirmed_notes(check: MonthCheck) -> list[str]:
    """Why some user-months are 要確認, and what fixes it (none when every amount is known)."""
    if not check.users_in(UNCONFIRMED):
        return []
    return [f"要確認: {reason} → {fix}" for reason, fix in check.unconfirmed_reasons]


def _claim_estimate(wb, check: MonthCheck, heading: Heading) -> None:
    """The 「請求見込み」 sheet: one row per user (受給者証番号, 市町村番号, 単位数, 単価,
    総費用額, 利用者負担, 給付費), claimable ones first; under it the claimable
    user-months summed per 市町村番号 (claims are made per 市町村) and in all, and
    the blocked ones on their own line. A sum that cannot be known (a 利用者負担
    not known) is left blank."""
    price = float(check.unit_price)
    rows = []
    for u in sorted(check.users, key=lambda u: (STATE_ORDER[u.state], u.user_id)):
        cert = u.certificate
        rows.append((
            u.user_id, u.name, cert.number if cert else "", (cert.municipality or "") if cert else "",
            u.units, price, u.money.total_cost, u.money.burden, u.money.benefit,
            u.mark + ("" if u.claimable else "（合計に含めない）"),
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
            Col("市町村番号", 10),
            Col("単位数", 9, AMOUNT),
            Col("単価", 7, DECIMAL),
            Col("総費用額", 11, AMOUNT),
            Col("利用者負担", 10, AMOUNT),
            Col("給付費", 11, AMOUNT),
            Col("請求", 24, PROSE, phrased=True),
        ),
        rows,
        totals=[
            *(total(f"市町村計 {municipality}", sums) for municipality, sums in by_municipality(check).items()),
            total("請求見込み 合計", totals([u for u in check.users if u.claimable])),
            total("請求できない分（合計に含めない）", totals(check.users_in(BLOCKED))),
            *([total("要確認の分（合計に含めない）", totals(check.users_in(UNCONFIRMED)))] if check.users_in(UNCONFIRMED) else []),
        ],
        notes=(
            ESTIMATE_NOTE,
            "利用者負担・給付費が空欄の人は、受給者証や上限管理結果が分からないため計算していません（合計にも入れません）。",
            *unconfirmed_notes(check),
        ),
        empty="この月に利用中の利用者はいません。",
    )


# --- the 実績記録票 for typing into the 簡易入力, and the claim file against the records ---------------

RECORD_SHEET = "実績記録票（入力用）"
RECONCILE_SHEET = "請求データとの照合"


def _days(days) -> str:
    return "・".join(f"{d.day}日" for d in sorted(days))


def record_sheet_inputs(wb, check: MonthCheck, office, heading: Heading) -> None:
    """「実績記録票（入力用）」: per user the records can claim (no error; 要確認 ones too,
    marked: the 実績記録票 does not depend on the amount), what the month's 実績記録票
    (J611) says: the days with 算定日数 1, the 定着支援連携促進加算 (1/2) and 特別地域加算
    days, the 支援レポート共有日, and the totals. One row a user, printable on A4; the
    notes say which records give each value (the rule data's readings)."""
    from teichaku_cli.rules.claim import BLOCKED, UNCONFIRMED, state_of
    from teichaku_cli.rules.record_sheet import record_sheets

    users = [u for u in check.users if state_of(u, check) != BLOCKED]
    people = office.person_by_id
    sheets = record_sheets(office, check.month, [people[u.user_id] for u in users if u.user_id in people])
    rows = []
    for u in users:
        sheet = sheets.get(u.user_id)
        if sheet is None:
            continue
        cert = u.certificate
        rows.append((
            u.user_id, u.name, cert.number if cert else "", "要確認" if state_of(u, check) == UNCONFIRMED else "可",
            _days(sheet.base_days), "・".join(f"{d.day}日={code}" for d, code in sorted(sheet.liaison_days.items())),
            _days(sheet.special_area_days), sheet.report_given_on, sheet.days_total, sheet.liaison_count, sheet.special_area_count,
        ))
    readings = check.rules.claim
    notes = [f"{r.name}（{r.item}）: {r.reading}。" for r in (readings[k] for k in ("base_support_day", "liaison_day", "special_area_day", "report_shared_on"))]
    notes.insert(0, "請求できる利用者（記録にエラーのない人）の、この月の実績記録票の値です。簡易入力や請求ソフトの実績記録票に、日ごとに入力してください。"
                    "請求は「可」の人だけです（「要確認」は金額を確かめてから）。")
    if not office.certificates.kept:
        notes.append("受給者証シートにデータがないため、算定日数の日を支給決定期間では絞っていません。")
    add_sheet(
        wb,
        RECORD_SHEET,
        heading,
        (
            Col("利用者ID", 9),
            Col("氏名", 12, WRAP),
            Col("受給者証番号", 12),
            Col("請求", 7, MARK),
            Col("算定日数が1の日", 20, WRAP),
            Col("定着支援連携促進加算（日=1/2）", 16, WRAP),
            Col("特別地域加算の日", 14, WRAP),
            Col("支援レポート共有日", 16, DATE),
            Col("合計算定日数", 11, AMOUNT),
            Col("定着支援連携促進加算（回）", 13, AMOUNT),
            Col("特別地域加算（回）", 10, AMOUNT),
        ),
        rows,
        totals=[Total(f"合計（{len(rows)}人）", {
            "合計算定日数": sum(r[8] for r in rows), "定着支援連携促進加算（回）": sum(r[9] for r in rows), "特別地域加算（回）": sum(r[10] for r in rows),
        })] if rows else [],
        notes=notes,
        empty="この月に請求できる利用者はいません。",
    )
    _place_before(wb, RECORD_SHEET, "条件")


def claim_reconcile(wb, reconciled, heading: Heading) -> None:
    """「請求データとの照合」: every finding of the reconcile, one a row — the file's own
    first, then each user-month, errors first — with the claim's value, the records' and
    the fix; the 月遅れ and the verdict under the table."""
    from teichaku_cli.base.dates import format_wareki_month
    from teichaku_cli.model.claim import shown
    from teichaku_cli.rules.claim import SEVERITY_ORDER

    claim = reconciled.claim
    rows = [("請求ファイル", "", "", SEVERITY[f.severity], f.title, "", "", f.message, citation(f.source)) for f in reconciled.office_findings]
    rows += [
        ("請求ファイル", "", "", SEVERITY.get(p.severity, "お知らせ"), f"{p.place.row}行目" if p.place.row else "", "", "", p.message + (f" → {p.fix}" if p.fix else ""), "")
        for p in reconciled.file_findings
    ]
    with_subject = ("claim-certificate-differs", "claim-amounts-differ", "claim-record-sheet-differs")
    entries = sorted(
        ((m, f) for m in reconciled.months for f in m.findings),
        key=lambda e: (SEVERITY_ORDER[e[1].severity], e[0].user_id is None, e[0].user_id or "", e[0].line or 0),
    )
    rows += [
        (
            m.user_id or "", m.name, m.recipient, SEVERITY[f.severity], f.title + (f"（{f.subject}）" if f.code in with_subject and f.subject else ""),
            f.claim_value, f.records_value, f.message, citation(f.source),
        )
        for m, f in entries
    ]
    errors, warnings = reconciled.count("error"), reconciled.count("warning")
    verdict = (
        f"請求データと記録に {reconciled.differences}件の相違があります（エラー {errors}件・注意 {warnings}件）。"
        if reconciled.differences else "請求データと記録は一致しています。"
    )
    services = "、".join(f"{name} {count}件" for code, name, count in claim.service_counts(reconciled.month))
    notes = [
        f"請求ファイル {claim.file}（{format_wareki_month(reconciled.month)}分、処理対象年月 {format_wareki_month(claim.control.processing_month)}）: "
        f"就労定着支援の明細書 {reconciled.statements}件・実績記録票 {reconciled.record_sheets}件（明細書のサービス: {services or 'なし'}。就労定着支援のほかは照合しません）。",
        verdict,
        *(
            f"月遅れ（照合しません）: {format_wareki_month(late.statement.key.month)}分 受給者証番号 {shown(late.statement.key.recipient)}"
            + (f"（{late.user_id} {late.name}）" if late.user_id else "") + f" {late.statement.basic.units:,}単位（{late.statement.basic.line}行目）"
            for late in reconciled.late
        ),
        "重要度「エラー」は請求ファイルを直してから送るもの、「注意」は確かめて直すもの、「お知らせ」は確かめておくことです。teichaku は請求ファイルを読むだけで、書き換えません。",
    ]
    add_sheet(
        wb,
        RECONCILE_SHEET,
        heading,
        (
            Col("利用者ID", 9),
            Col("氏名", 11, WRAP),
            Col("受給者証番号", 12),
            Col("重要度", 7, MARK),
            Col("相違", 16, WRAP),
            Col("請求ファイル", 18, WRAP),
            Col("記録", 18, WRAP),
            Col("内容と直し方", 48, WRAP),
            Col("根拠", 24, WRAP),
        ),
        rows,
        notes=notes,
        empty="相違はありません。請求データと記録は一致しています。",
    )
    wb.move_sheet(RECONCILE_SHEET, offset=1 - wb.sheetnames.index(RECONCILE_SHEET))  # right after the findings


def _place_before(wb, name: str, before: str) -> None:
    if before in wb.sheetnames:
        wb.move_sheet(name, offset=wb.sheetnames.index(before) - wb.sheetnames.index(name))
