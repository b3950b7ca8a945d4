"""ODCS freshness SLAs (`slaProperties` latency/freshness) -> one Freshness per table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from datapact_dagster.contract.findings import FindingCollector, format_doc_path
from datapact_dagster.contract.model import Freshness, Table

FRESHNESS_SLA = ("latency", "freshness")
_UNITS = {
    "m": 60,
    "min": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}


def parse_duration(value: Any, unit: Any) -> timedelta | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    seconds = _UNITS.get(str(unit or "d").lower())
    return timedelta(seconds=value * seconds) if seconds else None


def read_freshness(
    sla_properties: list[dict[str, Any]] | None, tables: list[Table], out: FindingCollector
) -> dict[str, Freshness]:
    """Table name -> its freshness SLA, for each valid latency/freshness entry."""
    found: dict[str, Freshness] = {}
    for index, sla in enumerate(sla_properties or []):
        if sla.get("property") not in FRESHNESS_SLA:
            continue
        path = ("slaProperties", index)
        element = str(sla.get("element") or "")
        table_name, _, column_name = element.partition(".")
        table = next((t for t in tables if table_name in (t.name,)), None)
        if not column_name or table is None:
            out.add(
                (*path, "element"),
                f"freshness SLA element {element!r} does not name '<table>.<column>' of "
                "this contract",
                f"write e.g. element: {tables[0].name if tables else 'table'}.<timestamp column>",
                code="sla-element",
            )
            continue
        column = table.column(column_name)
        if column is None:
            out.add(
                (*path, "element"),
                f"table {table.name} has no column '{column_name}'",
                f"use a timestamp or date column of {table.name}",
                code="sla-element",
            )
            continue
        if column.logical_type not in ("timestamp", "date"):
            out.add(
                (*path, "element"),
                f"'{column_name}' is not a timestamp or date column of {table.name}",
                "point the SLA at the column that records when a row happened",
                code="sla-element",
            )
            continue
        max_age = parse_duration(sla.get("value"), sla.get("unit"))
        if max_age is None:
            out.add(
                (*path, "value"),
                f"freshness {sla.get('value')!r} {sla.get('unit') or 'd'} is not a "
                "positive duration",
                "write a positive number with unit m, h, d or w (e.g. value: 2, unit: d)",
                code="sla-value",
            )
            continue
        found[table.name] = Freshness(
            column=column_name,
            max_age=max_age,
            description=sla.get("description"),
            doc_path=format_doc_path(path),
        )
    return found
