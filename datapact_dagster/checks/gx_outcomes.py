"""What GX reported for each expectation of a suite, and how it reads back as CheckResults."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from datapact_dagster.checks import describe
from datapact_dagster.checks.gx_suite import OBSERVED_ALIAS, UNEXPECTED_ROWS
from datapact_dagster.checks.masking import mask_observed, mask_samples
from datapact_dagster.checks.result import MAX_SAMPLES, CheckResult
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.checks.sql_text import query_for_relation
from datapact_dagster.warehouse.dialects import for_engine


@dataclass(frozen=True)
class Outcome:
    """What GX reported for one expectation."""

    success: bool
    result: dict[str, Any]
    error: str | None


def first_line(message: Any) -> str:
    text = str(message or "unknown error").strip()
    return text.splitlines()[0] if text else "unknown error"


def could_not_validate(relation: str, exc: BaseException) -> str:
    """The error every check of a suite reports when GX could not validate it as a whole."""
    return f"GX could not validate {relation}: {first_line(exc)}"


class SuiteRun:
    """One suite's outcomes on `relation` read back as CheckResults (its row count asked once,
    for the checks that report a share of it)."""

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

    def check_result(self, spec: CheckSpec, config: dict[str, Any], o: Outcome) -> CheckResult:
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
                summary=f"not evaluated: {first_line(exc)}",
                error=first_line(exc),
                **base,
            )

    def _pii_involved(self, spec: CheckSpec) -> bool:
        return bool(self.pii_columns & {c for c in (spec.column, *spec.columns) if c})

    def _from_expectation(self, spec: CheckSpec, o: Outcome, base: dict[str, Any]) -> CheckResult:
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
        self, spec: CheckSpec, config: dict[str, Any], o: Outcome, base: dict[str, Any]
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
