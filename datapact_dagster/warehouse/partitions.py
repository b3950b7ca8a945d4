"""Write-audit-publish of one time partition of a table (docs/incremental.md).

A partition is staged by filtering the table's SQL to its window, audited like any staged data,
and published by replacing the window's rows of the published table in one transaction, so a
crash leaves every partition as it was and re-running a partition gives the same table. Publish
also keeps `<table>__dp_keys`: the key columns and the time column of every published row, so
the next increment's keys are checked against the published rest without rescanning the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.engine import quote
from datapact_dagster.warehouse.identifiers import quote_identifier
from datapact_dagster.warehouse.relations import ddl_lock_key, relation_exists

KEYS_SUFFIX = "__dp_keys"
GRAIN_STEP = {"daily": timedelta(days=1), "hourly": timedelta(hours=1)}
SAMPLE_LIMIT = 5
KEY_FORMAT = {"daily": "%Y-%m-%d", "hourly": "%Y-%m-%d-%H:%M"}
"""Partition keys as Dagster's daily and hourly partitions spell them."""
PARTITION_TAG = "dagster/partition"


@dataclass(frozen=True)
class Window:
    """One partition: rows whose time column is in [start, end) (naive UTC)."""

    key: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class KeyDuplicates:
    """Staged keys already published in another partition."""

    columns: tuple[str, ...]
    count: int
    samples: tuple[tuple[object, ...], ...]


def window_for(key: str, grain: str) -> Window:
    """The window of partition `key` (`YYYY-MM-DD`, or `YYYY-MM-DD-HH:MM` for hourly)."""
    start = datetime.strptime(key, KEY_FORMAT[grain])
    return Window(key=key, start=start, end=start + GRAIN_STEP[grain])


def current_partition_key(grain: str, now: datetime | None = None) -> str:
    """The partition in progress at `now` (UTC): today, or this hour."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    if grain == "hourly":
        moment = moment.replace(minute=0)
    return moment.strftime(KEY_FORMAT[grain])


def keys_name(physical_name: str) -> str:
    return physical_name + KEYS_SUFFIX


def _literal(moment: datetime) -> str:
    return f"CAST('{moment.isoformat(sep=' ')}' AS TIMESTAMP)"


def _in_window(column: str, window: Window) -> str:
    """The window as a condition in DataPact's source SQL (the transpiler renders it)."""
    return f'"{column}" >= {_literal(window.start)} AND "{column}" < {_literal(window.end)}'


def window_query(sql: str, column: str, window: Window) -> str:
    """The table's SELECT restricted to one partition: the filter DataPact adds around it."""
    body = sql.strip().rstrip(";")
    return f"SELECT * FROM ({body}\n) AS dp_partition WHERE {_in_window(column, window)}"


def _window_binds(engine: sa.Engine, column: str, alias: str = "") -> str:
    target = f"{alias}.{quote_identifier(column)}" if alias else quote_identifier(column)
    return f"{target} >= :dp_start AND {target} < :dp_end"


def _params(window: Window) -> dict[str, datetime]:
    return {"dp_start": window.start, "dp_end": window.end}


def cross_partition_duplicates(
    engine: sa.Engine,
    physical_name: str,
    staged_relation: str,
    columns: Sequence[str],
    time_column: str,
    window: Window,
) -> KeyDuplicates:
    """Staged rows whose key is published in another partition: an anti-join on the keys
    table publish keeps. Where there is none (a whole-table publish dropped it; the next
    partition's publish rebuilds it) the published table itself is looked in, slower but
    still right. Nothing is published yet: no duplicates."""
    key_cols = tuple(columns)
    with for_engine(engine).check_session(engine) as conn:
        keys = next(
            (r for r in (keys_name(physical_name), physical_name) if relation_exists(conn, r)),
            None,
        )
        if keys is None:
            return KeyDuplicates(key_cols, 0, ())
        matched = " AND ".join(
            f"k.{quote_identifier(c)} = s.{quote_identifier(c)}" for c in key_cols
        )
        present = " AND ".join(f"s.{quote_identifier(c)} IS NOT NULL" for c in key_cols)
        found = (
            f"FROM {quote(engine, staged_relation)} AS s WHERE {present} AND EXISTS ("
            f"SELECT 1 FROM {quote(engine, keys)} AS k WHERE {matched} "
            f"AND NOT ({_window_binds(engine, time_column, 'k')}))"
        )
        shown = ", ".join(f"s.{quote_identifier(c)}" for c in key_cols)
        # one round trip: the first keys and, beside each, how many rows were found in all
        rows = conn.execute(
            sa.text(
                f"SELECT {shown}, COUNT(*) OVER () AS dp_found {found} "
                f"ORDER BY {shown} LIMIT {SAMPLE_LIMIT}"
            ),
            _params(window),
        ).all()
    count = int(rows[0][-1]) if rows else 0
    samples = tuple(tuple(row[:-1]) for row in rows)
    return KeyDuplicates(key_cols, count, samples)


def publish_partition(
    engine: sa.Engine,
    physical_name: str,
    staged_relation: str,
    time_column: str,
    window: Window,
    key_columns: Sequence[str],
) -> int:
    """Replace the window's published rows (and their keys) with the staged ones, in one
    transaction; returns how many published rows it replaced."""
    dialect = for_engine(engine)
    table, staged = quote(engine, physical_name), quote(engine, staged_relation)
    keys = quote(engine, keys_name(physical_name))
    kept = ", ".join(quote_identifier(c) for c in (*dict.fromkeys(key_columns), time_column))
    in_window = _window_binds(engine, time_column)
    with engine.begin() as conn:
        dialect.lock_transaction(conn, ddl_lock_key(f"partitions:{physical_name}"))
        if not relation_exists(conn, physical_name):
            conn.execute(
                sa.text(dialect.create_table_as(table, f"SELECT * FROM {staged} WHERE 1 = 0"))
            )
        dialect.own_rows(conn, table)  # published whole before the table was partitioned
        replaced = conn.execute(
            sa.text(f"DELETE FROM {table} WHERE {in_window}"), _params(window)
        ).rowcount
        conn.execute(sa.text(f"INSERT INTO {table} SELECT * FROM {staged}"))
        if relation_exists(conn, keys_name(physical_name)):
            conn.execute(sa.text(f"DELETE FROM {keys} WHERE {in_window}"), _params(window))
            conn.execute(sa.text(f"INSERT INTO {keys} SELECT {kept} FROM {staged}"))
        else:
            conn.execute(sa.text(dialect.create_table_as(keys, f"SELECT {kept} FROM {table}")))
            if dialect.index_published_keys:
                index = quote_identifier(f"{physical_name.rpartition('.')[2]}{KEYS_SUFFIX}_ix")
                conn.execute(sa.text(f"CREATE INDEX {index} ON {keys} ({kept})"))
        conn.execute(sa.text(dialect.drop_table(staged)))
    dialect.delete_unread_files(engine, physical_name)
    return max(replaced or 0, 0)


def published_partition_rows(
    engine: sa.Engine, physical_name: str, time_column: str, window: Window
) -> int:
    """How many published rows fall in the window (0 when nothing is published)."""
    with engine.connect() as conn:
        if not relation_exists(conn, physical_name):
            return 0
        query = (
            f"SELECT COUNT(*) FROM {quote(engine, physical_name)} "
            f"WHERE {_window_binds(engine, time_column)}"
        )
        return int(conn.execute(sa.text(query), _params(window)).scalar())


def drop_keys(engine: sa.Engine, physical_name: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(for_engine(engine).drop_table(quote(engine, keys_name(physical_name))))
        )
