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
}
PROPERTY_KEYS: dict[str, str] = {
    "pii": "true/false: mark a column as personal data (masked in samples), besides tags: [pii]",
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


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_CRON_FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_NAMES = (
    {},
    {},
    {},
    {m: i + 1 for i, m in enumerate(_MONTHS)},
    {d: i for i, d in enumerate(_WEEKDAYS)},
)


def is_valid_cron(text: str) -> bool:
    """Five-field cron (minute hour day month weekday), as Dagster schedules accept."""
    fields = text.split()
    if len(fields) != 5:
        return False
    for field, (low, high), names in zip(fields, _CRON_FIELDS, _CRON_NAMES, strict=True):
        for item in field.split(","):
            base, _, step = item.partition("/")
            if step and not (step.isdigit() and int(step) > 0):
                return False
            if base == "*":
                continue
            bounds = [names.get(b.lower(), b) for b in base.split("-")]
            if len(bounds) > 2 or not all(str(b).isdigit() for b in bounds):
                return False
            numbers = [int(b) for b in bounds]
            if not all(low <= n <= high for n in numbers) or numbers != sorted(numbers):
                return False
    return True


def check_cron(value: Any, path: DocPath, out: FindingCollector) -> str | None:
    if not isinstance(value, str) or not is_valid_cron(value):
        out.add(
            path,
            f"{value!r} is not a valid cron expression",
            "use five cron fields, e.g. '0 6 * * *' for 06:00 every day",
            code="cron",
        )
        return None
    return value
