"""Who a breaking change affects: the impact of its table or column on the old side's graph
(the consumers reading today's data), attached to each breaking change of a report."""

from __future__ import annotations

from datapact_dagster.changes.model import Change, DiffReport, attach_impact
from datapact_dagster.contract.model import Contract, ContractSet
from datapact_dagster.plan.graph import DependencyGraph, build_graph
from datapact_dagster.plan.impact import Impact, UnknownTarget, impact_of, merged


def with_impact(report: DiffReport, old: ContractSet) -> DiffReport:
    """`report` with the impact of each breaking change, computed on the `old` contracts
    (their SQL files must still be readable)."""
    graph = build_graph(old)
    by_id = {c.id: c for c in old.contracts}
    return attach_impact(report, lambda change: change_impact(graph, by_id, change))


def change_impact(
    graph: DependencyGraph, contracts: dict[str, Contract], change: Change
) -> Impact | None:
    contract = contracts.get(change.contract_id)
    if contract is None:
        return None
    tables = [t for t in contract.tables if change.table in (None, t.name)]
    impacts: list[Impact] = []
    for table in tables:
        if table.physical_name not in graph.tables:
            continue
        try:
            impacts.append(impact_of(graph, table.physical_name, change.column))
        except UnknownTarget:
            impacts.append(impact_of(graph, table.physical_name))
    return merged(impacts)
