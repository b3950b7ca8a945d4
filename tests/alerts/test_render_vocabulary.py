"""Alerts name a table's state with the words `datapact status` and the UI use."""

from __future__ import annotations

import pytest

from datapact_dagster.alerts.events import AlertKind
from datapact_dagster.alerts.render import render, table_state
from datapact_dagster.breaker.state import Health
from tests.alerts.support import make_event


@pytest.mark.parametrize(
    ("kind", "state"),
    [
        (AlertKind.breach, Health.breached),
        (AlertKind.recovery, Health.healthy),
        (AlertKind.freshness_miss, Health.stale),
    ],
)
def test_an_alert_states_the_table_state_in_the_one_vocabulary(
    kind: AlertKind, state: Health
) -> None:
    assert table_state(kind) == state.value
    _, text, _ = render(make_event(kind=kind))
    assert f"State: {state.value}\n" in text
    assert f"silver/orders is {state.value}" in text


def test_every_state_an_alert_names_is_a_health_word() -> None:
    words = {table_state(kind) for kind in AlertKind} - {None}
    assert words <= {h.value for h in Health}
