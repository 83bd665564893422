"""Claim files for the tests, built from the spec's field positions — not from
teichaku's reader or its layout module, so a wrong position in either shows up as a
failing test rather than as two agreeing mistakes.

The facts (障害福祉サービス インタフェース仕様書 令和7年10月版, as transcribed in
SilentMalachite/Tsumugi, read field by field): every record's number
of inner fields, and the 項番 of the fields written here. A data line is "2,<n>," then the
inner record, so 項番 p is CSV column p + 2. Files are CP932 with CRLF line ends; a field
holding a comma, a double quote, a space or a two-byte character is quoted, a quote
inside doubled (共通編 1.2.2(4)).

The builder does its own arithmetic (units × 単価 truncated, 1割 capped, the J111 sums)
so that a clean file is a consistent claim by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

# Inner fields per record (事業所編 令和7年10月版): J111 p.17–18, J121 p.20–38, J611 p.60–78.
LENGTHS = {
    ("J111", "01"): 23, ("J111", "02"): 14,
    ("J121", "01"): 35, ("J121", "02"): 12, ("J121", "03"): 11, ("J121", "04"): 33, ("J121", "05"): 11,
    ("J611", "01"): 172, ("J611", "02"): 113,
}
CONTROL_FIELDS = 11  # 共通編 p.6: 12 items, the 12th being the CRLF

# 項番 of the fields written (the same in every inner record: 3 サービス提供年月, 4 市町村番号,
# 5 事業所番号, 6 受給者証番号)
MONTH, MUNICIPALITY, OFFICE, RECIPIENT = 3, 4, 5, 6
J111_01 = dict(amount=6, sub_count=7, sub_units=8, sub_cost=9, sub_benefit=10, sub_burden=12,
               count=17, units=18, total_cost=19, benefit=20, special=21, burden=22, subsidy=23)
J111_02 = dict(kind=6, service=7, count=8, units=9, total_cost=10, benefit=11, special=12, burden=13, subsidy=14)
J121_01 = dict(kana=8, region=10, cap=12, cap_manager=15, cap_result=16, cap_amount=17, units=20, total_cost=21,
               cap_adjusted=22, burden_after_cap=26, burden=27, benefit=28, high_cost=29, subsidy=31)
J121_02 = dict(service=7, start=8, end=9, days=10)
J121_03 = dict(code=7, units=8, count=9, service_units=10, remarks=11)
J121_04 = dict(service=7, category=8, days=9, units=10, price=11, rate=12, total_cost=13, tenth=14, burden2=15,
               cap_adjusted=16, burden=21, benefit=22, subsidy=25)
J121_05 = dict(decision=7, amount=8, start=9, end=10, entry=11)
J611_01 = dict(form=7, days_total=37, special_count=123, liaison_count=146, report_shared=153)
J611_02 = dict(form=7, day=9, start_time=14, end_time=15, base=45, special=81, liaison=90)

# The 数値 fields of each record, as ranges of 項番 (the spec's 属性 column)
NUMERIC = {
    ("J111", "01"): [(6, 23)], ("J111", "02"): [(8, 14)],
    ("J121", "01"): [(12, 12), (17, 17), (19, 35)], ("J121", "02"): [(10, 12)], ("J121", "03"): [(8, 10)],
    ("J121", "04"): [(9, 29), (32, 33)], ("J121", "05"): [(8, 8), (11, 11)],
    ("J611", "01"): [(9, 63), (66, 66), (72, 72), (76, 85), (87, 110), (112, 139), (144, 152), (157, 172)],
}

OFFICE_NUMBER = "1312345678"


def numeric_positions(exchange: str, kind: str) -> list[int]:
    return [p for first, last in NUMERIC[(exchange, kind)] for p in range(first, last + 1)]


def inner(exchange: str, kind: str, values: dict[int, object]) -> list[str]:
    """An inner record of the spec's length with the given 項番 set."""
    fields = [""] * LENGTHS[(exchange, kind)]
    fields[0], fields[1] = exchange, kind
    for position, value in values.items():
        fields[position - 1] = "" if value is None else str(value)
    return fields


@dataclass
class Day:
    day: int
    base: str = "1"  # 算定日数
    special: str = ""  # 特別地域加算
    liaison: str = ""  # 定着支援連携促進加算 (1/2)


