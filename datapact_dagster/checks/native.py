"""The checks DataPact evaluates itself with SQLAlchemy: schema conformance and freshness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from datapact_dagster.checks.result import CheckResult
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.checks.sql_text import quote_identifier
from datapact_dagster.warehouse.catalog import relation_columns
from datapact_dagster.warehouse.types import type_compatible

__all__ = ["freshness_check", "relation_columns", "schema_check", "type_compatible"]


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


def freshness_check(
    spec: CheckSpec, relation: str, engine: sa.Engine, now: datetime | None = None
) -> CheckResult:
    """The newest value of the spec's column is at most max_age_seconds older than `now`."""
    assert spec.column is not None
    max_age = timedelta(seconds=int(spec.params["max_age_seconds"]))
    now_utc = _naive_utc(now or datetime.now(UTC))
    query = sa.text(f"SELECT MAX({quote_identifier(spec.column)}) FROM {relation}")
    with engine.connect() as connection:
        newest = connection.execute(query).scalar_one()
    limit = f"<= {_duration(max_age)} old"
    if newest is None:
        return CheckResult(
            spec=spec,
            passed=False,
            threshold=limit,
            summary=f"no {spec.column} values: {relation} is empty",
        )
    newest_utc = _naive_utc(newest)
    age = now_utc - newest_utc
    return CheckResult(
        spec=spec,
        passed=age <= max_age,
        threshold=limit,
        observed={"newest": newest_utc.isoformat(), "age_seconds": int(age.total_seconds())},
        summary=f"newest {spec.column} is {_duration(age)} old "
        f"({newest_utc.isoformat(sep=' ')} UTC), allowed {_duration(max_age)}",
    )


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
