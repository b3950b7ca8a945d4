from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.checks.shop_data import create_tables

ENGINES = ("duckdb", "postgresql")


class Warehouses:
    """The test warehouses, each created (with the shop tables) on first use."""

    def __init__(self, request: pytest.FixtureRequest, duckdb_path: Path) -> None:
        self._request = request
        self._duckdb_path = duckdb_path
        self._engines: dict[str, sa.Engine] = {}

    def __getitem__(self, name: str) -> sa.Engine:
        if name not in self._engines:
            url = (
                f"duckdb:///{self._duckdb_path}"
                if name == "duckdb"
                else self._request.getfixturevalue("pg_url")
            )
            engine = sa.create_engine(url)
            create_tables(engine)
            self._engines[name] = engine
        return self._engines[name]

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def warehouses(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Warehouses]:
    found = Warehouses(request, tmp_path_factory.mktemp("checks") / "warehouse.duckdb")
    yield found
    found.dispose()


@pytest.fixture(params=ENGINES)
def warehouse(request: pytest.FixtureRequest, warehouses: Warehouses) -> sa.Engine:
    return warehouses[request.param]
