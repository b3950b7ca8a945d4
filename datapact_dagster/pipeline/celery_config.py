"""Where DataPact's Celery executor and its step workers meet: the broker and result backend
variables, and the Celery settings both sides use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BROKER_ENV = "DATAPACT_CELERY_BROKER_URL"
BACKEND_ENV = "DATAPACT_CELERY_BACKEND_URL"


def celery_app_args(env: Mapping[str, str]) -> dict[str, Any]:
    """Broker, backend and Celery settings, shared by the executor and the workers."""
    broker = env.get(BROKER_ENV, "").strip()
    if not broker:
        raise RuntimeError(f"{BROKER_ENV} is not set: the worker does not know its broker")
    return {
        "broker": broker,
        "backend": env.get(BACKEND_ENV, "").strip() or broker,
        # A worker reserves only the step it runs, so a second ready step goes to an idle worker.
        "config_source": {"task_acks_late": True, "worker_prefetch_multiplier": 1},
    }
