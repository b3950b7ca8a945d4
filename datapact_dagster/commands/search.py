"""`datapact search TERM`: contracts, tables and columns whose names, descriptions or labels
hold the term, best match first."""

from __future__ import annotations

import argparse
import json

from datapact_dagster.commands.base import UserError, project_dir
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.commands.table import render_table
from datapact_dagster.plan.search import KINDS, search

COLUMNS = ["kind", "contract", "table", "column", "field", "match"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "search",
        help="find contracts, tables and columns by name, description, tag, owner or consumer",
        description="Case-insensitive; exact name matches first, then names holding the term, "
        "then tags, classifications, domains, owners and consumer teams, then descriptions. "
        "Exit 0 with or without a match.",
    )
    parser.add_argument("term", metavar="TERM", help="the text to look for")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--kind",
        action="append",
        choices=KINDS,
        default=[],
        help="only this kind of entry (repeatable; default: all)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    term = args.term.strip()
    if not term:
        raise UserError("the search term is empty; give a word to look for, e.g. customer_id")
    contracts = contracts_or_exit(project_dir(args))
    hits = search(contracts, term, tuple(args.kind) or KINDS)
    if args.format == "json":
        print(json.dumps([hit.as_dict() for hit in hits], indent=2))
    elif hits:
        rows = [
            {
                **hit.as_dict(),
                "table": hit.table or "-",
                "column": hit.column or "-",
                "match": hit.snippet,
            }
            for hit in hits
        ]
        print(render_table(rows, COLUMNS))
    else:
        print(f"no match for {term!r}")
    return 0
