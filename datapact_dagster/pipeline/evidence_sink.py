"""The one evidence writer of a run: every check result and every decision goes through it.

Decisions are publish, quarantine, override (the launch guard) and error; check results carry
the digest of the suite the plan compiled for the run's warehouse, never a recompiled one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from datapact_dagster.checks.result import CheckResult
from datapact_dagster.evidence.anchors import Anchor
from datapact_dagster.evidence.contract_archive import archive_contract
from datapact_dagster.evidence.model import DataArrival, Decision
from datapact_dagster.evidence.reports import report_for_run
from datapact_dagster.evidence.store import DataFingerprint, EvidenceStore, utc_timestamp
from datapact_dagster.evidence.summary_markdown import render_table_summary
from datapact_dagster.plan.project import TablePlan

REPORT_BASE_URL_ENV = "DATAPACT_REPORT_BASE_URL"
"""Where the HTML reports are served (e.g. by `datapact report --serve`); the UI links there."""


@cache
def _store(url: str) -> EvidenceStore:
    return EvidenceStore(url)


class EvidenceWriter:
    def __init__(self, store: EvidenceStore) -> None:
        self.store = store

    def record_checks(
        self,
        plan: TablePlan,
        results: Sequence[CheckResult],
        fingerprint: tuple[int, str],
        run_id: str,
        suite_digest: str,
        arrival: DataArrival | None = None,
    ) -> None:
        self.store.append_check_results(
            list(results),
            contract=plan.contract,
            suite_hash=suite_digest,
            fingerprint=DataFingerprint(row_count=fingerprint[0], content_hash=fingerprint[1]),
            run_id=run_id,
            asset_key="/".join(plan.table.asset_key),
            pii_columns=plan.table.pii_columns,
            arrival=arrival,
        )

    def keep_contract(self, plan: TablePlan, root: Path) -> None:
        """Keep the text of the contract version this run was made under (once per version);
        a file edited since it was loaded is not kept under the loaded version's name."""
        try:
            text = (root / plan.contract.source_path).read_text(encoding="utf-8")
        except OSError:
            return
        if hashlib.sha256(text.encode()).hexdigest() != plan.contract.content_hash:
            return
        archive_contract(
            self.store.engine, plan.contract.id, plan.contract.version, text, utc_timestamp()
        )

    def record_decision(
        self, plan: TablePlan, decision: Decision, run_id: str, details: dict[str, object]
    ) -> None:
        self.store.append_decision(
            decision,
            contract_id=plan.contract.id,
            contract_version=plan.contract.version,
            contract_hash=plan.contract.content_hash,
            run_id=run_id,
            asset_key="/".join(plan.table.asset_key),
            details=details,
        )


def evidence_writer_for(evidence_url: str | None) -> EvidenceWriter | None:
    return EvidenceWriter(_store(evidence_url)) if evidence_url else None


def write_run_report(evidence_url: str | None, run_id: str, out_dir: Path) -> Path | None:
    """The HTML evidence report of one run, refreshed after each table (linked from the UI)."""
    return report_for_run(_store(evidence_url), run_id, out_dir) if evidence_url else None


def chain_head(evidence_url: str | None) -> str | None:
    """'<store id>@<location>/<seq>:<hash>' of the newest record, to anchor in Dagster's log."""
    if not evidence_url:
        return None
    store = _store(evidence_url)
    newest = store.tail(1)
    if not newest:
        return None
    return Anchor(
        newest[0].seq, newest[0].record_hash, "", store.store_id, store.location
    ).to_text()


def report_url(report: Path | None) -> str | None:
    """The report's URL when DATAPACT_REPORT_BASE_URL says where reports are served."""
    base = os.environ.get(REPORT_BASE_URL_ENV, "").strip()
    if report is None or not base:
        return None
    return f"{base.rstrip('/')}/{report.name}"


def table_evidence_markdown(
    evidence_url: str | None, run_id: str, asset_path: str, report: Path | None = None
) -> str | None:
    """One table's evidence of one run as Markdown (verdicts, failures, decision, chain head)."""
    if not evidence_url:
        return None
    records = _store(evidence_url).records(run_id=run_id)
    return render_table_summary(
        records,
        asset_key=asset_path,
        run_id=run_id,
        chain_head=chain_head(evidence_url),
        report_location=report_url(report) or (str(report) if report else None),
    )
