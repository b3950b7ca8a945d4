"""Column map samples looked for only when there are some, for one warehouse's GX engine.

`<condition>.unexpected_values` of a column map expectation (its samples, `WHERE <violation>
LIMIT 20`): GX sends the query even when no row violates the condition, and it then reads the
whole table to find nothing. Registered here for an engine class, it depends on the
expectation's unexpected count (which GX computes anyway, in its one aggregate scan) and is not
sent when that count is zero; otherwise it is GX's own function, unchanged.
"""

from __future__ import annotations

from typing import Any

from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.metrics.map_metric_provider.column_map_condition_auxilliary_methods import (  # noqa: E501
    _sqlalchemy_column_map_condition_values,
)
from great_expectations.expectations.registry import _registered_metrics, register_metric
from great_expectations.validator.metric_configuration import MetricConfiguration

_SAMPLES = ".unexpected_values"
_COUNTED = "datapact_unexpected_count"


def samples_only_of_violations(engine_class: type[SqlAlchemyExecutionEngine]) -> None:
    """Every column map condition's `unexpected_values`, as GX's SQL engine computes it, for
    `engine_class`, skipped when the condition's unexpected count is zero."""
    for name, definition in list(_registered_metrics.items()):
        providers = definition["providers"]
        stock = providers.get(SqlAlchemyExecutionEngine.__name__)
        if not name.endswith(_SAMPLES) or stock is None or engine_class.__name__ in providers:
            continue  # not a map condition's samples, or computed otherwise here (uniqueness)
        stock_class, stock_fn = stock
        if stock_fn is not _sqlalchemy_column_map_condition_values:
            continue
        register_metric(
            metric_name=name,
            metric_domain_keys=definition["metric_domain_keys"],
            metric_value_keys=definition["metric_value_keys"],
            execution_engine=engine_class,
            metric_class=_counted_samples_class(stock_class, name),
            metric_provider=_counted_samples,
            metric_fn_type=stock_fn.metric_fn_type,
        )


def _counted_samples_class(stock_class: Any, samples_metric: str) -> type:
    """`stock_class` as GX sees it, plus a dependency on the unexpected count."""
    count_metric = samples_metric.removesuffix(_SAMPLES) + ".unexpected_count"

    def get_evaluation_dependencies(
        cls: Any, metric: MetricConfiguration, **kwargs: Any
    ) -> dict[str, MetricConfiguration]:
        dependencies = dict(stock_class.get_evaluation_dependencies(metric=metric, **kwargs))
        dependencies[_COUNTED] = MetricConfiguration(
            metric_name=count_metric,
            metric_domain_kwargs=metric.metric_domain_kwargs,
            metric_value_kwargs={
                k: v for k, v in metric.metric_value_kwargs.items() if k != "result_format"
            },
        )
        return dependencies

    return type(
        stock_class.__name__,
        (),
        {
            "stock_class": stock_class,
            "domain_keys": stock_class.domain_keys,
            "value_keys": stock_class.value_keys,
            "default_kwarg_values": stock_class.default_kwarg_values,
            "get_evaluation_dependencies": classmethod(get_evaluation_dependencies),
        },
    )


def _counted_samples(cls: Any, metrics: dict[str, Any], **kwargs: Any) -> list[Any]:
    if not metrics[_COUNTED]:
        return []
    stock_metrics = {k: v for k, v in metrics.items() if k != _COUNTED}
    return _sqlalchemy_column_map_condition_values(cls.stock_class, metrics=stock_metrics, **kwargs)
