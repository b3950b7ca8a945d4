"""Writes a table run's check results and decisions into the evidence store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.gx_suite import build_suite
from datapact_dagster.checks.result import CheckResult
from datapact_dagster.contract.model import Contract, ContractSet, Table
from datapact_dagster.evidence.anchors import Anchor
from datapact_dagster.evidence.reports import report_for_run
from datapact_dagster.evidence.store import DataFingerprint, EvidenceStore
from datapact_dagster.warehouse.engine import sqlglot_dialect


@cache
def _store(url: str) -> EvidenceStore:
    return EvidenceStore(url)


def suite_hash(contract_set: ContractSet, contract: Contract, table: Table, dialect: str) -> str:
    """Digest of the exact GX suite the audit ran (as `datapact export gx` writes it)."""
    suite = build_suite(
        table.name, compile_table_checks(contract, table), dialect, contract_set.published_relations
    )
    return hashlib.sha256(json.dumps(suite, sort_keys=True).encode()).hexdigest()


class StoreEvidenceSink:
    def __init__(self, store: EvidenceStore, engine: sa.Engine, contract_set: ContractSet) -> None:
        self.store = store
        self.dialect = sqlglot_dialect(engine)
        self.contract_set = contract_set

    def record_checks(
        self,
        contract: Contract,
        table: Table,
        results: Sequence[CheckResult],
        fingerprint: tuple[int, str],
        run_id: str,
    ) -> None:
        self.store.append_check_results(
            list(results),
            contract=contract,
            suite_hash=suite_hash(self.contract_set, contract, table, self.dialect),
            fingerprint=DataFingerprint(row_count=fingerprint[0], content_hash=fingerprint[1]),
            run_id=run_id,
            asset_key="/".join(table.asset_key),
            pii_columns=table.pii_columns,
        )

    def record_decision(
        self,
        contract: Contract,
        table: Table,
        decision: str,
        run_id: str,
        details: dict[str, object],
    ) -> None:
        self.store.append_decision(
            decision,
            contract_id=contract.id,
            contract_version=contract.version,
            contract_hash=contract.content_hash,
            run_id=run_id,
            asset_key="/".join(table.asset_key),
            details=details,
        )


def evidence_sink_for(
    evidence_url: str | None, engine: sa.Engine, contract_set: ContractSet
) -> StoreEvidenceSink | None:
    return StoreEvidenceSink(_store(evidence_url), engine, contract_set) if evidence_url else None


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
