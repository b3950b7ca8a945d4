"""The launch guard refuses a held asset launched from the Dagster UI's Materialize button.

The Python API and the CLI refusals are tested in tests/breaker; this proves the same guard
stops a user in the UI. One story per module (the builds and `dagster dev` are slow): a clean
build, a build on data that breaks `raw_orders__order_id__unique` (bronze/raw_orders is not
published, silver/orders is held), then `datapact ui` as users start it (webserver and daemon,
so the launch goes through the instance's queued run coordinator). Headless Chromium clicks
Materialize on silver/orders and opens the launched run from the "Launched run" toast. The
held step must end without failing (held is not failed), its run page must show the guard's
refusal, and the instance must show that the run materialized nothing, evaluated none of the
held table's data checks and failed its breaker check with the reason.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
from playwright.sync_api import Browser, Page

from datapact_dagster.sample.generate import generate_landing
from tests.ui.support import (
    body_text_with,
    datapact_run,
    free_port,
    graphql,
    isolated_env,
    wait_for_code_location,
    wait_for_webserver,
)

SILVER_ORDERS = dg.AssetKey(["silver", "orders"])
BREACHED_CHECK = "raw_orders__order_id__unique"
RUN_ID_IN_OUTPUT = re.compile(r"^run ([0-9a-f-]{36}) finished", re.MULTILINE)
RUN_ID_IN_HREF = re.compile(r"/runs/([0-9a-f-]{36})")
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}
UI_START_TIMEOUT_S = 300
RUN_TIMEOUT_S = 180


@dataclass(frozen=True)
class BreachedUi:
    """`datapact ui` serving a project whose raw_orders contract is breached."""

    url: str
    dagster_home: Path
    breach_run_id: str


@dataclass(frozen=True)
class RefusedLaunch:
    """The run the Materialize button launched, once it finished."""

    run_id: str
    status: str
    run_page_text: str
    dagster_home: Path
    breach_run_id: str


def _build_then_breach(project_root: Path, state: Path, env: dict[str, str]) -> str:
    """A clean build, then a build that breaches raw_orders; returns the breaching run's id."""
    landing = state / "landing"
    generate_landing(landing, rows=2000, seed=3)
    clean = datapact_run(project_root, env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    generate_landing(landing, rows=2000, seed=3, breaches=["duplicate_key"])
    breached = datapact_run(project_root, env)
    assert breached.returncode == 1, breached.stdout + breached.stderr
    assert f"FAILED bronze/raw_orders: {BREACHED_CHECK}" in breached.stdout, breached.stdout
    match = RUN_ID_IN_OUTPUT.search(breached.stdout)
    assert match, breached.stdout
    return match.group(1)


def _skip_community_dialog(dagster_home: Path) -> None:
    """Mark Dagster's "Join the Dagster community" dialog as seen; it would cover the page."""
    nux = dagster_home / ".nux"
    nux.mkdir(parents=True, exist_ok=True)
    (nux / "nux.yaml").write_text("seen: 1\n")


def _stop_process_group(process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    """SIGTERM the whole group (dagster dev, webserver, daemon, code servers), SIGKILL leftovers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout_s)
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _log_tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def _datapact_ui(project_root: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    """`datapact ui` (dagster dev) in its own process group; yields its URL once loaded."""
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "datapact_dagster.cli", "ui", "--port", str(port)],
            cwd=project_root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + UI_START_TIMEOUT_S
        try:
            wait_for_webserver(url, deadline)
            wait_for_code_location(url, deadline)
        except BaseException:
            print(f"datapact ui log:\n{_log_tail(log)}", file=sys.stderr)
            raise
        yield url
    finally:
        _stop_process_group(server)


@pytest.fixture(scope="module")
def breached_ui(
    project_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BreachedUi]:
    state = tmp_path_factory.mktemp("ui-refusal")
    env = isolated_env(state)
    breach_run_id = _build_then_breach(project_root, state, env)
    dagster_home = state / "dagster_home"
    _skip_community_dialog(dagster_home)
    with _datapact_ui(project_root, env, state / "datapact-ui.log") as url:
        yield BreachedUi(url, dagster_home, breach_run_id)


def _click_materialize(page: Page, url: str) -> str:
    """Click Materialize on silver/orders' asset page; returns the id of the launched run."""
    page.goto(f"{url}/assets/silver/orders", wait_until="networkidle")
    # The button's accessible name includes its icon's name: "materialization Materialize".
    page.get_by_role("button", name=re.compile(r"\bMaterialize$")).click()
    view = page.get_by_role("link", name="View", exact=True)
    view.wait_for(timeout=30_000)
    assert "Launched run" in page.inner_text("body")
    match = RUN_ID_IN_HREF.search(view.get_attribute("href") or "")
    assert match, f"the launch toast links to {view.get_attribute('href')!r}"
    view.click()
    page.wait_for_url(f"**/runs/{match.group(1)}*")
    return match.group(1)


def _wait_until_finished(url: str, run_id: str) -> str:
    query = "query ($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }"
    deadline = time.monotonic() + RUN_TIMEOUT_S
    status = ""
    while time.monotonic() < deadline:
        status = graphql(url, query, {"runId": run_id})["runOrError"].get("status", "")
        if status in FINISHED:
            return status
        time.sleep(1)
    pytest.fail(f"run {run_id} launched from the UI was still {status!r} after {RUN_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def refused_launch(browser: Browser, breached_ui: BreachedUi) -> Iterator[RefusedLaunch]:
    page = browser.new_page(viewport={"width": 1600, "height": 1400})
    try:
        run_id = _click_materialize(page, breached_ui.url)
        status = _wait_until_finished(breached_ui.url, run_id)
        # Reload the run page once the run is over: its log ends with RUN_<status>.
        text = body_text_with(page, f"{breached_ui.url}/runs/{run_id}", f"RUN_{status}")
        yield RefusedLaunch(
            run_id, status, text, breached_ui.dagster_home, breached_ui.breach_run_id
        )
    finally:
        page.close()


def test_run_page_shows_the_guards_refusal(refused_launch: RefusedLaunch) -> None:
    text = refused_launch.run_page_text
    assert "Refusing to build silver/orders" in text
    assert "commerce.raw_orders v" in text
    assert BREACHED_CHECK in text
    assert refused_launch.breach_run_id in text
    assert "--override-reason" in text
    assert "datapact/override" in text


def test_held_run_ends_without_failing_or_materializing(refused_launch: RefusedLaunch) -> None:
    assert refused_launch.status == "SUCCESS"
    with dg.DagsterInstance.from_config(str(refused_launch.dagster_home)) as instance:
        run = instance.get_run_by_id(refused_launch.run_id)
        assert run is not None
        assert run.asset_selection == {SILVER_ORDERS}
        assert run.tags.get("datapact/held") == "silver/orders"
        materialized = instance.all_logs(
            refused_launch.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        )
        assert not materialized, materialized
        assert not instance.all_logs(
            refused_launch.run_id, of_type=dg.DagsterEventType.STEP_FAILURE
        )
        observations = instance.all_logs(
            refused_launch.run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION
        )
        descriptions = [_held_description(e) for e in observations]
        assert len(descriptions) == 1, descriptions
        assert descriptions[0].startswith("Refusing to build silver/orders"), descriptions
        evaluations = [
            e.dagster_event.event_specific_data
            for e in instance.all_logs(
                refused_launch.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
            )
            if e.dagster_event is not None
        ]
        assert [(c.check_name, c.passed) for c in evaluations] == [
            ("orders__contract_in_force", False)
        ]
        latest = instance.get_latest_materialization_event(SILVER_ORDERS)
        assert latest is not None and latest.run_id != refused_launch.run_id


def _held_description(entry: dg.EventLogEntry) -> str:
    """The description of the held observation the step recorded on silver/orders."""
    event = entry.dagster_event
    assert event is not None and event.step_key == "silver__orders"
    observation = event.event_specific_data.asset_observation
    assert observation.metadata["state"].value == "held"
    return observation.description or ""
