"""Impact analysis through the `datapact impact` command, on the sample project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datapact_dagster.cli import main
from datapact_dagster.plan.graph import build_graph
from datapact_dagster.plan.impact import impact_of
from datapact_dagster.plan.loading import require_contracts


def _impact(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> dict:
    assert main(["--project", str(root), "impact", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_an_email_change_reaches_the_gold_column_and_exactly_its_consumer(
    capsys: pytest.CaptureFixture[str], project_root: Path
) -> None:
    found = _impact(capsys, project_root, "silver.customers.email")

    assert found["downstream"]["tables"] == ["gold.customer_profile"]
    assert found["downstream"]["columns"] == [
        {
            "column": "gold.customer_profile.email_domain",
            "how": "value",
            "via": "silver.customers.email",
        }
    ]
    assert [c["check"] for c in found["checks"]] == [
        "customers__email__not_null",
        "customers__email__unique",
        "customers__email__email_lower_case",
        "customer_profile__email_domain__not_null",
        "customer_profile__email_domain__pattern",
    ]
    # growth reads silver.customers but not its e-mail; crm-campaigns reads the profile but
    # not email_domain: neither is named
    assert found["consumers"] == [
        {
            "team": "deliverability",
            "contact": "deliverability@example.com",
            "use_case": "Inbox placement by mail provider.",
            "contract": "commerce.customer_profile",
            "table": "gold.customer_profile",
            "columns": ["email_domain"],
            "whole_table": False,
        }
    ]
    assert found["upstream"]["columns"] == [
        "landing.customers.email",
        "bronze.raw_customers.email",
    ]


def test_a_join_key_reaches_every_column_of_the_tables_it_filters(
    capsys: pytest.CaptureFixture[str], project_root: Path
) -> None:
    found = _impact(capsys, project_root, "customers.customer_id")

    assert found["target"] == "silver.customers.customer_id"
    assert found["downstream"]["tables"] == ["gold.customer_profile", "silver.customer_events"]
    events = {c["column"]: c["how"] for c in found["downstream"]["columns"]}
    assert events["silver.customer_events.event_type"] == "rows"
    assert events["gold.customer_profile.customer_id"] == "value"
    checks = {c["check"] for c in found["checks"]}
    # a relationship pointing at the key is hit, though its table does not read customers' data
    assert "orders__customer_id__references_customers" in checks
    assert "customer_events__table__row_count" in checks
    teams = {(c["table"], c["team"]) for c in found["consumers"]}
    assert teams == {
        ("silver.customers", "growth"),
        ("gold.customer_profile", "crm-campaigns"),
        ("gold.customer_profile", "deliverability"),
    }


def test_a_table_target_covers_all_its_columns_and_consumers(project_root: Path) -> None:
    graph = build_graph(require_contracts(project_root))
    found = impact_of(graph, "silver.orders")

    assert found.downstream_tables == ("gold.customer_profile", "gold.daily_revenue")
    assert {c.team for c in found.consumers} == {
        "finance-analytics",
        "growth",
        "crm-campaigns",
        "deliverability",
        "finance",
    }
    assert found.upstream_tables[0] == "bronze.raw_orders"


def test_text_and_markdown_name_the_consumer_with_contact(
    capsys: pytest.CaptureFixture[str], project_root: Path
) -> None:
    assert main(["--project", str(project_root), "impact", "silver.customers.email"]) == 0
    text = capsys.readouterr().out
    assert "gold.customer_profile.email_domain  (computed from silver.customers.email)" in text
    assert "deliverability <deliverability@example.com>: email_domain of gold.customer_profile" in (
        text
    )
    args = ["--project", str(project_root), "impact", "silver.customers.email", "--format", "md"]
    assert main(args) == 0
    markdown = capsys.readouterr().out
    assert "| deliverability | deliverability@example.com | `gold.customer_profile` |" in markdown


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("customers.emial", "did you mean 'email'?"),
        ("nowhere.table", "no contract table named 'nowhere'"),
    ],
)
def test_an_unknown_target_is_exit_2_with_the_fix(
    capsys: pytest.CaptureFixture[str], project_root: Path, target: str, message: str
) -> None:
    assert main(["--project", str(project_root), "impact", target]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err