@dataclass
class UserClaim:
    """One user-month of a claim: its J121 明細書 and J611 実績記録票."""

    recipient: str
    municipality: str = "131016"
    month: str = "202610"
    service: str = "47"
    kana: str = "ﾃｲﾁｬｸ ﾀﾛｳ"
    lines: list[tuple[str, int, int, str]] = field(default_factory=lambda: [("471111", 3512, 1, "")])  # code, units, count, 摘要
    price: str = "11200"  # 単位数単価 as written (5 digits: 11.2 円)
    cap: int = 9300  # 利用者負担上限月額①
    cap_manager: str = ""
    cap_result: str = ""
    cap_amount: str = ""
    days: list[Day] = field(default_factory=lambda: [Day(6), Day(20, liaison="1")])
    report_shared: str = "20261020"
    form: str = "0000"  # 様式種別番号: never judged, any value
    contract: tuple[str, str, str] = ("471111", "00100", "20260401")  # 決定サービスコード, 契約支給量, 開始
    with_sheet: bool = True
    subsidy: int = 0  # 自治体助成分請求額
    burden_override: int | None = None  # 決定利用者負担額 as the software set it (上限額管理の結果, or a slip)

    @property
    def units(self) -> int:
        return sum(units * count for _, units, count, _ in self.lines)

    @property
    def total_cost(self) -> int:
        return int((Decimal(self.units) * Decimal(int(self.price)) / 1000).to_integral_value(ROUND_DOWN))

    @property
    def burden(self) -> int:
        if self.burden_override is not None:
            return self.burden_override
        return min(self.total_cost // 10, self.cap)

    @property
    def benefit(self) -> int:
        return self.total_cost - self.burden

    def records(self, office: str) -> list[list[str]]:
        common = {MONTH: self.month, MUNICIPALITY: self.municipality, OFFICE: office, RECIPIENT: self.recipient}
        b1, b2, b3, b4, b5 = J121_01, J121_02, J121_03, J121_04, J121_05
        out = [inner("J121", "01", common | {
            b1["kana"]: self.kana, b1["region"]: "23", b1["cap"]: self.cap, b1["cap_manager"]: self.cap_manager,
            b1["cap_result"]: self.cap_result, b1["cap_amount"]: self.cap_amount, b1["units"]: self.units,
            b1["total_cost"]: self.total_cost, b1["cap_adjusted"]: self.burden, b1["burden_after_cap"]: self.burden,
            b1["burden"]: self.burden, b1["benefit"]: self.benefit, b1["subsidy"]: self.subsidy or "",
        })]
        out.append(inner("J121", "02", common | {b2["service"]: self.service, b2["start"]: "20260401", b2["days"]: len(self.days)}))
        for code, units, count, remarks in self.lines:
            out.append(inner("J121", "03", common | {
                b3["code"]: code, b3["units"]: units, b3["count"]: count, b3["service_units"]: units * count, b3["remarks"]: remarks,
            }))
        out.append(inner("J121", "04", common | {
            b4["service"]: self.service, b4["category"]: 1, b4["days"]: len(self.days), b4["units"]: self.units,
            b4["price"]: self.price, b4["rate"]: 0, b4["total_cost"]: self.total_cost, b4["tenth"]: self.total_cost // 10,
            b4["burden2"]: self.total_cost // 10, b4["cap_adjusted"]: self.burden, b4["burden"]: self.burden,
            b4["benefit"]: self.benefit, b4["subsidy"]: self.subsidy or "",
        }))
        out.append(inner("J121", "05", common | {
            b5["decision"]: self.contract[0], b5["amount"]: self.contract[1], b5["start"]: self.contract[2], b5["entry"]: 1,
        }))
        if self.with_sheet:
            s1, s2 = J611_01, J611_02
            out.append(inner("J611", "01", common | {
                s1["form"]: self.form, s1["days_total"]: sum(d.base == "1" for d in self.days),
                s1["special_count"]: sum(d.special == "1" for d in self.days),
                s1["liaison_count"]: sum(d.liaison in ("1", "2") for d in self.days), s1["report_shared"]: self.report_shared,
            }))
            for d in self.days:
                out.append(inner("J611", "02", common | {
                    s2["form"]: self.form, s2["day"]: d.day, s2["base"]: d.base, s2["special"]: d.special, s2["liaison"]: d.liaison,
                }))
        return out


@dataclass
class ClaimBuilder:
    """A claim file: control record, J111 請求書 summed from the users, their J121 and
    J611, end record. ``rows()`` gives the outer records as field lists (to spoil in a
    test), ``write()`` the bytes."""

    users: list[UserClaim] = field(default_factory=list)
    office: str = OFFICE_NUMBER
    processing: str = "202611"
    data_kind: str | None = None  # None: the first data record's 交換情報識別番号[:3]
    medium: str = "1"
    by_type: bool = True  # records grouped by type (as claims programs write them), else by user

    def add(self, recipient: str, **kwargs) -> UserClaim:
        user = UserClaim(recipient, **kwargs)
        self.users.append(user)
        return user

    def invoices(self) -> list[list[str]]:
        """J111:01 per 市町村 and month, J111:02 per service type, summed here."""
        out: list[list[str]] = []
        groups: dict[tuple[str, str], list[UserClaim]] = {}
        for user in self.users:
            groups.setdefault((user.month, user.municipality), []).append(user)
        for (month, municipality), users in sorted(groups.items()):
            common = {MONTH: month, MUNICIPALITY: municipality, OFFICE: self.office}
            units = sum(u.units for u in users)
            cost = sum(u.total_cost for u in users)
            benefit = sum(u.benefit for u in users)
            burden = sum(u.burden - u.subsidy for u in users)
            subsidy = sum(u.subsidy for u in users)
            t = J111_01
            out.append(inner("J111", "01", common | {
                t["amount"]: benefit + subsidy, t["sub_count"]: len(users), t["sub_units"]: units, t["sub_cost"]: cost,
                t["sub_benefit"]: benefit, t["sub_burden"]: burden, t["count"]: len(users), t["units"]: units,
                t["total_cost"]: cost, t["benefit"]: benefit, t["burden"]: burden, t["subsidy"]: subsidy or "",
            }))
            for service in sorted({u.service for u in users}):
                these = [u for u in users if u.service == service]
                m = J111_02
                out.append(inner("J111", "02", common | {
                    m["kind"]: 1, m["service"]: service, m["count"]: len(these), m["units"]: sum(u.units for u in these),
                    m["total_cost"]: sum(u.total_cost for u in these), m["benefit"]: sum(u.benefit for u in these),
                    m["burden"]: sum(u.burden - u.subsidy for u in these), m["subsidy"]: sum(u.subsidy for u in these) or "",
                }))
        return out

    def inner_records(self) -> list[list[str]]:
        records = self.invoices()
        per_user = [u.records(self.office) for u in self.users]
        if not self.by_type:
            return records + [r for rs in per_user for r in rs]
        order = [("J121", "01"), ("J121", "02"), ("J121", "03"), ("J121", "04"), ("J121", "05"), ("J611", "01"), ("J611", "02")]
        for kind in order:
            records += [r for rs in per_user for r in rs if (r[0], r[1]) == kind]
        return records

    def rows(self) -> list[list[str]]:
        data = self.inner_records()
        kind = self.data_kind if self.data_kind is not None else (data[0][0][:3] if data else "J11")
        rows = [["1", "1", "0", str(len(data)), kind, "0", self.office, "0", self.medium, self.processing, ""]]
        rows += [["2", str(n), *record] for n, record in enumerate(data, 2)]
        rows.append(["3", str(len(data) + 2)])
        return rows

    def write(self, path: Path, rows: list[list[str]] | None = None, **options) -> Path:
        path.write_bytes(encode(self.rows() if rows is None else rows, **options))
        return path


def quote(value: str, always: bool = False) -> str:
    """A field as the spec writes it: in double quotes when it holds a comma, a quote,
    a space or a two-byte character (or always), a quote inside doubled."""
    needs = always or any(c in value for c in '," ') or len(value.encode("cp932", errors="replace")) > len(value)
    return '"' + value.replace('"', '""') + '"' if needs else value


def encode(rows: list[list[str]], line_end: str = "\r\n", encoding: str = "cp932", quote_all: bool = False) -> bytes:
    text = "".join(",".join(quote(v, quote_all) for v in row) + line_end for row in rows)
    return text.encode(encoding)


def renumber(rows: list[list[str]]) -> list[list[str]]:
    """The outer records numbered again from 1 and the control's レコード件数 set: for a
    test that adds or removes a record and wants nothing else to be wrong."""
    rows = [list(r) for r in rows]
    for n, row in enumerate(rows, 1):
        row[1] = str(n)
    rows[0][3] = str(sum(r[0] == "2" for r in rows))
    return rows


def find(rows: list[list[str]], exchange: str, kind: str, recipient: str | None = None) -> int:
    """The index in ``rows`` of the first data record of this kind (and user)."""
    for index, row in enumerate(rows):
        if row[0] == "2" and row[2] == exchange and row[3] == kind and (recipient is None or row[at(row, RECIPIENT)] == recipient):
            return index
    raise LookupError((exchange, kind, recipient))


def at(row: list[str], position: int) -> int:
    """The CSV column (0-based) of inner 項番 ``position`` in a data row."""
    return position + 1
