"""Run a DataPact GX suite against one warehouse relation and read back CheckResults.

GX runs with its SQL execution engine (pushdown); no table is pulled into pandas. When this
process has a GX worker (gx_worker.py) the worker validates the suite, else this process does.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from typing import Any

import sqlalchemy as sa

from datapact_dagster.checks.gx_context import ephemeral_context, gx, table_batch
from datapact_dagster.checks.gx_outcomes import Outcome, SuiteRun, could_not_validate, first_line
from datapact_dagster.checks.gx_suite import (
    UNEXPECTED_ROWS,
    build_suite,
    relations_read,
)
from datapact_dagster.checks.gx_worker import SuiteRequest, current_gx_worker
from datapact_dagster.checks.result import MAX_SAMPLES, CheckResult
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.warehouse.dialects import for_engine

# BASIC carries every figure DataPact reads (counts, percent, observed value, samples); SUMMARY
# would add per-value counts and index lists nobody reads, each one more query.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": MAX_SAMPLES}
# An UnexpectedRowsExpectation reports the rows it fetched only in COMPLETE format; it computes
# them in every format, so asking for them costs nothing and spares a query for samples.
UNEXPECTED_ROWS_FORMAT = {"result_format": "COMPLETE"}


def run_suite(
    specs: list[CheckSpec],
    relation: str,
    engine: sa.Engine,
    *,
    published: Mapping[str, str],
    pii_columns: Collection[str],
) -> list[CheckResult]:
    """Evaluate the GX-backed `specs` (all of one table) on `relation`, in spec order."""
    if not specs:
        return []
    suite_dict = build_suite(specs[0].table, specs, engine.dialect.name, published)
    configs = {e["meta"]["datapact_key"]: e for e in suite_dict["expectations"]}
    run = SuiteRun(relation, engine, pii_columns)
    reads = relations_read(specs, relation, published)
    outcomes = _validated_by_worker(suite_dict, relation, engine, reads)
    if outcomes is None:
        with for_engine(engine).check_limits(engine, reads) as connections:
            try:
                outcomes = validate_suite(suite_dict, relation, engine, connections)
            except Exception as exc:  # GX failed as a whole (e.g. the relation is missing)
                outcomes = _failed(configs, could_not_validate(relation, exc))
    return [run.check_result(spec, configs[spec.key], outcomes[spec.key]) for spec in specs]


def _failed(keys: Collection[str], message: str) -> dict[str, Outcome]:
    return {key: Outcome(False, {}, message) for key in keys}


def _validated_by_worker(
    suite_dict: dict[str, Any], relation: str, engine: sa.Engine, reads: Collection[str] | None
) -> dict[str, Outcome] | None:
    """The suite's outcomes from this process's GX worker (gx_worker.py), or None when there is
    none or it could not answer."""
    worker = current_gx_worker()
    if worker is None or not for_engine(engine).release_to_other_process(engine):
        return None
    url = engine.url.render_as_string(hide_password=False)
    reads = None if reads is None else tuple(reads)
    reply = worker.validate(SuiteRequest(suite_dict, relation, url, reads))
    if reply is None:
        return None
    if reply.outcomes is None:
        keys = [e["meta"]["datapact_key"] for e in suite_dict["expectations"]]
        return _failed(keys, reply.failure or "unknown error")
    return {key: Outcome(*fields) for key, fields in reply.outcomes.items()}


def validate_suite(
    suite_dict: dict[str, Any], relation: str, engine: sa.Engine, connections: int = 1
) -> dict[str, Outcome]:
    """GX's outcome for each expectation of `suite_dict` on `relation`, by datapact_key; raises
    when GX cannot validate the suite as a whole."""
    great_expectations = gx()
    ephemeral_context()
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    outcomes: dict[str, Outcome] = {}
    expectations = []
    for config in copy.deepcopy(suite_dict["expectations"]):
        try:
            expectations.append(ExpectationConfiguration(**config).to_domain_obj())
        except Exception as exc:
            key = config["meta"]["datapact_key"]
            outcomes[key] = Outcome(False, {}, f"invalid expectation: {first_line(exc)}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TableAsset schema_name
        batch = table_batch(engine, relation)
    # two runs of one suite, split by the result format each expectation kind reports best in
    by_format: dict[str, list[Any]] = {"rows": [], "map": []}
    for expectation in expectations:
        by_format["rows" if expectation.expectation_type == UNEXPECTED_ROWS else "map"].append(
            expectation
        )

    parts = [
        (
            great_expectations.ExpectationSuite(
                name=suite_dict["name"], expectations=by_format[part], meta=dict(suite_dict["meta"])
            ),
            result_format,
        )
        for part, result_format in (("map", RESULT_FORMAT), ("rows", UNEXPECTED_ROWS_FORMAT))
        if by_format[part]
    ]
    if connections == 1 or len(parts) == 1:  # a thread would only add its start-up
        validations = _validate_in_turn(batch, parts)
    else:
        validations = _validate_beside(batch, parts, connections)
    for validation in validations:
        for r in validation.results:
            key = r.expectation_config.meta["datapact_key"]
            outcomes[key] = Outcome(
                bool(r.success), dict(r.result or {}), _exception_message(r.exception_info)
            )
    return outcomes


def _validate_beside(
    batch: Any, parts: list[tuple[Any, dict[str, Any]]], connections: int
) -> list[Any]:
    """The first part validated in this thread, the others meanwhile on up to `connections - 1`
    more, each with a validator of its own (a validator has one result format): the parts are
    independent, and the others' queries run while this thread plans its part."""
    first, *others = parts
    with ThreadPoolExecutor(max_workers=min(len(others), connections - 1)) as pool:
        jobs = [  # each in a copy of this context: the check run's column memo
            pool.submit(copy_context().run, batch.validate, suite, result_format=result_format)
            for suite, result_format in others
        ]
        validations = [batch.validate(first[0], result_format=first[1])]
        return validations + [job.result() for job in jobs]


def _validate_in_turn(batch: Any, parts: list[tuple[Any, dict[str, Any]]]) -> list[Any]:
    """Each (suite, result format) validated in turn by one GX validator: it reads the batch
    once and keeps the metrics the parts share (row count, columns), where `batch.validate`
    would build a validator and read the batch per part."""
    validator = batch._create_validator(result_format=parts[0][1])
    validations = []
    for suite, result_format in parts:
        validator.result_format = result_format
        validations.append(validator.validate_expectation_suite(suite))
    return validations


def _exception_message(info: Any) -> str | None:
    if not info:
        return None
    if "raised_exception" in info:
        return first_line(info.get("exception_message")) if info["raised_exception"] else None
    for nested in info.values():  # keyed by the metric that failed
        if isinstance(nested, dict) and nested.get("raised_exception"):
            return first_line(nested.get("exception_message"))
    return None
