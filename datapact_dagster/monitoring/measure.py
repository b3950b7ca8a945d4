"""A run's metrics of one table, from what the step already computed: the staged row count,
the profile folded into the fingerprint query, the check results and the step's timings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from datapact_dagster.checks.result import CheckResult, Verdict
from datapact_dagster.checks.spec import CheckKind
from datapact_dagster.contract.model import Contract, Table
from datapact_dagster.monitoring.model import RunKind, TableMetrics
from datapact_dagster.warehouse.profile import RelationProfile


def profiled_columns(table: Table, present: Sequence[str]) -> tuple[list[str], list[str]]:
    """Columns whose null rate is measured (every declared one the relation has) and key
    columns whose distinct values are counted (primary key and unique columns)."""
    have = set(present)
    nulls = [c.name for c in table.columns if c.name in have]
    keys = [c.name for c in table.columns if (c.primary_key or c.unique) and c.name in have]
    return nulls, keys


def freshness_lag(results: Sequence[CheckResult]) -> float | None:
    """now - the newest value of the SLA column, as the freshness check measured it."""
    for result in results:
        if result.spec.kind is CheckKind.freshness and isinstance(result.observed, dict):
            age = result.observed.get("age_seconds")
            if age is not None:
                return float(age)
    return None


def measure(
    contract: Contract,
    table: Table,
    *,
    run_id: str,
    run_kind: RunKind,
    at: datetime,
    profile: RelationProfile,
    results: Sequence[CheckResult],
    previous: TableMetrics | None,
    build_seconds: float | None,
    check_seconds: float,
) -> TableMetrics:
    return TableMetrics(
        asset="/".join(table.asset_key),
        physical_name=table.physical_name,
        contract_id=contract.id,
        contract_version=contract.version,
        run_id=run_id,
        run_kind=run_kind,
        recorded_at=at,
        row_count=profile.row_count,
        row_delta=None if previous is None else profile.row_count - previous.row_count,
        null_rates=profile.null_rates(),
        distinct_counts=dict(profile.distinct),
        build_seconds=build_seconds,
        check_seconds=check_seconds,
        freshness_lag_seconds=freshness_lag(results),
    )


def with_verdicts(
    metrics: TableMetrics, results: Sequence[CheckResult], *, published: bool
) -> TableMetrics:
    """The metrics completed with the run's verdicts: check counts, the breaker state the
    verdicts leave (open when a blocking check failed) and whether the run is accepted."""
    verdicts = [r.verdict for r in results]
    blocked = any(r.spec.blocking and r.verdict.breaches for r in results)
    return metrics.with_changes(
        checks_passed=verdicts.count(Verdict.PASS),
        checks_failed=verdicts.count(Verdict.FAIL),
        checks_errored=verdicts.count(Verdict.ERROR),
        breaker="open" if blocked else "closed",
        published=published,
        accepted=not blocked,
    )
