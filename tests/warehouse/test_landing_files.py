"""Landing files are checked before a warehouse reads them: a refused file leaves the warehouse
untouched, on DuckDB and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from datapact_dagster.errors import EXIT_INVALID, UserError
from datapact_dagster.warehouse.landing import (
    LandingFileInvalid,
    LandingFileMissing,
    check_landing_files,
    expose_landing,
    inspect_landing_file,
    landing_file,
)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    table = pa.table({"id": list(range(500)), "name": [f"n{i}" for i in range(500)]})
    pq.write_table(table, folder / "items.parquet", row_group_size=100)
    return folder


@pytest.fixture(params=["duckdb", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    url = (
        f"duckdb:///{tmp_path / 'wh.duckdb'}"
        if request.param == "duckdb"
        else request.getfixturevalue("pg_url")
    )
    created = sa.create_engine(url)
    yield created
    with created.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS landing CASCADE")
    created.dispose()


def _landing_relations(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        if "landing" not in inspector.get_schema_names():
            return []
        return inspector.get_table_names("landing") + inspector.get_view_names("landing")


def test_a_good_file_is_described_and_exposed(engine: sa.Engine, landing: Path) -> None:
    described = inspect_landing_file(landing / "items.parquet")
    assert (described.rows, described.columns) == (500, ("id", "name"))

    relation = expose_landing(engine, landing, "items")

    with engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT COUNT(*) FROM {relation}").scalar_one() == 500


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (lambda p: p.write_bytes(b""), "is empty (0 bytes)"),
        (lambda p: p.write_bytes(p.read_bytes()[:700]), "is truncated"),
        (lambda p: p.write_bytes(os.urandom(4000)), "is not a Parquet file"),
        (lambda p: p.write_bytes(p.read_bytes()[:600] + p.read_bytes()[-400:]), "damaged"),
        (lambda p: p.write_bytes(b"PAR1" + os.urandom(100) + b"\0\0\0\0PAR1"), "damaged"),
    ],
    ids=["empty", "truncated", "garbage", "middle-cut", "bad-footer"],
)
def test_a_bad_file_is_refused_before_the_warehouse_reads_it(
    engine: sa.Engine, landing: Path, spoil, problem: str
) -> None:
    path = landing / "items.parquet"
    spoil(path)

    with pytest.raises(LandingFileInvalid) as refused:
        expose_landing(engine, landing, "items")

    assert problem in str(refused.value) and str(path) in str(refused.value)
    assert refused.value.exit_code == EXIT_INVALID
    assert _landing_relations(engine) == []


def test_two_files_answering_to_one_name_are_refused(landing: Path) -> None:
    (landing / "Items.parquet").write_bytes((landing / "items.parquet").read_bytes())
    with pytest.raises(LandingFileInvalid, match=r"Items\.parquet, items\.parquet .* keep exactly"):
        landing_file(landing, "items")


def test_a_file_over_the_limit_is_refused(landing: Path, monkeypatch) -> None:
    described = inspect_landing_file(landing / "items.parquet")
    monkeypatch.setenv("DATAPACT_LANDING_MAX_BYTES", str(described.data_bytes - 1))
    with pytest.raises(LandingFileInvalid, match="uncompressed, over the limit"):
        landing_file(landing, "items")
    monkeypatch.setenv("DATAPACT_LANDING_MAX_BYTES", "lots")
    with pytest.raises(UserError, match="not a positive whole number"):
        landing_file(landing, "items")


def test_every_problem_is_reported_at_once(landing: Path) -> None:
    (landing / "items.parquet").write_bytes(b"")
    with pytest.raises(LandingFileInvalid) as refused:
        check_landing_files(landing, ["items", "prices"])
    assert "is empty" in str(refused.value) and "prices.parquet is missing" in str(refused.value)
    with pytest.raises(LandingFileMissing):
        check_landing_files(landing, ["prices"])
