"""Masking of personal data in failing-row samples and observed values."""

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
    if value is None or isinstance(value, bool | int | float) or not pii_involved:
        return _plain(value)
    return PII_MASK


def _plain(value: Any) -> Any:
    """JSON-friendly form of a warehouse value (dates and decimals as strings)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
