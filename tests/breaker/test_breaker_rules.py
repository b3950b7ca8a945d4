"""The breaker's pure rules: state from evaluations, graph walks, cursor, transitions, cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from datapact_dagster.alerts import AlertKind
from datapact_dagster.breaker.cadence import (
    DEFAULT_BUILD_CRON,
    DEFAULT_CHECK_CRON,
    build_cadences,
    check_cadences,
    schedule_name,
)
from datapact_dagster.breaker.cursor import BreakerCursor, TableMemory
from datapact_dagster.breaker.graph import TableGraph
from datapact_dagster.breaker.override import (
    OVERRIDE_BY_TAG,
    OVERRIDE_TAG,
    override_reason,
    override_tags,
)
from datapact_dagster.breaker.read import Breakers
from datapact_dagster.breaker.recovery import recovery_run_key, tables_to_rebuild
from datapact_dagster.breaker.state import (
    BreakerState,
    CheckHistory,
    Evaluation,
    current_failure,
    table_breaker,
)
from datapact_dagster.breaker.transitions import alert_kind_for, compare
from datapact_dagster.commands.base import UserError
from tests.alerts.support import make_contract

T0 = datetime(2026, 1, 1, tzinfo=UTC)
RAW = ("bronze", "raw_orders")
ORDERS = ("silver", "orders")
REVENUE = ("gold", "daily_revenue")
CUSTOMERS = ("bronze", "raw_customers")
GRAPH = TableGraph(
    {
        RAW: frozenset({CUSTOMERS}),
        ORDERS: frozenset({RAW}),
        REVENUE: frozenset({ORDERS}),
        CUSTOMERS: frozenset(),
    }
)


def ev(minute: int, passed: bool, run: str | None = None, by_build: bool = True) -> Evaluation:
    return Evaluation(
        passed=passed,
        run_id=run or f"run-{minute}",
        at=T0 + timedelta(minutes=minute),
        summary="ok" if passed else "3 dupes",
        by_build=by_build,
    )


def history(
    *evaluations: Evaluation,
    key: str = "raw_orders__order_id__unique",
    kind: str = "unique",
    blocking: bool = True,
    rechecking: bool = False,
) -> CheckHistory:
    ordered = tuple(sorted(evaluations, key=lambda e: e.at, reverse=True))
    return CheckHistory(
        key=key,
        kind=kind,
        severity="error" if blocking else "warning",
        blocking=blocking,
        evaluations=ordered,
        rechecking=rechecking,
    )


def breaker(*histories: CheckHistory, key: tuple[str, str] = RAW):
    return table_breaker(key, "commerce.raw_orders", "2.0.1", histories)


def test_no_evaluation_is_never_run() -> None:
    assert breaker(history()).state is BreakerState.never_run


def test_latest_failure_opens_and_the_episode_starts_at_the_first_failure() -> None:
    b = breaker(history(ev(1, True), ev(2, False), ev(3, False)))
    assert b.state is BreakerState.open
    assert b.since == T0 + timedelta(minutes=2)
    assert b.opened_by is not None and b.opened_by.opened_by_run == "run-2"
    assert b.blocking_failures[0].run_id == "run-3"


def test_a_later_pass_closes() -> None:
    assert breaker(history(ev(1, False), ev(2, True))).state is BreakerState.closed


def test_a_check_only_pass_does_not_close_a_failed_build() -> None:
    failed_build = history(ev(1, False), ev(2, True, by_build=False))
    assert breaker(failed_build).state is BreakerState.open
    assert current_failure(failed_build) is not None


def test_a_check_only_failure_opens_and_a_check_only_pass_closes_it() -> None:
    assert breaker(history(ev(1, True), ev(2, False, by_build=False))).state is BreakerState.open
    assert (
        breaker(
            history(ev(1, True), ev(2, False, by_build=False), ev(3, True, by_build=False))
        ).state
        is BreakerState.closed
    )


def test_non_blocking_failures_do_not_open_but_are_reported() -> None:
    b = breaker(history(ev(1, True)), history(ev(1, False), key="w", blocking=False))
    assert b.state is BreakerState.closed
    assert [f.key for f in b.failing] == ["w"]
    assert b.health == "healthy"


def test_a_running_recheck_makes_an_open_breaker_half_open() -> None:
    b = breaker(history(ev(1, False), rechecking=True))
    assert b.state is BreakerState.half_open
    assert b.state.holds_downstream


def test_health_names_stale_for_freshness_and_breached_otherwise() -> None:
    stale = breaker(history(ev(1, False), key="f", kind="freshness"), history(ev(1, True)))
    assert (stale.state, stale.health) == (BreakerState.open, "stale")
    both = breaker(history(ev(1, False), key="f", kind="freshness"), history(ev(1, False)))
    assert both.health == "breached"


def test_alert_kind_follows_the_failing_checks() -> None:
    assert alert_kind_for(breaker(history(ev(1, False)))) is AlertKind.breach
    schema = history(ev(1, False), key="s", kind="schema")
    assert alert_kind_for(breaker(schema, history(ev(1, False)))) is AlertKind.schema_drift
    fresh = history(ev(1, False), key="f", kind="freshness")
    assert alert_kind_for(breaker(fresh)) is AlertKind.freshness_miss


def test_graph_walks_the_whole_chain() -> None:
    assert GRAPH.descendants([CUSTOMERS]) == {RAW, ORDERS, REVENUE}
    assert GRAPH.ancestors(REVENUE) == {ORDERS, RAW, CUSTOMERS}
    assert GRAPH.descendants([REVENUE]) == frozenset()


def _breakers(**states: bool) -> Breakers:
    """Breakers where RAW (and optionally CUSTOMERS) is open or closed."""
    by_table = {}
    for key in (CUSTOMERS, RAW, ORDERS, REVENUE):
        failing = states.get("/".join(key).replace("/", "_"), False)
        by_table[key] = breaker(history(ev(5, not failing, run="run-5")), key=key)
    return Breakers(by_table=by_table, graph=GRAPH)


def test_held_and_breached_upstream() -> None:
    breakers = _breakers(bronze_raw_orders=True)
    assert breakers.held == {ORDERS, REVENUE}
    assert [b.asset_key for b in breakers.breached_upstream_of(REVENUE)] == [RAW]
    assert breakers.breached_upstream_of(RAW) == []
    assert "holding silver/orders, gold/daily_revenue (commerce.raw_orders" in (
        breakers.hold_summary()
    )
    assert "raw_orders__order_id__unique in run run-5" in breakers.hold_summary()


def test_cursor_round_trips_and_survives_garbage() -> None:
    cursor = BreakerCursor(
        {"bronze/raw_orders": TableMemory("open", "ep", "breach", "t")},
        {"commerce.raw_orders": "2.0.1"},
    )
    assert BreakerCursor.from_json(cursor.to_json()) == cursor
    assert BreakerCursor.from_json("not json") == BreakerCursor()
    assert BreakerCursor.from_json(None) == BreakerCursor()


def test_transitions_open_once_close_once() -> None:
    opened = compare(_breakers(bronze_raw_orders=True), BreakerCursor(), lambda _: True)
    assert [(o.breaker.asset_key, o.new) for o in opened.opened] == [(RAW, True)]
    episode = opened.opened[0].episode
    assert episode.endswith(":run-5")

    again = compare(_breakers(bronze_raw_orders=True), opened.cursor, lambda _: True)
    assert [(o.episode, o.new) for o in again.opened] == [(episode, False)]
    assert again.closed == []

    closing = compare(_breakers(), again.cursor, lambda _: True)
    assert [(c.breaker.asset_key, c.episode) for c in closing.closed] == [(RAW, episode)]
    assert compare(_breakers(), closing.cursor, lambda _: True).closed == []


def test_a_close_waits_for_its_run_to_finish() -> None:
    opened = compare(_breakers(bronze_raw_orders=True), BreakerCursor(), lambda _: True).cursor
    waiting = compare(_breakers(), opened, lambda _: False)
    assert waiting.closed == [] and waiting.waiting == ["bronze/raw_orders"]
    assert compare(_breakers(), waiting.cursor, lambda _: True).closed


def test_a_new_contract_version_is_announced_once() -> None:
    seen = BreakerCursor(versions={"commerce.raw_orders": "1.9.0"})
    changes = compare(_breakers(), seen, lambda _: True)
    assert [(v.breaker.contract_id, v.previous_version) for v in changes.versions] == [
        ("commerce.raw_orders", "1.9.0")
    ]
    assert compare(_breakers(), changes.cursor, lambda _: True).versions == []


def test_recovery_rebuilds_only_tables_not_rebuilt_since_and_not_still_held() -> None:
    breakers = _breakers()
    recovered = breakers.by_table[RAW]
    old, new = T0, T0 + timedelta(hours=1)
    assert tables_to_rebuild(breakers, [recovered], {ORDERS: old, REVENUE: None}) == [
        ORDERS,
        REVENUE,
    ]
    assert tables_to_rebuild(breakers, [recovered], {ORDERS: new, REVENUE: new}) == []
    still_held = _breakers(bronze_raw_customers=True)
    assert tables_to_rebuild(still_held, [recovered], {ORDERS: old, REVENUE: old}) == []
    assert recovery_run_key(["b", "a"]) == recovery_run_key(["a", "b"])


def test_override_tags() -> None:
    assert override_tags(None) == {}
    assert override_tags("  finance signed off  ", "ada@example.com") == {
        OVERRIDE_TAG: "finance signed off",
        OVERRIDE_BY_TAG: "ada@example.com",
    }
    assert override_reason({OVERRIDE_TAG: "x"}) == "x"
    assert override_reason({OVERRIDE_TAG: " "}) is None
    with pytest.raises(UserError):
        override_tags("   ", "ada@example.com")
    with pytest.raises(UserError, match="DATAPACT_USER"):
        override_tags("finance signed off", None)


def test_cadences_from_contracts() -> None:
    plain = make_contract(contract_id="a")
    hourly = make_contract(contract_id="b").model_copy(
        update={"schedule": "0 * * * *", "check_schedule": "*/15 * * * *"}
    )
    builds = build_cadences([plain, hourly])
    assert [c.cron for c in builds] == sorted(["0 * * * *", DEFAULT_BUILD_CRON])
    assert schedule_name("contract_pipeline_schedule", builds[0], builds) == (
        "contract_pipeline_schedule_0_x_x_x_x"
    )
    checks = check_cadences([plain])
    assert [c.cron for c in checks] == [DEFAULT_CHECK_CRON]
    assert schedule_name("contract_checks_schedule", checks[0], checks) == (
        "contract_checks_schedule"
    )
