"""`datapact impact TABLE[.COLUMN]`: what is downstream and upstream of a table or column."""

from __future__ import annotations

import argparse
import json

from datapact_dagster.commands.base import EXIT_OK, UserError, project_dir
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.plan.graph import DependencyGraph, build_graph
from datapact_dagster.plan.impact import UnknownTarget, impact_of
from datapact_dagster.plan.impact_report import impact_dict, impact_markdown, impact_text


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "impact",
        help="show everything downstream of a table or column (tables, columns, checks, "
        "consumers with contacts) and what it comes from",
    )
    parser.add_argument(
        "target",
        metavar="TABLE[.COLUMN]",
        help="e.g. silver.customers.email, customers.email or gold.daily_revenue",
    )
    parser.add_argument("--format", choices=("text", "json", "md"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    graph = build_graph(contracts_or_exit(project_dir(args)))
    table, column = resolve_target(graph, args.target)
    try:
        impact = impact_of(graph, table, column)
    except UnknownTarget as error:
        raise UserError(f"impact: {error}") from None
    if args.format == "json":
        print(json.dumps(impact_dict(impact), indent=2))
    elif args.format == "md":
        print(impact_markdown(impact), end="")
    else:
        print(impact_text(impact), end="")
    return EXIT_OK


def resolve_target(graph: DependencyGraph, target: str) -> tuple[str, str | None]:
    """(physical table name, column or None) for `schema.table[.column]` or `table[.column]`."""
    if (table := graph.resolve(target)) is not None:
        return table, None
    head, _, column = target.rpartition(".")
    if head and (table := graph.resolve(head)) is not None:
        return table, column
    known = ", ".join(sorted(graph.tables))
    raise UserError(
        f"impact: no contract table named {head or target!r} in {target!r}; "
        f"use one of: {known} (optionally followed by .COLUMN)"
    )
