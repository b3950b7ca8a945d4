"""Faster implementations of standard GX metrics, registered for one warehouse's GX engine.

Importing this module imports GX; a warehouse's `*_gx_metrics` module calls `register_metrics`
with its execution-engine class and how it reads a duplicates aggregate (see
`WarehouseDialect.register_gx`).

GX resolves a metric's implementation by the execution engine's class, walking its MRO, so these
are used on that warehouse's engine and nowhere else; a plain GX install runs the same suite with
its own implementations and gets the same numbers:
- `column_values.unique` / `compound_columns.unique` unexpected count and values: GX counts
  duplicate rows through a window `COUNT(*) OVER (PARTITION BY ...)`, once for the count and
  again for the samples. Here one `GROUP BY` aggregate of the groups of 2 or more rows yields the
  count and the first duplicate values (and, where the warehouse counts its groups, the key's
  distinct count for the table profile: `warehouse/key_counts.py`).
- `unexpected_rows_query.table` / `.row_count`: GX fetches at most 200 rows of the query and
  counts it in a second query. Here the rows query carries `LIMIT 201` (the warehouse stops
  early and never buffers more), and when it returns at most 200 rows that is the exact count.
- `<condition>.unexpected_values` of a column map expectation: see `gx_samples`.

Every metric is one class made by `_metric`: a name, its domain, the metric it is computed from
(if any) and a function computing its value.
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

from datapact_dagster.warehouse.dialects.gx_samples import samples_only_of_violations
from datapact_dagster.warehouse.key_counts import record_key_count

_COLUMN_DOMAIN = ("batch_id", "table", "column", "row_condition", "condition_parser")
_COLUMN_LIST_DOMAIN = (
    "batch_id",
    "table",
    "column_list",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)
DUPLICATE_THRESHOLD = 2  # as GX: a value is duplicated once it occurs twice
GROUP_ROWS = "datapact_rows"
"""The row-count column of the duplicate groups a `ReadDuplicates` is handed."""
_ROWS_QUERY = "unexpected_rows_query"

COLUMN_DUPLICATES = "datapact.column_values.duplicates"
COMPOUND_DUPLICATES = "datapact.compound_columns.duplicates"
ROWS_HEAD = "datapact.unexpected_rows_query.head"

Compute = Callable[[Any, Any, dict, dict, Any], Any]
"""(metric class, execution engine, domain kwargs, value kwargs, source metric's value) -> value"""

ReadDuplicates = Callable[
    [SqlAlchemyExecutionEngine, sa.Select, list[str]], tuple[int, list, int | None]
]
"""(engine, every group of non-null keys: key columns and GROUP_ROWS, key names) -> (the rows in
the groups of at least DUPLICATE_THRESHOLD rows, up to MAX_RESULT_RECORDS of those groups with
the smallest keys as (key..., rows) tuples, the number of groups or None if not counted)"""


def register_metrics(
    engine_class: type[SqlAlchemyExecutionEngine], module: str, read_duplicates: ReadDuplicates
) -> None:
    """Register every metric of this module for `engine_class`; the classes are named after
    its module and live there (`module`), as GX reports them."""
    prefix = engine_class.__name__.removesuffix("ExecutionEngine")

    def metric(metric_name: str, compute: Compute, **options: Any) -> None:
        _metric(engine_class, module, prefix, metric_name, compute, **options)

    def column(cls: Any, engine: Any, domain: dict, values: dict, _: Any) -> Any:
        """One aggregate for a column's duplicate rows (DataPact's own helper metric)."""
        return _duplicates(engine, domain, [domain["column"]], read_duplicates)

    def compound(cls: Any, engine: Any, domain: dict, values: dict, _: Any) -> Any:
        """One aggregate for a column list's duplicate rows (DataPact's own helper metric)."""
        return _duplicates(engine, domain, list(domain["column_list"]), read_duplicates)

    metric(COLUMN_DUPLICATES, column, domain_keys=_COLUMN_DOMAIN)
    metric(COMPOUND_DUPLICATES, compound, domain_keys=_COLUMN_LIST_DOMAIN)
    for kind, domain, source, values in (
        ("column_values", _COLUMN_DOMAIN, COLUMN_DUPLICATES, _duplicate_values),
        ("compound_columns", _COLUMN_LIST_DOMAIN, COMPOUND_DUPLICATES, _duplicate_keys),
    ):
        metric(
            f"{kind}.unique.unexpected_count", _duplicate_count, domain_keys=domain, source=source
        )
        metric(
            f"{kind}.unique.unexpected_values",
            values,
            domain_keys=domain,
            value_keys=("result_format",),
            source=source,
        )
    metric(ROWS_HEAD, _rows_head, value_keys=(_ROWS_QUERY,))
    for name, compute in (
        ("unexpected_rows_query.table", _rows_table),
        ("unexpected_rows_query.row_count", _rows_count),
    ):
        metric(name, compute, value_keys=(_ROWS_QUERY,), source=ROWS_HEAD, source_takes_values=True)
    samples_only_of_violations(engine_class)


def _metric(
    engine_class: type[SqlAlchemyExecutionEngine],
    module: str,
    prefix: str,
    metric_name: str,
    compute: Compute,
    *,
    domain_keys: tuple[str, ...] | None = None,
    value_keys: tuple[str, ...] = (),
    source: str | None = None,
    source_takes_values: bool = False,
) -> type[MetricProvider]:
    """A GX metric provider for `engine_class`; GX registers it as it is created.

    `source`: the metric this one is computed from (its value is handed to `compute`), over the
    same domain and, if `source_takes_values`, the same value kwargs. Without `domain_keys` the
    metric is a query metric over a table domain, its query in `unexpected_rows_query`.
    """
    query_metric = domain_keys is None
    base = QueryMetricProvider if query_metric else MetricProvider

    def _compute(
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
        "__module__": module,
        "__doc__": compute.__doc__,
        "metric_name": metric_name,
        "value_keys": value_keys,
        "_compute": metric_value(engine=engine_class)(_compute),
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
    class_name = prefix + "".join(part.title() for part in re.split(r"[._]", metric_name))
    return type(base)(class_name, (base,), attrs)


# -- duplicates: one aggregate for a unique check's count and sample values ------------------


def _duplicates(
    execution_engine: SqlAlchemyExecutionEngine,
    domain_kwargs: dict,
    columns: list[str],
    read_duplicates: ReadDuplicates,
) -> dict[str, Any]:
    """Rows whose (non-null) key occurs at least twice in the domain, and the smallest keys.

    The same rows GX's window implementation counts: a row with a NULL key part is never a
    duplicate (for single columns GX's map metrics skip nulls; for compound keys GX's inner
    join on the group counts drops them). The domain (row_condition, ignore_row_if) is GX's own.
    A single column's groups over the whole relation are its distinct values: when the
    warehouse counts them, the count is recorded for the profile (key_counts.py).
    """
    selectable = get_sqlalchemy_selectable(
        execution_engine.get_domain_records(domain_kwargs=domain_kwargs)
    )
    source = selectable.subquery() if isinstance(selectable, sa.Select) else selectable
    keys = [sa.column(name) for name in columns]
    groups = (
        sa.select(*keys, sa.func.count().label(GROUP_ROWS))
        .select_from(source)
        .where(sa.and_(*(key.is_not(None) for key in keys)))
        .group_by(*keys)
    )
    total, smallest, distinct = read_duplicates(execution_engine, groups, columns)
    if distinct is not None and len(columns) == 1 and not domain_kwargs.get("row_condition"):
        record_key_count(columns[0], distinct)
    rows: list[tuple[Any, ...]] = []
    for entry in smallest:
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
    alias = render_derived_table_alias(subquery, "datapact_rows", engine.dialect_name)
    result = engine.execute_query(sa.text(f"SELECT * FROM {alias} LIMIT {MAX_RESULT_RECORDS + 1}"))
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
        subquery, "substituted_batch_subquery", engine.dialect_name
    )
    return int(engine.execute_query(sa.text(count)).scalar_one())
