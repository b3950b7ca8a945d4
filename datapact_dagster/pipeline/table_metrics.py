"""A step's checks together with its metrics: the profile folded into the fingerprint query,
the anomaly monitors judged on the metrics, and where the metrics are kept."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from datapact_dagster.checks.gx_worker import current_gx_worker
from datapact_dagster.checks.result import CheckResult
from datapact_dagster.checks.rules import HISTORY_KINDS
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.contract.model import ContractSet
from datapact_dagster.monitoring.anomaly import judge_monitors
from datapact_dagster.monitoring.measure import measure, profiled_columns
from datapact_dagster.monitoring.model import RunKind, TableMetrics
from datapact_dagster.monitoring.warehouse_copy import copy_to_warehouse
from datapact_dagster.pipeline.partition_step import checked_across_partitions
from datapact_dagster.plan.project import TablePlan
from datapact_dagster.warehouse.catalog import relation_columns
from datapact_dagster.warehouse.key_counts import counting_keys
from datapact_dagster.warehouse.partitions import Window
from datapact_dagster.warehouse.profile import RelationProfile, profile, with_distinct

if TYPE_CHECKING:
    from datapact_dagster.pipeline.table_run import RunContext


def audit(
    ctx: RunContext,
    contract_set: ContractSet,
    plan: TablePlan,
    specs: Sequence[CheckSpec],
    relation: str,
    as_of: datetime | None = None,
) -> list[CheckResult]:
    """`as_of`: the moment freshness is judged at (a past partition: the end of its window)."""
    from datapact_dagster.checks.engine import run_table_checks

    return run_table_checks(
        contract_set,
        plan.contract,
        plan.table,
        list(specs),
        relation,
        ctx.engine,
        published=contract_set.published_relations,
        now=as_of or ctx.clock(),
    )


HISTORY_LOADED = 7 * 365 + 7
"""The most recent runs of one kind read for a baseline: the longest weekday-seasonal one."""


def audit_and_measure(
    ctx: RunContext,
    contract_set: ContractSet,
    plan: TablePlan,
    specs: Sequence[CheckSpec],
    relation: str,
    run_kind: RunKind,
    build_seconds: float | None,
    as_of: datetime | None = None,
    window: Window | None = None,
) -> tuple[list[CheckResult], RelationProfile, TableMetrics]:
    """Every check on `relation`, the profile folded into the fingerprint query (no scan of
    its own, and no distinct count of a key a unique check counted: key_counts.py), this run's
    metrics and the anomaly monitors judged on them; results in spec order. A partition's
    (`window`) key rules also look at the other published partitions."""
    started = time.monotonic()
    nulls, keys = profiled_columns(plan.table, list(relation_columns(ctx.engine, relation)))
    worker = current_gx_worker()
    if worker is not None:
        worker.profile_along(relation, nulls, keys)
    with counting_keys() as counted:  # by the unique checks, when they run here
        if window is None:
            checked = audit(ctx, contract_set, plan, specs, relation, as_of)
        else:
            checked = checked_across_partitions(
                ctx.engine,
                plan.table,
                specs,
                relation,
                window,
                lambda: audit(ctx, contract_set, plan, specs, relation, as_of),
            )
    found = worker.take_profile(relation) if worker is not None else None
    if found is None:
        uncounted = [k for k in keys if k not in counted]
        measured = profile(ctx.engine, relation, nulls, uncounted)
        found = with_distinct(measured, ctx.engine, relation, keys, counted)
    history = plan_history(ctx, plan, run_kind)
    current = measure(
        plan.contract,
        plan.table,
        run_id=ctx.run_id,
        run_kind=run_kind,
        at=ctx.clock(),
        profile=found,
        results=checked,
        previous=next((m for m in reversed(history) if m.accepted), None),
        build_seconds=build_seconds,
        check_seconds=time.monotonic() - started,
    )
    done = {r.key for r in checked}
    monitors = [s for s in specs if s.kind in HISTORY_KINDS and s.key not in done]
    by_key = {r.key: r for r in [*checked, *judge_monitors(monitors, current, history)]}
    return [by_key[s.key] for s in specs if s.key in by_key], found, current


def plan_history(ctx: RunContext, plan: TablePlan, run_kind: RunKind) -> list[TableMetrics]:
    """The table's earlier runs of this kind, the baseline of its monitors."""
    if ctx.metrics is None:
        return []
    asset = "/".join(plan.table.asset_key)
    return ctx.metrics.history(asset, limit=HISTORY_LOADED, run_kind=run_kind)


def record_metrics(ctx: RunContext, metrics: TableMetrics) -> None:
    """Into the metrics store and the warehouse's `monitoring` schema (when monitoring is on)."""
    if ctx.metrics is None:
        return
    ctx.metrics.record(metrics)
    copy_to_warehouse(ctx.engine, metrics)
