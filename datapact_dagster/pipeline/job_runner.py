"""Runs the contract pipeline through Dagster against the project's persistent instance."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Set
from dataclasses import dataclass, field

import dagster as dg

from datapact_dagster import metadata_keys as mk
from datapact_dagster.breaker.state import Health
from datapact_dagster.pipeline.run_status import TableRunStatus

PROGRESS_PREFIX = "datapact:"
WAREHOUSE_POOL = "datapact_warehouse"
"""The Dagster concurrency pool every table step takes: one step writes the warehouse at a time."""


def warehouse_pool_limit(instance: dg.DagsterInstance) -> int:
    """How many steps of the warehouse pool may run at once now (the limit set in Dagster's
    storage, else the instance's default); 0 when the pool is unlimited."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return 0
    return storage.get_concurrency_info(WAREHOUSE_POOL).limit or 0


@dg.logger(description="Prints DataPact's per-table progress lines only.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.Logger("datapact.progress", level=logging.INFO)

    class _Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            meta = getattr(record, "dagster_meta", None) or {}
            original = str(meta.get("orig_message", message))
            if original.startswith(PROGRESS_PREFIX):
                print(
                    "  " + original.removeprefix(PROGRESS_PREFIX).strip(),
                    file=sys.stderr,
                    flush=True,
                )

    log.addHandler(_Handler())
    return log


@dataclass
class TableSummary:
    asset: str
    rows: int | None = None
    passed: int = 0
    failed: int = 0
    status: TableRunStatus = TableRunStatus.NOT_RUN
    seconds: float | None = None
    failed_checks: list[str] = field(default_factory=list)
    failed_summaries: dict[str, str] = field(default_factory=dict)
    """Each failed check's one-line summary (an anomaly's band and observed value)."""
    message: str | None = None
    in_force: bool | None = None
    """The table's `<table>__contract_in_force` verdict in this run (None: not evaluated)."""
    in_force_reason: str | None = None


def summarize_run(
    instance: dg.DagsterInstance, run_id: str, asset_keys: list[dg.AssetKey]
) -> list[TableSummary]:
    by_key = {k: TableSummary(asset=k.to_user_string()) for k in asset_keys}
    step_key_asset: dict[str, dg.AssetKey] = {}
    starts: dict[str, float] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization  # type: ignore[union-attr]
            summary = by_key.setdefault(mat.asset_key, TableSummary(mat.asset_key.to_user_string()))
            rows = mat.metadata.get("dagster/row_count")
            summary.rows = int(rows.value) if rows is not None else None
            summary.status = TableRunStatus.PUBLISHED
            step_key_asset[step] = mat.asset_key
        elif kind == "ASSET_OBSERVATION":
            _read_observation(event, by_key, step_key_asset)
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data  # type: ignore[assignment]
            summary = by_key.setdefault(
                evaluation.asset_key, TableSummary(evaluation.asset_key.to_user_string())
            )
            if step == _step_of(evaluation.asset_key):
                step_key_asset[step] = evaluation.asset_key
            if mk.is_contract_in_force_check(evaluation.check_name):
                summary.in_force = evaluation.passed
                summary.in_force_reason = evaluation.description
            elif evaluation.passed:
                summary.passed += 1
            else:
                summary.failed += 1
                summary.failed_checks.append(evaluation.check_name)
                if evaluation.description:
                    summary.failed_summaries[evaluation.check_name] = evaluation.description
        elif kind == "STEP_START":
            starts[step] = record.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED") and step:
            key = step_key_asset.get(step) or _asset_of_step(step, asset_keys)
            if key is None:
                continue
            summary = by_key.setdefault(key, TableSummary(key.to_user_string()))
            if step in starts:
                summary.seconds = record.timestamp - starts[step]
            if kind == "STEP_FAILURE":
                summary.status = TableRunStatus.ERROR
                summary.message = _root_cause(getattr(event.event_specific_data, "error", None))
            elif kind == "STEP_SKIPPED":
                summary.status = TableRunStatus.NOT_RUN
            elif summary.status is TableRunStatus.NOT_RUN:
                summary.status = TableRunStatus.CHECKED
    for summary in by_key.values():
        if summary.status is TableRunStatus.CHECKED and summary.in_force is False:
            summary.message = summary.message or summary.in_force_reason
    return list(by_key.values())


def _read_observation(
    event: dg.DagsterEvent,
    by_key: dict[dg.AssetKey, TableSummary],
    step_key_asset: dict[str, dg.AssetKey],
) -> None:
    """A quarantine or a hold, which a table step records as an observation on its own asset.

    A breached step also marks the tables below it held; those observations name other
    assets, and those tables are labelled held when their steps are skipped.
    """
    observation = event.event_specific_data.asset_observation  # type: ignore[union-attr]
    key = observation.asset_key
    step = event.step_key or ""
    if step != _step_of(key):
        return
    meta = observation.metadata
    summary = by_key.setdefault(key, TableSummary(key.to_user_string()))
    step_key_asset[step] = key
    if mk.QUARANTINE_TABLE in meta:
        summary.status = TableRunStatus.QUARANTINED
        if mk.ROWS_REJECTED in meta:
            summary.rows = int(meta[mk.ROWS_REJECTED].value)  # type: ignore[arg-type]
    elif mk.HELD_BY in meta:
        summary.status = TableRunStatus.REFUSED
        summary.message = observation.description
    elif mk.AWAITING_APPROVAL in meta:
        own = meta[mk.HEALTH].value == Health.awaiting_approval.value
        summary.status = (
            TableRunStatus.AWAITING_APPROVAL if own else TableRunStatus.HELD_FOR_APPROVAL
        )
        summary.message = str(meta[mk.AWAITING_APPROVAL].value)
    elif mk.NOT_BUILT in meta:
        summary.status = TableRunStatus(str(meta[mk.NOT_BUILT].value))
        summary.message = observation.description


def asset_parents(job: dg.JobDefinition, keys: list[dg.AssetKey]) -> dict[str, set[str]]:
    """Each asset's direct upstream assets in the job, by user string ('silver/orders')."""
    graph = job.asset_layer.asset_graph
    return {
        key.to_user_string(): {p.to_user_string() for p in graph.get(key).parent_keys}
        for key in keys
    }


def label_tables_not_run(summaries: list[TableSummary], parents: Mapping[str, Set[str]]) -> None:
    """Say why a table was not built: held when a contract was breached upstream of it, 'not
    run (upstream error)' when an upstream step errored (lock, disk, evidence store, crash)."""
    by_asset = {s.asset: s for s in summaries}

    def ancestors(asset: str) -> set[str]:
        found: set[str] = set()
        todo = list(parents.get(asset, ()))
        while todo:
            parent = todo.pop()
            if parent not in found:
                found.add(parent)
                todo.extend(parents.get(parent, ()))
        return found

    causes = {
        s.asset: [by_asset[a].status for a in ancestors(s.asset) if a in by_asset]
        for s in summaries
        if s.status is TableRunStatus.NOT_RUN
    }
    for asset, upstream in causes.items():
        if any(status.breached for status in upstream):
            by_asset[asset].status = TableRunStatus.HELD
        elif TableRunStatus.AWAITING_APPROVAL in upstream:
            by_asset[asset].status = TableRunStatus.HELD_FOR_APPROVAL
        elif TableRunStatus.ERROR in upstream:
            by_asset[asset].status = TableRunStatus.UPSTREAM_ERROR


def _step_of(key: dg.AssetKey) -> str:
    """The key of the step that builds a table (its asset is named '<layer>__<table>')."""
    return "__".join(key.path)


def _asset_of_step(step: str, asset_keys: list[dg.AssetKey]) -> dg.AssetKey | None:
    return next((k for k in asset_keys if _step_of(k) == step), None)


def _root_cause(error: object) -> str | None:
    """The innermost cause of a step error, in one line (Dagster wraps user errors)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause  # type: ignore[attr-defined]
    message = getattr(error, "message", None)
    return message.strip().splitlines()[0] if message else None
