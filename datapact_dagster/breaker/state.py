"""Breaker states and the pure rules that derive a table's state from its check evaluations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

AssetPath = tuple[str, ...]


class BreakerState(StrEnum):
    closed = "closed"
    """Every blocking check passed on its latest evaluation: downstream may run."""
    open = "open"
    """A blocking check failed on its latest evaluation: downstream is held."""
    half_open = "half-open"
    """Open, and a run that re-checks the table is queued or in progress."""
    never_run = "never run"
    """No check of the table has been evaluated yet."""

    @property
    def holds_downstream(self) -> bool:
        return self in (BreakerState.open, BreakerState.half_open)


class Health(StrEnum):
    """A table's state in one word: the vocabulary of the CLI, the UI metadata, the alerts and
    the reports alike (never a synonym elsewhere)."""

    healthy = "healthy"
    """Its latest delivery passed every blocking check and nothing upstream holds it."""
    breached = "breached"
    """Its latest delivery failed a blocking check: the last good data stays published."""
    held = "held"
    """Not built because a table it depends on is breached (or, later, awaits approval)."""
    stale = "stale"
    """Its data is older than the contract's freshness SLA allows."""
    never_run = "never run"
    """No check of it has been evaluated yet."""
    awaiting_approval = "awaiting approval"
    """A new version of its contract is not in force until the required people approve it."""
    retired = "retired"
    """Its contract is retired: neither built nor checked; its last published data stays."""


@dataclass(frozen=True)
class Evaluation:
    """One completed evaluation of a check, as recorded in the Dagster instance."""

    passed: bool
    run_id: str
    at: datetime
    summary: str
    failing_rows: int | None = None
    by_build: bool = True
    """True when the run also (re)built the table; False for a check-only run."""


@dataclass(frozen=True)
class CheckHistory:
    """A check's completed evaluations, newest first, and whether a run is re-checking it."""

    key: str
    kind: str
    severity: str
    blocking: bool
    evaluations: tuple[Evaluation, ...]
    rechecking: bool = False


@dataclass(frozen=True)
class FailingCheck:
    key: str
    kind: str
    severity: str
    blocking: bool
    summary: str
    failing_rows: int | None
    run_id: str
    at: datetime
    failing_since: datetime
    opened_by_run: str


@dataclass(frozen=True)
class TableBreaker:
    asset_key: AssetPath
    contract_id: str
    contract_version: str
    state: BreakerState
    failing: tuple[FailingCheck, ...] = ()
    last_evaluated_at: datetime | None = None
    last_run_id: str | None = None
    """The run of the newest evaluation (the one that closed the breaker, when closed)."""

    @property
    def asset_path(self) -> str:
        return "/".join(self.asset_key)

    @property
    def blocking_failures(self) -> tuple[FailingCheck, ...]:
        return tuple(f for f in self.failing if f.blocking)

    @property
    def since(self) -> datetime | None:
        """When the current episode started: the first failure of a still-failing check."""
        starts = [f.failing_since for f in self.blocking_failures or self.failing]
        return min(starts) if starts else None

    @property
    def opened_by(self) -> FailingCheck | None:
        """The failing blocking check whose failure started the episode."""
        failures = sorted(self.blocking_failures, key=lambda f: (f.failing_since, f.key))
        return failures[0] if failures else None

    @property
    def health(self) -> Health:
        """healthy / breached / stale / never run, as `datapact status` shows it."""
        if self.state is BreakerState.never_run:
            return Health.never_run
        blocking = self.blocking_failures
        if blocking and any(f.kind != "freshness" for f in blocking):
            return Health.breached
        if any(f.kind == "freshness" for f in self.failing):
            return Health.stale
        return Health.healthy


def current_failure(history: CheckHistory) -> FailingCheck | None:
    """The failure a check is in, or None when it passes (or never ran).

    A check-only pass (re-validating the published table) does not clear a failed build: the
    rejected data is still unpublished, so only a build that passes ends that episode.
    """
    deciding = _deciding_index(history.evaluations)
    if deciding is None or history.evaluations[deciding].passed:
        return None
    latest = history.evaluations[deciding]
    start = deciding
    while start + 1 < len(history.evaluations) and not history.evaluations[start + 1].passed:
        start += 1
    first = history.evaluations[start]
    return FailingCheck(
        key=history.key,
        kind=history.kind,
        severity=history.severity,
        blocking=history.blocking,
        summary=latest.summary,
        failing_rows=latest.failing_rows,
        run_id=latest.run_id,
        at=latest.at,
        failing_since=first.at,
        opened_by_run=first.run_id,
    )


def _deciding_index(evaluations: Sequence[Evaluation]) -> int | None:
    if not evaluations:
        return None
    newest_build = next((i for i, e in enumerate(evaluations) if e.by_build), None)
    if newest_build is not None and not evaluations[newest_build].passed:
        return newest_build
    return 0


def table_breaker(
    asset_key: AssetPath, contract_id: str, contract_version: str, histories: Sequence[CheckHistory]
) -> TableBreaker:
    evaluated = [h.evaluations[0] for h in histories if h.evaluations]
    failing = tuple(f for h in histories if (f := current_failure(h)) is not None)
    rechecking = any(h.rechecking for h in histories)
    if not evaluated:
        state = BreakerState.never_run
    elif any(f.blocking for f in failing):
        state = BreakerState.half_open if rechecking else BreakerState.open
    else:
        state = BreakerState.closed
    newest = max(evaluated, key=lambda e: e.at, default=None)
    return TableBreaker(
        asset_key=asset_key,
        contract_id=contract_id,
        contract_version=contract_version,
        state=state,
        failing=failing,
        last_evaluated_at=newest.at if newest else None,
        last_run_id=newest.run_id if newest else None,
    )
