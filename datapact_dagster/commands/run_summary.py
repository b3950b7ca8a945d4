"""The summary `datapact run` / `datapact check` prints: one line (or JSON object) per table.

Each table has an outcome (what this run did: published, quarantined, held…) and a state (where
that leaves the table, in the one vocabulary of `Health`, as `datapact status` says it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from datapact_dagster.commands.table import render_table

if TYPE_CHECKING:
    from datapact_dagster.pipeline.job_runner import TableSummary

TEXT_COLUMNS = ["asset", "rows", "checks passed", "failed", "result", "state", "time"]


def table_documents(
    summaries: Sequence[TableSummary], states: Mapping[str, str]
) -> list[dict[str, Any]]:
    """One JSON-ready entry per table; `states` maps 'layer/table' to its state after the run."""
    documents = []
    for s in summaries:
        implied = s.status.health
        documents.append(
            {
                "table": s.asset,
                "outcome": s.status.value,
                "state": states.get(s.asset) or (implied.value if implied else None),
                "rows": s.rows,
                "checks_passed": s.passed,
                "checks_failed": s.failed,
                "failing_checks": list(s.failed_checks),
                "failing_summaries": dict(s.failed_summaries),
                "seconds": None if s.seconds is None else round(s.seconds, 3),
                "message": s.message,
            }
        )
    return documents


def render_json(
    command: str, run_id: str, seconds: float, exit_code: int, tables: list[dict[str, Any]]
) -> str:
    document = {
        "command": command,
        "run_id": run_id,
        "seconds": round(seconds, 3),
        "exit_code": exit_code,
        "tables": tables,
    }
    return json.dumps(document, indent=2)


def render_text(run_id: str, seconds: float, tables: list[dict[str, Any]]) -> str:
    rows = [
        {
            "asset": t["table"],
            "rows": "" if t["rows"] is None else f"{t['rows']:,}",
            "checks passed": t["checks_passed"],
            "failed": t["checks_failed"],
            "result": t["outcome"],
            "state": t["state"] or "",
            "time": "" if t["seconds"] is None else f"{t['seconds']:.1f}s",
        }
        for t in tables
    ]
    lines = [render_table(rows, TEXT_COLUMNS)]
    for t in tables:
        summaries = t.get("failing_summaries") or {}
        lines.extend(
            f"  FAILED {t['table']}: {name}" + (f": {summaries[name]}" if name in summaries else "")
            for name in t["failing_checks"]
        )
        if t["message"]:
            lines.append(f"  {t['table']}: {t['message']}")
    lines.append(f"run {run_id} finished in {seconds:.1f}s (open it with 'datapact ui').")
    return "\n".join(lines)
