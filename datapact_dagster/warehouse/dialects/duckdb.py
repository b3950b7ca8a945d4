"""DuckDB: a local file warehouse with one writer process, and DataPact's default."""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL

from datapact_dagster.warehouse.dialects.base import WarehouseDialect
from datapact_dagster.warehouse.dialects.duckdb_files import (
    delete_unread_files,
    load_into_table,
    stage_file_copy,
)
from datapact_dagster.warehouse.dialects.duckdb_memory import bounded_memory, only_small_tables
from datapact_dagster.warehouse.dialects.duckdb_sandbox import (
    drop_relation,
    expose_parquet,
    lock_down,
)
from datapact_dagster.warehouse.identifiers import quote_identifier, quote_relation

SMALL_READS_CONNECTIONS = 2
"""Check connections of a check run whose suite reads only small tables (`only_small_tables`)."""
QUARANTINE_KEPT_SUFFIX = "__dp_q"
"""A quarantined table stays in its schema under its quarantine name plus this suffix."""

# Engines handed to GX's DuckDB data source, by connection string: DuckDB lets one process open
# a database file once, so GX must reuse the caller's engine rather than create its own.
SHARED_ENGINES: weakref.WeakValueDictionary[str, sa.Engine] = weakref.WeakValueDictionary()


_RELATION_EXISTS = sa.text(
    "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database()"
    " AND schema_name = COALESCE(:schema, current_schema()) AND table_name = :table"
    " UNION ALL SELECT 1 FROM duckdb_views() WHERE database_name = current_database()"
    " AND schema_name = COALESCE(:schema, current_schema()) AND view_name = :table"
)
_VIEW_EXISTS = sa.text(
    "SELECT 1 FROM duckdb_views() WHERE database_name = current_database()"
    " AND schema_name = :schema AND view_name = :view"
)
_TABLE_INFO = sa.text("SELECT name, type FROM pragma_table_info(:relation)")


