"""Distinct counts of key columns that a check run finds on its way.

A unique check groups the rows by their key (gx_metrics `_duplicates`): the number of groups is
the column's distinct count, which the table profile (profile.py) would otherwise count again
in a pass of its own over every row (1.1 s of the 10M-row run's 2 s profile). While
`counting_keys()` is active, the duplicates aggregate of a warehouse whose dialect counts the
groups (`WarehouseDialect.unique_check_counts_keys`) records each column's count here, and the
profile counts only the key columns no check counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_counts: ContextVar[dict[str, int] | None] = ContextVar("datapact_key_counts", default=None)


@contextmanager
def counting_keys() -> Iterator[dict[str, int]]:
    """Column -> distinct non-null values, as the unique checks run in the block count them
    (threads started with a copy of the block's context record here too)."""
    counts: dict[str, int] = {}
    token = _counts.set(counts)
    try:
        yield counts
    finally:
        _counts.reset(token)


def record_key_count(column: str, count: int) -> None:
    """`column` of the relation being checked has `count` distinct non-null values."""
    counts = _counts.get()
    if counts is not None:
        counts[column] = count
