"""`datapact metrics TABLE`: a table's recorded metrics, one line per build or check-only run."""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import json
import sys
from datetime import datetime
from typing import Any

from datapact_dagster.commands.base import EXIT_OK, EXIT_SYSTEM_ERROR, UserError, project_dir
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.commands.report import iso_datetime
from datapact_dagster.commands.table import render_table
from datapact_dagster.contract.model import ContractSet
from datapact_dagster.monitoring.model import TableMetrics
from datapact_dagster.monitoring.series import as_document, flat_columns, flat_row

TEXT_COLUMNS = [
    "recorded at",
    "run",
    "kind",
    "rows",
    "delta",
    "build",
    "checks",
    "lag",
    "passed",
    "failed",
    "errored",
    "breaker",
    "published",
    "null rates",
]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "metrics",
        help="print a table's metrics history (row count and delta, null rates, durations, "
        "freshness lag, verdicts) as text, JSON or CSV",
    )
    parser.add_argument(
        "table", help="the table: bronze/raw_orders, bronze.raw_orders or raw_orders"
    )
    parser.add_argument("--since", type=iso_datetime, help="ISO date/time, inclusive (UTC)")
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")
    parser.set_defaults(handler=run)


def resolve_table(contracts: ContractSet, name: str) -> str:
    """The asset path (`layer/table`) a user's table name means, or a UserError listing them."""
    wanted = name.strip().replace(".", "/")
    for _, table in contracts.tables:
        path = "/".join(table.asset_key)
        if wanted in (path, table.name, table.physical_name.replace(".", "/")):
            return path
    paths = sorted("/".join(t.asset_key) for _, t in contracts.tables)
    names = {t.name: "/".join(t.asset_key) for _, t in contracts.tables}
    close = difflib.get_close_matches(wanted, [*paths, *names], n=1, cutoff=0.6)
    hint = f"did you mean {names.get(close[0], close[0])}? " if close else ""
    raise UserError(f"no contract table {name!r}; {hint}the tables are: {', '.join(paths)}")


def run(args: argparse.Namespace) -> int:
    root = project_dir(args)
    asset = resolve_table(contracts_or_exit(root), args.table)
    history = _history(root, asset, args.since)
    if args.format == "json":
        print(json.dumps({"table": asset, "runs": [as_document(m) for m in history]}, indent=2))
    elif args.format == "csv":
        sys.stdout.write(_csv(history))
    elif not history:
        since = f" since {args.since.isoformat()}" if args.since else ""
        print(f"no metrics recorded for {asset}{since} yet: 'datapact run' records them")
    else:
        print(render_table([_text_row(m) for m in history], TEXT_COLUMNS))
    return EXIT_OK


def _history(root: Any, asset: str, since: datetime | None) -> list[TableMetrics]:
    from sqlalchemy.exc import SQLAlchemyError

    from datapact_dagster.evidence.store import evidence_url
    from datapact_dagster.monitoring.store import MetricsStore

    try:
        store = MetricsStore(evidence_url(root))
        try:
            return store.history(asset, since=since)
        finally:
            store.close()
    except SQLAlchemyError as exc:
        first = str(exc).strip().splitlines()[0]
        raise UserError(f"cannot read the metrics store: {first}", EXIT_SYSTEM_ERROR) from exc


def _csv(history: list[TableMetrics]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=flat_columns(history), lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat_row(m) for m in history)
    return out.getvalue()


def _text_row(m: TableMetrics) -> dict[str, Any]:
    nulls = ", ".join(f"{c} {r * 100:.1f}%" for c, r in sorted(m.null_rates.items()) if r > 0)
    return {
        "recorded at": m.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
        "run": m.run_id[:8],
        "kind": m.run_kind,
        "rows": f"{m.row_count:,}",
        "delta": "" if m.row_delta is None else f"{m.row_delta:+,}",
        "build": "" if m.build_seconds is None else f"{m.build_seconds:.1f}s",
        "checks": f"{m.check_seconds:.1f}s",
        "lag": "" if m.freshness_lag_seconds is None else _lag(m.freshness_lag_seconds),
        "passed": m.checks_passed,
        "failed": m.checks_failed,
        "errored": m.checks_errored,
        "breaker": m.breaker,
        "published": ("yes" if m.published else "no") if m.run_kind == "build" else "",
        "null rates": nulls or "none",
    }


def _lag(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f}d"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 60:.0f}min"
