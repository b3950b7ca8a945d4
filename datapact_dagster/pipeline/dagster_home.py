"""The Dagster instance DataPact runs against: its home folder and the config written there."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from datapact_dagster.errors import EXIT_SYSTEM_ERROR, UserError
from datapact_dagster.settings import Settings


def prepare_dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME under the project state folder, so runs survive and show in the UI."""
    home = settings.dagster_home
    with dagster_storage_errors(home):
        home.mkdir(parents=True, exist_ok=True)
        config = home / "dagster.yaml"
        if not config.exists():
            config.write_text(
                "# Written by DataPact. SQLite storage in this folder; "
                "see README for server storage.\n"
                "telemetry:\n  enabled: false\n"
                "concurrency:\n  pools:\n    default_limit: 1\n"
            )
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@contextmanager
def dagster_storage_errors(home: Path) -> Iterator[None]:
    """A Dagster home that cannot be created or written (permissions, a full disk, a file in
    the way) is a system fault: one line naming the folder and the cause, exit 3."""
    try:
        yield
    except (OSError, sqlite3.Error, sa.exc.OperationalError) as exc:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        raise UserError(
            f"Dagster's storage in {home} cannot be used: {cause}. Check that the folder is "
            "writable and its disk has space (DAGSTER_HOME sets another folder).",
            EXIT_SYSTEM_ERROR,
        ) from exc
