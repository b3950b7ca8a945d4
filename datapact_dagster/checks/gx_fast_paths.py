"""Faster versions of GX internals that dominate the validation of a small batch.

Checking one day of a partitioned table runs a handful of millisecond queries; GX's own Python
around them took longer than the queries, in these places:

* `Expectation.configuration` is a property that serialises the whole expectation (a pydantic
  `.dict()` plus a regex on the class name) on every access, and GX's `_get_domain_kwargs`,
  `_get_success_kwargs`, `_get_success_kwarg` and `_get_runtime_kwargs` access it once per key:
  about 700 times in one validation of a seven-rule suite. The replacements read every key from
  one configuration per call.
* `IDDict.to_id` (the id of each of the thousands of metric configurations GX builds) passes
  every value through `convert_to_json_serializable`, whose chain of `isinstance` checks ends in
  numpy dtype tests for a plain `None`. For a dict of plain JSON values the result is the value
  itself, so it is dumped directly (and a dict of scalars, met again and again, is looked up);
  anything else still takes GX's path.
* Each of those configurations names its expectation type by running GX's `camel_to_snake`
  (two regular expressions) on the class name: a pure function of a handful of names, memoised.
* While a validator plans an expectation's metrics (`get_validation_dependencies`), a column
  map expectation asks for its `configuration` and turns it back into a new expectation
  (`to_domain_obj`) once per metric, five times over, and it plans them all again when it
  judges the metrics (`metrics_validate`). Nothing changes the expectation in either phase
  (the validator builds it for the phase alone), so each object's configuration and each
  configuration's expectation are kept for the phase and forgotten at its end.
* A validator builds one metric graph per expectation by expanding each metric's dependencies
  recursively, and the metrics of one expectation share most of theirs (the row count, the
  column's null counts, the table's columns): four of five expansions repeated one already in
  the same graph, adding no edge. While a graph is built, a metric id met again takes the
  dependencies its first expansion found and is not expanded again.

Each replacement returns exactly what GX's own method returns: tests/checks/test_gx_fast_paths.py
compares them on every expectation DataPact compiles and on the metric kwargs GX builds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import threading
from collections.abc import Callable
from typing import Any

_UNSET = object()
# GX's own logger, so its warning about an unknown kwarg reads as it always did
_gx_logger = logging.getLogger("great_expectations.expectations.expectation")
_PLAIN_SCALARS = (str, int, bool, type(None))


def _kwarg(self: Any, configured: dict[str, Any], key: str, default: Any = None) -> Any:
    """GX's `_get_success_kwarg`, on an already-built configuration's kwargs."""
    value = configured.get(key, _UNSET)
    if value is not _UNSET:
        return value
    field = self.__fields__.get(key)
    if field is not None:
        return field.default if not field.required else default
    _gx_logger.warning(
        f'_get_success_kwarg called with key "{key}", '
        f"but it is not a known field of {type(self).__name__}"
    )
    return default


def _configured(self: Any, configured: dict[str, Any], keys: Any) -> dict[str, Any]:
    """Each of `keys` as configured, else its field's default (GX's dict comprehensions)."""
    return {key: configured.get(key, self._get_default_value(key)) for key in keys}


def _success_kwargs_from(self: Any, configured: dict[str, Any]) -> dict[str, Any]:
    kwargs = _configured(self, configured, self.success_keys)
    kwargs.update(_configured(self, configured, self.domain_keys))
    return kwargs


def _domain_kwargs(self: Any) -> dict[str, Any]:
    return _configured(self, self.configuration.kwargs, self.domain_keys)


def _success_kwargs(self: Any) -> dict[str, Any]:
    return _success_kwargs_from(self, self.configuration.kwargs)


def _success_kwarg(self: Any, key: str, default: Any = None) -> Any:
    return _kwarg(self, self.configuration.kwargs, key, default)


def _runtime_kwargs_with(parse_result_format: Any) -> Any:
    def _runtime_kwargs(self: Any, runtime_configuration: dict | None = None) -> dict[str, Any]:
        runtime_configuration = runtime_configuration or {}
        configured = self.configuration.kwargs
        runtime_kwargs = {
            key: runtime_configuration.get(key, _kwarg(self, configured, key))
            for key in self.runtime_keys
        }
        runtime_kwargs.update(_success_kwargs_from(self, configured))
        runtime_kwargs["result_format"] = parse_result_format(runtime_kwargs["result_format"])
        return runtime_kwargs

    return _runtime_kwargs


def is_plain_json(value: Any) -> bool:
    """True when `convert_to_json_serializable(value)` would hand back the same JSON."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return True
    if kind is float:
        return not math.isnan(value)
    if kind in (list, tuple):
        return all(is_plain_json(item) for item in value)
    if kind is dict:
        return all(type(k) is str and is_plain_json(v) for k, v in value.items())
    return False


def _to_id_with(original: Any) -> Any:
    def to_id(self: Any, id_keys: Any = None, id_ignore_keys: Any = None) -> Any:
        keys = set(self.keys() if id_keys is None else id_keys)
        keys -= set(self._id_ignore_keys if id_ignore_keys is None else id_ignore_keys)
        if len(keys) < 2:
            return original(self, id_keys, id_ignore_keys)
        picked = {k: self[k] for k in keys}
        if not all(type(k) is str for k in picked) or not is_plain_json(picked):
            return original(self, id_keys, id_ignore_keys)
        if all(_keyable(v) for v in picked.values()):
            # the value's type is part of the key: 1, 1.0 and True are equal but dump apart
            return _flat_id(tuple(sorted((k, type(v), v) for k, v in picked.items())))
        return _json_id(picked)

    return to_id


