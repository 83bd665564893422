"""The benchmark suite: every workload at every size, side by side with the
floor it is compared to, in one run on this machine.

    make bench                      # or: .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --quick   # small and medium sizes only

At size M it also reconciles a 2,000-statement claim file (check --claim; the office
gains a 受給者証 table: benchmarks/claim_workload.py) and says what --claim adds to check.

Prints a Markdown table: workload, size, wall median of several runs, peak
memory (max RSS of the process), and the ratio to the floor below it. Data is
generated once under benchmarks/out/ (git-ignored). Nothing here is a test:
the figures are for people to read (README, issue notes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PY = sys.executable
BIN = Path(PY).parent
TEICHAKU = str(BIN / "teichaku")
MONTH = "2026-10"
# Python as on an office PC: bytecode caches written and used (a sandbox may set
# PYTHONDONTWRITEBYTECODE, which recompiles teichaku on every start: +0.07 s)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"TEICHAKU_TODAY": "2026-11-22", "COLUMNS": "120"}

SIZES = {  # name: (users, log rows, xlsx too?)
    "S": (100, 10_000, True),
    "M": (2_000, 200_000, True),
    "L": (19_000, 1_000_000, False),
    "XL": (38_000, 2_000_000, False),  # only for the linear-growth measure (10× M)
}


@dataclass
class Row:
    workload: str
    size: str
    seconds: float
    peak_mib: float
    floor: str = ""
    ratio: float | None = None


def ensure(size: str) -> Path:
    """The generated office of this size, made again whenever generate.py has changed."""
    users, rows, xlsx = SIZES[size]
    folder = OUT / size
    stamp = folder / "generated-by.txt"
    source = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != source:
        print(f"generating {size}: {users:,} users, {rows:,} log rows …", file=sys.stderr, flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        args = [PY, str(HERE / "generate.py"), "--users", str(users), "--rows", str(rows), "--out", str(folder)]
        subprocess.run(args + ([] if xlsx else ["--no-xlsx"]), check=True, stdout=subprocess.DEVNULL)
        stamp.write_text(source)
    return folder


def stray_copy(folder: Path) -> Path:
    """The office's workbook as Excel saves it after one value was typed at Z1048576 of
    支援記録 (its <dimension> then says A1:Z1048576): calamine would build 27 million cells;
    teichaku reads that sheet row by row (office/sheet_xml.py)."""
    import zipfile

    from teichaku_cli.office.sources import _sheet_members

    path = folder / "office-stray.xlsx"
    if path.exists():
        return path
    with zipfile.ZipFile(folder / "office.xlsx") as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
        member = _sheet_members(zf)["支援記録"]
    xml = items[member].replace(b"</sheetData>", b'<row r="1048576"><c r="Z1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>', 1)
    if b"<dimension" not in xml:
        xml = xml.replace(b"<sheetViews>", b'<dimension ref="A1:Z1048576"/><sheetViews>', 1)
    items[member] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items.items():
            zf.writestr(name, data)
    return path


def measure(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MiB) over ``runs`` runs of a command."""
    walls, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"failed ({code}): {' '.join(cmd)}")
    return statistics.median(walls), max(peaks)


