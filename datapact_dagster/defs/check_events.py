"""CheckResult -> Dagster AssetCheckResult, with the metadata people need to act on a failure."""

from __future__ import annotations

import json
from typing import Any

import dagster as dg

from datapact_dagster.checks.result import CheckResult

_SEVERITY = {
    "error": dg.AssetCheckSeverity.ERROR,
    "warning": dg.AssetCheckSeverity.WARN,
    "info": dg.AssetCheckSeverity.WARN,
}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def check_metadata(result: CheckResult) -> dict[str, dg.MetadataValue]:
    spec = result.spec
    meta: dict[str, dg.MetadataValue] = {
        "summary": dg.MetadataValue.text(result.summary),
        "verdict": dg.MetadataValue.text(result.verdict),
        "severity": dg.MetadataValue.text(spec.severity),
        "contract": dg.MetadataValue.text(f"{spec.contract_id} v{spec.contract_version}"),
    }
    if result.observed is not None:
        meta["observed"] = dg.MetadataValue.json(_jsonable({"value": result.observed}))
    if result.element_count is not None:
        meta["rows_checked"] = dg.MetadataValue.int(result.element_count)
    if result.unexpected_count is not None:
        meta["unexpected_count"] = dg.MetadataValue.int(result.unexpected_count)
    if result.unexpected_percent is not None:
        meta["unexpected_percent"] = dg.MetadataValue.float(float(result.unexpected_percent))
    if result.threshold:
        meta["threshold"] = dg.MetadataValue.text(result.threshold)
    if result.samples:
        meta["failing_samples"] = dg.MetadataValue.json(_jsonable(list(result.samples)))
    if result.expectation_type:
        meta["gx_expectation"] = dg.MetadataValue.json(
            _jsonable({"type": result.expectation_type, "kwargs": result.expectation_kwargs})
        )
    if result.error:
        meta["error"] = dg.MetadataValue.text(result.error)
    return meta


def to_check_result(result: CheckResult, asset_key: dg.AssetKey) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=result.key,
        passed=result.verdict == "pass",
        severity=_SEVERITY[result.spec.severity],
        description=result.summary,
        metadata=check_metadata(result),
    )
