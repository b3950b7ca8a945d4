"""`datapact status`: each contract table's breaker, read from the project's Dagster instance."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from datapact_dagster.commands.approval_context import approval_overlay, overlay_state
from datapact_dagster.commands.base import (
    EXIT_BREACHED,
    EXIT_OK,
    EXIT_SYSTEM_ERROR,
    UserError,
    project_dir,
)
from datapact_dagster.commands.crash import one_line
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.commands.table import render_table
from datapact_dagster.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from datapact_dagster.breaker.read import Breakers
    from datapact_dagster.breaker.state import Health
    from datapact_dagster.contract.model import ContractSet
    from datapact_dagster.plan.project import TablePlan

COLUMNS = ["contract", "version", "table", "state", "breaker", "since", "failing checks", "holding"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "status",
        help="show each contract table's state (healthy / breached / held / stale / never run "
        "/ retired) and the downstream tables it holds; exit 1 when anything is breached",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def _timestamp(moment: Any) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def status_rows(root: Any) -> list[dict[str, Any]]:
    """One entry per contract table, in pipeline order (bronze, silver, gold)."""
    import dagster as dg

    from datapact_dagster.breaker.project_breakers import read_project_breakers
    from datapact_dagster.pipeline.dagster_home import prepare_dagster_home
    from datapact_dagster.plan.project import load_project
    from datapact_dagster.settings import Settings

    prepare_dagster_home(Settings.from_env(root))
    project = load_project()
    with dg.DagsterInstance.get() as instance:
        return rows_of(read_project_breakers(instance, project), project.plans)


def table_state(breakers: Breakers, key: tuple[str, ...]) -> Health:
    """A table's state in one word: its own breach or staleness first, then held when a table
    it depends on is breached, else its own health (as the UI's breaker check says it)."""
    from datapact_dagster.breaker.state import Health

    own = breakers.by_table[key].health
    if own in (Health.breached, Health.stale):
        return own
    return Health.held if breakers.breached_upstream_of(key) else own


def rows_of(breakers: Breakers, plans: Sequence[TablePlan] = ()) -> list[dict[str, Any]]:
    """The breakers' rows, plus one per retired table of `plans` (retired tables have no
    breaker), each with its contract's status and what that means for readers."""
    from datapact_dagster.breaker.graph import layer_order
    from datapact_dagster.breaker.state import Health
    from datapact_dagster.contract.lifecycle import lifecycle_note

    lifecycle = {
        p.table.asset_key: {"status": p.contract.status, "note": lifecycle_note(p.contract)}
        for p in plans
    }
    rows = [
        {
            "contract": p.contract.id,
            "version": p.contract.version,
            "table": "/".join(p.table.asset_key),
            "state": Health.retired.value,
            "breaker": None,
            "since": None,
            "last_checked": None,
            "failing_checks": [],
            "holding": [],
            "lifecycle": lifecycle[p.table.asset_key],
        }
        for p in plans
        if p.contract.retired
    ]
    for key in sorted(breakers.by_table, key=layer_order):
        breaker = breakers.by_table[key]
        held = breakers.held_by(breaker) if breaker.state.holds_downstream else frozenset()
        rows.append(
            {
                "contract": breaker.contract_id,
                "version": breaker.contract_version,
                "table": breaker.asset_path,
                "state": table_state(breakers, key).value,
                "breaker": breaker.state.value,
                "since": _timestamp(
                    breaker.since if breaker.failing else breaker.last_evaluated_at
                ),
                "last_checked": _timestamp(breaker.last_evaluated_at),
                "failing_checks": [
                    {
                        "check": f.key,
                        "severity": f.severity,
                        "blocking": f.blocking,
                        "summary": f.summary,
                        "run_id": f.run_id,
                        "at": _timestamp(f.at),
                        "failing_since": _timestamp(f.failing_since),
                    }
                    for f in breaker.failing
                ],
                "holding": ["/".join(k) for k in sorted(held, key=layer_order)],
                "lifecycle": lifecycle.get(key, {"status": None, "note": None}),
            }
        )
    return sorted(rows, key=lambda row: layer_order(tuple(row["table"].split("/"))))


def warehouse_problem(warehouse_url: str, relations: list[str]) -> str | None:
    """Why the warehouse cannot vouch for the published tables, or None when it can.

    Opens the warehouse and reads one row of each published table, so a corrupt, unreadable
    or unreachable warehouse is reported rather than hidden behind the breakers' last verdicts.
    """
    from sqlalchemy.engine import make_url

    from datapact_dagster.warehouse import wap
    from datapact_dagster.warehouse.engine import quote, warehouse_engine

    shown = make_url(warehouse_url).render_as_string(hide_password=True)
    try:
        engine = warehouse_engine(warehouse_url)
        with engine.connect() as connection:
            for relation in relations:
                if wap.relation_exists(connection, relation):
                    connection.exec_driver_sql(
                        f"SELECT 1 FROM {quote(engine, relation)} LIMIT 1"
                    ).fetchall()
    except Exception as exc:
        if _held_by_another_process(exc):
            print(
                f"datapact: note: the warehouse {shown} is in use by another process "
                f"({one_line(exc)}); states are those of the last checks",
                file=sys.stderr,
            )
            return None
        return (
            f"the warehouse {shown} cannot be read ({one_line(exc)}); no table's state can be "
            "trusted until it is restored from a backup or rebuilt with 'datapact run'"
        )
    return None


def _held_by_another_process(exc: BaseException) -> bool:
    """A lock held by a running `datapact run` (busy, not broken)."""
    return "lock" in str(getattr(exc, "orig", None) or exc).lower()


def run(args: argparse.Namespace) -> int:
    root = project_dir(args)
    os.environ["DATAPACT_PROJECT_DIR"] = str(root)
    contracts = contracts_or_exit(root)
    settings = Settings.from_env(root)
    try:
        rows = status_rows(root)
    except Exception as exc:
        raise UserError(
            f"the run history in Dagster home {settings.dagster_home} cannot be read "
            f"({one_line(exc)})",
            EXIT_SYSTEM_ERROR,
        ) from exc
    if any(r["last_checked"] for r in rows):
        problem = warehouse_problem(
            settings.warehouse_url, [table.physical_name for _, table in contracts.tables]
        )
        if problem:
            raise UserError(problem, EXIT_SYSTEM_ERROR)
    add_bad_partitions(root, rows, contracts)
    overlay = approval_overlay(root, contracts)
    for row in rows:
        hold = overlay.get(row["table"])
        if hold is not None and overlay_state(row["state"], hold) != row["state"]:
            row["state"] = overlay_state(row["state"], hold)
            row["awaiting_approval"] = hold.reason
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        print(render_table([_text_row(r) for r in rows], COLUMNS))
        for row in rows:
            if "awaiting_approval" in row:
                print(f"  {row['table']}: {row['awaiting_approval']}")
            if row["lifecycle"]["note"]:
                print(f"  {row['table']}: {row['lifecycle']['note']}")
            for failure in row["failing_checks"]:
                print(
                    f"  {row['table']}: {failure['check']} [{failure['severity']}] "
                    f"{failure['summary']} (run {failure['run_id']})"
                )
            for bad in row["bad_partitions"]:
                print(
                    f"  {row['table']}: partition {bad['partition']} quarantined, not published "
                    f"(run {(bad['run_id'] or '?')[:8]}: {', '.join(bad['failed_checks'])}); "
                    f"rebuild it once its source is fixed: datapact run --partition "
                    f"{bad['partition']}"
                )
    breached = any(r["breaker"] in ("open", "half-open") for r in rows)
    return EXIT_BREACHED if breached else EXIT_OK


def add_bad_partitions(root: Any, rows: list[dict[str, Any]], contracts: ContractSet) -> None:
    """`bad_partitions` of each row: a partitioned table's days whose latest build was
    quarantined, until rebuilt clean (its breaker follows the latest build only)."""
    from datapact_dagster.evidence.bad_partitions import bad_partitions
    from datapact_dagster.evidence.store import EvidenceError, EvidenceStore, evidence_url

    partitioned = {"/".join(t.asset_key) for _, t in contracts.tables if t.partitioning}
    for row in rows:
        row["bad_partitions"] = []
    built = [r for r in rows if r["table"] in partitioned and r["last_checked"]]
    if not built:
        return
    try:
        store = EvidenceStore(evidence_url(root))
    except EvidenceError as error:
        raise UserError(str(error), EXIT_SYSTEM_ERROR) from None
    try:
        for row in built:
            row["bad_partitions"] = [
                {
                    "partition": bad.partition,
                    "run_id": bad.run_id,
                    "at": bad.recorded_at,
                    "failed_checks": list(bad.failed_checks),
                    "quarantine_relation": bad.quarantine_relation,
                }
                for bad in bad_partitions(store, row["table"])
            ]
    finally:
        store.close()


def _text_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "breaker": row["breaker"] or "",
        "since": (row["since"] or "").replace("T", " ").replace("Z", ""),
        "failing checks": ", ".join(f["check"] for f in row["failing_checks"]),
        "holding": ", ".join(row["holding"]),
    }
