"""A partitioned contract table's Dagster partitions: one per day or hour from its start.

The partition in progress (today, this hour) is included, so a run can build the newest data.
"""

from __future__ import annotations

import dagster as dg

from datapact_dagster.contract.model import Table


def partitions_def_for(table: Table) -> dg.TimeWindowPartitionsDefinition | None:
    partitioning = table.partitioning
    if partitioning is None:
        return None
    if partitioning.grain == "hourly":
        return dg.HourlyPartitionsDefinition(
            start_date=partitioning.start.strftime("%Y-%m-%d-%H:%M"), end_offset=1
        )
    return dg.DailyPartitionsDefinition(
        start_date=partitioning.start.strftime("%Y-%m-%d"), end_offset=1
    )
