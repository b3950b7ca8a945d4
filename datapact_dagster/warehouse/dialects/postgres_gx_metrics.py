"""DataPact's faster GX metrics (`gx_metrics`) registered for PostgresExecutionEngine.

Importing this module imports GX and registers the metrics; import it lazily
(`WarehouseDialect.register_gx`). PostgreSQL reads a duplicates aggregate as one statement
over a CTE it materialises once: the groups' row total, joined to the groups with the smallest
keys (`ORDER BY ... LIMIT`, a bounded top-N sort).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from great_expectations.constants import MAX_RESULT_RECORDS
from great_expectations.execution_engine import SqlAlchemyExecutionEngine

from datapact_dagster.warehouse.dialects.gx_metrics import (
    DUPLICATE_THRESHOLD,
    GROUP_ROWS,
    register_metrics,
)
from datapact_dagster.warehouse.dialects.postgres_gx import PostgresExecutionEngine


def _read_duplicates(
    execution_engine: SqlAlchemyExecutionEngine, groups: sa.Select, columns: list[str]
) -> tuple[int, list[Any], None]:
    # only the duplicated groups: counting all of them would materialise every key in the CTE
    found = groups.having(sa.func.count() >= DUPLICATE_THRESHOLD).cte("datapact_duplicate_groups")
    keys = [found.c[name] for name in columns]
    total = sa.select(
        sa.func.coalesce(sa.func.sum(found.c[GROUP_ROWS]), 0).label("datapact_total")
    ).subquery("datapact_total")
    smallest = (
        sa.select(*keys, found.c[GROUP_ROWS])
        .order_by(*keys)
        .limit(MAX_RESULT_RECORDS)
        .subquery("datapact_smallest")
    )
    query = sa.select(total.c.datapact_total, *smallest.c).select_from(
        total.outerjoin(smallest, sa.true())
    )
    rows = execution_engine.execute_query(query).fetchall()
    groups_found = [tuple(row[1:]) for row in rows if row[-1] is not None]
    return int(rows[0][0]), groups_found, None


register_metrics(PostgresExecutionEngine, __name__, _read_duplicates)
