"""After clean runs a lost share of rows fails the blocking volume monitor and nothing is
published; every run leaves its metrics; the metrics cost no query of their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from datapact_dagster.checks.engine import run_table_checks
from datapact_dagster.defs.resources import DataPactResource
from datapact_dagster.monitoring.store import MetricsStore
from datapact_dagster.pipeline.table_run import RunContext, build_and_publish, check_published
from datapact_dagster.plan.project import TablePlan, load_project
from datapact_dagster.warehouse import wap
from datapact_dagster.warehouse.engine import warehouse_engine
from tests.pipeline.conftest import materialize_tables

VOLUME_CHECK = "raw_orders__table__volume_anomaly"
ORDERS = dg.AssetSelection.assets(["bronze", "raw_customers"], ["bronze", "raw_orders"])


def test_a_volume_drop_after_clean_runs_is_held_with_its_band(
    definitions: dg.Definitions,
    landing_factory: Callable[..., Path],
    resource_for: Callable[[str, Path], DataPactResource],
    instance: dg.DagsterInstance,
    tmp_path: Path,
) -> None:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    clean = resource_for(url, landing_factory())
    for _ in range(3):  # the sample contract's minHistory
        result = materialize_tables(definitions, clean, instance, ORDERS)
        volume = _evaluation(result, VOLUME_CHECK)
        assert volume.passed
    # below the sample contract's minHistory the monitor learns, and says so
    assert volume.metadata["summary"].value.startswith("learning: 2 of 3 accepted runs")

    dropped = materialize_tables(
        definitions, resource_for(url, landing_factory("volume_drop")), instance, ORDERS
    )

    volume = _evaluation(dropped, VOLUME_CHECK)
    assert not volume.passed
    assert volume.severity is dg.AssetCheckSeverity.ERROR
    observed = volume.metadata["observed"].value["value"]
    assert observed["value"] == 300 and observed["status"] == "anomaly"
    assert observed["band"]["median"] == 3000 and observed["band"]["low"] > 300
    assert [point["value"] for point in observed["history"]] == [3000.0] * 3
    assert "row count 300 is below the expected" in volume.metadata["summary"].value
    materialized = {tuple(e.asset_key.path) for e in dropped.get_asset_materialization_events()}
    assert ("bronze", "raw_orders") not in materialized
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM bronze.raw_orders")).scalar() == 3000
        daily = conn.execute(
            sa.text(
                "SELECT builds, quarantined, min_row_count, max_row_count, runs_breaker_open "
                "FROM monitoring.table_daily WHERE asset = 'bronze/raw_orders'"
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in daily] == [(4, 1, 300, 3000, 1)]

    history = MetricsStore(clean.evidence_url or "").history("bronze/raw_orders")
    assert [m.row_count for m in history] == [3000, 3000, 3000, 300]
    assert [m.accepted for m in history] == [True, True, True, False]
    assert [m.breaker for m in history][-1] == "open"
    assert history[-1].row_delta == -2700
    assert history[0].distinct_counts == {"order_id": 3000}
    assert history[0].null_rates["customer_id"] == 0.0
    assert history[0].build_seconds is not None and history[0].check_seconds > 0
    materialization = next(
        e
        for e in result.get_asset_materialization_events()
        if tuple(e.asset_key.path) == ("bronze", "raw_orders")
    )
    meta = materialization.materialization.metadata
    assert meta["monitor/row_count"].value == 3000
    assert meta["monitor/null_rate/customer_id"].value == 0.0
    assert meta["monitor/row_delta"].value == 0


def _evaluation(result: dg.ExecuteInProcessResult, name: str) -> dg.AssetCheckEvaluation:
    return next(e for e in result.get_asset_check_evaluations() if e.check_name == name)


@pytest.fixture
def orders_plan() -> TablePlan:
    project = load_project()
    return next(p for p in project.plans if p.table.name == "raw_orders")


class StatementLog:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self) -> StatementLog:
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        self.statements.append(statement)

    def reading(self, relation: str) -> list[str]:
        name = relation.split(".")[-1]
        return [s for s in self.statements if name in s and "SELECT" in s.upper()]


@pytest.fixture
def published(
    orders_plan: TablePlan, landing_factory: Callable[..., Path], tmp_path: Path
) -> Iterator[tuple[RunContext, sa.Engine]]:
    engine = warehouse_engine(f"duckdb:///{tmp_path / 'wh.duckdb'}")
    store = MetricsStore(f"sqlite:///{tmp_path / 'evidence.db'}")
    ctx = RunContext(engine=engine, landing_dir=landing_factory(), run_id="r1", metrics=store)
    project = load_project()
    customers = next(p for p in project.plans if p.table.name == "raw_customers")
    build_and_publish(ctx, project.contracts, customers)
    assert build_and_publish(ctx, project.contracts, orders_plan).published
    yield ctx, engine
    engine.dispose()


def test_the_metrics_add_no_query_on_the_table(
    published: tuple[RunContext, sa.Engine], orders_plan: TablePlan
) -> None:
    ctx, engine = published
    contracts = load_project().contracts
    relation = orders_plan.table.physical_name
    specs = list(orders_plan.specs)

    def checks_and_fingerprint() -> None:  # the step's queries before monitoring
        contract, table = orders_plan.contract, orders_plan.table
        run_table_checks(contracts, contract, table, specs, relation, engine)
        wap.fingerprint(engine, relation)

    checks_and_fingerprint()  # GX probes a new batch's table once per process
    with StatementLog(engine) as plain:
        checks_and_fingerprint()
    with StatementLog(engine) as monitored:
        outcome = check_published(ctx, contracts, orders_plan, specs)

    assert len(monitored.reading(relation)) == len(plain.reading(relation))
    profiling = [s for s in monitored.statements if "hash(t)" in s]
    assert len(profiling) == 1 and 'COUNT(t."' in profiling[0], "folded into the fingerprint"
    recounted = [s for s in monitored.statements if "COUNT(DISTINCT" in s]
    assert not recounted, "order_id's distinct values are the unique check's groups"
    assert outcome.metrics is not None
    assert outcome.metrics.distinct_counts == {"order_id": 3000}
    assert set(outcome.metrics.null_rates) == {c.name for c in orders_plan.table.columns}
