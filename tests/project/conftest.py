"""Helpers for the own-project tests: a `datapact` command run as a user would, in a clean env."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import pytest

CLEARED_PREFIXES = ("DATAPACT_", "DAGSTER_")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a new user: no DataPact or Dagster settings, no active venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(CLEARED_PREFIXES) and k != "VIRTUAL_ENV"
    }
    return {**env, **extra}


def run_command(
    command: Sequence[str], cwd: Path, timeout: float = 600, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=cwd,
        env=clean_env(**extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LOCATIONS_QUERY = (
    b'{"query": "{ workspaceOrError { __typename ... on Workspace { locationEntries { name '
    b'locationOrLoadError { __typename ... on PythonError { message } } } } } }"}'
)


def wait_for_loaded_location(port: int, process: subprocess.Popen, deadline_s: float) -> dict:
    """Poll the webserver's GraphQL until a code location has loaded (or failed to load)."""
    deadline = time.monotonic() + deadline_s
    last: object = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the UI process exited with {process.returncode} before answering")
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/graphql",
                data=LOCATIONS_QUERY,
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                last = json.loads(response.read())
            entries = last["data"]["workspaceOrError"]["locationEntries"]
            if entries and all(e["locationOrLoadError"] for e in entries):
                return last
        except (OSError, KeyError, TypeError, ValueError) as exc:
            last = exc
        time.sleep(1)
    pytest.fail(f"no code location loaded within {deadline_s:.0f}s; last answer: {last}")
