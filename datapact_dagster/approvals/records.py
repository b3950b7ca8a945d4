"""Approval and rejection decisions, appended to the hash-chained evidence store (so `evidence
verify` covers them) and read back; each names the content hash it approved."""

from __future__ import annotations

from dataclasses import dataclass

from datapact_dagster.contract.model import Contract
from datapact_dagster.evidence.model import Decision
from datapact_dagster.evidence.store import EvidenceStore


@dataclass(frozen=True)
class Signoff:
    decision: str
    """`approval` or `rejection`."""
    person: str
    level: str
    team: str | None
    comment: str
    contract_id: str
    version: str
    contract_hash: str
    at: str
    completes: bool = False
    """This approval was the last one the policy asked for: the version came into force."""


def record_signoff(store: EvidenceStore, contract: Contract, signoff: Signoff) -> None:
    kind = Decision.APPROVAL if signoff.decision == "approval" else Decision.REJECTION
    store.append_decision(
        kind,
        contract_id=contract.id,
        contract_version=contract.version,
        contract_hash=contract.content_hash,
        run_id=None,
        asset_key=None,
        details={
            "person": signoff.person,
            "level": signoff.level,
            "team": signoff.team,
            "comment": signoff.comment,
            "completes": signoff.completes,
            "summary": f"{signoff.decision} by {signoff.person} ({signoff.level})",
        },
    )


def signoffs(store: EvidenceStore, contract_id: str) -> list[Signoff]:
    """Every approval and rejection of the contract, oldest first."""
    found: list[Signoff] = []
    for record in store.records(contract_id=contract_id):
        if record.decision not in (Decision.APPROVAL, Decision.REJECTION):
            continue
        details = record.details
        found.append(
            Signoff(
                decision=str(record.decision),
                person=str(details.get("person", "")),
                level=str(details.get("level", "")),
                team=details.get("team"),
                comment=str(details.get("comment", "")),
                contract_id=record.contract_id,
                version=record.contract_version,
                contract_hash=record.contract_hash,
                at=record.recorded_at,
                completes=bool(details.get("completes")),
            )
        )
    return found


def published_hash(store: EvidenceStore, contract_id: str) -> tuple[str, str] | None:
    """(version, content hash) of the contract the newest publish was made under."""
    published = [
        r for r in store.records(contract_id=contract_id) if r.decision == Decision.PUBLISH
    ]
    return (published[-1].contract_version, published[-1].contract_hash) if published else None
