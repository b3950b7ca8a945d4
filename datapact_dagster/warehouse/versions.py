"""The published versions kept of each table, so that a rollback can bring one back.

Publishing renames the table in force aside as `<table>__dp_v<run>` (in its own schema, so it
is a rename, never a copy) and the version index `quarantine.dp_version_index` records each
version: where its rows are now, the run that published it, when, its row count and content
hash. The version in force is the row whose relation is the table itself. Only the newest
`keep` versions besides it are kept; older ones are dropped with their rows in the index.

Every change happens inside the caller's transaction, under a lock on the table's versions, so
a crash leaves the table, its kept versions and the index as they were before.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.engine import quote
from datapact_dagster.warehouse.names import QUARANTINE_SCHEMA, VERSION_INDEX, version_name
from datapact_dagster.warehouse.relations import (
    ddl_lock_key,
    ensure_schema,
    fingerprint_on,
    relation_exists,
)

LEGACY_TOKEN = "legacy"
"""The name token of a table published before versions were kept (its run is not known)."""


class VersionError(RuntimeError):
    """A kept version cannot be restored (not kept, or its relation is gone)."""


@dataclass(frozen=True)
class PublishedVersion:
    relation: str
    """Where its rows are: the table itself for the version in force, else a kept relation."""
    table: str
    run_id: str
    """The run that published it; "" when not known (published before versions were kept)."""
    published_at: datetime
    row_count: int
    content_hash: str

    @property
    def current(self) -> bool:
        return self.relation == self.table


def ensure_version_index(engine: sa.Engine) -> None:
    """The version index, created once even when parallel publishes race."""
    ensure_schema(engine, QUARANTINE_SCHEMA)
    with engine.begin() as conn:
        for_engine(engine).lock_transaction(conn, ddl_lock_key(f"table:{VERSION_INDEX}"))
        if relation_exists(conn, VERSION_INDEX):
            return
        conn.execute(
            sa.text(
                f"CREATE TABLE IF NOT EXISTS {quote(engine, VERSION_INDEX)} ("
                "relation VARCHAR(255) NOT NULL, source_table VARCHAR(255) NOT NULL, "
                "run_id VARCHAR(64) NOT NULL, published_at TIMESTAMP NOT NULL, "
                "row_count BIGINT NOT NULL, content_hash VARCHAR(128) NOT NULL)"
            )
        )


def lock_versions(conn: sa.Connection, engine: sa.Engine, table: str) -> None:
    """Serialise changes to one table's versions until the transaction ends."""
    for_engine(engine).lock_transaction(conn, ddl_lock_key(f"versions:{table}"))


def versions_on(conn: sa.Connection, engine: sa.Engine, table: str) -> list[PublishedVersion]:
    """Every version of `table` in the index, the newest published first."""
    rows = conn.execute(
        sa.text(
            "SELECT relation, source_table, run_id, published_at, row_count, content_hash "
            f"FROM {quote(engine, VERSION_INDEX)} WHERE source_table = :t"
        ),
        {"t": table},
    )
    found = [PublishedVersion(r[0], r[1], r[2], r[3], int(r[4]), str(r[5])) for r in rows]
    return sorted(found, key=lambda v: (v.published_at, v.relation), reverse=True)


def list_versions(engine: sa.Engine, table: str) -> list[PublishedVersion]:
    """The versions of `table` (the one in force and the kept ones), newest published first."""
    ensure_version_index(engine)
    with engine.connect() as conn:
        return versions_on(conn, engine, table)


def set_current_aside(
    conn: sa.Connection, engine: sa.Engine, table: str
) -> PublishedVersion | None:
    """Rename the table in force to a kept relation; its index row follows it.

    A table published before versions were kept is recorded now, with no run.
    Returns the version as kept, or None when the table does not exist.
    """
    if not relation_exists(conn, table):
        # dropped by hand: its index row no longer describes anything
        conn.execute(
            sa.text(f"DELETE FROM {quote(engine, VERSION_INDEX)} WHERE relation = :r"),
            {"r": table},
        )
        return None
    current = next((v for v in versions_on(conn, engine, table) if v.current), None)
    if current is None:
        count, digest = fingerprint_on(conn, engine, table)
        current = PublishedVersion(table, table, "", _now(), count, digest)
        _insert(conn, engine, current)
    kept = _free_name(conn, engine, table, current.run_id)
    for_engine(engine).drop_relation(conn, quote(engine, kept))
    conn.execute(
        sa.text(
            for_engine(engine).rename_table(
                quote(engine, table), quote(engine, kept.rpartition(".")[2])
            )
        )
    )
    _move(conn, engine, table, kept)
    return PublishedVersion(
        kept, table, current.run_id, current.published_at, current.row_count, current.content_hash
    )


