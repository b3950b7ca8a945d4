"""`datapact evidence verify|list`: check the hash chain, show the latest records."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from datapact_dagster.commands.base import (
    EXIT_BREACHED,
    EXIT_OK,
    EXIT_SYSTEM_ERROR,
    UserError,
    project_dir,
)
from datapact_dagster.evidence import EvidenceError, EvidenceStore, Record, evidence_url
from datapact_dagster.evidence.anchors import (
    ANCHOR_METADATA_KEY,
    Anchor,
    AnchorsByStore,
    check_anchors,
    check_replacement,
    split_by_store,
)
from datapact_dagster.settings import Settings

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
        # A driver error's first line says it; the rest is SQLAlchemy's link to its docs.
        raise UserError(str(exc).strip().splitlines()[0], EXIT_SYSTEM_ERROR) from exc


def dagster_anchors(root: Path) -> list[Anchor]:
    """Chain heads that pipeline steps recorded in the project's Dagster instance."""
    settings = Settings.from_env(root)
    if not (settings.dagster_home / "dagster.yaml").is_file():
        return []
    import dagster as dg

    from datapact_dagster.pipeline.dagster_home import prepare_dagster_home

    prepare_dagster_home(settings)
    anchors = []
    with dg.DagsterInstance.get() as instance:
        for key in instance.get_asset_keys():
            records = instance.fetch_observations(key, limit=10_000).records
            for record in records:
                observation = record.asset_observation
                value = observation.metadata.get(ANCHOR_METADATA_KEY) if observation else None
                source = f"run {record.run_id} ({key.to_user_string()})"
                anchor = Anchor.from_text(str(value.value), source) if value else None
                if anchor is not None:
                    anchors.append(anchor)
    return anchors


def run_verify(args: argparse.Namespace) -> int:
    root = project_dir(args)
    store = open_store(root)
    split = AnchorsByStore()
    try:
        result = store.verify()
        if result.ok:
            split = split_by_store(dagster_anchors(root), store.store_id, store.location)
            hashes = {r.seq: r.record_hash for r in store.records()}
            problem = check_replacement(split, store.store_id) or check_anchors(hashes, split.own)
            if problem is not None:
                result = replace(result, ok=False, reason=problem)
    except EvidenceError as exc:
        raise UserError(str(exc), EXIT_SYSTEM_ERROR) from exc
    finally:
        store.close()
    if args.format == "json":
        report = {
            "store": store.display_url,
            "store_id": store.store_id,
            **result.to_dict(),
            "anchors_checked": len(split.own),
            "anchors_of_replaced_stores": len(split.replaced),
            "anchors_of_other_stores": split.elsewhere,
        }
        print(json.dumps(report, indent=2))
    elif result.ok:
        print(
            f"Evidence chain intact: {result.checked} record(s) verified in {store.display_url}"
            f" (head checked against {len(split.own)} anchor(s) in the Dagster instance)."
        )
    else:
        print(f"Evidence chain broken: {result.reason}.", file=sys.stderr)
    if split.elsewhere and args.format != "json":
        print(_other_stores_note(store.store_id, split.elsewhere), file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_BREACHED


def _other_stores_note(store_id: str, other_stores: dict[str, int]) -> str:
    counted = ", ".join(f"{sid} ({n})" for sid, n in sorted(other_stores.items()))
    return (
        f"Note: the Dagster instance also holds chain heads anchored for other evidence stores: "
        f"{counted}. They were taken at other locations, so they were not checked against this "
        f"store (id {store_id}); that is expected after DATAPACT_EVIDENCE_URL was changed."
    )


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
