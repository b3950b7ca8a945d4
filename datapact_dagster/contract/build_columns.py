"""ODCS properties -> Column models, and `<table>.<column>` references."""

from __future__ import annotations

import re
from typing import Any

from datapact_dagster.contract.build_custom import comparable
from datapact_dagster.contract.build_quality import read_quality
from datapact_dagster.contract.extensions import PROPERTY_KEYS, read_custom_properties
from datapact_dagster.contract.findings import DocPath, FindingCollector, format_doc_path
from datapact_dagster.contract.model import Column, Relationship, ValueOptions
from datapact_dagster.warehouse.dialects import max_name_bytes
from datapact_dagster.warehouse.types import COLUMN_TYPES

PII_CLASSIFICATIONS = ("pii", "restricted", "confidential", "sensitive")
# Options that constrain values but have no check (date/time `format` only describes a
# serialisation, and integer/number `format` a storage width, so those are accepted).
UNCHECKED_OPTIONS: dict[str, set[str]] = {
    "string": {"format"},
    "integer": {"multipleOf"},
    "number": {"multipleOf"},
    "boolean": {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "pattern",
        "minLength",
        "maxLength",
        "format",
        "multipleOf",
    },
}
_BOUND_PAIRS = (
    ("minimum", "maximum"),
    ("minimum", "exclusiveMaximum"),
    ("exclusiveMinimum", "maximum"),
    ("exclusiveMinimum", "exclusiveMaximum"),
)
MAX_COLUMN_NAME_BYTES = max_name_bytes()
"""The longest column name every warehouse keeps whole (one of them silently cuts the rest)."""


def column_name_problem(name: str) -> str | None:
    """Why no warehouse can hold a column named `name`, or None: DataPact quotes every column
    name it writes, so any other name (mixed case, spaces, punctuation) works on both."""
    if not name.strip():
        return "is empty"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "holds a control character (NUL, a line break, ...)"
    if '"' in name:
        return "holds a double quote, the quote character of SQL names"
    if len(name.encode()) > MAX_COLUMN_NAME_BYTES:
        return (
            f"is longer than {MAX_COLUMN_NAME_BYTES} bytes, the longest name every warehouse keeps"
        )
    return None


def read_column(
    prop: dict[str, Any], path: DocPath, column_names: set[str], out: FindingCollector
) -> tuple[Column | None, list[Relationship]]:
    """One property as a Column, with the relationships it declares (None when invalid)."""
    name = prop["name"]
    ok = True
    problem = column_name_problem(name)
    if problem:
        out.add(
            (*path, "name"),
            f"column name {name!r} {problem}",
            f"name the column as the warehouse holds it (at most {MAX_COLUMN_NAME_BYTES} bytes, "
            "no control character or double quote)",
            code="identifier",
        )
        ok = False
    logical = prop.get("logicalType")
    if logical is None:
        out.add(
            path,
            f"column '{name}' has no logicalType",
            f"add 'logicalType:' with one of {', '.join(COLUMN_TYPES)}",
            code="no-type",
        )
        ok = False
    elif logical not in COLUMN_TYPES:
        out.add(
            (*path, "logicalType"),
            f"logicalType '{logical}' is not a flat column type",
            f"use one of {', '.join(COLUMN_TYPES)}; nested data is not supported in tables: "
            "flatten it in the table's SQL (one column per field), or keep it as JSON text in "
            "a string column",
            code="type",
        )
        ok = False
    options, options_ok = _read_options(prop, logical, path, out)
    ok &= options_ok
    custom = read_custom_properties(
        prop.get("customProperties"), PROPERTY_KEYS, (*path, "customProperties"), out
    )
    tags = tuple(str(t) for t in prop.get("tags") or ())
    classification = prop.get("classification")
    pii = (
        bool(custom.get("pii"))
        or "pii" in (t.lower() for t in tags)
        or (str(classification).lower() in PII_CLASSIFICATIONS)
    )
    quality = read_quality(prop.get("quality") or [], (*path, "quality"), name, column_names, out)
    if len(quality) != len(prop.get("quality") or []):
        ok = False
    relationships = []
    for index, rel in enumerate(prop.get("relationships") or []):
        target = read_reference(rel.get("to"), (*path, "relationships", index, "to"), out)
        if target:
            relationships.append(
                Relationship(
                    from_columns=(name,),
                    to_table=target[0],
                    to_columns=target[1],
                    doc_path=format_doc_path((*path, "relationships", index)),
                )
            )
        else:
            ok = False
    if not ok:
        return None, []
    column = Column(
        name=name,
        logical_type=logical,
        physical_type=prop.get("physicalType"),
        description=prop.get("description"),
        required=bool(prop.get("required")),
        unique=bool(prop.get("unique")),
        primary_key=bool(prop.get("primaryKey")),
        primary_key_position=int(prop.get("primaryKeyPosition", -1)),
        classification=classification,
        tags=tags,
        pii=pii,
        options=options,
        enum_values=tuple(e["value"] for e in prop.get("enum") or ()),
        quality=tuple(quality),
        doc_path=format_doc_path(path),
    )
    return column, relationships


