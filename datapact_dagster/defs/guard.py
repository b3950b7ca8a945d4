"""The launch guard: a table step refuses to build downstream of an open contract breaker."""

from dataclasses import dataclass

import dagster as dg

from datapact_dagster.breaker.guard import breach_details, refusal_message
from datapact_dagster.breaker.override import OVERRIDE_TAG, override_reason
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
