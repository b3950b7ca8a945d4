"""One self-contained HTML file for auditors: inline CSS and SVG, no scripts, no network."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from .model import Record
from .report_markdown import format_rate
from .report_model import Breach, ContractReport, EvidenceReport, FailingCheck, format_duration
from .report_svg import pass_rate_svg

MAX_DRILLDOWN_EVALUATIONS = 20

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#212121;
max-width:1200px}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #e0e0e0;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #e0e0e0;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#fafafa}
.chain-status{padding:.7rem 1rem;border-radius:6px;font-weight:600}
.chain-status.ok{background:#e8f5e9;color:#1b5e20;border:1px solid #a5d6a7}
.chain-status.broken{background:#ffebee;color:#b71c1c;border:1px solid #ef9a9a}
.meta{color:#616161}
.verdict-pass{color:#2e7d32;font-weight:600}.verdict-fail{color:#c62828;font-weight:600}
.verdict-error{color:#6a1b9a;font-weight:600}.verdict-skipped{color:#757575}
tr.ongoing td{background:#fff3e0}
details{margin:.4rem 0;border:1px solid #e0e0e0;border-radius:4px;padding:.3rem .6rem}
summary{cursor:pointer}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:.8rem;max-width:28rem}
code{font-size:.85rem}
"""