def _read_options(
    prop: dict[str, Any], logical: Any, path: DocPath, out: FindingCollector
) -> tuple[ValueOptions, bool]:
    """The column's logicalTypeOptions, and whether DataPact can check all of them."""
    ok = True
    opts = prop.get("logicalTypeOptions") or {}
    for option in sorted(set(opts) & UNCHECKED_OPTIONS.get(str(logical), set())):
        out.add(
            (*path, "logicalTypeOptions", option),
            f"logicalTypeOptions.{option} on a {logical} column cannot be checked by "
            "DataPact, and a rule is never dropped silently",
            "remove it, or express it as a pattern or a sql quality rule",
            code="unsupported-rule",
        )
        ok = False
    options = ValueOptions(
        minimum=opts.get("minimum"),
        maximum=opts.get("maximum"),
        exclusive_minimum=opts.get("exclusiveMinimum"),
        exclusive_maximum=opts.get("exclusiveMaximum"),
        pattern=opts.get("pattern"),
        min_length=opts.get("minLength"),
        max_length=opts.get("maxLength"),
    )
    opath = (*path, "logicalTypeOptions")
    for low_key, high_key in _BOUND_PAIRS:
        low, high = opts.get(low_key), opts.get(high_key)
        if low is None or high is None or not comparable(low, high):
            continue
        exclusive = low_key.startswith("exclusive") or high_key.startswith("exclusive")
        if low > high or (low == high and exclusive):
            out.add(
                (*opath, low_key),
                f"the {low_key} {low} is above the {high_key} {high}"
                if low > high
                else f"the {low_key} {low} is equal to the {high_key} {high}, so no value "
                "is allowed",
                "swap or correct the bounds",
                code="bounds",
            )
            ok = False
            break
    if comparable(options.min_length, options.max_length) and (
        options.min_length > options.max_length
    ):
        out.add(
            (*opath, "minLength"),
            "minLength is above maxLength",
            "swap or correct the bounds",
            code="bounds",
        )
        ok = False
    if options.pattern is not None:
        try:
            re.compile(options.pattern)
        except re.error as exc:
            out.add(
                (*opath, "pattern"),
                f"the pattern does not compile: {exc}",
                "write a valid regular expression",
                code="pattern",
            )
            ok = False
    return options, ok


def read_reference(
    ref: Any, path: DocPath, out: FindingCollector
) -> tuple[str, tuple[str, ...]] | None:
    """A reference (or list of them) as (table, columns); None with a finding when malformed."""
    refs = ref if isinstance(ref, list) else [ref]
    tables, columns = set(), []
    for item in refs:
        parts = str(item).split(".")
        if len(parts) != 2:
            out.add(
                path,
                f"reference {item!r} is not '<table>.<column>'",
                "write e.g. 'customers.customer_id' (the table's name and a column)",
                code="reference",
            )
            return None
        tables.add(parts[0])
        columns.append(parts[1])
    if len(tables) != 1:
        out.add(
            path,
            "a composite reference must point into one table",
            "reference columns of a single table",
            code="reference",
        )
        return None
    return tables.pop(), tuple(columns)
