"""Landing files (Parquet) exposed to bronze SQL as `landing.<name>` relations.

DuckDB reads Parquet directly through a view; PostgreSQL gets a table filled by a bulk COPY.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import sqlalchemy as sa

from datapact_dagster.warehouse.engine import quote
from datapact_dagster.warehouse.wap import ensure_schema

LANDING_SCHEMA = "landing"


class LandingFileMissing(FileNotFoundError):
    pass


def landing_file(landing_dir: Path, name: str) -> Path:
    path = landing_dir / f"{name}.parquet"
    if not path.is_file():
        raise LandingFileMissing(
            f"landing file {path} is missing; run 'datapact generate' or put the export there"
        )
    return path


def _pg_type(field: pa.Field) -> str:
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


def expose_landing(engine: sa.Engine, landing_dir: Path, name: str) -> str:
    """Make `landing.<name>` readable in the warehouse; returns the relation name."""
    path = landing_file(landing_dir, name)
    relation = f"{LANDING_SCHEMA}.{name}"
    if engine.dialect.name == "duckdb":
        literal = str(path).replace("'", "''")
        with engine.begin() as conn:
            ensure_schema(conn, engine, LANDING_SCHEMA)
            conn.execute(
                sa.text(
                    f"CREATE OR REPLACE VIEW {quote(engine, relation)} AS "
                    f"SELECT * FROM read_parquet('{literal}')"
                )
            )
        return relation
    table = pq.read_table(path)
    columns = ", ".join(f"{quote(engine, f.name)} {_pg_type(f)}" for f in table.schema)
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False))
    buffer.seek(0)
    with engine.begin() as conn:
        ensure_schema(conn, engine, LANDING_SCHEMA)
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {quote(engine, relation)}"))
        conn.execute(sa.text(f"CREATE TABLE {quote(engine, relation)} ({columns})"))
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.copy_expert(f"COPY {quote(engine, relation)} FROM STDIN WITH (FORMAT csv)", buffer)
    return relation
