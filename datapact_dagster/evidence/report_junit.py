"""JUnit XML: one <testcase> per check evaluation, one <testsuite> per contract."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from .model import Record
from .report_model import ContractReport, EvidenceReport, Rollback, VerdictCounts
from .report_sla import junit_facts


def render_junit(report: EvidenceReport) -> str:
    root = ET.Element("testsuites", _count_attributes("datapact", report.counts))
    for contract in report.contracts:
        root.append(_suite(contract, report.generated_at))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _count_attributes(name: str, counts: VerdictCounts) -> dict[str, str]:
    return {
        "name": name,
        "tests": str(counts.evaluated + counts.skipped),
        "failures": str(counts.failed),
        "errors": str(counts.errored),
        "skipped": str(counts.skipped),
        "time": "0",
    }


def _suite(contract: ContractReport, generated_at: str) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        {
            **_count_attributes(contract.contract_id, contract.counts),
            "timestamp": generated_at.removesuffix("Z"),
        },
    )
    facts = [("rollback", _rollback(r)) for r in contract.rollbacks]
    facts += [
        (
            "version_in_force",
            f"{v.version} ({v.content_hash[:12]}) from {v.since} until "
            f"{v.until or 'the end of the window'}",
        )
        for v in contract.in_force
    ]
    facts += [
        (
            "approval",
            f"{a.recorded_at} {a.decision} of {a.version} ({a.content_hash[:12]}) by "
            f"{a.person} at {a.level}{' ' + a.team if a.team else ''}: {a.comment}",
        )
        for a in contract.approvals
    ]
    facts += junit_facts(contract)
    if facts:
        properties = ET.SubElement(suite, "properties")
        for name, value in facts:
            ET.SubElement(properties, "property", {"name": name, "value": value})
    for record in contract.evaluations:
        suite.append(_case(record))
    return suite


def _rollback(rollback: Rollback) -> str:
    return (
        f"{rollback.recorded_at} {rollback.asset_key or ''} rolled back from run "
        f"{rollback.from_run or 'unknown'} to run {rollback.to_run or 'unknown'} by "
        f"{rollback.user}: {rollback.reason} (evidence record {rollback.seq})"
    )


def _case(record: Record) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": f"{record.contract_id}/{record.asset_key or 'contract'}",
            "name": record.label,
            "time": "0",
        },
    )
    message = record.summary or ""
    if record.verdict == "fail":
        failure = ET.SubElement(
            case, "failure", {"message": message, "type": record.severity or "error"}
        )
        failure.text = _evidence_text(record)
    elif record.verdict == "error":
        error = ET.SubElement(case, "error", {"message": _error_message(record), "type": "error"})
        error.text = _evidence_text(record)
    elif record.verdict == "skipped":
        ET.SubElement(case, "skipped", {"message": message})
    ET.SubElement(case, "system-out").text = (
        f"evidence record {record.seq} at {record.recorded_at}, run {record.run_id}, "
        f"contract version {record.contract_version}"
    )
    return case


def _error_message(record: Record) -> str:
    return str(record.details.get("error") or record.summary or "evaluation failed to run")


def _evidence_text(record: Record) -> str:
    return json.dumps(
        {"observed": record.observed, "threshold": record.threshold, "samples": record.samples},
        indent=2,
        ensure_ascii=False,
    )
