"""A migration check: a new contract version's checks run against the table published today,
before the new version is merged. Read-only: nothing is staged or published, no Dagster run is
made (so no breaker moves); the outcome is recorded as a `migration_check` decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa

from datapact_dagster.checks.engine import run_table_checks
from datapact_dagster.checks.result import CheckResult, Verdict
from datapact_dagster.contract.model import ContractSet
from datapact_dagster.evidence.model import Decision
from datapact_dagster.pipeline.evidence_sink import evidence_writer_for
from datapact_dagster.plan.project import TablePlan
from datapact_dagster.warehouse import wap

MIGRATION_RUN_PREFIX = "migration-check-"


@dataclass(frozen=True)
class MigrationCheck:
    plan: TablePlan
    """The new version's plan for the table."""
    previous_version: str | None
    previous_hash: str | None
    published: bool
    """Whether the table exists in the warehouse (else nothing was checked)."""
    rows: int
    results: tuple[CheckResult, ...]
    run_id: str

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.verdict is not Verdict.PASS]

    @property
    def blocking_failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.verdict.breaches]


def check_published_data(
    contracts: ContractSet,
    plans: Sequence[tuple[TablePlan, str | None, str | None]],
    engine: sa.Engine,
    evidence_url: str | None,
) -> list[MigrationCheck]:
    """Run each new plan's checks on its published table; `plans` holds (new plan, previous
    version, previous content hash); `contracts` is the new contract set."""
    run_id = f"{MIGRATION_RUN_PREFIX}{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid4().hex[:8]}"
    writer = evidence_writer_for(evidence_url)
    found: list[MigrationCheck] = []
    for plan, previous_version, previous_hash in plans:
        relation = plan.table.physical_name
        with engine.connect() as conn:
            exists = wap.relation_exists(conn, relation)
        results: list[CheckResult] = []
        rows = 0
        if exists:
            results = run_table_checks(
                contracts, plan.contract, plan.table, list(plan.specs), relation, engine
            )
            rows = wap.fingerprint(engine, relation)[0]
        check = MigrationCheck(
            plan, previous_version, previous_hash, exists, rows, tuple(results), run_id
        )
        if writer is not None and exists:
            writer.record_decision(plan, Decision.MIGRATION_CHECK, run_id, _details(check))
        found.append(check)
    return found


def _details(check: MigrationCheck) -> dict[str, object]:
    return {
        "previous_version": check.previous_version,
        "previous_contract_hash": check.previous_hash,
        "new_version": check.plan.contract.version,
        "new_contract_hash": check.plan.contract.content_hash,
        "rows": check.rows,
        "failing_checks": [
            {
                "check": r.key,
                "verdict": r.verdict.value,
                "summary": r.summary,
                "unexpected_count": r.unexpected_count,
            }
            for r in check.failures
        ],
        "checks": len(check.results),
    }
