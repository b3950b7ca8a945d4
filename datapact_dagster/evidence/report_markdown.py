"""A Markdown summary for pull requests: chain status, per-contract table, failing checks."""

from __future__ import annotations

from .report_model import EvidenceReport, VerdictCounts, format_duration
from .report_sla import markdown_lines

MAX_FAILING_ROWS = 50


def render_markdown(report: EvidenceReport) -> str:
    lines = ["## DataPact evidence report", "", _chain_line(report), "", _window_line(report), ""]
    lines += [
        "| Contract | Version(s) | Evaluated | Pass | Fail | Error | Skipped | Pass rate "
        "| Open breaches |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for contract in report.contracts:
        c = contract.counts
        versions = ", ".join(sorted({v.version for v in contract.versions}))
        open_breaches = sum(1 for b in contract.breaches if b.ongoing)
        lines.append(
            f"| {_cell(contract.contract_id)} | {_cell(versions)} | {c.evaluated} | "
            f"{c.passed} | {c.failed} | {c.errored} | {c.skipped} | "
            f"{format_rate(c)} | {open_breaches} |"
        )
    if not report.contracts:
        lines.append("| _no evidence in this window_ | | | | | | | | |")
    breaches = [(c.contract_id, b) for c in report.contracts for b in c.breaches]
    if breaches:
        lines += [
            "",
            "### Breaches",
            "",
            "| Contract | Asset | Check | Severity | Start | End | Duration | Last result |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for contract_id, b in breaches[:MAX_FAILING_ROWS]:
            lines.append(
                f"| {_cell(contract_id)} | {_cell(b.asset_key)} | `{_cell(b.check_key)}` | "
                f"{_cell(b.severity)} | {b.start} | {b.end or 'ongoing'} | "
                f"{format_duration(b.duration_seconds)} | {b.last_verdict}: "
                f"{_cell(b.last_summary)} |"
            )
    lines += markdown_lines(report, _cell)
    lines += _governance(report)
    rollbacks = [(c.contract_id, r) for c in report.contracts for r in c.rollbacks]
    if rollbacks:
        lines += [
            "",
            "### Rollbacks",
            "",
            "| Contract | Asset | When | Who | From run | To run | Rows | Why |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for contract_id, r in rollbacks[:MAX_FAILING_ROWS]:
            lines.append(
                f"| {_cell(contract_id)} | {_cell(r.asset_key)} | {r.recorded_at} | "
                f"{_cell(r.user)} | `{_cell(r.from_run or 'unknown')}` | "
                f"`{_cell(r.to_run or 'unknown')}` | {_cell(r.from_rows)} → {_cell(r.to_rows)} | "
                f"{_cell(r.reason)} |"
            )
    return "\n".join(lines) + "\n"


def format_rate(counts: VerdictCounts) -> str:
    rate = counts.pass_rate
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def _chain_line(report: EvidenceReport) -> str:
    chain = report.chain
    if chain.ok:
        return f"**Evidence chain:** ✅ intact ({chain.checked} records verified)"
    return f"**Evidence chain:** ❌ BROKEN: {chain.reason}"


def _window_line(report: EvidenceReport) -> str:
    since, until = report.since or "beginning", report.until or report.generated_at
    scope = f"; run `{report.run_id}`" if report.run_id else ""
    return (
        f"Window: {since} to {until}{scope}. Totals: {format_rate(report.counts)} pass rate, "
        f"{report.counts.failed} failed, {report.counts.errored} errored."
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _governance(report: EvidenceReport) -> list[str]:
    """Each contract's versions in force over time and its approvals."""
    lines: list[str] = []
    in_force = [(c.contract_id, v) for c in report.contracts for v in c.in_force]
    if in_force:
        lines += [
            "",
            "### Contract versions in force",
            "",
            "| Contract | Version | Content hash | From | Until | Publishes |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {_cell(cid)} | {_cell(v.version)} | `{v.content_hash[:12]}` | {v.since} | "
            f"{v.until or 'in force'} | {v.publishes} |"
            for cid, v in in_force
        ]
    approvals = [(c.contract_id, a) for c in report.contracts for a in c.approvals]
    if approvals:
        lines += [
            "",
            "### Approvals",
            "",
            "| Contract | Version | When | Decision | Who | Level | Comment |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {_cell(cid)} | {_cell(a.version)} (`{a.content_hash[:12]}`) | {a.recorded_at} | "
            f"{a.decision}{' (completes)' if a.completes else ''} | {_cell(a.person)} | "
            f"{_cell(a.level)}{' ' + _cell(a.team) if a.team else ''} | {_cell(a.comment)} |"
            for cid, a in approvals
        ]
    return lines
