"""Impact analysis: everything downstream of a table or column (tables, columns, the checks on
them, the consumers whose declared columns are hit) and everything upstream of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Literal

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.plan.graph import ColumnRef, DependencyGraph

How = Literal["value", "rows", "untraced"]
HOW_WORDS: dict[How, str] = {
    "value": "computed from",
    "rows": "its rows depend on",
    "untraced": "lineage not traced, assumed to depend on",
}

_HOW_RANK: dict[How, int] = {"value": 0, "rows": 1, "untraced": 2}


@dataclass(frozen=True)
class ColumnHit:
    ref: ColumnRef
    how: How
    via: ColumnRef
    """The upstream column through which the change reaches `ref`."""


@dataclass(frozen=True)
class CheckHit:
    table: str
    key: str
    kind: str
    column: str | None
    severity: str
    description: str


@dataclass(frozen=True)
class ConsumerHit:
    contract_id: str
    table: str
    team: str
    contact: str | None
    use_case: str | None
    columns: tuple[str, ...]
    """The consumer's columns that are hit (all hit columns when it declared none)."""
    whole_table: bool
    """The consumer declared no columns, so it is taken to read the whole table."""


@dataclass(frozen=True)
class Impact:
    table: str
    column: str | None
    downstream_tables: tuple[str, ...]
    downstream_columns: tuple[ColumnHit, ...]
    checks: tuple[CheckHit, ...]
    consumers: tuple[ConsumerHit, ...]
    upstream_tables: tuple[str, ...]
    upstream_columns: tuple[ColumnRef, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def target(self) -> str:
        return f"{self.table}.{self.column}" if self.column else self.table


class UnknownTarget(LookupError):
    """The table or column named is not in any contract."""


def impact_of(graph: DependencyGraph, table: str, column: str | None = None) -> Impact:
    """Impact of a change to (or a breach of) `table`, or of one of its columns."""
    _, declared = graph.table(table)
    names = [c.name for c in declared.columns]
    if column is not None and column not in names:
        close = get_close_matches(column, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UnknownTarget(f"{table} has no column {column!r}; {hint}it has: {', '.join(names)}")
    start = [ColumnRef(table, c) for c in ([column] if column else names)]
    hits = _downstream_hits(graph, start)
    hit_refs = {h.ref for h in hits}
    row_tables = {h.ref.table for h in hits if h.how == "rows"}
    downstream = tuple(
        t for t in graph.downstream_closure(table) if t in {r.table for r in hit_refs}
    )
    checks = _checks(graph, table, column, hit_refs, row_tables)
    consumers = _consumers(graph, table, [r.column for r in start], hits)
    up_columns = _upstream_columns(graph, start)
    up_tables = graph.upstream_closure(table) if column is None else _tables_of(up_columns)
    notes = tuple(
        f"{h.ref}: lineage not traced ({graph.lineage[h.ref.table].untraced[h.ref.column]}); "
        f"assumed affected because {h.ref.table} reads {h.via.table}"
        for h in hits
        if h.how == "untraced"
    )
    return Impact(
        table=table,
        column=column,
        downstream_tables=downstream,
        downstream_columns=tuple(hits),
        checks=checks,
        consumers=consumers,
        upstream_tables=tuple(up_tables),
        upstream_columns=tuple(up_columns),
        notes=notes,
    )


def _downstream_hits(graph: DependencyGraph, start: list[ColumnRef]) -> list[ColumnHit]:
    hits: dict[ColumnRef, ColumnHit] = {}
    frontier = list(start)
    seen = set(start)
    while frontier:
        ref = frontier.pop(0)
        reached: list[ColumnHit] = [ColumnHit(r, "value", ref) for r in graph.value_readers(ref)]
        for reader in graph.row_readers(ref):
            _, table = graph.table(reader)
            reached += [ColumnHit(ColumnRef(reader, c.name), "rows", ref) for c in table.columns]
        reached += [ColumnHit(r, "untraced", ref) for r in graph.untraced_readers(ref.table)]
        for hit in reached:
            known = hits.get(hit.ref)
            if known is not None and _HOW_RANK[hit.how] < _HOW_RANK[known.how]:
                hits[hit.ref] = hit
            if hit.ref not in seen:
                seen.add(hit.ref)
                hits[hit.ref] = hit
                frontier.append(hit.ref)
    return sorted(hits.values(), key=lambda h: (_layer_rank(graph, h.ref.table), h.ref))


def _checks(
    graph: DependencyGraph,
    table: str,
    column: str | None,
    hit_refs: set[ColumnRef],
    row_tables: set[str],
) -> tuple[CheckHit, ...]:
    found: list[CheckHit] = []
    for name, (contract, declared) in sorted(
        graph.tables.items(), key=lambda item: (_layer_rank(graph, item[0]), item[0])
    ):
        for spec in compile_table_checks(contract, declared):
            columns = set(spec.columns) | ({spec.column} if spec.column else set())
            if name == table:
                on_target = column is None or column in columns
            else:
                on_target = _references(graph, spec, table, column)
            hit = {ColumnRef(name, c) for c in columns} & hit_refs
            whole = name in row_tables and not columns
            if on_target or hit or whole:
                found.append(_check_hit(name, spec))
    return tuple(found)


def _references(graph: DependencyGraph, spec: CheckSpec, table: str, column: str | None) -> bool:
    """A relationship check pointing at the target table (and column)."""
    if spec.kind is not CheckKind.relationship:
        return False
    target = graph.contracts.find_table(str(spec.params["to_table"]))
    if target is None or target[1].physical_name != table:
        return False
    return column is None or column in spec.params["to_columns"]


def _check_hit(table: str, spec: CheckSpec) -> CheckHit:
    return CheckHit(table, spec.key, spec.kind.value, spec.column, spec.severity, spec.description)


def _consumers(
    graph: DependencyGraph, table: str, start: list[str], hits: list[ColumnHit]
) -> tuple[ConsumerHit, ...]:
    hit_by_table: dict[str, list[str]] = {table: list(start)}
    for hit in hits:
        hit_by_table.setdefault(hit.ref.table, []).append(hit.ref.column)
    found: list[ConsumerHit] = []
    for name, columns in hit_by_table.items():
        for use in graph.consumers_of(name):
            hit = [c for c in use.columns if c in columns]
            if use.whole_table:
                hit = columns
            if hit:
                consumer = use.consumer
                found.append(
                    ConsumerHit(
                        use.contract_id,
                        name,
                        consumer.team,
                        consumer.contact,
                        consumer.use_case,
                        tuple(hit),
                        use.whole_table,
                    )
                )
    return tuple(sorted(found, key=lambda c: (_layer_rank(graph, c.table), c.table, c.team)))


def _upstream_columns(graph: DependencyGraph, start: list[ColumnRef]) -> list[ColumnRef]:
    found: list[ColumnRef] = []
    frontier = list(start)
    while frontier:
        ref = frontier.pop(0)
        traced = graph.lineage.get(ref.table)
        if traced is None:
            continue
        for source in (*traced.columns.get(ref.column, ()), *traced.rows):
            if source not in found and source not in start:
                found.append(source)
                frontier.append(source)
    return sorted(found, key=lambda r: (_layer_rank(graph, r.table), r))


def _tables_of(refs: Iterable[ColumnRef]) -> list[str]:
    return list(dict.fromkeys(r.table for r in refs))


def _layer_rank(graph: DependencyGraph, name: str) -> int:
    if name not in graph.tables:
        return -1
    return ["bronze", "silver", "gold"].index(graph.table(name)[1].layer.value)


def merged(impacts: Iterable[Impact]) -> Impact | None:
    """Several impacts as one (e.g. every table of a contract): each item once, first wins."""
    found = list(impacts)
    if not found:
        return None
    first = found[0]
    columns: dict[ColumnRef, ColumnHit] = {}
    for impact in found:
        for hit in impact.downstream_columns:
            columns.setdefault(hit.ref, hit)
    return Impact(
        table=first.table,
        column=first.column if len(found) == 1 else None,
        downstream_tables=_unique(t for i in found for t in i.downstream_tables),
        downstream_columns=tuple(columns.values()),
        checks=_unique(c for i in found for c in i.checks),
        consumers=_merge_consumers(c for i in found for c in i.consumers),
        upstream_tables=_unique(t for i in found for t in i.upstream_tables),
        upstream_columns=_unique(r for i in found for r in i.upstream_columns),
        notes=_unique(n for i in found for n in i.notes),
    )


def _unique(items: Iterable[object]) -> tuple:  # type: ignore[type-arg]
    return tuple(dict.fromkeys(items))


def _merge_consumers(consumers: Iterable[ConsumerHit]) -> tuple[ConsumerHit, ...]:
    by_key: dict[tuple[str, str], ConsumerHit] = {}
    for consumer in consumers:
        key = (consumer.table, consumer.team)
        known = by_key.get(key)
        if known is None:
            by_key[key] = consumer
        else:
            columns = tuple(dict.fromkeys((*known.columns, *consumer.columns)))
            by_key[key] = ConsumerHit(
                known.contract_id,
                known.table,
                known.team,
                known.contact,
                known.use_case,
                columns,
                known.whole_table,
            )
    return tuple(by_key.values())
