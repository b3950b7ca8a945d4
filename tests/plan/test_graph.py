"""Column lineage of the sample project, column by column, and the fallbacks when it is unknown."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from datapact_dagster.plan.graph import ColumnRef, DependencyGraph, build_graph
from datapact_dagster.plan.impact import impact_of
from datapact_dagster.plan.loading import require_contracts


@pytest.fixture(scope="module")
def graph(project_root: Path) -> DependencyGraph:
    return build_graph(require_contracts(project_root))


def _sources(graph: DependencyGraph, table: str) -> dict[str, set[str]]:
    return {c: {str(r) for r in refs} for c, refs in graph.lineage[table].columns.items()}


def test_select_star_from_a_landing_file_is_expanded_with_the_declared_columns(
    graph: DependencyGraph,
) -> None:
    assert _sources(graph, "bronze.raw_orders") == {
        c: {f"landing.orders.{c}"}
        for c in ("order_id", "customer_id", "order_ts", "status", "amount", "currency")
    }


def test_star_in_a_subquery_with_a_join_traces_each_column(graph: DependencyGraph) -> None:
    events = graph.lineage["silver.customer_events"]
    assert _sources(graph, "silver.customer_events") == {
        c: {f"bronze.raw_customer_events.{c}"}
        for c in ("event_id", "customer_id", "event_type", "channel", "event_ts")
    }
    # the join keeps only known customers and the window keeps one copy per event_id
    assert set(map(str, events.rows)) == {
        "silver.customers.customer_id",
        "bronze.raw_customer_events.customer_id",
        "bronze.raw_customer_events.event_id",
        "bronze.raw_customer_events.event_ts",
    }
    assert events.reads == ("silver.customers", "bronze.raw_customer_events")


def test_expressions_keep_every_input_column(graph: DependencyGraph) -> None:
    orders = _sources(graph, "silver.orders")
    assert orders["net_amount"] == {"bronze.raw_orders.status", "bronze.raw_orders.amount"}
    assert orders["order_date"] == {"bronze.raw_orders.order_ts"}
    assert set(map(str, graph.lineage["silver.orders"].rows)) == {"bronze.raw_orders.status"}
    assert _sources(graph, "silver.customers")["signup_date"] == {"bronze.raw_customers.signup_at"}


def test_aggregates_through_ctes_and_joins(graph: DependencyGraph) -> None:
    profile = _sources(graph, "gold.customer_profile")
    assert profile == {
        "customer_id": {"silver.customers.customer_id"},
        "country": {"silver.customers.country"},
        "email_domain": {"silver.customers.email"},
        "lifetime_value": {"silver.orders.net_amount"},
        "order_count": set(),  # COUNT(*): computed from rows, not from a column
        "last_activity_at": {"silver.orders.order_date", "silver.customer_events.event_ts"},
        "engagement_segment": {"silver.orders.order_date", "silver.customer_events.event_ts"},
    }
    rows = set(map(str, graph.lineage["gold.customer_profile"].rows))
    assert rows == {
        "silver.customers.customer_id",
        "silver.orders.customer_id",
        "silver.customer_events.customer_id",
    }
    revenue = graph.lineage["gold.daily_revenue"]
    assert _sources(graph, "gold.daily_revenue") == {
        "order_date": {"silver.orders.order_date"},
        "currency": {"silver.orders.currency"},
        "order_count": set(),
        "net_revenue": {"silver.orders.net_amount"},
    }
    assert set(map(str, revenue.rows)) == {"silver.orders.order_date", "silver.orders.currency"}


def test_every_column_of_the_sample_is_traced(graph: DependencyGraph) -> None:
    assert {name: t.untraced for name, t in graph.lineage.items() if t.untraced} == {}


def test_table_graph_both_ways(graph: DependencyGraph) -> None:
    assert graph.downstream["silver.orders"] == ("gold.customer_profile", "gold.daily_revenue")
    assert graph.upstream_closure("gold.daily_revenue") == [
        "silver.orders",
        "bronze.raw_orders",
        "landing.orders",
    ]
    assert graph.lineage["silver.orders"].references == ("silver.customers",)
    assert graph.value_readers(ColumnRef("silver.customers", "email")) == [
        ColumnRef("gold.customer_profile", "email_domain")
    ]


def test_a_column_sqlglot_cannot_trace_is_said_and_falls_back_to_its_table(
    project_root: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(project_root / "contracts", project / "contracts")
    shutil.copytree(project_root / "sql", project / "sql")
    revenue = project / "sql" / "gold" / "daily_revenue.sql"
    revenue.write_text(
        "SELECT * FROM (SELECT order_date, currency, net_amount FROM silver.orders)\n"
        "PIVOT (COUNT(*) AS order_count, SUM(net_amount) AS net_revenue FOR currency IN ('EUR'))\n",
        encoding="utf-8",
    )
    graph = build_graph(require_contracts(project))
    untraced = graph.lineage["gold.daily_revenue"].untraced
    assert set(untraced) == {"currency", "order_count", "net_revenue"}
    assert all("could not trace" in reason for reason in untraced.values())
    readers = graph.untraced_readers("silver.orders")
    assert ColumnRef("gold.daily_revenue", "net_revenue") in readers
    impact = impact_of(graph, "silver.orders", "net_amount")
    hits = {str(h.ref): h.how for h in impact.downstream_columns}
    assert hits["gold.daily_revenue.net_revenue"] == "untraced"
    assert any("gold.daily_revenue.net_revenue: lineage not traced" in n for n in impact.notes)
    assert ("gold.daily_revenue", "finance") in {(c.table, c.team) for c in impact.consumers}
