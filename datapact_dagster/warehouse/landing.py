"""Landing files (Parquet) exposed to bronze SQL as `landing.<name>` relations.

A landing file is input, so it is checked before the warehouse reads it: exactly one file
answers to the name, it is not empty, it is a complete Parquet file (magic bytes at both ends, a
readable footer, every column chunk inside the file) and its data is within the size limit. A
file that fails is refused with a `LandingFileError` (exit 2) naming the file and the fix;
nothing is exposed, so nothing downstream of it is staged or published.

How a file becomes readable is the warehouse's own (`WarehouseDialect.expose_file`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from datapact_dagster.errors import UserError
from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.engine import quote
from datapact_dagster.warehouse.names import LANDING_SCHEMA
from datapact_dagster.warehouse.sql_parse import selects_whole_table
from datapact_dagster.warehouse.wap import ensure_schema

__all__ = [
    "DEFAULT_FILE_TABLES_OVER_ROWS",
    "DEFAULT_LANDING_MAX_BYTES",
    "FILE_TABLES_OVER_ROWS_ENV",
    "LANDING_MAX_BYTES_ENV",
    "LANDING_SCHEMA",
    "LandingFile",
    "LandingFileError",
    "LandingFileInvalid",
    "LandingFileMissing",
    "check_landing_files",
    "checked_landing_file",
    "expose_landing",
    "file_tables_over_rows",
    "inspect_landing_file",
    "landing_file",
    "landing_size_limit",
    "whole_landing_file",
]

LANDING_MAX_BYTES_ENV = "DATAPACT_LANDING_MAX_BYTES"
DEFAULT_LANDING_MAX_BYTES = 2**30
"""1 GiB of data per landing file, counted uncompressed (what a warehouse that copies the file
in holds in memory), and on disk."""

FILE_TABLES_OVER_ROWS_ENV = "DATAPACT_FILE_TABLES_OVER_ROWS"
DEFAULT_FILE_TABLES_OVER_ROWS = 500_000
"""A table selecting a whole landing file of more rows than this is published as a copy of the
file where the warehouse can (`WarehouseDialect.stage_file`). Loading 1M rows into DuckDB took
0.8 s of a 9 s run, 10M rows 11 s, longer than checking them; smaller tables (the sample
domain's 100k rows) stay inside the database file."""

PARQUET_MAGIC = b"PAR1"
_FOOTER_TRAILER = 8  # 4-byte footer length + magic


class LandingFileError(UserError):
    """A landing file DataPact refuses to read: invalid input, exit 2."""


class LandingFileMissing(LandingFileError, FileNotFoundError):
    pass


class LandingFileInvalid(LandingFileError):
    pass


@dataclass(frozen=True)
class LandingFile:
    path: Path
    size: int
    rows: int
    data_bytes: int
    columns: tuple[str, ...]


def landing_size_limit() -> int:
    """The largest landing file (bytes, on disk and uncompressed) DataPact reads."""
    configured = os.environ.get(LANDING_MAX_BYTES_ENV, "").strip()
    if not configured:
        return DEFAULT_LANDING_MAX_BYTES
    try:
        limit = int(configured)
    except ValueError:
        limit = 0
    if limit <= 0:
        raise UserError(
            f"{LANDING_MAX_BYTES_ENV}={configured!r} is not a positive whole number of bytes"
        )
    return limit


def file_tables_over_rows() -> int:
    """Rows over which a whole landing file is published as a file (FILE_TABLES_OVER_ROWS_ENV)."""
    configured = os.environ.get(FILE_TABLES_OVER_ROWS_ENV, "").strip()
    if not configured:
        return DEFAULT_FILE_TABLES_OVER_ROWS
    try:
        rows = int(configured.replace("_", ""))
    except ValueError:
        rows = -1
    if rows < 0:
        raise UserError(
            f"{FILE_TABLES_OVER_ROWS_ENV}={configured!r} is not a whole number of rows; set "
            "0 to publish every whole landing file as a file, or unset it for the default "
            f"({DEFAULT_FILE_TABLES_OVER_ROWS:,})"
        )
    return rows


def whole_landing_file(landing_dir: Path, sql: str) -> Path | None:
    """The landing file a table's SQL selects unchanged when it holds more rows than
    `file_tables_over_rows()`: the warehouse may publish the file itself."""
    source = selects_whole_table(sql)
    if source is None or source.schema != LANDING_SCHEMA:
        return None
    found = checked_landing_file(landing_dir, source.name)
    return found.path if found.rows > file_tables_over_rows() else None


def _candidates(landing_dir: Path, name: str) -> list[Path]:
    """Every entry of the folder that could be `<name>.parquet` (names differing only in case)."""
    wanted = f"{name}.parquet".casefold()
    if not landing_dir.is_dir():
        return []
    return sorted(p for p in landing_dir.iterdir() if p.name.casefold() == wanted)


def landing_file(landing_dir: Path, name: str) -> Path:
    """The one checked landing file for `landing.<name>`; raises a LandingFileError."""
    return checked_landing_file(landing_dir, name).path


def checked_landing_file(landing_dir: Path, name: str) -> LandingFile:
    """The one checked landing file for `landing.<name>`, with its size and row count."""
    path = landing_dir / f"{name}.parquet"
    candidates = _candidates(landing_dir, name)
    if len(candidates) > 1:
        listed = ", ".join(p.name for p in candidates)
        raise LandingFileInvalid(
            f"landing files {listed} in {landing_dir} all answer to {name}.parquet; "
            "keep exactly one and remove the others"
        )
    if not path.exists() and candidates:
        path = candidates[0]
    if not path.exists():
        raise LandingFileMissing(
            f"landing file {path} is missing; put the export there "
            "('datapact generate' writes sample data)"
        )
    return inspect_landing_file(path)


def inspect_landing_file(path: Path, limit: int | None = None) -> LandingFile:
    """Check one landing file is a complete Parquet file within the limit, reading its footer
    only (the data pages are read by the warehouse)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    limit = landing_size_limit() if limit is None else limit
    if not path.is_file():
        raise LandingFileInvalid(f"landing file {path} is not a file; put a Parquet file there")
    size = path.stat().st_size
    if size == 0:
        raise LandingFileInvalid(f"landing file {path} is empty (0 bytes); export it again")
    _refuse_over_limit(path, size, "on disk", limit)
    with path.open("rb") as handle:
        head = handle.read(len(PARQUET_MAGIC))
        handle.seek(max(size - len(PARQUET_MAGIC), 0))
        tail = handle.read(len(PARQUET_MAGIC))
    if head != PARQUET_MAGIC:
        raise LandingFileInvalid(
            f"landing file {path} is not a Parquet file (it does not start with "
            f"{PARQUET_MAGIC.decode()}); export the table as Parquet"
        )
    if size < 2 * len(PARQUET_MAGIC) + _FOOTER_TRAILER or tail != PARQUET_MAGIC:
        raise LandingFileInvalid(
            f"landing file {path} is truncated ({size:,} bytes, no Parquet footer at its end); "
            "the copy was probably interrupted: copy or export it again"
        )
    try:
        parquet = pq.ParquetFile(path)
        metadata = parquet.metadata
        columns = tuple(parquet.schema_arrow.names)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise LandingFileInvalid(
            f"landing file {path} is damaged: its Parquet footer cannot be read "
            f"({_one_line(exc)}); export it again"
        ) from exc
    data_bytes = 0
    for group_index in range(metadata.num_row_groups):
        group = metadata.row_group(group_index)
        data_bytes += max(group.total_byte_size, 0)
        for column_index in range(group.num_columns):
            chunk = group.column(column_index)
            starts = [
                o for o in (chunk.dictionary_page_offset, chunk.data_page_offset) if o is not None
            ]
            start = min(starts) if starts else 0
            if start < 0 or start + chunk.total_compressed_size > size:
                raise LandingFileInvalid(
                    f"landing file {path} is damaged: column {chunk.path_in_schema!r} of row "
                    f"group {group_index} lies outside the file; export it again"
                )
    _refuse_over_limit(path, data_bytes, "uncompressed", limit)
    return LandingFile(
        path=path, size=size, rows=metadata.num_rows, data_bytes=data_bytes, columns=columns
    )


def check_landing_files(landing_dir: Path, names: Iterable[str]) -> list[LandingFile]:
    """Check every named landing file; one LandingFileError listing every problem at once."""
    found: list[LandingFile] = []
    problems: list[LandingFileError] = []
    for name in sorted(set(names)):
        try:
            found.append(checked_landing_file(landing_dir, name))
        except LandingFileError as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise LandingFileInvalid("; ".join(str(p) for p in problems))
    return found


def expose_landing(engine: sa.Engine, landing_dir: Path, name: str) -> str:
    """Make `landing.<name>` readable in the warehouse; returns the relation name.

    The file is checked first, so a refused file leaves the warehouse untouched.
    """
    path = landing_file(landing_dir, name)
    relation = f"{LANDING_SCHEMA}.{name}"
    dialect = for_engine(engine)
    ensure_schema(engine, LANDING_SCHEMA)
    with engine.begin() as conn:
        dialect.expose_file(conn, path, quote(engine, relation))
    return relation


def _refuse_over_limit(path: Path, amount: int, measured: str, limit: int) -> None:
    if amount > limit:
        raise LandingFileInvalid(
            f"landing file {path} holds {amount:,} bytes {measured}, over the limit of "
            f"{limit:,} bytes; split the export into smaller files or raise "
            f"{LANDING_MAX_BYTES_ENV}"
        )


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
