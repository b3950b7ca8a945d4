"""Write-audit-publish on real DuckDB and PostgreSQL: atomic publish, quarantine, crash safety."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from datapact_dagster.warehouse import wap
from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.dialects.duckdb import QUARANTINE_KEPT_SUFFIX
from datapact_dagster.warehouse.names import QUARANTINE_INDEX
from tests.warehouse.support import relation_rows


def test_publish_swaps_staged_data_in(engine: sa.Engine) -> None:
    wap.publish(engine, "silver.t", wap.stage(engine, "silver.t", "SELECT 1 AS id"))
    staged = wap.stage(engine, "silver.t", "SELECT 2 AS id UNION ALL SELECT 3")
    assert staged.row_count == 2
    assert relation_rows(engine, "silver.t") == [(1,)], "staging must not touch the published table"
    wap.publish(engine, "silver.t", staged)
    assert relation_rows(engine, "silver.t") == [(2,), (3,)]
    with engine.connect() as conn:
        assert not wap.relation_exists(conn, staged.relation)


def test_quarantine_keeps_published_table_and_rejectedrelation_rows(engine: sa.Engine) -> None:
    wap.publish(engine, "silver.t", wap.stage(engine, "silver.t", "SELECT 1 AS id"))
    staged = wap.stage(engine, "silver.t", "SELECT 7 AS id UNION ALL SELECT 8")
    relation = wap.quarantine(engine, "silver.t", staged, "run-abc-123", "id out of range")
    assert relation.startswith("quarantine.t__runabc123")
    assert relation_rows(engine, "silver.t") == [(1,)]
    assert relation_rows(engine, relation) == [(7,), (8,)]
    with engine.connect() as conn:
        index = conn.execute(
            sa.text(f"SELECT source_table, row_count, reason FROM {QUARANTINE_INDEX}")
        ).all()
    assert [tuple(r) for r in index] == [("silver.t", 2, "id out of range")]


def test_quarantine_moves_the_staged_table_without_a_copy_where_the_warehouse_can(
    engine: sa.Engine,
) -> None:
    staged = wap.stage(engine, "silver.t", "SELECT 7 AS id UNION ALL SELECT 8")
    oid = "SELECT CAST(:name AS regclass)::oid"  # PostgreSQL's identity of a table
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            staged_oid = conn.execute(sa.text(oid), {"name": staged.relation}).scalar()
    if engine.dialect.name == "duckdb":
        with engine.connect() as conn:
            staged_oid = conn.execute(sa.text(DUCKDB_OID), {"name": "t__dp_staging"}).scalar()
    relation = wap.quarantine(engine, "silver.t", staged, "run-move-1", "id out of range")
    assert relation_rows(engine, relation) == [(7,), (8,)]
    name = relation.rpartition(".")[2]
    with engine.connect() as conn:
        assert not wap.relation_exists(conn, staged.relation)
        assert not wap.relation_exists(conn, f"silver.{name}")
        if engine.dialect.name == "postgresql":  # the same table, renamed and moved
            assert conn.execute(sa.text(oid), {"name": relation}).scalar() == staged_oid
        else:  # the same table, renamed in its schema, behind a view in the quarantine schema
            kept = f"{name}{QUARANTINE_KEPT_SUFFIX}"
            assert conn.execute(sa.text(DUCKDB_OID), {"name": kept}).scalar() == staged_oid
            assert relation_rows(engine, f"silver.{kept}") == [(7,), (8,)]


DUCKDB_OID = "SELECT table_oid FROM duckdb_tables() WHERE table_name = :name"


def test_purge_drops_only_expired_quarantine(engine: sa.Engine) -> None:
    staged = wap.stage(engine, "silver.t", "SELECT 1 AS id")
    relation = wap.quarantine(engine, "silver.t", staged, "run1", "bad")
    assert wap.purge_quarantine(engine, keep_days=7) == []
    later = datetime.now(UTC) + timedelta(days=8)
    assert wap.purge_quarantine(engine, keep_days=7, now=later) == [relation]
    with engine.connect() as conn:
        assert not wap.relation_exists(conn, relation)
        leftovers = [r for r in _relations(conn) if r.startswith("t__")]
    assert leftovers == []  # nothing kept behind it either


def test_purge_drops_a_quarantine_copied_before_moves_were_views(engine: sa.Engine) -> None:
    staged = wap.stage(engine, "silver.t", "SELECT 1 AS id")
    relation = wap.quarantine(engine, "silver.t", staged, "run-old", "bad")
    with engine.begin() as conn:  # the layout an older DataPact left: a table of its own
        conn.execute(sa.text(f"CREATE TABLE dp_old AS SELECT * FROM {relation}"))
        for_engine(engine).drop_moved(conn, relation, "silver.t")
        conn.execute(sa.text(f"CREATE TABLE {relation} AS SELECT * FROM dp_old"))
        conn.execute(sa.text("DROP TABLE dp_old"))
    later = datetime.now(UTC) + timedelta(days=8)
    assert wap.purge_quarantine(engine, keep_days=7, now=later) == [relation]
    with engine.connect() as conn:
        assert not wap.relation_exists(conn, relation)


def _relations(conn: sa.Connection) -> list[str]:
    """Every table and view name in the schemas a quarantine touches."""
    rows = conn.execute(
        sa.text(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema IN ('silver', 'quarantine')"
        )
    )
    return [r[0] for r in rows]


def test_failing_sql_leaves_published_table_alone(engine: sa.Engine) -> None:
    wap.publish(engine, "silver.t", wap.stage(engine, "silver.t", "SELECT 1 AS id"))
    with pytest.raises(wap.StagingError, match=r"building silver\.t failed"):
        wap.stage(engine, "silver.t", "SELECT missing_column FROM silver.t")
    assert relation_rows(engine, "silver.t") == [(1,)]


KILL_MID_PUBLISH = textwrap.dedent("""
    import os, signal, sys
    import sqlalchemy as sa
    from sqlalchemy import event
    from datapact_dagster.warehouse import wap

    engine = sa.create_engine(sys.argv[1])
    staged = wap.stage(engine, "silver.t", "SELECT 99 AS id")

    @event.listens_for(engine, "before_cursor_execute")
    def kill_after_first_rename(conn, cursor, statement, *args):
        if "RENAME TO" in statement and "__dp_staging" in statement:
            os.kill(os.getpid(), signal.SIGKILL)  # the old table is already renamed away

    wap.publish(engine, "silver.t", staged)
