"""`datapact evidence verify|list`: check the hash chain, show the latest records."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from datapact_dagster.commands.base import (
    EXIT_BREACHED,
    EXIT_OK,
    EXIT_SYSTEM_ERROR,
    UserError,
    project_dir,
)
from datapact_dagster.evidence import EvidenceError, EvidenceStore, Record, evidence_url

DEFAULT_LIST_LIMIT = 20


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("evidence", help="verify or list the compliance evidence store")
    actions = parser.add_subparsers(dest="evidence_action", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="recompute the hash chain (exit 1 if tampered)")
    verify.add_argument("--format", choices=("text", "json"), default="text")
    verify.set_defaults(handler=run_verify)
    listing = actions.add_parser("list", help="show the most recent evidence records")
    listing.add_argument("--limit", type=_positive_int, default=DEFAULT_LIST_LIMIT)
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(handler=run_list)


def open_store(root: Path) -> EvidenceStore:
    try:
        return EvidenceStore(evidence_url(root))
    except EvidenceError as exc:
        raise UserError(str(exc), EXIT_SYSTEM_ERROR) from exc


def run_verify(args: argparse.Namespace) -> int:
    store = open_store(project_dir(args))
    try:
        result = store.verify()
    except EvidenceError as exc:
        raise UserError(str(exc), EXIT_SYSTEM_ERROR) from exc
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps({"store": store.display_url, **result.to_dict()}, indent=2))
    elif result.ok:
        print(f"Evidence chain intact: {result.checked} record(s) verified in {store.display_url}.")
    else:
        print(f"Evidence chain broken: {result.reason}.", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_BREACHED


def run_list(args: argparse.Namespace) -> int:
    store = open_store(project_dir(args))
    try:
        records = store.tail(args.limit)
    except EvidenceError as exc:
        raise UserError(str(exc), EXIT_SYSTEM_ERROR) from exc
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False))
    elif not records:
        print("No evidence recorded yet.")
    else:
        for record in records:
            print(format_record_line(record))
    return EXIT_OK


def format_record_line(record: Record) -> str:
    outcome = record.verdict or record.decision or ""
    what = record.check_key or f"decision {record.decision}"
    return (
        f"{record.seq:>6}  {record.recorded_at}  {record.contract_id}@{record.contract_version}  "
        f"{record.asset_key or '-'}  {what}  {outcome.upper()}  {record.summary or ''}"
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
