"""The install stays quiet and complete: pyproject.toml names every folder of the
package, so setuptools neither guesses (and warns) nor leaves a folder out."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_folder_is_listed():
    folders = {
        ".".join(p.relative_to(ROOT).parts)
        for p in [ROOT / "teichaku_cli", *(ROOT / "teichaku_cli").rglob("*")]
        if p.is_dir() and p.name != "__pycache__" and any(f.is_file() for f in p.iterdir())
    }
    assert set(_setuptools()["packages"]) == folders


def test_packages_sit_where_their_names_say():
    # a package mapped from another folder turns `pip install -e` into a meta-path
    # finder that prints a warning on every install
    assert _setuptools().get("package-dir", {"": "."}) == {"": "."}


def test_data_files_are_declared():
    data = _setuptools()["package-data"]
    for package, patterns in data.items():
        folder = ROOT.joinpath(*package.split("."))
        for pattern in patterns:
            assert list(folder.glob(pattern)), f"{package}: {pattern} matches nothing"
    assert set(data) == {"teichaku_cli.rules.data", "teichaku_cli.templates"}  # the rule TOMLs and the bundled templates
