"""PostgreSQL: a shared server warehouse that takes parallel writers."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from datapact_dagster.warehouse.dialects.base import WarehouseDialect

if TYPE_CHECKING:
    import pyarrow as pa

# A predefined role (PostgreSQL 14+) that reads every table and has no other power: checks run
# under it when DataPact logs in as a superuser, so server-side file functions are refused.
READER_ROLE = "pg_read_all_data"
_READ_ONLY_OPTIONS = "-c default_transaction_read_only=on"
READ_SETTINGS = {"jit": "off"}
"""Settings of every session that reads a table for DataPact (its checks, GX's sessions, the
profile) unless the connection's own options set them. JIT compiles a scan's expressions in the
leader and again in each parallel worker, each holding its own LLVM: 10 to 30 MiB of server
memory per process, with no measured gain on a check step (docs/performance.md)."""


class PostgresDialect(WarehouseDialect):
    backend = "postgresql"
    names = ("postgres", "postgresql")
    display_name = "PostgreSQL"
    sqlglot_dialect = "postgres"
    asset_kind = "postgres"
    single_writer = False
    check_connections = max(1, int(os.environ.get("DATAPACT_CHECK_CONNECTIONS", "2")))
    native_regex = True
    outside_function_prefixes = ("pg_", "lo_", "dblink")
    gx_extensions = (
        "datapact_dagster.warehouse.dialects.postgres_gx",
        "datapact_dagster.warehouse.dialects.postgres_gx_metrics",
    )
    type_names = {
        "string": frozenset({"bpchar"}),
        "integer": frozenset({"int2", "int4", "int8", "smallserial", "serial", "bigserial"}),
        "number": frozenset({"float4", "float8"}),
        "timestamp": frozenset({"timestamptz"}),
        "time": frozenset({"timetz"}),
        "object": frozenset({"jsonb"}),
    }

    def fingerprint_query(self, relation: str, extra: Sequence[str] = ()) -> str:
        more = "".join(f", {aggregate}" for aggregate in extra)
        return (
            f"SELECT COUNT(*), CAST(COALESCE(SUM(hashtextextended(CAST(t AS TEXT), 0)), 0) "
            f"AS TEXT){more} FROM {relation} AS t"
        )

    def move_table(self, relation: str, schema: str, name: str) -> list[str]:
        """Renamed in its schema, then moved: a catalog change, no row copied."""
        source_schema = relation.rpartition(".")[0]
        renamed = f"{source_schema}.{name}" if source_schema else name
        return [self.rename_table(relation, name), f"ALTER TABLE {renamed} SET SCHEMA {schema}"]

    def expose_file(self, connection: sa.Connection, path: Path, relation: str) -> None:
        """A table filled from the Parquet file by one bulk COPY."""
        import pyarrow.csv as pa_csv
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        quote = connection.dialect.identifier_preparer.quote
        columns = ", ".join(f"{quote(f.name)} {_column_type(f)}" for f in table.schema)
        buffer = io.BytesIO()
        pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False))
        buffer.seek(0)
        connection.execute(sa.text(self.drop_table(relation)))
        connection.execute(sa.text(f"CREATE TABLE {relation} ({columns})"))
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.copy_expert(f"COPY {relation} FROM STDIN WITH (FORMAT csv)", buffer)

    def regex_match(self, expression: str, pattern: str) -> str:
        return f"{expression} ~ {pattern}"

    def lock_transaction(self, connection: sa.Connection, key: int) -> bool:
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        return True

    @contextmanager
    def check_session(self, engine: sa.Engine) -> Iterator[sa.Connection]:
        """A read-only transaction, run without superuser powers; rolled back at the end."""
        with engine.connect() as connection:
            self.configure_session(connection)
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            for name, value in _read_settings(engine.url).items():
                connection.exec_driver_sql(f"SET LOCAL {name} = {value}")
            if _demote_to_reader(connection):
                connection.exec_driver_sql(f"SET LOCAL ROLE {READER_ROLE}")
            try:
                yield connection
            finally:
                connection.rollback()

    def gx_connection_string(self, engine: sa.Engine) -> str:
        """GX's own sessions read only, and run as READER_ROLE when DataPact is a superuser."""
        with engine.connect() as connection:
            demote = _demote_to_reader(connection)
        url = engine.url
        options = " ".join(
            part
            for part in (
                *(f"-c {name}={value}" for name, value in _read_settings(url).items()),
                _client_options(url),
                _READ_ONLY_OPTIONS,
                f"-c role={READER_ROLE}" if demote else None,
            )
            if part
        )
        return url.update_query_dict({"options": options}).render_as_string(hide_password=False)

    def add_gx_datasource(self, context: Any, name: str, connection_string: str) -> Any:
        return context.data_sources.add_datapact_postgres(
            name=name, connection_string=connection_string
        )


def _client_options(url: sa.URL) -> str:
    """The server options a connection to `url` sends: the URL's, else libpq's PGOPTIONS."""
    options = url.query.get("options")
    if isinstance(options, tuple):
        options = " ".join(options)
    return options or os.environ.get("PGOPTIONS", "")


def _read_settings(url: sa.URL) -> dict[str, str]:
    """READ_SETTINGS but those the connection's own options set (`-c name=value`,
    `--name=value`)."""
    tokens = _client_options(url).split()
    named = [
        tokens[i + 1] if token == "-c" and i + 1 < len(tokens) else token[2:]
        for i, token in enumerate(tokens)
        if token.startswith(("-c", "--"))
    ]
    chosen = {item.partition("=")[0].lower().replace("-", "_") for item in named}
    return {name: value for name, value in READ_SETTINGS.items() if name not in chosen}


def _demote_to_reader(connection: sa.Connection) -> bool:
    """Whether the session user is a superuser and READER_ROLE exists to run checks as."""
    return bool(
        connection.execute(
            sa.text(
                "SELECT r.rolsuper AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :reader) "
                "FROM pg_roles r WHERE r.rolname = session_user"
            ),
            {"reader": READER_ROLE},
        ).scalar()
    )


def _column_type(field: pa.Field) -> str:
    import pyarrow as pa

    t = field.type
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE PRECISION"
    if pa.types.is_decimal(t):
        return f"NUMERIC({t.precision}, {t.scale})"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
    if pa.types.is_date(t):
        return "DATE"
    return "TEXT"


POSTGRES = PostgresDialect()
