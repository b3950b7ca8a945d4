"""The events a table step leaves for people in the UI: held, quarantined, checked, in words.

A held or quarantined table is not a failed step: the step ends and says what happened on the
asset (an observation with the reason and the evidence) and on the run (a log line and a run
tag shown in the run list).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import dagster as dg

from datapact_dagster import metadata_keys as mk
from datapact_dagster.breaker.graph import layer_order
from datapact_dagster.breaker.guard import breach_details
from datapact_dagster.breaker.override import OVERRIDE_TAG
from datapact_dagster.breaker.read import Breakers
from datapact_dagster.breaker.state import Health, TableBreaker
from datapact_dagster.checks.result import CheckResult
from datapact_dagster.contract.lifecycle import lifecycle_note
from datapact_dagster.defs.in_force import breach_words, held_in_force
from datapact_dagster.pipeline.evidence_sink import report_url
from datapact_dagster.pipeline.run_status import TableRunStatus
from datapact_dagster.plan.project import TablePlan

MAX_TAG_VALUE = 4000


def report_metadata(report: Path | None) -> dict[str, dg.MetadataValue]:
    """The HTML report's path, and its URL when a report location is configured."""
    if report is None:
        return {}
    meta: dict[str, dg.MetadataValue] = {mk.EVIDENCE_REPORT: dg.MetadataValue.path(str(report))}
    url = report_url(report)
    if url:
        meta[mk.EVIDENCE_REPORT_URL] = dg.MetadataValue.url(url)
    return meta


def evidence_metadata(markdown: str | None, report: Path | None) -> dict[str, dg.MetadataValue]:
    meta = report_metadata(report)
    if markdown:
        meta[mk.EVIDENCE_SUMMARY] = dg.MetadataValue.md(markdown)
    return meta


def held_observation(
    key: dg.AssetKey, breached: Sequence[TableBreaker], run_id: str, message: str | None = None
) -> dg.AssetObservation:
    """`key` is held (not built in run `run_id`) because of the `breached` tables upstream."""
    reason = "; ".join(breach_words(b) for b in breached)
    return dg.AssetObservation(
        asset_key=key,
        description=message or f"Held in run {run_id}, not built: upstream {reason}.",
        metadata={
            mk.HEALTH: dg.MetadataValue.text(Health.held.value),
            mk.HELD_REASON: dg.MetadataValue.text(f"upstream {reason}"),
            mk.HELD_BY: dg.MetadataValue.json(breach_details(breached)),
            mk.OVERRIDE_TAG: dg.MetadataValue.text(
                f"build anyway with the run tag {OVERRIDE_TAG}=<reason>"
            ),
        },
    )


def approval_observation(
    key: dg.AssetKey, own: bool, reason: str, message: str
) -> dg.AssetObservation:
    """`key` is not built: its contract version (`own`) or an upstream one awaits approval."""
    health = Health.awaiting_approval if own else Health.held
    return dg.AssetObservation(
        asset_key=key,
        description=message,
        metadata={
            mk.HEALTH: dg.MetadataValue.text(health.value),
            mk.HELD_REASON: dg.MetadataValue.text(reason),
            mk.AWAITING_APPROVAL: dg.MetadataValue.text(reason),
        },
    )


def quarantine_observation(
    key: dg.AssetKey,
    *,
    description: str,
    failures: Sequence[CheckResult],
    relation: str | None,
    rows: int,
    evidence: dict[str, dg.MetadataValue],
) -> dg.AssetObservation:
    return dg.AssetObservation(
        asset_key=key,
        description=description,
        metadata={
            mk.HEALTH: dg.MetadataValue.text(Health.breached.value),
            mk.FAILED_CHECKS: dg.MetadataValue.md(
                "\n".join(f"- `{r.key}`: {r.summary}" for r in failures)
            ),
            mk.QUARANTINE_TABLE: dg.MetadataValue.text(relation or ""),
            mk.ROWS_REJECTED: dg.MetadataValue.int(rows),
            **evidence,
        },
    )


def downstream_held(
    breakers: Breakers, breaker: TableBreaker, run_id: str, plans: Sequence[TablePlan]
) -> Iterator[dg.AssetObservation | dg.AssetCheckEvaluation]:
    """Every table below a breached one is held (their steps do not run): an observation with
    the reason, and their breaker check failing with it."""
    by_path = {p.table.asset_key: p for p in plans}
    for path in sorted(breakers.held_by(breaker), key=layer_order):
        yield held_observation(dg.AssetKey(list(path)), [breaker], run_id)
        if path in by_path:
            yield held_in_force(by_path[path], breakers, run_id)


def tag_run(context: dg.AssetExecutionContext, tag: str, paths: Sequence[str]) -> None:
    """Add `paths` to the run tag `tag` (a comma-separated list), visible in the run list."""
    run = context.instance.get_run_by_id(context.run.run_id)
    existing = (run.tags.get(tag, "") if run is not None else "").split(",")
    values = sorted({p for p in [*existing, *paths] if p})
    context.instance.add_run_tags(context.run.run_id, {tag: ",".join(values)[:MAX_TAG_VALUE]})


def held_paths(breakers: Breakers, breaker: TableBreaker) -> list[str]:
    return ["/".join(k) for k in sorted(breakers.held_by(breaker), key=layer_order)]


def lifecycle_skip(
    context: dg.AssetExecutionContext, plan: TablePlan
) -> dg.AssetObservation | None:
    """The observation a step leaves instead of building or checking, when its contract's status
    says so: a retired table never; a draft's table is built only by a run that selects assets
    (a plain launch of the whole job leaves drafts out, as `datapact run` without --select
    does), and checked whenever asked."""
    contract = plan.contract
    path = "/".join(plan.table.asset_key)
    building = dg.AssetKey(list(plan.table.asset_key)) in context.selected_asset_keys
    if contract.retired:
        outcome = TableRunStatus.RETIRED
        health: dict[str, dg.MetadataValue] = {mk.HEALTH: dg.MetadataValue.text(Health.retired)}
        why = f"{path} is not built or checked: contract {contract.id} is retired"
    elif contract.status == "draft" and building and context.run.asset_selection is None:
        outcome, health = TableRunStatus.DRAFT, {}
        why = (
            f"{path} is not built: contract {contract.id} is a draft, built only when a run "
            f"selects it (datapact run --select key:{path})"
        )
    else:
        return None
    context.log.warning(why)
    return dg.AssetObservation(
        asset_key=dg.AssetKey(list(plan.table.asset_key)),
        description=why,
        metadata={
            **health,
            mk.NOT_BUILT: dg.MetadataValue.text(outcome.value),
            mk.LIFECYCLE: dg.MetadataValue.text(lifecycle_note(contract) or contract.status),
        },
    )
