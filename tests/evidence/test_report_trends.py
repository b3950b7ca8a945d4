"""The report's per-table trends: each metric over the runs, the anomaly band its monitor
recorded and the flagged run, drawn in the HTML (checked in headless Chromium) and in JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from datapact_dagster.evidence import ContractRef, DataFingerprint, EvidenceStore, render_report
from datapact_dagster.evidence.reports import report_for_run, report_from_store
from datapact_dagster.monitoring.anomaly import judge_monitors
from datapact_dagster.monitoring.model import TableMetrics
from datapact_dagster.monitoring.store import MetricsStore
from tests.monitoring.synthetic import START, monitor_specs, monitored_table, steady

SIGNUPS = ContractRef(id="signups", version="1.0.0", content_hash="sha256:signups")
RUNS = 12


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    """Twelve daily builds of bronze/signups, the last one losing most of its rows."""
    url = f"sqlite:///{tmp_path / 'evidence.db'}"
    evidence, metrics = EvidenceStore(url), MetricsStore(url)
    specs = monitor_specs(monitored_table())
    days = steady(RUNS)
    days[-1] = replace(days[-1], rows=3_000)
    history: list[TableMetrics] = []
    for index, day in enumerate(days):
        current = TableMetrics(
            asset="bronze/signups",
            physical_name="bronze.signups",
            contract_id="signups",
            contract_version="1.0.0",
            run_id=f"run-{index:02d}",
            run_kind="build",
            recorded_at=START + timedelta(days=index),
            row_count=day.rows,
            null_rates={"id": 0.0, "email": day.email_null_rate},
            freshness_lag_seconds=day.lag_seconds,
            check_seconds=0.5 + index / 100,
        )
        results = judge_monitors(specs, current, history)
        accepted = all(r.passed for r in results if r.spec.blocking)
        done = current.with_changes(accepted=accepted, published=accepted)
        history.append(done)
        metrics.record(done)
        evidence.append_check_results(
            results,
            contract=SIGNUPS,
            suite_hash=None,
            fingerprint=DataFingerprint(row_count=day.rows, content_hash="h"),
            run_id=current.run_id,
            asset_key="bronze/signups",
        )
    return evidence


def test_the_html_report_draws_the_trend_with_its_band_and_the_flagged_run(
    browser: Browser, store: EvidenceStore, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_report(report_from_store(store), "html"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(path.as_uri())

    trends = page.locator(".table-trends[data-asset='bronze/signups']")
    rows = trends.locator("svg.trend-plot[data-metric='row_count']")
    assert rows.count() == 1
    assert rows.bounding_box()["width"] > 300
    assert rows.locator("circle.point").count() == RUNS
    flagged = rows.locator("circle.point.flagged")
    assert flagged.count() == 1
    tooltip = flagged.locator("title").text_content() or ""
    assert "run run-11: row count 3,000, expected" in tooltip and "(flagged)" in tooltip
    band = rows.locator("polygon.band")
    assert band.count() == 1 and band.bounding_box()["height"] > 1
    # the band spans the judged runs: from the first after minHistory (run 5 of 0-11) to the last
    assert band.bounding_box()["width"] > rows.bounding_box()["width"] * 0.4
    for metric in ("null_rate:email", "check_seconds", "freshness_lag"):
        plot = trends.locator(f"svg.trend-plot[data-metric='{metric}']")
        assert plot.count() == 1 and plot.locator("circle.point.flagged").count() == 0
    trends.screenshot(path=str(tmp_path / "trends.png"))
    assert (tmp_path / "trends.png").stat().st_size > 5_000


def test_the_json_report_carries_each_series_with_bands_and_flags(store: EvidenceStore) -> None:
    document = json.loads(render_report(report_from_store(store), "json"))

    (trend,) = document["trends"]
    assert trend["asset"] == "bronze/signups" and trend["contract_id"] == "signups"
    series = {s["metric"] + (f":{s['column']}" if s["column"] else ""): s for s in trend["series"]}
    assert set(series) == {"row_count", "null_rate:email", "check_seconds", "freshness_lag"}
    points = series["row_count"]["points"]
    assert [p["value"] for p in points][-1] == 3000
    assert [p["flagged"] for p in points] == [False] * (RUNS - 1) + [True]
    assert points[0]["low"] is None, "a learning run records no band"
    assert points[-1]["low"] is not None and points[-1]["low"] > 3000


def test_a_run_report_shows_the_tables_of_that_run_with_their_history(
    store: EvidenceStore, tmp_path: Path
) -> None:
    html = report_for_run(store, "run-11", tmp_path).read_text(encoding="utf-8")

    assert 'data-asset="bronze/signups"' in html
    assert html.count('class="point flagged"') == 1