FLOOR_CALAMINE = (
    "import sys, python_calamine as pc\n"
    "wb = pc.CalamineWorkbook.from_path(sys.argv[1])\n"
    "for name in wb.sheet_names: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)\n"
)
FLOOR_CSV = (
    "import sys, glob, pandas as pd\n"
    "for f in glob.glob(sys.argv[1] + '/*.csv'): pd.read_csv(f, encoding='cp932', dtype=str)\n"
)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()} {platform.machine()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="S and M only (no 1M/2M-row offices)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = ["S", "M"] if args.quick else ["S", "M", "L", "XL"]
    folders = {s: ensure(s) for s in sizes}
    rows: list[Row] = []

    def run(workload: str, size: str, cmd: list[str], floor: Row | None = None, runs: int = args.runs) -> Row:
        seconds, peak = measure(cmd, runs)
        row = Row(workload, size, seconds, peak, floor.workload if floor else "", seconds / floor.seconds if floor else None)
        rows.append(row)
        print(f"  {workload:<34} {size:<3} {seconds:7.2f} s {peak:8.0f} MiB", file=sys.stderr, flush=True)
        return row

    def run_reports(folder: Path, count: int = 1000) -> None:
        """``report`` for the first ``count`` users served in the month (IDs from ``check --json``)."""
        found = subprocess.run(
            [TEICHAKU, "check", str(folder / "csv"), "--month", MONTH, "--json"], capture_output=True, env=ENV
        )
        ids = [u["user_id"] for u in json.loads(found.stdout)["users"]][:count]
        report_dir = OUT / "reports"
        shutil.rmtree(report_dir, ignore_errors=True)
        cmd = [TEICHAKU, "report", str(folder / "csv"), "--month", MONTH, "--out", str(report_dir)]
        for uid in ids:
            cmd += ["--user", uid]
        run(f"report {len(ids):,} users", "M", cmd, runs=1)
        made = len(list(report_dir.glob("*.xlsx")))
        if made != len(ids):
            raise SystemExit(f"report made {made} files for {len(ids)} users")

    def claim_workload(folder: Path) -> None:
        """check --claim: a 2,000-statement claim file against this office (with a 受給者証 table
        added: benchmarks/claim_workload.py), beside check alone on the same data."""
        from claim_workload import ensure as ensure_claim

        office, claim = ensure_claim(folder / "csv", OUT / "M-claim", date.fromisoformat(MONTH + "-01"))
        alone = run("check csv with 受給者証", "M", [TEICHAKU, "check", str(office), "--month", MONTH, "--json"])
        both = run("check --claim 2,000 明細書", "M", [TEICHAKU, "check", str(office), "--month", MONTH, "--claim", str(claim), "--json"], alone)
        claim_added.append(both.seconds - alone.seconds)

    claim_added: list[float] = []
    help_floor = run("python -c pass", "-", [PY, "-c", "pass"], runs=5)
    run("teichaku --help", "-", [TEICHAKU, "--help"], help_floor, runs=5)
    run("teichaku check --help", "-", [TEICHAKU, "check", "--help"], help_floor, runs=5)
    for size in sizes:
        folder = folders[size]
        csv_floor = run("floor: pandas.read_csv cp932", size, [PY, "-c", FLOOR_CSV, str(folder / "csv")])
        if SIZES[size][2]:
            xl_floor = run("floor: python_calamine cells", size, [PY, "-c", FLOOR_CALAMINE, str(folder / "office.xlsx")])
            run("validate xlsx", size, [TEICHAKU, "validate", str(folder / "office.xlsx")], xl_floor)
            run("check one month xlsx", size, [TEICHAKU, "check", str(folder / "office.xlsx"), "--month", MONTH, "--json"], xl_floor)
            if size == "S":  # one stray value far below: costs the rows it adds, not the grid it spans
                stray = stray_copy(folder)
                stray_floor = run("floor: python_calamine cells, value at Z1048576", size, [PY, "-c", FLOOR_CALAMINE, str(stray)])
                run("validate xlsx, value at Z1048576", size, [TEICHAKU, "validate", str(stray)], stray_floor)
        run("validate csv", size, [TEICHAKU, "validate", str(folder / "csv")], csv_floor)
        run("check one month csv", size, [TEICHAKU, "check", str(folder / "csv"), "--month", MONTH, "--json"], csv_floor)
        run("rate one year csv", size, [TEICHAKU, "rate", str(folder / "csv"), "--year", "2025", "--json"], csv_floor)
        if size == "M":
            run_reports(folder)
            claim_workload(folder)

    by = {(r.workload, r.size): r for r in rows}
    print()
    print(f"Measured {date.today()} on {machine()}.")
    print()
    print("| workload | size | wall (median) | peak memory | ratio to floor |")
    print("|---|---|---:|---:|---|")
    labels = {"-": "-", **{s: f"{SIZES[s][0]:,} users / {SIZES[s][1]:,} rows" for s in SIZES}}
    for r in rows:
        ratio = f"{r.ratio:.2f}× {r.floor}" if r.ratio is not None else ""
        print(f"| {r.workload} | {labels[r.size]} | {r.seconds:.2f} s | {r.peak_mib:,.0f} MiB | {ratio} |")
    if claim_added:
        print(f"\n--claim (a 2,000-statement claim file read and reconciled) adds {claim_added[0]:.2f} s to check on the 200k-row office.")
    if ("check one month csv", "M") in by and ("check one month csv", "XL") in by:
        m, xl = by[("check one month csv", "M")], by[("check one month csv", "XL")]
        print(f"\nLinear growth: check on 10× the rows (2M vs 200k, CSV) took {xl.seconds / m.seconds:.1f}× the time.")


if __name__ == "__main__":
    main()
