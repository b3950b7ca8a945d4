"""Markdown for a pull-request comment: the summary first, then one section per contract."""

from __future__ import annotations

from datapact_dagster.changes.model import DiffReport
from datapact_dagster.changes.render_common import impact_lines, place, requirement, versions

_ICON = {"breaking": "🔴", "additive": "🟢", "cosmetic": "⚪"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DiffReport) -> str:
    errors = report.errors
    lines = [
        "## Contract changes",
        "",
        f"`{_cell(report.base)}` → `{_cell(report.head)}`",
        "",
        "| contract | versions | breaking | additive | cosmetic | required bump | findings |",
        "|---|---|---|---|---|---|---|",
    ]
    for diff in report.contracts:
        problems = [f for f in diff.findings if f.severity == "error"]
        lines.append(
            f"| `{diff.contract_id}` | {_cell(versions(diff))} | {diff.count('breaking')} | "
            f"{diff.count('additive')} | {diff.count('cosmetic')} | "
            f"{diff.required_bump.value} | "
            f"{'❌ ' + str(len(problems)) + ' error(s)' if problems else '✅'} |"
        )
    if not report.contracts:
        lines.append("| (no contract changed) | | | | | | |")
    lines += ["", f"**{'❌ ' + str(len(errors)) + ' error(s)' if errors else '✅ no errors'}**"]
    for finding in report.findings:
        lines.append(f"- **{finding.severity}** {_cell(finding.message)}")
    for diff in report.contracts:
        lines += ["", f"### `{diff.contract_id}` ({_cell(diff.file)})", ""]
        lines.append(_cell(requirement(diff)))
        lines.append("")
        for finding in diff.findings:
            fix = f" Fix: {_cell(finding.fix)}" if finding.fix else ""
            lines.append(
                f"- **{finding.severity}** `{finding.code}`: {_cell(finding.message)}.{fix}"
            )
        if diff.changes:
            lines += ["", "| class | change | where | what |", "|---|---|---|---|"]
            for change in diff.changes:
                klass = change.klass.value
                what = _cell(change.message)
                impact = impact_lines(change.impact)
                if impact:
                    what += "<br>affects: " + "<br>".join(_cell(i) for i in impact)
                lines.append(
                    f"| {_ICON[klass]} {klass} | `{change.kind}` | "
                    f"`{_cell(place(change))}` | {what} |"
                )
    return "\n".join(lines) + "\n"
