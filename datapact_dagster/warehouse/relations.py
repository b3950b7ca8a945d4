"""Asking the warehouse about relations and schemas, and the lock that serialises shared DDL."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.engine import quote


def relation_exists(conn: sa.Connection, qualified: str) -> bool:
    """Whether `schema.table` (or `table` in the session's schema) exists."""
    schema, _, name = qualified.rpartition(".")
    return for_engine(conn.engine).has_relation(conn, name, schema or None)


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


def fingerprint_on(conn: sa.Connection, engine: sa.Engine, relation: str) -> tuple[int, str]:
    """Row count and an order-independent content hash of a relation, read on `conn`."""
    sql = for_engine(engine).fingerprint_query(quote(engine, relation))
    count, digest = conn.execute(sa.text(sql)).one()
    return int(count), str(digest)
