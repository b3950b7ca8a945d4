"""A partitioned table's unresolved bad partitions, read from the evidence.

The table's breaker follows its latest build, so a later clean partition closes it; a day whose
latest build was quarantined stays missing from the published table until it is rebuilt clean.
These are those days: the partitions whose latest publish-or-quarantine decision is a
quarantine (docs/incremental.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from datapact_dagster.evidence.model import Decision, Record
from datapact_dagster.evidence.store import EvidenceStore


@dataclass(frozen=True)
class BadPartition:
    partition: str
    run_id: str | None
    recorded_at: str
    failed_checks: tuple[str, ...]
    quarantine_relation: str | None


def bad_partitions(store: EvidenceStore, asset_path: str) -> list[BadPartition]:
    """The table's partitions whose latest build was quarantined, in partition order."""
    latest: dict[str, Record] = {}
    for record in store.decisions(asset_path, (Decision.PUBLISH, Decision.QUARANTINE)):
        partition = record.details.get("partition")
        if partition:
            latest[str(partition)] = record
    return [
        BadPartition(
            partition=partition,
            run_id=record.run_id,
            recorded_at=record.recorded_at,
            failed_checks=tuple(record.details.get("failed_checks") or ()),
            quarantine_relation=record.details.get("relation"),
        )
        for partition, record in sorted(latest.items())
        if record.decision == Decision.QUARANTINE
    ]
