"""Contracts written elsewhere build and are checked, on both warehouses, through Dagster.

The corpus (tests/fixtures/foreign/) keeps real physical names and mixed-case, spaced column
names; every table is built by an in-process materialize and every check is evaluated by GX
pushed down to the warehouse (DuckDB and a real PostgreSQL server).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from datapact_dagster.defs.resources import DataPactResource
from datapact_dagster.plan.project import load_project
from tests.checks.conftest import ENGINES
from tests.checks.foreign_project import foreign_project, write_landing

TABLES = {
    ("bronze", "tbl"): "tbl_1",
    ("bronze", "sites"): "raw.site_list",
    ("silver", "site_readings"): "analytics.site_readings",
    ("gold", "site_daily"): "analytics.site_daily",
}


def _warehouse_url(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if engine_name == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    url = request.getfixturevalue("pg_url")
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # each test starts from an empty warehouse
        for schema in ("raw", "analytics", "landing", "quarantine"):
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text("DROP TABLE IF EXISTS public.tbl_1, public.tbl_1__dp_staging"))
    engine.dispose()
    return url


def _materialize(
    url: str, landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dg.ExecuteInProcessResult:
    with foreign_project(monkeypatch, tmp_path / "state"):
        from datapact_dagster.definitions import defs

        monkeypatch.setenv("DATAPACT_WAREHOUSE_URL", url)
        resource = DataPactResource(
            warehouse_url=url,
            landing_dir=str(landing),
            evidence_url=f"sqlite:///{tmp_path / 'evidence.db'}",
        )
        with dg.instance_for_test() as instance:
            return dg.materialize(
                list(defs().assets or []),
                resources={"datapact": resource},
                instance=instance,
                raise_on_error=False,
            )


def test_the_plan_keeps_real_names_and_layers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with foreign_project(monkeypatch, tmp_path):
        project = load_project()
        found = {p.table.asset_key: p.table.physical_name for p in project.plans}
        keys = {spec.key for p in project.plans for spec in p.specs}
        daily = project.plan_for("site_daily").table
        sources = project.graph.asset_column_sources(daily.physical_name)
    assert found == TABLES
    assert sources["Reading Day"] == [(("silver", "site_readings"), "Reading Time")]
    assert sources["Mean Value"] == [(("silver", "site_readings"), "DataValue")]
    assert "tbl__UniqueID__not_null" in keys
    assert "tbl__DataValue__nullvalues" in keys
    assert "site_daily__table__primary_key" in keys
    assert "site_readings__Site_Name__site_named" in keys


@pytest.mark.parametrize("engine_name", ENGINES)
def test_foreign_contracts_build_and_pass_every_check(
    engine_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    url = _warehouse_url(engine_name, tmp_path, request)
    landing = write_landing(tmp_path / "landing")

    result = _materialize(url, landing, tmp_path, monkeypatch)

    materialized = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    assert materialized == set(TABLES)
    evaluations = result.get_asset_check_evaluations()
    failed = [(ev.check_name, ev.metadata) for ev in evaluations if not ev.passed]
    assert evaluations and not failed
    names = {ev.check_name for ev in evaluations}
    assert {"tbl__Reading_Time__freshness", "tbl__SiteCode__invalidvalues"} <= names
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                'SELECT "SiteCode", "Reading Day", "Readings" FROM analytics.site_daily '
                'ORDER BY "Readings" DESC, "SiteCode" LIMIT 1'
            )
        ).one()
        readings = conn.execute(sa.text('SELECT COUNT("UniqueID") FROM tbl_1')).scalar_one()
    engine.dispose()
    assert readings == 30
    assert row[0] in ("NORTH", "SOUTH", "EAST") and row[2] >= 1


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_breach_in_a_camel_case_column_is_caught_and_blocks(
    engine_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    url = _warehouse_url(engine_name, tmp_path, request)
    landing = write_landing(tmp_path / "landing", negative_value=True)

    result = _materialize(url, landing, tmp_path, monkeypatch)

    evaluations = {ev.check_name: ev for ev in result.get_asset_check_evaluations()}
    assert not evaluations["tbl__DataValue__between"].passed
    materialized = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    assert ("bronze", "tbl") not in materialized
    assert ("silver", "site_readings") not in materialized
    assert ("bronze", "sites") in materialized
