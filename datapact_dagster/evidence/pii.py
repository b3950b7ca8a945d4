"""Second line of defence: values of PII columns never reach the evidence store.

Which columns are personal data is decided here, from the check and its contract; how a value
is masked is decided once, in checks/masking.py.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from datapact_dagster.checks.masking import keep_metrics_only, mask_value
from datapact_dagster.checks.result import PII_MASK
from datapact_dagster.checks.spec import CheckSpec

from .model import ContractIdentity


def pii_columns_of(contract: ContractIdentity, spec: CheckSpec) -> frozenset[str]:
    """PII columns of the checked table when the contract is the full model, else none."""
    find_table = getattr(contract, "table", None)
    table = find_table(spec.table) if callable(find_table) else None
    return frozenset(getattr(table, "pii_columns", ()) or ())


def checks_pii_column(spec: CheckSpec, pii_columns: Collection[str]) -> bool:
    checked = {spec.column, *spec.columns} - {None}
    return bool(checked & set(pii_columns))


def mask_samples(
    samples: Collection[Any], spec: CheckSpec, pii_columns: Collection[str]
) -> list[Any]:
    """Failing values of a PII column become the mask; PII fields of row samples too."""
    whole = checks_pii_column(spec, pii_columns)
    return [
        PII_MASK
        if whole and not isinstance(s, Mapping) and s is not None
        else mask_value(s, pii_columns, whole_value_is_pii=whole)
        for s in samples
    ]


def mask_observed(observed: Any, spec: CheckSpec, pii_columns: Collection[str]) -> Any:
    """Counts and rates survive; text, and any value list, observed on a PII column do not."""
    if not checks_pii_column(spec, pii_columns):
        return mask_value(observed, pii_columns, whole_value_is_pii=False)
    return keep_metrics_only(observed)
