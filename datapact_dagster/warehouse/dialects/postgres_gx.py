"""GX's SQL engine for PostgreSQL, as DataPact runs it, and the fluent data source using it.

Importing this module imports GX; import it lazily (`WarehouseDialect.register_gx`).

The engine is GX's own with one change to how a batch of ready metrics is resolved (what is
computed, and every value, stay GX's): the queries of one batch run on
`POSTGRES.check_connections` pooled connections at once (at most that many in the process).
PostgreSQL runs each connection in its own server process, so independent scans (the aggregate
counts, each uniqueness aggregate, each rows query, each sample query) overlap instead of
queueing.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from great_expectations.datasource.fluent.postgres_datasource import PostgresDatasource
from great_expectations.execution_engine import SqlAlchemyExecutionEngine

from datapact_dagster.warehouse.dialects.postgres import POSTGRES


class PostgresExecutionEngine(SqlAlchemyExecutionEngine):
    # shared by every engine of the process: the validations of one check step run at once too,
    # and each server connection costs memory of its own
    _query_slots = threading.BoundedSemaphore(POSTGRES.check_connections)

    def _process_direct_and_bundled_metric_computation_configurations(
        self,
        metric_fn_direct_configurations: list[Any],
        metric_fn_bundle_configurations: list[Any],
    ) -> dict[Any, Any]:
        resolve = super()._process_direct_and_bundled_metric_computation_configurations

        def process(direct: list[Any], bundle: list[Any]) -> dict[Any, Any]:
            with self._query_slots:
                return resolve(direct, bundle)

        with ThreadPoolExecutor(max_workers=POSTGRES.check_connections) as pool:
            jobs = [
                pool.submit(process, [], metric_fn_bundle_configurations),
                *(pool.submit(process, [c], []) for c in metric_fn_direct_configurations),
            ]
        resolved: dict[Any, Any] = {}
        for job in jobs:  # all done: the first failure is reported, as GX does
            resolved.update(job.result())
        return resolved


class DataPactPostgresDatasource(PostgresDatasource):
    type: Literal["datapact_postgres"] = "datapact_postgres"  # type: ignore[assignment]

    @property
    def execution_engine_type(self) -> type[SqlAlchemyExecutionEngine]:
        return PostgresExecutionEngine
