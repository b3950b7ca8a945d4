"""`datapact diff --check-data`: each changed contract's new checks tried on the data published
today, as findings of the diff (read-only; recorded as `migration_check` decisions)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from datapact_dagster.changes.model import ContractDiff, DiffReport, PolicyFinding
from datapact_dagster.changes.sides import locator_for
from datapact_dagster.checks.result import CheckResult
from datapact_dagster.commands.base import UserError
from datapact_dagster.contract.model import ContractSet
from datapact_dagster.evidence.store import evidence_url
from datapact_dagster.pipeline.migration_check import MigrationCheck, check_published_data
from datapact_dagster.plan.loading import load_contracts
from datapact_dagster.plan.project import plan_table
from datapact_dagster.settings import Settings
from datapact_dagster.warehouse.engine import warehouse_engine

MAX_SHOWN_SAMPLES = 3


def with_data_checks(report: DiffReport, root: Path) -> DiffReport:
    contracts = load_contracts(None, root).contracts
    if contracts is None:
        raise UserError("--check-data needs valid contracts in the working tree")
    settings = Settings.from_env(root)
    try:
        engine = warehouse_engine(settings.warehouse_url)
    except Exception as error:
        raise UserError(f"--check-data: the warehouse cannot be opened: {error}") from None
    diffs = []
    for diff in report.contracts:
        findings = _data_findings(diff, contracts, root, engine, evidence_url(root))
        diffs.append(replace(diff, findings=(*diff.findings, *findings)))
    return replace(report, contracts=tuple(diffs))


def _data_findings(
    diff: ContractDiff,
    contracts: ContractSet,
    root: Path,
    engine: sa.Engine,
    store: str | None,
) -> list[PolicyFinding]:
    contract = next((c for c in contracts.contracts if c.id == diff.contract_id), None)
    if contract is None or diff.new_version is None:
        return []
    plans = [(plan_table(contracts, contract, t), diff.old_version, None) for t in contract.tables]
    locator = locator_for(root, contract.source_path)
    findings: list[PolicyFinding] = []
    for check in check_published_data(contracts, plans, engine, store):
        if not check.published:
            findings.append(_finding("info", check, "not published yet: no data to try", 1))
            continue
        for result in check.failures:
            severity = "error" if result.verdict.breaches else "warning"
            line = locator.line(result.spec.doc_path)
            findings.append(_finding(severity, check, _failure_text(result, check.rows), line))
        if not check.failures:
            text = (
                f"the published data ({check.rows:,} rows) passes all {len(check.results)} checks"
            )
            findings.append(_finding("info", check, text, 1))
    return findings


def _finding(severity: str, check: MigrationCheck, text: str, line: int) -> PolicyFinding:
    contract = check.plan.contract
    return PolicyFinding(
        severity=severity,  # type: ignore[arg-type]
        code="migration-check",
        message=f"{check.plan.table.physical_name} v{contract.version}: {text}",
        contract_id=contract.id,
        file=str(contract.source_path),
        line=line,
        fix=(
            "fix the published data (or the SQL) before merging, or keep the rule as it was"
            if severity == "error"
            else ""
        ),
    )


def _failure_text(result: CheckResult, rows: int) -> str:
    counted = ""
    if result.unexpected_count is not None:
        counted = f" ({result.unexpected_count:,} of {rows:,} rows)"
    shown = ", ".join(str(s) for s in result.samples[:MAX_SHOWN_SAMPLES])
    samples = f"; samples: {shown}" if shown else ""
    return f"{result.key} would fail on the published data{counted}: {result.summary}{samples}"
