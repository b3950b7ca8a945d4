"""JSON, JUnit XML and Markdown reports built from a known four-day history."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from junitparser import Error, Failure, JUnitXml, Skipped
from sqlalchemy import text

from datapact_dagster.checks.result import PII_MASK
from datapact_dagster.evidence import EvidenceStore, render_report, report_for_run
from datapact_dagster.evidence.report_json import REPORT_SCHEMA
from datapact_dagster.evidence.reports import report_from_store
from datapact_dagster.evidence.schema import evidence_records

DAY = 86_400


def json_report(store: EvidenceStore, **filters: object) -> dict:
    return json.loads(render_report(report_from_store(store, **filters), "json"))


def test_json_report_schema_and_totals(history_store: EvidenceStore) -> None:
    doc = json_report(history_store)
    assert doc["schema"] == REPORT_SCHEMA
    assert doc["chain"]["ok"] is True
    assert doc["chain"]["checked"] == len(doc["records"]) == 13
    assert doc["totals"] == {
        "evaluated": 10,
        "pass": 4,
        "fail": 4,
        "error": 2,
        "skipped": 1,
        "pass_rate": 0.4,
    }
    assert [c["id"] for c in doc["contracts"]] == ["customers", "orders"]


def test_json_report_per_contract(history_store: EvidenceStore) -> None:
    orders = {c["id"]: c for c in json_report(history_store)["contracts"]}["orders"]
    assert [(v["version"], v["content_hash"]) for v in orders["versions"]] == [
        ("1.0.0", "sha256:orders-v1"),
        ("1.1.0", "sha256:orders-v2"),
    ]
    series = orders["pass_rate_series"]
    assert series["bucket"] == "day"
    assert [(p["label"], p["pass_rate"]) for p in series["points"]] == [
        ("2024-05-01", 1.0),
        ("2024-05-02", 0.5),
        ("2024-05-03", 0.0),
        ("2024-05-04", 0.5),
    ]
    unique, not_null = orders["breaches"]
    assert unique["check_key"] == "raw_orders__order_id__unique"
    assert (unique["start"], unique["end"]) == (
        "2024-05-02T06:00:00.000000Z",
        "2024-05-04T06:00:00.000000Z",
    )
    assert (unique["ongoing"], unique["duration_seconds"], unique["evaluations"]) == (
        False,
        2 * DAY,
        2,
    )
    assert not_null["check_key"] == "raw_orders__amount__not_null"
    assert (not_null["start"], not_null["end"], not_null["ongoing"]) == (
        "2024-05-03T06:00:00.000000Z",
        None,
        True,
    )
    assert not_null["last_verdict"] == "fail"
    assert [d["decision"] for d in orders["decisions"]] == ["quarantine", "error", "publish"]


def test_crashed_run_is_reported_as_error_never_pass(history_store: EvidenceStore) -> None:
    doc = json_report(history_store, run_id="run-3")
    assert doc["totals"]["pass"] == 0
    assert doc["totals"]["error"] == 2
    verdicts = {(r["kind"], r["check_key"] or r["decision"]): r["verdict"] for r in doc["records"]}
    assert verdicts[("check", "raw_orders__amount__not_null")] == "error"
    assert verdicts[("decision", "error")] == "error"


def test_json_report_window_and_contract_filter(history_store: EvidenceStore) -> None:
    doc = json_report(
        history_store,
        since=datetime(2024, 5, 2, tzinfo=UTC),
        until=datetime(2024, 5, 3, tzinfo=UTC),
        contract_id="orders",
    )
    assert doc["window"] == {
        "since": "2024-05-02T00:00:00.000000Z",
        "until": "2024-05-03T00:00:00.000000Z",
    }
    assert {r["run_id"] for r in doc["records"]} == {"run-2"}
    assert doc["chain"]["checked"] == 13, "the whole chain is verified, not just the window"


def test_pii_stays_masked_in_reports(history_store: EvidenceStore) -> None:
    for report_format in ("json", "junit", "md", "html"):
        rendered = render_report(report_from_store(history_store), report_format)
        assert "example.com" not in rendered, report_format
    doc = json_report(history_store, contract_id="customers")
    email = next(r for r in doc["records"] if r["check_key"] == "customers__email__pattern")
    assert email["samples"] == [PII_MASK]


def test_junit_report_parses_with_the_right_counts(
    history_store: EvidenceStore, tmp_path: Path
) -> None:
    path = tmp_path / "evidence.xml"
    path.write_text(render_report(report_from_store(history_store), "junit"))
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"orders", "customers"}
    orders = suites["orders"]
    assert (orders.tests, orders.failures, orders.errors, orders.skipped) == (9, 3, 2, 0)
    customers = suites["customers"]
    assert (customers.tests, customers.failures, customers.errors, customers.skipped) == (
        2,
        1,
        0,
        1,
    )
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 11
    outcomes = [type(case.result[0]).__name__ if case.result else "pass" for case in cases]
    assert outcomes.count("Failure") == 4
    assert outcomes.count("Error") == 2
    assert outcomes.count("Skipped") == 1
    assert outcomes.count("pass") == 4
    not_null_error = next(
        c
        for c in orders
        if c.name == "raw_orders__amount__not_null" and c.result and isinstance(c.result[0], Error)
    )
    assert not_null_error.classname == "orders/bronze/raw_orders"
    assert "column order_id is missing" in not_null_error.result[0].message
    crash = next(c for c in orders if c.name == "decision:error")
    assert isinstance(crash.result[0], Error)
    assert "out of memory" in crash.result[0].message
    failure = next(c for c in cases if c.result and isinstance(c.result[0], Failure))
    assert failure.result[0].message
    assert any(isinstance(c.result[0], Skipped) for c in cases if c.result)


def test_markdown_report(history_store: EvidenceStore) -> None:
    md = render_report(report_from_store(history_store), "md")
    assert md.startswith("## DataPact evidence report")
    assert "✅ intact (13 records verified)" in md
    assert "| orders | 1.0.0, 1.1.0 | 9 | 4 | 3 | 2 | 0 | 44.4% | 1 |" in md
    assert "| customers | 2.0.0 | 1 | 0 | 1 | 0 | 1 | 0.0% | 1 |" in md
    assert "### Breaches" in md
    assert "| `raw_orders__order_id__unique` | error | 2024-05-02T06:00:00.000000Z" in md
    assert "| 2d |" in md
    assert "ongoing" in md


def test_reports_show_a_broken_chain(history_store: EvidenceStore) -> None:
    with history_store.engine.begin() as connection:
        connection.execute(
            text(f"UPDATE {evidence_records.name} SET verdict = 'pass' WHERE seq = 7")
        )
    report = report_from_store(history_store)
    assert "❌ BROKEN: record 7 was edited (hash mismatch)" in render_report(report, "md")
    assert json.loads(render_report(report, "json"))["chain"]["first_bad_seq"] == 7


def test_report_for_run_writes_one_html_file(history_store: EvidenceStore, tmp_path: Path) -> None:
    path = report_for_run(history_store, "run-3", tmp_path / "runs")
    assert path == tmp_path / "runs" / "run-run-3.html"
    html = path.read_text()
    assert "run run-3" in html
    assert "worker killed: out of memory" in html
    assert "run-2" not in html
