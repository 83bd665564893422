"""The bundled document templates, kept in the repository's top-level templates/
folder (rebuilt there by templates/make_templates.py, `make templates`).

A checkout (and the editable install `make` does) reads them from that folder; an
installed copy (pip install ., pipx) has them as data files of the distribution
(pyproject.toml [tool.setuptools.data-files]), found through its file list."""

from __future__ import annotations

from pathlib import Path

REPORT = "支援レポート.xlsx"
EMPLOYER_REPORT = "支援レポート（事業主用）.xlsx"
PLAN = "就労定着支援計画.xlsx"
CHECKOUT = Path(__file__).resolve().parents[2] / "templates"


def bundled(name: str) -> Path:
    """Where the bundled template ``name`` is; the path of the checkout's when it is missing
    everywhere (the template loader then says it cannot be found)."""
    here = CHECKOUT / name
    if here.is_file():
        return here
    from importlib.metadata import PackageNotFoundError, files

    try:
        installed = files("teichaku") or []
    except PackageNotFoundError:
        installed = []
    for item in installed:
        if item.name == name and "templates" in item.parts:
            return Path(str(item.locate()))
    return here