def record_current(
    conn: sa.Connection,
    engine: sa.Engine,
    table: str,
    run_id: str,
    fingerprint: tuple[int, str],
    now: datetime | None = None,
) -> None:
    """Record the data just renamed into `table` as the version in force."""
    moment = (now or datetime.now(UTC)).replace(tzinfo=None)
    _insert(conn, engine, PublishedVersion(table, table, run_id, moment, *fingerprint))


def trim(conn: sa.Connection, engine: sa.Engine, table: str, keep: int) -> list[str]:
    """Drop the kept versions of `table` beyond the newest `keep`; returns their relations."""
    kept = [v for v in versions_on(conn, engine, table) if not v.current]
    dropped = [v.relation for v in kept[max(keep, 0) :]]
    for relation in dropped:
        for_engine(engine).drop_relation(conn, quote(engine, relation))
        conn.execute(
            sa.text(f"DELETE FROM {quote(engine, VERSION_INDEX)} WHERE relation = :r"),
            {"r": relation},
        )
    return dropped


def restore(
    engine: sa.Engine, table: str, target: PublishedVersion
) -> tuple[PublishedVersion | None, PublishedVersion]:
    """Make the kept version `target` the one in force, in one transaction.

    The data in force becomes a kept version itself (so this can be undone the same way).
    Returns (the version replaced, now kept; the version restored, now in force).
    """
    ensure_version_index(engine)
    dialect = for_engine(engine)
    with engine.begin() as conn:
        lock_versions(conn, engine, table)
        known = {v.relation: v for v in versions_on(conn, engine, table)}
        if target.relation not in known or target.current:
            raise VersionError(f"{target.relation} is not a kept version of {table}")
        if not relation_exists(conn, target.relation):
            raise VersionError(
                f"the kept version {target.relation} of {table} is missing from the warehouse"
            )
        replaced = set_current_aside(conn, engine, table)
        conn.execute(
            sa.text(
                dialect.rename_table(
                    quote(engine, target.relation), quote(engine, table.rpartition(".")[2])
                )
            )
        )
        _move(conn, engine, target.relation, table)
    restored = PublishedVersion(
        table, table, target.run_id, target.published_at, target.row_count, target.content_hash
    )
    return replaced, restored


def purge_versions(engine: sa.Engine, keep: int) -> list[str]:
    """Trim every table's kept versions to the newest `keep`; returns the dropped relations."""
    ensure_version_index(engine)
    with engine.connect() as conn:
        tables = sorted(
            str(row[0])
            for row in conn.execute(
                sa.text(f"SELECT DISTINCT source_table FROM {quote(engine, VERSION_INDEX)}")
            )
        )
    dropped: list[str] = []
    for table in tables:
        with engine.begin() as conn:
            lock_versions(conn, engine, table)
            dropped += trim(conn, engine, table, keep)
    return dropped


def _insert(conn: sa.Connection, engine: sa.Engine, version: PublishedVersion) -> None:
    conn.execute(
        sa.text(f"DELETE FROM {quote(engine, VERSION_INDEX)} WHERE relation = :r"),
        {"r": version.relation},
    )
    conn.execute(
        sa.text(
            f"INSERT INTO {quote(engine, VERSION_INDEX)} "
            "(relation, source_table, run_id, published_at, row_count, content_hash) "
            "VALUES (:relation, :table, :run_id, :published_at, :rows, :hash)"
        ),
        {
            "relation": version.relation,
            "table": version.table,
            "run_id": version.run_id[:64],
            "published_at": version.published_at,
            "rows": version.row_count,
            "hash": version.content_hash[:128],
        },
    )


def _move(conn: sa.Connection, engine: sa.Engine, relation: str, new_relation: str) -> None:
    conn.execute(
        sa.text(f"UPDATE {quote(engine, VERSION_INDEX)} SET relation = :new WHERE relation = :old"),
        {"new": new_relation, "old": relation},
    )


def _free_name(conn: sa.Connection, engine: sa.Engine, table: str, run_id: str) -> str:
    """A kept relation's name for the version `run_id` published, not used by another version."""
    token = re.sub(r"[^a-z0-9]", "", run_id.lower()) or LEGACY_TOKEN
    taken = {v.relation for v in versions_on(conn, engine, table)}
    candidate = version_name(table, token)
    attempt = 0
    while candidate in taken:
        attempt += 1
        seed = f"{table}:{run_id}:{attempt}".encode()
        candidate = version_name(table, hashlib.sha256(seed).hexdigest())
    return candidate


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
