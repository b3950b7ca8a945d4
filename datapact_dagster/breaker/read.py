"""Reading every contract table's breaker from the check evaluations in a Dagster instance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)

from datapact_dagster import metadata_keys as mk
from datapact_dagster.breaker.graph import TableGraph, format_keys, layer_order
from datapact_dagster.breaker.state import (
    AssetPath,
    CheckHistory,
    Evaluation,
    TableBreaker,
    table_breaker,
)
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.contract.model import Contract, Table

COMPLETED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}
HISTORY_DEPTH = 25
"""Evaluations read per check to find where a failure episode started."""


class _RunFacts:
    """Run lookups shared by one read: is a run still going, which tables did it build."""

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self.instance = instance
        self._runs: dict[str, dg.DagsterRun | None] = {}
        self._built: dict[str, frozenset[dg.AssetKey]] = {}

    def run(self, run_id: str) -> dg.DagsterRun | None:
        if run_id not in self._runs:
            self._runs[run_id] = self.instance.get_run_by_id(run_id)
        return self._runs[run_id]

    def in_progress(self, run_id: str) -> bool:
        run = self.run(run_id)
        return run is not None and not run.is_finished

    def built(self, run_id: str) -> frozenset[dg.AssetKey]:
        if run_id not in self._built:
            records = self.instance.get_records_for_run(
                run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
            ).records
            self._built[run_id] = frozenset(
                r.event_log_entry.dagster_event.asset_key
                for r in records
                if r.event_log_entry.dagster_event is not None
                and r.event_log_entry.dagster_event.asset_key is not None
            )
        return self._built[run_id]


@dataclass(frozen=True)
class ContractTable:
    """What the breaker needs to know about one contract table."""

    contract: Contract
    table: Table
    specs: tuple[CheckSpec, ...]

    @property
    def asset_key(self) -> AssetPath:
        return self.table.asset_key


@dataclass(frozen=True)
class Breakers:
    """Every table's breaker plus the graph, to answer "what is held, and by whom"."""

    by_table: Mapping[AssetPath, TableBreaker]
    graph: TableGraph

    @property
    def open(self) -> list[TableBreaker]:
        return [
            b
            for key, b in sorted(self.by_table.items(), key=lambda kv: layer_order(kv[0]))
            if b.state.holds_downstream
        ]

    def held_by(self, breaker: TableBreaker) -> frozenset[AssetPath]:
        return self.graph.descendants([breaker.asset_key])

    @property
    def held(self) -> frozenset[AssetPath]:
        return self.graph.descendants(b.asset_key for b in self.open)

    def breached_upstream_of(self, key: AssetPath) -> list[TableBreaker]:
        upstream = self.graph.ancestors(key)
        return [b for b in self.open if b.asset_key in upstream]

    def hold_summary(self) -> str:
        """One line per open table: what it holds and why."""
        lines = []
        for breaker in self.open:
            held = self.held_by(breaker)
            cause = describe_breach(breaker)
            if held:
                lines.append(f"holding {format_keys(held)} ({cause})")
            else:
                lines.append(f"{cause}; nothing downstream to hold")
        return "\n".join(lines)


def describe_breach(breaker: TableBreaker) -> str:
    """'commerce.raw_orders v1.0.0 (bronze/raw_orders) breached by <check> in run <id> at <t>'."""
    failures = breaker.blocking_failures
    checks = ", ".join(f.key for f in failures)
    latest = max(failures, key=lambda f: f.at)
    state = "" if breaker.state.value == "open" else f", {breaker.state.value}"
    return (
        f"{breaker.contract_id} v{breaker.contract_version} ({breaker.asset_path}) breached "
        f"by {checks} in run {latest.run_id} at {latest.at:%Y-%m-%d %H:%M:%S} UTC{state}"
    )


def _evaluation(
    record: AssetCheckExecutionRecord, key: dg.AssetKey, runs: _RunFacts
) -> Evaluation | None:
    evaluation = record.evaluation
    if evaluation is None:
        return None
    metadata = evaluation.metadata
    summary_value = metadata.get(mk.SUMMARY)
    summary = (
        str(summary_value.value)
        if summary_value is not None
        else (evaluation.description or ("passed" if evaluation.passed else "failed"))
    )
    unexpected = metadata.get(mk.UNEXPECTED_COUNT)
    at = record.event.timestamp if record.event is not None else record.create_timestamp
    target = evaluation.target_materialization_data
    by_build = (target is not None and target.run_id == record.run_id) or key in runs.built(
        record.run_id
    )
    return Evaluation(
        passed=evaluation.passed,
        run_id=record.run_id,
        at=datetime.fromtimestamp(at, UTC),
        summary=summary,
        failing_rows=int(unexpected.value) if unexpected is not None else None,  # type: ignore[arg-type]
        by_build=by_build,
    )


def _history(
    instance: dg.DagsterInstance,
    check_key: dg.AssetCheckKey,
    latest: AssetCheckExecutionRecord | None,
    runs: _RunFacts,
) -> tuple[tuple[Evaluation, ...], bool]:
    if latest is None:
        return (), False
    rechecking = latest.status == AssetCheckExecutionRecordStatus.PLANNED and runs.in_progress(
        latest.run_id
    )
    records = instance.event_log_storage.get_asset_check_execution_history(
        check_key, limit=HISTORY_DEPTH, status=COMPLETED
    )
    evaluations = tuple(
        e for r in records if (e := _evaluation(r, check_key.asset_key, runs)) is not None
    )
    return evaluations, rechecking


def read_breakers(
    instance: dg.DagsterInstance,
    tables: Iterable[ContractTable],
    upstream: Mapping[AssetPath, frozenset[AssetPath]],
) -> Breakers:
    tables = list(tables)
    check_keys = {
        (t.asset_key, spec.key): dg.AssetCheckKey(dg.AssetKey(list(t.asset_key)), spec.key)
        for t in tables
        for spec in t.specs
    }
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        list(check_keys.values())
    )
    runs = _RunFacts(instance)
    by_table: dict[AssetPath, TableBreaker] = {}
    for t in tables:
        histories = []
        for spec in t.specs:
            check_key = check_keys[(t.asset_key, spec.key)]
            evaluations, rechecking = _history(instance, check_key, latest.get(check_key), runs)
            histories.append(
                CheckHistory(
                    key=spec.key,
                    kind=spec.kind.value,
                    severity=spec.severity,
                    blocking=spec.blocking,
                    evaluations=evaluations,
                    rechecking=rechecking,
                )
            )
        by_table[t.asset_key] = table_breaker(
            t.asset_key, t.contract.id, t.contract.version, histories
        )
    return Breakers(by_table=by_table, graph=TableGraph(upstream))
