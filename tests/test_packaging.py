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
    assert set(data) == {"teichaku_cli.rules.data"}  # the rule TOMLs


def test_the_bundled_templates_are_installed_from_the_top_level_folder():
    from teichaku_cli.documents.bundled import PLAN, REPORT, bundled

    files = _setuptools()["data-files"]["share/teichaku/templates"]
    assert files == ["templates/*.xlsx"]
    for name in (REPORT, PLAN):
        assert bundled(name) == ROOT / "templates" / name and bundled(name).is_file()
        assert (ROOT / "templates" / name) in list(ROOT.glob(files[0]))


def test_an_installed_copy_finds_its_templates(tmp_path, monkeypatch):
    """pip install . (not editable, as pipx does) puts the templates under share/teichaku/templates
    and lists them in the distribution's files (checked by hand: bundled() then gives
    site-packages/../../../share/teichaku/templates/支援レポート.xlsx); without a checkout that is where they are found."""
    from importlib.metadata import PackagePath

    from teichaku_cli.documents import bundled as module

    shared = tmp_path / "share" / "teichaku" / "templates"
    shared.mkdir(parents=True)
    (shared / module.REPORT).write_bytes(b"xlsx")

    class Installed(PackagePath):
        def locate(self):
            return tmp_path / self

    monkeypatch.setattr(module, "CHECKOUT", tmp_path / "no-checkout")
    monkeypatch.setattr("importlib.metadata.files", lambda name: [Installed("teichaku_cli/cli/check.py"), Installed(f"share/teichaku/templates/{module.REPORT}")])
    assert module.bundled(module.REPORT) == shared / module.REPORT
    assert module.bundled(module.PLAN) == tmp_path / "no-checkout" / module.PLAN  # missing: the loader says so
