"""The metrics history: one row per table per run, next to the evidence (same database URL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from datapact_dagster.monitoring.columns import run_columns
from datapact_dagster.monitoring.model import TableMetrics
from datapact_dagster.warehouse.dialects import lock_transaction
from datapact_dagster.warehouse.relations import ddl_lock_key
from datapact_dagster.warehouse.urls import installed_driver_url

metadata = sa.MetaData()

table_metrics = sa.Table(
    "datapact_table_metrics",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    *run_columns(),
    sa.Column("null_rates", sa.Text, nullable=False),
    sa.Column("distinct_counts", sa.Text, nullable=False),
    sa.Index("ix_datapact_table_metrics_asset", "asset", "recorded_at"),
)
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
SQLITE_TIMEOUT_SECONDS = 60


class MetricsStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        # two workers opening a new server store at once would both create the table (and one
        # fail on the server's catalog): the second waits for the first to commit
        with self.engine.begin() as conn:
            lock_transaction(conn, ddl_lock_key(f"table:{table_metrics.name}"))
            metadata.create_all(conn, checkfirst=True)

    def record(self, metrics: TableMetrics) -> None:
        with self.engine.begin() as conn:
            conn.execute(table_metrics.insert().values(**to_row(metrics)))

    def history(
        self,
        asset: str,
        since: datetime | None = None,
        limit: int | None = None,
        run_kind: str | None = None,
    ) -> list[TableMetrics]:
        """The table's recorded runs (of one kind when given), oldest first (the newest `limit`
        when given)."""
        query = sa.select(table_metrics).where(table_metrics.c.asset == asset)
        if run_kind is not None:
            query = query.where(table_metrics.c.run_kind == run_kind)
        if since is not None:
            query = query.where(table_metrics.c.recorded_at >= timestamp(since))
        query = query.order_by(table_metrics.c.recorded_at.desc(), table_metrics.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [from_row(row) for row in reversed(rows)]

    def assets(self) -> list[str]:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(table_metrics.c.asset).distinct()).scalars().all()
        return sorted(found)

    def close(self) -> None:
        self.engine.dispose()


@cache
def metrics_store(url: str) -> MetricsStore:
    """One store per database URL in a process."""
    return MetricsStore(url)


def timestamp(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def to_row(m: TableMetrics) -> dict[str, object]:
    return {
        "recorded_at": timestamp(m.recorded_at),
        "asset": m.asset,
        "physical_name": m.physical_name,
        "contract_id": m.contract_id,
        "contract_version": m.contract_version,
        "run_id": m.run_id,
        "run_kind": m.run_kind,
        "row_count": m.row_count,
        "row_delta": m.row_delta,
        "build_seconds": m.build_seconds,
        "check_seconds": m.check_seconds,
        "freshness_lag_seconds": m.freshness_lag_seconds,
        "checks_passed": m.checks_passed,
        "checks_failed": m.checks_failed,
        "checks_errored": m.checks_errored,
        "breaker": m.breaker,
        "published": m.published,
        "accepted": m.accepted,
        "null_rates": json.dumps(m.null_rates, sort_keys=True),
        "distinct_counts": json.dumps(m.distinct_counts, sort_keys=True),
    }


def from_row(row: sa.RowMapping) -> TableMetrics:
    return TableMetrics(
        asset=row["asset"],
        physical_name=row["physical_name"],
        contract_id=row["contract_id"],
        contract_version=row["contract_version"],
        run_id=row["run_id"],
        run_kind=row["run_kind"],
        recorded_at=datetime.strptime(row["recorded_at"], TIMESTAMP_FORMAT).replace(tzinfo=UTC),
        row_count=int(row["row_count"]),
        row_delta=None if row["row_delta"] is None else int(row["row_delta"]),
        null_rates=json.loads(row["null_rates"]),
        distinct_counts=json.loads(row["distinct_counts"]),
        build_seconds=row["build_seconds"],
        check_seconds=float(row["check_seconds"]),
        freshness_lag_seconds=row["freshness_lag_seconds"],
        checks_passed=int(row["checks_passed"]),
        checks_failed=int(row["checks_failed"]),
        checks_errored=int(row["checks_errored"]),
        breaker=row["breaker"],
        published=bool(row["published"]),
        accepted=bool(row["accepted"]),
    )


def _create_engine(url: str) -> sa.Engine:
    url = installed_driver_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(url, connect_args={"timeout": SQLITE_TIMEOUT_SECONDS})
