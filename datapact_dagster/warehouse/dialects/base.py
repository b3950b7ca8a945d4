"""The interface every warehouse implements: what DataPact must know and do per warehouse.

Code outside `datapact_dagster.warehouse` reaches a warehouse only through a WarehouseDialect
(looked up with `for_url`, `for_engine` or `for_name` from this package), never by its name.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlglot import exp

from datapact_dagster.warehouse.sql_parse import SOURCE_DIALECT

_SESSION_CONFIGURED = "datapact_session_configured"
_INFORMATION_SCHEMA_COLUMNS = sa.text(
    "SELECT column_name, data_type FROM information_schema.columns"
    " WHERE table_name = :table AND table_schema = COALESCE(:schema, current_schema())"
    " ORDER BY ordinal_position"
)


class WarehouseDialect(ABC):
    """One warehouse DataPact builds, audits and publishes tables in."""

    backend: ClassVar[str]
    """SQLAlchemy's name for it: `engine.dialect.name`, and a URL's scheme before any '+'."""
    names: ClassVar[tuple[str, ...]]
    """Every name that selects it (`export --dialect`, the dialect a GX suite is built for)."""
    display_name: ClassVar[str]
    sqlglot_dialect: ClassVar[str]
    """The sqlglot dialect table SQL is transpiled to."""
    asset_kind: ClassVar[str]
    """The kind tag Dagster shows on the assets published here."""
    single_writer: ClassVar[bool]
    """Only one process may write at a time, so a run's steps execute in one process."""
    check_connections: ClassVar[int] = 1
    """Connections a check step's queries run on at once (more where the server runs each
    connection's queries in parallel with the others)."""
    native_regex: ClassVar[bool]
    """GX's regex expectations run here as they are (else the suite writes its own SQL)."""
    session_settings: ClassVar[tuple[str, ...]] = ()
    """Statements run once on every connection that builds or checks a table."""
    max_name_bytes: ClassVar[int] = 63
    """The longest name (bytes of UTF-8) it keeps whole; SQL's common limit (NAMEDATALEN - 1)
    unless a warehouse keeps more."""
    outside_function_prefixes: ClassVar[tuple[str, ...]] = ()
    """Name prefixes of this warehouse's functions that reach outside the data (files,
    extensions, settings, other databases): contract SQL may not call them."""
    type_names: ClassVar[Mapping[str, frozenset[str]]] = {}
    """Its own column type names (lower case, no arguments) by logical type, beyond standard SQL's
    (see warehouse.types)."""
    index_published_keys: ClassVar[bool] = True
    """Index a partitioned table's keys table, so an increment's keys are looked up, not
    scanned (a warehouse whose hash joins beat its index upkeep says False)."""
    unique_check_counts_keys: ClassVar[bool] = False
    """A unique check on one column counts its distinct values on the way (key_counts.py), so
    the table profile does not count them again."""

    def has_relation(self, connection: sa.Connection, table: str, schema: str | None) -> bool:
        """Whether the table or view `schema.table` exists (the current schema when None)."""
        return sa.inspect(connection).has_table(table, schema=schema)

    def column_types(
        self, connection: sa.Connection, table: str, schema: str | None
    ) -> dict[str, str]:
        """Column name -> type name of `schema.table` (the current schema when None), in order;
        empty when there is no such table or view."""
        rows = connection.execute(_INFORMATION_SCHEMA_COLUMNS, {"table": table, "schema": schema})
        return {str(name): str(data_type) for name, data_type in rows}

    def prepare_url(self, url: URL) -> None:  # noqa: B027 (an optional hook)
        """Make what must exist before the first connection to `url` (e.g. a file's folder)."""

    def configure_session(self, connection: sa.Connection) -> None:
        """Prepare a connection that runs contract SQL (a table's SQL, a check), once per pooled
        connection (the pool keeps `info` with it): `session_settings`, then `guard_session`."""
        info = connection.connection.info
        if info.get(_SESSION_CONFIGURED):
            return
        for statement in self.session_settings:
            connection.exec_driver_sql(statement)
        self.guard_session(connection)
        info[_SESSION_CONFIGURED] = True

    def guard_session(self, connection: sa.Connection) -> None:  # noqa: B027 (an optional hook)
        """Make the warehouse refuse, on `connection`, what contract SQL must never make it do:
        read or write host files other than the landing files DataPact exposes, install or
        load extensions. A warehouse whose server enforces this through its roles does nothing
        here (see docs/operations.md, security model)."""

    def release_to_other_process(self, engine: sa.Engine) -> bool:
        """Let another process of this machine open what `engine` sees, and say whether it can
        (a server's warehouse: always; the next statement here reconnects if it had to let go)."""
        return True

    @contextmanager
    def check_session(self, engine: sa.Engine) -> Iterator[sa.Connection]:
        """A connection for evaluating checks: configured, and read-only where the warehouse
        offers that for a session (checks never write)."""
        with engine.connect() as connection:
            self.configure_session(connection)
            yield connection

    def check_limits(
        self, engine: sa.Engine, reads: Sequence[str] | None = None
    ) -> AbstractContextManager[int]:
        """Resource limits held while the check step runs on `engine` reading `reads` (the
        relations its queries read; None when a rule's own SQL may read any): none by default.
        Gives how many connections the step's queries may use at once."""
        return nullcontext(self.check_connections)

    def render_type(self, sql_type: str) -> str:
        """A column type written in DataPact's source SQL dialect, spelled for this warehouse."""
        return exp.DataType.build(sql_type, dialect=SOURCE_DIALECT).sql(
            dialect=self.sqlglot_dialect
        )

    # -- write-audit-publish statements (standard SQL; `relation`s come quoted) -------------

    def create_table_as(self, relation: str, query: str) -> str:
        return f"CREATE TABLE {relation} AS {query}"

    def rename_table(self, relation: str, new_name: str) -> str:
        """Rename `relation` to `new_name` in the same schema (`new_name` quoted, unqualified)."""
        return f"ALTER TABLE {relation} RENAME TO {new_name}"

    def drop_table(self, relation: str) -> str:
        return f"DROP TABLE IF EXISTS {relation}"

    def drop_relation(self, connection: sa.Connection, relation: str) -> None:
        """Drop `relation` (quoted), staged or published data: a table, or a view where
        `stage_file` made one; nothing happens when it does not exist."""
        connection.execute(sa.text(self.drop_table(relation)))

    def stage_file(
        self, connection: sa.Connection, source: Path, relation: str, owner: str
    ) -> bool:
        """Stage the (large) Parquet file `source` unchanged as `relation` (quoted, absent) for
        table `owner` without loading it, where the warehouse can; False when the caller
        should load it with `create_table_as` (the default)."""
        return False

    def own_rows(self, connection: sa.Connection, relation: str) -> None:  # noqa: B027
        """Make published `relation` (quoted) a table holding its rows if `stage_file` made it
        something else, before rows are inserted into it or deleted from it."""

    def delete_unread_files(  # noqa: B027 (an optional hook)
        self, engine: sa.Engine, owner: str | None = None
    ) -> None:
        """After a commit that dropped relations of table `owner` (every table when None):
        delete the files `stage_file` made that no relation reads any more."""

    def move_table(self, relation: str, schema: str, name: str) -> list[str]:
        """Statements, run in one transaction, that move `relation` to `schema`.`name` (all
        quoted; no table of that name exists there): a copy, as not every warehouse can move a
        table between schemas (DuckDB cannot)."""
        return [
            self.create_table_as(f"{schema}.{name}", f"SELECT * FROM {relation}"),
            f"DROP TABLE {relation}",
        ]

    def drop_moved(self, connection: sa.Connection, relation: str, source: str) -> None:
        """Drop `relation`, which `move_table` made from a table of `source`'s schema (both
        quoted); nothing happens when there is no such relation."""
        connection.execute(sa.text(self.drop_table(relation)))

    @abstractmethod
    def fingerprint_query(self, relation: str, extra: Sequence[str] = ()) -> str:
        """A query returning one row: the row count and an order-independent content hash, then
        each `extra` aggregate (over the relation aliased `t`) in the same scan."""

    @abstractmethod
    def expose_file(self, connection: sa.Connection, path: Path, relation: str) -> None:
        """Make the Parquet file at `path` readable as `relation` (quoted; its schema exists)."""

    @abstractmethod
    def regex_match(self, expression: str, pattern: str) -> str:
        """A condition true when `expression` contains a match of the regex `pattern` (a SQL
        literal): the search semantics of GX's match_regex."""

    def lock_transaction(self, connection: sa.Connection, key: int) -> bool:
        """Take a lock on `key` held until the transaction ends; False if there is no such lock."""
        return False

    # -- Great Expectations (GX is imported by then; never import it at module level) ------

    gx_extensions: tuple[str, ...] = ()
    """Modules that register this warehouse's GX extensions (data source type, metrics) when
    imported; named, not imported, so the dialect loads without GX."""

    def register_gx(self) -> None:
        """Import the GX extension modules (once; Python caches the import)."""
        for module in self.gx_extensions:
            importlib.import_module(module)

    def gx_connection_string(self, engine: sa.Engine) -> str:
        """The connection string GX's data source for `engine` is given."""
        return engine.url.render_as_string(hide_password=False)

    @abstractmethod
    def add_gx_datasource(self, context: Any, name: str, connection_string: str) -> Any:
        """Add a GX SQL data source over this warehouse to `context`; returns it."""
