"""DataPact's faster GX metrics (`gx_metrics`) registered for DuckDBExecutionEngine.

Importing this module imports GX and registers the metrics; import it lazily
(`WarehouseDialect.register_gx`). DuckDB reads a duplicates aggregate in one pass over the
groups: their row total and the first duplicate keys from its bounded `min(x, n)` aggregate.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from great_expectations.constants import MAX_RESULT_RECORDS
from great_expectations.execution_engine import SqlAlchemyExecutionEngine

from datapact_dagster.warehouse.dialects.duckdb_gx import DuckDBExecutionEngine
from datapact_dagster.warehouse.dialects.gx_metrics import GROUP_ROWS, register_metrics


def _read_duplicates(
    execution_engine: SqlAlchemyExecutionEngine, groups: sa.Select, columns: list[str]
) -> tuple[int, list[Any]]:
    found = groups.subquery("datapact_duplicate_groups")
    keys = [found.c[name] for name in columns]
    query = sa.select(
        sa.func.coalesce(sa.func.sum(found.c[GROUP_ROWS]), 0),
        # the MAX_RESULT_RECORDS smallest duplicated keys with their row counts, bounded
        sa.func.min(sa.func.row(*keys, found.c[GROUP_ROWS]), MAX_RESULT_RECORDS),
    ).select_from(found)
    total, smallest = execution_engine.execute_query(query).one()
    return int(total), list(smallest or ())


register_metrics(DuckDBExecutionEngine, __name__, _read_duplicates)
