"""The launch guard: a table step refuses to build downstream of an open contract breaker."""

import dagster as dg

from datapact_dagster import metadata_keys as mk
from datapact_dagster.breaker.guard import breach_details, refusal_message
from datapact_dagster.breaker.override import OVERRIDE_TAG, override_reason
from datapact_dagster.breaker.project_breakers import read_project_breakers
from datapact_dagster.evidence.model import Decision
from datapact_dagster.pipeline.evidence_sink import evidence_writer_for
from datapact_dagster.plan.project import TablePlan, load_project


def refuse_if_upstream_breached(context: dg.AssetExecutionContext, plan: TablePlan) -> None:
    """Raise dg.Failure before any work when an upstream contract table is breached.

    Reads the latest evaluations at step start, so an upstream table rebuilt and passing
    earlier in the same run no longer counts as breached. A run tagged with an override reason
    proceeds; the override is logged and recorded as evidence.
    """
    breakers = read_project_breakers(context.instance, load_project())
    breached = breakers.breached_upstream_of(plan.table.asset_key)
    if not breached:
        return
    asset_path = "/".join(plan.table.asset_key)
    reason = override_reason(context.run.tags)
    if reason is None:
        raise dg.Failure(
            description=refusal_message(asset_path, breached),
            metadata={
                mk.HELD_BY: dg.MetadataValue.json(breach_details(breached)),
                mk.OVERRIDE_TAG: OVERRIDE_TAG,
            },
            allow_retries=False,
        )
    context.log.warning(
        f"Override ({OVERRIDE_TAG}={reason!r}): building {asset_path} although "
        + "; ".join(b.contract_id for b in breached)
        + " is breached.\n"
        + refusal_message(asset_path, breached)
    )
    _record_override(context, plan, reason, breach_details(breached))


def _record_override(
    context: dg.AssetExecutionContext,
    plan: TablePlan,
    reason: str,
    breached: list[dict[str, object]],
) -> None:
    writer = evidence_writer_for(context.resources.datapact.evidence_url)
    if writer is None:
        context.log.warning("No evidence store configured: the override is only in the run log.")
        return
    writer.record_decision(
        plan,
        Decision.OVERRIDE,
        context.run.run_id,
        {"reason": reason, "breached": breached, "summary": f"override: {reason}"},
    )
