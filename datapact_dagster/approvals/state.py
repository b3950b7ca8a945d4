"""Where a contract version stands against the approval policy: the version in force, the
levels the new version needs (in order), who may sign each off, what is signed, what is missing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from datapact_dagster.approvals.policy import (
    AFFECTED_CONSUMERS,
    EMAIL,
    OWNERS,
    ApprovalPolicy,
    Level,
    Policy,
)
from datapact_dagster.approvals.records import Signoff, published_hash, signoffs
from datapact_dagster.changes.git_refs import GitError, git_text
from datapact_dagster.changes.impact import change_impact
from datapact_dagster.changes.kinds import ChangeClass
from datapact_dagster.changes.model import Bump
from datapact_dagster.changes.since_previous import VersionChange, changes_from
from datapact_dagster.contract.model import Contract
from datapact_dagster.evidence.contract_archive import ArchivedContract, archived
from datapact_dagster.evidence.store import EvidenceStore
from datapact_dagster.plan.graph import DependencyGraph


@dataclass(frozen=True)
class Requirement:
    """One sign-off a level asks for: any one of `members` (a team at the consumers level)."""

    level: Level
    team: str | None
    members: tuple[str, ...]

    @property
    def label(self) -> str:
        if self.level.kind == AFFECTED_CONSUMERS:
            return f"consumer team {self.team}"
        if self.level.kind == OWNERS:
            return f"owner team {self.team}" if self.team else "the owners"
        return f"group {self.level.group}"

    def signed_by(self, signoff: Signoff) -> bool:
        return signoff.level == self.level.name and signoff.team == self.team


@dataclass(frozen=True)
class VersionStanding:
    contract: Contract
    policy: Policy | None
    in_force: tuple[str, str] | None
    """(version, content hash) in force today: the last fully approved, else last published."""
    change: VersionChange | None
    requirements: tuple[Requirement, ...] = ()
    signed: tuple[Signoff, ...] = ()
    """Decisions on the current content hash, oldest first (others are void)."""
    not_needed: str | None = None
    """Why this version needs no approval (no policy, in force already, a patch...)."""
    history: tuple[Signoff, ...] = field(default=())

    @property
    def rejection(self) -> Signoff | None:
        return next((s for s in reversed(self.signed) if s.decision == "rejection"), None)

    def satisfied(self, requirement: Requirement) -> bool:
        return any(s.decision == "approval" and requirement.signed_by(s) for s in self.signed)

    @property
    def approved(self) -> bool:
        if self.not_needed is not None:
            return True
        return self.rejection is None and all(self.satisfied(r) for r in self.requirements)

    @property
    def waiting_on(self) -> tuple[Requirement, ...]:
        """The unsigned requirements of the first level not yet complete (levels go in order)."""
        for level in dict.fromkeys(r.level for r in self.requirements):
            open_ = [r for r in self.requirements if r.level == level and not self.satisfied(r)]
            if open_:
                return tuple(open_)
        return ()

    def reason(self) -> str:
        """Why the version is not in force, in words; '' when it is approved."""
        name = f"{self.contract.id} v{self.contract.version}"
        if self.rejection is not None:
            r = self.rejection
            return f"{name} was rejected by {r.person} ({r.level}): {r.comment}"
        if self.approved:
            return ""
        who = " and ".join(r.label for r in self.waiting_on)
        return f"{name} awaits approval by {who}"


def standing(
    contract: Contract,
    policy: ApprovalPolicy | None,
    store: EvidenceStore | None,
    graph: DependencyGraph,
    root: Path,
) -> VersionStanding:
    rules = policy.for_contract(contract) if policy else None
    if rules is None or policy is None:
        return VersionStanding(contract, None, None, None, not_needed="no approval policy applies")
    if store is None:
        return VersionStanding(contract, rules, None, None)
    history = tuple(signoffs(store, contract.id))
    in_force = _in_force(store, contract.id, history)
    signed = tuple(s for s in history if s.contract_hash == contract.content_hash)
    base = VersionStanding(contract, rules, in_force, None, signed=signed, history=history)
    if in_force is not None and in_force[1] == contract.content_hash:
        return replace(base, not_needed=f"version {contract.version} is in force")
    previous = _text_in_force(store, root, contract, in_force)
    change = changes_from(previous, contract, root) if previous else None
    if in_force is None and not rules.new_contracts_need_approval:
        return replace(base, not_needed="a new contract and the policy does not ask for approval")
    patch_only = change is not None and change.required_bump.rank <= Bump.patch.rank
    if patch_only and not rules.patch_needs_approval:
        return replace(base, change=change, not_needed="a patch-level change needs no approval")
    requirements = tuple(
        r for level in rules.levels for r in _requirements(level, contract, policy, change, graph)
    )
    return replace(base, change=change, requirements=requirements)


def _text_in_force(
    store: EvidenceStore, root: Path, contract: Contract, in_force: tuple[str, str] | None
) -> ArchivedContract | None:
    """The text of the version in force: kept by the runs, else the file at git HEAD when its
    hash matches (runs made before DataPact kept texts)."""
    if in_force is None:
        return None
    kept = archived(store.engine, in_force[1])
    if kept is not None:
        return kept
    try:
        text = git_text(root, "show", f"HEAD:./{contract.source_path}")
    except GitError:
        return None
    if hashlib.sha256(text.encode()).hexdigest() != in_force[1]:
        return None
    return ArchivedContract(contract.id, in_force[0], in_force[1], "", text)


def _in_force(
    store: EvidenceStore, contract_id: str, history: tuple[Signoff, ...]
) -> tuple[str, str] | None:
    completed = [s for s in history if s.completes]
    published = published_hash(store, contract_id)
    if completed and (published is None or published[1] != completed[-1].contract_hash):
        newest = completed[-1]
        return newest.version, newest.contract_hash
    return published


def _requirements(
    level: Level,
    contract: Contract,
    policy: ApprovalPolicy,
    change: VersionChange | None,
    graph: DependencyGraph,
) -> list[Requirement]:
    if level.kind == OWNERS:
        members = {o.lower() for o in contract.owners if EMAIL.match(o)}
        members |= set(policy.groups.get(contract.team or "", ()))
        return [Requirement(level, contract.team, tuple(sorted(members)))]
    if level.kind == "group":
        return [Requirement(level, None, policy.groups.get(level.group or "", ()))]
    teams: dict[str, set[str]] = {}
    contracts = {c.id: c for c in graph.contracts.contracts}
    for item in change.changes if change else ():
        if item.klass is not ChangeClass.breaking:
            continue
        impact = change_impact(graph, contracts, item)
        for consumer in impact.consumers if impact else ():
            members = teams.setdefault(consumer.team, set())
            members |= set(policy.groups.get(consumer.team, ()))
            if consumer.contact and EMAIL.match(consumer.contact):
                members.add(consumer.contact.lower())
    return [Requirement(level, team, tuple(sorted(m))) for team, m in sorted(teams.items())]
