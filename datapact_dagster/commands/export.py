"""`datapact export gx [--out DIR]`: one deterministic GX ExpectationSuite JSON per table."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.gx_suite import build_suite
from datapact_dagster.commands.base import project_dir
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.settings import Settings
from datapact_dagster.warehouse.dialects import dialect_names, for_name, for_url


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export", help="export compiled checks (GX suites)")
    parser.add_argument("target", choices=("gx",), help="what to export")
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default: <state>/gx_suites)"
    )
    parser.add_argument(
        "--dialect",
        choices=dialect_names(),
        default=None,
        help="warehouse SQL dialect (default: from DATAPACT_WAREHOUSE_URL)",
    )
    parser.set_defaults(handler=run)


def suite_text(suite: dict) -> str:
    return json.dumps(suite, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    root = project_dir(args)
    contracts = contracts_or_exit(root)
    settings = Settings.from_env(root)
    warehouse = for_name(args.dialect) if args.dialect else for_url(settings.warehouse_url)
    dialect = warehouse.sqlglot_dialect
    out = (args.out or settings.state_dir / "gx_suites").resolve()
    out.mkdir(parents=True, exist_ok=True)
    for contract, table in contracts.tables:
        suite = build_suite(
            table.name,
            compile_table_checks(contract, table),
            dialect,
            contracts.published_relations,
        )
        path = out / f"{table.layer.value}.{table.name}.json"
        path.write_text(suite_text(suite), encoding="utf-8")
        print(f"{path}  ({len(suite['expectations'])} expectations)")
    return 0