""")


def test_process_killed_mid_publish_leaves_published_table_intact(engine: sa.Engine) -> None:
    wap.publish(engine, "silver.t", wap.stage(engine, "silver.t", "SELECT 1 AS id"))
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()  # DuckDB: one writer process at a time
    proc = subprocess.run([sys.executable, "-c", KILL_MID_PUBLISH, url], capture_output=True)
    assert proc.returncode == -9, proc.stderr.decode()
    assert relation_rows(engine, "silver.t") == [(1,)]


def test_fingerprint_changes_with_content(engine: sa.Engine) -> None:
    wap.publish(engine, "silver.t", wap.stage(engine, "silver.t", "SELECT 1 AS id, 'a' AS v"))
    first = wap.fingerprint(engine, "silver.t")
    wap.publish(engine, "silver.t", wap.stage(engine, "silver.t", "SELECT 1 AS id, 'b' AS v"))
    second = wap.fingerprint(engine, "silver.t")
    assert first[0] == second[0] == 1
    assert first[1] != second[1]


def test_connection_lost_mid_publish_leaves_published_table_intact(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS silver CASCADE"))
    wap.publish(engine, "silver.t", wap.stage(engine, "silver.t", "SELECT 1 AS id"))
    staged = wap.stage(engine, "silver.t", "SELECT 99 AS id")
    killer = sa.create_engine(pg_url)

    def drop_connection(conn, cursor, statement, *args) -> None:
        if "RENAME TO" in statement and "__dp_staging" in statement:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with killer.connect() as other:
                other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    sa.event.listen(engine, "before_cursor_execute", drop_connection)
    with pytest.raises(sa.exc.DBAPIError):
        wap.publish(engine, "silver.t", staged)
    sa.event.remove(engine, "before_cursor_execute", drop_connection)
    engine.dispose()
    assert relation_rows(engine, "silver.t") == [(1,)]
    killer.dispose()


def _race(calls: list) -> list[BaseException]:
    """Run the calls at the same moment on threads; returns what they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def worker(call) -> None:
        barrier.wait()
        try:
            call()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_parallel_steps_create_a_fresh_schema_once(pg_url: str) -> None:
    """Parallel steps on a fresh PostgreSQL warehouse: every one builds, none fails on the
    schema the others are creating (an unguarded CREATE SCHEMA IF NOT EXISTS races)."""
    engine = sa.create_engine(pg_url, pool_size=8)
    try:
        for attempt in range(8):
            schema = f"race_{attempt}"
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            tables = [f"{schema}.t{i}" for i in range(6)]
            errors = _race(
                [lambda t=t: wap.stage(engine, t, f"SELECT {len(t)} AS id") for t in tables]
            )
            assert errors == [], errors
            quarantines = _race(
                [
                    lambda t=t, run=f"run-{attempt}": wap.quarantine(
                        engine, t, wap.Staged(wap.staging_name(t), 1), run, "x"
                    )
                    for t in tables[:3]
                ]
            )
            assert quarantines == [], quarantines
    finally:
        with engine.begin() as conn:
            for attempt in range(8):
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS race_{attempt} CASCADE"))
        engine.dispose()
