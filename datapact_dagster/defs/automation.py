"""Declarative automation: build on the contract's cron, never below a breached contract.

"Breached" is DataPact's breaker state, the one the launch guard, the breaker sensor and
`datapact status` read. Dagster's own check-state conditions (`all_deps_blocking_checks_passed`,
`any_checks_match(check_failed())`) would disagree with it in two ways: they look one level up
only, and a check-only run that re-validates the still-published table after a failed build
marks the check passed, while the rejected data is still unpublished and the guard still
refuses. A condition on that state would request runs the guard then refuses.
"""

from __future__ import annotations

import threading
import warnings
from datetime import datetime
from typing import TYPE_CHECKING

import dagster as dg

from datapact_dagster.breaker.cadence import DEFAULT_BUILD_CRON
from datapact_dagster.contract.model import Contract

if TYPE_CHECKING:
    from datapact_dagster.breaker.read import Breakers

AC = dg.AutomationCondition
_read_lock = threading.Lock()
_last_read: dict[tuple[int, datetime], Breakers] = {}


class UpstreamContractBreached(AC[dg.AssetKey]):
    """True for a table while a contract table anywhere up its chain is breached."""

    @property
    def name(self) -> str:
        return "upstream_contract_breached"

    @property
    def description(self) -> str:
        return "a contract table up the chain is breached (DataPact's breaker holds this table)"

    def evaluate(self, context: dg.AutomationContext[dg.AssetKey]) -> dg.AutomationResult:
        breakers = _breakers(context.asset_graph_view.instance, context.evaluation_time)
        held = breakers.breached_upstream_of(tuple(context.key.path))
        subset = context.candidate_subset if held else context.get_empty_subset()
        return dg.AutomationResult(context=context, true_subset=subset)


def _breakers(instance: dg.DagsterInstance, evaluation_time: datetime) -> Breakers:
    """The breakers as of this evaluation, read once for all the tables it evaluates."""
    # imported here: the project module builds the asset specs, which import this module
    from datapact_dagster.breaker.project_breakers import read_project_breakers
    from datapact_dagster.plan.project import load_project

    key = (id(instance), evaluation_time)
    with _read_lock:
        if key not in _last_read:
            _last_read.clear()
            _last_read[key] = read_project_breakers(instance, load_project())
        return _last_read[key]


def build_condition(contract: Contract) -> dg.AutomationCondition:
    cron = contract.schedule or DEFAULT_BUILD_CRON
    return (AC.on_cron(cron) & ~UpstreamContractBreached()).with_label(
        f"on cron '{cron}' unless an upstream contract is breached"
    )


# The breaker condition is Python, so the sensor evaluates in the code server (Dagster's
# `use_user_code_server`, in beta: its warning is expected), where the contracts are loaded.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)
    contract_automation_sensor = dg.AutomationConditionSensorDefinition(
        "contract_automation_sensor",
        target=dg.AssetSelection.all(),
        default_status=dg.DefaultSensorStatus.STOPPED,
        use_user_code_server=True,
        description=(
            "Declarative alternative to contract_pipeline_schedule: builds each table on its "
            "contract's cron once its inputs are fresh, never below a breached contract. Off "
            "by default; turn on either this or the schedule."
        ),
    )
