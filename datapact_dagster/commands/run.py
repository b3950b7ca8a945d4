"""`datapact run` / `datapact check`: build (or re-check) the tables through Dagster."""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datapact_dagster.approvals.identity import current_person
from datapact_dagster.breaker.graph import layer_order
from datapact_dagster.breaker.override import override_tags
from datapact_dagster.checks.gx_worker import current_gx_worker, gx_worker_for_run
from datapact_dagster.commands.approval_context import (
    approval_overlay,
    overlay_state,
    policy_or_exit,
)
from datapact_dagster.commands.base import (
    EXIT_BREACHED,
    EXIT_OK,
    EXIT_SYSTEM_ERROR,
    UserError,
    project_dir,
)
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.commands.partition_choice import PARTITION_TAG, choose_partition
from datapact_dagster.commands.run_summary import render_json, render_text, table_documents
from datapact_dagster.commands.status import table_state
from datapact_dagster.pipeline.executor_choice import (
    ExecutorChoice,
    command_executor,
    executor_in_environment,
    may_run_in_process,
)
from datapact_dagster.pipeline.run_status import TableRunStatus
from datapact_dagster.settings import Settings

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

    from dagster import AssetKey, DagsterInstance, JobDefinition

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
        "--partition",
        metavar="KEY",
        help="the partition of partitioned tables to build, e.g. 2026-11-30 (default: the one "
        "in progress now, today or this hour)",
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
    policy_or_exit(root)
    settings = Settings.from_env(root)
    in_process = may_run_in_process(os.environ, settings.warehouse_url)
    with gx_worker_for_run(in_process):  # GX loads on the other CPU while Dagster starts here
        return _execute(args, root, settings, checks_only=checks_only)


def _execute(args: argparse.Namespace, root: Path, settings: Settings, *, checks_only: bool) -> int:
    reason = getattr(args, "override_reason", None)
    tags = override_tags(reason, current_person(root) if reason is not None else None)

    import dagster as dg

    from datapact_dagster import definitions
    from datapact_dagster.pipeline.dagster_home import (
        dagster_storage_errors,
        prepare_dagster_home,
    )
    from datapact_dagster.pipeline.landing_check import require_landing_files
    from datapact_dagster.pipeline.launch import exclusive_launch
    from datapact_dagster.pipeline.run_selection import launch_tables
    from datapact_dagster.plan.project import load_project

    prepare_dagster_home(settings)
    # building the job checks the executor choice (DATAPACT_EXECUTOR) before anything runs
    (definitions.contract_checks_job if checks_only else definitions.contract_pipeline_job)()
    all_plans = load_project().plans
    launch = launch_tables(
        all_plans,
        _resolve_selection(args.select, definitions) if args.select else None,
        checks_only=checks_only,
        selection_text=args.select,
    )
    if not launch.launched:
        for left in launch.left_out:
            print(f"{left.asset}: {left.status.value}: {left.message}", file=sys.stderr)
        print("datapact: nothing to run.", file=sys.stderr)
        return EXIT_OK
    if not checks_only:
        launched = set(launch.launched)
        selected = [p for p in all_plans if p.table.asset_key in launched]
        require_landing_files(selected, settings.landing_dir, root)
        partition = choose_partition(getattr(args, "partition", None), selected)
        if partition is not None:
            tags = {**tags, PARTITION_TAG: partition}
            print(f"Partitioned tables: building partition {partition}.", file=sys.stderr)
    resolved = {dg.AssetKey(list(key)) for key in launch.launched}
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
            selected=resolved,
            whole_job=launch.whole_job,
            tags=tags,
        )
    summaries = sorted([*launched.summaries, *launch.left_out], key=lambda s: _path_order(s.asset))
    breakers, run_id = launched.breakers, launched.run_id
    _announce_deprecations(settings, summaries)
    overlay = approval_overlay(root, load_project().contracts)
    states = {
        "/".join(key): overlay_state(table_state(breakers, key).value, overlay.get("/".join(key)))
        for key in breakers.by_table
    }
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
    selected: set[AssetKey],
    tags: Mapping[str, str],
    whole_job: bool = False,
) -> Launched:
    """Execute the build (or check-only) job for the `selected` tables (`whole_job`: the job
    as it is defined, which leaves drafts and retired tables out) and summarise it.

    The caller holds the launch gate (`pipeline.launch.exclusive_launch`).
    """
    from datapact_dagster import definitions
    from datapact_dagster.pipeline.job_runner import warehouse_pool_limit
    from datapact_dagster.plan.project import load_project

    factory = definitions.contract_checks_job if checks_only else definitions.contract_pipeline_job
    pool_limit = warehouse_pool_limit(instance)
    choice = command_executor(os.environ, load_project().settings.warehouse_url, pool_limit)
    with executor_in_environment(choice):
        return _launch(
            factory, instance, choice, pool_limit, checks_only, selected, tags, whole_job
        )


