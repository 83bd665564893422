"""`teichaku init DIR`: an empty office workbook and teichaku.toml to start from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from teichaku_cli.cli.common import console, guarded, shell_path, visible

WORKBOOK_NAME = "office.xlsx"


@guarded
def init(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="作成先のフォルダ（なければ作ります）。")],
    office_name: Annotated[str, typer.Option("--name", metavar="事業所名", help="事業所名（teichaku.toml に書きます）。")] = "",
    force: Annotated[
        bool,
        typer.Option("--force", help="既にあるファイルを上書きする（元のブックと teichaku.toml は日付つきの控えを隣に残します）。"),
    ] = False,
) -> None:
    """空の入力用ブック（全シート・見出し・選択肢つき）と teichaku.toml を作る。"""
    from datetime import datetime

    from teichaku_cli.documents.blank import CONFIG_TEMPLATE, write_blank_workbook
    from teichaku_cli.office.settings import CONFIG_NAME, toml_escape
    from teichaku_cli.base.safe_write import OutputError, atomic_file, backup, check_folder, exists_message, protected_refusal

    check_folder(directory, "作成先")
    workbook, config = directory / WORKBOOK_NAME, directory / CONFIG_NAME
    for path in (workbook, config):
        if path.is_dir():
            raise OutputError(f"{path} はフォルダです。", "別のフォルダを作成先に指定してください")
    existing = [p for p in (workbook, config) if p.exists()]
    for path in existing:  # before anything is copied or replaced: a refusal changes nothing
        if (refused := protected_refusal(path)) is not None:  # read-only, or open in Excel: --force would not help
            raise refused
    if existing and not force:
        raise OutputError(*exists_message(*existing))
    now = datetime.now()
    kept = [backup(p, now) for p in existing]  # --force: nothing of the office's is lost
    try:
        write_blank_workbook(workbook)
        with atomic_file(config, private=False) as fh:
            fh.write(CONFIG_TEMPLATE.format(name=toml_escape(office_name), data=WORKBOOK_NAME).encode("utf-8"))
    except OutputError as exc:  # the blank book may be in place already: say where the originals are
        if kept:
            exc.message += f" 元のファイルは控えとして残っています: {'、'.join(str(p) for p in kept)}"
        raise
    out = console()
    out.print(f"[green]作成しました。[/green] {visible(workbook)}（入力用ブック）、{visible(config)}（事業所設定）")
    if kept:
        out.print(f"元のファイルは控えとして残しました: {'、'.join(visible(p) for p in kept)}")
    out.print(f"次に: ブックに入力して、teichaku validate {visible(shell_path(workbook))} で確かめてください。")
    from teichaku_cli.documents.build import consent_paragraph
    from teichaku_cli.model.schema import EMPLOYER_FIELDS

    out.print("\n事業主との共有についての同意書に使える文例（teichaku.toml の「事業主と共有する項目」を変えたら、欄の名前も合わせてください）:")
    out.print(visible(consent_paragraph(EMPLOYER_FIELDS)))
