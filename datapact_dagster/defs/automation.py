"""Declarative automation: build on the contract's cron, never below a breached contract.

Dagster's `all_deps_blocking_checks_passed` looks one level up only; the condition here looks
all the way up the chain, so gold is not requested while a bronze contract is breached even
though the silver table between them still passes its own checks.
"""

import dagster as dg

from datapact_dagster.breaker.cadence import DEFAULT_BUILD_CRON
from datapact_dagster.contract.model import Contract

AC = dg.AutomationCondition


def upstream_contract_breached(depth: int) -> dg.AutomationCondition:
    """True when any table up to `depth` dependency levels above has a failed blocking check."""
    failed_here = AC.any_checks_match(AC.check_failed(), blocking_only=True)
    condition = AC.any_deps_match(failed_here)
    for _ in range(max(depth, 1) - 1):
        condition = AC.any_deps_match(failed_here | condition)
    return condition.with_label("an upstream contract is breached")


def build_condition(contract: Contract, depth: int) -> dg.AutomationCondition:
    cron = contract.schedule or DEFAULT_BUILD_CRON
    return (AC.on_cron(cron) & ~upstream_contract_breached(depth)).with_label(
        f"on cron '{cron}' unless an upstream contract is breached"
    )


contract_automation_sensor = dg.AutomationConditionSensorDefinition(
    "contract_automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Declarative alternative to contract_pipeline_schedule: builds each table on its "
        "contract's cron once its inputs are fresh, never below a breached contract. Off by "
        "default; turn on either this or the schedule."
    ),
)
