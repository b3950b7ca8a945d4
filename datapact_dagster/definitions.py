"""Dagster entry point: the objects under defs/, plus project-wide resources and executor."""

from __future__ import annotations

import warnings

import dagster as dg

from datapact_dagster import defs as defs_package
from datapact_dagster.defs.executors import run_executor
from datapact_dagster.defs.resources import DataPactResource
from datapact_dagster.pipeline.job_runner import progress_logger
from datapact_dagster.plan.project import load_project


def _defs_package() -> dg.Definitions:
    # Found from the package itself: installed into site-packages there is no pyproject.toml for
    # Dagster's defs-folder loader to start from.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return dg.load_definitions_from_package_module(defs_package)


@dg.definitions
def defs() -> dg.Definitions:
    project = load_project()
    return dg.Definitions.merge(
        _defs_package(),
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
