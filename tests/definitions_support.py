"""Dagster definitions built for the project a test sets up, not for whichever project an
earlier test in the same process imported them for (defs modules build their objects at
import time, from the project the environment names)."""

from __future__ import annotations

import sys

from datapact_dagster.plan.project import load_project


def forget_definitions() -> None:
    """Drop the project plan and the imported Dagster modules that build objects at import
    (assets, schedules, sensors), so the next import builds them for the current project. The
    resource class stays, so resources made by a test keep matching the assets."""
    load_project.cache_clear()
    for name in list(sys.modules):
        if name == "datapact_dagster.definitions" or (
            name.startswith("datapact_dagster.defs.") and name != "datapact_dagster.defs.resources"
        ):
            del sys.modules[name]
