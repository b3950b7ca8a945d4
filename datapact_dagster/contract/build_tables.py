"""ODCS schema objects -> Table models: physical name, SQL file, columns, keys, relationships."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datapact_dagster.contract.build_columns import read_column, read_reference
from datapact_dagster.contract.build_monitors import read_table_monitors
from datapact_dagster.contract.build_quality import read_quality
from datapact_dagster.contract.findings import DocPath, FindingCollector, format_doc_path
from datapact_dagster.contract.model import Column, Relationship, Table
from datapact_dagster.contract.partitioning import read_partitioning
from datapact_dagster.contract.table_place import read_place


def read_table(
    obj: dict[str, Any], path: DocPath, project_root: Path, out: FindingCollector
) -> Table | None:
    """One schema object as a Table (None, with findings, when any part of it is invalid)."""
    ok = True
    place = read_place(obj, path, project_root, out)
    if place is None:
        return None
    layer, table_name, physical, sql_path = (
        place.layer,
        place.name,
        place.physical_name,
        place.sql_path,
    )
    if not sql_path.is_file():
        shown = sql_path.relative_to(project_root)
        out.add(
            (*path, "physicalName"),
            f"no SQL builds {physical}: {shown} does not exist",
            f"create {shown} with the SELECT that builds it",
            code="missing-sql",
        )
        ok = False
    props = obj.get("properties") or []
    if not props:
        out.add(
            path,
            f"table '{physical}' declares no columns",
            "add a 'properties' list with one entry per column",
            code="no-columns",
        )
        return None
    column_names = {p["name"] for p in props}
    columns, relationships, columns_ok = _read_columns(props, path, column_names, out)
    ok &= columns_ok
    ok &= _primary_key_positions_ok(props, path, out)
    for index, rel in enumerate(obj.get("relationships") or []):
        relationship = _read_relationship(
            rel, (*path, "relationships", index), obj["name"], table_name, column_names, out
        )
        if relationship is None:
            ok = False
        else:
            relationships.append(relationship)
    quality = read_quality(obj.get("quality") or [], (*path, "quality"), None, column_names, out)
    if len(quality) != len(obj.get("quality") or []):
        ok = False
    monitors, monitors_ok = read_table_monitors(obj, path, out)
    ok &= monitors_ok
    types = {p["name"]: str(p.get("logicalType", "")) for p in props}
    partitioning, partitioning_ok = read_partitioning(obj, path, types, out)
    ok &= partitioning_ok
    if not ok:
        return None
    return Table(
        name=table_name,
        layer=layer,
        physical_name=physical,
        description=obj.get("description"),
        tags=tuple(str(t) for t in obj.get("tags") or ()),
        columns=tuple(columns),
        quality=tuple(quality),
        relationships=tuple(relationships),
        monitors=tuple(monitors),
        partitioning=partitioning,
        sql_path=sql_path,
        doc_path=format_doc_path(path),
    )


def _read_columns(
    props: list[dict[str, Any]], path: DocPath, column_names: set[str], out: FindingCollector
) -> tuple[list[Column], list[Relationship], bool]:
    ok = True
    columns, relationships = [], []
    seen: set[str] = set()
    for index, prop in enumerate(props):
        if prop["name"] in seen:
            out.add(
                (*path, "properties", index, "name"),
                f"column '{prop['name']}' is declared twice",
                "remove or rename one",
                code="duplicate-column",
            )
            ok = False
            # Its own mistakes are reported too, so one pass shows everything to fix.
            read_column(prop, (*path, "properties", index), column_names, out)
            continue
        seen.add(prop["name"])
        column, rels = read_column(prop, (*path, "properties", index), column_names, out)
        if column is None:
            ok = False
        else:
            columns.append(column)
            relationships.extend(rels)
    return columns, relationships, ok


def _primary_key_positions_ok(
    props: list[dict[str, Any]], path: DocPath, out: FindingCollector
) -> bool:
    ok = True
    key_positions: dict[int, str] = {}
    for index, prop in enumerate(props):
        position = prop.get("primaryKeyPosition", -1)
        if not prop.get("primaryKey") or not isinstance(position, int) or position <= 0:
            continue
        if position in key_positions:
            out.add(
                (*path, "properties", index, "primaryKeyPosition"),
                f"primaryKeyPosition {position} is also used by primary key column "
                f"'{key_positions[position]}'",
                "number the key columns 1, 2, 3, …",
                code="pk-position",
            )
            ok = False
        key_positions.setdefault(position, prop["name"])
    return ok


def _read_relationship(
    rel: dict[str, Any],
    rpath: DocPath,
    declared_name: str,
    table_name: str,
    column_names: set[str],
    out: FindingCollector,
) -> Relationship | None:
    """A table-level relationship; its 'from' must name columns of this table."""
    source = read_reference(rel.get("from"), (*rpath, "from"), out)
    target = read_reference(rel.get("to"), (*rpath, "to"), out)
    if not source or not target:
        return None
    if source[0] != declared_name and source[0] != table_name:
        out.add(
            (*rpath, "from"),
            f"'from' must point into this table ({table_name})",
            f"write '{table_name}.<column>'",
            code="reference",
        )
        return None
    bad = [c for c in source[1] if c not in column_names]
    if bad:
        out.add(
            (*rpath, "from"),
            f"unknown column(s) {', '.join(bad)}",
            f"use columns of {table_name}",
            code="unknown-column",
        )
        return None
    if len(source[1]) != len(target[1]):
        out.add(
            rpath,
            "'from' and 'to' have different numbers of columns",
            "list as many target columns as source columns",
            code="reference",
        )
        return None
    return Relationship(
        from_columns=source[1],
        to_table=target[0],
        to_columns=target[1],
        doc_path=format_doc_path(rpath),
    )
