"""Dagster entry point: the objects under defs/, plus project-wide resources and executor."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from datapact_dagster.defs.resources import DataPactResource
from datapact_dagster.pipeline.job_runner import progress_logger
from datapact_dagster.plan.project import load_project
from datapact_dagster.warehouse.dialects import for_url


def _executor() -> dg.ExecutorDefinition:
    # A single-writer warehouse admits one writer process: run steps in-process so parallel
    # steps never contend for its lock. Other warehouses take parallel steps.
    if for_url(load_project().settings.warehouse_url).single_writer:
        return dg.in_process_executor
    return dg.multiprocess_executor


@dg.definitions
def defs() -> dg.Definitions:
    project = load_project()
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(
            resources={"datapact": DataPactResource.from_settings(project.settings)},
            executor=_executor(),
            loggers={"console": dg.colored_console_logger, "progress_logger": progress_logger},
        ),
    )


# Module-level job factories, so `dagster.reconstructable` can rebuild the jobs in run workers.
def contract_pipeline_job() -> dg.JobDefinition:
    return defs().resolve_job_def("contract_pipeline")


def contract_checks_job() -> dg.JobDefinition:
    return defs().resolve_job_def("contract_checks")
