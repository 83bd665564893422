"""`teichaku init DIR`: an empty office workbook and teichaku.toml to start from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from teichaku_cli.cli.common import console, guarded
from teichaku_cli.errors import TeichakuError

WORKBOOK_NAME = "office.xlsx"


@guarded
def init(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="作成先のフォルダ（なければ作ります）。")],
    office_name: Annotated[str, typer.Option("--name", metavar="事業所名", help="事業所名（teichaku.toml に書きます）。")] = "",
    force: Annotated[bool, typer.Option("--force", help="既にあるファイルを上書きする。")] = False,
) -> None:
    """空の入力用ブック（全シート・見出し・選択肢つき）と teichaku.toml を作る。"""
    from teichaku_cli.office.blank import CONFIG_TEMPLATE, write_blank_workbook
    from teichaku_cli.office.settings import CONFIG_NAME
    from teichaku_cli.safe_write import atomic_path

    if directory.exists() and not directory.is_dir():
        raise TeichakuError(f"{directory} はフォルダではありません。", "新しいフォルダ名を指定してください")
    workbook, config = directory / WORKBOOK_NAME, directory / CONFIG_NAME
    existing = [p for p in (workbook, config) if p.exists()]
    if existing and not force:
        raise TeichakuError(
            f"{'、'.join(str(p) for p in existing)} が既にあります。上書きしませんでした。",
            "別のフォルダを指定するか、上書きしてよければ --force を付けてください",
        )
    write_blank_workbook(workbook)
    with atomic_path(config) as tmp:
        tmp.write_text(CONFIG_TEMPLATE.format(name=office_name, data=WORKBOOK_NAME), encoding="utf-8")
    out = console()
    out.print(f"[green]作成しました。[/green] {workbook}（入力用ブック）、{config}（事業所設定）")
    out.print(f"次に: ブックに入力して、teichaku validate {workbook} で確かめてください。")
    from rich.markup import escape

    from teichaku_cli.documents.build import consent_paragraph
    from teichaku_cli.office.schema import EMPLOYER_FIELDS

    out.print("\n事業主との共有についての同意書に使える文例（teichaku.toml の「事業主と共有する項目」を変えたら、欄の名前も合わせてください）:")
    out.print(escape(consent_paragraph(EMPLOYER_FIELDS)))
