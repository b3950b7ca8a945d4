"""Run a DataPact GX suite against one warehouse relation and read back CheckResults.

GX runs with its SQL execution engine (pushdown); no table is pulled into pandas.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from datapact_dagster.checks import describe
from datapact_dagster.checks.gx_context import ephemeral_context, gx, table_batch
from datapact_dagster.checks.gx_suite import (
    OBSERVED_ALIAS,
    UNEXPECTED_ROWS,
    build_suite,
    relations_read,
)
from datapact_dagster.checks.masking import mask_observed, mask_samples
from datapact_dagster.checks.result import MAX_SAMPLES, CheckResult
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.checks.sql_text import query_for_relation
from datapact_dagster.warehouse.dialects import for_engine

# BASIC carries every figure DataPact reads (counts, percent, observed value, samples); SUMMARY
# would add per-value counts and index lists nobody reads, each one more query.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": MAX_SAMPLES}
# An UnexpectedRowsExpectation reports the rows it fetched only in COMPLETE format; it computes
# them in every format, so asking for them costs nothing and spares a query for samples.
UNEXPECTED_ROWS_FORMAT = {"result_format": "COMPLETE"}


@dataclass(frozen=True)
class _Outcome:
    """What GX reported for one expectation."""

    success: bool
    result: dict[str, Any]
    error: str | None


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
    run = _SuiteRun(relation, engine, pii_columns)
    reads = relations_read(specs, relation, published)
    with for_engine(engine).check_limits(engine, reads) as connections:
        try:
            outcomes = _validate(suite_dict, relation, engine, connections)
        except Exception as exc:  # GX failed as a whole (e.g. the relation is missing)
            message = f"GX could not validate {relation}: {_first_line(exc)}"
            outcomes = {key: _Outcome(False, {}, message) for key in configs}
        return [run.check_result(spec, configs[spec.key], outcomes[spec.key]) for spec in specs]


def _validate(
    suite_dict: dict[str, Any], relation: str, engine: sa.Engine, connections: int = 1
) -> dict[str, _Outcome]:
    great_expectations = gx()
    ephemeral_context()
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    outcomes: dict[str, _Outcome] = {}
    expectations = []
    for config in copy.deepcopy(suite_dict["expectations"]):
        try:
            expectations.append(ExpectationConfiguration(**config).to_domain_obj())
        except Exception as exc:
            key = config["meta"]["datapact_key"]
            outcomes[key] = _Outcome(False, {}, f"invalid expectation: {_first_line(exc)}")
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
            outcomes[key] = _Outcome(
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
        return _first_line(info.get("exception_message")) if info["raised_exception"] else None
    for nested in info.values():  # keyed by the metric that failed
        if isinstance(nested, dict) and nested.get("raised_exception"):
            return _first_line(nested.get("exception_message"))
    return None


def _first_line(message: Any) -> str:
    text = str(message or "unknown error").strip()
    return text.splitlines()[0] if text else "unknown error"


class _SuiteRun:
    def __init__(self, relation: str, engine: sa.Engine, pii_columns: Collection[str]) -> None:
        self.relation = relation
        self.engine = engine
        self.pii_columns = frozenset(pii_columns)
        self._row_count: int | None = None

    def row_count(self) -> int:
        if self._row_count is None:
            with for_engine(self.engine).check_session(self.engine) as connection:
                self._row_count = int(
                    connection.execute(
                        sa.text(f"SELECT COUNT(*) FROM {self.relation}")
                    ).scalar_one()
                )
        return self._row_count

    def check_result(self, spec: CheckSpec, config: dict[str, Any], o: _Outcome) -> CheckResult:
        base: dict[str, Any] = {
            "spec": spec,
            "expectation_type": config["type"],
            "expectation_kwargs": config["kwargs"],
            "threshold": describe.threshold(spec),
        }
        if o.error is not None:
            return CheckResult(
                passed=False, summary=f"not evaluated: {o.error}", error=o.error, **base
            )
        try:
            if config["type"] == UNEXPECTED_ROWS:
                return self._from_unexpected_rows(spec, config, o, base)
            return self._from_expectation(spec, o, base)
        except Exception as exc:  # reading back a result must not sink the other checks
            return CheckResult(
                passed=False,
                summary=f"not evaluated: {_first_line(exc)}",
                error=_first_line(exc),
                **base,
            )

    def _pii_involved(self, spec: CheckSpec) -> bool:
        return bool(self.pii_columns & {c for c in (spec.column, *spec.columns) if c})

    def _from_expectation(self, spec: CheckSpec, o: _Outcome, base: dict[str, Any]) -> CheckResult:
        r = o.result
        if spec.kind is CheckKind.row_count:
            count = int(r["observed_value"])
            self._row_count = count
            assert spec.operator is not None
            return CheckResult(
                passed=spec.operator.holds(count),
                observed=count,
                element_count=count,
                summary=describe.row_count_summary(spec, count),
                **base,
            )
        if spec.kind is CheckKind.custom:
            observed = mask_observed(r.get("observed_value"), self._pii_involved(spec))
            samples = mask_samples(
                r.get("partial_unexpected_list") or (),
                self.pii_columns,
                column_is_pii=self._pii_involved(spec),
            )
            return CheckResult(
                passed=o.success,
                observed=observed,
                element_count=r.get("element_count"),
                unexpected_count=r.get("unexpected_count"),
                unexpected_percent=r.get("unexpected_percent"),
                samples=samples,
                summary=describe.custom_summary(base["expectation_type"], o.success, observed),
                **base,
            )
        # on zero rows GX reports no counts at all: nothing was checked, nothing failed
        total = int(r.get("element_count") or 0)
        self._row_count = total
        unexpected = int(r.get("unexpected_count") or 0)
        samples = mask_samples(
            r.get("partial_unexpected_list") or (),
            self.pii_columns,
            column_is_pii=self._pii_involved(spec),
        )
        return self._counted(spec, o.success, total, unexpected, samples, base)

    def _counted(
        self,
        spec: CheckSpec,
        gx_success: bool,
        total: int,
        unexpected: int,
        samples: tuple[Any, ...],
        base: dict[str, Any],
    ) -> CheckResult:
        percent = describe.percent_of(unexpected, total)
        if spec.operator is not None:
            observed: float = percent if spec.unit == "percent" else unexpected
            passed = spec.operator.holds(observed)
        else:
            # a value rule holds vacuously on an empty relation, whatever GX concludes there
            observed, passed = unexpected, gx_success or (total == 0 and unexpected == 0)
        return CheckResult(
            passed=passed,
            observed=observed,
            element_count=total,
            unexpected_count=unexpected,
            unexpected_percent=percent,
            samples=samples if unexpected else (),
            summary=describe.rows_summary(spec, unexpected, total),
            **base,
        )

    def _from_unexpected_rows(
        self, spec: CheckSpec, config: dict[str, Any], o: _Outcome, base: dict[str, Any]
    ) -> CheckResult:
        unexpected = int(o.result["observed_value"])
        fetched = (o.result.get("details") or {}).get("unexpected_rows")
        if not unexpected:
            rows: list[dict[str, Any]] = []
        elif fetched is not None:  # the rows GX fetched for this expectation
            rows = [dict(row) for row in fetched[:MAX_SAMPLES]]
        else:
            rows = self._sample_rows(config["kwargs"]["unexpected_rows_query"])
        if spec.kind is CheckKind.sql:
            value = rows[0][OBSERVED_ALIAS] if rows else None
            observed = mask_observed(value, self._pii_involved(spec))
            passed = unexpected == 0
            return CheckResult(
                passed=passed,
                observed=observed,
                summary=describe.sql_summary(spec, passed, observed),
                **base,
            )
        values: list[Any] = [next(iter(row.values())) if len(row) == 1 else row for row in rows]
        samples = mask_samples(values, self.pii_columns, column_is_pii=self._pii_involved(spec))
        return self._counted(spec, o.success, self.row_count(), unexpected, samples, base)

    def _sample_rows(self, unexpected_rows_query: str) -> list[dict[str, Any]]:
        query = query_for_relation(unexpected_rows_query, self.relation)
        with for_engine(self.engine).check_session(self.engine) as connection:
            result = connection.execute(
                sa.text(f"SELECT * FROM ({query}) AS datapact_samples LIMIT {MAX_SAMPLES}")
            )
            return [dict(row._mapping) for row in result]
