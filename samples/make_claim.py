"""The sample office's claim file for October 2026 (``請求_2026-10.csv``), as the office's
claims software would write it for the 国保連's 取込送信, with a few differences from
the records planted on purpose, so that ``teichaku check --claim`` has something to say.

What the staff entered into their claims software comes from the same story as the
sample records (samples/make_samples.py): the 受給者証 numbers, 市町村番号 and caps,
the days of face-to-face support, the ケース会議, the 支援レポート. The software then
does its own arithmetic (units × 単価 truncated, 1割 up to the cap or the 上限額管理
result, the 請求書 sums). The file is written here from the interface spec's field
positions (障害福祉サービス インタフェース仕様書 事業所編 令和7年10月版, as transcribed in
SilentMalachite/Tsumugi), by its own code: never by teichaku's reader.

The planted differences (README 「請求データとの照合」):
- 0002 is claimed although the records block the month (no face-to-face support: the
  phone call was counted as a day of support);
- 0010's base fee tier was picked by hand (9割5分以上), not the one the office's rate gives;
- 0014's 受給者証番号 was typed with two digits swapped (so 0014 is also left out);
- 0003's day of support is one day off on the 実績記録票 (the 16th, the records say the 15th);
- and a late claim (月遅れ) for 0005's September, which is listed, not judged.
The other users the records can claim (0004, 0008, 0009, 0018) are claimed as the records say.

The サービスコード are made up (starting 47, the 就労定着支援 service type): we hold no
就労定着支援 code table, and teichaku never reads a code for meaning.

    python samples/make_claim.py
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

# --- the file, from the spec's positions ------------------------------------------------------

# Inner fields per record (事業所編 令和7年10月版): J111 p.17–18, J121 p.20–38, J611 p.60–78.
LENGTHS = {
    ("J111", "01"): 23, ("J111", "02"): 14,
    ("J121", "01"): 35, ("J121", "02"): 12, ("J121", "03"): 11, ("J121", "04"): 33, ("J121", "05"): 11,
    ("J611", "01"): 172, ("J611", "02"): 113,
}
# 項番 of what is written (3 サービス提供年月, 4 市町村番号, 5 事業所番号, 6 受給者証番号 in every inner record)
MONTH, MUNICIPALITY, OFFICE, RECIPIENT = 3, 4, 5, 6
J111_01 = dict(amount=6, sub_count=7, sub_units=8, sub_cost=9, sub_benefit=10, sub_burden=12, count=17, units=18, total_cost=19,
               benefit=20, burden=22)
J111_02 = dict(kind=6, service=7, count=8, units=9, total_cost=10, benefit=11, burden=13)
J121_01 = dict(kana=8, region=10, cap=12, cap_manager=15, cap_result=16, cap_amount=17, units=20, total_cost=21, cap_adjusted=22,
               burden_after_cap=26, burden=27, benefit=28)
J121_02 = dict(service=7, start=8, days=10)
J121_03 = dict(code=7, units=8, count=9, service_units=10)
J121_04 = dict(service=7, category=8, days=9, units=10, price=11, rate=12, total_cost=13, tenth=14, burden2=15, cap_adjusted=16,
               burden=21, benefit=22)
J121_05 = dict(decision=7, amount=8, start=9, entry=11)
J611_01 = dict(form=7, days_total=37, special_count=123, liaison_count=146, report_shared=153)
J611_02 = dict(form=7, day=9, base=45, special=81, liaison=90)


def inner(exchange: str, kind: str, values: dict[int, object]) -> list[str]:
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
class ClaimUser:
    """One user-month as the claims software holds it."""

    recipient: str
    municipality: str
    month: date
    kana: str
    start: date  # 利用開始日 (J121:02 開始年月日, J121:05 契約開始年月日)
    lines: list[tuple[str, int, int]]  # (サービスコード, 単位数, 回数)
    price: Decimal  # 単位数単価 (円)
    cap: int  # 利用者負担上限月額①
    days: list[Day] = field(default_factory=list)
    report_shared: date | None = None
    cap_manager: str = ""
    cap_result: str = ""
    cap_amount: int | None = None  # 管理結果額 (the burden the 上限額管理 settled)
    service: str = "47"

    @property
    def units(self) -> int:
        return sum(units * count for _, units, count in self.lines)

    @property
    def total_cost(self) -> int:  # 1円未満切り捨て
        return int((self.units * self.price).to_integral_value(ROUND_DOWN))

    @property
    def tenth(self) -> int:
        return self.total_cost // 10

    @property
    def burden(self) -> int:
        if self.cap_result == "3" and self.cap_amount is not None:
            return self.cap_amount
        return min(self.tenth, self.cap)

    @property
    def benefit(self) -> int:
        return self.total_cost - self.burden

    def records(self, office: str) -> list[list[str]]:
        common = {MONTH: f"{self.month:%Y%m}", MUNICIPALITY: self.municipality, OFFICE: office, RECIPIENT: self.recipient}
        b1, b2, b3, b4, b5 = J121_01, J121_02, J121_03, J121_04, J121_05
        out = [inner("J121", "01", common | {
            b1["kana"]: self.kana, b1["region"]: "23", b1["cap"]: self.cap, b1["cap_manager"]: self.cap_manager,
            b1["cap_result"]: self.cap_result, b1["cap_amount"]: self.cap_amount, b1["units"]: self.units,
            b1["total_cost"]: self.total_cost, b1["cap_adjusted"]: min(self.tenth, self.cap), b1["burden_after_cap"]: self.burden,
            b1["burden"]: self.burden, b1["benefit"]: self.benefit,
        })]
        base_days = sum(d.base == "1" for d in self.days)
        out.append(inner("J121", "02", common | {b2["service"]: self.service, b2["start"]: f"{self.start:%Y%m%d}", b2["days"]: base_days}))
        for code, units, count in self.lines:
            out.append(inner("J121", "03", common | {b3["code"]: code, b3["units"]: units, b3["count"]: count, b3["service_units"]: units * count}))
        out.append(inner("J121", "04", common | {
            b4["service"]: self.service, b4["category"]: 1, b4["days"]: base_days, b4["units"]: self.units,
            b4["price"]: f"{int(self.price * 1000):05d}", b4["rate"]: 0, b4["total_cost"]: self.total_cost, b4["tenth"]: self.tenth,
            b4["burden2"]: self.tenth, b4["cap_adjusted"]: min(self.tenth, self.cap), b4["burden"]: self.burden, b4["benefit"]: self.benefit,
        }))
        out.append(inner("J121", "05", common | {b5["decision"]: self.lines[0][0], b5["amount"]: "00100", b5["start"]: f"{self.start:%Y%m%d}", b5["entry"]: 1}))
        s1, s2 = J611_01, J611_02
        form = "0000"  # 様式種別番号: the 就労定着支援 form's number is not in our sources (teichaku never judges it)
        out.append(inner("J611", "01", common | {
            s1["form"]: form, s1["days_total"]: base_days, s1["special_count"]: sum(d.special == "1" for d in self.days),
            s1["liaison_count"]: sum(d.liaison in ("1", "2") for d in self.days),
            s1["report_shared"]: f"{self.report_shared:%Y%m%d}" if self.report_shared else "",
        }))
        for d in sorted(self.days, key=lambda d: d.day):
            out.append(inner("J611", "02", common | {s2["form"]: form, s2["day"]: d.day, s2["base"]: d.base, s2["special"]: d.special, s2["liaison"]: d.liaison}))
        return out


def invoices(users: list[ClaimUser], office: str) -> list[list[str]]:
    """J111:01 per 市町村 and month, J111:02 per service type: summed as the software sums them."""
    out: list[list[str]] = []
    groups: dict[tuple[date, str], list[ClaimUser]] = {}
    for user in users:
        groups.setdefault((user.month, user.municipality), []).append(user)
    for (month, municipality), members in sorted(groups.items()):
        common = {MONTH: f"{month:%Y%m}", MUNICIPALITY: municipality, OFFICE: office}
        units, cost = sum(u.units for u in members), sum(u.total_cost for u in members)
        benefit, burden = sum(u.benefit for u in members), sum(u.burden for u in members)
        t = J111_01
        out.append(inner("J111", "01", common | {
            t["amount"]: benefit, t["sub_count"]: len(members), t["sub_units"]: units, t["sub_cost"]: cost, t["sub_benefit"]: benefit,
            t["sub_burden"]: burden, t["count"]: len(members), t["units"]: units, t["total_cost"]: cost, t["benefit"]: benefit, t["burden"]: burden,
        }))
        for service in sorted({u.service for u in members}):
            these = [u for u in members if u.service == service]
            m = J111_02
            out.append(inner("J111", "02", common | {
                m["kind"]: 1, m["service"]: service, m["count"]: len(these), m["units"]: sum(u.units for u in these),
                m["total_cost"]: sum(u.total_cost for u in these), m["benefit"]: sum(u.benefit for u in these), m["burden"]: sum(u.burden for u in these),
            }))
    return out


def claim_rows(users: list[ClaimUser], office: str, processing: date) -> list[list[str]]:
    """Control, data and end records, grouped by record type as claims software writes them."""
    per_user = [u.records(office) for u in users]
    data = invoices(users, office)
    for kind in (("J121", "01"), ("J121", "02"), ("J121", "03"), ("J121", "04"), ("J121", "05"), ("J611", "01"), ("J611", "02")):
        data += [r for records in per_user for r in records if (r[0], r[1]) == kind]
    rows = [["1", "1", "0", str(len(data)), data[0][0][:3] if data else "J11", "0", office, "0", "1", f"{processing:%Y%m}", ""]]
    rows += [["2", str(n), *record] for n, record in enumerate(data, 2)]
    rows.append(["3", str(len(data) + 2)])
    return rows


def quote(value: str) -> str:
    """In double quotes when it holds a comma, a quote, a space or a two-byte character (共通編 1.2.2(4))."""
    needs = any(c in value for c in '," ') or len(value.encode("cp932", errors="replace")) > len(value)
    return '"' + value.replace('"', '""') + '"' if needs else value


def write_claim(path: Path, users: list[ClaimUser], office: str, processing: date) -> Path:
    text = "".join(",".join(quote(v) for v in row) + "\r\n" for row in claim_rows(users, office, processing))
    path.write_bytes(text.encode("cp932"))
    return path


# --- what the sample office entered for October 2026 --------------------------------------------

OCTOBER = date(2026, 10, 1)
PRICE = Decimal("11.2")  # the office's 地域区分単価 (samples/teichaku.toml)
TREATMENT_RATE = Decimal("0.100")  # 処遇改善加算（Ⅰ）10.0%, as the office's 処遇改善計画書 says
# The base fee tiers as the software's tables hold them (令和6年度報酬改定; 令和8年6月改定 carries them)
TIERS = {"9割5分以上": 3512, "9割以上9割5分未満": 3348, "8割以上9割未満": 2768}
OFFICE_TIER = "8割以上9割未満"  # the tier the office declared (its rate for 2025年度末 is 14/16 = 87.5%)
MEETING_WITH_MANAGER = 579  # 地域連携会議実施加算（Ⅰ）
# made-up service codes (no 就労定着支援 code table is at hand; 47 is the service type)
CODES = {"9割5分以上": "471001", "9割以上9割5分未満": "471002", "8割以上9割未満": "471003", "meeting": "475001", "treatment": "476001"}
KANA = {
    "0002": "ｲｼｶﾜ ﾀﾞｲｽｹ", "0003": "ｳｴﾀﾞ ﾐｻｷ", "0004": "ｴﾄｳ ｼｮｳ", "0005": "ｵｵﾉ ﾋﾅ", "0008": "ｸﾄﾞｳ ﾏｺﾄ",
    "0009": "ｻｻｷ ｱｵｲ", "0010": "ﾀｶﾊｼ ﾚﾝ", "0014": "ﾌｼﾞｲ ﾐﾅﾄ", "0018": "ﾖｼﾀﾞ ｱﾝ",
}
CLAIMED = ["0002", "0003", "0004", "0008", "0009", "0010", "0014", "0018"]  # who the staff claimed for October
HAND_PICKED_TIER = {"0010": "9割5分以上"}  # planted: a tier picked by hand
TYPED_RECIPIENT = {"0014": "9900000041"}  # planted: 9900000014 with two digits swapped
DAY_OFF = {"0003": 1}  # planted: the 実績記録票's day of support one day later than the record
PHONE_COUNTED = {"0002"}  # planted: a phone call marked as a day of support (the records block the month)
LATE = [("0005", date(2026, 9, 1))]  # a late claim (月遅れ) for September


def half_up(value: Decimal) -> int:
    return int(value.to_integral_value(ROUND_HALF_UP))


def entered(uid: str, month: date, tables: dict, certificates: dict) -> ClaimUser:
    """What the staff entered for one user-month: from the 受給者証, the day of support
    (a contact with the person; the software takes the day staff mark), the meetings and the report."""
    from make_samples import USERS

    user = next(u for u in USERS if u.id == uid)
    cert = certificates[uid]
    last = (month + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    methods = ("対面", "テレビ電話", "電話") if uid in PHONE_COUNTED else ("対面", "テレビ電話")
    contacts = [c for c in tables["支援記録"] if c["利用者ID"] == uid and c["相手"] == "本人" and c["方法"] in methods and month <= c["日付"] <= last]
    shift = DAY_OFF.get(uid, 0)
    days = {c["日付"].day + shift: Day(c["日付"].day + shift) for c in contacts}  # staff mark the days they met the person
    meetings = sorted(m["日付"] for m in tables["ケース会議"] if m["利用者ID"] == uid and month <= m["日付"] <= last and m["サービス管理責任者参加"] == "はい")
    lines = []
    tier = HAND_PICKED_TIER.get(uid, OFFICE_TIER)
    lines.append((CODES[tier], TIERS[tier], 1))
    if meetings:  # one a month
        day = meetings[0].day
        days.setdefault(day, Day(day, base=""))
        days[day].liaison = "1"
        lines.append((CODES["meeting"], MEETING_WITH_MANAGER, 1))
    lines.append((CODES["treatment"], half_up(sum(u * n for _, u, n in lines) * TREATMENT_RATE), 1))
    reports = [r for r in tables["支援レポート"] if r["利用者ID"] == uid and month <= r["本人提供日"] <= last]
    results = {(r["利用者ID"], r["対象月"]): r for r in tables["上限管理結果"]}
    result = results.get((uid, month))
    return ClaimUser(
        TYPED_RECIPIENT.get(uid, cert["受給者証番号"]), cert["市町村番号"], month, KANA[uid], user.start, lines, PRICE,
        cert["負担上限月額"], sorted(days.values(), key=lambda d: d.day), reports[0]["本人提供日"] if reports else None,
        cert["上限管理事業所番号"] or "", result["管理結果"] if result else "", result["利用者負担額"] if result else None,
    )


def main() -> None:
    from make_samples import OFFICE_NUMBER, build

    tables = build()
    certificates = {}
    for row in tables["受給者証"]:
        if row["支給決定開始日"] <= OCTOBER <= row["支給決定終了日"] or row["利用者ID"] not in certificates:
            certificates[row["利用者ID"]] = row
    users = [entered(uid, month, tables, certificates) for uid, month in LATE]
    users += [entered(uid, OCTOBER, tables, certificates) for uid in CLAIMED]
    path = write_claim(HERE / "請求_2026-10.csv", users, OFFICE_NUMBER, date(2026, 11, 1))
    print(f"{path.name}: {len(users)} 明細書")


if __name__ == "__main__":
    main()
