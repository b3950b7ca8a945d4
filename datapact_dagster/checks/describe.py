"""One-line, human summaries and thresholds of check outcomes (never containing data values)."""

from __future__ import annotations

from typing import Any

from datapact_dagster.checks.rules import REGISTRY
from datapact_dagster.checks.spec import CheckKind, CheckSpec


def fmt_count(n: int) -> str:
    return f"{n:,}"


def fmt_percent(p: float) -> str:
    return f"{p:.3g}%" if p < 100 else f"{p:.4g}%"


def percent_of(count: int, total: int | None) -> float:
    return 100.0 * count / total if total else 0.0


def _target(spec: CheckSpec) -> str:
    if spec.column is not None:
        return spec.column
    return f"({', '.join(spec.columns)})" if spec.columns else spec.table


def threshold(spec: CheckSpec) -> str | None:
    """What the rule allows, e.g. '<= 5%', '>= 0 and <= 50000', '0 rows'."""
    return REGISTRY[spec.kind].threshold(spec)


def rows_summary(spec: CheckSpec, unexpected: int, total: int | None) -> str:
    """'3 rows with a duplicate order_id, 0.003% of 100,000 rows' and its passing forms."""
    template = REGISTRY[spec.kind].failing_rows
    if template is None:
        raise KeyError(spec.kind)
    phrase = template.format(
        t=_target(spec),
        th=threshold(spec),
        regex=spec.params.get("regex"),
        parent=spec.params.get("to_table"),
    )
    of_total = f" of {fmt_count(total)} rows" if total is not None else ""
    if spec.operator is not None:
        return (
            f"{fmt_count(unexpected)} {phrase}, {fmt_percent(percent_of(unexpected, total))}"
            f"{of_total} (allowed: {threshold(spec)})"
        )
    if unexpected == 0 and total is not None:
        if spec.kind is CheckKind.not_null:
            return f"all {fmt_count(total)} rows have {_target(spec)}"
        return f"no {phrase} in {fmt_count(total)} rows"
    if total is None:
        return f"{fmt_count(unexpected)} {phrase}"
    return (
        f"{fmt_count(unexpected)} {phrase}, {fmt_percent(percent_of(unexpected, total))}{of_total}"
    )


def row_count_summary(spec: CheckSpec, count: int) -> str:
    assert spec.operator is not None
    return f"row count {fmt_count(count)}, expected {spec.operator.describe()}"


def sql_summary(spec: CheckSpec, passed: bool, observed: Any) -> str:
    assert spec.operator is not None
    if passed:
        return f"query result is {spec.operator.describe()}"
    return f"query result {observed}, expected {spec.operator.describe()}"


def custom_summary(expectation_type: str, passed: bool, observed: Any) -> str:
    verdict = "holds" if passed else "does not hold"
    seen = f" (observed {observed})" if observed is not None else ""
    return f"{expectation_type} {verdict}{seen}"
