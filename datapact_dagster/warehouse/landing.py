"""Landing files (Parquet) exposed to bronze SQL as `landing.<name>` relations.

How a file becomes readable is the warehouse's own (`WarehouseDialect.expose_file`).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.engine import quote
from datapact_dagster.warehouse.names import LANDING_SCHEMA
from datapact_dagster.warehouse.wap import ensure_schema

__all__ = ["LANDING_SCHEMA", "LandingFileMissing", "expose_landing", "landing_file"]


class LandingFileMissing(FileNotFoundError):
    pass


def landing_file(landing_dir: Path, name: str) -> Path:
    path = landing_dir / f"{name}.parquet"
    if not path.is_file():
        raise LandingFileMissing(
            f"landing file {path} is missing; run 'datapact generate' or put the export there"
        )
    return path


def expose_landing(engine: sa.Engine, landing_dir: Path, name: str) -> str:
    """Make `landing.<name>` readable in the warehouse; returns the relation name."""
    path = landing_file(landing_dir, name)
    relation = f"{LANDING_SCHEMA}.{name}"
    dialect = for_engine(engine)
    with engine.begin() as conn:
        ensure_schema(conn, engine, LANDING_SCHEMA)
        dialect.expose_file(conn, path, quote(engine, relation))
    return relation
