"""A Great Expectations fluent data source for DuckDB (GX 1.x ships none).

Importing this module imports GX; import it lazily (see checks.gx_context).

Two DuckDB quirks need handling, both through GX's extension points:
- GX's SQL engine reads a query's cursor after giving its connection back to the pool; DuckDB
  has emptied the cursor by then, so every result is buffered (`freeze`) before release.
  Every query GX sends is an aggregate or carries a LIMIT (see below), so buffers stay small.
- duckdb-engine's column reflection fails under SQLAlchemy 2.1 (it queries pg_catalog tables
  DuckDB lacks) and GX's fallback then drops the schema; columns are read from
  information_schema instead.

Faster implementations of four standard GX metrics, registered for `DuckDBExecutionEngine`
only (GX resolves a metric's implementation by the execution engine's class, walking its MRO,
so these are used on DuckDB and nowhere else; a plain GX install runs the same suite with its
own implementations and gets the same numbers):
- `column_values.unique` / `compound_columns.unique` unexpected count and values: GX counts
  duplicate rows through a window `COUNT(*) OVER (PARTITION BY ...)`, once for the count and
  again for the samples. Here one `GROUP BY ... HAVING COUNT(*) >= 2` aggregate yields both the
  count and the first duplicate values (DuckDB's bounded `min(x, n)` aggregate).
- `unexpected_rows_query.table` / `.row_count`: GX fetches at most 200 rows of the query and
  counts it in a second query. Here the rows query carries `LIMIT 201` (DuckDB stops early and
  never buffers more), and when it returns at most 200 rows that is the exact count.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import sqlalchemy as sa
from great_expectations.constants import MAX_RESULT_RECORDS
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.datasource.fluent.sql_datasource import SQLDatasource
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.metrics.metric_provider import MetricProvider, metric_value
from great_expectations.expectations.metrics.query_metric_provider import (
    QueryMetricProvider,
    render_derived_table_alias,
)
from great_expectations.util import get_sqlalchemy_selectable
from great_expectations.validator.metric_configuration import MetricConfiguration

from datapact_dagster.settings import CHECK_MEMORY_LIMIT

# Per-connection DuckDB settings for every query of the check step: no progress bar on the
# terminal (DuckDB draws one for queries over 2 s).
SESSION_SETTINGS = ("SET enable_progress_bar = false",)
_CONFIGURED = "datapact_session_configured"


def configure_session(connection: sa.Connection) -> None:
    """Apply SESSION_SETTINGS once per DuckDB connection (the pool keeps `info` with it)."""
    info = connection.connection.info
    if not info.get(_CONFIGURED):
        for statement in SESSION_SETTINGS:
            connection.exec_driver_sql(statement)
        info[_CONFIGURED] = True


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
_limit_lock = threading.Lock()
_limit_depth: dict[int, tuple[int, str]] = {}  # id(engine) -> (active runs, limit to restore)


def size_bytes(text: str) -> float:
    """'18.6 GiB' / '512MB' -> bytes; unparseable -> infinity."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", str(text))
    if not match or match.group(2).lower() not in _UNITS:
        return float("inf")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


@contextmanager
def bounded_memory(engine: sa.Engine) -> Iterator[None]:
    """Lower the DuckDB memory_limit to CHECK_MEMORY_LIMIT (if higher) while the block runs."""
    key = id(engine)
    with _limit_lock:
        if key in _limit_depth:
            depth, previous = _limit_depth[key]
            _limit_depth[key] = (depth + 1, previous)
        else:
            with engine.connect() as connection:
                configure_session(connection)
                previous = str(
                    connection.exec_driver_sql("SELECT current_setting('memory_limit')").scalar()
                )
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


def _restore_memory_limit(engine: sa.Engine, previous: str) -> None:
    # DuckDB reports the limit rounded ('18.7 GiB'): the default comes back exactly with RESET,
    # a custom limit as reported
    with engine.connect() as connection:
        connection.exec_driver_sql("RESET memory_limit")
        current = connection.exec_driver_sql("SELECT current_setting('memory_limit')").scalar()
        if str(current) != previous:
            connection.exec_driver_sql(f"SET memory_limit = '{_literal(previous)}'")


def _literal(text: str) -> str:
    return text.replace("'", "''")


_COLUMNS_QUERY = sa.text(
    "SELECT column_name, data_type FROM information_schema.columns"
    " WHERE table_name = :table AND table_schema = COALESCE(:schema, current_schema())"
    " ORDER BY ordinal_position"
)


