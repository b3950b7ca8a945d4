"""PII masking, both lines of defence: the engine's raw values and the evidence store's input."""

from __future__ import annotations

from datetime import date

from datapact_dagster.checks.masking import (
    keep_metrics_only,
    mask_observed,
    mask_samples,
    mask_value,
)
from datapact_dagster.checks.result import MAX_SAMPLES, PII_MASK
from datapact_dagster.evidence.pii import mask_observed as stored_observed
from datapact_dagster.evidence.pii import mask_samples as stored_samples
from tests.evidence.factories import check_spec

PII = ("email",)


def test_engine_masks_values_of_a_pii_column_and_pii_fields_of_rows() -> None:
    rows = ({"id": 1, "email": "ann@example.com", "day": date(2024, 5, 1)}, {"email": None})
    assert mask_samples(rows, PII, column_is_pii=False) == (
        {"id": 1, "email": PII_MASK, "day": "2024-05-01"},
        {"email": PII_MASK},
    )
    assert mask_samples(["a", None, 7], PII, column_is_pii=True) == (PII_MASK,) * 3
    assert mask_samples(range(50), PII, column_is_pii=False) == tuple(range(MAX_SAMPLES))


def test_engine_keeps_counts_observed_on_a_pii_column() -> None:
    assert mask_observed(12, pii_involved=True) == 12
    assert mask_observed(["ann@example.com"], pii_involved=True) == PII_MASK
    assert mask_observed(date(2024, 5, 1), pii_involved=False) == "2024-05-01"


def test_mask_value_walks_nested_values() -> None:
    value = {"email": "a@x", "n": [{"email": None}, "b@x", 3]}
    assert mask_value(value, PII, whole_value_is_pii=False) == {
        "email": PII_MASK,
        "n": [{"email": None}, "b@x", 3],
    }
    assert mask_value(value, PII, whole_value_is_pii=True) == {
        "email": PII_MASK,
        "n": [{"email": None}, PII_MASK, 3],
    }
    assert keep_metrics_only({"count": 2, "values": [1, "a"], "top": "a"}) == {
        "count": 2,
        "values": [PII_MASK, PII_MASK],
        "top": PII_MASK,
    }


def test_evidence_store_masks_any_result_through_the_same_masking() -> None:
    email = check_spec("c__email__pattern", table="customers", column="email")
    other = check_spec("c__id__unique", table="customers", column="id")
    assert stored_samples([7, None, {"email": "a@x", "id": "x"}], email, PII) == [
        PII_MASK,
        None,
        {"email": PII_MASK, "id": PII_MASK},
    ]
    assert stored_samples([{"email": "a@x", "id": "x"}], other, PII) == [
        {"email": PII_MASK, "id": "x"}
    ]
    observed = {"unexpected_count": 2, "partial_unexpected_list": ["a@x", 4]}
    assert stored_observed(observed, email, PII) == {
        "unexpected_count": 2,
        "partial_unexpected_list": [PII_MASK, PII_MASK],
    }
    assert stored_observed(observed, other, PII) == observed
