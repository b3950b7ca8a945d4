"""Columns of one table compared: presence, type, nullability, uniqueness, values, PII, rules."""

from __future__ import annotations

from collections.abc import Callable

from datapact_dagster.changes.compare_rules import compare_rules
from datapact_dagster.changes.recorder import Recorder
from datapact_dagster.changes.thresholds import Strictness, compare_bound, compare_value_sets
from datapact_dagster.changes.widening import logical_widens, physical_widens
from datapact_dagster.contract.model import Column, Table

_BOUNDS = (
    ("minimum", False),
    ("exclusive_minimum", False),
    ("min_length", False),
    ("maximum", True),
    ("exclusive_maximum", True),
    ("max_length", True),
)
"""Each value option and whether raising it loosens the promise (a higher maximum does)."""
_ODCS_OPTION = {
    "minimum": "minimum",
    "exclusive_minimum": "exclusiveMinimum",
    "min_length": "minLength",
    "maximum": "maximum",
    "exclusive_maximum": "exclusiveMaximum",
    "max_length": "maxLength",
    "pattern": "pattern",
}


def compare_columns(rec: Recorder, old: Table, new: Table) -> None:
    table = new.name
    old_names = [c.name for c in old.columns]
    new_names = [c.name for c in new.columns]
    gone = [c for c in old.columns if c.name not in new_names]
    fresh = [c for c in new.columns if c.name not in old_names]
    renamed: dict[str, Column] = {}
    for column in gone:
        index = old.columns.index(column)
        successor = new.columns[index] if index < len(new.columns) else None
        if (
            successor in fresh
            and successor is not None
            and successor.logical_type == column.logical_type
            and successor.name not in renamed.values()
        ):
            renamed[column.name] = successor
    for column in gone:
        if column.name in renamed:
            after = renamed[column.name]
            rec.add(
                "column_renamed",
                f"column {table}.{column.name} renamed to {after.name}",
                f"{after.doc_path}.name",
                table=table,
                column=column.name,
            )
            continue
        rec.add(
            "column_removed",
            f"column {table}.{column.name} ({column.logical_type}) removed",
            column.doc_path,
            table=table,
            column=column.name,
            side="old",
            anchor=f"{new.doc_path}.properties",
        )
    for column in fresh:
        if column not in renamed.values():
            rec.add(
                "column_added",
                f"column {table}.{column.name} ({column.logical_type}) added",
                column.doc_path,
                table=table,
                column=column.name,
            )
    kept = [n for n in old_names if n in new_names]
    if kept != [n for n in new_names if n in old_names]:
        moved = [
            n for n, m in zip(kept, [n for n in new_names if n in kept], strict=True) if n != m
        ]
        rec.add(
            "column_moved",
            f"columns of {table} reordered ({', '.join(moved)})",
            f"{new.doc_path}.properties",
            table=table,
        )
    for name in kept:
        before, after = old.column(name), new.column(name)
        assert before is not None and after is not None
        compare_column(rec, table, before, after)


def compare_column(rec: Recorder, table: str, old: Column, new: Column) -> None:
    def add(kind: str, message: str, field: str | None = None) -> None:
        path = f"{new.doc_path}.{field}" if field else new.doc_path
        rec.add(kind, f"{table}.{new.name}: {message}", path, table=table, column=new.name)

    if old.logical_type != new.logical_type:
        widened = logical_widens(old.logical_type, new.logical_type)
        add(
            "type_widened" if widened else "type_changed",
            f"type {old.logical_type} -> {new.logical_type}"
            + (" (widened)" if widened else " (does not widen)"),
            "logicalType",
        )
    if old.physical_type != new.physical_type:
        if old.physical_type is None:
            kind = "physical_type_declared"
        elif new.physical_type is not None and physical_widens(
            old.physical_type, new.physical_type
        ):
            kind = "physical_type_widened"
        else:
            kind = "physical_type_changed"
        add(kind, f"physicalType {old.physical_type} -> {new.physical_type}", "physicalType")
    if old.required != new.required:
        add(
            "column_required" if new.required else "column_nullable",
            "now required (never NULL)" if new.required else "no longer required: may be NULL",
            "required",
        )
    if old.unique != new.unique:
        add(
            "unique_added" if new.unique else "unique_dropped",
            "now unique" if new.unique else "no longer unique",
            "unique",
        )
    enum = compare_value_sets(set(old.enum_values), set(new.enum_values))
    if enum != Strictness.same:
        added = [v for v in new.enum_values if v not in old.enum_values]
        detail = f"values added {added}" if added and old.enum_values else "values restricted"
        if not new.enum_values:
            detail = "enum removed: any value allowed"
        add("enum_narrowed" if enum == Strictness.tighter else "enum_widened", detail, "enum")
    _compare_options(add, old, new)
    if old.pii != new.pii:
        add(
            "pii_added" if new.pii else "pii_dropped",
            "now PII (samples masked)" if new.pii else "no longer PII: samples will not be masked",
            "classification",
        )
    elif old.classification != new.classification:
        add(
            "classification_changed",
            f"classification {old.classification} -> {new.classification}",
            "classification",
        )
    if old.description != new.description:
        add("description_changed", "description changed", "description")
    if set(old.tags) != set(new.tags):
        add("tags_changed", f"tags {sorted(old.tags)} -> {sorted(new.tags)}", "tags")
    compare_rules(rec, table, old.quality, new.quality, anchor=new.doc_path)


def _compare_options(add: Callable[[str, str, str], None], old: Column, new: Column) -> None:
    for option, raising_loosens in _BOUNDS:
        before, after = getattr(old.options, option), getattr(new.options, option)
        verdict = compare_bound(before, after, upper=raising_loosens)
        if verdict == Strictness.same:
            continue
        name = _ODCS_OPTION[option]
        kind = (
            "value_option_tightened" if verdict == Strictness.tighter else "value_option_loosened"
        )
        add(kind, f"{name} {before} -> {after}", f"logicalTypeOptions.{name}")
    if old.options.pattern != new.options.pattern:
        kind = "value_option_tightened" if old.options.pattern is None else "value_option_loosened"
        add(
            kind,
            f"pattern {old.options.pattern!r} -> {new.options.pattern!r}",
            "logicalTypeOptions.pattern",
        )
