"""The governance part of the compliance report: which contract version was in force when, and
who approved or rejected which version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import Decision, Record


@dataclass(frozen=True)
class VersionInForce:
    """A contract version tables were published under, from its first publish to the next
    version's (`until` None: still in force at the end of the report's window)."""

    version: str
    content_hash: str
    since: str
    until: str | None
    publishes: int


@dataclass(frozen=True)
class ApprovalDecision:
    seq: int
    recorded_at: str
    decision: str
    """`approval` or `rejection`."""
    version: str
    content_hash: str
    person: str
    level: str
    team: str | None
    comment: str
    completes: bool

    @classmethod
    def of(cls, record: Record) -> ApprovalDecision:
        details = record.details
        return cls(
            seq=record.seq,
            recorded_at=record.recorded_at,
            decision=str(record.decision),
            version=record.contract_version,
            content_hash=record.contract_hash,
            person=str(details.get("person") or "unknown"),
            level=str(details.get("level") or ""),
            team=details.get("team"),
            comment=str(details.get("comment") or ""),
            completes=bool(details.get("completes")),
        )


def versions_in_force(records: Sequence[Record]) -> tuple[VersionInForce, ...]:
    periods: list[VersionInForce] = []
    for record in records:
        if record.decision != Decision.PUBLISH:
            continue
        last = periods[-1] if periods else None
        if last is not None and last.content_hash == record.contract_hash:
            periods[-1] = VersionInForce(
                last.version, last.content_hash, last.since, None, last.publishes + 1
            )
            continue
        if last is not None:
            periods[-1] = VersionInForce(
                last.version, last.content_hash, last.since, record.recorded_at, last.publishes
            )
        periods.append(
            VersionInForce(
                record.contract_version, record.contract_hash, record.recorded_at, None, 1
            )
        )
    return tuple(periods)


def approval_decisions(records: Sequence[Record]) -> tuple[ApprovalDecision, ...]:
    kinds = (Decision.APPROVAL, Decision.REJECTION)
    return tuple(ApprovalDecision.of(r) for r in records if r.decision in kinds)
