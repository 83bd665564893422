"""Templates are bounded too (issue 20): a Jinja loop inside one cell ran for ever. Each
document has a budget of loop steps; a document beyond it is listed as failed, naming
the template's cell (never a value from the data), and the others are made."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "office.xlsx"
MONTH = ("--month", "2026-10")


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")


def test_a_template_that_loops_for_ever_fails_its_document_naming_the_cell(invoke, tmp_path):
    """range(100000) inside range(100000) in one cell ran for ever: each document has
    100,000 loop steps; one beyond is listed as failed, naming the template cell only."""
    import openpyxl

    from teichaku_cli.documents.bundled import REPORT, bundled

    wb = openpyxl.load_workbook(bundled(REPORT))
    ws = wb.worksheets[0]
    ws["H30"] = "{% for i in range(100000) %}{% for j in range(100000) %}{{ user.氏名 }}{% endfor %}{% endfor %}"
    template = tmp_path / "loop.xlsx"
    wb.save(template)
    result = invoke("report", SAMPLE, *MONTH, "--template", template, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert f"シート「{ws.title}」 H30: 繰り返しが多すぎるため" in result.output and "100,000回まで" in result.output
    assert "青木" not in result.output and not list((tmp_path / "out").glob("*.xlsx"))


def test_the_step_budget_is_per_document(tmp_path):
    import openpyxl

    from teichaku_cli.documents.build import FAILED, WRITTEN, Job, write_jobs
    from teichaku_cli.documents.xlsx_template import MAX_STEPS, XlsxTemplate

    wb = openpyxl.Workbook()
    wb.active["B1"] = "{% for e in entries %}{% for f in entries %}.{% endfor %}{% endfor %}"
    wb.save(tmp_path / "t.xlsx")
    template = XlsxTemplate(tmp_path / "t.xlsx")
    sizes = [400, 10, 315, 316, 10]  # n entries make n + n² steps: 315 is within 100,000, 316 over
    jobs = [Job(str(i), "", tmp_path / f"{i}.xlsx", {"entries": list(range(n))}) for i, n in enumerate(sizes)]
    batch = write_jobs(template, jobs, force=False)
    assert [o.status for o in batch.outcomes] == [FAILED, WRITTEN, WRITTEN, FAILED, WRITTEN]
    assert 315 + 315 * 315 <= MAX_STEPS < 316 + 316 * 316
    assert all("B1: 繰り返しが多すぎる" in o.reason for o in batch.outcomes if o.status == FAILED)
