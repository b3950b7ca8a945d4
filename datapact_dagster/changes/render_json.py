"""The diff report as JSON (every field, plus each change's class)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from datapact_dagster.changes.kinds import ChangeClass
from datapact_dagster.changes.model import DiffReport
from datapact_dagster.plan.impact_report import impact_dict


def report_dict(report: DiffReport) -> dict[str, Any]:
    data = asdict(report)
    for diff, raw in zip(report.contracts, data["contracts"], strict=True):
        raw["highest_class"] = diff.highest_class
        for change, change_raw in zip(diff.changes, raw["changes"], strict=True):
            change_raw["class"] = change.klass.value
            change_raw["impact"] = impact_dict(change.impact) if change.impact else None
    data["summary"] = {k.value: report.count(k) for k in ChangeClass}
    data["errors"] = len(report.errors)
    return data


def render_json(report: DiffReport) -> str:
    return json.dumps(report_dict(report), indent=2, default=str) + "\n"
