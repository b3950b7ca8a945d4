"""Every report format shows a contract's rollbacks: who, when, why, from which run to which."""

from __future__ import annotations

import json
from pathlib import Path

from junitparser import JUnitXml
from playwright.sync_api import Browser

from datapact_dagster.evidence import EvidenceStore, render_report
from datapact_dagster.evidence.model import Decision
from datapact_dagster.evidence.reports import report_from_store

REASON = "emails were not masked <b>in run</b> 8a904fb9"


def _store_with_rollback(tmp_path: Path) -> EvidenceStore:
    store = EvidenceStore(f"sqlite:///{tmp_path / 'evidence.db'}")
    store.append_decision(
        Decision.PUBLISH,
        contract_id="commerce.customers",
        contract_version="1.1.0",
        contract_hash="sha256:c1",
        run_id="run-bad",
        asset_key="silver/customers",
        details={"rows": 410},
    )
    store.append_decision(
        Decision.ROLLBACK,
        contract_id="commerce.customers",
        contract_version="1.1.0",
        contract_hash="sha256:c1",
        run_id="rollback-1234",
        asset_key="silver/customers",
        details={
            "summary": "rolled back silver/customers",
            "user": "alice@example.com",
            "reason": REASON,
            "from_run": "run-bad",
            "to_run": "run-good",
            "from_rows": 410,
            "to_rows": 400,
            "from_hash": "111",
            "to_hash": "222",
        },
    )
    return store


def test_json_lists_the_rollback_under_its_contract(tmp_path: Path) -> None:
    doc = json.loads(render_report(report_from_store(_store_with_rollback(tmp_path)), "json"))

    (contract,) = doc["contracts"]
    (rollback,) = contract["rollbacks"]
    assert rollback["user"] == "alice@example.com"
    assert rollback["reason"] == REASON
    assert (rollback["from_run"], rollback["to_run"]) == ("run-bad", "run-good")
    assert (rollback["from_rows"], rollback["to_rows"]) == (410, 400)
    assert rollback["asset_key"] == "silver/customers" and rollback["recorded_at"]


def test_markdown_has_a_rollbacks_table(tmp_path: Path) -> None:
    md = render_report(report_from_store(_store_with_rollback(tmp_path)), "md")

    section = md.split("### Rollbacks", 1)[1]
    row = next(line for line in section.splitlines() if "alice@example.com" in line)
    assert "| commerce.customers | silver/customers |" in row
    assert "`run-bad` | `run-good` | 410 → 400 |" in row
    assert REASON in row


def test_junit_carries_the_rollback_as_a_suite_property(tmp_path: Path) -> None:
    path = tmp_path / "evidence.xml"
    path.write_text(render_report(report_from_store(_store_with_rollback(tmp_path)), "junit"))

    (suite,) = list(JUnitXml.fromfile(str(path)))
    (prop,) = [p for p in suite.properties() if p.name == "rollback"]
    assert "from run run-bad to run run-good by alice@example.com" in prop.value
    assert REASON in prop.value


def test_html_shows_the_rollback_escaped(browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    html = render_report(report_from_store(_store_with_rollback(tmp_path)), "html")
    path.write_text(html, encoding="utf-8")
    page = browser.new_page()
    page.goto(path.as_uri())

    rows = page.locator("section.contract table.rollbacks tbody tr.rollback")
    assert rows.count() == 1
    cells = rows.nth(0).locator("td").all_inner_texts()
    assert cells[2:7] == ["silver/customers", "alice@example.com", REASON, "run-bad", "run-good"]
    assert cells[7] == "410 → 400"
    assert page.locator("section.contract b").count() == 0
    page.close()
