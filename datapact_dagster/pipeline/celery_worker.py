"""The Celery app a DataPact step worker runs: `celery -A datapact_dagster.pipeline.celery_worker
worker -Q dagster`. It takes its broker and result backend from the same variables as the
celery executor (DATAPACT_CELERY_BROKER_URL, DATAPACT_CELERY_BACKEND_URL), so the run that
submits a step and the worker that takes it always meet on the same queue.

Importing this module needs the `celery` extra; nothing else in DataPact imports it.
"""

from __future__ import annotations

import os
from typing import Any

from datapact_dagster.pipeline.celery_config import celery_app_args


def _worker_app() -> Any:
    from dagster_celery.executor import CeleryExecutor
    from dagster_celery.make_app import make_app
    from dagster_celery.tasks import create_task

    args = celery_app_args(os.environ)
    executor = CeleryExecutor.for_cli(**args)
    worker_app = make_app(executor.app_args())
    create_task(worker_app)
    return worker_app


app = _worker_app()
