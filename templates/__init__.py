"""The bundled document templates (installed as ``teichaku_cli.templates``)."""

from importlib import resources
from pathlib import Path

REPORT = "支援レポート.xlsx"
PLAN = "就労定着支援計画.xlsx"


def bundled(name: str) -> Path:
    return Path(str(resources.files(__name__).joinpath(name)))
