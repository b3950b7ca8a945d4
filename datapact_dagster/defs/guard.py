"""The launch guard: a table step refuses to build downstream of an open contract breaker."""

import dagster as dg

from datapact_dagster.breaker.guard import breach_details, refusal_message
from datapact_dagster.breaker.override import OVERRIDE_TAG, override_reason
from datapact_dagster.breaker.project_breakers import read_project_breakers
from datapact_dagster.defs.project import TablePlan, load_project
from datapact_dagster.evidence.store import EvidenceStore


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
                "held_by": dg.MetadataValue.json(breach_details(breached)),
                "override_tag": OVERRIDE_TAG,
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
    url = context.resources.datapact.evidence_url
    if not url:
        context.log.warning("No evidence store configured: the override is only in the run log.")
        return
    store = EvidenceStore(url)
    try:
        store.append_decision(
            "override",
            contract_id=plan.contract.id,
            contract_version=plan.contract.version,
            contract_hash=plan.contract.content_hash,
            run_id=context.run.run_id,
            asset_key="/".join(plan.table.asset_key),
            details={"reason": reason, "breached": breached, "summary": f"override: {reason}"},
        )
    finally:
        store.close()
