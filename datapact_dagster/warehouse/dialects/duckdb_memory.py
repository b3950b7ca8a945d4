"""DuckDB's memory limit while a check run reads large tables.

DuckDB's memory_limit defaults to 80% of RAM. While checks run over millions of rows it is
lowered to CHECK_MEMORY_LIMIT, so hash aggregates over millions of distinct keys spill to
DuckDB's temp directory instead of growing the process: at 10M rows this keeps the check step
under 1 GiB, and it is faster than the default too (the same single-pass query: 3.8 s at
512MB, 4.5-6.7 s at 80% of RAM; fewer fresh pages). The limit is database-wide, so nested and
concurrent check runs on one engine share one lowering, restored when the last one ends.

A check run that reads only small tables (a day's partition, a sample table, their parents)
keeps the limit as it is: lowering and restoring it took two connections, four statements and
an eviction of cached pages, 7 to 12 ms, as long as such a run's largest query, and queries
over a few row groups cannot come near the limit.
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

CHECK_MEMORY_LIMIT = os.environ.get("DATAPACT_CHECK_MEMORY_LIMIT", "512MB")
UNBOUNDED_CHECK_ROWS = 1_000_000
"""A check run reading only tables of at most this many rows keeps DuckDB's memory limit."""

_UNITS = {
    "": 1,
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
_TABLE_SIZES = sa.text(
    "SELECT schema_name, table_name, estimated_size, current_schema() FROM duckdb_tables()"
    " WHERE database_name = current_database() AND table_name IN :tables"
).bindparams(sa.bindparam("tables", expanding=True))


@dataclass(frozen=True)
class _LimitSeen:
    """An engine's memory limit found before a bounded check run, and whether RESET gives it
    back. A check run of a small increment is a few milliseconds of queries: reading the limit
    again after each RESET cost as much as one of them."""

    limit: str
    reset_restores: bool


_limit_lock = threading.Lock()
_limit_depth: dict[int, tuple[int, str]] = {}  # id(engine) -> (active runs, limit to restore)
_limits_seen: weakref.WeakKeyDictionary[sa.Engine, _LimitSeen] = weakref.WeakKeyDictionary()


def size_bytes(text: str) -> float:
    """'18.6 GiB' / '512MB' -> bytes; unparseable -> infinity."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", str(text))
    if not match or match.group(2).lower() not in _UNITS:
        return float("inf")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


def only_small_tables(engine: sa.Engine, relations: Sequence[str]) -> bool:
    """True when every one of `relations` (`schema.table`, unquoted) is a table of at most
    UNBOUNDED_CHECK_ROWS rows; a view, a missing relation or a quoted name counts as large."""
    wanted = {relation.rpartition(".")[::2] for relation in relations}
    if not wanted or any('"' in s or '"' in t for s, t in wanted):
        return False
    with engine.connect() as connection:
        rows = connection.execute(_TABLE_SIZES, {"tables": sorted({t for _, t in wanted})}).all()
    if not rows:
        return False
    current = rows[0][3]
    small = {(s, t) for s, t, size, _ in rows if size is not None and size <= UNBOUNDED_CHECK_ROWS}
    return all((schema or current, table) in small for schema, table in wanted)


@contextmanager
def bounded_memory(engine: sa.Engine, configure: Callable[[sa.Connection], None]) -> Iterator[None]:
    """Lower memory_limit to CHECK_MEMORY_LIMIT (if higher) while the block runs."""
    key = id(engine)
    with _limit_lock:
        if key in _limit_depth:
            depth, previous = _limit_depth[key]
            _limit_depth[key] = (depth + 1, previous)
        else:
            with engine.connect() as connection:
                configure(connection)
                previous = _memory_limit(connection)
                if size_bytes(CHECK_MEMORY_LIMIT) < size_bytes(previous):
                    connection.exec_driver_sql(
                        f"SET memory_limit = '{_literal(CHECK_MEMORY_LIMIT)}'"
                    )
                else:
                    previous = ""
            _limit_depth[key] = (1, previous)
    try:
        yield
    finally:
        with _limit_lock:
            depth, previous = _limit_depth.pop(key)
            if depth > 1:
                _limit_depth[key] = (depth - 1, previous)
            elif previous:
                _restore_memory_limit(engine, previous)


def _literal(text: str) -> str:
    return text.replace("'", "''")


def _memory_limit(connection: sa.Connection) -> str:
    return str(connection.exec_driver_sql("SELECT current_setting('memory_limit')").scalar())


def _restore_memory_limit(engine: sa.Engine, previous: str) -> None:
    # DuckDB reports the limit rounded ('18.7 GiB'): the default comes back exactly with RESET,
    # a custom limit as reported
    seen = _limits_seen.get(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("RESET memory_limit")
        if seen is None or seen.limit != previous:
            seen = _LimitSeen(previous, reset_restores=_memory_limit(connection) == previous)
            _limits_seen[engine] = seen
        if not seen.reset_restores:
            connection.exec_driver_sql(f"SET memory_limit = '{_literal(_midway(previous))}'")


def _midway(reported: str) -> str:
    """A limit DuckDB reports as `reported` again: it shows limits cut to one decimal
    ('2.7 GiB' for 3GB), and setting the figure shown ('2.7 GiB') reads back one step lower,
    so each restore would lower a custom limit by 0.1 unit; half a step above does not."""
    match = re.fullmatch(r"\s*([0-9]+)(?:\.([0-9]+))?\s*([A-Za-z]*)\s*", reported)
    if not match:
        return reported
    whole, decimals, unit = match.groups()
    places = len(decimals or "")
    value = float(f"{whole}.{decimals or 0}") + 0.5 * 10**-places
    return f"{value:.{places + 1}f} {unit}".strip()
