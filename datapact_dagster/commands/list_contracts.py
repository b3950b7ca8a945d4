"""`datapact list`: one line per contract table (or per column with --columns), filtered."""

from __future__ import annotations

import argparse
import json

from datapact_dagster.commands.base import project_dir
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.commands.table import render_table
from datapact_dagster.contract.build import STATUSES
from datapact_dagster.plan.registry import (
    ColumnListing,
    RegistryFilter,
    list_columns,
    list_tables,
)

TABLE_COLUMNS = ["id", "version", "status", "table", "owner", "rules"]
COLUMN_COLUMNS = [
    "table",
    "column",
    "type",
    "required",
    "unique",
    "key",
    "pii",
    "classification",
    "description",
]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "list",
        help="list contracts with their tables, owners and rules (or their columns), filtered",
        description="Filters of different kinds combine with AND; repeating one "
        "(--tag a --tag b) keeps what matches any of its values.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--domain", action="append", default=[], help="only contracts of this domain"
    )
    parser.add_argument(
        "--owner",
        action="append",
        default=[],
        help="only contracts with this owner (a username or the team name)",
    )
    parser.add_argument(
        "--status", action="append", default=[], choices=STATUSES, help="only this status"
    )
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        help="only what carries this tag (on the contract, the table or a column)",
    )
    parser.add_argument(
        "--pii", action="store_true", help="only tables with PII columns (with --columns: those)"
    )
    parser.add_argument(
        "--columns", action="store_true", help="one line per column instead of per table"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    contracts = contracts_or_exit(project_dir(args))
    keep = RegistryFilter(
        domains=tuple(args.domain),
        owners=tuple(args.owner),
        statuses=tuple(args.status),
        tags=tuple(args.tag),
        pii=args.pii,
    )
    if args.columns:
        columns = list_columns(contracts, keep)
        documents = [listing.as_dict() for listing in columns]
        rows, headers = [_column_row(listing) for listing in columns], COLUMN_COLUMNS
    else:
        tables = list_tables(contracts, keep)
        documents = [listing.as_dict() for listing in tables]
        rows, headers = documents, TABLE_COLUMNS
    if args.format == "json":
        print(json.dumps(documents, indent=2))
    elif rows:
        print(render_table(rows, headers))
    else:
        what = "column" if args.columns else "table"
        filters = keep.describe()
        print(f"no {what} matches {filters}" if filters else f"the project has no {what}")
    return 0


def _column_row(listing: ColumnListing) -> dict[str, object]:
    return {
        **listing.as_dict(),
        "required": _yes_no(listing.required),
        "unique": _yes_no(listing.unique),
        "key": listing.key or "-",
        "pii": _yes_no(listing.pii),
        "classification": listing.classification or "-",
        "description": listing.description or "-",
    }


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
