"""CheckResult -> Dagster AssetCheckResult, with the metadata people need to act on a failure."""

from __future__ import annotations

import json
from typing import Any

import dagster as dg

from datapact_dagster import metadata_keys as mk
from datapact_dagster.checks.result import CheckResult, Verdict

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
        mk.SUMMARY: dg.MetadataValue.text(result.summary),
        mk.VERDICT: dg.MetadataValue.text(result.verdict.value),
        mk.SEVERITY: dg.MetadataValue.text(spec.severity),
        mk.CONTRACT: dg.MetadataValue.text(f"{spec.contract_id} v{spec.contract_version}"),
    }
    if result.observed is not None:
        meta[mk.OBSERVED] = dg.MetadataValue.json(_jsonable({"value": result.observed}))
    if result.element_count is not None:
        meta[mk.ROWS_CHECKED] = dg.MetadataValue.int(result.element_count)
    if result.unexpected_count is not None:
        meta[mk.UNEXPECTED_COUNT] = dg.MetadataValue.int(result.unexpected_count)
    if result.unexpected_percent is not None:
        meta[mk.UNEXPECTED_PERCENT] = dg.MetadataValue.float(float(result.unexpected_percent))
    if result.threshold:
        meta[mk.THRESHOLD] = dg.MetadataValue.text(result.threshold)
    if result.samples:
        meta[mk.FAILING_SAMPLES] = dg.MetadataValue.json(_jsonable(list(result.samples)))
    if result.expectation_type:
        meta[mk.GX_EXPECTATION] = dg.MetadataValue.json(
            _jsonable({"type": result.expectation_type, "kwargs": result.expectation_kwargs})
        )
    if result.error:
        meta[mk.ERROR] = dg.MetadataValue.text(result.error)
    return meta


def to_check_result(result: CheckResult, asset_key: dg.AssetKey) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=result.key,
        passed=result.verdict is Verdict.PASS,
        severity=_SEVERITY[result.spec.severity],
        description=result.summary,
        metadata=check_metadata(result),
    )
