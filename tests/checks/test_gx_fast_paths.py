"""GX's kwargs lookups and metric ids, sped up, answer exactly as GX's own methods do."""

from __future__ import annotations

import copy
import enum
import math
from datetime import date
from functools import cache
from typing import Any

import pytest

from datapact_dagster.checks import gx_fast_paths
from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.engine import run_table_checks
from datapact_dagster.checks.gx_context import gx
from datapact_dagster.checks.gx_suite import build_suite
from datapact_dagster.plan.loading import require_contracts
from tests.checks.conftest import ENGINES, Warehouses
from tests.checks.shop_data import BAD, GOOD, NOW, PROJECT, PUBLISHED

PLANNING = "_generate_metric_dependency_subgraphs_for_each_expectation_configuration"
BUILD = "build_metric_dependency_graph"


@cache
def expectations(dialect: str) -> list[Any]:
    gx()
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    contract_set = require_contracts(PROJECT)
    built = []
    for contract in contract_set.contracts:
        for table in contract.tables:
            specs = compile_table_checks(contract, table)
            suite = build_suite(table.name, specs, dialect, PUBLISHED)
            for config in copy.deepcopy(suite["expectations"]):
                built.append(ExpectationConfiguration(**config).to_domain_obj())
    return built


def test_installed_with_gx() -> None:
    gx()
    from great_expectations.expectations.expectation import Expectation

    assert Expectation._get_success_kwargs is gx_fast_paths._success_kwargs
    assert set(gx_fast_paths.ORIGINALS) == {
        "_get_domain_kwargs",
        "_get_success_kwargs",
        "_get_success_kwarg",
        "_get_runtime_kwargs",
        "to_id",
        "camel_to_snake",
        "configuration",
        "to_domain_obj",
        PLANNING,
        "metrics_validate",
        BUILD,
        "calculator_" + BUILD,
    }


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql"])
def test_kwargs_lookups_match_gx_for_every_compiled_expectation(dialect: str) -> None:
    original = gx_fast_paths.ORIGINALS
    kinds = set()
    for expectation in expectations(dialect):
        kinds.add(type(expectation).__name__)
        assert expectation._get_domain_kwargs() == original["_get_domain_kwargs"](expectation)
        assert expectation._get_success_kwargs() == original["_get_success_kwargs"](expectation)
        keys = {*expectation.domain_keys, *expectation.success_keys, *expectation.runtime_keys}
        for key in sorted(keys):
            for default in (None, "fallback"):
                assert expectation._get_success_kwarg(key, default) == original[
                    "_get_success_kwarg"
                ](expectation, key, default), (type(expectation).__name__, key)
        for runtime in (None, {}, {"result_format": "COMPLETE"}, {"catch_exceptions": False}):
            assert expectation._get_runtime_kwargs(runtime) == original["_get_runtime_kwargs"](
                expectation, runtime
            )
    # the sample project compiles every family of rule (not the table-level checks GX skips)
    assert len(kinds) >= 8, kinds


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql"])
def test_configurations_name_their_type_as_gx_does(dialect: str) -> None:
    from great_expectations.expectations import expectation as expectation_module

    original = gx_fast_paths.ORIGINALS["camel_to_snake"]
    assert expectation_module.camel_to_snake is not original
    for expectation in expectations(dialect):
        name = type(expectation).__name__
        assert expectation.configuration.type == original(name) == expectation.expectation_type
    for name in ("ExpectColumnValuesToBeUnique", "HTTPStatusCode", "already_snake", ""):
        assert expectation_module.camel_to_snake(name) == original(name)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_every_check_result_is_the_same_without_the_planning_memo(
    warehouses: Warehouses, engine_name: str
) -> None:
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.validator.validator import Validator

    contract_set = require_contracts(PROJECT)
    found = contract_set.find_table("shop_orders")
    assert found is not None
    specs = compile_table_checks(*found)
    engine = warehouses[engine_name]

    def results(relation: str) -> list[Any]:
        return run_table_checks(
            contract_set, *found, specs, relation, engine, published=PUBLISHED, now=NOW
        )

    remembered = {relation: results(relation) for relation in (GOOD, BAD)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Validator, PLANNING, gx_fast_paths.ORIGINALS[PLANNING])
        patch.setattr(Expectation, "metrics_validate", gx_fast_paths.ORIGINALS["metrics_validate"])
        _unpatch_graph_building(patch)
        planned_by_gx = {relation: results(relation) for relation in (GOOD, BAD)}
    assert remembered == planned_by_gx
    assert any(not r.passed for r in remembered[BAD]) and len(remembered[BAD]) >= 8


