"""Machine-readable report. The layout is versioned by REPORT_SCHEMA; add fields, never rename."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from .report_model import (
    Breach,
    ContractReport,
    EvidenceReport,
    Rollback,
    SeriesPoint,
    VerdictCounts,
)
from .report_sla import sla_document
from .report_trends import TableTrend

REPORT_SCHEMA = "datapact.evidence-report/v1"


def render_json(report: EvidenceReport) -> str:
    return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"


def report_document(report: EvidenceReport) -> dict[str, Any]:
    return {
        "schema": REPORT_SCHEMA,
        "generated_at": report.generated_at,
        "window": {"since": report.since, "until": report.until},
        "filter": {"contract_id": report.contract_filter, "run_id": report.run_id},
        "chain": report.chain.to_dict(),
        "totals": counts_document(report.counts),
        "contracts": [_contract_document(c) for c in report.contracts],
        "records": [r.to_dict() for r in report.records],
        "trends": [trend_document(t) for t in report.trends],
    }


def trend_document(trend: TableTrend) -> dict[str, Any]:
    return {
        "asset": trend.asset,
        "contract_id": trend.contract_id,
        "series": [
            {
                "name": s.name,
                "metric": s.metric,
                "column": s.column,
                "unit": s.unit,
                "points": [asdict(p) for p in s.points],
            }
            for s in trend.series
        ],
    }


def counts_document(counts: VerdictCounts) -> dict[str, Any]:
    return {
        "evaluated": counts.evaluated,
        "pass": counts.passed,
        "fail": counts.failed,
        "error": counts.errored,
        "skipped": counts.skipped,
        "pass_rate": counts.pass_rate,
    }


def _contract_document(contract: ContractReport) -> dict[str, Any]:
    return {
        "id": contract.contract_id,
        "versions": [
            {
                "version": v.version,
                "content_hash": v.content_hash,
                "first_seen": v.first_seen,
                "last_seen": v.last_seen,
            }
            for v in contract.versions
        ],
        "totals": counts_document(contract.counts),
        "pass_rate_series": {
            "bucket": contract.series_bucket,
            "points": [_point_document(p) for p in contract.series],
        },
        "breaches": [_breach_document(b) for b in contract.breaches],
        "failing_checks": [
            {
                "asset_key": f.asset_key,
                "check_key": f.check_key,
                "severity": f.severity,
                "record_seqs": [r.seq for r in f.records],
            }
            for f in contract.failing_checks
        ],
        "decisions": [
            {
                "seq": d.seq,
                "recorded_at": d.recorded_at,
                "decision": d.decision,
                "run_id": d.run_id,
                "asset_key": d.asset_key,
                "details": d.details,
            }
            for d in contract.decisions
        ],
        "rollbacks": [_rollback_document(r) for r in contract.rollbacks],
        "sla": sla_document(contract),
        "versions_in_force": [
            {
                "version": v.version,
                "content_hash": v.content_hash,
                "since": v.since,
                "until": v.until,
                "publishes": v.publishes,
            }
            for v in contract.in_force
        ],
        "approvals": [
            {
                "seq": a.seq,
                "recorded_at": a.recorded_at,
                "decision": a.decision,
                "version": a.version,
                "content_hash": a.content_hash,
                "person": a.person,
                "level": a.level,
                "team": a.team,
                "comment": a.comment,
                "completes": a.completes,
            }
            for a in contract.approvals
        ],
    }


def _rollback_document(rollback: Rollback) -> dict[str, Any]:
    return {
        "seq": rollback.seq,
        "recorded_at": rollback.recorded_at,
        "asset_key": rollback.asset_key,
        "user": rollback.user,
        "reason": rollback.reason,
        "from_run": rollback.from_run,
        "to_run": rollback.to_run,
        "from_rows": rollback.from_rows,
        "to_rows": rollback.to_rows,
        "from_hash": rollback.from_hash,
        "to_hash": rollback.to_hash,
    }


def _point_document(point: SeriesPoint) -> dict[str, Any]:
    return {"label": point.label, "start": point.start, **counts_document(point.counts)}


def _breach_document(breach: Breach) -> dict[str, Any]:
    return {
        "asset_key": breach.asset_key,
        "check_key": breach.check_key,
        "severity": breach.severity,
        "start": breach.start,
        "end": breach.end,
        "ongoing": breach.ongoing,
        "duration_seconds": breach.duration_seconds,
        "evaluations": breach.evaluations,
        "last_verdict": breach.last_verdict,
        "last_summary": breach.last_summary,
    }
