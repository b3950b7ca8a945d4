"""Collecting the changes of one contract pair, each placed in the new (or the old) file."""

from __future__ import annotations

from dataclasses import dataclass, field

from datapact_dagster.changes.kinds import KIND_CLASS
from datapact_dagster.changes.locate import Locator
from datapact_dagster.changes.model import Change, Side


@dataclass
class Recorder:
    contract_id: str
    old: Locator
    new: Locator
    changes: list[Change] = field(default_factory=list)

    def add(
        self,
        kind: str,
        message: str,
        doc_path: str,
        *,
        table: str | None = None,
        column: str | None = None,
        side: Side = "new",
        anchor: str | None = None,
    ) -> None:
        """`doc_path` is in the file of `side`; `anchor`, for a removal, is the new file's
        nearest place (the table that lost a column)."""
        if kind not in KIND_CLASS:
            raise KeyError(f"unknown change kind {kind!r}")
        where = self.new if side == "new" else self.old
        self.changes.append(
            Change(
                kind=kind,
                contract_id=self.contract_id,
                table=table,
                column=column,
                doc_path=doc_path,
                file=where.file,
                line=where.line(doc_path),
                side=side,
                message=message,
                anchor_line=self.new.line(anchor) if anchor is not None else None,
            )
        )
