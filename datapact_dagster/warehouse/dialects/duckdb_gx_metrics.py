"""DataPact's faster GX metrics (`gx_metrics`) registered for DuckDBExecutionEngine.

Importing this module imports GX and registers the metrics; import it lazily
(`WarehouseDialect.register_gx`). DuckDB reads a duplicates aggregate in one pass over the
groups: the duplicated groups' row total, the first duplicated keys from its bounded `min(x, n)`
aggregate, and the number of groups (the key's distinct count, `warehouse/key_counts.py`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from great_expectations.constants import MAX_RESULT_RECORDS
from great_expectations.execution_engine import SqlAlchemyExecutionEngine

from datapact_dagster.warehouse.dialects.duckdb_gx import DuckDBExecutionEngine
from datapact_dagster.warehouse.dialects.gx_metrics import (
    DUPLICATE_THRESHOLD,
    GROUP_ROWS,
    register_metrics,
)


def _read_duplicates(
    execution_engine: SqlAlchemyExecutionEngine, groups: sa.Select, columns: list[str]
) -> tuple[int, list[Any], int]:
    found = groups.subquery("datapact_duplicate_groups")
    keys = [found.c[name] for name in columns]
    duplicated = found.c[GROUP_ROWS] >= DUPLICATE_THRESHOLD
    query = sa.select(
        sa.func.coalesce(sa.func.sum(found.c[GROUP_ROWS]).filter(duplicated), 0),
        # the MAX_RESULT_RECORDS smallest duplicated keys with their row counts, bounded
        sa.func.min(sa.func.row(*keys, found.c[GROUP_ROWS]), MAX_RESULT_RECORDS).filter(duplicated),
        # every group: the key's distinct values, counted in the same pass
        sa.func.count(),
    ).select_from(found)
    total, smallest, distinct = execution_engine.execute_query(query).one()
    return int(total), list(smallest or ()), int(distinct)


register_metrics(DuckDBExecutionEngine, __name__, _read_duplicates)
