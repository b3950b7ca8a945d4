"""JUnit XML: a suite per contract, a case per change and per finding; errors are failures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from datapact_dagster.changes.model import DiffReport, PolicyFinding
from datapact_dagster.changes.render_common import impact_lines, place


def _finding_case(finding: PolicyFinding, classname: str) -> ET.Element:
    case = ET.Element("testcase", {"classname": classname, "name": f"{finding.code}", "time": "0"})
    text = finding.message + (f"\nfix: {finding.fix}" if finding.fix else "")
    if finding.severity == "error":
        failure = ET.SubElement(case, "failure", {"message": finding.message, "type": finding.code})
        failure.text = text
    else:
        ET.SubElement(case, "system-out").text = f"{finding.severity}: {text}"
    return case


def render_junit(report: DiffReport) -> str:
    root = ET.Element("testsuites", {"name": f"datapact diff {report.base} -> {report.head}"})
    if report.findings:
        suite = ET.SubElement(root, "testsuite", {"name": "datapact"})
        for finding in report.findings:
            suite.append(_finding_case(finding, "datapact"))
    for diff in report.contracts:
        suite = ET.SubElement(root, "testsuite", {"name": diff.contract_id})
        for change in diff.changes:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "classname": diff.contract_id,
                    "name": f"{change.klass.value} {change.kind} at {place(change)}",
                    "time": "0",
                },
            )
            ET.SubElement(case, "system-out").text = "\n".join(
                [change.message, *impact_lines(change.impact)]
            )
        for finding in diff.findings:
            suite.append(_finding_case(finding, diff.contract_id))
    for suite in root:
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("errors", "0")
    root.set("tests", str(sum(int(s.get("tests", "0")) for s in root)))
    root.set("failures", str(sum(int(s.get("failures", "0")) for s in root)))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
