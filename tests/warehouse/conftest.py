"""A warehouse engine on each warehouse, with the schemas write-audit-publish uses dropped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa


@pytest.fixture(params=["duckdb", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    else:
        url = request.getfixturevalue("pg_url")
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        for schema in ("silver", "quarantine"):
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    yield eng
    eng.dispose()
