"""What the evidence store holds: records, data fingerprints, chain verification results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol

from datapact_dagster.checks.result import Verdict
from datapact_dagster.checks.spec import CheckSpec

RecordKind = Literal["check", "decision"]
ExecutionStatus = Literal["succeeded", "errored", "skipped"]


class Decision(StrEnum):
    """What a run did with a table's data, recorded once per table and run."""

    PUBLISH = "publish"
    QUARANTINE = "quarantine"
    OVERRIDE = "override"
    ERROR = "error"
    MIGRATION_CHECK = "migration_check"
    """A new contract version's checks tried on the published data before merge (read-only)."""
    APPROVAL = "approval"
    """A person signed a contract version (its content hash) off at one level of the policy."""
    REJECTION = "rejection"
    """A person rejected a contract version at one level: it cannot come into force."""
    ROLLBACK = "rollback"
    """A person made an earlier published version of a table current again (who, why, from
    which run to which, both versions' row counts and content hashes)."""
    ALERT = "alert"
    """An alert of a breach episode (or its recovery) reached its first recipients: when, which
    episode, how many recipients on which channels (never their addresses)."""


RECORD_KINDS: tuple[str, ...] = ("check", "decision")
VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)
DECISION_KINDS: tuple[str, ...] = tuple(d.value for d in Decision)


class ContractIdentity(Protocol):
    """The parts of a contract a record pins down (a `Contract` satisfies this)."""

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def content_hash(self) -> str: ...


@dataclass(frozen=True)
class ContractRef:
    """A contract identity without the full model (for callers that only know these three)."""

    id: str
    version: str
    content_hash: str


@dataclass(frozen=True)
class DataFingerprint:
    """Which data a check saw: row count plus a content hash or a snapshot id."""

    row_count: int
    content_hash: str


@dataclass(frozen=True)
class DataArrival:
    """When the data a run judged arrived, kept with its verdicts for the SLA figures: the
    newest landing file it read (modification time), or the run's start when it read none."""

    at: str
    source: str
    """e.g. 'landing file raw_orders.parquet' or 'run start'."""
    run_started_at: str | None = None

    def to_details(self) -> dict[str, str | None]:
        return {
            "data_arrived_at": self.at,
            "arrival_source": self.source,
            "run_started_at": self.run_started_at,
        }


@dataclass(frozen=True)
class SkippedCheck:
    """A check that was not evaluated (e.g. an upstream check blocked it)."""

    spec: CheckSpec
    reason: str


@dataclass(frozen=True)
class Record:
    """One append-only evidence record, exactly as stored (JSON fields decoded)."""

    seq: int
    recorded_at: str
    kind: RecordKind
    contract_id: str
    contract_version: str
    contract_hash: str
    suite_hash: str | None
    check_key: str | None
    severity: str | None
    verdict: Verdict | None
    execution_status: ExecutionStatus
    decision: Decision | None
    summary: str | None
    observed: Any
    threshold: Any
    samples: list[Any]
    row_count: int | None
    data_hash: str | None
    run_id: str | None
    asset_key: str | None
    details: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    record_hash: str = ""

    @property
    def is_evaluation(self) -> bool:
        """A check evaluation, or a decision that reports the run itself errored."""
        return self.kind == "check" or self.decision == "error"

    @property
    def label(self) -> str:
        return self.check_key or f"decision:{self.decision}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None
    """A sentence naming the first bad record, e.g. 'record 17 was edited (hash mismatch)'."""
    tampering: Literal["edited", "deleted", "inserted", "reordered"] | None = None
    head_seq: int | None = None
    head_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
