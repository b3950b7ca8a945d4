"""The catalog's three diagrams as layouts: the table lineage map, the ERD of the relationships,
and one table's column lineage (what each column is computed from and what is computed from it).
"""

from __future__ import annotations

from datapact_dagster.contract.model import LAYER_ORDER, Table
from datapact_dagster.plan.graph import ColumnRef, DependencyGraph

from .layout import layered
from .model import cardinality, column_href, table_href
from .shapes import BoxSpec, Diagram, End, LinkSpec, RowSpec

SOURCE_KIND = "landing"


def lineage_map(graph: DependencyGraph) -> Diagram:
    """Every contract table and landing source, one column per layer, an edge per read."""
    sources = sorted({r for t in graph.lineage.values() for r in t.reads if r not in graph.tables})
    columns: list[list[BoxSpec]] = [[_source_box(name) for name in sources]]
    for layer in sorted(LAYER_ORDER, key=LAYER_ORDER.__getitem__):
        names = sorted(n for n, (_, t) in graph.tables.items() if t.layer is layer)
        depth = _read_depth(graph, names)
        for level in range(max(depth.values(), default=-1) + 1):
            columns.append(
                [
                    _table_box(graph, name, rows=(RowSpec("contract", graph.table(name)[0].id),))
                    for name in names
                    if depth[name] == level
                ]
            )
    links = [
        LinkSpec(End(read), End(name), "reads", f"{name} reads {read}")
        for name, traced in graph.lineage.items()
        for read in traced.reads
    ]
    links += [
        LinkSpec(
            End(name), End(target), "reference", f"{name} has keys that must exist in {target}"
        )
        for name, traced in graph.lineage.items()
        for target in traced.references
    ]
    return layered("lineage-map", "Table lineage: landing → bronze → silver → gold", columns, links)


def erd(graph: DependencyGraph) -> tuple[Diagram, tuple[str, ...]]:
    """The ERD of the tables in a relationship, referenced tables left of those referencing
    them; and the tables in no relationship (listed, not drawn)."""
    edges = {
        (name, target.physical_name)
        for name, (_, table) in graph.tables.items()
        for rel in table.relationships
        if (found := graph.contracts.find_table(rel.to_table)) and (target := found[1])
    }
    related = sorted({name for edge in edges for name in edge})
    depth = _reference_depth(related, edges)
    columns = [
        [_erd_box(graph, name) for name in related if depth[name] == level]
        for level in range(max(depth.values(), default=-1) + 1)
    ]
    links = []
    for name in related:
        _, table = graph.table(name)
        for rel in table.relationships:
            found = graph.contracts.find_table(rel.to_table)
            if found is None:
                continue
            target = found[1]
            kind = cardinality(table, rel.from_columns, target, rel.to_columns)
            ends = _CARDINALITY_ENDS.get(kind, ("", ""))
            for source_column, target_column in zip(rel.from_columns, rel.to_columns, strict=False):
                links.append(
                    LinkSpec(
                        End(name, source_column),
                        End(target.physical_name, target_column),
                        "fk",
                        f"{name}.{source_column} → {target.physical_name}.{target_column} ({kind})",
                        *ends,
                    )
                )
    unrelated = tuple(sorted(set(graph.tables) - set(related)))
    return layered("erd", "Entity relationships", columns, links), unrelated


_CARDINALITY_ENDS = {"many-to-one": ("N", "1"), "one-to-one": ("1", "1")}


