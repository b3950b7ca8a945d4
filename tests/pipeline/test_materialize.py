"""The whole medallion in process on a temp DuckDB (and a real PostgreSQL): WAP end to end."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from datapact_dagster.defs.resources import DataPactResource
from datapact_dagster.evidence.store import EvidenceStore
from tests.pipeline.conftest import materialize_tables

ALL_TABLES = {
    ("bronze", "raw_customers"),
    ("bronze", "raw_orders"),
    ("bronze", "raw_customer_events"),
    ("silver", "customers"),
    ("silver", "orders"),
    ("silver", "customer_events"),
    ("gold", "customer_profile"),
    ("gold", "daily_revenue"),
}


def _materialized(result: dg.ExecuteInProcessResult) -> set[tuple[str, ...]]:
    return {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}


def _failed_checks(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}


def _count(url: str, relation: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {relation}")).scalar_one())
    finally:
        engine.dispose()


def test_clean_data_builds_every_table_and_passes_every_check(
    definitions: dg.Definitions,
    landing_factory: Callable[..., Path],
    resource_for: Callable[[str, Path], DataPactResource],
    instance: dg.DagsterInstance,
    warehouse_url: str,
) -> None:
    resource = resource_for(warehouse_url, landing_factory())
    result = materialize_tables(definitions, resource, instance)
    assert result.success
    assert _materialized(result) == ALL_TABLES
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == sum(len(a.check_keys) for a in definitions.assets or [])
    assert _failed_checks(result) == set()
    assert _count(warehouse_url, "bronze.raw_orders") == 3000
    profile = next(
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["gold", "customer_profile"])
    )
    lineage = profile.metadata["dagster/column_lineage"].value.deps_by_column
    assert lineage["lifetime_value"] == [
        dg.TableColumnDep(asset_key=dg.AssetKey(["silver", "orders"]), column_name="net_amount")
    ]
    assert profile.metadata["dagster/row_count"].value > 0
    assert str(profile.metadata["evidence_report"].value).endswith(".html")
    assert _count(warehouse_url, "gold.customer_profile") == _count(
        warehouse_url, "silver.customers"
    )
    store = EvidenceStore(resource.evidence_url or "")
    decisions = [r for r in store.records() if r.kind == "decision"]
    assert sorted(r.asset_key for r in decisions) == sorted("/".join(k) for k in ALL_TABLES)
    assert store.verify().ok


def test_schema_drift_quarantines_and_holds_downstream(
    definitions: dg.Definitions,
    landing_factory: Callable[..., Path],
    resource_for: Callable[[str, Path], DataPactResource],
    instance: dg.DagsterInstance,
    warehouse_url: str,
) -> None:
    assert materialize_tables(
        definitions, resource_for(warehouse_url, landing_factory()), instance
    ).success
    published_before = _count(warehouse_url, "bronze.raw_orders")

    drifted = resource_for(warehouse_url, landing_factory("schema_drift"))
    result = materialize_tables(definitions, drifted, instance)

    # A breach is not a crash: the step ends, the run succeeds, the checks say what failed.
    assert result.success
    built = _materialized(result)
    assert ("bronze", "raw_orders") not in built
    held = {("silver", "orders"), ("gold", "daily_revenue"), ("gold", "customer_profile")}
    assert not built & held
    # held tables are not judged: none of their data checks is evaluated, so none reads as
    # failed; only their breaker check fails, naming the breach upstream
    evaluations = result.get_asset_check_evaluations()
    judged = {
        tuple(e.asset_key.path)
        for e in evaluations
        if not e.check_name.endswith("__contract_in_force")
    }
    assert not judged & held
    in_force = {
        tuple(e.asset_key.path): e
        for e in evaluations
        if e.check_name.endswith("__contract_in_force")
    }
    for table in held:
        assert not in_force[table].passed
        assert "Held: upstream commerce.raw_orders" in (in_force[table].description or "")
    assert _failed_checks(result) == {
        "raw_orders__table__schema",
        "raw_orders__contract_in_force",
        "orders__contract_in_force",
        "daily_revenue__contract_in_force",
        "customer_profile__contract_in_force",
    }
    observed = {
        tuple(e.asset_key.path): e.event_specific_data.asset_observation.metadata
        for e in result.all_events
        if e.event_type_value == "ASSET_OBSERVATION"
        and "state" in e.event_specific_data.asset_observation.metadata
    }
    assert observed[("bronze", "raw_orders")]["state"].value == "breached"
    assert "evidence_summary" in observed[("bronze", "raw_orders")]
    for table in held:
        assert observed[table]["state"].value == "held"
        assert "raw_orders__table__schema" in str(observed[table]["held_reason"].value)
    assert _count(warehouse_url, "bronze.raw_orders") == published_before
    engine = sa.create_engine(warehouse_url)
    with engine.connect() as conn:
        relation, rows = conn.execute(
            sa.text(
                "SELECT relation, row_count FROM quarantine.dp_quarantine_index "
                "WHERE source_table = 'bronze.raw_orders'"
            )
        ).one()
        columns = set(
            conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'quarantine' AND table_name = :t"
                ),
                {"t": relation.split(".")[1]},
            ).scalars()
        )
    engine.dispose()
    assert rows == 3000 == _count(warehouse_url, relation)
    assert "order_amount" in columns and "amount" not in columns


def test_check_only_run_revalidates_without_rebuilding(
    definitions: dg.Definitions,
    landing_factory: Callable[..., Path],
    resource_for: Callable[[str, Path], DataPactResource],
    instance: dg.DagsterInstance,
    tmp_path: Path,
) -> None:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    resource = resource_for(url, landing_factory())
    assert materialize_tables(definitions, resource, instance, "+key:bronze/raw_orders").success
    result = materialize_tables(
        definitions,
        resource,
        instance,
        dg.AssetSelection.checks_for_assets(dg.AssetKey(["bronze", "raw_orders"])),
    )
    assert result.success
    assert result.get_asset_materialization_events() == []
    names = {e.check_name for e in result.get_asset_check_evaluations()}
    assert "raw_orders__order_id__unique" in names and all(
        e.passed for e in result.get_asset_check_evaluations()
    )


def test_check_only_job_refuses_to_build_a_selected_table(
    definitions: dg.Definitions,
    landing_factory: Callable[..., Path],
    resource_for: Callable[[str, Path], DataPactResource],
    instance: dg.DagsterInstance,
    tmp_path: Path,
) -> None:
    from datapact_dagster.defs.jobs import contract_checks

    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    job = dg.Definitions(
        assets=list(definitions.assets or []),
        jobs=[contract_checks],
        resources={"datapact": resource_for(url, landing_factory())},
    ).resolve_job_def("contract_checks")

    result = job.execute_in_process(
        instance=instance,
        asset_selection=[dg.AssetKey(["bronze", "raw_orders"])],
        raise_on_error=False,
    )

    assert not result.success
    assert result.get_asset_materialization_events() == []
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "never builds them" in str(failure.step_failure_data.error.message)
    assert "datapact check --select key:bronze/raw_orders" in str(
        failure.step_failure_data.user_failure_data.description
    )
    assert _count(url, "information_schema.tables WHERE table_name = 'raw_orders'") == 0
