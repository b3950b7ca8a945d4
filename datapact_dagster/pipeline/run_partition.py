"""The partition a run launched without one builds: the one in progress for its tables' grain.

Dagster runs a partitioned asset only for a partition, so every launch DataPact makes (the
command, the schedule, the breaker's recovery runs) that includes a partitioned table names one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from datapact_dagster.plan.project import TablePlan
from datapact_dagster.warehouse.partitions import current_partition_key

AssetPath = tuple[str, ...]


def partition_now(
    plans: Sequence[TablePlan], tables: Iterable[AssetPath], now: datetime | None = None
) -> str | None:
    """The partition in progress for the partitioned tables among `tables` (None: none is)."""
    wanted = set(tables)
    grains = sorted(
        {
            p.table.partitioning.grain
            for p in plans
            if p.table.partitioning is not None and p.table.asset_key in wanted
        }
    )
    # one grain per project: a Dagster job holds assets of one partitions definition
    return current_partition_key(grains[-1], now) if grains else None
