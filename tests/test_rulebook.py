"""The rule data: revisions as differences, resolved item by item.

r3.toml is the whole base; every later file names the revision it extends and
states only what it changes. The resolved R3 and R6 must be exactly what the two
full files said before they became differences: ``fixtures/rulebook_r3_r6.json``
is every value of both, dumped once (by ``dump`` below) from the full files at
commit b2506df, and is never regenerated — a difference here is a changed rule.
"""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path

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
