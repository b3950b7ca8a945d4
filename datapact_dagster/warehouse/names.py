"""Names of the schemas and relations DataPact keeps in the warehouse besides published tables."""

from __future__ import annotations

import re

LANDING_SCHEMA = "landing"
"""Landing files are readable as `landing.<name>` in bronze SQL."""
QUARANTINE_SCHEMA = "quarantine"
QUARANTINE_INDEX = f"{QUARANTINE_SCHEMA}.dp_quarantine_index"
VERSION_INDEX = f"{QUARANTINE_SCHEMA}.dp_version_index"
"""The published versions kept for rollback: housekeeping next to the quarantine index."""
MONITORING_SCHEMA = "monitoring"
"""Each run's table metrics and the monitoring views over them (docs/monitoring.md)."""
STAGING_SUFFIX = "__dp_staging"
VERSION_SUFFIX = "__dp_v"
VERSION_TOKEN_LENGTH = 8
"""A kept version is `<table>__dp_v<8 characters>`: 14 bytes, within what names leave free."""


def staging_name(physical_name: str) -> str:
    return physical_name + STAGING_SUFFIX


def version_name(physical_name: str, token: str) -> str:
    """Where a kept published version of `physical_name` lives (same schema: a rename away)."""
    return f"{physical_name}{VERSION_SUFFIX}{token[:VERSION_TOKEN_LENGTH]}"


def quarantine_name(table: str, run_id: str) -> str:
    return f"{QUARANTINE_SCHEMA}.{table}__{re.sub(r'[^a-z0-9]', '', run_id.lower())[:12]}"
