"""The launch guard: a table step refuses to build downstream of an open contract breaker."""

from dataclasses import dataclass

import dagster as dg

from datapact_dagster.approvals.holds import ApprovalHold, approval_holds
from datapact_dagster.approvals.policy import PolicyError, load_policy
from datapact_dagster.breaker.guard import breach_details, refusal_message
from datapact_dagster.breaker.override import OVERRIDE_BY_TAG, OVERRIDE_TAG, override_reason
from datapact_dagster.breaker.project_breakers import read_project_breakers
from datapact_dagster.breaker.read import Breakers
from datapact_dagster.breaker.state import TableBreaker
from datapact_dagster.evidence.model import Decision
from datapact_dagster.pipeline.evidence_sink import evidence_writer_for
from datapact_dagster.plan.project import TablePlan, load_project


@dataclass(frozen=True)
class Hold:
    """Why a table step must not build: the breached tables upstream of it."""

    breakers: Breakers
    breached: list[TableBreaker]
    message: str
    """The guard's refusal, naming each breach and how to override it."""


def upstream_hold(context: dg.AssetExecutionContext, plan: TablePlan) -> Hold | None:
    """The hold on this table when an upstream contract table is breached, else None.

    Reads the latest evaluations at step start, so an upstream table rebuilt and passing
    earlier in the same run no longer counts as breached. A run tagged with an override reason
    proceeds (None); the override is logged and recorded as evidence.
    """
    breakers = read_project_breakers(context.instance, load_project())
    breached = breakers.breached_upstream_of(plan.table.asset_key)
    if not breached:
        return None
    asset_path = "/".join(plan.table.asset_key)
    reason = override_reason(context.run.tags)
    if reason is None:
        return Hold(breakers, breached, refusal_message(asset_path, breached))
    context.log.warning(
        f"Override ({OVERRIDE_TAG}={reason!r}): building {asset_path} although "
        + "; ".join(b.contract_id for b in breached)
        + " is breached.\n"
        + refusal_message(asset_path, breached)
    )
    _record_override(context, plan, reason, breach_details(breached))
    return None


def approval_hold(context: dg.AssetExecutionContext, plan: TablePlan) -> ApprovalHold | None:
    """Why this table must not be built under the approval policy (its contract version, or an
    upstream one, is not approved), else None. An override reason does not pass this gate."""
    project = load_project()
    root = project.settings.project_dir
    try:
        policy = load_policy(root)
    except PolicyError as invalid:
        raise dg.Failure(
            description=f"The approval policy is invalid:\n{invalid}", allow_retries=False
        ) from None
    if policy is None:
        return None
    writer = evidence_writer_for(context.resources.datapact.evidence_url)
    if writer is None:
        raise dg.Failure(
            description="An approval policy applies, but no evidence store is configured to "
            "hold the approvals.",
            allow_retries=False,
        )
    holds = approval_holds(project.graph, policy, writer.store, root)
    return holds.get(plan.table.physical_name)


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
    person = context.run.tags.get(OVERRIDE_BY_TAG) or "unknown (launched without datapact)"
    writer.record_decision(
        plan,
        Decision.OVERRIDE,
        context.run.run_id,
        {
            "reason": reason,
            "person": person,
            "breached": breached,
            "summary": f"override by {person}: {reason}",
        },
    )
