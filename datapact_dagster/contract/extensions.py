"""DataPact's extensions to ODCS. They live only under `customProperties`, with these keys.

Documented for users in docs/contracts.md; keep the two in step.
"""

from __future__ import annotations

import difflib
from typing import Any

from datapact_dagster.contract.findings import DocPath, FindingCollector

CONTRACT_KEYS: dict[str, str] = {
    "consumers": "list of {team, useCase, columns, contact}: who depends on this data",
    "schedule": "cron expression for the build schedule "
    "(default: daily, from slaProperties frequency)",
    "checkSchedule": "cron expression for the check-only monitoring job (default: hourly)",
    "retirementDate": "YYYY-MM-DD: when a deprecated contract will be (or a retired one was) "
    "retired; named in the weekly deprecation alert",
    "replacedBy": "id of the contract consumers of a deprecated or retired one should move to",
}
TABLE_KEYS: dict[str, str] = {
    "layer": "bronze, silver or gold: the table's layer when physicalName is the table's real "
    "name rather than <layer>.<table>",
    "volumeAnomaly": "true or {metric: rowCount|rowDelta, direction, severity, history, "
    "minHistory, sensitivity, seasonality}: judge the row count against its history",
    "freshnessAnomaly": "true or {direction, severity, history, minHistory, sensitivity, "
    "seasonality}: judge the freshness lag (needs a freshness SLA) against its history",
    "partitioning": "{column, grain: daily|hourly, start}: build and check the table one time "
    "window at a time (docs/incremental.md)",
}
PROPERTY_KEYS: dict[str, str] = {
    "pii": "true/false: mark a column as personal data (masked in samples), besides tags: [pii]",
    "nullRateAnomaly": "true or {direction, severity, history, minHistory, sensitivity, "
    "seasonality}: judge the column's null rate against its history",
}
CONSUMER_FIELDS = {"team", "useCase", "columns", "contact"}
DATAPACT_VENDOR = "datapact"


def read_custom_properties(
    items: list[dict[str, Any]] | None,
    allowed: dict[str, str],
    path: DocPath,
    out: FindingCollector,
) -> dict[str, Any]:
    """DataPact's keys from an ODCS customProperties list; unknown keys of other vendors pass."""
    found: dict[str, Any] = {}
    for index, item in enumerate(items or []):
        key = item.get("property")
        item_path = (*path, index, "property")
        if key in allowed:
            found[key] = item.get("value")
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.75)
        if item.get("vendor") == DATAPACT_VENDOR or close:
            hint = f"did you mean '{close[0]}'? " if close else ""
            out.add(
                item_path,
                f"'{key}' is not a DataPact customProperties key",
                f"{hint}documented keys here: {', '.join(sorted(allowed))}",
                code="unknown-extension",
            )
    return found


def is_valid_cron(text: str) -> bool:
    """Whether Dagster can run `text` as a schedule: its own check, so '@daily' is accepted and
    a date that never comes ('0 6 31 2 *') is refused. Dagster is imported only when needed."""
    from dagster._utils.schedules import is_valid_cron_schedule

    return is_valid_cron_schedule(text)


def check_cron(value: Any, path: DocPath, out: FindingCollector) -> str | None:
    if not isinstance(value, str) or not is_valid_cron(value):
        out.add(
            path,
            f"{value!r} is not a valid cron expression",
            "use a cron Dagster can run: five fields such as '0 6 * * *' (06:00 every day) "
            "or a macro such as '@daily'",
            code="cron",
        )
        return None
    return value
