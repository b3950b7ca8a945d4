"""A table's `partitioning` custom property: built and checked one time window at a time.

    customProperties:
      - property: partitioning
        value: {column: event_ts, grain: daily, start: "2025-01-01"}

Documented in docs/incremental.md; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Protocol

from datapact_dagster.contract.findings import DocPath, FindingCollector, format_doc_path
from datapact_dagster.contract.model import Contract, Partitioning, Table

PARTITIONING_KEY = "partitioning"
GRAINS = ("daily", "hourly")
FIELDS = {"column", "grain", "start"}
DEFAULT_START = datetime(2020, 1, 1)
TIME_TYPES = ("timestamp", "date")
_EXAMPLE = "{column: event_ts, grain: daily, start: '2025-01-01'}"


def read_partitioning(
    obj: dict[str, Any], path: DocPath, columns: dict[str, str], out: FindingCollector
) -> tuple[Partitioning | None, bool]:
    """The table's partitioning (None when it declares none) and whether it is valid.

    `columns` maps each declared column to its logical type.
    """
    items = obj.get("customProperties") or []
    index = next(
        (i for i, item in enumerate(items) if item.get("property") == PARTITIONING_KEY), None
    )
    if index is None:
        return None, True
    value_path: DocPath = (*path, "customProperties", index, "value")
    value = items[index].get("value")
    if not isinstance(value, dict):
        out.add(
            value_path,
            "partitioning must be a mapping with a time column and a grain",
            f"write e.g. value: {_EXAMPLE}",
            code="partitioning",
        )
        return None, False
    ok = True
    for unknown in sorted(set(map(str, value)) - FIELDS):
        out.add(
            (*value_path, unknown),
            f"'{unknown}' is not a partitioning field",
            f"use only {', '.join(sorted(FIELDS))}",
            code="partitioning",
        )
        ok = False
    ok &= _column_ok(value.get("column"), value_path, columns, out)
    grain = value.get("grain")
    if grain not in GRAINS:
        out.add(
            (*value_path, "grain") if "grain" in value else value_path,
            f"partitioning grain {grain!r} is not daily or hourly"
            if "grain" in value
            else "partitioning has no grain",
            "set grain: daily or grain: hourly",
            code="partitioning",
        )
        ok = False
    start = _start(value.get("start"), (*value_path, "start"), out)
    if start is None:
        ok = False
    if not ok or start is None:
        return None, False
    return (
        Partitioning(
            column=value["column"],
            grain=grain,
            start=start,
            doc_path=format_doc_path(value_path),
        ),
        True,
    )


def _column_ok(
    column: Any, value_path: DocPath, columns: dict[str, str], out: FindingCollector
) -> bool:
    if column is None:
        out.add(
            value_path,
            "partitioning has no time column",
            f"name the timestamp or date column that places a row in its partition: {_EXAMPLE}",
            code="partitioning",
        )
        return False
    where = (*value_path, "column")
    if column not in columns:
        out.add(
            where,
            f"partitioning column {column!r} is not a column of this table",
            f"use one of: {', '.join(sorted(columns))}",
            code="partitioning",
        )
        return False
    if columns[column] not in TIME_TYPES:
        out.add(
            where,
            f"partitioning column {column!r} is a {columns[column]}, not a timestamp or date",
            "partition on a column with logicalType timestamp or date",
            code="partitioning",
        )
        return False
    return True


def _start(value: Any, where: DocPath, out: FindingCollector) -> datetime | None:
    if value is None:
        return DEFAULT_START
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        out.add(
            where,
            f"partitioning start {value!r} is not a date",
            "write the first partition's day as YYYY-MM-DD (or YYYY-MM-DDTHH:00 for hourly)",
            code="partitioning",
        )
        return None


class Reporter(Protocol):
    def add(self, contract: Contract, doc_path: str, message: str, fix: str, code: str) -> None: ...


def check_one_partitioning(tables: Iterable[tuple[Contract, Table]], report: Reporter) -> None:
    """Every partitioned table of a project has the same grain and start: one Dagster job holds
    every table, and a job runs assets of one partitions definition."""
    partitioned = [(c, t) for c, t in tables if t.partitioning is not None]
    if not partitioned:
        return
    first_contract, first = partitioned[0]
    assert first.partitioning is not None
    shape = (first.partitioning.grain, first.partitioning.start)
    for contract, table in partitioned[1:]:
        assert table.partitioning is not None
        if (table.partitioning.grain, table.partitioning.start) == shape:
            continue
        report.add(
            contract,
            table.partitioning.doc_path,
            f"{table.physical_name} is partitioned {table.partitioning.grain} from "
            f"{table.partitioning.start:%Y-%m-%d %H:%M}, but {first.physical_name} "
            f"({first_contract.source_path}) {shape[0]} from {shape[1]:%Y-%m-%d %H:%M}",
            "give every partitioned table of the project the same grain and start "
            "(one pipeline job runs them together)",
            "partitioning",
        )
