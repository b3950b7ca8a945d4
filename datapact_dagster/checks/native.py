"""The checks DataPact evaluates itself with SQLAlchemy: schema conformance and freshness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from datapact_dagster.checks.result import CheckResult
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.checks.sql_text import quote_identifier
from datapact_dagster.warehouse.catalog import columns_of, relation_columns
from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.types import type_compatible

__all__ = [
    "FUTURE_TOLERANCE",
    "freshness_check",
    "relation_columns",
    "schema_check",
    "type_compatible",
]


def schema_check(spec: CheckSpec, relation: str, columns: dict[str, str]) -> CheckResult:
    """Declared columns present with compatible types; undeclared columns only warn."""
    declared: dict[str, str] = spec.params["columns"]
    if not columns:
        message = f"relation {relation} does not exist or has no columns"
        return CheckResult(spec=spec, passed=False, summary=message, error=message)
    missing = [name for name in declared if name not in columns]
    mismatched = {
        name: {"declared": logical, "actual": columns[name]}
        for name, logical in declared.items()
        if name in columns and not type_compatible(logical, columns[name])
    }
    undeclared = [name for name in columns if name not in declared]
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if mismatched:
        problems.append(
            "incompatible type(s) "
            + ", ".join(
                f"{n} is {m['actual']} (declared {m['declared']})" for n, m in mismatched.items()
            )
        )
    summary = (
        "; ".join(problems)
        if problems
        else (f"all {len(declared)} declared columns present with compatible types")
    )
    if undeclared:
        summary += f"; warning: undeclared column(s) {', '.join(undeclared)}"
    return CheckResult(
        spec=spec,
        passed=not problems,
        summary=summary,
        observed={
            "missing": missing,
            "type_mismatches": mismatched,
            "undeclared": undeclared,
            "columns": dict(columns),
        },
        threshold="declared columns with compatible types",
    )


FUTURE_TOLERANCE = timedelta(minutes=5)
"""Clock skew allowed between the writer of a timestamp and DataPact: a value later than now by
more than this is a future timestamp, reported as a finding and never taken as fresh."""


def freshness_check(
    spec: CheckSpec, relation: str, engine: sa.Engine, now: datetime | None = None
) -> CheckResult:
    """The newest value of the spec's column not in the future is at most max_age_seconds older
    than `now`; values beyond `now` + FUTURE_TOLERANCE fail the check as a finding of their own.
    """
    assert spec.column is not None
    max_age = timedelta(seconds=int(spec.params["max_age_seconds"]))
    now_utc = _naive_utc(now or datetime.now(UTC))
    limit = f"<= {_duration(max_age)} old"
    column = quote_identifier(spec.column)
    dialect = for_engine(engine)
    with dialect.check_session(engine) as connection:
        schema, _, table = relation.rpartition(".")
        column_type = columns_of(connection, table, schema or None).get(spec.column, "")
        horizon = _bound(now_utc + FUTURE_TOLERANCE, column_type)
        rows, newest, future, newest_future = connection.execute(
            sa.text(
                f"SELECT COUNT(*), MAX({column}) FILTER (WHERE {column} <= :horizon), "
                f"COUNT({column}) FILTER (WHERE {column} > :horizon), "
                f"MAX({column}) FILTER (WHERE {column} > :horizon) FROM {relation}"
            ),
            {"horizon": horizon},
        ).one()
    if not rows:
        summary = f"no rows: {relation} is empty"
        return CheckResult(spec=spec, passed=False, threshold=limit, summary=summary)
    observed: dict[str, Any] = {}
    findings = []
    if future:
        latest = _naive_utc(newest_future).isoformat(sep=" ")
        observed.update(future_rows=int(future), newest_future=latest)
        noun = "row has" if future == 1 else "rows have"
        findings.append(f"{future:,} {noun} {spec.column} in the future (up to {latest} UTC)")
    if newest is None:
        findings.append(
            f"no {spec.column} at or before now"
            if future
            else f"no {spec.column} values: all {rows:,} rows are null"
        )
        return CheckResult(
            spec=spec,
            passed=False,
            threshold=limit,
            element_count=int(rows),
            observed=observed,
            summary="; ".join(findings),
        )
    newest_utc = _naive_utc(newest)
    age = max(now_utc - newest_utc, timedelta(0))  # within the clock-skew tolerance: just now
    observed.update(newest=newest_utc.isoformat(), age_seconds=int(age.total_seconds()))
    newest_phrase = "newest past" if future else "newest"
    findings.append(
        f"{newest_phrase} {spec.column} is {_duration(age)} old "
        f"({newest_utc.isoformat(sep=' ')} UTC), allowed {_duration(max_age)}"
    )
    return CheckResult(
        spec=spec,
        passed=age <= max_age and not future,
        threshold=limit,
        element_count=int(rows),
        observed=observed,
        summary="; ".join(findings),
    )


def _bound(moment: datetime, column_type: str) -> datetime:
    """`moment` (naive UTC) as a parameter comparable with a column of `column_type`: aware for
    a column with a time zone (compared as an instant), naive otherwise (compared as written)."""
    if "time zone" in column_type.lower() or "tz" in column_type.lower():
        return moment.replace(tzinfo=UTC)
    return moment


def _naive_utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value))


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + (" ".join(parts[:2]) or "0s")
