"""A table whose SQL selects a large landing file unchanged is published as the warehouse's own
copy of the file where the warehouse can (DuckDB: a view over `<database>.files/...`), and
write-audit-publish, versions, rollback, quarantine and purging keep working on it; a file no
view reads any more is deleted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from datapact_dagster.errors import UserError
from datapact_dagster.warehouse import versions, wap
from datapact_dagster.warehouse.dialects.duckdb_sandbox import lock_down, owned_files_dir
from datapact_dagster.warehouse.landing import (
    FILE_TABLES_OVER_ROWS_ENV,
    expose_landing,
    file_tables_over_rows,
    whole_landing_file,
)
from datapact_dagster.warehouse.partitions import publish_partition, window_for
from datapact_dagster.warehouse.sql_parse import selects_whole_table

TABLE = "bronze.items"
SQL = "SELECT * FROM landing.items"


def _write(path: Path, first: int, rows: int = 50) -> None:
    ids = list(range(first, first + rows))
    moments = [datetime(2026, 1, 1) + timedelta(hours=i % 24) for i in ids]
    pq.write_table(pa.table({"id": ids, "name": [f"n{i}" for i in ids], "ts": moments}), path)


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    _write(folder / "items.parquet", 0)
    monkeypatch.setenv(FILE_TABLES_OVER_ROWS_ENV, "10")
    return folder


@pytest.fixture
def engine(tmp_path: Path, landing: Path) -> Iterator[sa.Engine]:
    created = sa.create_engine(f"duckdb:///{tmp_path / 'wh.duckdb'}")
    expose_landing(created, landing, "items")
    yield created
    created.dispose()


def _scalar(engine: sa.Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


def _owned(engine: sa.Engine) -> set[str]:
    folder = owned_files_dir(engine.url.database)
    assert folder is not None
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _read_by_views(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        texts = [str(t) for (t,) in conn.exec_driver_sql("SELECT sql FROM duckdb_views()")]
    return {name for name in _owned(engine) if any(name in text for text in texts)}


def _kind(engine: sa.Engine, schema: str, name: str) -> object:
    return _scalar(
        engine,
        "SELECT table_type FROM information_schema.tables "
        f"WHERE table_schema = '{schema}' AND table_name = '{name}'",
    )


@pytest.mark.parametrize(
    ("sql", "whole"),
    [
        ("SELECT * FROM landing.items", "landing.items"),
        ("-- loaded unchanged\nselect *\nfrom landing.items\n", "landing.items"),
        ("SELECT * FROM landing.items WHERE id > 1", None),
        ("SELECT * FROM landing.items LIMIT 5", None),
        ("SELECT DISTINCT * FROM landing.items", None),
        ("SELECT *, 1 AS one FROM landing.items", None),
        ("SELECT * EXCLUDE (name) FROM landing.items", None),
        ("SELECT * FROM landing.items AS i(a, b)", None),
        ("SELECT * FROM landing.items, landing.other", None),
        ("SELECT * FROM landing.items ORDER BY id", None),
        ("SELECT * FROM landing.items USING SAMPLE 10%", None),
        ("SELECT * FROM landing.items UNION ALL SELECT * FROM landing.items", None),
        ("WITH x AS (SELECT 1) SELECT * FROM landing.items", None),
        ("SELECT id, name FROM landing.items", None),
    ],
)
def test_only_sql_returning_a_table_unchanged_selects_it_whole(sql: str, whole: str | None) -> None:
    found = selects_whole_table(sql)
    assert (found.qualified if found else None) == whole


def test_only_a_landing_file_over_the_row_setting_is_published_as_a_file(
    landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert whole_landing_file(landing, SQL) == landing / "items.parquet"
    assert whole_landing_file(landing, "SELECT * FROM landing.items WHERE id > 1") is None
    monkeypatch.setenv(FILE_TABLES_OVER_ROWS_ENV, "50")  # the file has 50 rows: not over
    assert whole_landing_file(landing, SQL) is None
    monkeypatch.delenv(FILE_TABLES_OVER_ROWS_ENV)
    assert file_tables_over_rows() == 500_000


@pytest.mark.parametrize("value", ["many", "-1", "1.5"])
def test_a_bad_row_setting_is_refused_naming_it(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FILE_TABLES_OVER_ROWS_ENV, value)
    with pytest.raises(UserError, match=f"{FILE_TABLES_OVER_ROWS_ENV}='{value}'.*whole number"):
        file_tables_over_rows()


def test_the_staged_file_is_the_databases_own_copy_with_the_loaded_rows(
    engine: sa.Engine, landing: Path
) -> None:
    loaded = wap.stage(engine, TABLE, SQL)
    loaded_print = wap.fingerprint(engine, loaded.relation)
    assert _kind(engine, "bronze", "items__dp_staging") == "BASE TABLE"

    staged = wap.stage(engine, TABLE, SQL, whole_landing_file(landing, SQL))

    assert _kind(engine, "bronze", "items__dp_staging") == "VIEW"
    assert (staged.row_count, wap.fingerprint(engine, staged.relation)) == (50, loaded_print)
    assert len(_owned(engine)) == 1
    wap.publish(engine, TABLE, staged, run_id="r1")
    _write(landing / "items.parquet", 1000)  # the next export replaces the landing file
    assert _scalar(engine, "SELECT min(id) FROM bronze.items") == 0


def test_versions_rollback_quarantine_and_purge_keep_exactly_the_files_views_read(
    engine: sa.Engine, landing: Path
) -> None:
    for run, first in (("r1", 0), ("r2", 100), ("r3", 200)):
        _write(landing / "items.parquet", first)
        staged = wap.stage(engine, TABLE, SQL, whole_landing_file(landing, SQL))
        wap.publish(engine, TABLE, staged, run_id=run, keep_versions=1)
        assert _owned(engine) == _read_by_views(engine)
    assert len(_owned(engine)) == 2  # r3 in force, r2 kept; r1's file deleted with its view

    kept = [v for v in versions.list_versions(engine, TABLE) if not v.current]
    versions.restore(engine, TABLE, kept[0])
    assert _scalar(engine, "SELECT min(id) FROM bronze.items") == 100

    _write(landing / "items.parquet", 300)
    staged = wap.stage(engine, TABLE, SQL, whole_landing_file(landing, SQL))
    target = wap.quarantine(engine, TABLE, staged, "bad-run", "a rule failed")
    assert _scalar(engine, f"SELECT min(id) FROM {target}") == 300
    assert len(_owned(engine)) == 3

    later = datetime.now(UTC) + timedelta(days=2)
    wap.purge_quarantine(engine, keep_days=1, now=later, keep_versions=0)
    assert len(_owned(engine)) == 1 == len(_read_by_views(engine))
    assert _scalar(engine, "SELECT min(id) FROM bronze.items") == 100


def test_a_discarded_staging_deletes_its_copy(engine: sa.Engine, landing: Path) -> None:
    wap.stage(engine, TABLE, SQL, whole_landing_file(landing, SQL))
    assert len(_owned(engine)) == 1
    wap.discard_staging(engine, TABLE)
    assert _owned(engine) == set()


def test_a_partition_published_onto_a_whole_file_table_turns_it_into_a_table(
    engine: sa.Engine, landing: Path
) -> None:
    wap.publish(engine, TABLE, wap.stage(engine, TABLE, SQL, whole_landing_file(landing, SQL)))
    window = window_for("2026-01-01", "daily")
    staged = wap.stage(engine, TABLE, "SELECT * FROM landing.items WHERE id < 10")

    publish_partition(engine, TABLE, staged.relation, "ts", window, ["id"])

    assert _kind(engine, "bronze", "items") == "BASE TABLE"
    assert _scalar(engine, "SELECT count(*) FROM bronze.items") == 10
    assert _owned(engine) == set()


def test_a_locked_down_database_reads_its_own_files_and_nothing_beside_them(
    engine: sa.Engine, landing: Path, tmp_path: Path
) -> None:
    wap.publish(engine, TABLE, wap.stage(engine, TABLE, SQL, whole_landing_file(landing, SQL)))
    engine.dispose()
    beside = tmp_path / "wh.duckdb.files2"  # its name starts like the owned folder's
    beside.mkdir()
    _write(beside / "items.parquet", 0)
    locked = sa.create_engine(f"duckdb:///{tmp_path / 'wh.duckdb'}")
    with locked.connect() as conn:
        lock_down(conn)
        assert conn.exec_driver_sql("SELECT count(*) FROM bronze.items").scalar() == 50
        with pytest.raises(sa.exc.DBAPIError, match="Permission"):
            conn.exec_driver_sql(f"SELECT * FROM read_parquet('{beside / 'items.parquet'}')")
    locked.dispose()


def test_an_in_memory_database_loads_the_file(landing: Path) -> None:
    memory = sa.create_engine("duckdb:///:memory:", poolclass=sa.pool.StaticPool)
    expose_landing(memory, landing, "items")
    staged = wap.stage(memory, TABLE, SQL, whole_landing_file(landing, SQL))
    assert staged.row_count == 50
    assert _kind(memory, "bronze", "items__dp_staging") == "BASE TABLE"


def test_postgresql_loads_the_file_as_before(pg_url: str, landing: Path) -> None:
    engine = sa.create_engine(pg_url)
    try:
        expose_landing(engine, landing, "items")
        staged = wap.stage(engine, "file_tables.items", SQL, whole_landing_file(landing, SQL))
        assert staged.row_count == 50
        with engine.connect() as conn:
            assert sa.inspect(conn).has_table("items__dp_staging", schema="file_tables")
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS file_tables CASCADE")
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS landing CASCADE")
        engine.dispose()
