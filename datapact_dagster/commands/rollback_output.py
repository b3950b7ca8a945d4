"""What `datapact rollback` prints: the kept versions, and the outcome of a rollback."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from datapact_dagster.commands.run_summary import table_documents
from datapact_dagster.commands.table import render_table

if TYPE_CHECKING:
    from datapact_dagster.pipeline.job_runner import TableSummary
    from datapact_dagster.pipeline.rollback import RolledBack
    from datapact_dagster.warehouse.versions import PublishedVersion

VERSION_COLUMNS = ["run", "published at", "rows", "content hash", "relation", "in force"]


@dataclass(frozen=True)
class RollbackReport:
    done: RolledBack
    check_run_id: str
    check_summaries: list[TableSummary]
    states: dict[str, str]
    """Each table's state ('layer/table' -> healthy, breached, held…) after the last run."""
    downstream: list[str]
    exit_code: int
    seconds: tuple[float, float] = (0.0, 0.0)
    """How long the check run and the rebuild run took."""
    rebuild_run_id: str | None = None
    rebuild_summaries: list[TableSummary] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.states.get(self.done.asset_path, "never run")

    @property
    def rebuild_command(self) -> str | None:
        if not self.downstream:
            return None
        selection = " or ".join(f"key:{path}" for path in self.downstream)
        return f"datapact run --select '{selection}'"


def version_document(version: PublishedVersion) -> dict[str, Any]:
    return {
        "run_id": version.run_id or None,
        "published_at": f"{version.published_at:%Y-%m-%dT%H:%M:%SZ}",
        "rows": version.row_count,
        "content_hash": version.content_hash,
        "relation": version.relation,
        "in_force": version.current,
    }


def render_versions(found: Sequence[PublishedVersion], args: argparse.Namespace) -> str:
    from datapact_dagster.pipeline.rollback import run_label

    if args.format == "json":
        return json.dumps(
            {"table": args.table, "versions": [version_document(v) for v in found]}, indent=2
        )
    if not found:
        return f"{args.table} has no published version yet."
    rows = [
        {
            "run": run_label(v.run_id) if v.run_id else "unknown",
            "published at": f"{v.published_at:%Y-%m-%d %H:%M:%S}",
            "rows": f"{v.row_count:,}",
            "content hash": v.content_hash[:16],
            "relation": v.relation,
            "in force": "*" if v.current else "",
        }
        for v in found
    ]
    return render_table(rows, VERSION_COLUMNS)


def render_json(report: RollbackReport) -> str:
    done = report.done
    document = {
        "command": "datapact rollback",
        "table": done.asset_path,
        "rollback_id": done.rollback_id,
        "user": done.person,
        "reason": done.reason,
        "from": version_document(done.replaced),
        "to": version_document(done.restored),
        "check_run_id": report.check_run_id,
        "state": report.state,
        "tables": table_documents(report.check_summaries, report.states),
        "downstream": [
            {"table": path, "state": report.states.get(path)} for path in report.downstream
        ],
        "rebuild_command": report.rebuild_command,
        "rebuild_run_id": report.rebuild_run_id,
        "rebuilt": table_documents(report.rebuild_summaries, report.states),
        "exit_code": report.exit_code,
    }
    return json.dumps(document, indent=2)


def render_text(report: RollbackReport) -> str:
    from datapact_dagster.commands.run_summary import render_text as render_run

    done = report.done
    lines = [
        f"Rolled back {done.asset_path} by {done.person}: {done.reason}",
        f"  from run {_version_line(done.replaced)}, kept as {done.replaced.relation}",
        f"  to run   {_version_line(done.restored)}, now in force",
        f"  recorded in the evidence store as decision 'rollback' ({done.rollback_id})",
        "",
        render_run(
            report.check_run_id,
            report.seconds[0],
            table_documents(report.check_summaries, report.states),
        ),
        f"{done.asset_path} is now {report.state}.",
    ]
    if report.rebuild_run_id is not None:
        rebuilt = table_documents(report.rebuild_summaries, report.states)
        lines += [
            "",
            "Downstream rebuilt:",
            render_run(report.rebuild_run_id, report.seconds[1], rebuilt),
        ]
    elif report.downstream:
        stale = ", ".join(f"{p} ({report.states.get(p, 'never run')})" for p in report.downstream)
        lines += [
            f"Downstream tables were built from (or checked against) the replaced data: {stale}.",
            f"Rebuild them with: {report.rebuild_command}",
        ]
        if report.state == "breached":
            lines.append(
                f"While {done.asset_path} is breached, a run holds them (the breaker); fix the "
                "data or the contract first."
            )
    return "\n".join(lines)


def _version_line(version: PublishedVersion) -> str:
    from datapact_dagster.pipeline.rollback import run_label

    return (
        f"{run_label(version.run_id)} (published {version.published_at:%Y-%m-%d %H:%M:%S}, "
        f"{version.row_count:,} rows, hash {version.content_hash[:16]})"
    )
