"""Which partition `datapact run` builds: `--partition KEY`, else the one in progress now."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from datapact_dagster.commands.base import UserError
from datapact_dagster.plan.project import TablePlan
from datapact_dagster.warehouse.partitions import (
    KEY_FORMAT,
    PARTITION_TAG,
    current_partition_key,
    window_for,
)

__all__ = ["PARTITION_TAG", "choose_partition"]
SPELLING = {"daily": "YYYY-MM-DD", "hourly": "YYYY-MM-DD-HH:00"}


def choose_partition(
    text: str | None, plans: Sequence[TablePlan], now: datetime | None = None
) -> str | None:
    """The partition key the run builds, or None when no selected table is partitioned."""
    partitioned = [p.table for p in plans if p.table.partitioning is not None]
    if not partitioned:
        if text is not None:
            raise UserError(
                f"--partition {text}: none of the selected tables is partitioned",
            )
        return None
    grains = {t.partitioning.grain for t in partitioned if t.partitioning}
    if len(grains) > 1:
        raise UserError(
            "the selected tables are partitioned by different grains "
            f"({', '.join(sorted(grains))}); select the tables of one grain with --select"
        )
    grain = grains.pop()
    if text is None:
        return current_partition_key(grain, now)
    try:
        window = window_for(text, grain)
    except ValueError:
        raise UserError(
            f"--partition {text!r} is not a {grain} partition; write it as {SPELLING[grain]}"
        ) from None
    first = min(t.partitioning.start for t in partitioned if t.partitioning)
    latest = window_for(current_partition_key(grain, now), grain)
    if window.start < first or window.start > latest.start:
        raise UserError(
            f"--partition {text} is outside the partitions of "
            f"{', '.join(t.physical_name for t in partitioned)}: they run from "
            f"{first.strftime(KEY_FORMAT[grain])} to {latest.key} (the one in progress)"
        )
    return window.key
