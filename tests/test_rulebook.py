"""The rule data: revisions as differences, resolved item by item.

r3.toml is the whole base; every later file names the revision it extends and
states only what it changes. The resolved R3 and R6 must be exactly what the two
full files said before they became differences: ``fixtures/rulebook_r3_r6.json``
is every value of both, dumped once (by ``dump`` below) from the full files at
commit b2506df, and is never regenerated — a difference here is a changed rule. Its
``claim`` part (the claim file's readings, issue 22) was added by hand when the section
was written, from r3.toml as it was then: it grows only with a new item, deliberately.
"""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from teichaku_cli.model.rulebook import RuleSet, all_rule_sets

FIXTURE = Path(__file__).parent / "fixtures" / "rulebook_r3_r6.json"


def plain(v):
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return v


def dump(r: RuleSet) -> dict:
    """Every value of a resolved rule set, in its order (the order of 加算 and 減算 is the order of a claim's lines)."""
    return {
        "id": r.id,
        "name": r.name,
        "effective_from": plain(r.effective_from),
        "notice": r.notice,
        "rate_wording": r.rate_wording,
        "rate_wording_source": r.rate_wording_source,
        "bands": [[m, l] for m, l in r.bands],
        "tiers": {b: [{"min_rate": str(t.min_rate), "label": t.label, "units": t.units, "source": t.source} for t in ts] for b, ts in r.tiers.items()},
        **{
            kind: {k: {"amount": v.amount, "source": v.source, "label": v.label, "unit": v.unit} for k, v in getattr(r, kind).items()}
            for kind in ("limits", "additions", "reductions", "not_applicable")
        },
        "billing": {k: {"name": s.name, "source": s.source, "rounding": s.rounding, "reading": s.reading, "options": plain(s.options)} for k, s in r.billing.items()},
        "periods": {
            k: {"key": p.key, "months": p.months, "direction": p.direction, "day1": p.day1, "reading": p.reading, "why": p.why, "source": p.source}
            for k, p in r.periods.items()
        },
        "claim": {k: {"name": c.name, "item": c.item, "source": c.source, "reading": c.reading, "options": plain(c.options)} for k, c in r.claim.items()},
    }


