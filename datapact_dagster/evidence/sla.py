"""SLA figures of breach episodes, from evidence records alone.

An episode of a table runs from its first failing blocking verdict to the next run whose
blocking checks all pass (a check-only pass does not close an episode a failed build opened:
the rejected data is still unpublished, as the breaker says). Its figures, named as ODCS v3.1's
`slaProperties` name them:

- timeToDetect: data arrival (the newest landing file the run read, else the run start) to the
  failing verdict;
- timeToNotify: the failing verdict to the first delivery of the episode's alert (`alert`
  records, written when the alert reached its recipients);
- timeToRepair: the failing verdict to the passing verdict that closed the episode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median
from typing import Literal

from datapact_dagster.contract.model import SLA_FIGURES, SlaTarget

from .model import Decision, Record

SlaVerdict = Literal["met", "missed", "pending"]
OPENING_ALERTS = frozenset({"breach", "schema_drift", "freshness_miss"})
_NOT_PASSING = frozenset({"fail", "error"})


@dataclass(frozen=True)
class SlaFigureValue:
    figure: str
    seconds: float | None
    """None when it cannot be measured (still open, no alert delivered, arrival unknown)."""
    target_seconds: float | None
    verdict: SlaVerdict | None
    """None without a target or when it cannot be measured (arrival not recorded); 'pending'
    while the target can still be met."""
    note: str | None = None


@dataclass(frozen=True)
class SlaEpisode:
    asset_key: str
    opened_by_run: str | None
    detected_at: str
    data_arrived_at: str | None
    arrival_source: str | None
    notified_at: str | None
    recovered_at: str | None
    recovered_by_run: str | None
    failing_checks: tuple[str, ...]
    figures: tuple[SlaFigureValue, ...]
    """One per figure, in the order of SLA_FIGURES."""

    @property
    def ongoing(self) -> bool:
        return self.recovered_at is None

    def figure(self, name: str) -> SlaFigureValue:
        return next(f for f in self.figures if f.figure == name)


@dataclass(frozen=True)
class SlaFigureSummary:
    figure: str
    measured: int
    median_seconds: float | None
    worst_seconds: float | None
    target_seconds: float | None
    met: int
    missed: int


@dataclass(frozen=True)
class SlaTableSummary:
    asset_key: str
    episodes: int
    ongoing: int
    figures: tuple[SlaFigureSummary, ...]


@dataclass
class _Run:
    run_id: str | None
    blocking: list[Record]
    build: bool

    @property
    def failing(self) -> list[Record]:
        return [r for r in self.blocking if r.verdict in _NOT_PASSING]


def sla_episodes(
    records: Sequence[Record], targets: Sequence[SlaTarget], period_end: str
) -> tuple[SlaEpisode, ...]:
    """Every breach episode in `records` (one contract's), oldest first, judged on `targets`."""
    episodes: list[SlaEpisode] = []
    for asset_key in sorted({r.asset_key for r in records if r.asset_key}):
        mine = [r for r in records if r.asset_key == asset_key]
        limits = _limits(targets, asset_key)
        alerts = [r for r in mine if r.decision == Decision.ALERT]
        opened: list[tuple[_Run, _Run | None]] = _episode_runs(_runs(mine))
        for index, (first, closing) in enumerate(opened):
            until = opened[index + 1][0].failing[0].recorded_at if index + 1 < len(opened) else None
            episodes.append(_episode(asset_key, first, closing, alerts, until, limits, period_end))
    return tuple(sorted(episodes, key=lambda e: (e.detected_at, e.asset_key)))


def sla_summaries(episodes: Sequence[SlaEpisode]) -> tuple[SlaTableSummary, ...]:
    summaries = []
    for asset_key in sorted({e.asset_key for e in episodes}):
        mine = [e for e in episodes if e.asset_key == asset_key]
        summaries.append(
            SlaTableSummary(
                asset_key,
                len(mine),
                sum(1 for e in mine if e.ongoing),
                tuple(
                    _figure_summary(name, [e.figure(name) for e in mine]) for name in SLA_FIGURES
                ),
            )
        )
    return tuple(summaries)


def _runs(records: list[Record]) -> list[_Run]:
    builds = {r.run_id for r in records if r.decision in (Decision.PUBLISH, Decision.QUARANTINE)}
    runs: dict[str | None, _Run] = {}
    for record in records:
        if record.kind == "check" and record.severity == "error" and record.verdict != "skipped":
            run = runs.setdefault(record.run_id, _Run(record.run_id, [], record.run_id in builds))
            run.blocking.append(record)
    return sorted(runs.values(), key=lambda run: run.blocking[0].seq)


def _episode_runs(runs: list[_Run]) -> list[tuple[_Run, _Run | None]]:
    """(the run that opened each episode, the run that closed it or None)."""
    found: list[tuple[_Run, _Run | None]] = []
    opening: _Run | None = None
    failed_build = False
    for run in runs:
        if run.failing:
            if opening is None:
                opening, failed_build = run, False
            failed_build = failed_build or run.build
        elif opening is not None and (run.build or not failed_build):
            found.append((opening, run))
            opening = None
    if opening is not None:
        found.append((opening, None))
    return found


def _episode(
    asset_key: str,
    first: _Run,
    closing: _Run | None,
    alerts: list[Record],
    until: str | None,
    limits: dict[str, float],
    period_end: str,
) -> SlaEpisode:
    verdict = min(first.failing, key=lambda r: r.seq)
    detected = verdict.recorded_at
    arrived = verdict.details.get("data_arrived_at")
    recovered = max(r.recorded_at for r in closing.blocking) if closing else None
    notified = _first_delivery(alerts, first.run_id, detected, until)
    measured = {
        "timeToDetect": _seconds(arrived, detected) if arrived else None,
        "timeToNotify": _seconds(detected, notified) if notified else None,
        "timeToRepair": _seconds(detected, recovered) if recovered else None,
    }
    # An alert may still arrive after the recovery; a repair can take no longer than it did.
    so_far = {
        "timeToNotify": _seconds(detected, period_end),
        "timeToRepair": _seconds(detected, recovered or period_end),
    }
    notes = {
        "timeToDetect": None if arrived else "arrival not recorded",
        "timeToNotify": None if notified else "no alert delivered",
        "timeToRepair": None if recovered else "ongoing",
    }
    figures = tuple(
        _judge(name, measured[name], so_far.get(name), limits.get(name), notes[name])
        for name in SLA_FIGURES
    )
    return SlaEpisode(
        asset_key=asset_key,
        opened_by_run=first.run_id,
        detected_at=detected,
        data_arrived_at=arrived,
        arrival_source=verdict.details.get("arrival_source"),
        notified_at=notified,
        recovered_at=recovered,
        recovered_by_run=closing.run_id if closing else None,
        failing_checks=tuple(sorted({r.check_key or "" for r in first.failing})),
        figures=figures,
    )


def _first_delivery(
    alerts: list[Record], opened_by_run: str | None, detected: str, until: str | None
) -> str | None:
    """When the episode's opening alert first reached someone: an alert naming the opening run,
    else the first delivered between the verdict and the next episode."""
    opening = [r for r in alerts if r.details.get("alert_kind") in OPENING_ALERTS]
    times = [
        str(r.details["delivered_at"])
        for r in opening
        if r.details.get("opened_by_run") == opened_by_run and r.details.get("delivered_at")
    ]
    if not times:
        times = [
            str(at)
            for r in opening
            if (at := r.details.get("delivered_at"))
            and str(at) >= detected
            and (until is None or str(at) < until)
        ]
    return min(times) if times else None


def _judge(
    name: str,
    seconds: float | None,
    elapsed: float | None,
    limit: float | None,
    note: str | None,
) -> SlaFigureValue:
    if limit is None:
        verdict: SlaVerdict | None = None
    elif seconds is not None:
        verdict = "met" if seconds <= limit else "missed"
    elif elapsed is None:
        verdict = None
    elif elapsed > limit:
        verdict = "missed"
    else:
        verdict = "pending"
    return SlaFigureValue(name, seconds, limit, verdict, note)


def _figure_summary(name: str, values: list[SlaFigureValue]) -> SlaFigureSummary:
    measured = [v.seconds for v in values if v.seconds is not None]
    limits = {v.target_seconds for v in values if v.target_seconds is not None}
    return SlaFigureSummary(
        figure=name,
        measured=len(measured),
        median_seconds=median(measured) if measured else None,
        worst_seconds=max(measured) if measured else None,
        target_seconds=limits.pop() if len(limits) == 1 else None,
        met=sum(1 for v in values if v.verdict == "met"),
        missed=sum(1 for v in values if v.verdict == "missed"),
    )


def _limits(targets: Sequence[SlaTarget], asset_key: str) -> dict[str, float]:
    """Each figure's limit for a table: its own target, else the contract-wide one."""
    table = asset_key.rsplit("/", 1)[-1]
    limits = {t.figure: t.limit.total_seconds() for t in targets if t.table is None}
    limits |= {t.figure: t.limit.total_seconds() for t in targets if t.table == table}
    return limits


def _seconds(start: str, end: str) -> float:
    return max(0.0, (_moment(end) - _moment(start)).total_seconds())


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
