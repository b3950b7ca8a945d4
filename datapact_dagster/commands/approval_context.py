"""What the approval commands share: the contracts, the policy, the evidence store and each
contract's standing against the policy."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from datapact_dagster.approvals.holds import ApprovalHold, approval_holds
from datapact_dagster.approvals.policy import ApprovalPolicy, PolicyError, load_policy
from datapact_dagster.approvals.state import VersionStanding, standing
from datapact_dagster.breaker.state import Health
from datapact_dagster.commands.base import EXIT_SYSTEM_ERROR, UserError
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.contract.model import Contract, ContractSet
from datapact_dagster.evidence.store import EvidenceError, EvidenceStore, evidence_url
from datapact_dagster.plan.graph import DependencyGraph, build_graph


@dataclass
class ApprovalContext:
    root: Path
    contracts: ContractSet
    policy: ApprovalPolicy | None
    store: EvidenceStore
    graph: DependencyGraph

    def standing(self, contract: Contract) -> VersionStanding:
        return standing(contract, self.policy, self.store, self.graph, self.root)

    def contract(self, contract_id: str) -> Contract:
        found = next((c for c in self.contracts.contracts if c.id == contract_id), None)
        if found is None:
            known = ", ".join(sorted(c.id for c in self.contracts.contracts))
            raise UserError(f"no contract with id {contract_id!r}; the contracts are: {known}")
        return found


def policy_or_exit(root: Path) -> ApprovalPolicy | None:
    try:
        return load_policy(root)
    except PolicyError as invalid:
        for finding in invalid.findings:
            print(finding.render(), file=sys.stderr)
        raise UserError("the approval policy is invalid; fix it and try again") from None


@contextmanager
def approval_context(root: Path) -> Iterator[ApprovalContext]:
    contracts = contracts_or_exit(root)
    policy = policy_or_exit(root)
    try:
        store = EvidenceStore(evidence_url(root))
    except EvidenceError as error:
        raise UserError(str(error), EXIT_SYSTEM_ERROR) from None
    try:
        yield ApprovalContext(root, contracts, policy, store, build_graph(contracts))
    finally:
        store.close()


def approval_overlay(root: Path, contracts: ContractSet) -> dict[str, ApprovalHold]:
    """Asset path ('silver/customers') -> why it is held for approval; empty without a policy."""
    policy = policy_or_exit(root)
    if policy is None:
        return {}
    try:
        store = EvidenceStore(evidence_url(root))
    except EvidenceError as error:
        raise UserError(str(error), EXIT_SYSTEM_ERROR) from None
    try:
        graph = build_graph(contracts)
        holds = approval_holds(graph, policy, store, root)
    finally:
        store.close()
    return {"/".join(graph.table(name)[1].asset_key): hold for name, hold in holds.items()}


def overlay_state(state: str, hold: ApprovalHold | None) -> str:
    """A table's state word once approvals are counted: its own breach or staleness first."""
    if hold is None or state in (Health.breached.value, Health.stale.value, Health.retired.value):
        return state
    return (Health.awaiting_approval if hold.own else Health.held).value