def _unpatch_graph_building(patch: pytest.MonkeyPatch) -> None:
    from great_expectations.validator.metrics_calculator import MetricsCalculator
    from great_expectations.validator.validation_graph import ValidationGraph

    patch.setattr(ValidationGraph, BUILD, gx_fast_paths.ORIGINALS[BUILD])
    patch.setattr(MetricsCalculator, BUILD, gx_fast_paths.ORIGINALS["calculator_" + BUILD])


def _graph_shape(graph: Any) -> dict[Any, Any]:
    """Each metric of the graph: its kwargs as resolved, and its dependencies' ids."""
    shape: dict[Any, Any] = {}
    for edge in graph.edges:
        for metric in (edge.left, edge.right):
            if metric is not None:
                dependencies = {k: v.id for k, v in metric.metric_dependencies.items()}
                entry = (dict(metric.metric_domain_kwargs), dict(metric.metric_value_kwargs))
                shape.setdefault(metric.id, set()).add((repr(entry), repr(dependencies)))
    return shape


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize("result_format", ["BASIC", "COMPLETE"])
def test_metric_graphs_are_gx_own_with_each_metric_expanded_once(
    warehouses: Warehouses, engine_name: str, result_format: str
) -> None:
    from great_expectations.validator.metric_configuration import MetricConfiguration

    from datapact_dagster.checks.gx_context import table_batch

    engine = warehouses[engine_name]
    validator = table_batch(engine, GOOD)._create_validator(result_format=result_format)
    calculator = validator._wrapped_validator._metrics_calculator
    execution_engine = validator._wrapped_validator._execution_engine
    runtime = {"result_format": result_format}
    made: list[int] = []
    made_by_gx = 0

    def graphs() -> list[Any]:
        built = []
        for expectation in expectations(engine.dialect.name):
            dependencies = expectation.get_validation_dependencies(
                execution_engine=execution_engine, runtime_configuration=runtime
            )
            built.append(
                calculator.build_metric_dependency_graph(
                    metric_configurations=dependencies.get_metric_configurations(),
                    runtime_configuration=runtime,
                )
            )
        return built

    init = MetricConfiguration.__init__

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append(1)
        init(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MetricConfiguration, "__init__", counted)
        fast = graphs()
        made_fast = len(made)
        _unpatch_graph_building(patch)
        made.clear()
        by_gx = graphs()
        made_by_gx = len(made)
    assert len(fast) == len(by_gx) >= 8
    for mine, theirs in zip(fast, by_gx, strict=True):
        assert mine.edge_ids == theirs.edge_ids
        assert _graph_shape(mine) == _graph_shape(theirs)
    assert made_fast < 0.6 * made_by_gx  # the repeats were not expanded again


def test_unknown_kwarg_answers_and_warns_as_gx_does(caplog: pytest.LogCaptureFixture) -> None:
    expectation = expectations("duckdb")[0]
    original = gx_fast_paths.ORIGINALS["_get_success_kwarg"]
    with caplog.at_level("WARNING", logger="great_expectations"):
        assert expectation._get_success_kwarg("no_such_key", 7) == 7
    assert "no_such_key" in caplog.text
    assert original(expectation, "no_such_key", 7) == 7


class _Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"column": "order_id"},
        {"column": "order_id", "batch_id": "abc", "row_condition": None, "condition_parser": None},
        {"column": "x", "value_set": ["a", "b"], "mostly": 0.95, "strict": True},
        {"column": "x", "value_set": ("a", "b"), "min_value": 0, "max_value": 1.5},
        {"column": "x", "nested": {"b": [1, None], "a": {"c": True}}},
        {"column": "x", "missing": math.nan},
        {"column": "x", "when": date(2026, 1, 1)},
        {"column": "x", "colour": _Colour.RED},
        {"column": "x", "set": {"one"}},
        {"column": "x", 3: "numeric key"},
        {"column": "x", "inner": {1: "numeric inner key"}},
        # equal in Python, apart in JSON: a remembered id must not be handed to the others
        {"column": "x", "value": 1},
        {"column": "x", "value": 1.0},
        {"column": "x", "value": True},
        {"column": "x", "value": "1"},
        {"column": "x", "value": 0.0},
        {"column": "x", "value": -0.0},
        {"column": "x", "value": 0},
    ],
)
def test_metric_ids_match_gx(kwargs: dict[str, Any]) -> None:
    gx()
    from great_expectations.core.id_dict import IDDict

    original = gx_fast_paths.ORIGINALS["to_id"]
    for id_keys, ignore in ((None, None), (["column"], None), (None, ["column"])):
        fast = _outcome(IDDict.to_id, IDDict(kwargs), id_keys, ignore)
        slow = _outcome(original, IDDict(copy.deepcopy(kwargs)), id_keys, ignore)
        assert fast == slow


def _outcome(call: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "returned", call(*args)
    except Exception as exc:  # both must fail alike, e.g. an id key that is not there
        return "raised", type(exc)
