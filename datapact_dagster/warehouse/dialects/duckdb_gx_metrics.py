"""Faster implementations of standard GX metrics, registered for DuckDBExecutionEngine only.

Importing this module imports GX and registers the metrics; import it lazily
(`WarehouseDialect.register_gx`).

GX resolves a metric's implementation by the execution engine's class, walking its MRO, so these
are used on DuckDB and nowhere else; a plain GX install runs the same suite with its own
implementations and gets the same numbers:
- `column_values.unique` / `compound_columns.unique` unexpected count and values: GX counts
  duplicate rows through a window `COUNT(*) OVER (PARTITION BY ...)`, once for the count and
  again for the samples. Here one `GROUP BY ... HAVING COUNT(*) >= 2` aggregate yields both the
  count and the first duplicate values (DuckDB's bounded `min(x, n)` aggregate).
- `unexpected_rows_query.table` / `.row_count`: GX fetches at most 200 rows of the query and
  counts it in a second query. Here the rows query carries `LIMIT 201` (DuckDB stops early and
  never buffers more), and when it returns at most 200 rows that is the exact count.

Every metric is one class made by `_duckdb_metric`: a name, its domain, the metric it is
computed from (if any) and a function computing its value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from great_expectations.constants import MAX_RESULT_RECORDS
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.metrics.metric_provider import MetricProvider, metric_value
from great_expectations.expectations.metrics.query_metric_provider import (
    QueryMetricProvider,
    render_derived_table_alias,
)
from great_expectations.util import get_sqlalchemy_selectable
from great_expectations.validator.metric_configuration import MetricConfiguration

from datapact_dagster.warehouse.dialects.duckdb_gx import DuckDBExecutionEngine

_COLUMN_DOMAIN = ("batch_id", "table", "column", "row_condition", "condition_parser")
_COLUMN_LIST_DOMAIN = (
    "batch_id",
    "table",
    "column_list",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)
_DUPLICATE_THRESHOLD = 2  # as GX: a value is duplicated once it occurs twice
_COUNT = "datapact_rows"
_ROWS_QUERY = "unexpected_rows_query"

Compute = Callable[[Any, Any, dict, dict, Any], Any]
"""(metric class, execution engine, domain kwargs, value kwargs, source metric's value) -> value"""


def _duckdb_metric(
    metric_name: str,
    compute: Compute,
    *,
    domain_keys: tuple[str, ...] | None = None,
    value_keys: tuple[str, ...] = (),
    source: str | None = None,
    source_takes_values: bool = False,
) -> type[MetricProvider]:
    """A GX metric provider for DuckDBExecutionEngine; GX registers it as it is created.

    `source`: the metric this one is computed from (its value is handed to `compute`), over the
    same domain and, if `source_takes_values`, the same value kwargs. Without `domain_keys` the
    metric is a query metric over a table domain, its query in `unexpected_rows_query`.
    """
    query_metric = domain_keys is None
    base = QueryMetricProvider if query_metric else MetricProvider

    def _duckdb(
        cls: Any,
        execution_engine: Any,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> Any:
        source_value = metrics[source] if source else None
        return compute(
            cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, source_value
        )

    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": compute.__doc__,
        "metric_name": metric_name,
        "value_keys": value_keys,
        "_duckdb": metric_value(engine=DuckDBExecutionEngine)(_duckdb),
    }
    if query_metric:
        attrs["query_param_name"] = _ROWS_QUERY
    else:
        attrs["domain_keys"] = domain_keys
    if source is not None:

        def dependencies(
            cls: Any,
            metric: MetricConfiguration,
            configuration: Any = None,
            execution_engine: Any = None,
            runtime_configuration: dict | None = None,
        ) -> dict[str, MetricConfiguration]:
            return {
                source: MetricConfiguration(
                    metric_name=source,
                    metric_domain_kwargs=metric.metric_domain_kwargs,
                    metric_value_kwargs=metric.metric_value_kwargs if source_takes_values else None,
                )
            }

        attrs["_get_evaluation_dependencies"] = classmethod(dependencies)
    class_name = "DuckDB" + "".join(part.title() for part in re.split(r"[._]", metric_name))
    return type(base)(class_name, (base,), attrs)


# -- duplicates: one aggregate for a unique check's count and sample values ------------------


def _duplicates(
    execution_engine: SqlAlchemyExecutionEngine, domain_kwargs: dict, columns: list[str]
) -> dict[str, Any]:
    """Rows whose (non-null) key occurs at least twice in the domain, and the smallest keys.

    The same rows GX's window implementation counts: a row with a NULL key part is never a
    duplicate (for single columns GX's map metrics skip nulls; for compound keys GX's inner
    join on the group counts drops them). The domain (row_condition, ignore_row_if) is GX's own.
    """
    selectable = get_sqlalchemy_selectable(
        execution_engine.get_domain_records(domain_kwargs=domain_kwargs)
    )
    source = selectable.subquery() if isinstance(selectable, sa.Select) else selectable
    keys = [sa.column(name) for name in columns]
    groups = (
        sa.select(*keys, sa.func.count().label(_COUNT))
        .select_from(source)
        .where(sa.and_(*(key.is_not(None) for key in keys)))
        .group_by(*keys)
        .having(sa.func.count() >= _DUPLICATE_THRESHOLD)
        .subquery("datapact_duplicate_groups")
    )
    group_keys = [groups.c[name] for name in columns]
    query = sa.select(
        sa.func.coalesce(sa.func.sum(groups.c[_COUNT]), 0),
        # the MAX_RESULT_RECORDS smallest duplicated keys with their row counts, bounded
        sa.func.min(sa.func.row(*group_keys, groups.c[_COUNT]), MAX_RESULT_RECORDS),
    ).select_from(groups)
    total, smallest = execution_engine.execute_query(query).one()
    rows: list[tuple[Any, ...]] = []
    for entry in smallest or ():
        *key, count = entry
        rows.extend([tuple(key)] * int(count))
        if len(rows) >= MAX_RESULT_RECORDS:
            break
    return {"unexpected_count": int(total), "unexpected_rows": rows[:MAX_RESULT_RECORDS]}


def _sample_limit(metric_value_kwargs: dict) -> int:
    result_format = metric_value_kwargs["result_format"]
    if result_format["result_format"] == "COMPLETE":
        return MAX_RESULT_RECORDS  # GX fetches at most this many
    return min(int(result_format["partial_unexpected_count"]), MAX_RESULT_RECORDS)


def _column_duplicates(cls: Any, engine: Any, domain: dict, values: dict, _: Any) -> Any:
    """One aggregate for a column's duplicate rows (DataPact's own helper metric)."""
    return _duplicates(engine, domain, [domain["column"]])


def _compound_duplicates(cls: Any, engine: Any, domain: dict, values: dict, _: Any) -> Any:
    """One aggregate for a column list's duplicate rows (DataPact's own helper metric)."""
    return _duplicates(engine, domain, list(domain["column_list"]))


def _duplicate_count(cls: Any, engine: Any, domain: dict, values: dict, found: Any) -> int:
    """GX's unique unexpected_count, from the duplicates aggregate."""
    return int(found["unexpected_count"])


def _duplicate_values(cls: Any, engine: Any, domain: dict, values: dict, found: Any) -> Any:
    """GX's column unique unexpected_values, from the duplicates aggregate."""
    return [row[0] for row in found["unexpected_rows"][: _sample_limit(values)]]


def _duplicate_keys(cls: Any, engine: Any, domain: dict, values: dict, found: Any) -> Any:
    """GX's compound unique unexpected_values, from the duplicates aggregate."""
    columns = list(domain["column_list"])
    rows = found["unexpected_rows"][: _sample_limit(values)]
    return [dict(zip(columns, row, strict=True)) for row in rows]


COLUMN_DUPLICATES = "datapact.column_values.duplicates"
COMPOUND_DUPLICATES = "datapact.compound_columns.duplicates"
_duckdb_metric(COLUMN_DUPLICATES, _column_duplicates, domain_keys=_COLUMN_DOMAIN)
_duckdb_metric(COMPOUND_DUPLICATES, _compound_duplicates, domain_keys=_COLUMN_LIST_DOMAIN)
for _prefix, _domain, _source, _values in (
    ("column_values", _COLUMN_DOMAIN, COLUMN_DUPLICATES, _duplicate_values),
    ("compound_columns", _COLUMN_LIST_DOMAIN, COMPOUND_DUPLICATES, _duplicate_keys),
):
    _duckdb_metric(
        f"{_prefix}.unique.unexpected_count", _duplicate_count, domain_keys=_domain, source=_source
    )
    _duckdb_metric(
        f"{_prefix}.unique.unexpected_values",
        _values,
        domain_keys=_domain,
        value_keys=("result_format",),
        source=_source,
    )


# -- unexpected rows: one bounded fetch gives the rows and, mostly, their count --------------


def _substituted_query(
    cls: type[QueryMetricProvider],
    execution_engine: Any,
    metric_domain_kwargs: dict,
    metric_value_kwargs: dict,
) -> str:
    batch_selectable, _, _ = execution_engine.get_compute_domain(
        metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
    )
    query = cls._get_query_from_metric_value_kwargs(metric_value_kwargs)
    return cls._get_substituted_batch_subquery_from_query_and_batch_selectable(
        query=query, batch_selectable=batch_selectable, execution_engine=execution_engine
    )


def _rows_head(cls: Any, engine: Any, domain: dict, values: dict, _: Any) -> Any:
    """The first MAX_RESULT_RECORDS + 1 rows of an unexpected_rows_query (DataPact's helper):
    the extra row tells whether the fetched rows are all there are."""
    subquery = _substituted_query(cls, engine, domain, values)
    limited = (
        f"SELECT * FROM {render_derived_table_alias(subquery, 'datapact_rows', 'duckdb')}"
        f" LIMIT {MAX_RESULT_RECORDS + 1}"
    )
    result = engine.execute_query(sa.text(limited))
    return [row._asdict() for row in result.fetchall()]


def _rows_table(cls: Any, engine: Any, domain: dict, values: dict, head: Any) -> Any:
    """GX's `unexpected_rows_query.table`: at most MAX_RESULT_RECORDS rows, as GX fetches."""
    return head[:MAX_RESULT_RECORDS]


def _rows_count(cls: Any, engine: Any, domain: dict, values: dict, head: Any) -> int:
    """GX's `unexpected_rows_query.row_count`: the fetched rows when they are all there are,
    else `SELECT COUNT(*)` over the query, as GX does."""
    if len(head) <= MAX_RESULT_RECORDS:
        return len(head)
    subquery = _substituted_query(cls, engine, domain, values)
    count = "SELECT COUNT(*) AS unexpected_row_count FROM " + render_derived_table_alias(
        subquery, "substituted_batch_subquery", "duckdb"
    )
    return int(engine.execute_query(sa.text(count)).scalar_one())


ROWS_HEAD = "datapact.unexpected_rows_query.head"
_duckdb_metric(ROWS_HEAD, _rows_head, value_keys=(_ROWS_QUERY,))
_duckdb_metric(
    "unexpected_rows_query.table",
    _rows_table,
    value_keys=(_ROWS_QUERY,),
    source=ROWS_HEAD,
    source_takes_values=True,
)
_duckdb_metric(
    "unexpected_rows_query.row_count",
    _rows_count,
    value_keys=(_ROWS_QUERY,),
    source=ROWS_HEAD,
    source_takes_values=True,
)
