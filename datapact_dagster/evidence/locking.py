"""Serialised write transactions, so two writers can never append to the same chain head."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event

from datapact_dagster.warehouse.dialects import lock_transaction

SQLITE_IMMEDIATE_OPTION = "datapact_sqlite_immediate"
# A fixed 64-bit key for the transaction lock, derived from a name so it is recognisable.
ADVISORY_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"datapact.evidence.append").digest()[:8], "big", signed=True
)


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Lets SQLAlchemy emit BEGIN itself so write transactions can be BEGIN IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def serialised_write(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the store-wide append lock until it commits or rolls back.

    SQLite: BEGIN IMMEDIATE takes the database write lock up front. A server database with
    transaction-level locks (`lock_transaction`) takes one on a fixed key. Other databases rely
    on the UNIQUE constraints on seq and prev_hash: a racing append fails instead of forking
    the chain.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.execution_options(**{SQLITE_IMMEDIATE_OPTION: True})
        with connection.begin():
            lock_transaction(connection, ADVISORY_LOCK_KEY)
            yield connection