def _keyable(value: Any) -> bool:
    """A scalar whose equal values of its type dump alike: not 0.0, which equals -0.0."""
    kind = type(value)
    return kind in _PLAIN_SCALARS or (kind is float and value != 0.0)


def _json_id(picked: dict[str, Any]) -> str:
    return hashlib.md5(
        json.dumps(picked, sort_keys=True).encode("utf-8"), usedforsecurity=False
    ).hexdigest()


@functools.lru_cache(maxsize=4096)
def _flat_id(items: tuple[tuple[str, type, Any], ...]) -> str:
    """The id of a dict of scalars; GX builds the same few hundred metric kwargs per suite."""
    return _json_id({k: v for k, _, v in items})


class _PlanningMemo(threading.local):
    """Per thread, while a validator plans metrics: id(object) -> (object, what it gave). The
    object itself is held, so that its id cannot be reused by another object meanwhile."""

    active: dict[int, tuple[Any, Any]] | None = None


_memo = _PlanningMemo()


def _remembered(compute: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`compute(obj)`, remembered per object while a plan is being made."""

    def remembered(obj: Any) -> Any:
        active = _memo.active
        if active is None:
            return compute(obj)
        found = active.get(id(obj))
        if found is None:
            found = active[id(obj)] = (obj, compute(obj))
        return found[1]

    return remembered


def _with_fresh(state: threading.local, method: Any) -> Any:
    """`method`, run with a fresh, empty `state.active` (the outer one back afterwards)."""

    def with_fresh(self: Any, *args: Any, **kwargs: Any) -> Any:
        outer = state.active
        state.active = {}
        try:
            return method(self, *args, **kwargs)
        finally:
            state.active = outer

    return with_fresh


class _GraphsBeingBuilt(threading.local):
    """Per thread, while a metrics calculator builds graphs: id(graph) -> (graph, metric id ->
    the dependencies its first expansion found)."""

    active: dict[int, tuple[Any, dict[Any, Any]]] | None = None


_graphs = _GraphsBeingBuilt()


def _expanding_once(expand: Any) -> Any:
    """GX's `ValidationGraph.build_metric_dependency_graph`, expanding each metric id once per
    graph: the edges a repeat would add are there already (edges are kept by id)."""

    def build_metric_dependency_graph(
        self: Any, metric_configuration: Any, runtime_configuration: dict | None = None
    ) -> None:
        active = _graphs.active
        if active is None:
            return expand(self, metric_configuration, runtime_configuration)
        found = active.get(id(self))
        if found is None:
            found = active[id(self)] = (self, {})
        expanded = found[1]
        dependencies = expanded.get(metric_configuration.id)
        if dependencies is None:
            expand(self, metric_configuration, runtime_configuration)
            expanded[metric_configuration.id] = metric_configuration.metric_dependencies
            return None
        # what the expansion does to the configuration itself, but the recursion
        self.set_metric_configuration_default_kwargs_if_absent(
            metric_configuration=metric_configuration
        )
        if dependencies:
            metric_configuration.metric_dependencies = dict(dependencies)
        return None

    return build_metric_dependency_graph


ORIGINALS: dict[str, Any] = {}
"""GX's own methods, by name, as they were before `install` (tests compare against them)."""


def install() -> None:
    """Put the fast paths in place on GX's classes (once per process)."""
    from great_expectations.core.id_dict import IDDict
    from great_expectations.expectations import expectation as expectation_module
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )
    from great_expectations.validator.metrics_calculator import MetricsCalculator
    from great_expectations.validator.validation_graph import ValidationGraph
    from great_expectations.validator.validator import Validator

    expectation_class = expectation_module.Expectation
    if ORIGINALS:
        return
    replacements = {
        "_get_domain_kwargs": _domain_kwargs,
        "_get_success_kwargs": _success_kwargs,
        "_get_success_kwarg": _success_kwarg,
        "_get_runtime_kwargs": _runtime_kwargs_with(expectation_module.parse_result_format),
    }
    for name, fast in replacements.items():
        ORIGINALS[name] = getattr(expectation_class, name)
        setattr(expectation_class, name, fast)
    ORIGINALS["to_id"] = IDDict.to_id
    IDDict.to_id = _to_id_with(IDDict.to_id)
    # the name `configuration` looks up in its module; GX's own function stays where it is
    ORIGINALS["camel_to_snake"] = expectation_module.camel_to_snake
    expectation_module.camel_to_snake = functools.cache(expectation_module.camel_to_snake)
    ORIGINALS["configuration"] = expectation_class.configuration
    expectation_class.configuration = property(_remembered(expectation_class.configuration.fget))
    ORIGINALS["to_domain_obj"] = ExpectationConfiguration.to_domain_obj
    ExpectationConfiguration.to_domain_obj = _remembered(ExpectationConfiguration.to_domain_obj)
    planning = "_generate_metric_dependency_subgraphs_for_each_expectation_configuration"
    ORIGINALS[planning] = getattr(Validator, planning)
    setattr(Validator, planning, _with_fresh(_memo, getattr(Validator, planning)))
    ORIGINALS["metrics_validate"] = expectation_class.metrics_validate
    expectation_class.metrics_validate = _with_fresh(_memo, expectation_class.metrics_validate)
    build = "build_metric_dependency_graph"
    ORIGINALS[build] = getattr(ValidationGraph, build)
    setattr(ValidationGraph, build, _expanding_once(getattr(ValidationGraph, build)))
    ORIGINALS["calculator_" + build] = getattr(MetricsCalculator, build)
    setattr(MetricsCalculator, build, _with_fresh(_graphs, getattr(MetricsCalculator, build)))
