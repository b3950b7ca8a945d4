"""The WarehouseDialect contract: one suite, run against every implementation on a real server.

A new warehouse joins `DIALECTS` and a fixture URL here; passing this suite is what it takes.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from datapact_dagster.warehouse import versions, wap
from datapact_dagster.warehouse.catalog import columns_remembered, relation_columns
from datapact_dagster.warehouse.dialects import (
    DIALECTS,
    WarehouseDialect,
    default_warehouse_url,
    dialect_names,
    for_engine,
    for_name,
    for_url,
    lock_transaction,
    source_dialect,
)
from datapact_dagster.warehouse.engine import warehouse_engine
from datapact_dagster.warehouse.landing import LANDING_SCHEMA, expose_landing
from datapact_dagster.warehouse.names import QUARANTINE_INDEX
from datapact_dagster.warehouse.types import COLUMN_TYPES, column_type, type_compatible

SCHEMA = "dp_contract"
TABLE = f"{SCHEMA}.t"
LANDING = "dp_contract_sample"
# the logical types a column declared as each logical type holds, on every warehouse
HOLDS = {
    "string": {"string"},
    "date": {"date"},
    "timestamp": {"timestamp"},
    "time": {"time"},
    "number": {"number"},
    "integer": {"integer", "number"},
    "boolean": {"boolean"},
}


# A URL of a throwaway warehouse per implementation: a new warehouse adds its own here.
WAREHOUSE_URLS: dict[str, Callable[[pytest.FixtureRequest, Path], str]] = {
    # the default file warehouse, in a folder that does not exist yet
    "duckdb": lambda request, tmp_path: default_warehouse_url(tmp_path / "state"),
    "postgresql": lambda request, tmp_path: request.getfixturevalue("pg_url"),
}


@pytest.fixture(params=[d.backend for d in DIALECTS])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    engine = warehouse_engine(WAREHOUSE_URLS[request.param](request, tmp_path))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    yield engine
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


def test_columns_are_read_once_within_a_check_run_and_afresh_after(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        conn.execute(sa.text(f"CREATE TABLE {SCHEMA}.remembered (a INTEGER)"))
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        with columns_remembered():
            first = relation_columns(engine, f"{SCHEMA}.remembered")
            read = len(statements)
            first["b"] = "changed by the caller"
            assert relation_columns(engine, f"{SCHEMA}.remembered") == {"a": first["a"]}
            assert len(statements) == read > 0
        with engine.begin() as conn:
            conn.execute(sa.text(f"ALTER TABLE {SCHEMA}.remembered ADD COLUMN b INTEGER"))
        assert list(relation_columns(engine, f"{SCHEMA}.remembered")) == ["a", "b"]
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _rows(engine: sa.Engine, query: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(query))]


def test_lookups_agree(engine: sa.Engine) -> None:
    dialect = for_engine(engine)
    assert for_url(engine.url.render_as_string(hide_password=False)) is dialect
    for name in (dialect.backend, dialect.sqlglot_dialect, *dialect.names):
        assert for_name(name) is dialect
        assert name in dialect_names()
    assert dialect.display_name and dialect.asset_kind
    assert isinstance(dialect, WarehouseDialect)


def test_columns_and_existence_of_tables_and_views(engine: sa.Engine) -> None:
    dialect = for_engine(engine)
    odd = 'odd "name.x'
    quoted_odd = '"odd ""name.x"'
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
        conn.execute(sa.text(f'CREATE TABLE {SCHEMA}.{quoted_odd} (b INTEGER, "A c" VARCHAR(5))'))
        conn.execute(sa.text(f"CREATE VIEW {SCHEMA}.v AS SELECT 1 AS one"))
    with engine.begin() as conn:
        # a missing relation answers empty and leaves the transaction usable
        assert dialect.column_types(conn, "missing", SCHEMA) == {}
        assert not dialect.has_relation(conn, "missing", SCHEMA)
        assert not dialect.has_relation(conn, odd, "no_such_schema")
        columns = dialect.column_types(conn, odd, SCHEMA)
        assert list(columns) == ["b", "A c"]
        assert columns["b"].lower() in ("integer", "int4")
        assert dialect.has_relation(conn, odd, SCHEMA)
        assert dialect.has_relation(conn, "v", SCHEMA)
        assert list(dialect.column_types(conn, "v", SCHEMA)) == ["one"]
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    assert list(relation_columns(engine, f"{SCHEMA}.v")) == ["one"]


def test_stage_publish_swap_and_quarantine(engine: sa.Engine) -> None:
    wap.publish(engine, TABLE, wap.stage(engine, TABLE, "SELECT 1 AS id, 'a' AS v"))
    staged = wap.stage(engine, TABLE, "SELECT 2 AS id, 'b' AS v UNION ALL SELECT 3, 'c'")
    assert staged.row_count == 2
    assert _rows(engine, f"SELECT id FROM {TABLE}") == [(1,)]
    before = wap.fingerprint(engine, TABLE)
    wap.publish(engine, TABLE, staged)
    assert _rows(engine, f"SELECT id FROM {TABLE} ORDER BY id") == [(2,), (3,)]
    after = wap.fingerprint(engine, TABLE)
    assert after[0] == 2 and after[1] != before[1]

    rejected = wap.stage(engine, TABLE, "SELECT 9 AS id, 'z' AS v")
    relation = wap.quarantine(engine, TABLE, rejected, "run-contract-1", "id out of range")
    assert _rows(engine, f"SELECT id FROM {TABLE} ORDER BY id") == [(2,), (3,)]
    assert _rows(engine, f"SELECT id, v FROM {relation}") == [(9, "z")]
    index = _rows(engine, f"SELECT source_table, row_count FROM {QUARANTINE_INDEX}")
    assert (TABLE, 1) in index
    # the session's PostgreSQL server also holds other tests' quarantines: those go too
    assert relation in wap.purge_quarantine(engine, keep_days=0, now=datetime(2999, 1, 1))
    with engine.connect() as conn:
        assert not wap.relation_exists(conn, relation)


def test_kept_versions_are_trimmed_and_restored(engine: sa.Engine) -> None:
    for run in ("1", "2", "3"):
        staged = wap.stage(engine, TABLE, f"SELECT {run} AS id, 'v{run}' AS v")
        wap.publish(engine, TABLE, staged, run_id=f"run-{run}", keep_versions=1)
    found = versions.list_versions(engine, TABLE)
    assert [(v.run_id, v.current) for v in found] == [("run-3", True), ("run-2", False)]
    with engine.connect() as conn:
        assert not wap.relation_exists(conn, f"{TABLE}__dp_vrun1")

    replaced, _ = versions.restore(engine, TABLE, found[1])

    assert _rows(engine, f"SELECT id, v FROM {TABLE}") == [(2, "v2")]
    assert replaced is not None
    assert _rows(engine, f"SELECT id, v FROM {replaced.relation}") == [(3, "v3")]
    assert (replaced.row_count, replaced.content_hash) == wap.fingerprint(engine, replaced.relation)


def test_staging_transpiles_source_sql(engine: sa.Engine) -> None:
    # `::` casts and `//` integer division are source-dialect spellings
    wap.publish(engine, TABLE, wap.stage(engine, TABLE, "SELECT '7'::BIGINT // 2 AS half"))
    assert _rows(engine, f"SELECT half FROM {TABLE}") == [(3,)]


def test_landing_parquet_is_readable(engine: sa.Engine, tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "name": pa.array(["ann", "o'brien"], pa.string()),
            "amount": pa.array([1.5, None], pa.float64()),
            "active": pa.array([True, False]),
            "day": pa.array([date(2024, 1, 2), date(2024, 2, 3)], pa.date32()),
            "at": pa.array([datetime(2024, 1, 2, 3, 4, 5)] * 2, pa.timestamp("us")),
        }
    )
    pq.write_table(table, tmp_path / f"{LANDING}.parquet")
    relation = expose_landing(engine, tmp_path, LANDING)
    assert relation == f"{LANDING_SCHEMA}.{LANDING}"
    assert _rows(engine, f"SELECT id, name, amount, active FROM {relation} ORDER BY id") == [
        (1, "ann", 1.5, True),
        (2, "o'brien", None, False),
    ]
    columns = relation_columns(engine, relation)
    declared = {
        "id": "integer",
        "name": "string",
        "amount": "number",
        "active": "boolean",
        "day": "date",
        "at": "timestamp",
    }
    assert {n: type_compatible(t, columns[n]) for n, t in declared.items()} == dict.fromkeys(
        declared, True
    )


def _write_landing(folder: Path, name: str, ids: list[int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id": pa.array(ids, pa.int64())}), folder / f"{name}.parquet")


def test_landing_stays_readable_inside_the_guarded_session(
    engine: sa.Engine, tmp_path: Path
) -> None:
    # a check session guards the warehouse before any landing file is exposed
    with for_engine(engine).check_session(engine) as conn:
        conn.execute(sa.text("SELECT 1"))
    landing = tmp_path / "landing"
    _write_landing(landing, LANDING, [1, 2, 3])
    relation = expose_landing(engine, landing, LANDING)
    assert _rows(engine, f"SELECT COUNT(*) FROM {relation}") == [(3,)]
    _write_landing(landing, LANDING, [4])  # the next run's file replaces it
    expose_landing(engine, landing, LANDING)
    wap.publish(engine, TABLE, wap.stage(engine, TABLE, f"SELECT id FROM {relation}"))
    assert _rows(engine, f"SELECT id FROM {TABLE}") == [(4,)]


def test_a_new_landing_file_is_readable_after_the_first(engine: sa.Engine, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _write_landing(landing, LANDING, [1])
    expose_landing(engine, landing, LANDING)
    _write_landing(landing, f"{LANDING}_later", [5, 6])
    later = expose_landing(engine, landing, f"{LANDING}_later")
    assert _rows(engine, f"SELECT SUM(id) FROM {later}") == [(11,)]


# SQL each warehouse refuses in a check session, whatever role DataPact logs in with: host files
# and extensions (DuckDB); writes and server-side file functions (PostgreSQL)
REFUSED_IN_CHECKS: dict[str, list[str]] = {
    "duckdb": [
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM glob('/root/*')",
        "COPY (SELECT 1) TO '/tmp/datapact_leak.csv'",
        "ATTACH '/tmp/datapact_other.duckdb' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET allowed_directories = ['/']",
    ],
    "postgresql": [
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT * FROM pg_ls_dir('/root')",
        "SELECT lo_import('/etc/passwd')",
        f"CREATE TABLE {SCHEMA}.written (a INT)",
        "CREATE TEMP TABLE written (a INT)",
    ],
}


def test_check_sessions_refuse_what_contract_sql_must_not_do(engine: sa.Engine) -> None:
    dialect = for_engine(engine)
    wap.ensure_schema(engine, SCHEMA)
    for statement in REFUSED_IN_CHECKS[dialect.backend]:
        with dialect.check_session(engine) as conn, pytest.raises(sa.exc.DBAPIError):
            conn.execute(sa.text(statement))
    wap.publish(engine, TABLE, wap.stage(engine, TABLE, "SELECT 7 AS id"))
    with dialect.check_session(engine) as conn:  # reading tables is what checks do
        assert conn.execute(sa.text(f"SELECT id FROM {TABLE}")).scalar() == 7


# table SQL each warehouse refuses to build from (on PostgreSQL the login role refuses file
# functions: DataPact's role is not a superuser, see docs/operations.md)
REFUSED_IN_BUILDS: dict[str, list[str]] = {
    "duckdb": [
        "SELECT content AS leaked FROM read_text('/etc/passwd')",
        "SELECT COUNT(*) AS n FROM glob('/root/*')",
    ],
    "postgresql": [],
}


def test_building_sql_runs_in_the_guarded_session(engine: sa.Engine) -> None:
    for query in REFUSED_IN_BUILDS[for_engine(engine).backend]:
        with pytest.raises(wap.StagingError, match=r"building dp_contract\.t failed"):
            wap.stage(engine, TABLE, query)


def test_logical_types_round_trip(engine: sa.Engine) -> None:
    dialect = for_engine(engine)
    columns = ", ".join(f"c_{t} {column_type(t, dialect)}" for t in COLUMN_TYPES)
    wap.ensure_schema(engine, SCHEMA)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {SCHEMA}.typed ({columns})"))
    reported = relation_columns(engine, f"{SCHEMA}.typed")
    for logical in COLUMN_TYPES:
        database_type = reported[f"c_{logical}"]
        holds = {t for t in COLUMN_TYPES if type_compatible(t, database_type)}
        assert holds == HOLDS[logical], (logical, database_type)


def test_session_settings_are_applied_once(engine: sa.Engine) -> None:
    dialect = for_engine(engine)
    with engine.connect() as conn:
        dialect.configure_session(conn)
        dialect.configure_session(conn)
        for statement in dialect.session_settings:
            match = re.fullmatch(r"SET (\w+) = (\S+)", statement)
            assert match, f"not a simple SET: {statement}"
            value = conn.execute(sa.text(f"SELECT current_setting('{match[1]}')")).scalar()
            assert str(value).lower() == match[2].lower()
    with dialect.check_limits(engine), dialect.check_limits(engine):
        assert _rows(engine, "SELECT 1") == [(1,)]


def test_regex_match_searches(engine: sa.Engine) -> None:
    dialect = for_engine(engine)
    cases = [("'abc-123'", "'[0-9]+$'", True), ("'abc'", "'^b'", False), ("'xaby'", "'ab'", True)]
    for text, pattern, expected in cases:
        assert _rows(engine, f"SELECT {dialect.regex_match(text, pattern)}") == [(expected,)]


def test_transaction_lock_is_taken_or_declined(engine: sa.Engine) -> None:
    with engine.connect() as conn, conn.begin():
        assert lock_transaction(conn, 4242) in (True, False)


def test_gx_reads_the_warehouse_through_its_data_source(engine: sa.Engine) -> None:
    from datapact_dagster.checks.gx_context import gx, table_batch

    wap.publish(engine, TABLE, wap.stage(engine, TABLE, "SELECT 1 AS id UNION ALL SELECT 2"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TableAsset schema_name
        batch = table_batch(engine, TABLE)
    result = batch.validate(gx().expectations.ExpectTableRowCountToEqual(value=2))
    assert result.success


def test_source_sql_is_a_known_dialect() -> None:
    assert source_dialect() in DIALECTS
