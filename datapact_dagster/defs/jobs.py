"""The build job (every table, bronze -> silver -> gold) and the check-only monitoring job."""

from __future__ import annotations

import dagster as dg

contract_pipeline = dg.define_asset_job(
    name="contract_pipeline",
    selection=dg.AssetSelection.all(include_sources=False),
    description="Build every contract table with write-audit-publish and all its checks.",
)

contract_checks = dg.define_asset_job(
    name="contract_checks",
    selection=dg.AssetSelection.all_asset_checks(),
    description="Re-validate the published tables against their contracts without rebuilding.",
)
