"""The metrics history round-trips in the evidence database (SQLite, PostgreSQL), and its copy in
the warehouse (DuckDB, PostgreSQL) feeds the documented monitoring views."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from datapact_dagster.monitoring.model import TableMetrics
from datapact_dagster.monitoring.store import MetricsStore
from datapact_dagster.monitoring.warehouse_copy import VIEWS, copy_to_warehouse

START = datetime(2026, 11, 2, 6, tzinfo=UTC)


def run(day: int, rows: int, *, accepted: bool = True) -> TableMetrics:
    return TableMetrics(
        asset="bronze/raw_orders",
        physical_name="bronze.raw_orders",
        contract_id="commerce.raw_orders",
        contract_version="2.0.1",
        run_id=f"run-{day}",
        run_kind="build",
        recorded_at=START + timedelta(days=day, hours=day),
        row_count=rows,
        row_delta=None if day == 0 else rows - 1000,
        null_rates={"customer_id": 0.01 * day, "order_id": 0.0},
        distinct_counts={"order_id": rows},
        build_seconds=2.0,
        check_seconds=1.0 + day,
        freshness_lag_seconds=600.0 * (day + 1),
        checks_passed=16 if accepted else 15,
        checks_failed=0 if accepted else 1,
        breaker="closed" if accepted else "open",
        published=accepted,
        accepted=accepted,
    )


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'evidence.db'}"
        return
    url = request.getfixturevalue("pg_url")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS datapact_table_metrics"))
        conn.execute(sa.text("DROP SCHEMA IF EXISTS monitoring CASCADE"))
    engine.dispose()
    yield url


def test_the_history_round_trips_oldest_first(database_url: str) -> None:
    store = MetricsStore(database_url)
    written = [run(0, 1000), run(1, 1010), run(2, 100, accepted=False)]
    for metrics in reversed(written):  # recorded out of order: read back in time order
        store.record(metrics)

    assert store.history("bronze/raw_orders") == written
    assert store.history("bronze/raw_orders", limit=2) == written[1:]
    assert store.history("bronze/raw_orders", since=START + timedelta(days=1)) == written[1:]
    assert store.history("bronze/raw_orders", run_kind="check") == []
    assert store.history("gold/daily_revenue") == []
    store.close()


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "duckdb":
        engine = sa.create_engine(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    else:
        engine = sa.create_engine(request.getfixturevalue("database_url_pg"))
    yield engine
    engine.dispose()


@pytest.fixture
def database_url_pg(pg_url: str) -> str:
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS monitoring CASCADE"))
    engine.dispose()
    return pg_url


def test_the_monitoring_views_summarise_the_copied_runs(warehouse: sa.Engine) -> None:
    for metrics in (run(0, 1000), run(1, 1010), run(2, 100, accepted=False)):
        copy_to_warehouse(warehouse, metrics)

    with warehouse.connect() as conn:

        def rows(sql: str) -> list[tuple[object, ...]]:
            return [tuple(r) for r in conn.execute(sa.text(sql)).all()]

        assert len(VIEWS) == 4
        latest = rows("SELECT asset, row_count, breaker FROM monitoring.table_latest")
        assert latest == [("bronze/raw_orders", 100, "open")]
        daily = rows(
            "SELECT CAST(day AS VARCHAR(10)), builds, quarantined, max_freshness_lag_seconds "
            "FROM monitoring.table_daily ORDER BY day"
        )
        assert daily == [
            ("2026-11-02", 1, 0, 600.0),
            ("2026-11-03", 1, 0, 1200.0),
            ("2026-11-04", 1, 1, 1800.0),
        ]
        contract = rows(
            "SELECT contract_id, SUM(runs), SUM(quarantined), SUM(checks_failed) "
            "FROM monitoring.contract_daily GROUP BY contract_id"
        )
        assert contract == [("commerce.raw_orders", 3, 1, 1)]
        nulls = rows(
            "SELECT CAST(day AS VARCHAR(10)), max_null_rate FROM monitoring.column_daily "
            "WHERE column_name = 'customer_id' ORDER BY day"
        )
        assert nulls == [("2026-11-02", 0.0), ("2026-11-03", 0.01), ("2026-11-04", 0.02)]
