"""Which tables must not be built because a contract version is not approved: the tables of an
unapproved contract (awaiting approval) and every table downstream of them (held)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datapact_dagster.approvals.policy import ApprovalPolicy
from datapact_dagster.approvals.state import standing
from datapact_dagster.evidence.store import EvidenceStore
from datapact_dagster.plan.graph import DependencyGraph

UNGATED_STATUSES = ("draft", "retired")
"""A draft is built only on request and is in force nowhere; a retired contract is not built."""


@dataclass(frozen=True)
class ApprovalHold:
    table: str
    own: bool
    """The table's own contract awaits approval (else an upstream one does)."""
    reason: str


def approval_holds(
    graph: DependencyGraph, policy: ApprovalPolicy | None, store: EvidenceStore, root: Path
) -> dict[str, ApprovalHold]:
    """Physical table name -> why it is held for approval; empty without a policy."""
    if policy is None:
        return {}
    waiting: dict[str, str] = {}
    for contract in graph.contracts.contracts:
        if contract.status in UNGATED_STATUSES:
            continue
        found = standing(contract, policy, store, graph, root)
        if not found.approved:
            for table in contract.tables:
                waiting[table.physical_name] = found.reason()
    holds = {name: ApprovalHold(name, True, reason) for name, reason in waiting.items()}
    for name in graph.tables:
        if name in holds:
            continue
        upstream = [u for u in _depends_on(graph, name) if u in waiting]
        if upstream:
            reason = "; ".join(dict.fromkeys(waiting[u] for u in upstream))
            holds[name] = ApprovalHold(name, False, f"upstream {reason}")
    return holds


def _depends_on(graph: DependencyGraph, name: str) -> list[str]:
    """Every table `name` waits for when it is built: the tables its SQL reads and those its
    relationships check against, transitively (the Dagster asset dependencies)."""
    found: list[str] = []
    todo = [name]
    while todo:
        traced = graph.lineage.get(todo.pop())
        for parent in (*traced.reads, *traced.references) if traced else ():
            if parent not in found and parent != name:
                found.append(parent)
                todo.append(parent)
    return found
