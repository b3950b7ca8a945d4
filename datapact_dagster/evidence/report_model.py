"""What every report format shows, computed once from evidence records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from datapact_dagster.contract.model import SlaTarget

from .model import Decision, Record, VerifyResult
from .report_governance import (
    ApprovalDecision,
    VersionInForce,
    approval_decisions,
    versions_in_force,
)
from .report_trends import TableTrend
from .sla import SlaEpisode, SlaTableSummary, sla_episodes, sla_summaries
from .store import utc_timestamp

NOT_PASSING = frozenset({"fail", "error"})


@dataclass(frozen=True)
class VerdictCounts:
    passed: int = 0
    failed: int = 0
    errored: int = 0
    skipped: int = 0

    @property
    def evaluated(self) -> int:
        return self.passed + self.failed + self.errored

    @property
    def pass_rate(self) -> float | None:
        """Passing share of evaluated checks (skipped ones excluded); None when nothing ran."""
        return self.passed / self.evaluated if self.evaluated else None

    @classmethod
    def of(cls, records: Iterable[Record]) -> VerdictCounts:
        tally = defaultdict(int)
        for record in records:
            if record.is_evaluation and record.verdict is not None:
                tally[record.verdict] += 1
        return cls(tally["pass"], tally["fail"], tally["error"], tally["skipped"])


@dataclass(frozen=True)
class SeriesPoint:
    label: str
    start: str
    counts: VerdictCounts


@dataclass(frozen=True)
class Breach:
    """Consecutive failing or erroring evaluations of one check, until it passes again."""

    asset_key: str | None
    check_key: str
    severity: str | None
    start: str
    end: str | None
    duration_seconds: float
    evaluations: int
    last_verdict: str
    last_summary: str | None

    @property
    def ongoing(self) -> bool:
        return self.end is None


@dataclass(frozen=True)
class ContractVersion:
    version: str
    content_hash: str
    first_seen: str
    last_seen: str


@dataclass(frozen=True)
class FailingCheck:
    asset_key: str | None
    check_key: str
    severity: str | None
    records: tuple[Record, ...]
    """Its failing and erroring evaluations, oldest first."""


@dataclass(frozen=True)
class Rollback:
    """A person made an earlier published version of a table current again."""

    seq: int
    recorded_at: str
    asset_key: str | None
    user: str
    reason: str
    from_run: str | None
    to_run: str | None
    from_rows: int | None
    to_rows: int | None
    from_hash: str | None
    to_hash: str | None

    @classmethod
    def of(cls, record: Record) -> Rollback:
        details = record.details
        return cls(
            seq=record.seq,
            recorded_at=record.recorded_at,
            asset_key=record.asset_key,
            user=str(details.get("user") or "unknown"),
            reason=str(details.get("reason") or ""),
            from_run=details.get("from_run"),
            to_run=details.get("to_run"),
            from_rows=details.get("from_rows"),
            to_rows=details.get("to_rows"),
            from_hash=details.get("from_hash"),
            to_hash=details.get("to_hash"),
        )


@dataclass(frozen=True)
class ContractReport:
    contract_id: str
    versions: tuple[ContractVersion, ...]
    counts: VerdictCounts
    series_bucket: Literal["day", "run"]
    series: tuple[SeriesPoint, ...]
    breaches: tuple[Breach, ...]
    failing_checks: tuple[FailingCheck, ...]
    decisions: tuple[Record, ...]
    evaluations: tuple[Record, ...]
    rollbacks: tuple[Rollback, ...] = ()
    in_force: tuple[VersionInForce, ...] = ()
    approvals: tuple[ApprovalDecision, ...] = ()
    sla_episodes: tuple[SlaEpisode, ...] = ()
    sla_tables: tuple[SlaTableSummary, ...] = ()
    sla_targets: tuple[SlaTarget, ...] = ()


@dataclass(frozen=True)
class EvidenceReport:
    generated_at: str
    since: str | None
    until: str | None
    contract_filter: str | None
    run_id: str | None
    chain: VerifyResult
    counts: VerdictCounts
    contracts: tuple[ContractReport, ...]
    records: tuple[Record, ...] = field(repr=False)
    trends: tuple[TableTrend, ...] = ()
    """Each table's metrics over time with its anomaly bands (report_trends.py)."""

    def trends_of(self, contract_id: str) -> tuple[TableTrend, ...]:
        return tuple(t for t in self.trends if t.contract_id == contract_id)


def build_report(
    records: Sequence[Record],
    chain: VerifyResult,
    *,
    since: str | None = None,
    until: str | None = None,
    contract_filter: str | None = None,
    run_id: str | None = None,
    now: datetime | None = None,
    sla_targets: Mapping[str, Sequence[SlaTarget]] | None = None,
) -> EvidenceReport:
    """`sla_targets`: each contract's SLA targets (by contract id), to judge its episodes by."""
    now = now or datetime.now(UTC)
    period_end = until or utc_timestamp(now)
    by_contract: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_contract[record.contract_id].append(record)
    return EvidenceReport(
        generated_at=utc_timestamp(now),
        since=since,
        until=until,
        contract_filter=contract_filter,
        run_id=run_id,
        chain=chain,
        counts=VerdictCounts.of(records),
        contracts=tuple(
            _contract_report(
                cid, rows, period_end, tuple((sla_targets or {}).get(cid, ())), run_id is None
            )
            for cid, rows in sorted(by_contract.items())
        ),
        records=tuple(records),
    )


