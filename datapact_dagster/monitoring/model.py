"""One run's metrics of one table: what the history and the anomaly monitors are made of."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

RunKind = Literal["build", "check"]
BreakerState = Literal["closed", "open"]
METRICS = ("row_count", "row_delta", "null_rate", "freshness_lag")


@dataclass(frozen=True)
class TableMetrics:
    asset: str
    """The table's asset path, e.g. `bronze/raw_orders`."""
    physical_name: str
    contract_id: str
    contract_version: str
    run_id: str
    run_kind: RunKind
    recorded_at: datetime
    """UTC, aware."""
    row_count: int
    row_delta: int | None = None
    """Rows gained since the table's previous accepted run of the same kind: for a build, against
    the data in force (None for the first)."""
    null_rates: dict[str, float] = field(default_factory=dict)
    distinct_counts: dict[str, int] = field(default_factory=dict)
    build_seconds: float | None = None
    check_seconds: float = 0.0
    freshness_lag_seconds: float | None = None
    checks_passed: int = 0
    checks_failed: int = 0
    checks_errored: int = 0
    breaker: BreakerState = "closed"
    published: bool = False
    accepted: bool = False
    """No blocking check failed: the run may join the baseline of later runs."""

    def value(self, metric: str, column: str | None = None) -> float | None:
        """The metric an anomaly monitor watches, or None when this run did not measure it."""
        if metric == "row_count":
            return float(self.row_count)
        if metric == "row_delta":
            return None if self.row_delta is None else float(self.row_delta)
        if metric == "null_rate":
            return self.null_rates.get(column or "")
        if metric == "freshness_lag":
            return self.freshness_lag_seconds
        raise ValueError(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")

    def with_changes(self, **changes: object) -> TableMetrics:
        return replace(self, **changes)  # type: ignore[arg-type]
