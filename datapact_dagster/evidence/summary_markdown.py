"""One table's evidence of one run as Markdown, for the Dagster UI to render on the asset page.

Verdict counts, each failing check with its (already masked) samples, the decision, and the
evidence chain head the run anchored. Reads only stored records: what the UI shows is what the
evidence store holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import Record
from .report_markdown import MAX_FAILING_ROWS, format_rate
from .report_model import NOT_PASSING, VerdictCounts

MAX_SAMPLES = 5
MAX_CELL = 200


def render_table_summary(
    records: Sequence[Record],
    *,
    asset_key: str,
    run_id: str,
    chain_head: str | None,
    report_location: str | None = None,
) -> str:
    """Markdown for `asset_key`'s records of run `run_id` (other records are ignored)."""
    mine = [r for r in records if r.asset_key == asset_key and r.run_id == run_id]
    checks = [r for r in mine if r.kind == "check"]
    decisions = [r for r in mine if r.kind == "decision"]
    counts = VerdictCounts.of(checks)
    lines = [f"**Evidence for `{asset_key}`**, run `{run_id}`", ""]
    if mine:
        first = mine[0]
        lines += [f"Contract `{first.contract_id}` v{first.contract_version}", ""]
    lines += [
        "| verdict | checks |",
        "|---|---:|",
        f"| pass | {counts.passed} |",
        f"| fail | {counts.failed} |",
        f"| error | {counts.errored} |",
        f"| skipped | {counts.skipped} |",
        "",
        f"Pass rate: {format_rate(counts)}",
        "",
    ]
    failing = [r for r in checks if r.verdict in NOT_PASSING]
    if failing:
        lines += ["**Failing checks**", ""]
        lines += [_failing_line(r) for r in failing[:MAX_FAILING_ROWS]]
        lines.append("")
    lines.append(f"**Decision:** {_decisions(decisions)}")
    lines += ["", f"**Evidence chain head:** `{chain_head or 'no evidence store'}`"]
    if report_location:
        lines += ["", f"**HTML report:** {report_location}"]
    return "\n".join(lines) + "\n"


def _failing_line(record: Record) -> str:
    line = (
        f"- `{record.check_key}` ({record.severity or 'error'}, {record.verdict}): "
        f"{_short(record.summary)}"
    )
    if record.samples:
        shown = ", ".join(f"`{_short(s, 60)}`" for s in record.samples[:MAX_SAMPLES])
        more = len(record.samples) - MAX_SAMPLES
        line += f"  \n  samples: {shown}" + (f" (+{more} more)" if more > 0 else "")
    return line


def _decisions(decisions: Sequence[Record]) -> str:
    if not decisions:
        return "none recorded in this run (check-only run: nothing was built or published)"
    return "; ".join(_decision(d) for d in decisions)


def _decision(record: Record) -> str:
    details = record.details or {}
    if record.decision == "quarantine":
        return (
            f"**quarantine**: {details.get('rows', '?')} rows rejected into "
            f"`{details.get('relation', '?')}`; the previous data stays published"
        )
    if record.decision == "publish":
        return f"**publish**: {details.get('rows', '?')} rows published"
    if record.decision == "override":
        return f"**override**: {_short(details.get('reason'))}"
    return f"**{record.decision}**: {_short(details.get('error') or details.get('summary'))}"


def _short(value: object, limit: int = MAX_CELL) -> str:
    text = "" if value is None else str(value).replace("\n", " ").replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"
