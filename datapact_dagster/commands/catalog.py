"""`datapact catalog`: the static HTML catalog of the contracts (search, a page per contract,
ERD, lineage, PII inventory), written to a folder that works offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from datapact_dagster.catalog import build_catalog
from datapact_dagster.catalog.render import INDEX
from datapact_dagster.catalog.site import CATALOG_FOLDER
from datapact_dagster.catalog.verdicts import latest_verdicts
from datapact_dagster.commands.base import EXIT_OK, project_dir
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "catalog",
        help="write the static HTML catalog: search, a page per contract, ERD, lineage, PII",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=None,
        help=f"folder to write (default: <state dir>/{CATALOG_FOLDER}, i.e. .datapact/"
        f"{CATALOG_FOLDER}); it is replaced as a whole",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = project_dir(args)
    contracts = contracts_or_exit(root)
    out: Path = args.out or Settings.from_env(root).state_dir / CATALOG_FOLDER
    verdicts = latest_verdicts(root)
    if verdicts.unavailable:
        print(
            f"datapact: warning: rule verdicts left out, {verdicts.unavailable}",
            file=sys.stderr,
        )
    pages = build_catalog(contracts, out, verdicts)
    print(f"Wrote the catalog ({len(pages)} pages) to {out.resolve()}", file=sys.stderr)
    print(f"Open {(out / INDEX).resolve()}", file=sys.stderr)
    return EXIT_OK
