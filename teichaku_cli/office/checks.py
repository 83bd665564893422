"""Checks across rows and tables, run after every table was read without
structural problems: unknown or duplicate IDs, dates in an impossible order,
a special user type without its 起算日."""

from __future__ import annotations

from typing import TYPE_CHECKING

from teichaku_cli.errors import Problem
from teichaku_cli.office import schema
from teichaku_cli.office.load import ROW
from teichaku_cli.office.values import format_wareki_date

if TYPE_CHECKING:
    from teichaku_cli.office.load import Office

MAX_LISTED = 20


def cross_check(office: "Office") -> list[Problem]:
    problems: list[Problem] = []
    users = office.users
    name = schema.USERS.name
    ids = users["利用者ID"]

    duplicated = users[ids.notna() & ids.duplicated(keep=False)]
    for user_id, group in duplicated.groupby("利用者ID", sort=False):
        rows = group[ROW].tolist()
        for row in rows[1:]:
            problems.append(
                Problem(
                    office.place(name, row, "利用者ID"),
                    f"利用者ID が重複しています（{rows[0]}行目と同じ）。",
                    "1人に1行にしてください。別人なら別の ID を付けてください",
                    value=str(user_id),
                )
            )

    def order(earlier: str, later: str, message: str, fix: str) -> None:
        bad = users[users[earlier].notna() & users[later].notna() & (users[later] < users[earlier])]
        for row, a, b in zip(bad[ROW], bad[earlier], bad[later]):
            problems.append(
                Problem(
                    office.place(name, row, later),
                    message.format(a=format_wareki_date(a.date()), b=format_wareki_date(b.date())),
                    fix,
                    value=b.date().isoformat(),
                )
            )

    order("利用開始日", "利用終了日", "利用終了日（{b}）が利用開始日（{a}）より前です。", "どちらかの日付を直してください")
    order("就職日", "利用開始日", "利用開始日（{b}）が就職日（{a}）より前です。就労定着支援は就職後に利用するサービスです。", "就職日と利用開始日を確かめてください")
    order("就職日", "離職日", "離職日（{b}）が就職日（{a}）より前です。", "就職日と離職日を確かめてください")
    order("離職日", "再就職日", "再就職日（{b}）が離職日（{a}）より前です。", "離職日と再就職日を確かめてください")

    orphan_rejob = users[users["再就職日"].notna() & users["離職日"].isna()]
    for row in orphan_rejob[ROW]:
        problems.append(
            Problem(office.place(name, row, "再就職日"), "再就職日があるのに離職日が空欄です。", "離職日を入力してください")
        )

    special = users[users["利用類型"].isin(schema.SPECIAL_USER_TYPES) & users["起算日"].isna()]
    for row, kind in zip(special[ROW], special["利用類型"]):
        problems.append(
            Problem(
                office.place(name, row, "起算日"),
                f"利用類型が「{kind}」なのに起算日が空欄です。",
                "労働時間延長支援型は送り出し元サービスの終了日の翌日、復職支援型は復職日を起算日に入力してください",
            )
        )

    known = set(ids.dropna())
    for table in (schema.CONTACTS, schema.REPORTS, schema.PLANS, schema.MEETINGS, schema.SUBSIDIES):
        frame = office.table(table.name)
        if frame.empty:
            continue
        col = frame["利用者ID"]
        unknown = frame[col.notna() & ~col.isin(known)]
        listed = 0
        for row, user_id in zip(unknown[ROW], unknown["利用者ID"]):
            if listed == MAX_LISTED:
                problems.append(
                    Problem(
                        office.place(table.name, None, "利用者ID"),
                        f"利用者シートにない利用者ID がほか{len(unknown) - listed}件あります。",
                        "利用者シートに加えるか、ID を直してください",
                    )
                )
                break
            problems.append(
                Problem(
                    office.place(table.name, row, "利用者ID"),
                    "この利用者ID は利用者シートにありません。",
                    "ID の打ち間違いを直すか、利用者シートにその人を加えてください",
                    value=str(user_id),
                )
            )
            listed += 1
    return problems
