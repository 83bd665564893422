"""The import contract (docs/architecture.md): base → model → office → rules →
documents → cli, each package importing only the layers before it (and itself),
and no cycle between modules. Every import counts: top-level, lazy (inside a
function) and under ``TYPE_CHECKING`` — a lazy import is still a dependency, and a
cycle through one is still a cycle the next change trips over."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "teichaku_cli"
LAYERS = ("base", "model", "office", "rules", "documents", "cli")


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The teichaku modules ``name`` imports, wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:  # `from pkg import module` imports the module
                found.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module)
    return {m for m in found if m in known and m != name}


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


GRAPH = {name: imports(name, path, modules()) for name, path in modules().items()}


def test_every_module_is_in_a_layer():
    outside = [m for m in GRAPH if layer(m) is None and m not in ("teichaku_cli", "teichaku_cli.__main__")]
    assert not outside, f"modules in no layer: {outside} — put them under one of {LAYERS}"


@pytest.mark.parametrize("name", sorted(m for m in GRAPH if layer(m) is not None))
def test_imports_only_go_down(name):
    own = layer(name)
    upward = sorted(d for d in GRAPH[name] if (layer(d) is not None and layer(d) > own) or d == "teichaku_cli.__main__")
    assert not upward, f"{name} ({LAYERS[own]}) imports from a layer above it: {upward}"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_cycle_between_modules():
    assert cycles(GRAPH) == []


def test_the_contract_sees_what_it_guards():
    """The checks above find an upward import and a cycle when there is one."""
    assert "teichaku_cli.model.office" in GRAPH["teichaku_cli.office.load"]
    assert "teichaku_cli.model.history" in GRAPH["teichaku_cli.model.office"]  # a lazy import, counted
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer("teichaku_cli.office.load") < layer("teichaku_cli.rules.monthly")
