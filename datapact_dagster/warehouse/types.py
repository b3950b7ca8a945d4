"""The logical column types of a contract, and the warehouse column types that hold them.

One table: each logical type's SQL type (in DataPact's source SQL dialect; a dialect spells it
for its warehouse with `render_type`) and the standard SQL type names a column of it may report.
Each warehouse adds its own type names (`WarehouseDialect.type_names`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from datapact_dagster.warehouse.dialects import DIALECTS, WarehouseDialect


@dataclass(frozen=True)
class LogicalType:
    name: str
    sql_type: str | None
    """The SQL type DataPact declares a column of this type with; None for a nested type, which
    a table column cannot have."""
    database_types: frozenset[str]
    """Standard SQL type names (lower case, no arguments) that hold it."""
    holds: tuple[str, ...] = ()
    """Logical types whose columns hold this one too ('number' takes integer columns)."""


_DECIMAL = frozenset({"decimal", "numeric"})
LOGICAL_TYPES: tuple[LogicalType, ...] = (
    LogicalType(
        "string",
        "text",
        frozenset({"varchar", "text", "character varying", "character", "char", "string"}),
    ),
    LogicalType(
        "date",
        "date",
        frozenset({"date"}),
    ),
    LogicalType(
        "timestamp",
        "timestamp",
        frozenset(
            {"timestamp", "timestamp with time zone", "timestamp without time zone", "datetime"}
        ),
    ),
    LogicalType(
        "time",
        "time",
        frozenset({"time", "time with time zone", "time without time zone"}),
    ),
    LogicalType(
        "number",
        "double",
        _DECIMAL | {"double", "real", "float", "double precision"},
        holds=("integer",),
    ),
    LogicalType(
        "integer",
        "bigint",
        frozenset({"tinyint", "smallint", "integer", "int", "bigint"}),
    ),
    LogicalType("boolean", "boolean", frozenset({"boolean", "bool"})),
    LogicalType("object", None, frozenset({"json"})),
    LogicalType("array", None, frozenset({"array"})),
)
BY_NAME = {t.name: t for t in LOGICAL_TYPES}
COLUMN_TYPES: tuple[str, ...] = tuple(t.name for t in LOGICAL_TYPES if t.sql_type is not None)
"""The logical types a table column may declare, in the order error messages list them."""
FALLBACK_SQL_TYPE = "text"


def sql_type_of(logical_type: str) -> str:
    """The SQL type (source dialect) of a column of `logical_type`; text when it has none."""
    found = BY_NAME.get(logical_type)
    return found.sql_type if found and found.sql_type else FALLBACK_SQL_TYPE


def column_type(logical_type: str, dialect: WarehouseDialect) -> str:
    """The column type `dialect`'s warehouse declares a column of `logical_type` with."""
    return dialect.render_type(sql_type_of(logical_type))


@cache
def database_types(logical_type: str) -> frozenset[str]:
    """Every column type name, on any supported warehouse, that holds `logical_type`."""
    found = BY_NAME[logical_type]
    names = set(found.database_types)
    for dialect in DIALECTS:
        names |= dialect.type_names.get(logical_type, frozenset())
    for held in found.holds:
        names |= database_types(held)
    return frozenset(names)


def type_compatible(logical_type: str, database_type: str) -> bool:
    """A warehouse column of `database_type` (as its catalog reports it) holds `logical_type`."""
    base = re.sub(r"\(.*\)", "", database_type.lower()).strip()
    if base.endswith("[]") or base.startswith("array"):
        base = "array"
    elif base.startswith(("struct", "map")):
        base = base.split("(")[0]
    logical = logical_type.lower()
    if logical not in BY_NAME:  # a logical type DataPact has no mapping for: accept any
        return True
    if logical == "integer" and base in _DECIMAL:
        return bool(re.search(r",\s*0\s*\)", database_type))  # DECIMAL(p,0) holds integers
    return base in database_types(logical)
