"""Do two checkouts of teichaku give the same results? For a refactor, they must.

    python tests/compare_checkouts.py --a ../baseline --b . --out /tmp/compare
    python tests/compare_checkouts.py --a ../baseline --b . --out /tmp/compare --quick

Each checkout runs its own ``.venv/bin/teichaku`` (``make install`` in each first)
over the same data: the bundled sample workbook, its CP932 CSV copy and a seeded
2,000-user office made once with checkout A's ``benchmarks/generate.py``. It sweeps
what the data allow: ``check --json`` for every month from 令和3年4月 to the month
after "today", ``rate --json`` for every fiscal year, ``due --json`` on several days
and windows, ``validate``, and the workbooks of ``check``/``rate``/``due --out``,
``report`` (本人用・事業主用, every month of the sample's last two years) and ``plan
--all``, each dumped with ``tests/document_dump.py`` (cell values, formats, merges,
print settings; never zip bytes). Then it compares the two runs, output by output,
and prints the first differing paths of each.

Exit 0 when every output is the same, 1 when some differ. Nothing here is a test
(it needs two checkouts); the issue notes quote its result.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from document_dump import dump  # noqa: E402

TODAYS = ("2026-11-22", "2026-12-08", "2026-12-01", "2027-03-31", "2026-04-01")


@dataclass(frozen=True)
class Run:
    name: str  # a file name for the outputs
    args: tuple[str, ...]
    today: str = "2026-11-22"
    writes: str = ""  # "file" (an --out workbook) or "folder" (report/plan)


def months(first: date, last: date) -> list[str]:
    found, m = [], first
    while m <= last:
        found.append(m.strftime("%Y-%m"))
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return found


def runs(data: dict[str, Path], quick: bool) -> list[Run]:
    found: list[Run] = []
    every_month = months(date(2021, 4, 1), date(2026, 12, 1))
    for label, path in data.items():
        small = label.startswith("sample")
        p = str(path)
        found.append(Run(f"{label}-validate", ("validate", p)))
        month_list = every_month if small or not quick else every_month[-14:]
        if not small and not quick:
            month_list = every_month[-30:]  # the generated office's data reach back about four years
        for m in month_list:
            found.append(Run(f"{label}-check-{m}", ("check", p, "--month", m, "--json")))
        for m in ("2026-10", "2026-11") if small else ("2026-10",):
            found.append(Run(f"{label}-checkbook-{m}", ("check", p, "--month", m, "--out", "{out}"), writes="file"))
        for year in range(2020, 2027):
            found.append(Run(f"{label}-rate-{year}", ("rate", p, "--year", str(year), "--json")))
        found.append(Run(f"{label}-ratebook-2025", ("rate", p, "--year", "2025", "--out", "{out}"), writes="file"))
        if small:
            found.append(Run(f"{label}-designation", ("rate", p, "--designation-date", "2026-04-01", "--json")))
        for today in TODAYS if small else TODAYS[:2]:
            for within in ("1", "3", "12"):
                found.append(Run(f"{label}-due-{today}-{within}", ("due", p, "--within", within, "--json"), today=today))
        found.append(Run(f"{label}-duebook", ("due", p, "--out", "{out}"), writes="file"))
        report_months = months(date(2025, 4, 1), date(2026, 11, 1)) if small and not quick else ["2026-10"]
        for m in report_months:
            for audience in ("本人", "事業主"):
                found.append(Run(f"{label}-report-{audience}-{m}", ("report", p, "--month", m, "--for", audience, "--out", "{out}"), writes="folder"))
        for day in ("2026-11-22", "2026-09-03", "2025-04-01") if small else ("2026-11-22",):
            found.append(Run(f"{label}-plan-{day}", ("plan", p, "--all", "--date", day, "--out", "{out}"), writes="folder"))
    return found


def execute(checkout: Path, run: Run, out: Path) -> dict:
    """Run one command; return what it printed, its exit code and the dump of what it wrote."""
    teichaku = checkout / ".venv" / "bin" / "teichaku"
    target = out / "files" / run.name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    written = target / "out.xlsx" if run.writes == "file" else target / "docs"
    args = [a.replace("{out}", str(written)) for a in run.args]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"TEICHAKU_TODAY": run.today, "COLUMNS": "200"}
    done = subprocess.run([str(teichaku), *args], capture_output=True, text=True, env=env, cwd=target)
    result: dict = {"exit": done.returncode, "stderr": done.stderr}
    if "--json" in args:
        try:
            result["json"] = json.loads(done.stdout)
        except json.JSONDecodeError:
            result["stdout"] = done.stdout
    else:
        # paths differ between the two runs: only what the command says of the data
        result["stdout"] = done.stdout.replace(str(target), "<out>")
    result["stderr"] = result["stderr"].replace(str(target), "<out>")
    if run.writes == "file" and written.exists():
        result["workbook"] = dump(written)
    elif run.writes == "folder" and written.exists():
        result["workbooks"] = {p.name: dump(p) for p in sorted(written.glob("*.xlsx"))}
    return result


def differences(a: object, b: object, path: str = "") -> list[str]:
    if type(a) is not type(b):
        return [f"{path or '/'}: {short(a)} ≠ {short(b)}"]
    if isinstance(a, dict):
        found = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in a:
                found.append(f"{path}/{key}: only in B")
            elif key not in b:
                found.append(f"{path}/{key}: only in A")
            else:
                found += differences(a[key], b[key], f"{path}/{key}")
        return found
    if isinstance(a, list):
        found = [f"{path}: {len(a)} items ≠ {len(b)} items"] if len(a) != len(b) else []
        for i, (x, y) in enumerate(zip(a, b)):
            found += differences(x, y, f"{path}[{i}]")
        return found
    return [] if a == b else [f"{path or '/'}: {short(a)} ≠ {short(b)}"]


def short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:160] + "…"


def make_data(checkout: Path, out: Path, quick: bool) -> dict[str, Path]:
    data = out / "data"
    if not (data / "sample").exists():
        shutil.copytree(checkout / "samples", data / "sample", ignore=shutil.ignore_patterns("make_samples.py"))
    found = {"sample-xlsx": data / "sample" / "office.xlsx", "sample-csv": data / "sample" / "csv"}
    if quick:
        return found
    generated = data / "gen2000"
    if not (generated / "office.xlsx").exists():
        python = checkout / ".venv" / "bin" / "python"
        subprocess.run([str(python), str(checkout / "benchmarks" / "generate.py"), "--users", "2000", "--rows", "200000", "--out", str(generated)], check=True, capture_output=True)
    found["gen2000-csv"] = generated / "csv"
    found["gen2000-xlsx"] = generated / "office.xlsx"
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="the checkout before (its .venv installed)")
    parser.add_argument("--b", type=Path, required=True, help="the checkout after")
    parser.add_argument("--out", type=Path, required=True, help="a scratch folder (data and outputs)")
    parser.add_argument("--quick", action="store_true", help="the samples only, fewer months of documents")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", default="", help="only runs whose name contains this")
    parser.add_argument("--reuse-a", action="store_true", help="reuse A's results from an earlier run into the same --out (A does not change)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data = make_data(args.a.resolve(), args.out.resolve(), args.quick)
    todo = [r for r in runs(data, args.quick) if args.only in r.name]
    results: dict[str, dict[str, dict]] = {"A": {}, "B": {}}
    with ThreadPoolExecutor(args.jobs) as pool:
        for side, checkout in (("A", args.a.resolve()), ("B", args.b.resolve())):
            kept = args.out.resolve() / side / "results"
            kept.mkdir(parents=True, exist_ok=True)
            futures = {}
            for r in todo:
                saved = kept / f"{r.name}.json"
                if side == "A" and args.reuse_a and saved.exists():
                    results[side][r.name] = json.loads(saved.read_text(encoding="utf-8"))
                else:
                    futures[r.name] = pool.submit(execute, checkout, r, args.out.resolve() / side)
            for name, future in futures.items():
                results[side][name] = json.loads(json.dumps(future.result(), ensure_ascii=False, default=str))
                (kept / f"{name}.json").write_text(json.dumps(results[side][name], ensure_ascii=False), encoding="utf-8")
    same = 0
    differing = []
    for run in todo:
        found = differences(results["A"][run.name], results["B"][run.name])
        if found:
            differing.append((run, found))
        else:
            same += 1
    for run, found in differing:
        print(f"DIFFERS {run.name}: teichaku {' '.join(run.args)} (today {run.today})")
        for line in found[:8]:
            print(f"    {line}")
        if len(found) > 8:
            print(f"    … {len(found) - 8} more")
    print(f"{len(todo)} outputs compared: {same} the same, {len(differing)} differ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
