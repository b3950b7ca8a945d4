"""The one-table partitioned project (tests/fixtures/partitioned/) copied into a temp folder,
with its landing file of (event_id, event_ts) rows, for tests through the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "partitioned"


def write_landing(root: Path, rows: str) -> None:
    """`rows`: SQL VALUES tuples, e.g. "('e1', TIMESTAMP '2026-11-20 10:00')"."""
    landing = root / ".datapact" / "landing"
    landing.mkdir(parents=True, exist_ok=True)
    duckdb.sql(
        f"COPY (SELECT * FROM (VALUES {rows}) AS t(event_id, event_ts)) "
        f"TO '{landing / 'events.parquet'}' (FORMAT PARQUET)"
    )


def partitioned_project(tmp_path: Path, rows: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    write_landing(root, rows)
    return root


def published(root: Path) -> list[tuple[str, str]]:
    """bronze.events as (event_id, day), ordered by event_id."""
    with duckdb.connect(str(root / ".datapact" / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.sql("SELECT event_id, CAST(event_ts AS DATE) FROM bronze.events ORDER BY 1")
        return [(e, str(d)) for e, d in rows.fetchall()]
