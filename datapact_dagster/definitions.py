"""Dagster entry point: the objects under defs/, plus project-wide resources and executor."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from datapact_dagster.defs.executors import run_executor
from datapact_dagster.defs.resources import DataPactResource
from datapact_dagster.pipeline.job_runner import progress_logger
from datapact_dagster.plan.project import load_project


@dg.definitions
def defs() -> dg.Definitions:
    project = load_project()
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(
            resources={"datapact": DataPactResource.from_settings(project.settings)},
            executor=run_executor(project.settings.warehouse_url),
            loggers={"console": dg.colored_console_logger, "progress_logger": progress_logger},
        ),
    )


# Module-level job factories, so `dagster.reconstructable` can rebuild the jobs in run workers.
def contract_pipeline_job() -> dg.JobDefinition:
    return defs().resolve_job_def("contract_pipeline")


def contract_checks_job() -> dg.JobDefinition:
    return defs().resolve_job_def("contract_checks")
