"""Write-audit-publish on the warehouse: stage, then publish by an atomic swap or quarantine.

Every state change is one transaction, so a crash at any moment leaves the published table as
it was: staging is a separate relation, and the swap (rename old away, rename staging in, drop
old) commits as a whole or not at all. Leftover staging tables are replaced by the next run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.engine import quote
from datapact_dagster.warehouse.names import (
    QUARANTINE_INDEX,
    QUARANTINE_SCHEMA,
    previous_name,
    quarantine_name,
    staging_name,
)
from datapact_dagster.warehouse.sql_parse import transpile


class StagingError(RuntimeError):
    """The table's SQL failed in the warehouse; nothing was published."""


@dataclass(frozen=True)
class Staged:
    relation: str
    row_count: int


def relation_exists(conn: sa.Connection, qualified: str) -> bool:
    """Whether `schema.table` (or `table` in the session's schema) exists."""
    schema, _, name = qualified.rpartition(".")
    return sa.inspect(conn).has_table(name, schema=schema or None)


def ensure_schema(engine: sa.Engine, schema: str) -> None:
    """Create `schema` if missing, in its own short transaction, safe when parallel steps race.

    `CREATE SCHEMA IF NOT EXISTS` alone is not: on PostgreSQL two transactions that both find
    the schema missing both insert it and one fails with a unique violation. A transaction lock
    on the schema's name makes the second wait for the first to commit; it then looks the schema
    up with a query (a fresh snapshot, where the catalog cache of its transaction is stale).
    """
    with engine.begin() as conn:
        for_engine(engine).lock_transaction(conn, ddl_lock_key(f"schema:{schema}"))
        if not sa.inspect(conn).has_schema(schema):
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {quote(engine, schema)}"))


def ddl_lock_key(name: str) -> int:
    """A stable signed 64-bit lock key for one shared DDL object (same in every process)."""
    digest = hashlib.sha256(f"datapact-ddl:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def row_count(conn: sa.Connection, engine: sa.Engine, relation: str) -> int:
    return int(
        conn.execute(sa.text(f"SELECT COUNT(*) FROM {quote(engine, relation)}")).scalar_one()
    )


def stage(engine: sa.Engine, physical_name: str, sql: str) -> Staged:
    """Build the table's new data into its staging relation."""
    dialect = for_engine(engine)
    staging = staging_name(physical_name)
    query = transpile(sql, dialect.sqlglot_dialect)
    schema, qualified, _ = physical_name.rpartition(".")
    try:
        if qualified:
            ensure_schema(engine, schema)
        with engine.begin() as conn:
            dialect.configure_session(conn)  # the table's SQL runs inside the sandbox
            conn.execute(sa.text(dialect.drop_table(quote(engine, staging))))
            conn.execute(sa.text(dialect.create_table_as(quote(engine, staging), query)))
            count = row_count(conn, engine, staging)
    except sa.exc.DBAPIError as exc:
        detail = str(exc.orig or exc).strip().splitlines()[0]
        raise StagingError(f"building {physical_name} failed in the warehouse: {detail}") from exc
    return Staged(relation=staging, row_count=count)


def publish(engine: sa.Engine, physical_name: str, staged: Staged) -> None:
    """Atomically replace the published table with the staged one."""
    dialect = for_engine(engine)
    previous = quote(engine, previous_name(physical_name))
    previous_table = quote(engine, previous_name(physical_name).rpartition(".")[2])
    table = quote(engine, physical_name.rpartition(".")[2])
    with engine.begin() as conn:
        conn.execute(sa.text(dialect.drop_table(previous)))
        if relation_exists(conn, physical_name):
            conn.execute(
                sa.text(dialect.rename_table(quote(engine, physical_name), previous_table))
            )
        conn.execute(sa.text(dialect.rename_table(quote(engine, staged.relation), table)))
        conn.execute(sa.text(dialect.drop_table(previous)))


def _ensure_quarantine_index(engine: sa.Engine) -> None:
    """The quarantine schema and its index table, created once even when quarantines race."""
    ensure_schema(engine, QUARANTINE_SCHEMA)
    with engine.begin() as conn:
        for_engine(engine).lock_transaction(conn, ddl_lock_key(f"table:{QUARANTINE_INDEX}"))
        if relation_exists(conn, QUARANTINE_INDEX):
            return
        conn.execute(
            sa.text(
                f"CREATE TABLE IF NOT EXISTS {quote(engine, QUARANTINE_INDEX)} ("
                "relation VARCHAR(255) PRIMARY KEY, source_table VARCHAR(255) NOT NULL, "
                "run_id VARCHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL, "
                "row_count BIGINT NOT NULL, reason VARCHAR(4000) NOT NULL)"
            )
        )


def quarantine(
    engine: sa.Engine, physical_name: str, staged: Staged, run_id: str, reason: str
) -> str:
    """Move rejected staged data into a quarantine table named after the run."""
    dialect = for_engine(engine)
    target = quarantine_name(physical_name.rpartition(".")[2], run_id)
    _ensure_quarantine_index(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(dialect.drop_table(quote(engine, target))))
        source = quote(engine, staged.relation)
        conn.execute(
            sa.text(dialect.create_table_as(quote(engine, target), f"SELECT * FROM {source}"))
        )
        conn.execute(sa.text(f"DROP TABLE {quote(engine, staged.relation)}"))
        conn.execute(
            sa.text(f"DELETE FROM {quote(engine, QUARANTINE_INDEX)} WHERE relation = :r"),
            {"r": target},
        )
        conn.execute(
            sa.text(
                f"INSERT INTO {quote(engine, QUARANTINE_INDEX)} "
                "(relation, source_table, run_id, created_at, row_count, reason) "
                "VALUES (:relation, :source, :run_id, :created_at, :rows, :reason)"
            ),
            {
                "relation": target,
                "source": physical_name,
                "run_id": run_id,
                "created_at": datetime.now(UTC).replace(tzinfo=None),
                "rows": staged.row_count,
                "reason": reason[:4000],
            },
        )
    return target


def purge_quarantine(engine: sa.Engine, keep_days: int, now: datetime | None = None) -> list[str]:
    """Drop quarantine tables older than `keep_days`; returns the dropped relations."""
    cutoff = (now or datetime.now(UTC)).replace(tzinfo=None) - timedelta(days=keep_days)
    _ensure_quarantine_index(engine)
    with engine.begin() as conn:
        old = [
            row[0]
            for row in conn.execute(
                sa.text(
                    f"SELECT relation FROM {quote(engine, QUARANTINE_INDEX)} "
                    "WHERE created_at < :cutoff"
                ),
                {"cutoff": cutoff},
            )
        ]
        for relation in old:
            conn.execute(sa.text(for_engine(engine).drop_table(quote(engine, relation))))
            conn.execute(
                sa.text(f"DELETE FROM {quote(engine, QUARANTINE_INDEX)} WHERE relation = :r"),
                {"r": relation},
            )
    return old


def discard_staging(engine: sa.Engine, physical_name: str) -> None:
    statement = for_engine(engine).drop_table(quote(engine, staging_name(physical_name)))
    with engine.begin() as conn:
        conn.execute(sa.text(statement))


def fingerprint(engine: sa.Engine, relation: str) -> tuple[int, str]:
    """Row count and an order-independent content hash of a relation."""
    sql = for_engine(engine).fingerprint_query(quote(engine, relation))
    with engine.connect() as conn:
        count, digest = conn.execute(sa.text(sql)).one()
    return int(count), str(digest)
