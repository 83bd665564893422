"""Sources are named in words a person at the desk or an auditor can look up
(issue 15): every rule value's ``source`` names its document and section, and
no product text — messages, rule files, docs, README, templates — points to
files outside the repository (the team's notes, the seed texts and their numbers)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from teichaku_cli.model.rulebook import all_rule_sets

ROOT = Path(__file__).resolve().parents[1]

# where text for people lives: code (messages, docstrings), rule data, docs, the bundled templates
PRODUCT_TEXT = [
    *sorted((ROOT / "teichaku_cli").rglob("*.py")),
    *sorted((ROOT / "teichaku_cli").rglob("*.toml")),
    *sorted((ROOT / "templates").glob("*.py")),
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "docs" / "make_preview.sh",
    ROOT / "README.md",
]
OUTSIDE = re.compile(r"DOMAIN|seed|shared/|\.\./shared|(?<![A-Za-z0-9,._/])00[0-4](?![\d,])", re.IGNORECASE)

# the documents a source may name (docs/sources.md describes each)
DOCUMENTS = (
    "就労定着支援の実施について",
    "就労系障害福祉サービスの概要",
    "障害者総合支援法における就労系障害福祉サービス",
    "就労定着支援の実務マニュアル",
    "障害者総合支援法",
    "報酬告示の留意事項通知",
    "令和6年度障害福祉サービス等報酬改定",
    "令和6年度報酬改定",
    "令和3年度報酬改定",
    "利用者負担上限額管理結果票",
    "令和8年こども家庭庁・厚生労働省告示第5号",
)


def test_there_is_product_text_to_read():
    assert len(PRODUCT_TEXT) > 30 and all(p.is_file() for p in PRODUCT_TEXT)


@pytest.mark.parametrize("path", PRODUCT_TEXT, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_product_text_points_outside_the_repository(path):
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = OUTSIDE.search(line)
        assert m is None, f"{path.relative_to(ROOT)}:{n}: 「{m[0]}」 in {line.strip()[:120]}"


def test_the_bundled_templates_name_nothing_outside_either():
    for template in (ROOT / "templates").glob("*.xlsx"):
        with zipfile.ZipFile(template) as zf:
            text = "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith(".xml"))
        assert not re.search(r"DOMAIN|seed|\.\./shared", text, re.IGNORECASE), template.name


def every_source():
    for rules in all_rule_sets():
        yield rules.id, "rate", rules.rate_wording_source
        for band, tiers in rules.tiers.items():
            for tier in tiers:
                yield rules.id, f"{band} {tier.label}", tier.source
        for group in (rules.limits, rules.additions, rules.reductions, rules.not_applicable):
            for key, value in group.items():
                yield rules.id, key, value.source
        for key, step in rules.billing.items():
            yield rules.id, key, step.source
            if step.reading:
                yield rules.id, f"{key} reading", step.reading
        for key, period in rules.periods.items():
            yield rules.id, key, period.source
        for key, klass in rules.treatment_classes.items():
            yield rules.id, f"treatment_classes.{key}", klass.source
        if rules.carry_over is not None:
            yield rules.id, "carry_over", rules.carry_over.source


def test_every_source_names_a_document_in_words():
    sources = list(every_source())
    assert len(sources) > 80
    guide = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    for rules_id, key, text in sources:
        assert not re.search(r"§|\[assumed", text), (rules_id, key, text)
        if key.endswith("reading"):
            continue
        named = [d for d in DOCUMENTS if d in text]
        assert named or "teichaku の" in text or "手元にない" in text, (rules_id, key, text)  # a document, or says it rests on none
        assert all(d in guide for d in named), (rules_id, key, named)


def test_a_source_that_rests_on_no_document_at_hand_says_so():
    by_key = {(rules_id, key): text for rules_id, key, text in every_source()}
    r3_small = by_key[("R3", "利用者数20人以下 9割5分以上")]
    assert "手元にない" in r3_small and "確かめて" in r3_small  # the R3 ≤20 table
    assert "手元にない" in by_key[("R3", "利用者数21人以上40人以下 9割5分以上")]
    assert "手元にない" in by_key[("R6", "meeting_month_cap")]  # 1 a month, 4 a year
    assert "二次資料" in by_key[("R6", "reduction_no_information_disclosure")]
    assert by_key[("R6", "face_to_face_per_month")].startswith("就労定着支援の実施について（令和6年3月29日改正）1の(4)②（支援内容）")
    assert by_key[("R3", "face_to_face_per_month")].startswith("就労定着支援の実施について（令和3年3月30日 障障発0330第1号）1の(4)②")
    assert by_key[("R6", "job_coach_subsidy")].startswith("就労定着支援の実施について（令和6年3月29日改正）4の(1)①")  # 3 became 4 in R6
    assert by_key[("R3", "job_coach_subsidy")].startswith("就労定着支援の実施について（令和3年3月30日 障障発0330第1号）3の(1)①")


def test_sources_md_lists_each_document_with_its_issuer_and_date():
    guide = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    for needle in (
        "障障発0330第1号 令和3年3月30日",
        "障障発0329第6号 令和6年3月29日",
        "障害福祉課長",
        "令和7年6月実績",
        "令和元年10月",
        "手元にない資料",
        "令和3年度の基本報酬（利用者数20人以下",
    ):
        assert needle in guide, needle


def test_sources_md_lists_every_document_the_rule_data_cite_with_its_standing():
    guide = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    documents = [d for rules in all_rule_sets() for d in rules.documents.values()]
    assert documents
    for d in documents:
        assert d.title in guide and d.url in guide, d.key
        assert d.standing == "secondary" and "二次資料" in guide  # none of them has been read by teichaku
        assert not d.sha256 or f"SHA-256 {d.sha256[:8]}" in guide, d.key


def test_check_findings_and_its_workbook_cite_documents_in_words(invoke, tmp_path, monkeypatch):
    import json

    import openpyxl

    from teichaku_cli.documents.sheets import HEADER_ROW

    monkeypatch.setenv("TEICHAKU_TODAY", "2026-11-22")
    sample = ROOT / "samples" / "office.xlsx"
    payload = json.loads(invoke("check", sample, "--month", "2026-10", "--json").stdout)
    findings = [f for u in payload["users"] for f in u["findings"]] + payload["office_findings"]
    assert len(findings) > 5
    for f in findings:
        assert any(d in f["source"] for d in DOCUMENTS) or f["source"].startswith("teichaku の"), f
        assert not OUTSIDE.search(f["source"]) and "§" not in f["source"], f
    invoke("check", sample, "--month", "2026-10", "--out", tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "c.xlsx")["指摘 2026-10"]
    # each 根拠 once, under the table (the rows carry its mark), printed over lines
    cited = [c.value.replace("\n", "") for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("根拠 ※")]
    assert ws.cell(HEADER_ROW, 7).value == "根拠" and any("就労定着支援の実施について（令和6年3月29日改正）1の(4)②" in c for c in cited)


def test_a_printed_citation_keeps_the_document_the_section_and_every_caveat():
    from teichaku_cli.rules.findings import citation

    assert citation("就労定着支援の実施について（令和6年3月29日改正）1の(6)（就労定着支援計画の作成等）: サービス管理責任者は…") == (
        "就労定着支援の実施について（令和6年3月29日改正）1の(6)（就労定着支援計画の作成等）"
    )
    assert citation("障害者総合支援法 第29条第3項: 利用者負担は…［条文は手元の資料にない］") == "障害者総合支援法 第29条第3項［条文は手元の資料にない］"
    assert citation("手元の資料に単価なし") == "手元の資料に単価なし"
    assert citation("結果票の管理結果（1: 充当、2: 調整なし）［記載要領は手元の資料にない］") == "結果票の管理結果（1: 充当、2: 調整なし）［記載要領は手元の資料にない］"
    for rules_id, key, text in every_source():  # no citation is left without its document or its caveat
        if not key.endswith("reading"):
            short = citation(text)
            assert any(d in short for d in DOCUMENTS) or "teichaku の" in short or "手元にない" in short, (rules_id, key, short)