class _InformationSchemaInspector:
    """The two Inspector methods GX calls, answered from information_schema."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self.dialect = engine.dialect

    def get_columns(self, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                _COLUMNS_QUERY, {"table": str(table_name), "schema": schema}
            ).all()
        type_names: dict[str, Any] = getattr(self.dialect, "ischema_names", {})
        return [
            {
                "name": name,
                "type": type_names.get(data_type.split("(")[0].lower(), sa.types.NULLTYPE),
            }
            for name, data_type in rows
        ]

    def get_pk_constraint(self, table_name: str, schema: str | None = None) -> dict[str, Any]:
        raise NotImplementedError("DuckDB tables carry no primary keys worth reflecting here")


class DuckDBExecutionEngine(SqlAlchemyExecutionEngine):
    def __init__(self, *args: Any, owns_engine: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owns_engine = owns_engine

    def close(self) -> None:
        if self._owns_engine:
            super().close()

    def execute_query(self, query: Any) -> Any:
        with self.get_connection() as connection:
            configure_session(connection)
            return self._execute_query_with_recovery(connection, query).freeze()()

    def get_inspector(self) -> Any:
        return _InformationSchemaInspector(self.engine)


# Engines handed to DuckDBDatasource, by connection string: DuckDB lets one process open a
# database file once, so GX must reuse the caller's engine rather than create its own.
_SHARED_ENGINES: weakref.WeakValueDictionary[str, sa.Engine] = weakref.WeakValueDictionary()


def share_engine(engine: sa.Engine) -> str:
    """Make `engine` the one DuckDBDatasource uses for its URL; returns that connection string."""
    url = engine.url.render_as_string(hide_password=False)
    _SHARED_ENGINES[url] = engine
    return url


class DuckDBDatasource(SQLDatasource):
    type: Literal["duckdb"] = "duckdb"  # type: ignore[assignment]

    @property
    def execution_engine_type(self) -> type[SqlAlchemyExecutionEngine]:
        return DuckDBExecutionEngine

    def _create_engine(self) -> sa.Engine:
        shared = _SHARED_ENGINES.get(str(self.connection_string))
        return shared if shared is not None else super()._create_engine()

    def get_execution_engine(self) -> SqlAlchemyExecutionEngine:
        if self._execution_engine is None:
            engine = self.get_engine()
            self._execution_engine = DuckDBExecutionEngine(
                engine=engine,
                create_temp_table=self.create_temp_table,
                owns_engine=engine is not _SHARED_ENGINES.get(str(self.connection_string)),
            )
        return self._execution_engine


# -- faster implementations of standard GX metrics, for DuckDBExecutionEngine only ----------

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


class DuckDBColumnDuplicates(MetricProvider):
    """One aggregate for a column's duplicate rows (DataPact's own helper metric)."""

    metric_name = "datapact.column_values.duplicates"
    domain_keys = _COLUMN_DOMAIN
    value_keys = ()

    @metric_value(engine=DuckDBExecutionEngine)
    def _duckdb(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> dict[str, Any]:
        return _duplicates(execution_engine, metric_domain_kwargs, [metric_domain_kwargs["column"]])


class DuckDBCompoundDuplicates(MetricProvider):
    """One aggregate for a column list's duplicate rows (DataPact's own helper metric)."""

    metric_name = "datapact.compound_columns.duplicates"
    domain_keys = _COLUMN_LIST_DOMAIN
    value_keys = ()

    @metric_value(engine=DuckDBExecutionEngine)
    def _duckdb(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> dict[str, Any]:
        return _duplicates(
            execution_engine, metric_domain_kwargs, list(metric_domain_kwargs["column_list"])
        )


class _FromDuplicates(MetricProvider):
    """A standard GX metric answered from one of the helper metrics above."""

    source_metric = ""

    @classmethod
    def _get_evaluation_dependencies(
        cls,
        metric: MetricConfiguration,
        configuration: Any = None,
        execution_engine: Any = None,
        runtime_configuration: dict | None = None,
    ) -> dict[str, MetricConfiguration]:
        return {
            cls.source_metric: MetricConfiguration(
                metric_name=cls.source_metric,
                metric_domain_kwargs=metric.metric_domain_kwargs,
                metric_value_kwargs=None,
            )
        }


class DuckDBColumnValuesUniqueUnexpectedCount(_FromDuplicates):
    metric_name = "column_values.unique.unexpected_count"
    domain_keys = _COLUMN_DOMAIN
    value_keys = ()
    source_metric = DuckDBColumnDuplicates.metric_name

    @metric_value(engine=DuckDBExecutionEngine)
    def _duckdb(
        cls,
        execution_engine: Any,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> int:
        return int(metrics[cls.source_metric]["unexpected_count"])


class DuckDBColumnValuesUniqueUnexpectedValues(_FromDuplicates):
    metric_name = "column_values.unique.unexpected_values"
    domain_keys = _COLUMN_DOMAIN
    value_keys = ("result_format",)
    source_metric = DuckDBColumnDuplicates.metric_name

    @metric_value(engine=DuckDBExecutionEngine)
    def _duckdb(
        cls,
        execution_engine: Any,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> list[Any]:
        rows = metrics[cls.source_metric]["unexpected_rows"][: _sample_limit(metric_value_kwargs)]
        return [row[0] for row in rows]


class DuckDBCompoundColumnsUniqueUnexpectedCount(_FromDuplicates):
    metric_name = "compound_columns.unique.unexpected_count"
    domain_keys = _COLUMN_LIST_DOMAIN
    value_keys = ()
    source_metric = DuckDBCompoundDuplicates.metric_name

    @metric_value(engine=DuckDBExecutionEngine)
    def _duckdb(
        cls,
        execution_engine: Any,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> int:
        return int(metrics[cls.source_metric]["unexpected_count"])


class DuckDBCompoundColumnsUniqueUnexpectedValues(_FromDuplicates):
    metric_name = "compound_columns.unique.unexpected_values"
    domain_keys = _COLUMN_LIST_DOMAIN
    value_keys = ("result_format",)
    source_metric = DuckDBCompoundDuplicates.metric_name

    @metric_value(engine=DuckDBExecutionEngine)
    def _duckdb(
        cls,
        execution_engine: Any,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> list[dict[str, Any]]:
        columns = list(metric_domain_kwargs["column_list"])
        rows = metrics[cls.source_metric]["unexpected_rows"][: _sample_limit(metric_value_kwargs)]
        return [dict(zip(columns, row, strict=True)) for row in rows]


class DuckDBUnexpectedRowsHead(QueryMetricProvider):
    """The first MAX_RESULT_RECORDS + 1 rows of an unexpected_rows_query (DataPact's helper):
    the extra row tells whether the fetched rows are all there are."""

    metric_name = "datapact.unexpected_rows_query.head"
    value_keys = ("unexpected_rows_query",)
    query_param_name = "unexpected_rows_query"

    @metric_value(engine=DuckDBExecutionEngine)
    def _duckdb(
        cls,
        execution_engine: Any,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> list[dict[str, Any]]:
        subquery = _substituted_query(
            cls, execution_engine, metric_domain_kwargs, metric_value_kwargs
        )
        limited = (
            f"SELECT * FROM {render_derived_table_alias(subquery, 'datapact_rows', 'duckdb')}"
            f" LIMIT {MAX_RESULT_RECORDS + 1}"
        )
        result = execution_engine.execute_query(sa.text(limited))
        return [row._asdict() for row in result.fetchall()]


class _FromHead(QueryMetricProvider):
    value_keys = ("unexpected_rows_query",)
    query_param_name = "unexpected_rows_query"

    @classmethod
    def _get_evaluation_dependencies(
        cls,
        metric: MetricConfiguration,
        configuration: Any = None,
        execution_engine: Any = None,
        runtime_configuration: dict | None = None,
    ) -> dict[str, MetricConfiguration]:
        return {
            DuckDBUnexpectedRowsHead.metric_name: MetricConfiguration(
                metric_name=DuckDBUnexpectedRowsHead.metric_name,
                metric_domain_kwargs=metric.metric_domain_kwargs,
                metric_value_kwargs=metric.metric_value_kwargs,
            )
        }


class DuckDBUnexpectedRowsQueryTable(_FromHead):
    """GX's `unexpected_rows_query.table`: at most MAX_RESULT_RECORDS rows, as GX fetches."""

    metric_name = "unexpected_rows_query.table"

    @metric_value(engine=DuckDBExecutionEngine)
    def _duckdb(
        cls,
        execution_engine: Any,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> list[dict[str, Any]]:
        return metrics[DuckDBUnexpectedRowsHead.metric_name][:MAX_RESULT_RECORDS]


class DuckDBUnexpectedRowsQueryRowCount(_FromHead):
    """GX's `unexpected_rows_query.row_count`: the fetched rows when they are all there are,
    else `SELECT COUNT(*)` over the query, as GX does."""

    metric_name = "unexpected_rows_query.row_count"

    @metric_value(engine=DuckDBExecutionEngine)
    def _duckdb(
        cls,
        execution_engine: Any,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> int:
        fetched = metrics[DuckDBUnexpectedRowsHead.metric_name]
        if len(fetched) <= MAX_RESULT_RECORDS:
            return len(fetched)
        subquery = _substituted_query(
            cls, execution_engine, metric_domain_kwargs, metric_value_kwargs
        )
        count = "SELECT COUNT(*) AS unexpected_row_count FROM " + render_derived_table_alias(
            subquery, "substituted_batch_subquery", "duckdb"
        )
        return int(execution_engine.execute_query(sa.text(count)).scalar_one())


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
