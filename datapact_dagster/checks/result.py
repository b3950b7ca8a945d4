"""The outcome of one check evaluation, engine-independent."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from datapact_dagster.checks.caps import (
    MAX_SAMPLES,
    MAX_SUMMARY_CHARS,
    cap_observed,
    cap_samples,
    cap_text,
)
from datapact_dagster.checks.spec import CheckSpec

__all__ = ["MAX_SAMPLES", "PII_MASK", "CheckResult", "Verdict"]

PII_MASK = "***"


class Verdict(StrEnum):
    """What one check evaluation concluded; `error` and `skipped` mean it was not judged."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"

    @property
    def breaches(self) -> bool:
        """A blocking check with this verdict stops publishing."""
        return self in (Verdict.FAIL, Verdict.ERROR)


@dataclass(frozen=True)
class CheckResult:
    spec: CheckSpec
    passed: bool
    summary: str
    """One line for people, e.g. '3 duplicate order_id values, 0.003% of 100,000 rows'."""
    observed: Any = None
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    threshold: str | None = None
    samples: tuple[Any, ...] = ()
    """Up to MAX_SAMPLES failing values; values of PII columns are already masked."""
    expectation_type: str | None = None
    expectation_kwargs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    """Set when the check could not be evaluated (e.g. its column is missing)."""
    skipped: bool = False
    """Not evaluated on purpose: a column it needs is missing (the schema check reports it)."""

    def __post_init__(self) -> None:
        # every copy of a result (evidence, Dagster metadata, reports) is made from this one,
        # so values read from the data are capped here (see checks/caps.py)
        capped = {
            "summary": cap_text(self.summary, MAX_SUMMARY_CHARS),
            "samples": cap_samples(tuple(self.samples)),
            "observed": cap_observed(self.observed),
            "error": None if self.error is None else cap_text(self.error, MAX_SUMMARY_CHARS),
        }
        for name, value in capped.items():
            object.__setattr__(self, name, value)

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def verdict(self) -> Verdict:
        if self.skipped:
            return Verdict.SKIPPED
        if self.error is not None:
            return Verdict.ERROR
        return Verdict.PASS if self.passed else Verdict.FAIL

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["spec"] = {
            "key": self.spec.key,
            "severity": self.spec.severity,
            "kind": self.spec.kind.value,
            "column": self.spec.column,
            "description": self.spec.description,
        }
        data["verdict"] = self.verdict.value
        return data
