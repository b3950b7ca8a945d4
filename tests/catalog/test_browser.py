"""The catalog of the sample project after a real run, opened from disk in headless Chromium with
the network blocked: search, filters, diagrams, verdicts, the PII inventory."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from datapact_dagster.plan.loading import require_contracts
from tests.processes import run_datapact
from tests.ui.support import isolated_env

SAMPLE = Path(__file__).resolve().parents[2]
CONTRACTS = require_contracts(SAMPLE)


def _datapact(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_datapact(SAMPLE, env, *args)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the sample with bad status values planted in the orders, then its catalog."""
    state = tmp_path_factory.mktemp("state")
    env = isolated_env(state)
    generated = _datapact(env, "generate", "--rows", "2000", "--breach", "bad_enum")
    assert generated.returncode == 0, generated.stderr
    ran = _datapact(env, "run")
    assert ran.returncode == 1, ran.stdout + ran.stderr
    out = state / "site"
    built = _datapact(env, "catalog", "--out", str(out))
    assert built.returncode == 0, built.stderr
    return out


class Offline:
    """A browser page that may read files only: any other request is aborted and remembered."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.refused: list[str] = []
        self.errors: list[str] = []
        page.route("**/*", self._only_files)
        page.on("request", self._seen)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _only_files(self, route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def _seen(self, request) -> None:  # type: ignore[no-untyped-def]
        if not request.url.startswith("file://"):
            self.refused.append(request.url)

    def open(self, site: Path, name: str) -> Page:
        self.page.goto((site / name).as_uri())
        return self.page


@pytest.fixture
def offline(browser: Browser) -> Iterator[Offline]:
    context = browser.new_context(offline=True)
    watcher = Offline(context.new_page())
    yield watcher
    context.close()
    assert watcher.refused == [], f"the catalog requested {watcher.refused}"
    assert watcher.errors == [], f"script errors: {watcher.errors}"


def _rows(page: Page, body: str, attribute: str) -> list[str]:
    return page.eval_on_selector_all(
        f"#{body} tr", f"rows => rows.map(r => r.getAttribute('{attribute}'))"
    )


def test_search_finds_customer_id_in_every_table_that_has_it(site: Path, offline: Offline) -> None:
    page = offline.open(site, "index.html")

    page.fill("#q", "customer_id")

    expected = sorted(
        f"{t.physical_name}.customer_id" for _, t in CONTRACTS.tables if t.column("customer_id")
    )
    assert len(expected) >= 5
    assert sorted(_rows(page, "columns-body", "data-column")) == expected
    assert page.is_visible("#column-results")
    having = sorted(t.physical_name for _, t in CONTRACTS.tables if t.column("customer_id"))
    assert sorted(_rows(page, "tables-body", "data-table")) == having
    page.click("#columns-body tr:first-child a")
    assert "/contract-" in page.url
    target = page.locator(f"#{page.url.split('#')[1]}")
    assert target.get_attribute("data-column") == "customer_id"


def test_filters_narrow_the_tables_and_the_columns(site: Path, offline: Offline) -> None:
    page = offline.open(site, "index.html")
    everything = _rows(page, "tables-body", "data-table")
    assert len(everything) == len(CONTRACTS.tables)

    page.select_option("#f-layer", "gold")
    gold = sorted(t.physical_name for _, t in CONTRACTS.tables if t.layer.value == "gold")
    assert sorted(_rows(page, "tables-body", "data-table")) == gold
    assert page.inner_text("#table-count") == f"{len(gold)} of {len(everything)}"

    page.select_option("#f-layer", "")
    page.select_option("#f-pii", "yes")
    with_pii = sorted(t.physical_name for _, t in CONTRACTS.tables if t.pii_columns)
    assert with_pii and sorted(_rows(page, "tables-body", "data-table")) == with_pii

    page.fill("#q", "email")
    pii_emails = sorted(
        f"{t.physical_name}.email"
        for _, t in CONTRACTS.tables
        if (c := t.column("email")) is not None and c.pii
    )
    assert sorted(_rows(page, "columns-body", "data-column")) == pii_emails


def test_the_erd_and_the_lineage_map_are_drawn(site: Path, offline: Offline) -> None:
    for name, boxes in (
        ("erd.html", 2),
        ("lineage.html", len(CONTRACTS.tables) + 3),
    ):
        page = offline.open(site, name)
        svg = page.locator("svg.diagram-svg").first
        size = svg.bounding_box()
        assert size is not None and size["width"] > 300 and size["height"] > 100, name
        drawn_boxes = page.locator("svg.diagram-svg g.box").count()
        links = page.locator("svg.diagram-svg path.link")
        assert drawn_boxes >= boxes, (name, drawn_boxes)
        assert links.count() > 0 and links.first.bounding_box() is not None, name
    lineage = offline.open(site, "lineage.html")
    for _, table in CONTRACTS.tables:
        assert lineage.locator(f'svg g.box[data-table="{table.physical_name}"]').count() == 1


def test_a_contract_page_shows_the_rules_with_their_latest_verdicts(
    site: Path, offline: Offline
) -> None:
    page = offline.open(site, "contract-commerce.raw_orders.html")
    status_rules = page.locator('tr[data-column="status"] li.rule')
    assert status_rules.count() >= 1
    verdicts = status_rules.locator(".badge").all_inner_texts()
    assert "fail" in verdicts, verdicts
    assert "UTC" in status_rules.first.inner_text()

    page = offline.open(site, "contract-commerce.raw_customers.html")
    words = page.locator("li.rule .badge, tr.rule .badge").all_inner_texts()
    assert words and set(words) == {"pass"}, words
    lineage = page.locator("div.diagram.lineage svg")
    assert lineage.locator("g.box").count() >= 2 and lineage.locator("path.link").count() > 0


def test_the_pii_page_lists_every_pii_column_of_the_sample(site: Path, offline: Offline) -> None:
    page = offline.open(site, "pii.html")

    shown = _rows(page, "pii-body", "data-column")

    expected = sorted(f"{t.physical_name}.{c}" for _, t in CONTRACTS.tables for c in t.pii_columns)
    assert expected and sorted(shown) == expected
    assert page.inner_text("#pii-count") == str(len(expected))