def render_html(report: EvidenceReport) -> str:
    body = [
        "<header>",
        "<h1>DataPact evidence report</h1>",
        _chain_banner(report),
        f'<p class="meta">{escape(_scope_text(report))}</p>',
        "</header>",
        _summary_section(report),
        *(_contract_section(contract) for contract in report.contracts),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>DataPact evidence report</title>"
        f"<style>{STYLE}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _chain_banner(report: EvidenceReport) -> str:
    chain = report.chain
    if chain.ok:
        head = (
            f" (head record {chain.head_seq}, hash {chain.head_hash[:16]}…)"
            if chain.head_hash
            else ""
        )
        text = f"Evidence chain intact: {chain.checked} records verified{head}."
        return f'<p class="chain-status ok" id="chain-status">✔ {escape(text)}</p>'
    text = (
        f"Evidence chain BROKEN: {chain.reason}. Evidence after record "
        f"{chain.first_bad_seq} cannot be trusted."
    )
    return f'<p class="chain-status broken" id="chain-status">✘ {escape(text)}</p>'


def _scope_text(report: EvidenceReport) -> str:
    parts = [
        f"Generated {report.generated_at}",
        f"window {report.since or 'beginning'} to {report.until or 'now'}",
    ]
    if report.contract_filter:
        parts.append(f"contract {report.contract_filter}")
    if report.run_id:
        parts.append(f"run {report.run_id}")
    return "; ".join(parts) + "."


def _summary_section(report: EvidenceReport) -> str:
    rows = []
    for contract in report.contracts:
        c = contract.counts
        versions = ", ".join(sorted({v.version for v in contract.versions}))
        ongoing = sum(1 for b in contract.breaches if b.ongoing)
        rows.append(
            f'<tr><td><a href="#{_anchor(contract.contract_id)}">'
            f"{escape(contract.contract_id)}</a></td><td>{escape(versions)}</td>"
            f"<td>{c.evaluated}</td><td>{c.passed}</td><td>{c.failed}</td><td>{c.errored}</td>"
            f"<td>{c.skipped}</td><td>{format_rate(c)}</td><td>{len(contract.breaches)}</td>"
            f"<td>{ongoing}</td></tr>"
        )
    if not rows:
        rows.append('<tr><td colspan="10">No evidence in this window.</td></tr>')
    return (
        '<section id="summary"><h2>Summary</h2><table class="summary"><thead><tr>'
        "<th>Contract</th><th>Version(s)</th><th>Evaluated</th><th>Pass</th><th>Fail</th>"
        "<th>Error</th><th>Skipped</th><th>Pass rate</th><th>Breaches</th><th>Ongoing</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>"
    )


def _contract_section(contract: ContractReport) -> str:
    title = f"Pass rate per {contract.series_bucket} for {contract.contract_id}"
    return "\n".join(
        [
            f'<section class="contract" id="{_anchor(contract.contract_id)}" '
            f'data-contract="{escape(contract.contract_id)}">',
            f"<h2>Contract {escape(contract.contract_id)}</h2>",
            "<h3>Contract versions in force</h3>",
            _versions_table(contract),
            f"<h3>Pass rate per {contract.series_bucket}</h3>",
            pass_rate_svg(contract.series, title),
            "<h3>Breaches</h3>",
            _breaches_table(contract.breaches),
            "<h3>Failing checks</h3>",
            "".join(_failing_check(f) for f in contract.failing_checks)
            or '<p class="no-failures">No failing or erroring checks in this window.</p>',
            "<h3>Pipeline decisions</h3>",
            _decisions_table(contract.decisions),
            "</section>",
        ]
    )


def _versions_table(contract: ContractReport) -> str:
    rows = "".join(
        f"<tr><td>{escape(v.version)}</td><td><code>{escape(v.content_hash)}</code></td>"
        f"<td>{escape(v.first_seen)}</td><td>{escape(v.last_seen)}</td></tr>"
        for v in contract.versions
    )
    return (
        '<table class="versions"><thead><tr><th>Version</th><th>Content hash</th>'
        "<th>First seen</th><th>Last seen</th></tr></thead><tbody>" + rows + "</tbody></table>"
    )


def _breaches_table(breaches: tuple[Breach, ...]) -> str:
    if not breaches:
        return '<p class="no-breaches">No breaches in this window.</p>'
    rows = "".join(
        f'<tr class="breach {"ongoing" if b.ongoing else "closed"}">'
        f"<td>{escape(b.asset_key or '')}</td><td><code>{escape(b.check_key)}</code></td>"
        f"<td>{escape(b.severity or '')}</td><td>{escape(b.start)}</td>"
        f"<td>{escape(b.end or 'ongoing')}</td>"
        f"<td>{format_duration(b.duration_seconds)}{' so far' if b.ongoing else ''}</td>"
        f"<td>{b.evaluations}</td>"
        f'<td><span class="verdict-{escape(b.last_verdict)}">{escape(b.last_verdict)}</span> '
        f"{escape(b.last_summary or '')}</td></tr>"
        for b in breaches
    )
    return (
        '<table class="breaches"><thead><tr><th>Asset</th><th>Check</th><th>Severity</th>'
        "<th>Start</th><th>End</th><th>Duration</th><th>Failing evaluations</th>"
        "<th>Last result</th></tr></thead><tbody>" + rows + "</tbody></table>"
    )


def _failing_check(failing: FailingCheck) -> str:
    latest = failing.records[-1]
    shown = failing.records[-MAX_DRILLDOWN_EVALUATIONS:]
    rows = "".join(_evaluation_row(r) for r in reversed(shown))
    more = len(failing.records) - len(shown)
    note = f'<p class="meta">{more} older failing evaluations not shown.</p>' if more else ""
    return (
        f'<details class="failing-check" data-check="{escape(failing.check_key)}"><summary>'
        f"<code>{escape(failing.check_key)}</code> on {escape(failing.asset_key or '')} "
        f"({escape(failing.severity or 'n/a')}): {len(failing.records)} failing evaluation(s); "
        f'latest <span class="verdict-{escape(latest.verdict or "")}">'
        f"{escape(latest.verdict or '')}</span>: {escape(latest.summary or '')}</summary>"
        '<table class="evaluations"><thead><tr><th>Record</th><th>Time</th><th>Run</th>'
        "<th>Contract version</th><th>Verdict</th><th>Summary</th><th>Observed</th>"
        "<th>Threshold</th><th>Samples (PII masked)</th><th>Data</th></tr></thead><tbody>"
        + rows
        + "</tbody></table>"
        + note
        + "</details>"
    )


def _evaluation_row(record: Record) -> str:
    data = (
        "n/a"
        if record.row_count is None
        else f"{record.row_count:,} rows, {(record.data_hash or '')[:16]}"
    )
    summary = record.summary or ""
    error = record.details.get("error")
    if error and error not in summary:
        summary = f"{summary} ({error})"
    return (
        f"<tr><td>{record.seq}</td><td>{escape(record.recorded_at)}</td>"
        f"<td>{escape(record.run_id or '')}</td><td>{escape(record.contract_version)}</td>"
        f'<td class="verdict-{escape(record.verdict or "")}">{escape(record.verdict or "")}'
        f"</td><td>{escape(summary)}</td><td>{_pre(record.observed)}</td>"
        f"<td>{_pre(record.threshold)}</td><td>{_pre(record.samples)}</td>"
        f"<td>{escape(data)}</td></tr>"
    )


def _decisions_table(decisions: tuple[Record, ...]) -> str:
    if not decisions:
        return '<p class="no-decisions">No pipeline decisions recorded in this window.</p>'
    rows = "".join(
        f'<tr class="decision-{escape(d.decision or "")}"><td>{d.seq}</td>'
        f"<td>{escape(d.recorded_at)}</td><td>{escape(d.decision or '')}</td>"
        f"<td>{escape(d.asset_key or '')}</td><td>{escape(d.run_id or '')}</td>"
        f"<td>{escape(d.contract_version)}</td><td>{_pre(d.details)}</td></tr>"
        for d in decisions
    )
    return (
        '<table class="decisions"><thead><tr><th>Record</th><th>Time</th><th>Decision</th>'
        "<th>Asset</th><th>Run</th><th>Contract version</th><th>Details</th></tr></thead>"
        "<tbody>" + rows + "</tbody></table>"
    )


def _pre(value: Any) -> str:
    value = _without_nulls(value)
    if value in (None, [], {}):
        return ""
    return f"<pre>{escape(json.dumps(value, ensure_ascii=False, separators=(', ', ': ')))}</pre>"


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v not in (None, {}, [])}
    return value


def _anchor(contract_id: str) -> str:
    return "contract-" + re.sub(r"[^A-Za-z0-9_-]+", "-", contract_id)
