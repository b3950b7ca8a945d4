"""`datapact approvals [--pending]`: each contract version against the approval policy, and
what awaits whom."""

from __future__ import annotations

import argparse
import json
from typing import Any

from datapact_dagster.approvals.state import VersionStanding
from datapact_dagster.commands.approval_context import approval_context
from datapact_dagster.commands.base import EXIT_OK, project_dir
from datapact_dagster.commands.table import render_table


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "approvals",
        help="list each contract version's approvals and what awaits whom (approvals.yaml)",
    )
    parser.add_argument("--pending", action="store_true", help="only versions awaiting approval")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with approval_context(project_dir(args)) as context:
        if context.policy is None:
            print("No approval policy (approvals.yaml): every contract version is in force.")
            return EXIT_OK
        rows = [row(context.standing(c)) for c in context.contracts.contracts]
    if args.pending:
        rows = [r for r in rows if r["state"] == "awaiting approval"]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("Nothing awaits approval." if args.pending else "No contracts.")
    else:
        columns = ["contract", "version", "in_force", "state", "waiting_on", "signed"]
        print(render_table([{k: _text(r[k]) for k in columns} for r in rows], columns))
    return EXIT_OK


def row(found: VersionStanding) -> dict[str, Any]:
    contract = found.contract
    if found.rejection is not None:
        state = "rejected"
    elif found.not_needed is not None:
        state = "in force" if "in force" in found.not_needed else "no approval needed"
    else:
        state = "approved" if found.approved else "awaiting approval"
    return {
        "contract": contract.id,
        "version": contract.version,
        "content_hash": contract.content_hash,
        "in_force": found.in_force[0] if found.in_force else None,
        "state": state,
        "reason": found.reason() or found.not_needed or "",
        "waiting_on": [
            {"level": r.level.name, "who": r.label, "members": list(r.members)}
            for r in found.waiting_on
        ],
        "signed": [
            {
                "person": s.person,
                "decision": s.decision,
                "level": s.level,
                "team": s.team,
                "comment": s.comment,
                "at": s.at,
            }
            for s in found.signed
        ],
    }


def _text(value: Any) -> str:
    if isinstance(value, list):
        return (
            "; ".join(
                f"{v['who']} ({', '.join(v['members']) or 'nobody listed'})"
                if "who" in v
                else f"{v['decision']} by {v['person']}"
                for v in value
            )
            or "-"
        )
    return "-" if value is None else str(value)
