"""The sample's daily event partitions through Dagster, on DuckDB and PostgreSQL: each run
builds one day with write-audit-publish, a bad day is quarantined with the other days intact,
re-running a day is idempotent, three days backfilled as three partition runs, and each
partition's checks are readable per partition from Dagster's event log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import sqlalchemy as sa
from dagster._core.event_api import PartitionKeyFilter

from datapact_dagster.defs.resources import DataPactResource

EVENT_TABLES = dg.AssetSelection.keys(
    dg.AssetKey(["bronze", "raw_customers"]),
    dg.AssetKey(["silver", "customers"]),
    dg.AssetKey(["bronze", "raw_customer_events"]),
    dg.AssetKey(["silver", "customer_events"]),
)
BAD_CHECK = dg.AssetCheckKey(
    dg.AssetKey(["bronze", "raw_customer_events"]),
    "raw_customer_events__event_type__invalid_values",
)
TODAY = datetime.now(UTC).date()
DAYS = [(TODAY - timedelta(days=n)).isoformat() for n in (3, 2, 1)]


def _build(
    definitions: dg.Definitions,
    resource: DataPactResource,
    instance: dg.DagsterInstance,
    day: str,
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        list(definitions.assets or []),
        resources={"datapact": resource},
        instance=instance,
        selection=EVENT_TABLES,
        partition_key=day,
        raise_on_error=False,
    )


def _rows_by_day(url: str, table: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(f"SELECT CAST(event_ts AS DATE), COUNT(*) FROM {table} GROUP BY 1")
            )
            return {str(day): int(count) for day, count in rows}
    finally:
        engine.dispose()


def test_days_build_one_at_a_time_and_a_bad_day_is_quarantined_alone(
    definitions: dg.Definitions,
    landing_factory: Callable[..., Path],
    resource_for: Callable[[str, Path], DataPactResource],
    instance: dg.DagsterInstance,
    warehouse_url: str,
) -> None:
    bad_day = DAYS[1]
    resource = resource_for(warehouse_url, landing_factory(f"bad_event_day:{bad_day}"))
    # a backfill of three days, one run per partition as Dagster's launcher makes them
    results = {day: _build(definitions, resource, instance, day) for day in DAYS}

    bronze = _rows_by_day(warehouse_url, "bronze.raw_customer_events")
    silver = _rows_by_day(warehouse_url, "silver.customer_events")
    assert set(bronze) == {DAYS[0], DAYS[2]}, "the bad day is not published, the others are"
    assert set(silver) == {DAYS[0], DAYS[2]}
    assert all(count > 0 for count in bronze.values())
    bad_run = results[bad_day]
    failed = {
        (e.check_name, e.partition) for e in bad_run.get_asset_check_evaluations() if not e.passed
    }
    assert {f for f in failed if not f[0].endswith("__contract_in_force")} == {
        (BAD_CHECK.name, bad_day)
    }
    assert ("raw_customer_events__contract_in_force", None) in failed
    assert BAD_CHECK.asset_key not in {
        m.asset_key for m in bad_run.get_asset_materialization_events()
    }

    # each partition's check, read back per partition from Dagster's event log
    storage = instance.event_log_storage
    verdicts = {
        day: [
            r.evaluation.passed
            for r in storage.get_asset_check_execution_history(
                BAD_CHECK, limit=5, partition_filter=PartitionKeyFilter(key=day)
            )
            if r.evaluation is not None
        ]
        for day in DAYS
    }
    assert verdicts == {DAYS[0]: [True], DAYS[1]: [False], DAYS[2]: [True]}
    materialized = instance.get_materialized_partitions(BAD_CHECK.asset_key)
    assert materialized == {DAYS[0], DAYS[2]}

    # re-running a published day replaces it with the same rows
    again = _build(definitions, resource, instance, DAYS[0])
    assert again.success
    assert _rows_by_day(warehouse_url, "bronze.raw_customer_events") == bronze
    assert _rows_by_day(warehouse_url, "silver.customer_events") == silver
