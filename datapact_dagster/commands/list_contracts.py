"""`datapact list`: one line per contract table: id, version, status, table, owner, rules."""

from __future__ import annotations

import argparse
import json

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.commands.base import project_dir
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.commands.table import render_table


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("list", help="list contracts with their tables, owners and rules")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    contracts = contracts_or_exit(project_dir(args))
    rows = [
        {
            "id": contract.id,
            "version": contract.version,
            "status": contract.status,
            "table": table.physical_name,
            "owner": ", ".join(contract.owners),
            "rules": len(compile_table_checks(contract, table)),
        }
        for contract, table in sorted(
            contracts.tables,
            key=lambda ct: (
                ct[1].layer.value != "bronze",
                ct[1].layer.value != "silver",
                ct[1].physical_name,
            ),
        )
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        print(render_table(rows, ["id", "version", "status", "table", "owner", "rules"]))
    return 0
