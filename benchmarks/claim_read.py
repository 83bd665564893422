"""Reading a 国保連 claim file: a generated 2,000-user month (each user: J121 01–05, a
J611 01 and 11 J611 02 days; 36,042 lines, 5.2 MB) read with office/claim_file.py,
beside the floor of decoding it and splitting its fields. Not a test: figures for people
(the whole of check --claim against a 200k-row office is run.py's, via claim_workload.py).

    .venv/bin/python benchmarks/claim_read.py [--users 2000] [--runs 7]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the tests' claim builder writes the file from the spec's positions


def main() -> None:
    from claim_builder import ClaimBuilder, Day

    from teichaku_cli.office.claim_file import read_claim_file

    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    builder = ClaimBuilder()
    for n in range(args.users):
        builder.add(
            f"{1000000000 + n}", municipality=f"13{n % 20:04d}",
            lines=[("471111", 3512, 1, ""), ("476000", 240, 1, "特別地域")],
            days=[Day(d, special="1", liaison="1" if d == 11 else "") for d in range(1, 22, 2)],
        )
    (HERE / "out").mkdir(exist_ok=True)
    path = builder.write(HERE / "out" / f"claim-{args.users}.csv")
    gc.set_threshold(200_000, 30, 30)  # as the CLI runs (cli/common.py guarded)
    reads, floors = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        claim = read_claim_file(path, "1312345678")
        reads.append(time.perf_counter() - start)
        start = time.perf_counter()
        [line.split(",") for line in path.read_bytes().decode("cp932").split("\n")]
        floors.append(time.perf_counter() - start)
    lines = path.read_bytes().count(b"\n")
    print(f"{args.users:,} users, {lines:,} lines, {path.stat().st_size / 1e6:.1f} MB, {len(claim.statements):,} 明細書")
    print(f"read_claim_file: median {statistics.median(reads):.3f} s (min {min(reads):.3f})")
    print(f"floor (decode + split): median {statistics.median(floors):.3f} s")


if __name__ == "__main__":
    main()
