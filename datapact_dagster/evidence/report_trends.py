"""Per-table trends for the reports: each metric's history from the metrics store, with the
band and verdict each anomaly monitor recorded in the evidence for the same run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from datapact_dagster.monitoring.model import TableMetrics
from datapact_dagster.monitoring.store import metrics_store, timestamp

from .model import Record
from .store import EvidenceStore

MAX_POINTS = 60
"""The newest runs a trend shows."""
MAX_NULL_COLUMNS = 4
ANOMALY_SUFFIX = "_anomaly"


@dataclass(frozen=True)
class TrendPoint:
    at: str
    run_id: str
    value: float
    low: float | None = None
    high: float | None = None
    flagged: bool = False


@dataclass(frozen=True)
class TrendSeries:
    name: str
    metric: str
    column: str | None
    unit: str
    """rows, share (0-1) or seconds."""
    points: tuple[TrendPoint, ...]

    @property
    def has_band(self) -> bool:
        return any(p.low is not None for p in self.points)


@dataclass(frozen=True)
class TableTrend:
    asset: str
    contract_id: str
    series: tuple[TrendSeries, ...]


Band = tuple[float | None, float | None, bool]


def table_trends(
    store: EvidenceStore,
    records: Iterable[Record],
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[TableTrend, ...]:
    """A trend for every table the report's records name, newest MAX_POINTS runs each."""
    tables = sorted({(r.contract_id, r.asset_key) for r in records if r.asset_key})
    if not tables:
        return ()
    metrics = metrics_store(store.url)
    trends = []
    for contract_id, asset in tables:
        assert asset is not None
        history = metrics.history(asset, since=since, limit=None if until else MAX_POINTS)
        if until is not None:
            history = [m for m in history if m.recorded_at < until][-MAX_POINTS:]
        if not history:
            continue
        bands = _bands(store, contract_id, asset, since=history[0].recorded_at)
        trends.append(TableTrend(asset, contract_id, _series(history, bands)))
    return tuple(trends)


def _bands(
    store: EvidenceStore, contract_id: str, asset: str, since: datetime
) -> dict[tuple[str, str, str | None], Band]:
    """(run, metric, column) -> the band and verdict its anomaly monitor recorded."""
    found: dict[tuple[str, str, str | None], Band] = {}
    for record in store.records(since=since, contract_id=contract_id):
        if record.asset_key != asset or not (record.check_key or "").endswith(ANOMALY_SUFFIX):
            continue
        observed: Any = record.observed
        if isinstance(observed, dict) and isinstance(observed.get("value"), dict):
            observed = observed["value"]  # the store keeps a result's observed under "value"
        if not isinstance(observed, dict) or "metric" not in observed:
            continue
        band = observed.get("band") or {}
        found[(record.run_id or "", observed["metric"], observed.get("column"))] = (
            band.get("low"),
            band.get("high"),
            observed.get("status") == "anomaly",
        )
    return found


def _series(
    history: list[TableMetrics], bands: dict[tuple[str, str, str | None], Band]
) -> tuple[TrendSeries, ...]:
    def points(metric: str, column: str | None = None) -> tuple[TrendPoint, ...]:
        made = []
        for m in history:
            value = m.value(metric, column) if metric != "check_seconds" else m.check_seconds
            if value is None:
                continue
            low, high, flagged = bands.get((m.run_id, metric, column), (None, None, False))
            made.append(TrendPoint(timestamp(m.recorded_at), m.run_id, value, low, high, flagged))
        return tuple(made)

    series = [TrendSeries("row count", "row_count", None, "rows", points("row_count"))]
    if any(metric == "row_delta" for _, metric, _ in bands):
        series.append(TrendSeries("row change", "row_delta", None, "rows", points("row_delta")))
    watched = {column for _, metric, column in bands if metric == "null_rate" and column}
    with_nulls = {c for m in history for c, rate in m.null_rates.items() if rate > 0}
    for column in sorted(watched | with_nulls)[:MAX_NULL_COLUMNS]:
        series.append(
            TrendSeries(
                f"null rate of {column}", "null_rate", column, "share", points("null_rate", column)
            )
        )
    series.append(
        TrendSeries("check duration", "check_seconds", None, "seconds", points("check_seconds"))
    )
    lag = points("freshness_lag")
    if lag:
        series.append(TrendSeries("freshness lag", "freshness_lag", None, "seconds", lag))
    return tuple(s for s in series if s.points)
