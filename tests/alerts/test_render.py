from __future__ import annotations

import json
from dataclasses import replace

import pytest

from datapact_dagster.alerts import AlertKind, CheckSummary, render
from tests.alerts.support import BREACH_CHECK, make_event


def test_breach_mail_says_what_broke_since_when_and_what_to_do() -> None:
    subject, text, _ = render(make_event())

    assert subject == "[DataPact] BREACH commerce.orders 1.3.0: silver/orders, 1 check failing"
    assert BREACH_CHECK.key in text
    assert BREACH_CHECK.summary in text
    assert "(3 failing rows)" in text
    assert "NOT published" in text
    assert "Since: 2025-03-04 07:25:00 UTC (for 2h 5m)" in text
    assert "Downstream held: gold/daily_revenue" in text
    assert "Run: run-1" in text
    assert "Episode: commerce.orders:silver/orders:run-1" in text
    assert "What to do:" in text
    assert "quarantined rows" in text


def test_slack_message_has_fallback_text_and_blocks_with_the_check() -> None:
    event = make_event(
        checks=(CheckSummary("orders__sql__refunds", "2 rows where net_amount < 0 & not refunded"),)
    )
    slack = render(event).slack

    assert slack["text"].startswith("[DataPact] BREACH commerce.orders")
    assert slack["blocks"][0]["type"] == "header"
    assert len(slack["blocks"][0]["text"]["text"]) <= 150
    body = json.dumps(slack["blocks"])
    assert "orders__sql__refunds" in body
    assert "net_amount &lt; 0 &amp; not refunded" in body


def test_link_becomes_a_button() -> None:
    event = replace(make_event(), link="http://localhost:3000/runs/run-1")
    _, text, slack = render(event)

    assert "Open: http://localhost:3000/runs/run-1" in text
    assert slack["blocks"][-1]["elements"][0]["url"] == "http://localhost:3000/runs/run-1"


def test_recovery_names_the_episode_and_released_downstream() -> None:
    subject, text, _ = render(make_event(kind=AlertKind.recovery))

    assert "RECOVERED" in subject
    assert "passes contract commerce.orders 1.3.0 again" in text
    assert "Was breached since: 2025-03-04 07:25:00 UTC" in text
    assert "Downstream released: gold/daily_revenue" in text


def test_long_check_lists_are_cut_for_slack() -> None:
    checks = tuple(CheckSummary(f"orders__c{i}__unique", "x" * 200) for i in range(40))
    _, text, slack = render(make_event(checks=checks))

    assert "... and 20 more" in text
    assert all(len(block.get("text", {}).get("text", "")) <= 3000 for block in slack["blocks"])


@pytest.mark.parametrize("kind", list(AlertKind))
def test_every_kind_renders(kind: AlertKind) -> None:
    subject, text, slack = render(make_event(kind=kind))

    assert subject.startswith("[DataPact] ")
    assert "commerce.orders" in text
    assert slack["blocks"]
