"""Write-audit-publish on the warehouse: stage, then publish by an atomic swap or quarantine.

Every state change is one transaction, so a crash at any moment leaves the published table as
it was: staging is a separate relation, and the swap (rename old away, rename staging in, drop
old) commits as a whole or not at all. Leftover staging tables are replaced by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.engine import quote
from datapact_dagster.warehouse.names import (
    QUARANTINE_INDEX,
    QUARANTINE_SCHEMA,
    quarantine_name,
    staging_name,
)
from datapact_dagster.warehouse.relations import (
    ddl_lock_key,
    ensure_schema,
    fingerprint_on,
    relation_exists,
    row_count,
)
from datapact_dagster.warehouse.sql_parse import transpile
from datapact_dagster.warehouse.versions import (
    ensure_version_index,
    lock_versions,
    purge_versions,
    record_current,
    set_current_aside,
    trim,
)

__all__ = [
    "Staged",
    "StagingError",
    "ddl_lock_key",
    "discard_staging",
    "ensure_schema",
    "fingerprint",
    "publish",
    "purge_quarantine",
    "quarantine",
    "relation_exists",
    "row_count",
    "stage",
    "staging_name",
]


class StagingError(RuntimeError):
    """The table's SQL failed in the warehouse; nothing was published."""


@dataclass(frozen=True)
class Staged:
    relation: str
    row_count: int


def stage(
    engine: sa.Engine, physical_name: str, sql: str, whole_file: Path | None = None
) -> Staged:
    """Build the table's new data into its staging relation: by running its SQL, or, given
    the large landing file it selects unchanged (`landing.whole_landing_file`), as the
    warehouse stages such a file (`stage_file`)."""
    dialect = for_engine(engine)
    staging = staging_name(physical_name)
    query = transpile(sql, dialect.sqlglot_dialect)
    schema, qualified, _ = physical_name.rpartition(".")
    try:
        if qualified:
            ensure_schema(engine, schema)
        with engine.begin() as conn:
            dialect.configure_session(conn)  # the table's SQL runs inside the sandbox
            dialect.drop_relation(conn, quote(engine, staging))
            if whole_file is None or not dialect.stage_file(
                conn, whole_file, quote(engine, staging), physical_name
            ):
                conn.execute(sa.text(dialect.create_table_as(quote(engine, staging), query)))
            count = row_count(conn, engine, staging)
    except sa.exc.DBAPIError as exc:
        detail = str(exc.orig or exc).strip().splitlines()[0]
        raise StagingError(f"building {physical_name} failed in the warehouse: {detail}") from exc
    finally:
        dialect.delete_unread_files(engine, physical_name)
    return Staged(relation=staging, row_count=count)


def publish(
    engine: sa.Engine,
    physical_name: str,
    staged: Staged,
    *,
    run_id: str = "",
    fingerprint: tuple[int, str] | None = None,
    keep_versions: int = 0,
    now: datetime | None = None,
) -> None:
    """Atomically replace the published table with the staged one.

    The table it replaces is kept as a version (see warehouse/versions.py), and only the newest
    `keep_versions` kept versions stay; with 0 it is dropped as soon as the swap commits.
    """
    dialect = for_engine(engine)
    table = quote(engine, physical_name.rpartition(".")[2])
    ensure_version_index(engine)
    with engine.begin() as conn:
        lock_versions(conn, engine, physical_name)
        new_fingerprint = fingerprint or fingerprint_on(conn, engine, staged.relation)
        set_current_aside(conn, engine, physical_name)
        conn.execute(sa.text(dialect.rename_table(quote(engine, staged.relation), table)))
        record_current(conn, engine, physical_name, run_id, new_fingerprint, now)
        trim(conn, engine, physical_name, keep_versions)
    dialect.delete_unread_files(engine, physical_name)


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
        dialect.drop_moved(conn, quote(engine, target), quote(engine, physical_name))
        schema, _, name = target.rpartition(".")
        source = quote(engine, staged.relation)
        for statement in dialect.move_table(source, quote(engine, schema), quote(engine, name)):
            conn.execute(sa.text(statement))
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
    dialect.delete_unread_files(engine, physical_name)
    return target


def purge_quarantine(
    engine: sa.Engine,
    keep_days: int,
    now: datetime | None = None,
    keep_versions: int | None = None,
) -> list[str]:
    """Drop quarantine tables older than `keep_days` and, when `keep_versions` is given, every
    table's kept published versions beyond the newest `keep_versions`; returns what was dropped.
    """
    cutoff = (now or datetime.now(UTC)).replace(tzinfo=None) - timedelta(days=keep_days)
    _ensure_quarantine_index(engine)
    with engine.begin() as conn:
        expired = conn.execute(
            sa.text(
                f"SELECT relation, source_table FROM {quote(engine, QUARANTINE_INDEX)} "
                "WHERE created_at < :cutoff"
            ),
            {"cutoff": cutoff},
        ).all()
        old = [relation for relation, _ in expired]
        for relation, source in expired:
            for_engine(engine).drop_moved(conn, quote(engine, relation), quote(engine, source))
            conn.execute(
                sa.text(f"DELETE FROM {quote(engine, QUARANTINE_INDEX)} WHERE relation = :r"),
                {"r": relation},
            )
    if keep_versions is not None:
        old += purge_versions(engine, keep_versions)
    for_engine(engine).delete_unread_files(engine)
    return old


def discard_staging(engine: sa.Engine, physical_name: str) -> None:
    dialect = for_engine(engine)
    with engine.begin() as conn:
        dialect.drop_relation(conn, quote(engine, staging_name(physical_name)))
    dialect.delete_unread_files(engine, physical_name)


def fingerprint(engine: sa.Engine, relation: str) -> tuple[int, str]:
    """Row count and an order-independent content hash of a relation."""
    with engine.connect() as conn:
        return fingerprint_on(conn, engine, relation)
