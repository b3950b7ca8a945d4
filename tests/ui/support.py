"""Helpers shared by the UI tests: ports, GraphQL, waiting for the webserver and the page."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def graphql(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST a query to the webserver's GraphQL endpoint and return its `data`."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"{url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.load(response)["data"])


def start_webserver(project_root: Path, env: dict[str, str], port: int) -> subprocess.Popen:
    """The Dagster webserver on 127.0.0.1:`port` for the project's workspace.yaml."""
    return subprocess.Popen(
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


def wait_for_webserver(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                return
        except OSError:
            time.sleep(1)
    pytest.fail(f"the Dagster webserver at {url} did not answer in time")


def wait_for_code_location(url: str, deadline: float) -> None:
    query = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"
    while time.monotonic() < deadline:
        entries = graphql(url, query)["workspaceOrError"]["locationEntries"]
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            return
        time.sleep(1)
    pytest.fail("the datapact code location did not load")


def body_text_with(
    page: Page,
    url: str,
    *needles: str,
    until: Callable[[str], bool] | None = None,
    timeout_s: float = 60,
) -> str:
    """Open `url` and wait until every needle is on the page and `until(text)` holds.

    The UI renders asynchronously: names appear before statuses, so a caller asserting on
    anything loaded later passes that assertion as `until` rather than checking once.
    """
    page.goto(url, wait_until="networkidle")
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        text = page.inner_text("body")
        if all(n in text for n in needles) and (until is None or until(text)):
            return text
        page.wait_for_timeout(500)
    missing = [n for n in needles if n not in text]
    raise AssertionError(
        f"{url} never showed {missing or 'the awaited state'}; it showed: {text[:800]}"
    )


def isolated_env(state: Path) -> dict[str, str]:
    """The caller's environment without any DATAPACT_* setting, all state under `state`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAPACT_")}
    env.update(
        DATAPACT_STATE_DIR=str(state),
        DAGSTER_HOME=str(state / "dagster_home"),
        DATAPACT_WAREHOUSE_URL=f"duckdb:///{state / 'warehouse.duckdb'}",
    )
    return env


def datapact_run(project_root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`datapact run --no-generate` as a user runs it, on the landing data already there."""
    return subprocess.run(
        [sys.executable, "-m", "datapact_dagster.cli", "run", "--no-generate"],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
