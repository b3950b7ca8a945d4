"""The Dagster UI, in headless Chromium: lineage, column schema and the runs of a build."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from datapact_dagster.sample.generate import generate_landing
from tests.ui.support import (
    body_text_with,
    datapact_run,
    free_port,
    isolated_env,
    start_webserver,
    wait_for_code_location,
    wait_for_webserver,
)


@pytest.fixture(scope="module")
def ui_url(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = tmp_path_factory.mktemp("ui-state")
    env = isolated_env(state)
    generate_landing(state / "landing", rows=2000, seed=3)
    build = datapact_run(project_root, env)
    assert build.returncode == 0, build.stdout + build.stderr
    port = free_port()
    server = start_webserver(project_root, env, port)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        wait_for_webserver(url, deadline)
        wait_for_code_location(url, deadline)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    yield page
    page.close()


def test_catalog_lists_every_contract_table_as_materialized(page: Page, ui_url: str) -> None:
    # the six unpartitioned tables say Materialized; the two daily-partitioned event tables
    # show their partitions instead (one of them materialized: today's)
    body_text_with(
        page,
        f"{ui_url}/assets",
        "bronze / raw_orders",
        "silver / orders",
        "silver / customer_events",
        "gold / customer_profile",
        "gold / daily_revenue",
        until=lambda body: body.count("Materialized") >= 6 and body.count(" partitions") >= 2,
    )


def test_lineage_shows_bronze_silver_gold(page: Page, ui_url: str, tmp_path: Path) -> None:
    body_text_with(page, f"{ui_url}/asset-groups", "bronze", "silver", "gold")
    page.screenshot(path=str(tmp_path / "lineage.png"))


def test_asset_page_shows_owner_schema_and_checks(page: Page, ui_url: str) -> None:
    body_text_with(
        page,
        f"{ui_url}/assets/silver/customers",
        "customer-analytics@example.com",
        "email",
        "signup_date",
    )
    body_text_with(
        page,
        f"{ui_url}/assets/silver/customers?view=checks&checkDetail=customers__email__unique",
        "customers__email__unique",
        "[error, blocking]",
        "commerce.customers v1.1.0",
    )


def test_runs_of_the_build_are_listed(page: Page, ui_url: str) -> None:
    body_text_with(page, f"{ui_url}/runs", "contract_pipeline")


def test_asset_page_shows_column_lineage_as_text(page: Page, ui_url: str, tmp_path: Path) -> None:
    text = body_text_with(
        page,
        f"{ui_url}/assets/silver/customers",
        "column_lineage",
        "gold.customer_profile.email_domain",
        "bronze.raw_customers.signup_at",
    )
    assert "rows of gold.customer_profile, silver.customer_events" in text
    skip = page.get_by_role("button", name="Skip")
    if skip.count():
        skip.first.click()
    page.get_by_text("gold.customer_profile.email_domain").first.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "column-lineage.png"))
