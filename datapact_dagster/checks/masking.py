"""Masking of personal data in failing-row samples and observed values.

The one place that decides what of a value is personal data and replaces it with PII_MASK.
The check engine masks the warehouse values it reads (mask_samples, mask_observed); the
evidence store masks every result again before writing it, whatever engine produced it
(mask_value, keep_metrics_only, through evidence/pii.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from datapact_dagster.checks.result import MAX_SAMPLES, PII_MASK


def mask_samples(
    samples: Iterable[Any], pii_columns: Collection[str], *, column_is_pii: bool
) -> tuple[Any, ...]:
    """Up to MAX_SAMPLES samples: a value of a PII column, or a PII field of a row, masked."""
    masked = []
    for sample in samples:
        if len(masked) == MAX_SAMPLES:
            break
        if isinstance(sample, Mapping):
            masked.append(
                {k: PII_MASK if k in pii_columns else _plain(v) for k, v in sample.items()}
            )
        else:
            masked.append(PII_MASK if column_is_pii else _plain(sample))
    return tuple(masked)


def mask_observed(value: Any, pii_involved: bool) -> Any:
    """Counts and flags stay; any other observed value of a PII column is masked."""
    if _is_metric(value) or not pii_involved:
        return _plain(value)
    return PII_MASK


def mask_value(value: Any, pii_columns: Collection[str], *, whole_value_is_pii: bool) -> Any:
    """Masks PII: mapping entries keyed by a PII column, or every scalar of a PII column.

    Nested mappings and lists are walked; nulls, counts and flags are not personal data and stay.
    """
    if isinstance(value, Mapping):
        return {
            k: PII_MASK
            if k in pii_columns and v is not None
            else mask_value(v, pii_columns, whole_value_is_pii=whole_value_is_pii)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_value(v, pii_columns, whole_value_is_pii=whole_value_is_pii) for v in value]
    if whole_value_is_pii and not _is_metric(value):
        return PII_MASK
    return value


def keep_metrics_only(value: Any) -> Any:
    """Keeps the shape, nulls, counts and flags of a value observed on a PII column; every
    other scalar, and every item of a list (a list of values of that column), is masked."""
    if isinstance(value, Mapping):
        return {k: keep_metrics_only(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [PII_MASK for _ in value]
    return value if _is_metric(value) else PII_MASK


def _is_metric(value: Any) -> bool:
    """Nulls, counts, rates and flags: what survives masking of an observed value."""
    return value is None or isinstance(value, bool | int | float)


def _plain(value: Any) -> Any:
    """JSON-friendly form of a warehouse value (dates and decimals as strings)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
