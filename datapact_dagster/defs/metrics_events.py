"""A run's table metrics as numeric Dagster metadata, so the asset page plots each over time."""

from __future__ import annotations

import dagster as dg

from datapact_dagster import metadata_keys as mk
from datapact_dagster.monitoring.model import TableMetrics


def metrics_metadata(metrics: TableMetrics | None) -> dict[str, dg.MetadataValue]:
    if metrics is None:
        return {}
    meta: dict[str, dg.MetadataValue] = {
        mk.MONITOR_ROW_COUNT: dg.MetadataValue.int(metrics.row_count),
        mk.CHECK_SECONDS: dg.MetadataValue.float(round(metrics.check_seconds, 3)),
        mk.MONITOR_CHECKS_PASSED: dg.MetadataValue.int(metrics.checks_passed),
        mk.MONITOR_CHECKS_FAILED: dg.MetadataValue.int(metrics.checks_failed),
        mk.CHECKS_ERRORED: dg.MetadataValue.int(metrics.checks_errored),
        mk.BREAKER_OPEN: dg.MetadataValue.int(int(metrics.breaker == "open")),
    }
    if metrics.row_delta is not None:
        meta[mk.ROW_DELTA] = dg.MetadataValue.int(metrics.row_delta)
    if metrics.build_seconds is not None:
        meta[mk.BUILD_SECONDS] = dg.MetadataValue.float(round(metrics.build_seconds, 3))
    if metrics.freshness_lag_seconds is not None:
        meta[mk.FRESHNESS_LAG_SECONDS] = dg.MetadataValue.float(metrics.freshness_lag_seconds)
    for column, rate in metrics.null_rates.items():
        meta[mk.NULL_RATE_PREFIX + column] = dg.MetadataValue.float(round(rate, 6))
    for column, count in metrics.distinct_counts.items():
        meta[mk.DISTINCT_PREFIX + column] = dg.MetadataValue.int(count)
    return meta
