"""A relation's fingerprint and its column profile (non-null and distinct counts) in one scan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.engine import quote
from datapact_dagster.warehouse.identifiers import quote_identifier


@dataclass(frozen=True)
class RelationProfile:
    row_count: int
    content_hash: str
    non_null: dict[str, int] = field(default_factory=dict)
    distinct: dict[str, int] = field(default_factory=dict)

    @property
    def fingerprint(self) -> tuple[int, str]:
        return self.row_count, self.content_hash

    def null_rates(self) -> dict[str, float]:
        """Share of null values per profiled column (0 on an empty relation)."""
        return {
            column: (1 - count / self.row_count) if self.row_count else 0.0
            for column, count in self.non_null.items()
        }


def profile(
    engine: sa.Engine,
    relation: str,
    null_columns: Sequence[str] = (),
    distinct_columns: Sequence[str] = (),
) -> RelationProfile:
    """Row count, content hash, and per column its non-null (`null_columns`) and distinct
    (`distinct_columns`) counts: the fingerprint query with the profile folded in, one scan."""
    extra = [f"COUNT(t.{quote_identifier(c)})" for c in null_columns]
    extra += [_count_distinct(c) for c in distinct_columns]
    sql = for_engine(engine).fingerprint_query(quote(engine, relation), extra)
    with for_engine(engine).check_session(engine) as conn:
        row = conn.execute(sa.text(sql)).one()
    values = [int(v) for v in row[2:]]
    return RelationProfile(
        row_count=int(row[0]),
        content_hash=str(row[1]),
        non_null=dict(zip(null_columns, values[: len(null_columns)], strict=True)),
        distinct=dict(zip(distinct_columns, values[len(null_columns) :], strict=True)),
    )


def with_distinct(
    found: RelationProfile,
    engine: sa.Engine,
    relation: str,
    columns: Sequence[str],
    counted: Mapping[str, int],
) -> RelationProfile:
    """`found` with the distinct count of each of `columns`, in that order: measured by the
    profile, else as a unique check `counted` it (key_counts.py), else counted now."""
    missing = [c for c in columns if c not in found.distinct and c not in counted]
    known = {**counted, **found.distinct}
    if missing:
        counts = ", ".join(_count_distinct(c) for c in missing)
        sql = f"SELECT {counts} FROM {quote(engine, relation)} AS t"
        with for_engine(engine).check_session(engine) as conn:
            row = conn.execute(sa.text(sql)).one()
        known.update(zip(missing, (int(v) for v in row), strict=True))
    return replace(found, distinct={c: known[c] for c in columns})


def _count_distinct(column: str) -> str:
    return f"COUNT(DISTINCT t.{quote_identifier(column)})"
