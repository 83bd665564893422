"""Help and docs are part of the product: every command has Japanese help and is
in the README; every finding code is explained; every table and column of the
contract is in docs/data-format.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from teichaku_cli.cli import app
from teichaku_cli.model import schema
from teichaku_cli.rules.findings import CODES

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [c.name for c in app.registered_commands]


def test_the_expected_commands_exist():
    assert set(COMMANDS) == {"check", "due", "rate", "report", "plan", "validate", "init"}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(invoke, command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "使い方" in result.output
    assert f"teichaku {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_finding_code_is_explained():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code}`" in readme and f"`{code}`" in guide, code


def test_every_table_and_column_is_documented():
    text = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    for table in schema.TABLES:
        assert f"### {table.name}" in text, table.name
        for column in table.columns:
            assert column.name in text, (table.name, column.name)


def readme_section(title: str) -> str:
    """The README's ``### {title}…`` section, up to the next ``###``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split(f"### {title}", 1)[1].split("###", 1)[0]


def test_readme_setup_is_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_rate_walkthrough_is_a_real_run(invoke, monkeypatch):
    """The rate example in the README is what the samples give: each person's 分母/定着 marks and the rate line."""
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    result = invoke("rate", ROOT / "samples" / "office.xlsx", "--year", "2025", "--json")
    assert result.exit_code == 0
    import json

    data = json.loads(result.output)
    section = readme_section("`teichaku rate` の例")
    assert f"就労定着率 {data['numerator']}/{data['denominator']} = " in section
    marks = {True: "○", False: "×"}
    for person in data["people"]:
        row = next(line for line in section.splitlines() if line.startswith(f"│ {person['user_id']} "))
        cells = [c.strip() for c in row.split("│")]
        denominator = marks[True] if person["in_denominator"] else "—"
        retained = marks[person["retained"]] if person["in_denominator"] else "—"
        assert cells[6:8] == [denominator, retained], person["user_id"]



def test_readme_check_output_is_a_real_run(invoke, monkeypatch):
    """The `make run` output in the README is what check prints on the samples: each
    user's row (可/不可, the findings' short titles, units, 総費用額, 利用者負担, 給付費),
    the summary and the office's 請求見込み lines."""
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    monkeypatch.setenv("COLUMNS", "120")
    result = invoke("check", ROOT / "samples" / "office.xlsx", "--month", "2026-10")
    assert result.exit_code == 1
    section = readme_section("サンプル事業所の 2026年10月分")
    real_rows = [line for line in result.output.splitlines() if line.startswith("│ 0")]
    assert real_rows and real_rows == [line for line in section.splitlines() if line.startswith("│ 0")]
    header = next(line for line in result.output.splitlines() if line.startswith("┃ 利用者ID"))
    assert header in section and "総費用額" in header and "利用者負担" in header and "給付費" in header
    for start in ("体制: ", "利用者 ", "請求見込み（", "請求できない分", "金額は見込み"):  # the summary and the office's amounts
        line = next(line for line in result.output.splitlines() if line.startswith(start))
        assert line in section, start


def test_the_troubleshooting_messages_are_the_programs_own():
    """Each message quoted in 「困ったとき」 is one the code prints (so the README stays true)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 困ったとき", 1)[1].split("\n## ", 1)[0]
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "teichaku_cli").rglob("*.py"))
    quoted = []
    for line in section.splitlines():
        if not line.startswith("| 「"):
            continue
        depth, text = 0, ""
        for ch in line.split("|")[1]:  # the outermost 「…」 of the first column (they may nest)
            if ch == "「":
                depth += 1
                if depth == 1:
                    text = ""
                    continue
            elif ch == "」":
                depth -= 1
                if depth == 0:
                    quoted.append(text)
                    continue
            if depth:
                text += ch
    assert len(quoted) >= 20
    for fragment in quoted:
        assert fragment in source, fragment


def test_every_image_the_readme_shows_exists():
    """docs/make_preview.sh writes them; a renamed page must not leave a broken image."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert {"docs/preview/check-findings-1.png", "docs/preview/rate-trend-1.png"} <= set(images)
    for image in images:
        assert (ROOT / image).is_file(), image


def test_readme_due_example_is_a_real_run(invoke, monkeypatch):
    """The `due` example in the README is what due prints on the samples: last month's misses, the late, then the month's and the window's."""
    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    monkeypatch.setenv("COLUMNS", "120")
    result = invoke("due", ROOT / "samples" / "office.xlsx", "--within", "1")
    assert result.exit_code == 0
    section = readme_section("`teichaku due` の例")
    block = section.split("```\n", 1)[1].split("```", 1)[0]
    assert block == result.output
    assert block.index("先月分（令和8年10月）3件") < block.index("期限切れ 2件") < block.index("今月まだ")
