"""The Dagster UI, in headless Chromium: lineage, column schema and the runs of a build."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from datapact_dagster.sample.generate import generate_landing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_code_location(url: str, deadline: float) -> None:
    query = json.dumps(
        {
            "query": "{ workspaceOrError { ... on Workspace { locationEntries "
            "{ name loadStatus } } } }"
        }
    ).encode()
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            f"{url}/graphql", data=query, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            entries = json.load(response)["data"]["workspaceOrError"]["locationEntries"]
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            return
        time.sleep(1)
    pytest.fail("the datapact code location did not load")


@pytest.fixture(scope="module")
def ui_url(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = tmp_path_factory.mktemp("ui-state")
    env = {
        **os.environ,
        "DATAPACT_STATE_DIR": str(state),
        "DAGSTER_HOME": str(state / "dagster_home"),
        "DATAPACT_WAREHOUSE_URL": f"duckdb:///{state / 'warehouse.duckdb'}",
    }
    generate_landing(state / "landing", rows=2000, seed=3)
    build = subprocess.run(
        [sys.executable, "-m", "datapact_dagster.cli", "run", "--no-generate"],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster_webserver",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=project_root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                    break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("the Dagster webserver did not start within 180 s")
        _wait_for_code_location(url, deadline)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    yield page
    page.close()


def _body_text_with(page: Page, url: str, *needles: str, timeout_s: float = 60) -> str:
    """Open `url` and wait until every needle is on the page (the UI renders asynchronously)."""
    page.goto(url, wait_until="networkidle")
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        text = page.inner_text("body")
        if all(n in text for n in needles):
            return text
        page.wait_for_timeout(500)
    missing = [n for n in needles if n not in text]
    raise AssertionError(f"{url} never showed {missing}; it showed: {text[:800]}")


def test_catalog_lists_every_contract_table_as_materialized(page: Page, ui_url: str) -> None:
    text = _body_text_with(
        page,
        f"{ui_url}/assets",
        "bronze / raw_orders",
        "silver / orders",
        "gold / customer_profile",
        "gold / daily_revenue",
    )
    assert text.count("Materialized") >= 8


def test_lineage_shows_bronze_silver_gold(page: Page, ui_url: str, tmp_path: Path) -> None:
    _body_text_with(page, f"{ui_url}/asset-groups", "bronze", "silver", "gold")
    page.screenshot(path=str(tmp_path / "lineage.png"))


def test_asset_page_shows_owner_schema_and_checks(page: Page, ui_url: str) -> None:
    _body_text_with(
        page,
        f"{ui_url}/assets/silver/customers",
        "customer-analytics@example.com",
        "email",
        "signup_date",
    )
    text = _body_text_with(
        page,
        f"{ui_url}/assets/silver/customers?view=checks",
        "customers__email__unique",
        "blocking",
    )
    assert "commerce.customers v1.1.0" in text


def test_runs_of_the_build_are_listed(page: Page, ui_url: str) -> None:
    _body_text_with(page, f"{ui_url}/runs", "contract_pipeline")
