from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from datapact_dagster.defs.resources import DataPactResource
from datapact_dagster.pipeline.run_partition import partition_now
from datapact_dagster.plan.project import load_project
from datapact_dagster.sample.generate import generate_landing
from tests.definitions_support import forget_definitions

AS_OF = datetime(2026, 11, 20, 12, tzinfo=UTC).replace(tzinfo=None)


@pytest.fixture(scope="session")
def definitions() -> dg.Definitions:
    forget_definitions()
    from datapact_dagster.definitions import defs

    return defs()


@pytest.fixture(scope="session")
def landing_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    made: dict[tuple[str, ...], Path] = {}

    def make(*breaches: str) -> Path:
        if breaches not in made:
            folder = tmp_path_factory.mktemp("landing")
            generate_landing(
                folder,
                rows=3000,
                seed=7,
                as_of=datetime.now(UTC).replace(tzinfo=None, microsecond=0),
                breaches=breaches,
            )
            made[breaches] = folder
        return made[breaches]

    return make


@pytest.fixture
def resource_for(tmp_path: Path) -> Callable[[str, Path], DataPactResource]:
    def make(warehouse_url: str, landing: Path) -> DataPactResource:
        return DataPactResource(
            warehouse_url=warehouse_url,
            landing_dir=str(landing),
            evidence_url=f"sqlite:///{tmp_path / 'evidence.db'}",
        )

    return make


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as inst:
        yield inst


def materialize_tables(
    definitions: dg.Definitions,
    resource: DataPactResource,
    instance: dg.DagsterInstance,
    selection: str | dg.AssetSelection | None = None,
) -> dg.ExecuteInProcessResult:
    """Run the project's assets in process against `resource`, never raising on failure; a
    partitioned table builds the partition in progress, as `datapact run` does."""
    graph = definitions.resolve_asset_graph()
    chosen = (
        dg.AssetSelection.all()
        if selection is None
        else dg.AssetSelection.from_coercible(selection)
    )
    tables = [tuple(k.path) for k in chosen.resolve(graph)]
    return dg.materialize(
        list(definitions.assets or []),
        resources={"datapact": resource},
        instance=instance,
        selection=selection,
        raise_on_error=False,
        partition_key=partition_now(load_project().plans, tables),
    )


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A warehouse of each kind, empty of the medallion's schemas."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    url = request.getfixturevalue("pg_url")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for schema in ("landing", "bronze", "silver", "gold", "quarantine"):
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()
    return url
