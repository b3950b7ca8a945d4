"""Every report format shows each contract's versions in force over time and its approvals."""

from __future__ import annotations

import json
from pathlib import Path

from junitparser import JUnitXml
from playwright.sync_api import Browser

from datapact_dagster.evidence import EvidenceStore, render_report
from datapact_dagster.evidence.model import Decision
from datapact_dagster.evidence.reports import report_from_store

COMMENT = "dup e-mails are <i>legal</i> for shared accounts"


def _store(tmp_path: Path) -> EvidenceStore:
    store = EvidenceStore(f"sqlite:///{tmp_path / 'evidence.db'}")

    def decide(kind: Decision, version: str, digest: str, **details: object) -> None:
        store.append_decision(
            kind,
            contract_id="commerce.customers",
            contract_version=version,
            contract_hash=digest,
            run_id=None if kind in (Decision.APPROVAL, Decision.REJECTION) else f"run-{version}",
            asset_key=None
            if kind in (Decision.APPROVAL, Decision.REJECTION)
            else "silver/customers",
            details=details,
        )

    decide(Decision.PUBLISH, "1.1.0", "h1", rows=400)
    decide(Decision.PUBLISH, "1.1.0", "h1", rows=410)
    decide(
        Decision.APPROVAL,
        "2.0.0",
        "h2",
        person="ana@example.com",
        level="owners",
        team="customer-analytics",
        comment=COMMENT,
        completes=False,
    )
    decide(
        Decision.APPROVAL,
        "2.0.0",
        "h2",
        person="gov@example.com",
        level="group governance",
        team=None,
        comment="logged",
        completes=True,
    )
    decide(Decision.PUBLISH, "2.0.0", "h2", rows=420)
    return store


def test_json_has_the_versions_in_force_and_the_approvals(tmp_path: Path) -> None:
    doc = json.loads(render_report(report_from_store(_store(tmp_path)), "json"))

    (contract,) = doc["contracts"]
    periods = contract["versions_in_force"]
    assert [(p["version"], p["publishes"]) for p in periods] == [("1.1.0", 2), ("2.0.0", 1)]
    assert periods[0]["until"] == periods[1]["since"] and periods[1]["until"] is None
    first, last = contract["approvals"]
    assert (first["person"], first["level"], first["team"]) == (
        "ana@example.com",
        "owners",
        "customer-analytics",
    )
    assert first["comment"] == COMMENT and not first["completes"]
    assert last["completes"] and last["content_hash"] == "h2"


def test_markdown_and_junit_name_who_approved_which_version(tmp_path: Path) -> None:
    report = report_from_store(_store(tmp_path))
    md = render_report(report, "md")
    approvals = md.split("### Approvals", 1)[1]
    assert "| commerce.customers | 2.0.0 (`h2`) |" in approvals
    assert "| approval (completes) | gov@example.com | group governance | logged |" in approvals
    in_force = md.split("### Contract versions in force", 1)[1].split("###")[0]
    assert "| commerce.customers | 2.0.0 | `h2` |" in in_force and "| in force | 1 |" in in_force

    path = tmp_path / "report.xml"
    path.write_text(render_report(report, "junit"))
    (suite,) = list(JUnitXml.fromfile(str(path)))
    names = [p.name for p in suite.properties()]
    assert names.count("approval") == 2 and names.count("version_in_force") == 2
    approval = next(p.value for p in suite.properties() if p.name == "approval")
    assert "by ana@example.com at owners customer-analytics" in approval


def test_html_shows_the_approvals_escaped(browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_report(report_from_store(_store(tmp_path)), "html"), encoding="utf-8")
    page = browser.new_page()
    page.goto(path.as_uri())

    rows = page.locator("section.contract table.approvals tbody tr.approval")
    assert rows.count() == 2
    cells = rows.nth(0).locator("td").all_inner_texts()
    assert cells[2:] == [
        "approval",
        "2.0.0 h2",
        "ana@example.com",
        "owners customer-analytics",
        COMMENT,
    ]
    assert page.locator("section.contract table.in-force tr.version-in-force").count() == 2
    assert page.locator("section.contract i").count() == 0
    page.close()
