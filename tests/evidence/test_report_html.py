"""The auditor's HTML report, rendered in headless Chromium and checked through the DOM."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page
from sqlalchemy import text

from datapact_dagster.checks.result import PII_MASK
from datapact_dagster.evidence import ContractRef, EvidenceStore, render_report
from datapact_dagster.evidence.reports import report_from_store
from datapact_dagster.evidence.schema import evidence_records

from .factories import append, check_spec, failing

HOSTILE = "<script>alert(1)</script>"


def open_report(browser: Browser, store: EvidenceStore, tmp_path: Path) -> tuple[Page, list[str]]:
    path = tmp_path / "report.html"
    path.write_text(render_report(report_from_store(store), "html"), encoding="utf-8")
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(path.as_uri())
    return page, requested


def test_html_report_is_self_contained(
    browser: Browser, history_store: EvidenceStore, tmp_path: Path
) -> None:
    page, requested = open_report(browser, history_store, tmp_path)
    assert requested == [(tmp_path / "report.html").as_uri()]
    assert page.locator("script").count() == 0
    assert page.locator("link[rel=stylesheet]").count() == 0
    assert page.locator("style").count() == 1


def test_html_report_shows_chain_status_plots_and_breaches(
    browser: Browser, history_store: EvidenceStore, tmp_path: Path
) -> None:
    page, _ = open_report(browser, history_store, tmp_path)
    status = page.locator("#chain-status")
    assert "ok" in (status.get_attribute("class") or "")
    assert "Evidence chain intact: 13 records verified" in status.inner_text()

    orders = page.locator("section.contract[data-contract='orders']")
    plot = orders.locator("svg.pass-rate-plot")
    assert plot.count() == 1
    assert plot.bounding_box()["width"] > 100
    assert plot.locator("rect.bar").count() == 4
    assert plot.locator("polyline.trend").count() == 1
    assert "2024-05-03: 0.0% pass" in (plot.locator("rect.bar").nth(2).text_content() or "")

    breaches = orders.locator("table.breaches tbody tr.breach")
    assert breaches.count() == 2
    closed = breaches.nth(0).locator("td").all_inner_texts()
    assert closed[1] == "raw_orders__order_id__unique"
    assert closed[3:6] == ["2024-05-02T06:00:00.000000Z", "2024-05-04T06:00:00.000000Z", "2d"]
    ongoing = breaches.nth(1)
    assert "ongoing" in (ongoing.get_attribute("class") or "")
    assert ongoing.locator("td").nth(4).inner_text() == "ongoing"
    assert ongoing.locator("td").nth(5).inner_text().endswith("so far")

    versions = orders.locator("table.versions tbody tr td:first-child").all_inner_texts()
    assert versions == ["1.0.0", "1.1.0"]
    assert page.locator("section.contract").count() == 2


def test_html_report_drills_down_to_failing_checks(
    browser: Browser, history_store: EvidenceStore, tmp_path: Path
) -> None:
    page, _ = open_report(browser, history_store, tmp_path)
    customers = page.locator("section.contract[data-contract='customers']")
    email = customers.locator("details.failing-check[data-check='customers__email__pattern']")
    samples_cell = email.locator("table.evaluations tbody tr td").nth(8)
    assert not samples_cell.is_visible()
    email.locator("summary").click()
    assert samples_cell.is_visible()
    assert PII_MASK in samples_cell.inner_text()
    assert "example.com" not in page.content()

    orders = page.locator("section.contract[data-contract='orders']")
    not_null = orders.locator("details.failing-check[data-check='raw_orders__amount__not_null']")
    not_null.locator("summary").click()
    verdicts = not_null.locator("table.evaluations tbody tr td:nth-child(5)").all_inner_texts()
    assert verdicts == ["fail", "error"]
    assert "column order_id is missing" in not_null.inner_text()
    crashed = orders.locator("details.failing-check[data-check='decision:error']")
    assert crashed.count() == 1
    assert crashed.locator("summary span").inner_text() == "error"
    decisions = orders.locator("table.decisions tbody tr td:nth-child(3)").all_inner_texts()
    assert decisions == ["quarantine", "error", "publish"]


def test_html_report_flags_a_broken_chain(
    browser: Browser, history_store: EvidenceStore, tmp_path: Path
) -> None:
    with history_store.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {evidence_records.name} WHERE seq = 5"))
    page, _ = open_report(browser, history_store, tmp_path)
    status = page.locator("#chain-status")
    assert "broken" in (status.get_attribute("class") or "")
    assert "record 5 was deleted" in status.inner_text()


def test_html_report_escapes_every_value_from_the_evidence(
    browser: Browser, tmp_path: Path
) -> None:
    store = EvidenceStore(f"sqlite:///{tmp_path / 'evidence.db'}")
    contract = ContractRef(id=f"shop{HOSTILE}", version='1"<b>', content_hash="h&<i>")
    spec = check_spec(f"k{HOSTILE}", table="t", column="c<img src=x>", contract=contract)
    append(store, [failing(spec, samples=(HOSTILE, {"a": "<b>b</b>"}))], "run<i>", contract)

    html = render_report(report_from_store(store), "html")
    assert HOSTILE not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page, requested = open_report(browser, store, tmp_path)
    assert page.locator("script, img, b, i").count() == 0
    assert len(requested) == 1
    section = page.locator("section.contract")
    assert section.get_attribute("data-contract") == f"shop{HOSTILE}"
    assert section.locator("h2").inner_text() == f"Contract shop{HOSTILE}"
    assert section.locator("table.versions td").first.inner_text() == '1"<b>'
    assert "run<i>: 0.0% pass" in (section.locator("rect.bar").text_content() or "")
    section.locator("summary").click()
    samples = section.locator("table.evaluations tbody td").nth(8).inner_text()
    assert samples == '["<script>alert(1)</script>", {"a": "<b>b</b>"}]'
