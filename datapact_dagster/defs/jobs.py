"""The build job (every table, bronze -> silver -> gold) and the check-only monitoring job.

Neither selects a retired contract's tables: those are no longer built or checked.
"""

from __future__ import annotations

import dagster as dg

from datapact_dagster import metadata_keys as mk

retired_tables = dg.AssetSelection.tag(mk.CONTRACT_STATUS_TAG, "retired")

contract_pipeline = dg.define_asset_job(
    name="contract_pipeline",
    selection=dg.AssetSelection.all() - retired_tables,
    description=(
        "Build every contract table with write-audit-publish and all its checks. Retired "
        "contracts' tables are not built; a draft's table is built only when a run selects it."
    ),
)

contract_checks = dg.define_asset_job(
    name="contract_checks",
    selection=dg.AssetSelection.all_asset_checks() - retired_tables,
    description="Re-validate the published tables against their contracts without rebuilding.",
)
