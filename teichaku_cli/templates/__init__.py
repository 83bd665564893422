"""The bundled document templates (rebuilt by make_templates.py, `make templates`)."""

from importlib import resources
from pathlib import Path

REPORT = "支援レポート.xlsx"
PLAN = "就労定着支援計画.xlsx"


def bundled(name: str) -> Path:
    return Path(str(resources.files(__name__).joinpath(name)))
