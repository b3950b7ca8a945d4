"""ODCS `slaProperties` timeToDetect / timeToNotify / timeToRepair -> the contract's SLA targets.

ODCS v3.1 names these properties (case-insensitive, with the synonyms td, tn and tr); each
needs a positive `value` and a `unit`, and may name one table of the contract in `element`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from datapact_dagster.contract.findings import FindingCollector, format_doc_path
from datapact_dagster.contract.model import SlaFigure, SlaTarget, Table

_NAMES: dict[str, SlaFigure] = {
    "timetodetect": "timeToDetect",
    "td": "timeToDetect",
    "timetonotify": "timeToNotify",
    "tn": "timeToNotify",
    "timetorepair": "timeToRepair",
    "tr": "timeToRepair",
}
_SECONDS_PER_UNIT = {
    **dict.fromkeys(("s", "sec", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("w", "week", "weeks"), 604800),
}


def sla_figure(property_name: Any) -> SlaFigure | None:
    """The figure an `slaProperties[].property` names, or None for any other property."""
    return _NAMES.get(str(property_name or "").lower())


def read_sla_targets(
    sla_properties: list[dict[str, Any]] | None, tables: list[Table], out: FindingCollector
) -> tuple[SlaTarget, ...]:
    targets: list[SlaTarget] = []
    for index, sla in enumerate(sla_properties or []):
        figure = sla_figure(sla.get("property"))
        if figure is None:
            continue
        target = _read_target(figure, sla, ("slaProperties", index), tables, out)
        if target is None:
            continue
        twin = next(
            (t for t in targets if t.figure == target.figure and t.table == target.table), None
        )
        if twin is not None:
            scope = f"table {target.table}" if target.table else "the whole contract"
            out.add(
                ("slaProperties", index, "property"),
                f"{figure} is declared twice for {scope} (first at {twin.doc_path})",
                "keep one target per figure and table",
                code="sla-duplicate",
            )
            continue
        targets.append(target)
    return tuple(targets)


def _read_target(
    figure: SlaFigure,
    sla: dict[str, Any],
    path: tuple[str | int, ...],
    tables: list[Table],
    out: FindingCollector,
) -> SlaTarget | None:
    table_name = None
    element = sla.get("element")
    if element is not None:
        table_name = str(element).partition(".")[0]
        if not any(t.name == table_name for t in tables):
            names = ", ".join(t.name for t in tables) or "none"
            out.add(
                (*path, "element"),
                f"{figure} element {element!r} names no table of this contract",
                f"name one of its tables ({names}), or leave element out to bind every table",
                code="sla-element",
            )
            return None
    unit = sla.get("unit")
    seconds_per_unit = _SECONDS_PER_UNIT.get(str(unit).lower()) if unit is not None else None
    if seconds_per_unit is None:
        out.add(
            (*path, "unit") if unit is not None else path,
            f"{figure} has no unit" if unit is None else f"{unit!r} is not a duration unit",
            "write unit: s, m, h, d or w (e.g. value: 15, unit: m)",
            code="sla-unit",
        )
        return None
    value = sla.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        out.add(
            (*path, "value"),
            f"{figure} {value!r} is not a positive number",
            "write how long it may take at most, e.g. value: 15, unit: m",
            code="sla-value",
        )
        return None
    return SlaTarget(
        figure=figure,
        limit=timedelta(seconds=value * seconds_per_unit),
        table=table_name,
        description=sla.get("description"),
        doc_path=format_doc_path(path),
    )
