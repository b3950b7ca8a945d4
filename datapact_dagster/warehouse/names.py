"""Names of the schemas and relations DataPact keeps in the warehouse besides published tables."""

from __future__ import annotations

import re

LANDING_SCHEMA = "landing"
"""Landing files are readable as `landing.<name>` in bronze SQL."""
QUARANTINE_SCHEMA = "quarantine"
QUARANTINE_INDEX = f"{QUARANTINE_SCHEMA}.dp_quarantine_index"
STAGING_SUFFIX = "__dp_staging"
PREVIOUS_SUFFIX = "__dp_previous"


def staging_name(physical_name: str) -> str:
    return physical_name + STAGING_SUFFIX


def previous_name(physical_name: str) -> str:
    return physical_name + PREVIOUS_SUFFIX


def quarantine_name(table: str, run_id: str) -> str:
    return f"{QUARANTINE_SCHEMA}.{table}__{re.sub(r'[^a-z0-9]', '', run_id.lower())[:12]}"
