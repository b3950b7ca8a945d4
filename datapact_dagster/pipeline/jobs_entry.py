"""Module-level job factories, so `dagster.reconstructable` can rebuild them in run workers."""

from __future__ import annotations

import dagster as dg


def contract_pipeline_job() -> dg.JobDefinition:
    from datapact_dagster.definitions import defs

    return defs().resolve_job_def("contract_pipeline")


def contract_checks_job() -> dg.JobDefinition:
    from datapact_dagster.definitions import defs

    return defs().resolve_job_def("contract_checks")
