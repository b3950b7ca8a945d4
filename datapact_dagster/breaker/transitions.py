"""Comparing the breakers now with what the sensor remembers: which episodes opened or closed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from datapact_dagster.alerts import AlertKind, episode_id_for
from datapact_dagster.breaker.cursor import BreakerCursor, TableMemory
from datapact_dagster.breaker.read import Breakers
from datapact_dagster.breaker.state import BreakerState, TableBreaker


@dataclass(frozen=True)
class EpisodeOpen:
    breaker: TableBreaker
    episode: str
    alert_kind: AlertKind
    new: bool
    """False when the episode was already open at the previous tick (the alert is re-sent only
    to recipients the ledger has not marked as sent)."""


@dataclass(frozen=True)
class EpisodeClosed:
    breaker: TableBreaker
    episode: str
    since: datetime | None


@dataclass(frozen=True)
class VersionChanged:
    breaker: TableBreaker
    previous_version: str


@dataclass(frozen=True)
class Transitions:
    opened: list[EpisodeOpen]
    closed: list[EpisodeClosed]
    versions: list[VersionChanged]
    waiting: list[str]
    """Tables whose passing re-check belongs to a run that is still going (decided next tick)."""
    cursor: BreakerCursor


def alert_kind_for(breaker: TableBreaker) -> AlertKind:
    kinds = {f.kind for f in breaker.blocking_failures}
    if "schema" in kinds:
        return AlertKind.schema_drift
    if kinds == {"freshness"}:
        return AlertKind.freshness_miss
    return AlertKind.breach


def episode_for(breaker: TableBreaker) -> str:
    opened_by = breaker.opened_by
    run = opened_by.opened_by_run if opened_by else "unknown"
    return episode_id_for(breaker.contract_id, breaker.asset_key, run)


def compare(
    breakers: Breakers, remembered: BreakerCursor, run_finished: Callable[[str], bool]
) -> Transitions:
    opened: list[EpisodeOpen] = []
    closed: list[EpisodeClosed] = []
    versions: list[VersionChanged] = []
    waiting: list[str] = []
    cursor = BreakerCursor(tables=dict(remembered.tables), versions=dict(remembered.versions))
    for key, breaker in breakers.by_table.items():
        path = "/".join(key)
        before = remembered.tables.get(path)
        was_open = before is not None and before.state == BreakerState.open.value
        seen = remembered.versions.get(breaker.contract_id)
        if (
            seen is not None
            and seen != breaker.contract_version
            and not any(v.breaker.contract_id == breaker.contract_id for v in versions)
        ):
            versions.append(VersionChanged(breaker, seen))
        cursor.versions[breaker.contract_id] = breaker.contract_version
        if breaker.state.holds_downstream:
            if was_open and before is not None and before.episode:
                episode = before.episode
                kind = AlertKind(before.alert_kind or alert_kind_for(breaker))
            else:
                episode, kind = episode_for(breaker), alert_kind_for(breaker)
            opened.append(EpisodeOpen(breaker, episode, kind, new=not was_open))
            since = breaker.since.isoformat() if breaker.since else None
            if was_open and before is not None and before.since:
                since = before.since
            cursor.tables[path] = TableMemory(BreakerState.open.value, episode, kind.value, since)
        elif was_open and before is not None:
            if breaker.last_run_id and not run_finished(breaker.last_run_id):
                waiting.append(path)
                continue
            since = datetime.fromisoformat(before.since) if before.since else None
            closed.append(EpisodeClosed(breaker, before.episode or episode_for(breaker), since))
            cursor.tables[path] = TableMemory(breaker.state.value)
        else:
            cursor.tables[path] = TableMemory(breaker.state.value)
    return Transitions(opened, closed, versions, waiting, cursor)
