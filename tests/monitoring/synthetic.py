"""Synthetic run histories for the anomaly monitors: one table, one run a day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.rules import HISTORY_KINDS
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.contract.model import (
    AnomalyMonitor,
    Column,
    Contract,
    Freshness,
    Layer,
    Table,
)
from datapact_dagster.monitoring.anomaly import judge_monitors
from datapact_dagster.monitoring.model import TableMetrics

START = datetime(2026, 9, 7, 6, tzinfo=UTC)  # a Monday


@dataclass(frozen=True)
class Day:
    rows: int
    email_null_rate: float
    lag_seconds: float


def monitored_table(seasonality: str = "none") -> Table:
    return Table(
        name="signups",
        layer=Layer.bronze,
        physical_name="bronze.signups",
        columns=(
            Column(name="id", logical_type="integer", primary_key=True, doc_path="p[0]"),
            Column(name="email", logical_type="string", doc_path="p[1]"),
            Column(name="at", logical_type="timestamp", doc_path="p[2]"),
        ),
        freshness=Freshness(column="at", max_age=timedelta(days=2), doc_path="sla[0]"),
        monitors=(
            AnomalyMonitor(
                metric="row_count", severity="error", seasonality=seasonality, doc_path="v"
            ),
            AnomalyMonitor(metric="null_rate", column="email", direction="spike", doc_path="n"),
            AnomalyMonitor(metric="freshness_lag", direction="spike", doc_path="f"),
        ),
        sql_path=Path("sql/bronze/signups.sql"),
        doc_path="schema[0]",
    )


def monitor_specs(table: Table) -> list[CheckSpec]:
    contract = Contract(
        id="signups",
        version="1.0.0",
        status="active",
        api_version="v3.1.0",
        owners=("owner@example.com",),
        tables=(table,),
        source_path=Path("contracts/signups.yaml"),
        content_hash="0" * 64,
    )
    return [s for s in compile_table_checks(contract, table) if s.kind in HISTORY_KINDS]


def run_days(specs: list[CheckSpec], days: Iterable[Day]) -> list[set[str]]:
    """Judge each day's run against the accepted runs before it; the failing check keys per day.
    A run whose blocking monitor failed is not accepted (it stays out of later baselines)."""
    history: list[TableMetrics] = []
    failing: list[set[str]] = []
    for index, day in enumerate(days):
        current = TableMetrics(
            asset="bronze/signups",
            physical_name="bronze.signups",
            contract_id="signups",
            contract_version="1.0.0",
            run_id=f"run-{index}",
            run_kind="build",
            recorded_at=START + timedelta(days=index),
            row_count=day.rows,
            null_rates={"id": 0.0, "email": day.email_null_rate},
            freshness_lag_seconds=day.lag_seconds,
        )
        results = judge_monitors(specs, current, history)
        failed = {r.key for r in results if not r.passed}
        blocked = any(r.spec.blocking and not r.passed for r in results)
        history.append(current.with_changes(accepted=not blocked, published=not blocked))
        failing.append(failed)
    return failing


def steady(count: int, wobble: int = 0) -> list[Day]:
    """`count` ordinary days: rows, null rate and lag moving a little, deterministically."""
    return [
        Day(
            rows=10_000 + (37 * i + wobble) % 200 - 100,
            email_null_rate=0.02 + ((11 * i) % 7 - 3) / 10_000,
            lag_seconds=3_600 + (53 * i) % 600 - 300,
        )
        for i in range(count)
    ]
