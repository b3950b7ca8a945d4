"""One table's column lineage as Markdown: what the Dagster UI shows on the asset page (its
open-source edition draws no column lineage)."""

from __future__ import annotations

from datapact_dagster.plan.graph import ColumnRef, DependencyGraph


def column_lineage_markdown(graph: DependencyGraph, table: str) -> str:
    traced = graph.lineage[table]
    _, declared = graph.table(table)
    readers = graph.downstream.get(table, ())
    lines = [
        f"**Reads** {_names(traced.reads)} · **read by** {_names(readers)}",
        "",
        "| column | computed from | used by |",
        "|---|---|---|",
    ]
    for column in declared.columns:
        ref = ColumnRef(table, column.name)
        if column.name in traced.untraced:
            sources = f"_not traced: {traced.untraced[column.name]}_"
        else:
            sources = _refs(traced.columns.get(column.name, ())) or "_rows only (e.g. a count)_"
        used_by = _refs(graph.value_readers(ref))
        rows_of = graph.row_readers(ref)
        if rows_of:
            used_by = ", ".join(filter(None, [used_by, f"rows of {_names(rows_of)}"]))
        lines.append(f"| `{column.name}` | {sources} | {used_by or '—'} |")
    if traced.rows:
        lines += ["", f"Rows decided by (joins, filters, grouping): {_refs(traced.rows)}"]
    return "\n".join(lines)


def _refs(refs: tuple[ColumnRef, ...] | list[ColumnRef]) -> str:
    return ", ".join(f"`{ref}`" for ref in refs)


def _names(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names) or "nothing"
