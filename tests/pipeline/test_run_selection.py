"""Which tables a launch builds or checks, by status: drafts only when selected, retired never."""

from __future__ import annotations

from pathlib import Path

import pytest

from datapact_dagster.errors import EXIT_INVALID, UserError
from datapact_dagster.pipeline.run_selection import launch_tables
from datapact_dagster.pipeline.run_status import TableRunStatus
from datapact_dagster.plan.loading import require_contracts
from datapact_dagster.plan.project import TablePlan, plan_project
from datapact_dagster.settings import Settings

LIFECYCLE = Path(__file__).resolve().parents[1] / "fixtures" / "lifecycle"
DRAFT = ("bronze", "orders")
RETIRED = ("bronze", "legacy_orders")
ACTIVE = ("bronze", "customers")


@pytest.fixture(scope="module")
def plans() -> tuple[TablePlan, ...]:
    return plan_project(Settings.from_env(LIFECYCLE), require_contracts(LIFECYCLE)).plans


def _left_out(launch) -> dict[str, TableRunStatus]:
    return {s.asset: s.status for s in launch.left_out}


def test_a_plain_run_leaves_drafts_and_retired_tables_out(plans: tuple[TablePlan, ...]) -> None:
    launch = launch_tables(plans, None, checks_only=False)

    assert DRAFT not in launch.launched and RETIRED not in launch.launched
    assert ACTIVE in launch.launched and ("silver", "customer_emails") in launch.launched
    assert not launch.whole_job
    assert _left_out(launch) == {
        "bronze/orders": TableRunStatus.DRAFT,
        "bronze/legacy_orders": TableRunStatus.RETIRED,
    }
    draft = next(s for s in launch.left_out if s.status is TableRunStatus.DRAFT)
    assert draft.message and "--select key:bronze/orders" in draft.message


def test_a_selection_builds_the_drafts_it_selects(plans: tuple[TablePlan, ...]) -> None:
    launch = launch_tables(plans, {DRAFT, ACTIVE}, checks_only=False)

    assert set(launch.launched) == {DRAFT, ACTIVE} and launch.left_out == []


def test_a_check_run_checks_drafts_but_not_retired_tables(plans: tuple[TablePlan, ...]) -> None:
    launch = launch_tables(plans, None, checks_only=True)

    assert DRAFT in launch.launched and launch.whole_job
    assert _left_out(launch) == {"bronze/legacy_orders": TableRunStatus.RETIRED}


def test_selecting_only_retired_tables_is_refused(plans: tuple[TablePlan, ...]) -> None:
    with pytest.raises(UserError) as refused:
        launch_tables(plans, {RETIRED}, checks_only=True, selection_text="key:bronze/legacy*")

    assert refused.value.exit_code == EXIT_INVALID
    assert "selects only retired tables (bronze/legacy_orders)" in str(refused.value)
    assert "set its contract's status back to active" in str(refused.value)


def test_a_selection_with_a_retired_table_among_others_names_it(
    plans: tuple[TablePlan, ...],
) -> None:
    launch = launch_tables(plans, {RETIRED, ACTIVE}, checks_only=False)

    assert launch.launched == (ACTIVE,)
    assert _left_out(launch) == {"bronze/legacy_orders": TableRunStatus.RETIRED}