def _unquoted(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return name[1:-1].replace('""', '"')
    return name


def _kept_beside(relation: str, name: str) -> str:
    """Where `move_table` keeps the table behind the view `name` (quoted, unqualified): in
    `relation`'s schema, named `<name>__dp_q`."""
    schema = relation.rpartition(".")[0]
    kept = quote_identifier(_unquoted(name) + QUARANTINE_KEPT_SUFFIX)
    return f"{schema}.{kept}" if schema else kept


class DuckDBDialect(WarehouseDialect):
    backend = "duckdb"
    names = ("duckdb",)
    display_name = "DuckDB"
    sqlglot_dialect = "duckdb"
    asset_kind = "duckdb"
    single_writer = True
    index_published_keys = False  # an ART index costs more to keep than a hash anti-join saves
    unique_check_counts_keys = True  # every group is read anyway (duckdb_gx_metrics.py)
    max_name_bytes = 1024  # far beyond any name a contract uses
    native_regex = False  # GX has no regex for DuckDB; the suite uses regexp_matches
    # no progress bar on the terminal (DuckDB draws one for queries over 2 s)
    session_settings = ("SET enable_progress_bar = false",)
    outside_function_prefixes = (
        "duckdb_",
        "pragma_",
        "sniff_",
        "parquet_",
        "sqlite_",
        "postgres_",
        "mysql_",
        "iceberg_",
        "delta_",
    )
    gx_extensions = ("datapact_dagster.warehouse.dialects.duckdb_gx_metrics",)
    type_names = {
        "integer": frozenset(
            {"hugeint", "utinyint", "usmallint", "uinteger", "ubigint", "uhugeint"}
        ),
        "timestamp": frozenset({"timestamptz", "timestamp_s", "timestamp_ms", "timestamp_ns"}),
        "object": frozenset({"struct", "map"}),
    }

    def local_url(self, state_dir: Path) -> str:
        """The URL of the warehouse file DataPact keeps in its state folder by default."""
        return f"duckdb:///{state_dir / 'warehouse.duckdb'}"

    def prepare_url(self, url: URL) -> None:
        if url.database not in (None, "", ":memory:"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)

    def move_table(self, relation: str, schema: str, name: str) -> list[str]:
        """DuckDB cannot move a table between schemas, and a copy takes as long as the load
        (7 s for 10M rows): the table is renamed in its own schema (`<name>__dp_q`, beside
        the kept versions) and `schema.name` is a view of it."""
        kept = _kept_beside(relation, name)
        return [
            self.rename_table(relation, kept.rpartition(".")[2]),
            f"CREATE VIEW {schema}.{name} AS SELECT * FROM {kept}",
        ]

    def drop_relation(self, connection: sa.Connection, relation: str) -> None:
        drop_relation(connection, relation)

    def stage_file(
        self, connection: sa.Connection, source: Path, relation: str, owner: str
    ) -> bool:
        """A large file is published as the database's own copy of it (duckdb_files.py)."""
        return stage_file_copy(connection, source, relation, owner)

    def own_rows(self, connection: sa.Connection, relation: str) -> None:
        load_into_table(connection, relation)

    def delete_unread_files(self, engine: sa.Engine, owner: str | None = None) -> None:
        delete_unread_files(engine, owner)

    def drop_moved(self, connection: sa.Connection, relation: str, source: str) -> None:
        schema, _, name = relation.rpartition(".")
        # a quarantine made before moves became views is a table of its own
        is_view = connection.execute(
            _VIEW_EXISTS, {"schema": _unquoted(schema), "view": _unquoted(name)}
        ).first()
        kind = "VIEW" if is_view else "TABLE"
        connection.execute(sa.text(f"DROP {kind} IF EXISTS {relation}"))
        drop_relation(connection, _kept_beside(source, name))

    def has_relation(self, connection: sa.Connection, table: str, schema: str | None) -> bool:
        # SQLAlchemy's has_table asks duckdb-engine, which unions every table and view (2 ms)
        found = connection.execute(_RELATION_EXISTS, {"table": table, "schema": schema})
        return found.first() is not None

    def column_types(
        self, connection: sa.Connection, table: str, schema: str | None
    ) -> dict[str, str]:
        # pragma_table_info reads one relation (0.5 ms); information_schema.columns lists every
        # column of the database first (3-6 ms, and a check step asks several times). It fails
        # on a missing relation, which would abort the transaction: existence is asked first.
        if not self.has_relation(connection, table, schema):
            return {}
        qualified = quote_relation(schema, table)
        rows = connection.execute(_TABLE_INFO, {"relation": qualified})
        return {str(name): str(data_type) for name, data_type in rows}

    def check_limits(
        self, engine: sa.Engine, reads: Sequence[str] | None = None
    ) -> AbstractContextManager[int]:
        # A query over a table of a row group or a few runs on one thread: over small tables
        # the suite's parts overlap their queries on two connections, and memory stays as is.
        if reads is not None and only_small_tables(engine, reads):
            return nullcontext(SMALL_READS_CONNECTIONS)
        return self._bounded(engine)

    @contextmanager
    def _bounded(self, engine: sa.Engine) -> Iterator[int]:
        with self.bounded_memory(engine):
            yield self.check_connections

    def bounded_memory(self, engine: sa.Engine) -> AbstractContextManager[None]:
        """Lower memory_limit to CHECK_MEMORY_LIMIT (if higher) while the block runs."""
        return bounded_memory(engine, self.configure_session)

    def fingerprint_query(self, relation: str, extra: Sequence[str] = ()) -> str:
        more = "".join(f", {aggregate}" for aggregate in extra)
        return (
            f"SELECT COUNT(*), CAST(COALESCE(SUM(hash(t)), 0) AS VARCHAR){more} "
            f"FROM {relation} AS t"
        )

    def release_to_other_process(self, engine: sa.Engine) -> bool:
        """One process at a time may open a DuckDB file: this one closes its pooled connections
        to it (a connection still checked out keeps it, and the other process is refused).
        An in-memory database cannot be seen from another process."""
        if engine.url.database in (None, "", ":memory:"):
            return False
        engine.dispose()
        return True

    def guard_session(self, connection: sa.Connection) -> None:
        lock_down(connection)

    def expose_file(self, connection: sa.Connection, path: Path, relation: str) -> None:
        """A view reading the Parquet file directly (nothing is copied), inside the sandbox."""
        expose_parquet(connection, path, relation)

    def regex_match(self, expression: str, pattern: str) -> str:
        return f"regexp_matches({expression}, {pattern})"

    def gx_connection_string(self, engine: sa.Engine) -> str:
        """Registers `engine` as the one GX's DuckDB data source uses for its URL."""
        url = super().gx_connection_string(engine)
        SHARED_ENGINES[url] = engine
        return url

    def add_gx_datasource(self, context: Any, name: str, connection_string: str) -> Any:
        return context.data_sources.add_duckdb(name=name, connection_string=connection_string)


DUCKDB = DuckDBDialect()
