"""Where a contract table lives: its layer, its DataPact name, its relation and its SQL file.

Two forms are read. The DataPact convention: `physicalName: <layer>.<table>`; the table's name
is the part after the layer. A table's real name: `physicalName` is the relation as it exists
(`tbl_1`, `analytics.orders`), the schema object's `customProperties` set `layer`, and the
table's name is the schema object's `name`. Either way the SQL is `sql/<layer>/<name>.sql`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datapact_dagster.contract.extensions import TABLE_KEYS, read_custom_properties
from datapact_dagster.contract.findings import DocPath, FindingCollector
from datapact_dagster.contract.model import Layer
from datapact_dagster.warehouse.dialects import max_name_bytes
from datapact_dagster.warehouse.names import LANDING_SCHEMA, MONITORING_SCHEMA, QUARANTINE_SCHEMA

LAYER_KEY = "layer"
CONVENTION_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
"""A table's name names its checks, its Dagster asset and its SQL file."""
RELATION_PART = re.compile(r"^[a-z_][a-z0-9_]*$")
"""A part of a real physical name: written unquoted in SQL, it means the same relation on every
warehouse (one folds unquoted names to lower case, another ignores case)."""
MAX_RELATION_PART = max_name_bytes() - 15
"""The longest name every warehouse keeps, less what DataPact appends (`__dp_staging`, a kept
version's `__dp_v<8 characters>`)."""
_LAYERS = ", ".join(Layer.__members__)
_SET_LAYER = "customProperties: [{property: layer, value: silver}]"


@dataclass(frozen=True)
class TablePlace:
    layer: Layer
    name: str
    physical_name: str
    sql_path: Path


def read_place(
    obj: dict[str, Any], path: DocPath, project_root: Path, out: FindingCollector
) -> TablePlace | None:
    """The table's place, or None with a finding when it cannot be told."""
    physical = obj.get("physicalName")
    if physical is None:
        out.add(
            path,
            f"table '{obj['name']}' has no physicalName",
            "add 'physicalName: <layer>.<table>' with layer bronze, silver or gold, or the "
            f"table's real name and its layer: {_SET_LAYER}",
            code="physical-name",
        )
        return None
    custom_path: DocPath = (*path, "customProperties")
    custom = read_custom_properties(obj.get("customProperties"), TABLE_KEYS, custom_path, out)
    if LAYER_KEY in custom:
        index = next(
            i for i, item in enumerate(obj["customProperties"]) if item.get("property") == LAYER_KEY
        )
        layer_path: DocPath = (*custom_path, index, "value")
        return _real_name_place(
            obj, path, physical, (custom[LAYER_KEY], layer_path), project_root, out
        )
    layer_name, _, table_name = str(physical).partition(".")
    if layer_name not in Layer.__members__ or not CONVENTION_NAME.match(table_name):
        out.add(
            (*path, "physicalName"),
            f"physicalName {physical!r} is not '<layer>.<table>' with layer bronze, silver or gold",
            "write e.g. 'silver.orders' (lower-case table name), or keep the table's real name "
            f"and set its layer: {_SET_LAYER}",
            code="physical-name",
        )
        return None
    layer = Layer(layer_name)
    return TablePlace(layer, table_name, physical, _sql_path(project_root, layer, table_name))


def _real_name_place(
    obj: dict[str, Any],
    path: DocPath,
    physical: str,
    layer_at: tuple[Any, DocPath],
    project_root: Path,
    out: FindingCollector,
) -> TablePlace | None:
    layer_value, layer_path = layer_at
    ok = True
    if layer_value not in Layer.__members__:
        out.add(
            layer_path,
            f"layer {layer_value!r} is not one DataPact knows",
            f"use one of: {_LAYERS}",
            code="layer",
        )
        ok = False
    name = obj["name"]
    if not TABLE_NAME.match(name):
        out.add(
            (*path, "name"),
            f"table name {name!r} cannot name the table's checks, asset and SQL file",
            "use letters, digits and underscores, starting with a letter or underscore "
            "(the physicalName keeps the real name)",
            code="table-name",
        )
        ok = False
    problem = relation_problem(str(physical))
    if problem:
        out.add((*path, "physicalName"), problem[0], problem[1], code="physical-name")
        ok = False
    if not ok:
        return None
    layer = Layer(layer_value)
    return TablePlace(layer, name, physical, _sql_path(project_root, layer, name))


def relation_problem(physical: str) -> tuple[str, str] | None:
    """Why `physical` cannot be a table's real name (message, fix), or None."""
    parts = physical.split(".")
    fix = (
        "write the relation as SQL reads it unquoted: 'table' or 'schema.table' with lower-case "
        f"letters, digits and underscores, each part at most {MAX_RELATION_PART} characters"
    )
    if len(parts) > 2 or not all(RELATION_PART.match(p) for p in parts):
        return f"physicalName {physical!r} is not a table name DataPact can build", fix
    if any(len(p) > MAX_RELATION_PART for p in parts):
        return f"physicalName {physical!r} has a part longer than {MAX_RELATION_PART}", fix
    if len(parts) == 2 and parts[0] in (LANDING_SCHEMA, QUARANTINE_SCHEMA, MONITORING_SCHEMA):
        return (
            f"physicalName {physical!r} is in the schema '{parts[0]}', which DataPact keeps for "
            "itself",
            "use another schema",
        )
    return None


def _sql_path(project_root: Path, layer: Layer, name: str) -> Path:
    return project_root / "sql" / layer.value / f"{name}.sql"
