"""Promises about breach episodes and about how a table is built, compared: the SLA targets
(time to detect, notify, repair) and a table's partitioning."""

from __future__ import annotations

from collections.abc import Sequence

from datapact_dagster.changes.recorder import Recorder
from datapact_dagster.contract.model import Partitioning, SlaTarget


def _label(target: SlaTarget) -> str:
    return target.figure + (f" of table {target.table}" if target.table else "")


def compare_sla_targets(rec: Recorder, old: Sequence[SlaTarget], new: Sequence[SlaTarget]) -> None:
    """A target is identified by its figure and the table it binds (None: every table)."""
    before = {(t.figure, t.table): t for t in old}
    after = {(t.figure, t.table): t for t in new}
    for key in sorted(before.keys() - after.keys(), key=str):
        target = before[key]
        rec.add(
            "sla_target_removed",
            f"SLA target {_label(target)} ({target.limit}) removed",
            target.doc_path,
            table=target.table,
            side="old",
            anchor="slaProperties",
        )
    for key in sorted(after.keys(), key=str):
        target, earlier = after[key], before.get(key)
        if earlier is None:
            kind, detail = "sla_target_added", f"added ({target.limit})"
        elif target.limit > earlier.limit:
            kind, detail = "sla_target_loosened", f"{earlier.limit} -> {target.limit}"
        elif target.limit < earlier.limit:
            kind, detail = "sla_target_tightened", f"{earlier.limit} -> {target.limit}"
        elif target.description != earlier.description:
            kind, detail = "description_changed", "description changed"
        else:
            continue
        rec.add(kind, f"SLA target {_label(target)} {detail}", target.doc_path, table=target.table)


def compare_partitioning(
    rec: Recorder, table: str, old: Partitioning | None, new: Partitioning | None, anchor: str
) -> None:
    if old == new:
        return

    def said(p: Partitioning | None) -> str:
        return "none" if p is None else f"{p.grain} on {p.column} from {p.start:%Y-%m-%d}"

    where, side = (new.doc_path, "new") if new is not None else (old.doc_path, "old")  # type: ignore[union-attr]
    rec.add(
        "partitioning_changed",
        f"table {table}: partitioning {said(old)} -> {said(new)}",
        where,
        table=table,
        side=side,  # type: ignore[arg-type]
        anchor=anchor if side == "old" else None,
    )
