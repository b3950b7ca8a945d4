"""One table's write-audit-publish step, independent of Dagster.

stage (build new data aside) -> audit (every contract check on the staged data) -> record the
evidence -> publish by atomic swap when no blocking check failed, otherwise quarantine.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa

from datapact_dagster.checks.gx_context import gx_loading_meanwhile
from datapact_dagster.checks.result import CheckResult
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.contract.model import ContractSet, Table
from datapact_dagster.evidence.model import DataArrival, Decision
from datapact_dagster.evidence.store import utc_timestamp
from datapact_dagster.monitoring.measure import with_verdicts
from datapact_dagster.monitoring.model import TableMetrics
from datapact_dagster.monitoring.store import MetricsStore
from datapact_dagster.pipeline.failpoints import failpoint
from datapact_dagster.pipeline.partition_step import (
    forget_published_keys,
    partition_sql,
    partition_window,
    publish_window,
)
from datapact_dagster.pipeline.table_metrics import audit_and_measure, record_metrics
from datapact_dagster.plan.project import TablePlan
from datapact_dagster.settings import DEFAULT_KEEP_VERSIONS
from datapact_dagster.warehouse import wap
from datapact_dagster.warehouse.engine import sqlglot_dialect
from datapact_dagster.warehouse.landing import (
    LANDING_SCHEMA,
    expose_landing,
    landing_file,
    whole_landing_file,
)
from datapact_dagster.warehouse.sql_parse import table_refs


class EvidenceSink(Protocol):
    def record_checks(
        self,
        plan: TablePlan,
        results: Sequence[CheckResult],
        fingerprint: tuple[int, str],
        run_id: str,
        suite_digest: str,
        arrival: DataArrival | None = None,
    ) -> None: ...

    def record_decision(
        self, plan: TablePlan, decision: Decision, run_id: str, details: dict[str, object]
    ) -> None: ...

    def keep_contract(self, plan: TablePlan, root: Path) -> None: ...


@dataclass(frozen=True)
class RunContext:
    engine: sa.Engine
    landing_dir: Path
    run_id: str
    evidence: EvidenceSink | None = None
    quarantine_days: int = 7
    keep_versions: int = DEFAULT_KEEP_VERSIONS
    """Earlier published versions kept per table for `datapact rollback`."""
    now: datetime | None = None
    started_at: datetime | None = None
    """When the run started (Dagster's run record); None: when this step started."""
    metrics: MetricsStore | None = None
    """Where each run's table metrics go; anomaly monitors read their baseline there."""
    partition: str | None = None
    """The partition key a run builds; a partitioned table is then built for that window only."""

    def clock(self) -> datetime:
        return self.now or datetime.now(UTC)

    def arrival(self, landing_names: Sequence[str] = ()) -> DataArrival:
        """The newest landing file read, else the run's start (for time to detect)."""
        started = utc_timestamp(self.started_at or self.clock())
        newest: tuple[float, str] | None = None
        for name in landing_names:
            path = landing_file(self.landing_dir, name)
            newest = max(newest or (0.0, ""), (path.stat().st_mtime, path.name))
        if newest is None:
            return DataArrival(started, "run start", started)
        moment = datetime.fromtimestamp(newest[0], UTC)
        return DataArrival(utc_timestamp(moment), f"landing file {newest[1]}", started)


@dataclass
class TableOutcome:
    table: Table
    results: list[CheckResult]
    published: bool
    rows: int
    fingerprint: tuple[int, str] | None = None
    quarantine_relation: str | None = None
    seconds: float = 0.0
    metrics: TableMetrics | None = None

    @property
    def blocking_failures(self) -> list[CheckResult]:
        return blocking_failures(self.results)


def blocking_failures(results: Sequence[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.spec.blocking and r.verdict.breaches]


def _suite_digest(ctx: RunContext, plan: TablePlan) -> str:
    return plan.suite_for(sqlglot_dialect(ctx.engine)).digest


def build_and_publish(ctx: RunContext, contract_set: ContractSet, plan: TablePlan) -> TableOutcome:
    table = plan.table
    started = time.monotonic()
    window = partition_window(table, ctx.partition)
    try:
        sql = table.sql_path.read_text(encoding="utf-8")
        landing_names = [ref.name for ref in table_refs(sql) if ref.schema == LANDING_SCHEMA]
        for name in landing_names:
            expose_landing(ctx.engine, ctx.landing_dir, name)
        arrival = ctx.arrival(landing_names)
        whole_file = whole_landing_file(ctx.landing_dir, sql) if window is None else None
        with gx_loading_meanwhile():  # the checks' library loads while the warehouse stages
            staged = wap.stage(
                ctx.engine, table.physical_name, partition_sql(table, sql, window), whole_file
            )
        failpoint("staged", table.physical_name)
        results, found, measured = audit_and_measure(
            ctx,
            contract_set,
            plan,
            plan.specs,
            staged.relation,
            "build",
            time.monotonic() - started,
            as_of=None if window is None else min(ctx.clock(), window.end.replace(tzinfo=UTC)),
            window=window,
        )
        fingerprint = found.fingerprint
        failpoint("audited", table.physical_name)
    except Exception as exc:
        # A crashed build is evidence too: recorded as an error, never as a pass.
        if ctx.evidence is not None:
            ctx.evidence.record_decision(
                plan,
                Decision.ERROR,
                ctx.run_id,
                {"stage": "build and audit", "error": f"{type(exc).__name__}: {exc}"[:2000]},
            )
        wap.discard_staging(ctx.engine, table.physical_name)
        raise
    metrics = with_verdicts(measured, results, published=not blocking_failures(results))
    if ctx.evidence is not None or ctx.metrics is not None:
        try:
            if ctx.evidence is not None:
                ctx.evidence.record_checks(
                    plan, results, fingerprint, ctx.run_id, _suite_digest(ctx, plan), arrival
                )
                ctx.evidence.keep_contract(plan, contract_set.root)
            record_metrics(ctx, metrics)
        except Exception:
            # Fail closed: data whose audit could not be recorded is never published.
            wap.discard_staging(ctx.engine, table.physical_name)
            raise
        failpoint("checks_recorded", table.physical_name)
    outcome = TableOutcome(
        table=table,
        results=results,
        published=False,
        rows=staged.row_count,
        fingerprint=fingerprint,
        metrics=metrics,
    )
    failures = outcome.blocking_failures
    if failures:
        reason = "; ".join(f"{r.key}: {r.summary}" for r in failures)
        outcome.quarantine_relation = wap.quarantine(
            ctx.engine, table.physical_name, staged, ctx.run_id, reason
        )
        wap.purge_quarantine(ctx.engine, ctx.quarantine_days, keep_versions=ctx.keep_versions)
        if ctx.evidence is not None:
            ctx.evidence.record_decision(
                plan,
                Decision.QUARANTINE,
                ctx.run_id,
                {
                    "relation": outcome.quarantine_relation,
                    "rows": staged.row_count,
                    "failed_checks": [r.key for r in failures],
                    **({"partition": window.key} if window is not None else {}),
                },
            )
    else:
        if ctx.evidence is not None:
            details: dict[str, object] = {"rows": staged.row_count}
            if window is not None:
                details["partition"] = window.key
            ctx.evidence.record_decision(plan, Decision.PUBLISH, ctx.run_id, details)
        failpoint("decided", table.physical_name)
        if window is not None:
            publish_window(ctx.engine, table, plan.specs, staged.relation, window)
        else:
            wap.publish(
                ctx.engine,
                table.physical_name,
                staged,
                run_id=ctx.run_id,
                fingerprint=fingerprint,
                keep_versions=ctx.keep_versions,
            )
            forget_published_keys(ctx.engine, table)
        outcome.published = True
        failpoint("published", table.physical_name)
    outcome.seconds = time.monotonic() - started
    return outcome


def check_published(
    ctx: RunContext, contract_set: ContractSet, plan: TablePlan, specs: Sequence[CheckSpec]
) -> TableOutcome:
    """Re-validate the published table without rebuilding it (monitoring)."""
    table = plan.table
    started = time.monotonic()
    with ctx.engine.connect() as conn:
        exists = wap.relation_exists(conn, table.physical_name)
    if not exists:
        results = [
            CheckResult(
                spec=s,
                passed=False,
                summary=f"{table.physical_name} has not been published yet",
                error="table not published yet",
            )
            for s in specs
        ]
        return TableOutcome(table=table, results=results, published=False, rows=0)
    results, found, measured = audit_and_measure(
        ctx, contract_set, plan, specs, table.physical_name, "check", None
    )
    fingerprint = found.fingerprint
    metrics = with_verdicts(measured, results, published=False)
    if ctx.evidence is not None:
        ctx.evidence.record_checks(
            plan, results, fingerprint, ctx.run_id, _suite_digest(ctx, plan), ctx.arrival()
        )
        ctx.evidence.keep_contract(plan, contract_set.root)
    record_metrics(ctx, metrics)
    return TableOutcome(
        table=table,
        results=results,
        published=False,
        rows=fingerprint[0],
        fingerprint=fingerprint,
        seconds=time.monotonic() - started,
        metrics=metrics,
    )
