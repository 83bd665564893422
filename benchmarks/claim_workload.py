"""The --claim workload of ``make bench``: a generated office (benchmarks/generate.py) with
a 受給者証 table and an 事業所番号 added, and a 2,000-statement claim file for its month,
written by the sample's claims-program logic (samples/make_claim.py: the spec's field
positions, its own arithmetic), never by teichaku's reader.

The claim holds every user in service in the month as the records give them (the units
lines, the days of support, the report date: taken from teichaku's own result, so the
claim matches; the users the records block are claimed anyway, as offices do), and is
filled up to 2,000 明細書 with 就労継続支援B型 (46) ones of people this office does not
serve (counted, never judged). Made once under benchmarks/out/ and again whenever this
file or generate.py changes.

    .venv/bin/python benchmarks/claim_workload.py --size M     # make it (run.py does)
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
OFFICE_NUMBER = "1312345678"
PRICE = Decimal("11.2")
STATEMENTS = 2000
CONFIG = f'"事業所名" = "ベンチ事業所"\n"事業所番号" = "{OFFICE_NUMBER}"\n"地域区分単価" = 11.2\n"基本報酬区分" = "9割5分以上"\n'


def ensure(source: Path, out: Path, month: date) -> tuple[Path, Path]:
    """(the office folder with 受給者証 and teichaku.toml, the claim file), made when missing or stale."""
    stamp = out / "made-by.txt"
    made_by = hashlib.sha256(Path(__file__).read_bytes() + (HERE / "generate.py").read_bytes()).hexdigest()
    office, claim = out / "csv", out / f"請求_{month:%Y-%m}.csv"
    if stamp.exists() and stamp.read_text() == made_by and claim.exists():
        return office, claim
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(source, office)
    _add_certificates(office)
    (office / "teichaku.toml").write_text(CONFIG, encoding="utf-8")
    _write_claim(office, claim, month)
    stamp.write_text(made_by)
    return office, claim


def _add_certificates(folder: Path) -> None:
    """One 受給者証 row per user, over every month the data has (CP932, as an export writes it)."""
    import csv
    import io

    with (folder / "利用者.csv").open(encoding="cp932", newline="") as fh:
        ids = [row["利用者ID"] for row in csv.DictReader(fh)]
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["利用者ID", "受給者証番号", "市町村番号", "支給決定開始日", "支給決定終了日", "負担上限月額", "上限管理事業所番号"])
    for n, uid in enumerate(ids):
        out.writerow([uid, f"{8000000000 + n}", f"13{n % 20:04d}", "2018-04-01", "2028-03-31", (0, 9300, 37200)[n % 3], ""])
    (folder / "受給者証.csv").write_bytes(buf.getvalue().encode("cp932"))


def _write_claim(folder: Path, path: Path, month: date) -> None:
    sys.path.insert(0, str(HERE.parent / "samples"))
    from make_claim import ClaimUser, Day, write_claim

    from teichaku_cli.office.load import load_office
    from teichaku_cli.rules.monthly import check_month
    from teichaku_cli.rules.record_sheet import record_sheets

    office = load_office(folder)
    check = check_month(office, month, date(2026, 11, 22))
    sheets = record_sheets(office, month)
    codes: dict[str, str] = {}
    users = []
    for u in check.users:
        cert, sheet, person = u.certificate, sheets[u.user_id], office.person_by_id[u.user_id]
        lines = [(codes.setdefault(line.key, f"47{len(codes):04d}"), line.units, 1) for line in u.lines]  # made-up codes, one per line kind
        days = [Day(d.day.day, "1" if d.base_support else "", "1" if d.special_area else "", d.liaison or "") for d in sheet.days] or [Day(1)]
        users.append(ClaimUser(
            cert.number if cert else f"7{int(u.user_id):09d}", str(cert.municipality) if cert else "130001", month, "ﾍﾞﾝﾁ ﾀﾛｳ", person.started,
            lines, PRICE, cert.cap if cert and cert.cap is not None else 9300, days, sheet.report_given_on,
        ))
    for n in range(STATEMENTS - len(users)):
        users.append(ClaimUser(f"{6000000000 + n}", f"13{n % 20:04d}", month, "ﾍﾞﾝﾁ ﾊﾅｺ", date(2025, 4, 1), [("461111", 584, 20)], PRICE, 9300,
                               [Day(d) for d in range(1, 21)], None, service="46"))
    write_claim(path, users, OFFICE_NUMBER, date(month.year + month.month // 12, month.month % 12 + 1, 1))


def main() -> None:
    sys.path.insert(0, str(HERE))
    from run import MONTH, OUT, ensure as ensure_office

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M")
    args = parser.parse_args()
    office, claim = ensure(ensure_office(args.size) / "csv", OUT / f"{args.size}-claim", date.fromisoformat(MONTH + "-01"))
    print(office, claim, claim.stat().st_size)


if __name__ == "__main__":
    main()
