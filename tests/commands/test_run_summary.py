"""The run summary keeps outcomes (what the run did) apart from states (the `Health` words)."""

from __future__ import annotations

import json

from datapact_dagster.breaker.state import Health
from datapact_dagster.commands.run_summary import render_json, render_text, table_documents
from datapact_dagster.pipeline.job_runner import TableSummary
from datapact_dagster.pipeline.run_status import TableRunStatus


def test_each_outcome_implies_a_state_word_or_none() -> None:
    implied = {status: status.health for status in TableRunStatus}

    assert implied[TableRunStatus.PUBLISHED] is Health.healthy
    assert implied[TableRunStatus.QUARANTINED] is Health.breached
    assert implied[TableRunStatus.HELD] is Health.held
    assert implied[TableRunStatus.REFUSED] is Health.held
    assert implied[TableRunStatus.RETIRED] is Health.retired
    for status in (
        TableRunStatus.ERROR,
        TableRunStatus.CHECKED,
        TableRunStatus.NOT_RUN,
        TableRunStatus.DRAFT,
    ):
        assert implied[status] is None


def test_the_state_after_the_run_wins_over_the_outcome() -> None:
    summaries = [
        TableSummary(
            "bronze/raw_orders",
            rows=10,
            passed=3,
            failed=1,
            status=TableRunStatus.QUARANTINED,
            seconds=1.25,
            failed_checks=["raw_orders__order_id__unique"],
        ),
        TableSummary("silver/orders", status=TableRunStatus.HELD, message="held by raw_orders"),
        TableSummary("gold/daily_revenue", status=TableRunStatus.ERROR, message="disk full"),
    ]
    tables = table_documents(summaries, {"silver/orders": "held", "bronze/raw_orders": "breached"})

    assert [(t["outcome"], t["state"]) for t in tables] == [
        ("quarantined", "breached"),
        ("held (upstream breach)", "held"),
        ("error", None),
    ]
    document = json.loads(render_json("datapact run", "run-1", 2.0, 3, tables))
    assert document["exit_code"] == 3 and document["tables"][0]["failing_checks"] == [
        "raw_orders__order_id__unique"
    ]
    text = render_text("run-1", 2.0, tables)
    assert "STATE" in text.splitlines()[0]
    assert "  FAILED bronze/raw_orders: raw_orders__order_id__unique" in text
    assert "  gold/daily_revenue: disk full" in text
