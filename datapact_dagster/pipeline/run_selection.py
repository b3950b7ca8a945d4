"""Which tables a `datapact run` / `datapact check` launches, by their contracts' statuses.

A retired contract's tables are never built or checked (the jobs do not select them). A draft's
table is checked by any check run, but built only when `--select` selects it: a plain
`datapact run`, like a schedule, leaves it out. The run summary names every table left out and
why, as an outcome of its own.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from datapact_dagster.breaker.graph import format_keys
from datapact_dagster.breaker.state import AssetPath
from datapact_dagster.errors import UserError
from datapact_dagster.pipeline.job_runner import TableSummary
from datapact_dagster.pipeline.run_status import TableRunStatus
from datapact_dagster.plan.project import TablePlan


@dataclass(frozen=True)
class LaunchTables:
    launched: tuple[AssetPath, ...]
    """The tables the run builds (or checks)."""
    whole_job: bool
    """True: nothing is left out of the job, so the run is launched without a selection."""
    left_out: list[TableSummary] = field(default_factory=list)


def launch_tables(
    plans: Sequence[TablePlan],
    selected: Collection[AssetPath] | None,
    *,
    checks_only: bool,
    selection_text: str | None = None,
) -> LaunchTables:
    """`selected`: what --select resolved to among every table of the project (None: no
    --select). Raises UserError (exit 2) when it selects only retired tables."""
    chosen = [p for p in plans if selected is None or p.table.asset_key in selected]
    retired = [p for p in chosen if p.contract.retired]
    drafts = [
        p for p in chosen if p.contract.status == "draft" and selected is None and not checks_only
    ]
    if retired and len(retired) == len(chosen):
        keys = [p.table.asset_key for p in retired]
        raise UserError(
            f"--select {selection_text!r} selects only retired tables ({format_keys(keys)}): a "
            "retired contract's tables are no longer built or checked, and their last published "
            "data stays in place. To build one again, set its contract's status back to active."
        )
    left = {p.table.asset_key for p in (*retired, *drafts)}
    return LaunchTables(
        launched=tuple(p.table.asset_key for p in chosen if p.table.asset_key not in left),
        whole_job=selected is None and not drafts,
        left_out=[_left_out(p) for p in (*retired, *drafts)],
    )


def _left_out(plan: TablePlan) -> TableSummary:
    path = "/".join(plan.table.asset_key)
    if plan.contract.retired:
        return TableSummary(
            path,
            status=TableRunStatus.RETIRED,
            message=(
                f"contract {plan.contract.id} is retired: not built or checked; its last "
                "published data stays in place"
            ),
        )
    return TableSummary(
        path,
        status=TableRunStatus.DRAFT,
        message=(
            f"contract {plan.contract.id} is a draft, built only on request: "
            f"datapact run --select key:{path}"
        ),
    )
