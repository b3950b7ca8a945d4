"""`datapact report`: evidence over a time window as HTML, JSON, JUnit XML or Markdown; `--serve`
serves the reports folder on 127.0.0.1."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from datapact_dagster.commands.base import EXIT_OK, EXIT_SYSTEM_ERROR, UserError, project_dir
from datapact_dagster.commands.evidence import open_store
from datapact_dagster.commands.report_serve import DEFAULT_PORT, serve_reports
from datapact_dagster.contract.model import SlaTarget
from datapact_dagster.evidence import REPORT_FORMATS, EvidenceError, render_report
from datapact_dagster.evidence.reports import report_from_store
from datapact_dagster.plan.loading import load_contracts
from datapact_dagster.settings import Settings

REPORTS_FOLDER = "reports"
DEFAULT_HTML_REPORT = Path(REPORTS_FOLDER) / "report.html"
"""Relative to the state folder (DATAPACT_STATE_DIR, default <project>/.datapact)."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("report", help="report on recorded evidence (html, json, junit, md)")
    parser.add_argument("--since", type=iso_datetime, help="ISO date/time, inclusive (UTC)")
    parser.add_argument("--until", type=iso_datetime, help="ISO date/time, exclusive (UTC)")
    parser.add_argument("--contract", default=None, help="only this contract id")
    parser.add_argument("--format", choices=REPORT_FORMATS, default="html")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output file (default: stdout; html: .datapact/reports/report.html)",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="serve the reports folder (<state dir>/reports, where runs write their reports) "
        "read-only on http://127.0.0.1 until Ctrl-C",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port for --serve (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = project_dir(args)
    if args.serve:
        return serve_reports(Settings.from_env(root).state_dir / REPORTS_FOLDER, args.port)
    if args.since and args.until and args.since >= args.until:
        raise UserError("--since must be earlier than --until")
    targets = _sla_targets(root)
    store = open_store(root)
    try:
        report = report_from_store(
            store,
            since=args.since,
            until=args.until,
            contract_id=args.contract,
            sla_targets=targets,
        )
    except EvidenceError as exc:
        raise UserError(str(exc), EXIT_SYSTEM_ERROR) from exc
    finally:
        store.close()
    text = render_report(report, args.format)
    out: Path | None = args.out
    if out is None and args.format == "html":
        out = Settings.from_env(root).state_dir / DEFAULT_HTML_REPORT
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"Wrote {args.format} report to {out}", file=sys.stderr)
    if not report.chain.ok:
        print(f"datapact: warning: evidence chain broken: {report.chain.reason}", file=sys.stderr)
    return EXIT_OK


def _sla_targets(root: Path) -> dict[str, tuple[SlaTarget, ...]]:
    """Each contract's SLA targets as the project declares them now; none (with a warning)
    when the contracts do not load, so the evidence can still be reported."""
    loaded = load_contracts(None, root)
    if loaded.contracts is None:
        print(
            "datapact: warning: the contracts do not load ('datapact validate' says why); SLA "
            "figures are reported without their targets",
            file=sys.stderr,
        )
        return {}
    return {c.id: c.sla_targets for c in loaded.contracts.contracts}


def iso_datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date or date-time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
