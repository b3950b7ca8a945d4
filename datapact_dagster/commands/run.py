"""`datapact run` / `datapact check`: build (or re-check) the tables through Dagster."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from datapact_dagster.breaker.graph import layer_order
from datapact_dagster.commands.base import (
    EXIT_BREACHED,
    EXIT_OK,
    EXIT_SYSTEM_ERROR,
    UserError,
    project_dir,
)
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.commands.run_summary import render_json, render_text, table_documents
from datapact_dagster.commands.status import table_state
from datapact_dagster.pipeline.run_status import TableRunStatus
from datapact_dagster.settings import Settings

if TYPE_CHECKING:
    from dagster import AssetKey, DagsterInstance

    from datapact_dagster.breaker.read import Breakers
    from datapact_dagster.pipeline.job_runner import TableSummary
    from datapact_dagster.pipeline.recovery import RecoveryReport


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="build every table bronze -> silver -> gold with its checks")
    run.add_argument(
        "--select", help="Dagster asset selection, e.g. 'key:silver/orders+' or 'group:bronze'"
    )
    run.add_argument(
        "--override-reason",
        metavar="REASON",
        help="build downstream of a breached contract anyway; the reason is recorded",
    )
    run.add_argument(
        "--no-generate",
        action="store_true",
        help="no effect, kept for old scripts: run never generates data ('datapact generate' does)",
    )
    run.set_defaults(handler=lambda a: execute(a, checks_only=False))
    check = sub.add_parser("check", help="re-validate published tables without rebuilding them")
    check.add_argument("--select", help="Dagster asset selection of the tables to check")
    for parser in (run, check):
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="the per-table summary on stdout as a table or as JSON (progress: stderr)",
        )
    check.set_defaults(handler=lambda a: execute(a, checks_only=True))


def execute(args: argparse.Namespace, *, checks_only: bool) -> int:
    root = project_dir(args)
    os.environ["DATAPACT_PROJECT_DIR"] = str(root)
    contracts_or_exit(root)
    settings = Settings.from_env(root)

    import dagster as dg

    from datapact_dagster import definitions
    from datapact_dagster.breaker.override import override_tags
    from datapact_dagster.pipeline.dagster_home import (
        dagster_storage_errors,
        prepare_dagster_home,
    )
    from datapact_dagster.pipeline.landing_check import require_landing_files
    from datapact_dagster.pipeline.launch import exclusive_launch
    from datapact_dagster.plan.project import load_project

    prepare_dagster_home(settings)
    factory = definitions.contract_checks_job if checks_only else definitions.contract_pipeline_job
    job = factory()
    selection = None
    if args.select:
        try:
            selection = dg.AssetSelection.from_string(args.select)
            resolved = selection.resolve(job.asset_layer.asset_graph)
        except Exception as exc:
            raise UserError(
                f"--select {args.select!r} is not a valid asset selection: {exc}"
            ) from exc
        if not resolved:
            raise UserError(f"--select {args.select!r} matches no table")
    all_plans = load_project().plans
    if not checks_only:
        selected = [
            p
            for p in all_plans
            if selection is None or dg.AssetKey(list(p.table.asset_key)) in resolved
        ]
        require_landing_files(selected, settings.landing_dir, root)
    started = time.monotonic()
    command = "datapact check" if checks_only else "datapact run"
    with (
        dagster_storage_errors(settings.dagster_home),
        dg.DagsterInstance.get() as instance,
        exclusive_launch(instance, settings, all_plans, detected_by=command) as recovered,
    ):
        report_recovery(recovered)
        print(
            f"{'Checking' if checks_only else 'Building'} contract tables "
            f"(Dagster home {settings.dagster_home})…",
            file=sys.stderr,
        )
        launched = launch_job(
            instance,
            checks_only=checks_only,
            selected=None if selection is None else set(resolved),
            tags=override_tags(getattr(args, "override_reason", None)),
        )
    summaries, breakers, run_id = launched.summaries, launched.breakers, launched.run_id
    states = {"/".join(key): table_state(breakers, key).value for key in breakers.by_table}
    # a check-only run whose published data passes still exits 1 while a contract is breached
    breached = any(s.status.breached or s.failed or s.in_force is False for s in summaries)
    errored = any(s.status is TableRunStatus.ERROR for s in summaries)
    code = EXIT_SYSTEM_ERROR if errored else EXIT_BREACHED if breached else EXIT_OK
    tables = table_documents(summaries, states)
    seconds = time.monotonic() - started
    if args.format == "json":
        print(render_json(command, run_id, seconds, code, tables))
    else:
        print(render_text(run_id, seconds, tables))
    return code


@dataclass(frozen=True)
class Launched:
    run_id: str
    summaries: list[TableSummary]
    breakers: Breakers


def launch_job(
    instance: DagsterInstance,
    *,
    checks_only: bool,
    selected: set[AssetKey] | None,
    tags: Mapping[str, str],
) -> Launched:
    """Execute the build (or check-only) job for `selected` tables (None: all) and summarise it.

    The caller holds the launch gate (`pipeline.launch.exclusive_launch`).
    """
    import dagster as dg

    from datapact_dagster import definitions
    from datapact_dagster.breaker.project_breakers import read_project_breakers
    from datapact_dagster.pipeline.job_runner import (
        asset_parents,
        label_tables_not_run,
        summarize_run,
    )
    from datapact_dagster.pipeline.run_owner import RUN_PID_ENV, RunOwner
    from datapact_dagster.plan.project import load_project

    factory = definitions.contract_checks_job if checks_only else definitions.contract_pipeline_job
    job = factory()
    owner = RunOwner.current()
    os.environ[RUN_PID_ENV] = str(owner.pid)
    recon = dg.reconstructable(factory)
    asset_selection = None
    if selected is not None and checks_only:
        recon = recon.get_subset(
            asset_selection=set(),
            asset_check_selection=job.asset_layer.asset_graph.get_check_keys_for_assets(selected),
        )
    elif selected is not None:
        asset_selection = list(selected)
    result = dg.execute_job(
        recon,
        instance=instance,
        asset_selection=asset_selection,
        run_config={"loggers": {"progress_logger": {}}},
        tags={**tags, **owner.tags()},
        raise_on_error=False,
    )
    keys = sorted(
        job.asset_layer.asset_graph.get_all_asset_keys() if selected is None else selected,
        key=_layer_order,
    )
    summaries = summarize_run(instance, result.run_id, keys)
    label_tables_not_run(summaries, asset_parents(job, keys))
    return Launched(result.run_id, summaries, read_project_breakers(instance, load_project()))


def report_recovery(report: RecoveryReport) -> None:
    """Say what dead runs were released; stop (exit 3) if a live run is using the warehouse."""
    from datapact_dagster.pipeline.launch import busy_message

    for released in report.released:
        tables = ", ".join(released.tables) or "no table"
        print(
            f"datapact: released dead {released.describe()}: marked failed, warehouse slot "
            f"freed, error recorded in the evidence for {tables}",
            file=sys.stderr,
        )
    if report.in_progress:
        raise UserError(busy_message(report.in_progress[0], None), EXIT_SYSTEM_ERROR)


def _layer_order(key: AssetKey) -> tuple[int, str]:
    return layer_order(tuple(key.path))