def _launch(
    factory: Callable[[], JobDefinition],
    instance: DagsterInstance,
    choice: ExecutorChoice,
    pool_limit: int,
    checks_only: bool,
    selected: set[AssetKey],
    tags: Mapping[str, str],
    whole_job: bool,
) -> Launched:
    import dagster as dg

    from datapact_dagster.breaker.project_breakers import read_project_breakers
    from datapact_dagster.defs.executors import start_fork_server
    from datapact_dagster.pipeline.job_runner import (
        asset_parents,
        label_tables_not_run,
        summarize_run,
    )
    from datapact_dagster.pipeline.run_owner import RUN_PID_ENV, RunOwner
    from datapact_dagster.plan.project import load_project

    job = factory()
    owner = RunOwner.current()
    os.environ[RUN_PID_ENV] = str(owner.pid)
    recon = dg.reconstructable(factory)
    asset_selection = None
    if not whole_job and checks_only:
        recon = recon.get_subset(
            asset_selection=set(),
            asset_check_selection=job.asset_layer.asset_graph.get_check_keys_for_assets(selected),
        )
    elif not whole_job:
        asset_selection = list(selected)
    run_config: dict[str, Any] = {"loggers": {"progress_logger": {}}}
    if choice is not ExecutorChoice.IN_PROCESS and (worker := current_gx_worker()) is not None:
        worker.stop()  # the steps run in other processes: it would load GX for nothing
    if choice is ExecutorChoice.MULTIPROCESS:
        start_fork_server()
        # no step process started only to poll for a warehouse-pool slot
        run_config["execution"] = {"config": {"max_concurrent": pool_limit}}
    result = dg.execute_job(
        recon,
        instance=instance,
        asset_selection=asset_selection,
        run_config=run_config,
        tags={**tags, **owner.tags()},
        raise_on_error=False,
    )
    keys = sorted(selected, key=_layer_order)
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


def _resolve_selection(text: str, definitions: ModuleType) -> set[tuple[str, ...]]:
    """What `--select` selects among every table of the project (retired ones included)."""
    import dagster as dg

    graph = definitions.defs().resolve_asset_graph()
    try:
        with warnings.catch_warnings():  # Dagster marks `tag:` selections beta
            warnings.simplefilter("ignore", dg.BetaWarning)
            resolved = dg.AssetSelection.from_string(text).resolve(graph)
    except Exception as exc:
        raise UserError(f"--select {text!r} is not a valid asset selection: {exc}") from exc
    if not resolved:
        raise UserError(f"--select {text!r} matches no table")
    return {tuple(key.path) for key in resolved}


def _announce_deprecations(settings: Settings, summaries: list[TableSummary]) -> None:
    """A deprecated contract's consumers hear of it after a run that built or checked one of
    its tables, at most once a week (the breaker sensor does the same for the daemon's runs)."""
    from datetime import UTC, datetime

    from datapact_dagster.breaker.alerting import AlertSender
    from datapact_dagster.breaker.deprecation import notify_deprecations
    from datapact_dagster.plan.project import load_project

    used = [tuple(s.asset.split("/")) for s in summaries if s.status in _JUDGED]
    contracts = load_project().contracts
    if not any(c.status == "deprecated" for c in contracts.contracts) or not used:
        return
    sender = AlertSender(settings.project_dir, {c.id: c for c in contracts.contracts})
    try:
        for line in notify_deprecations(sender, contracts, used, datetime.now(UTC)):
            print(f"datapact: {line}", file=sys.stderr)
        if sender.problem:
            print(f"datapact: {sender.problem}", file=sys.stderr)
    finally:
        sender.close()


_JUDGED = (TableRunStatus.PUBLISHED, TableRunStatus.QUARANTINED, TableRunStatus.CHECKED)
"""The outcomes of a table whose data a run built or checked."""


def _layer_order(key: AssetKey) -> tuple[int, str]:
    return layer_order(tuple(key.path))


def _path_order(path: str) -> tuple[int, str]:
    return layer_order(tuple(path.split("/")))
