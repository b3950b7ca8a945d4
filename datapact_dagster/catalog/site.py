"""Writing the catalog folder: built beside the old one and swapped in, so a failure leaves the
previous catalog as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from datapact_dagster.contract.model import ContractSet
from datapact_dagster.errors import EXIT_SYSTEM_ERROR, UserError
from datapact_dagster.plan.graph import build_graph

from .render import render_pages
from .verdicts import LatestVerdicts, latest_verdicts
from .versions import latest_versions

CATALOG_FOLDER = "catalog"
"""Relative to the state folder (DATAPACT_STATE_DIR, default <project>/.datapact)."""
MARKER = ".datapact-catalog"
"""A file in every catalog folder: only a folder holding it is ever replaced."""


def build_catalog(
    contracts: ContractSet, out: Path, verdicts: LatestVerdicts | None = None
) -> list[str]:
    """Render every page and write them to `out`, replacing the catalog there; the file names."""
    if verdicts is None:
        verdicts = latest_verdicts(contracts.root)
    pages = render_pages(build_graph(contracts), verdicts, latest_versions(contracts))
    write_site(pages, out)
    return sorted(pages)


def write_site(pages: dict[str, str], out: Path) -> None:
    out = out.resolve()
    _refuse_foreign_folder(out)
    try:
        _swap_in(pages, out)
    except (NotADirectoryError, FileExistsError) as error:
        raise UserError(f"catalog: cannot write {out}: a folder on its path is a file") from error
    except PermissionError as error:
        raise UserError(f"catalog: cannot write {out}: permission denied") from error
    except OSError as error:
        message = f"catalog: cannot write {out}: {error.strerror or error}"
        raise UserError(message, EXIT_SYSTEM_ERROR) from error


def _swap_in(pages: dict[str, str], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    building = out.with_name(f".{out.name}.building-{os.getpid()}")
    retired = out.with_name(f".{out.name}.old-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    try:
        building.mkdir()
        for name, html in pages.items():
            (building / name).write_text(html, encoding="utf-8")
        (building / MARKER).write_text(
            "Written by 'datapact catalog'; the whole folder is replaced on each build.\n",
            encoding="utf-8",
        )
        if out.exists():
            out.rename(retired)
        building.rename(out)
    except BaseException:
        if retired.exists() and not out.exists():
            retired.rename(out)
        shutil.rmtree(building, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _refuse_foreign_folder(out: Path) -> None:
    if out.is_file():
        raise UserError(f"catalog: {out} is a file; give --out a folder for the catalog")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UserError(
            f"catalog: {out} already holds files that 'datapact catalog' did not write, and the "
            "catalog replaces its whole folder; choose an empty or new folder with --out"
        )