def column_lineage(graph: DependencyGraph, name: str) -> Diagram:
    """One table in the middle, what it reads on the left, what reads it on the right."""
    _, table = graph.table(name)
    traced = graph.lineage[name]
    upstream_columns: dict[str, list[str]] = {read: [] for read in traced.reads}
    links: list[LinkSpec] = []
    for column, sources in traced.columns.items():
        for ref in sources:
            _add(upstream_columns, ref)
            links.append(_link(ref, ColumnRef(name, column), "value", "computed from"))
    for ref in traced.rows:
        _add(upstream_columns, ref)
        links.append(
            LinkSpec(
                End(ref.table, ref.column), End(name), "rows", f"rows of {name} depend on {ref}"
            )
        )
    for column in traced.untraced:
        links += [
            LinkSpec(
                End(read), End(name, column), "untraced", f"{name}.{column}: lineage not traced"
            )
            for read in traced.reads
        ]
    downstream_columns: dict[str, list[str]] = {r: [] for r in graph.downstream.get(name, ())}
    for column in table.columns:
        ref = ColumnRef(name, column.name)
        for reader in graph.value_readers(ref):
            _add(downstream_columns, reader)
            links.append(_link(ref, reader, "value", "computed from"))
        for reader in graph.row_readers(ref):
            links.append(
                LinkSpec(
                    End(name, column.name), End(reader), "rows", f"rows of {reader} depend on {ref}"
                )
            )
    for reader in graph.untraced_readers(name):
        _add(downstream_columns, reader)
        links.append(
            LinkSpec(
                End(name),
                End(reader.table, reader.column),
                "untraced",
                f"{reader}: lineage not traced",
            )
        )
    columns = [
        [_lineage_box(graph, t, cols) for t, cols in upstream_columns.items()],
        [_table_box(graph, name, rows=_column_rows(graph, table), kind="focus")],
        [_lineage_box(graph, t, cols) for t, cols in downstream_columns.items()],
    ]
    return layered(f"lineage-{table.name}", f"Column lineage of {name}", columns, links)


def _add(found: dict[str, list[str]], ref: ColumnRef) -> None:
    columns = found.setdefault(ref.table, [])
    if ref.column not in columns:
        columns.append(ref.column)


def _link(source: ColumnRef, target: ColumnRef, kind: str, words: str) -> LinkSpec:
    return LinkSpec(
        End(source.table, source.column),
        End(target.table, target.column),
        kind,
        f"{target} {words} {source}",
    )


def _lineage_box(graph: DependencyGraph, name: str, columns: list[str]) -> BoxSpec:
    if name not in graph.tables:
        return BoxSpec(name, name, tuple(RowSpec(c, c) for c in columns), kind=SOURCE_KIND)
    return _table_box(
        graph,
        name,
        rows=tuple(RowSpec(c, c, href=column_href(graph, name, c)) for c in columns),
    )


def _column_rows(graph: DependencyGraph, table: Table) -> tuple[RowSpec, ...]:
    return tuple(
        RowSpec(
            c.name,
            c.name,
            badge=_badges(table, c.name),
            href=column_href(graph, table.physical_name, c.name),
        )
        for c in table.columns
    )


def _erd_box(graph: DependencyGraph, name: str) -> BoxSpec:
    _, table = graph.table(name)
    rows = tuple(
        RowSpec(
            c.name,
            f"{c.name} : {c.logical_type}",
            badge=_badges(table, c.name),
            href=column_href(graph, name, c.name),
        )
        for c in table.columns
    )
    return _table_box(graph, name, rows=rows)


def _badges(table: Table, column: str) -> str:
    declared = table.column(column)
    marks = []
    if column in table.primary_key:
        marks.append("PK")
    if any(column in rel.from_columns for rel in table.relationships):
        marks.append("FK")
    if declared is not None and declared.pii:
        marks.append("PII")
    return " ".join(marks)


def _table_box(
    graph: DependencyGraph, name: str, rows: tuple[RowSpec, ...] = (), kind: str | None = None
) -> BoxSpec:
    _, table = graph.table(name)
    return BoxSpec(name, name, rows, href=table_href(graph, name), kind=kind or table.layer.value)


def _source_box(name: str) -> BoxSpec:
    return BoxSpec(name, name, (RowSpec("source", "landing file"),), kind=SOURCE_KIND)


def _read_depth(graph: DependencyGraph, names: list[str]) -> dict[str, int]:
    """Within one layer: 0 for a table reading no table of the layer, else one more than the
    deepest one it reads (silver.customer_events reads silver.customers, so it stands right of
    it)."""
    same_layer = set(names)
    edges = {(n, r) for n in names for r in graph.lineage[n].reads if r in same_layer}
    return _reference_depth(names, edges)


def _reference_depth(tables: list[str], edges: set[tuple[str, str]]) -> dict[str, int]:
    """0 for a table that references nothing, else one more than the deepest table it references
    (a cycle of references is cut where it closes)."""
    depth: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> int:
        if name in depth:
            return depth[name]
        targets = [t for s, t in edges if s == name and t != name and t not in path]
        found = 1 + max((visit(t, (*path, name)) for t in targets), default=-1)
        depth[name] = found
        return found

    for name in tables:
        visit(name, ())
    return depth