def _contract_report(
    contract_id: str,
    records: list[Record],
    period_end: str,
    targets: tuple[SlaTarget, ...],
    with_episodes: bool = True,
) -> ContractReport:
    """`with_episodes`: False for one run's report (an episode spans runs and its alert)."""
    evaluations = [r for r in records if r.is_evaluation]
    bucket, series = _pass_rate_series(evaluations)
    episodes = sla_episodes(records, targets, period_end) if with_episodes else ()
    return ContractReport(
        contract_id=contract_id,
        versions=_versions(records),
        counts=VerdictCounts.of(evaluations),
        series_bucket=bucket,
        series=series,
        breaches=_breaches(evaluations, period_end),
        failing_checks=_failing_checks(evaluations),
        decisions=tuple(r for r in records if r.kind == "decision"),
        evaluations=tuple(evaluations),
        rollbacks=tuple(Rollback.of(r) for r in records if r.decision == Decision.ROLLBACK),
        in_force=versions_in_force(records),
        approvals=approval_decisions(records),
        sla_episodes=episodes,
        sla_tables=sla_summaries(episodes),
        sla_targets=targets,
    )


def _versions(records: list[Record]) -> tuple[ContractVersion, ...]:
    seen: dict[tuple[str, str], list[str]] = {}
    for record in records:
        seen.setdefault((record.contract_version, record.contract_hash), []).append(
            record.recorded_at
        )
    return tuple(
        ContractVersion(version, content_hash, min(times), max(times))
        for (version, content_hash), times in seen.items()
    )


def _pass_rate_series(
    evaluations: list[Record],
) -> tuple[Literal["day", "run"], tuple[SeriesPoint, ...]]:
    """Per day when the records span several days, else per run."""
    days = {r.recorded_at[:10] for r in evaluations}
    if len(days) > 1:
        groups = _group(evaluations, lambda r: r.recorded_at[:10])
        return "day", tuple(
            SeriesPoint(day, rows[0].recorded_at, VerdictCounts.of(rows)) for day, rows in groups
        )
    groups = _group(evaluations, lambda r: r.run_id or "(no run id)")
    return "run", tuple(
        SeriesPoint(run, rows[0].recorded_at, VerdictCounts.of(rows)) for run, rows in groups
    )


def _group(
    records: list[Record], key_of: Callable[[Record], str]
) -> list[tuple[str, list[Record]]]:
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(key_of(record), []).append(record)
    return sorted(groups.items(), key=lambda item: item[1][0].seq)


def _breaches(evaluations: list[Record], period_end: str) -> tuple[Breach, ...]:
    breaches: list[Breach] = []
    history: dict[tuple[str | None, str], list[Record]] = defaultdict(list)
    for record in evaluations:
        if record.kind == "check" and record.check_key is not None:
            history[(record.asset_key, record.check_key)].append(record)
    for (asset_key, check_key), rows in history.items():
        open_rows: list[Record] = []
        for record in rows:
            if record.verdict in NOT_PASSING:
                open_rows.append(record)
            elif record.verdict == "pass" and open_rows:
                breaches.append(_breach(asset_key, check_key, open_rows, record.recorded_at))
                open_rows = []
        if open_rows:
            breaches.append(_breach(asset_key, check_key, open_rows, None, period_end))
    return tuple(sorted(breaches, key=lambda b: (b.start, b.check_key)))


def _breach(
    asset_key: str | None,
    check_key: str,
    rows: list[Record],
    end: str | None,
    period_end: str | None = None,
) -> Breach:
    start = rows[0].recorded_at
    stop = end or period_end or start
    return Breach(
        asset_key=asset_key,
        check_key=check_key,
        severity=rows[-1].severity,
        start=start,
        end=end,
        duration_seconds=max(0.0, (parse_timestamp(stop) - parse_timestamp(start)).total_seconds()),
        evaluations=len(rows),
        last_verdict=rows[-1].verdict or "error",
        last_summary=rows[-1].summary,
    )


def _failing_checks(evaluations: list[Record]) -> tuple[FailingCheck, ...]:
    failing: dict[tuple[str | None, str], list[Record]] = {}
    for record in evaluations:
        if record.verdict in NOT_PASSING:
            failing.setdefault((record.asset_key, record.label), []).append(record)
    return tuple(
        FailingCheck(asset, key, rows[-1].severity, tuple(rows))
        for (asset, key), rows in sorted(
            failing.items(), key=lambda item: (item[0][0] or "", item[0][1])
        )
    )


def parse_timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_duration(seconds: float) -> str:
    total = round(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{days}d" if days else "",
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs and not days else "",
    ]
    return " ".join(p for p in parts if p) or "0s"
