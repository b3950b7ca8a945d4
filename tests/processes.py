"""Stopping the server processes tests start (webservers, daemons, workers) and all they forked."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop a process started with start_new_session and everything it started (webserver,
    daemon, code servers): SIGTERM first, then SIGKILL for whatever is left."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def project_env(**extra: str) -> dict[str, str]:
    """This process's environment without DataPact's or Dagster's settings (a test's project
    then uses its own folder's defaults), plus `extra`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATAPACT_", "DAGSTER_"))}
    return {**base, **extra}


def alerting_env(tmp: Path, project: Path, smtp_port: int, **extra: str) -> dict[str, str]:
    """A project's settings with every store under `tmp`, alerts mailed to a local SMTP sink
    on `smtp_port` after one attempt (`tmp/alerts.yaml` is written), plus `extra`."""
    (tmp / "alerts.yaml").write_text("retry: {attempts: 1}\n")
    return {
        "DATAPACT_PROJECT_DIR": str(project),
        "DATAPACT_STATE_DIR": str(tmp / "state"),
        "DAGSTER_HOME": str(tmp / "dagster_home"),
        "DATAPACT_WAREHOUSE_URL": f"duckdb:///{tmp / 'warehouse.duckdb'}",
        "DATAPACT_EVIDENCE_URL": f"sqlite:///{tmp / 'evidence.db'}",
        "DATAPACT_ALERTS_DB": str(tmp / "alerts.db"),
        "DATAPACT_ALERTS_FILE": str(tmp / "alerts.yaml"),
        "DATAPACT_SMTP_HOST": "127.0.0.1",
        "DATAPACT_SMTP_PORT": str(smtp_port),
        **extra,
    }


def run_datapact(cwd: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`datapact ARGS` in a fresh interpreter, as a user runs it, in `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "datapact_dagster.cli", *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=600,
    )
