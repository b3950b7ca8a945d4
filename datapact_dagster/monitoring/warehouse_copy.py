"""Each run's metrics copied into the warehouse (`monitoring` schema) with views over them, so a
BI tool connected to the warehouse reads the history without reaching the evidence store."""

from __future__ import annotations

import sqlalchemy as sa

from datapact_dagster.monitoring.columns import run_columns
from datapact_dagster.monitoring.model import TableMetrics
from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.names import MONITORING_SCHEMA
from datapact_dagster.warehouse.relations import ddl_lock_key, ensure_schema

metadata = sa.MetaData(schema=MONITORING_SCHEMA)

runs = sa.Table(
    "table_runs",
    metadata,
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    *run_columns(),
)
columns = sa.Table(
    "column_runs",
    metadata,
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("asset", sa.String(512), nullable=False),
    sa.Column("run_id", sa.String(128), nullable=False),
    sa.Column("column_name", sa.String(255), nullable=False),
    sa.Column("null_rate", sa.Double, nullable=False),
    sa.Column("distinct_count", sa.BigInteger),
)

_PER_DAY = "CAST(recorded_at AS DATE)"
_VIEWS = {
    "table_latest": f"""
        SELECT * FROM (
            SELECT r.*, ROW_NUMBER() OVER (PARTITION BY asset ORDER BY recorded_at DESC) AS n
            FROM {MONITORING_SCHEMA}.table_runs AS r
        ) AS ranked WHERE n = 1""",
    "table_daily": f"""
        SELECT asset, contract_id, {_PER_DAY} AS day,
            COUNT(*) AS runs,
            SUM(CASE WHEN run_kind = 'build' THEN 1 ELSE 0 END) AS builds,
            SUM(CASE WHEN run_kind = 'build' AND NOT published THEN 1 ELSE 0 END) AS quarantined,
            MIN(row_count) AS min_row_count, MAX(row_count) AS max_row_count,
            AVG(build_seconds) AS avg_build_seconds, AVG(check_seconds) AS avg_check_seconds,
            MAX(freshness_lag_seconds) AS max_freshness_lag_seconds,
            SUM(checks_passed) AS checks_passed, SUM(checks_failed) AS checks_failed,
            SUM(checks_errored) AS checks_errored,
            SUM(CASE WHEN breaker = 'open' THEN 1 ELSE 0 END) AS runs_breaker_open
        FROM {MONITORING_SCHEMA}.table_runs
        GROUP BY asset, contract_id, {_PER_DAY}""",
    "contract_daily": f"""
        SELECT contract_id, {_PER_DAY} AS day,
            COUNT(DISTINCT asset) AS tables, COUNT(*) AS runs,
            SUM(CASE WHEN run_kind = 'build' AND NOT published THEN 1 ELSE 0 END) AS quarantined,
            SUM(checks_passed) AS checks_passed, SUM(checks_failed) AS checks_failed,
            SUM(checks_errored) AS checks_errored,
            MAX(freshness_lag_seconds) AS max_freshness_lag_seconds
        FROM {MONITORING_SCHEMA}.table_runs
        GROUP BY contract_id, {_PER_DAY}""",
    "column_daily": f"""
        SELECT asset, column_name, {_PER_DAY} AS day,
            AVG(null_rate) AS avg_null_rate, MAX(null_rate) AS max_null_rate,
            MIN(distinct_count) AS min_distinct_count, MAX(distinct_count) AS max_distinct_count
        FROM {MONITORING_SCHEMA}.column_runs
        GROUP BY asset, column_name, {_PER_DAY}""",
}
VIEWS = tuple(f"{MONITORING_SCHEMA}.{name}" for name in _VIEWS)


def ensure_monitoring(engine: sa.Engine) -> None:
    """The tables and views, made once (a lock keeps parallel steps from racing)."""
    ensure_schema(engine, MONITORING_SCHEMA)
    with engine.begin() as conn:
        for_engine(engine).lock_transaction(conn, ddl_lock_key(f"schema:{MONITORING_SCHEMA}"))
        inspector = sa.inspect(conn)
        present = set(inspector.get_view_names(schema=MONITORING_SCHEMA))
        metadata.create_all(conn, checkfirst=True)
        for name, body in _VIEWS.items():
            if name not in present:
                conn.execute(sa.text(f"CREATE VIEW {MONITORING_SCHEMA}.{name} AS {body}"))


def copy_to_warehouse(engine: sa.Engine, metrics: TableMetrics) -> None:
    ensure_monitoring(engine)
    at = metrics.recorded_at.replace(tzinfo=None)  # naive UTC, as the warehouse compares it
    run = {c.name: getattr(metrics, c.name, None) for c in runs.columns}
    run["recorded_at"] = at
    per_column = [
        {
            "recorded_at": at,
            "asset": metrics.asset,
            "run_id": metrics.run_id,
            "column_name": name,
            "null_rate": rate,
            "distinct_count": metrics.distinct_counts.get(name),
        }
        for name, rate in metrics.null_rates.items()
    ]
    with engine.begin() as conn:
        conn.execute(runs.insert().values(**run))
        if per_column:
            conn.execute(columns.insert(), per_column)