def ordered(value):
    """Dicts as lists of pairs: equal only in the same order."""
    if isinstance(value, dict):
        return [(k, ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [ordered(v) for v in value]
    return value


def test_r3_and_r6_resolve_to_exactly_the_values_of_the_full_files():
    frozen = json.loads(FIXTURE.read_text(encoding="utf-8"))
    resolved = {r.id: r for r in all_rule_sets()}
    for rid in ("R3", "R6"):
        expected = {k: v for k, v in frozen[rid].items() if k != "effective_to"}
        got = dump(resolved[rid])
        for part in expected:  # part by part, so a failure names where
            assert ordered(got[part]) == ordered(expected[part]), (rid, part)
        assert set(got) == set(expected)
    assert resolved["R3"].effective_to.isoformat() == frozen["R3"]["effective_to"]


def test_r6_ends_the_day_before_r8_6_begins():
    from teichaku_cli.model.rulebook import rules_for

    assert rules_for(date(2026, 5, 31)).id == "R6" and rules_for(date(2026, 6, 1)).id == "R8.6"
    resolved = {r.id: r for r in all_rule_sets()}
    assert resolved["R6"].effective_to == date(2026, 5, 31) and resolved["R8.6"].effective_to is None
    assert (resolved["R8.6"].name, resolved["R8.6"].extends, resolved["R6"].extends, resolved["R3"].extends) == ("令和8年6月改定", "R6", "R3", "")


def test_r8_6_carries_every_value_of_r6_and_says_so():
    """R8.6 changes no number: our sources settle only its 処遇改善加算 classes."""
    resolved = {r.id: r for r in all_rule_sets()}
    r6, r86 = dump(resolved["R6"]), dump(resolved["R8.6"])
    for part in r6:
        if part not in ("id", "name", "effective_from"):
            assert ordered(r86[part]) == ordered(r6[part]), part
    assert resolved["R6"].carry_over is None and resolved["R3"].carry_over is None
    carry = resolved["R8.6"].carry_over
    assert "令和6年度報酬改定の値を引き継いで" in carry.reading and "teichaku の読み" in carry.reading and "二次資料" in carry.source


def test_each_revision_names_its_processing_improvement_classes_for_its_months():
    resolved = {r.id: r for r in all_rule_sets()}

    def shorts(rid, month):
        return [c.short for c in resolved[rid].treatment_classes_on(month)]

    assert shorts("R3", date(2023, 10, 1)) == [] and shorts("R6", date(2024, 5, 1)) == []  # before 2024-06: three additions, free text
    assert shorts("R6", date(2024, 6, 1))[:5] == ["（Ⅰ）", "（Ⅱ）", "（Ⅲ）", "（Ⅳ）", "（Ⅴ）（１）"]
    assert len(shorts("R6", date(2025, 3, 1))) == 18 and shorts("R6", date(2025, 3, 1))[-1] == "（Ⅴ）（１４）"  # (Ⅴ) until 2025-03-31
    assert shorts("R6", date(2025, 4, 1)) == ["（Ⅰ）", "（Ⅱ）", "（Ⅲ）", "（Ⅳ）"]
    assert shorts("R8.6", date(2026, 6, 1)) == ["（Ⅰ）イ", "（Ⅰ）ロ", "（Ⅱ）イ", "（Ⅱ）ロ", "（Ⅲ）", "（Ⅳ）"]  # no (Ⅴ): 「（削る）」
    for c in resolved["R8.6"].treatment_classes.values():
        assert c.name.startswith("福祉・介護職員等処遇改善加算（") and "告示第5号" in c.source and "二次資料" in c.source
    assert {d.standing for d in resolved["R8.6"].documents.values()} == {"secondary"}


def test_a_revision_file_states_only_what_it_changes():
    """Every field a later file states differs from the revision it extends (or is new):
    a restated value would hide which values the revision really changed."""
    import tomllib

    from teichaku_cli.model.rulebook import DATA, _resolve

    raws = {}
    for path in sorted(p for p in DATA.iterdir() if p.name.endswith(".toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        raws[raw["id"]] = raw
    resolved = {}
    for raw in sorted(raws.values(), key=lambda r: r["effective_from"]):
        base = resolved.get(raw.get("extends"))
        resolved[raw["id"]] = _resolve(raw, base, raw["id"])
        if base is None:
            continue

        def restated(changes, before, where):
            for key, value in changes.items():
                if isinstance(value, dict) and isinstance(before.get(key), dict):
                    restated(value, before[key], f"{where}.{key}")
                else:
                    assert before.get(key) != value, f"{where}.{key} restates the value of {raw['extends']}"

        restated({k: v for k, v in raw.items() if k not in ("id", "name", "effective_from", "extends", "removes")}, base, raw["id"])


def write_rules(folder: Path, *texts: str) -> Path:
    folder.mkdir()
    for i, text in enumerate(texts):
        (folder / f"r{i}.toml").write_text(text, encoding="utf-8")
    return folder


BASE = """id = "A"
name = "改定A"
effective_from = 2021-04-01
notice = "通知"
[rate]
wording = "started"
source = "出典A"
[bands.all]
label = "全事業所"
[bands.all.tiers.0]
label = "全部"
units = 100
source = "出典A"
[limits.face_to_face_per_month]
amount = 1
source = "出典A"
[additions.special_area]
amount = 240
label = "特別地域加算"
level = "user"
condition = "lives_in_special_area"
source = "出典A"
[billing.total_cost]
name = "総費用額"
rounding = "切り捨て"
source = "出典A"
[periods.use]
months = 36
direction = "forward"
day1 = "event_day"
reading = "読み"
why = "理由"
source = "出典A"
"""
LATER = 'id = "B"\nname = "改定B"\neffective_from = 2024-04-01\nextends = "A"\n'


def test_a_later_revision_merges_item_by_item_and_removes_what_it_names(tmp_path):
    from teichaku_cli.model.rulebook import read_rule_files

    later = LATER + 'removes = ["limits.face_to_face_per_month"]\n[additions.special_area]\namount = 250\nsource = "出典B"\n[limits.report_per_month]\namount = 1\nsource = "出典B"\n'
    a, b = read_rule_files(write_rules(tmp_path / "d", BASE, later))
    assert a.additions["special_area"].amount == 240 and a.effective_to == date(2024, 3, 31)
    value = b.additions["special_area"]
    assert (value.amount, value.source, value.label, value.condition) == (250, "出典B", "特別地域加算", "lives_in_special_area")  # the rest inherited
    assert list(b.limits) == ["report_per_month"] and b.periods["use"].source == "出典A" and b.notice == "通知"


@pytest.mark.parametrize(
    "later, says",
    [
        ('[additions.special_area]\namount = 250\n', "keeps the source"),  # a new number never borrows its predecessor's citation
        ('removes = ["additions.nothing"]\n', "does not have"),
        ('[additions.special_area]\nsource = "出典B"\nremoves = ["limits.face_to_face_per_month"]\n', "unknown fields"),  # a directive under a table
        ('[additions.special_area]\nlevel = "office"\nsource = "出典B"\n', "declared"),  # an office 加算 names its teichaku.toml key
        ('[reductions.cut]\namount = 5\nsource = "出典B"\n', "declare"),
        ('color = "red"\n', "unknown keys"),
    ],
)
def test_a_faulty_revision_file_is_refused(tmp_path, later, says):
    from teichaku_cli.model.rulebook import RuleDataError, read_rule_files

    with pytest.raises(RuleDataError) as raised:
        read_rule_files(write_rules(tmp_path / "d", BASE, LATER + later))
    assert says in str(raised.value)


def test_a_teichaku_toml_name_binds_one_key_in_every_revision():
    from teichaku_cli.model.rulebook import declarable, refused

    names = declarable()
    assert names["職場適応援助者養成研修修了者配置体制加算"] == "job_coach_staffing" and names["情報公表未報告減算"] == "reduction_no_information_disclosure"
    assert "身体拘束廃止未実施減算" in refused() and "身体拘束廃止未実施減算" not in names
    for rules in all_rule_sets():
        for key, value in rules.additions.items():
            assert (value.level == "office") == bool(value.declare), (rules.id, key)


def test_renaming_every_label_changes_no_amount(tmp_path, monkeypatch):
    """Office 加算・減算 are bound to the rule data by key, never by display wording:
    with every label of every revision renamed, and every declarable item declared,
    check gives the sample office the same units and yen in an R3, an R6 and an R8.6
    month (an R6 減算 over the R3 month is left out alike, with its note)."""
    import re
    import shutil

    from teichaku_cli.model import rulebook
    from teichaku_cli.office.load import load_office
    from teichaku_cli.rules.monthly import check_month

    root = Path(__file__).resolve().parents[1]
    config = tmp_path / "teichaku.toml"
    declared = "".join(f'"{name}" = true\n' for name in rulebook.declarable())
    config.write_text(f'"地域区分単価" = 11.2\n{declared}["処遇改善加算"]\n"区分" = "Ⅰ"\n"加算率" = "10.0%"\n', encoding="utf-8")
    months = (date(2024, 3, 1), date(2024, 10, 1), date(2026, 10, 1))

    def run():
        office = load_office(root / "samples" / "office.xlsx", config)
        found = {}
        for month in months:
            check = check_month(office, month, date(2026, 11, 22))
            found[month] = (
                [(u.user_id, u.units, u.money.total_cost, u.money.burden, u.money.benefit, [(l.key, l.units) for l in u.lines]) for u in check.users],
                sorted(f.code for f in check.office_findings),
            )
            labels = {l.key: l.label for u in check.users for l in u.lines}
            for key in {**check.rules.additions, **check.rules.reductions}.keys() & set(rulebook.declarable().values()):
                assert key in labels, (month, key)  # every declared item of the revision is in the claim
        return found, labels

    before, labels = run()
    renamed = tmp_path / "data"
    shutil.copytree(str(rulebook.DATA), renamed)
    for path in renamed.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r'^(label = ")([^"]*)"', r'\1\2（改名）"', text, flags=re.M), encoding="utf-8")
    monkeypatch.setattr(rulebook, "DATA", renamed)
    rulebook.clear_caches()
    try:
        after, renamed_labels = run()
    finally:
        monkeypatch.undo()
        rulebook.clear_caches()
    assert renamed_labels["job_coach_staffing"] == labels["job_coach_staffing"] + "（改名）"  # the rename took
    assert after == before
    assert "setting-not-in-revision" in before[months[0]][1] and "setting-not-in-revision" not in before[months[1]][1]
