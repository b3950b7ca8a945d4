"""The Dagster UI tells the same truth as `datapact status`, in every state of the breaker.

One story per module (builds and the webserver are slow), against a real `dagster-webserver`
on a temp instance, with `datapact` run as a user runs it: never run, a clean build (closed), a
build that breaks `raw_orders__order_id__unique` (open: raw_orders breached, its downstream
held), `datapact check` (the published raw_orders passes, its contract is still breached), a
fix run created but not started (half-open), then the fix (closed again). At each state the
breaker check `<table>__contract_in_force`, read through the UI's GraphQL, must agree with
`datapact status --format json`; headless Chromium shows what a user sees on the asset pages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from datapact_dagster.sample.generate import generate_landing
from tests.processes import run_datapact
from tests.ui.support import (
    body_text_with,
    datapact_run,
    free_port,
    graphql,
    isolated_env,
    start_webserver,
    wait_for_code_location,
    wait_for_webserver,
)

BREACHED_CHECK = "raw_orders__order_id__unique"
HELD = ["silver/orders", "gold/customer_profile", "gold/daily_revenue"]
SCREENS = Path(os.environ["DATAPACT_UI_SCREENS"]) if os.environ.get("DATAPACT_UI_SCREENS") else None
"""Where to keep the screenshots for people to look at (unset: the test's temp folder)."""

CHECK_EXECUTIONS = """
query ($assetKey: AssetKeyInput!, $checkName: String!) {
  assetCheckExecutions(assetKey: $assetKey, checkName: $checkName, limit: 10) {
    runId
    status
    evaluation {
      success
      description
      metadataEntries {
        label
        ... on TextMetadataEntry { text }
        ... on MarkdownMetadataEntry { mdStr }
      }
    }
  }
}
"""

CREATE_PENDING_RUN = """
import dagster as dg
from datapact_dagster import definitions as entry
job = dg.reconstructable(entry.contract_pipeline_job)
with dg.DagsterInstance.get() as instance:
    run = instance.create_run_for_job(
        job_def=job.get_definition(),
        job_code_origin=job.get_python_origin(),
        asset_selection=frozenset({dg.AssetKey(["bronze", "raw_orders"])}),
    )
    print(run.run_id)
"""

DELETE_RUN = """
import sys
import dagster as dg
with dg.DagsterInstance.get() as instance:
    instance.delete_run(sys.argv[1])
"""


@dataclass(frozen=True)
class Snapshot:
    """What `datapact status --format json` and the UI's GraphQL said at one point."""

    status: list[dict[str, Any]]
    executions: dict[str, list[dict[str, Any]]]
    """Per table ('bronze/raw_orders'): its breaker check's executions, newest first."""


@dataclass
class Story:
    url: str = ""
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    """Text a user sees on a page at a point of the story."""
    breach_run_id: str = ""
    clean_run_id: str = ""
    screens: dict[str, Path] = field(default_factory=dict)
    screens_dir: Path = Path()


def _cli(project_root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_datapact(project_root, env, *args)


def _python(project_root: Path, env: dict[str, str], code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=project_root,
        env={**env, "DATAPACT_PROJECT_DIR": str(project_root)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def _run_id(output: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith("run "))
    return line.split()[1]


def _status(project_root: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    done = _cli(project_root, env, "status", "--format", "json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return list(json.loads(done.stdout))


def _snapshot(project_root: Path, env: dict[str, str], url: str) -> Snapshot:
    status = _status(project_root, env)
    executions = {}
    for row in status:
        path = row["table"]
        name = path.split("/")[-1]
        data = graphql(
            url,
            CHECK_EXECUTIONS,
            {"assetKey": {"path": path.split("/")}, "checkName": f"{name}__contract_in_force"},
        )
        executions[path] = data["assetCheckExecutions"]
    return Snapshot(status, executions)


@pytest.fixture(scope="module")
def story(
    project_root: Path, tmp_path_factory: pytest.TempPathFactory, browser: Browser
) -> Iterator[Story]:
    state = tmp_path_factory.mktemp("ui-truth")
    screens = SCREENS or state / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    env = isolated_env(state)
    landing = state / "landing"
    generate_landing(landing, rows=2000, seed=3)
    story = Story(screens_dir=screens)
    never = _status(project_root, env)  # also writes the Dagster home the webserver reads
    assert {r["state"] for r in never} == {"never run"}
    nux = state / "dagster_home" / ".nux"
    nux.mkdir(parents=True, exist_ok=True)
    (nux / "nux.yaml").write_text("seen: 1\n")
    port = free_port()
    server = start_webserver(project_root, env, port)
    story.url = url = f"http://127.0.0.1:{port}"
    page = browser.new_page(viewport={"width": 1600, "height": 1400})
    try:
        deadline = time.monotonic() + 180
        wait_for_webserver(url, deadline)
        wait_for_code_location(url, deadline)
        story.snapshots["never run"] = _snapshot(project_root, env, url)

        clean = datapact_run(project_root, env)
        assert clean.returncode == 0, clean.stdout + clean.stderr
        story.clean_run_id = _run_id(clean.stdout)
        story.snapshots["closed"] = _snapshot(project_root, env, url)

        generate_landing(landing, rows=2000, seed=3, breaches=["duplicate_key"])
        breached = datapact_run(project_root, env)
        assert breached.returncode == 1, breached.stdout + breached.stderr
        story.breach_run_id = _run_id(breached.stdout)
        story.snapshots["open"] = _snapshot(project_root, env, url)
        _visit(
            story,
            page,
            "held orders",
            "assets/silver/orders?view=checks&checkDetail=orders__contract_in_force",
            "Held",
        )
        _visit(story, page, "held orders overview", "assets/silver/orders", "Latest check results")
        _visit(story, page, "breached events", "assets/bronze/raw_orders?view=events", "breached")

        checked = _cli(project_root, env, "check")
        assert checked.returncode in (0, 1), checked.stdout + checked.stderr
        story.pages["datapact check output"] = checked.stdout
        story.snapshots["checked"] = _snapshot(project_root, env, url)
        _visit(
            story,
            page,
            "breached checks",
            "assets/bronze/raw_orders?view=checks&checkDetail=raw_orders__contract_in_force",
            "passes",
        )

        pending = _python(project_root, env, CREATE_PENDING_RUN)
        story.snapshots["half-open"] = _snapshot(project_root, env, url)
        _python(project_root, env, DELETE_RUN, pending)

        generate_landing(landing, rows=2000, seed=3)
        fixed = datapact_run(project_root, env)
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        story.snapshots["recovered"] = _snapshot(project_root, env, url)
        _visit(
            story,
            page,
            "recovered checks",
            "assets/bronze/raw_orders?view=checks&checkDetail=raw_orders__contract_in_force",
            "in force",
        )
        _visit(
            story,
            page,
            "recovered orders",
            "assets/silver/orders?view=checks&checkDetail=orders__contract_in_force",
            "in force",
        )
        yield story
    finally:
        page.close()
        server.terminate()
        server.wait(timeout=30)


def _visit(story: Story, page: Page, name: str, path: str, needle: str) -> None:
    """Open a page, wait for `needle`, keep its text and a screenshot under `name`."""
    try:
        text = body_text_with(page, f"{story.url}/{path}", needle, timeout_s=60)
    except AssertionError:  # the test reading this page says what was missing
        text = page.inner_text("body")
    story.pages[name] = text
    shot = story.screens_dir / (name.replace(" ", "-") + ".png")
    page.screenshot(path=str(shot), full_page=True)
    story.screens[name] = shot


def _ui_words(executions: list[dict[str, Any]]) -> tuple[str, str]:
    """(state, breaker) as the UI shows them through the breaker check."""
    completed = [e for e in executions if e["status"] in ("SUCCEEDED", "FAILED")]
    if not completed:
        return "never run", "never run"
    meta = {m["label"]: m.get("text") for m in completed[0]["evaluation"]["metadataEntries"]}
    breaker = meta["breaker"]
    if executions[0]["status"] == "IN_PROGRESS" and breaker == "open":
        breaker = "half-open"
    return meta["state"], breaker


def _status_words(status: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """(state, breaker) per table as `datapact status` says them; a table a breached table
    holds is 'held' (status lists it under the breached table's 'holding')."""
    holding = {table for row in status for table in row["holding"]}
    return {
        row["table"]: (
            "held" if row["table"] in holding and row["state"] == "healthy" else row["state"],
            row["breaker"],
        )
        for row in status
    }


@pytest.mark.parametrize(
    "point", ["never run", "closed", "open", "checked", "half-open", "recovered"]
)
def test_ui_and_status_agree(story: Story, point: str) -> None:
    snapshot = story.snapshots[point]
    ui = {table: _ui_words(runs) for table, runs in snapshot.executions.items()}
    assert ui == _status_words(snapshot.status)


def test_the_breaker_states_are_the_expected_ones(story: Story) -> None:
    raw = {p: _status_words(s.status)["bronze/raw_orders"] for p, s in story.snapshots.items()}
    assert raw == {
        "never run": ("never run", "never run"),
        "closed": ("healthy", "closed"),
        "open": ("breached", "open"),
        "checked": ("breached", "open"),
        "half-open": ("breached", "half-open"),
        "recovered": ("healthy", "closed"),
    }
    held = _status_words(story.snapshots["open"].status)
    assert [t for t in HELD if held[t][0] == "held"] == HELD


def test_held_tables_are_held_with_the_reason_not_failed_checks(story: Story) -> None:
    checks = story.pages["held orders"]
    assert "Execution failed" not in checks
    assert "orders__contract_in_force" in checks
    assert "Held: upstream commerce.raw_orders" in checks
    assert BREACHED_CHECK in checks
    assert story.breach_run_id in checks


def test_check_only_run_still_shows_the_breached_contract(story: Story) -> None:
    runs = story.snapshots["checked"].executions["bronze/raw_orders"]
    latest = runs[0]["evaluation"]
    assert latest is not None and latest["success"] is False
    description = latest["description"]
    assert f"the published data (run {story.clean_run_id}) passes" in description
    assert f"the latest delivery (run {story.breach_run_id}) was rejected" in description
    page = story.pages["breached checks"]
    assert "raw_orders__contract_in_force" in page and "passes" in page
    assert "the published data (run" in story.pages["datapact check output"]


def test_evidence_markdown_is_on_the_asset_page(story: Story) -> None:
    page = story.pages["breached events"]
    assert "Evidence for" in page and "Failing checks" in page
    assert BREACHED_CHECK in page and "quarantine" in page
    assert "Evidence chain head" in page


def test_after_recovery_everything_is_green(story: Story) -> None:
    snapshot = story.snapshots["recovered"]
    for table, runs in snapshot.executions.items():
        assert runs[0]["status"] == "SUCCEEDED", (table, runs[0])
    assert {r["state"] for r in snapshot.status} == {"healthy"}
    for name in ("recovered checks", "recovered orders"):
        assert "Failed" not in story.pages[name] and "Execution failed" not in story.pages[name]
