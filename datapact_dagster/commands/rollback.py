"""`datapact rollback TABLE`: make an earlier published version of a table the one in force.

The swap is one warehouse transaction, recorded as a `rollback` decision (who, why, from which
run to which); then the table's checks run on the restored data as a Dagster check-only run, so
its breaker says what is in force now. Everything happens under the launch gate, so no run
builds while a table is being rolled back.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from datapact_dagster.approvals.identity import person_or_account
from datapact_dagster.commands.base import (
    EXIT_BREACHED,
    EXIT_OK,
    EXIT_SYSTEM_ERROR,
    UserError,
    project_dir,
)
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.commands.rollback_output import (
    RollbackReport,
    render_json,
    render_text,
    render_versions,
)
from datapact_dagster.pipeline.run_status import TableRunStatus
from datapact_dagster.settings import Settings

if TYPE_CHECKING:
    from datapact_dagster.commands.run import Launched
    from datapact_dagster.plan.project import Project, TablePlan

ROLLBACK_TAG = "datapact/rollback"
"""Tags the check-only (and rebuild) runs a rollback launches with its rollback id."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "rollback",
        help="make an earlier published version of a table the one in force (recorded as "
        "evidence), then re-check it",
    )
    parser.add_argument(
        "table", metavar="TABLE", help="asset path (silver/customers), physical or table name"
    )
    parser.add_argument(
        "--to",
        metavar="RUN",
        help="the run whose published version to restore (its id or first characters, as "
        "--list shows); default: the version published before the one in force",
    )
    parser.add_argument("--reason", metavar="TEXT", help="why (required; recorded as evidence)")
    parser.add_argument(
        "--list", action="store_true", help="show the kept versions of TABLE and change nothing"
    )
    parser.add_argument(
        "--rebuild-downstream",
        action="store_true",
        help="after the checks, rebuild the tables downstream of TABLE from the restored data",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = project_dir(args)
    os.environ["DATAPACT_PROJECT_DIR"] = str(root)
    contracts_or_exit(root)
    settings = Settings.from_env(root)

    from datapact_dagster.plan.project import load_project
    from datapact_dagster.warehouse import versions
    from datapact_dagster.warehouse.engine import warehouse_engine

    project = load_project()
    plan = resolve_plan(project.plans, args.table)
    refuse_partitioned(plan)
    engine = warehouse_engine(settings.warehouse_url)
    if args.list:
        print(render_versions(versions.list_versions(engine, plan.table.physical_name), args))
        return EXIT_OK
    reason = (args.reason or "").strip()
    if not reason:
        raise UserError(
            "rollback: --reason TEXT is required: say why the published data is rolled back "
            "(it is recorded as evidence with your name), e.g. --reason 'emails were not "
            "masked in run 1a2b3c4d'"
        )
    return _roll_back(args, settings, project, plan, reason)


def resolve_plan(plans: Sequence[TablePlan], name: str) -> TablePlan:
    """The plan of the table `name` names: its asset path, physical name or table name."""
    wanted = name.strip()
    for plan in plans:
        table = plan.table
        if wanted in (table.physical_name, "/".join(table.asset_key)):
            return plan
    by_name = [p for p in plans if p.table.name == wanted]
    if len(by_name) == 1:
        return by_name[0]
    known = ", ".join(sorted("/".join(p.table.asset_key) for p in plans))
    problem = "names several tables" if by_name else "is not a contract table"
    raise UserError(f"rollback: {name!r} {problem}; use one of: {known}")


def refuse_partitioned(plan: TablePlan) -> None:
    """A partitioned table's days are published in place: there is no earlier version of the
    whole table to restore (docs/incremental.md), and restoring one would undo every day
    published since, behind the keys table's back."""
    partitioning = plan.table.partitioning
    if partitioning is None:
        return
    asset_path = "/".join(plan.table.asset_key)
    unit = "DAY" if partitioning.grain == "daily" else "HOUR"
    raise UserError(
        f"rollback: {asset_path} is partitioned ({partitioning.grain}, on "
        f"{partitioning.column}): each partition is published in place, so no earlier "
        f"versions are kept and it cannot be rolled back. To replace a bad partition, fix its "
        f"source and rebuild it: datapact run --partition {unit}"
    )


def _roll_back(
    args: argparse.Namespace,
    settings: Settings,
    project: Project,
    plan: TablePlan,
    reason: str,
) -> int:
    import dagster as dg

    from datapact_dagster.commands.run import launch_job, report_recovery
    from datapact_dagster.commands.status import table_state
    from datapact_dagster.evidence.store import evidence_url
    from datapact_dagster.pipeline.dagster_home import dagster_storage_errors, prepare_dagster_home
    from datapact_dagster.pipeline.evidence_sink import evidence_writer_for
    from datapact_dagster.pipeline.launch import exclusive_launch
    from datapact_dagster.pipeline.rollback import choose_version, roll_back
    from datapact_dagster.warehouse import versions
    from datapact_dagster.warehouse.engine import warehouse_engine

    engine = warehouse_engine(settings.warehouse_url)
    table = plan.table
    asset_path = "/".join(table.asset_key)
    writer = evidence_writer_for(evidence_url(settings.project_dir))
    assert writer is not None  # evidence_url always names a store
    person = person_or_account(settings.project_dir)
    downstream = downstream_paths(project, plan)
    prepare_dagster_home(settings)
    with (
        dagster_storage_errors(settings.dagster_home),
        dg.DagsterInstance.get() as instance,
        exclusive_launch(
            instance, settings, project.plans, detected_by="datapact rollback"
        ) as recovered,
    ):
        report_recovery(recovered)
        found = versions.list_versions(engine, table.physical_name)
        _, target = choose_version(asset_path, found, args.to)
        done = roll_back(engine, writer, plan, target, person=person, reason=reason)
        print(f"Re-checking {asset_path} on the restored data…", file=sys.stderr)
        tags = {ROLLBACK_TAG: done.rollback_id}
        key = dg.AssetKey(list(table.asset_key))
        started = time.monotonic()
        checked = launch_job(instance, checks_only=True, selected={key}, tags=tags)
        seconds = (time.monotonic() - started, 0.0)
        rebuilt: Launched | None = None
        if args.rebuild_downstream and downstream:
            print(f"Rebuilding downstream: {', '.join(downstream)}…", file=sys.stderr)
            keys = {dg.AssetKey(path.split("/")) for path in downstream}
            started = time.monotonic()
            rebuilt = launch_job(instance, checks_only=False, selected=keys, tags=tags)
            seconds = (seconds[0], time.monotonic() - started)
    final = rebuilt or checked
    states = {"/".join(k): table_state(final.breakers, k).value for k in final.breakers.by_table}
    summaries = checked.summaries + (rebuilt.summaries if rebuilt else [])
    errored = any(s.status is TableRunStatus.ERROR for s in summaries)
    breached = states.get(asset_path) == "breached" or any(
        s.status.breached or s.failed for s in summaries
    )
    code = EXIT_SYSTEM_ERROR if errored else EXIT_BREACHED if breached else EXIT_OK
    report = RollbackReport(
        done=done,
        check_run_id=checked.run_id,
        check_summaries=checked.summaries,
        rebuild_run_id=rebuilt.run_id if rebuilt else None,
        rebuild_summaries=rebuilt.summaries if rebuilt else [],
        states=states,
        downstream=downstream,
        exit_code=code,
        seconds=seconds,
    )
    print(render_json(report) if args.format == "json" else render_text(report))
    return code


def downstream_paths(project: Project, plan: TablePlan) -> list[str]:
    """Asset paths of every table that depends on `plan`'s table (its SQL reads it or a
    relationship points at it), directly or not, in build order: the tables its breaker holds."""
    from datapact_dagster.breaker.graph import TableGraph, layer_order
    from datapact_dagster.breaker.project_breakers import table_dependencies

    found = TableGraph(table_dependencies(project)).descendants([plan.table.asset_key])
    return ["/".join(k) for k in sorted(found, key=layer_order)]
