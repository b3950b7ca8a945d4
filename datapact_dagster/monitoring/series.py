"""A table's metrics history as flat rows: what `datapact metrics` prints and reports carry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datapact_dagster.monitoring.model import TableMetrics
from datapact_dagster.monitoring.store import timestamp

FIELDS = (
    "recorded_at",
    "run_id",
    "run_kind",
    "contract_version",
    "row_count",
    "row_delta",
    "build_seconds",
    "check_seconds",
    "freshness_lag_seconds",
    "checks_passed",
    "checks_failed",
    "checks_errored",
    "breaker",
    "published",
    "accepted",
)


def as_document(m: TableMetrics) -> dict[str, Any]:
    """One run as a JSON-ready mapping (null rates and distinct counts nested by column)."""
    document: dict[str, Any] = {name: getattr(m, name) for name in FIELDS}
    document["recorded_at"] = timestamp(m.recorded_at)
    document["null_rates"] = dict(m.null_rates)
    document["distinct_counts"] = dict(m.distinct_counts)
    return document


def flat_columns(history: Sequence[TableMetrics]) -> list[str]:
    """FIELDS, then `null_rate:<column>` and `distinct:<column>` for every column seen."""
    nulls = sorted({c for m in history for c in m.null_rates})
    keys = sorted({c for m in history for c in m.distinct_counts})
    return [*FIELDS, *(f"null_rate:{c}" for c in nulls), *(f"distinct:{c}" for c in keys)]


def flat_row(m: TableMetrics) -> dict[str, Any]:
    row = as_document(m)
    row.update({f"null_rate:{c}": v for c, v in row.pop("null_rates").items()})
    row.update({f"distinct:{c}": v for c, v in row.pop("distinct_counts").items()})
    return row
