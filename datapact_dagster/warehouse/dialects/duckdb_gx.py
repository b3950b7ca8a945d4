"""A Great Expectations fluent data source for DuckDB (GX 1.x ships none).

Importing this module imports GX; import it lazily (`WarehouseDialect.register_gx`).

Two DuckDB quirks need handling, both through GX's extension points:
- GX's SQL engine reads a query's cursor after giving its connection back to the pool; DuckDB
  has emptied the cursor by then, so every result is buffered (`freeze`) before release.
  Every query GX sends is an aggregate or carries a LIMIT (see duckdb_gx_metrics), so buffers
  stay small.
- duckdb-engine's column reflection fails under SQLAlchemy 2.1 (it queries pg_catalog tables
  DuckDB lacks) and GX's fallback then drops the schema; columns are read from
  information_schema instead.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from great_expectations.datasource.fluent.sql_datasource import SQLDatasource
from great_expectations.execution_engine import SqlAlchemyExecutionEngine

from datapact_dagster.warehouse.catalog import engine_columns
from datapact_dagster.warehouse.dialects.duckdb import DUCKDB, SHARED_ENGINES


class _InformationSchemaInspector:
    """The two Inspector methods GX calls, answered from information_schema."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self.dialect = engine.dialect

    def get_columns(self, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
        columns = engine_columns(self._engine, str(table_name), schema)
        type_names: dict[str, Any] = getattr(self.dialect, "ischema_names", {})
        return [
            {
                "name": name,
                "type": type_names.get(data_type.split("(")[0].lower(), sa.types.NULLTYPE),
            }
            for name, data_type in columns.items()
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
            DUCKDB.configure_session(connection)
            return self._execute_query_with_recovery(connection, query).freeze()()

    def get_inspector(self) -> Any:
        return _InformationSchemaInspector(self.engine)


class DuckDBDatasource(SQLDatasource):
    type: Literal["duckdb"] = "duckdb"  # type: ignore[assignment]

    @property
    def execution_engine_type(self) -> type[SqlAlchemyExecutionEngine]:
        return DuckDBExecutionEngine

    def _create_engine(self) -> sa.Engine:
        shared = SHARED_ENGINES.get(str(self.connection_string))
        return shared if shared is not None else super()._create_engine()

    def get_execution_engine(self) -> SqlAlchemyExecutionEngine:
        if self._execution_engine is None:
            engine = self.get_engine()
            self._execution_engine = DuckDBExecutionEngine(
                engine=engine,
                create_temp_table=self.create_temp_table,
                owns_engine=engine is not SHARED_ENGINES.get(str(self.connection_string)),
            )
        return self._execution_engine
