"""Checks of the 受給者証 and 上限管理結果 sheets, run with the other cross-table
checks: a period that ends before it starts, two periods of one
user that overlap, numbers of the wrong length, an unusual 負担上限月額, a month
with two results, a result 3 without the amount it settled on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from teichaku_cli.base.errors import Problem
from teichaku_cli.model import schema
from teichaku_cli.model.office import ROW
from teichaku_cli.base.dates import format_wareki_date, format_wareki_month
from teichaku_cli.model.schema import C

if TYPE_CHECKING:
    from teichaku_cli.model.office import Office

MAX_LISTED = 20
DIGITS = {"受給者証番号": 10, "市町村番号": 6, "上限管理事業所番号": 10}  # as the claim forms print them


def certificate_checks(office: "Office") -> list[Problem]:
    problems: list[Problem] = []  # unknown users: with every table's (checks.py), where lost zeros are said once
    problems += _certificates(office)
    problems += _cap_results(office)
    return problems


def _certificates(office: "Office") -> list[Problem]:
    from teichaku_cli.model.rulebook import all_rule_sets

    name = schema.CERTIFICATES.name
    frame = office.table(name)
    if frame.empty:
        return []
    problems: list[Problem] = []
    starts, ends = frame[C.GRANT_START], frame[C.GRANT_END]
    backwards = frame[starts.notna() & ends.notna() & (ends < starts)]
    for row, start, end in zip(backwards[ROW], backwards[C.GRANT_START], backwards[C.GRANT_END]):
        problems.append(
            Problem(
                office.place(name, row, "支給決定終了日"),
                f"支給決定終了日（{format_wareki_date(end.date())}）が支給決定開始日（{format_wareki_date(start.date())}）より前です。",
                "受給者証の支給決定期間を確かめてください",
                value=end.date().isoformat(),
            )
        )
    valid = frame[starts.notna() & ends.notna() & (ends >= starts)].sort_values([C.USER_ID, C.GRANT_START])
    previous: dict[str, tuple[int, object]] = {}  # user → (row, end) of the period reaching furthest so far
    for uid, row, start, end in zip(valid[C.USER_ID], valid[ROW], valid[C.GRANT_START], valid[C.GRANT_END]):
        before = previous.get(uid)
        if before is not None and start <= before[1]:
            problems.append(
                Problem(
                    office.place(name, row, "支給決定開始日"),
                    f"この支給決定期間は{before[0]}行目の期間（{format_wareki_date(before[1].date())}まで）と重なっています。",
                    "1人の支給決定期間が重ならないように直してください（更新なら新しい期間は前の終了日の翌日から）",
                    value=start.date().isoformat(),
                )
            )
        if before is None or end > before[1]:
            previous[uid] = (row, end)
    for column, digits in DIGITS.items():
        values = frame[column]
        wrong = frame[values.notna() & ~values.astype(str).str.fullmatch(rf"\d{{{digits}}}")]
        for row, value in zip(wrong[ROW][:MAX_LISTED], wrong[column][:MAX_LISTED]):
            problems.append(
                Problem(
                    office.place(name, row, column),
                    f"{column}が{digits}桁の数字ではありません。請求では{digits}桁の番号が要ります。",
                    f"受給者証の{column}を{digits}桁のまま（先頭の 0 も）入力してください",
                    value=str(value),
                    severity="warning",
                )
            )
    usual = sorted({cap for rules in all_rule_sets() for cap in rules.billing["user_burden"].option("usual_caps")})
    shown = "・".join(f"{c:,}" for c in usual)
    caps = frame[C.CAP]
    odd = frame[caps.notna() & ~caps.isin(usual)]
    for row, cap in zip(odd[ROW][:MAX_LISTED], odd[C.CAP][:MAX_LISTED]):
        problems.append(
            Problem(
                office.place(name, row, "負担上限月額"),
                f"負担上限月額 {cap:,}円 は、就労定着支援で通常の額（{shown}円）のどれでもありません。",
                "受給者証の負担上限月額を確かめてください（正しければこのままで構いません）",
                value=str(cap),
                severity="warning",
            )
        )
    return problems


def _cap_results(office: "Office") -> list[Problem]:
    name = schema.CAP_RESULTS.name
    frame = office.table(name)
    if frame.empty:
        return []
    problems: list[Problem] = []
    keyed = frame[frame[C.USER_ID].notna() & frame[C.MONTH].notna()]
    twice = keyed[keyed.duplicated([C.USER_ID, C.MONTH], keep="first")]
    first_rows = keyed.drop_duplicates([C.USER_ID, C.MONTH]).set_index([C.USER_ID, C.MONTH])[ROW]
    for uid, month, row in zip(twice[C.USER_ID], twice[C.MONTH], twice[ROW]):
        problems.append(
            Problem(
                office.place(name, row, "対象月"),
                f"{format_wareki_month(month.date())}の上限管理結果が2行あります（{first_rows[(uid, month)]}行目と同じ利用者・月）。",
                "1人1か月に1行にしてください",
                value=month.strftime("%Y-%m"),
            )
        )
    settled = frame[(frame[C.CAP_RESULT] == "3") & frame[C.CAP_BURDEN].isna()]
    for row in settled[ROW]:
        problems.append(
            Problem(
                office.place(name, row, "利用者負担額"),
                "管理結果が3（調整した）なのに利用者負担額が空欄です。",
                "上限管理事業所から届いた利用者負担上限額管理結果票の、この事業所の管理結果後利用者負担額を入力してください",
            )
        )
    return problems

