"""ODCS v3.0.x documents read as the v3.1 model: what v3.0 wrote differently.

v3.0 has one `date` logical type for dates, times and timestamps (v3.1 split it); the column's
`physicalType` tells which one it is. v3.0 library rules (`rule:`) are read in build_quality.
"""

from __future__ import annotations

import copy
import re
from typing import Any

V3_0_VERSIONS = ("v3.0.0", "v3.0.1", "v3.0.2")
_TIMESTAMP = re.compile(r"timestamp|datetime", re.IGNORECASE)
_TIME = re.compile(r"^\s*time\b", re.IGNORECASE)


def refined_date_type(physical_type: Any) -> str:
    """The v3.1 logical type of a v3.0 `date` column with this physicalType."""
    text = str(physical_type or "")
    if _TIMESTAMP.search(text):
        return "timestamp"
    if _TIME.search(text):
        return "time"
    return "date"


def as_v3_1(data: dict[str, Any]) -> dict[str, Any]:
    """A v3.0.x document with each `date` column's logical type refined; others unchanged."""
    if data.get("apiVersion") not in V3_0_VERSIONS or not isinstance(data.get("schema"), list):
        return data
    upgraded = copy.deepcopy(data)
    for obj in upgraded["schema"]:
        for prop in (obj.get("properties") or []) if isinstance(obj, dict) else []:
            if isinstance(prop, dict) and prop.get("logicalType") == "date":
                prop["logicalType"] = refined_date_type(prop.get("physicalType"))
    return upgraded
