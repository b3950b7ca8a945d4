"""`datapact diff` under an approval policy: a changed contract whose new version is not fully
approved is an error, so the gate shows on the pull request before merge."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import make_url

from datapact_dagster.approvals.state import VersionStanding, standing
from datapact_dagster.changes.model import ContractDiff, DiffReport, PolicyFinding
from datapact_dagster.commands.approval_context import policy_or_exit
from datapact_dagster.evidence.store import (
    EVIDENCE_URL_ENV,
    EvidenceError,
    EvidenceStore,
    evidence_url,
)
from datapact_dagster.plan.graph import build_graph
from datapact_dagster.plan.loading import load_contracts


def with_approval_findings(report: DiffReport, root: Path) -> DiffReport:
    policy = policy_or_exit(root)
    contracts = load_contracts(None, root).contracts
    if policy is None or contracts is None:
        return report
    changed = [d for d in report.contracts if d.new_version is not None and d.changes]
    if not changed:
        return report
    url = evidence_url(root)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        note = PolicyFinding(
            "warning",
            "approvals-unknown",
            f"an approval policy applies, but there is no evidence store here to read approvals "
            f"from; set {EVIDENCE_URL_ENV} to the shared store to check them",
        )
        return replace(report, findings=(*report.findings, note))
    try:
        store = EvidenceStore(url)
    except EvidenceError as error:
        note = PolicyFinding("warning", "approvals-unknown", f"approvals not checked: {error}")
        return replace(report, findings=(*report.findings, note))
    graph = build_graph(contracts)
    by_id = {c.id: c for c in contracts.contracts}
    try:
        diffs = [
            _with_standing(d, standing(by_id[d.contract_id], policy, store, graph, root))
            if d in changed and d.contract_id in by_id
            else d
            for d in report.contracts
        ]
    finally:
        store.close()
    return replace(report, contracts=tuple(diffs))


def _with_standing(diff: ContractDiff, found: VersionStanding) -> ContractDiff:
    if found.approved:
        return diff
    finding = PolicyFinding(
        "error",
        "approval-missing",
        found.reason(),
        contract_id=diff.contract_id,
        file=diff.new_file,
        line=1,
        fix="ask the named people to run `datapact approve "
        f"{diff.contract_id}@{diff.new_version} --comment ...` (see `datapact approvals`)",
    )
    return replace(diff, findings=(*diff.findings, finding))
