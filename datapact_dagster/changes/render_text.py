"""The terminal form of a diff report."""

from __future__ import annotations

from datapact_dagster.changes.model import DiffReport
from datapact_dagster.changes.render_common import (
    impact_lines,
    place,
    requirement,
    summary,
    versions,
)


def render_text(report: DiffReport) -> str:
    lines = [f"Contract changes: {report.base} -> {report.head}"]
    for finding in report.findings:
        lines.append(f"  {finding.severity}: {finding.message}")
    for diff in report.contracts:
        lines.append("")
        lines.append(f"{diff.contract_id}  {diff.file}  {versions(diff)}  {requirement(diff)}")
        for change in diff.changes:
            lines.append(
                f"  {change.klass.value:<9} {place(change)}  {change.kind}: {change.message}"
            )
            lines += [f"              affects {line}" for line in impact_lines(change.impact)]
        for finding in diff.findings:
            where = f"{finding.file}:{finding.line}: " if finding.file and finding.line else ""
            lines.append(f"  {finding.severity:<9} {where}{finding.code}: {finding.message}")
            if finding.fix:
                lines.append(f"              fix: {finding.fix}")
    if not report.contracts:
        lines.append("No contract changed.")
    lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"
