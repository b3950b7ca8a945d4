"""The checks DataPact evaluates itself with SQLAlchemy: schema conformance and freshness."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from datapact_dagster.checks.result import CheckResult
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.checks.sql_text import quote_identifier

_INTEGER = {
    "tinyint",
    "smallint",
    "integer",
    "int",
    "bigint",
    "hugeint",
    "utinyint",
    "usmallint",
    "uinteger",
    "ubigint",
    "uhugeint",
    "int2",
    "int4",
    "int8",
    "smallserial",
    "serial",
    "bigserial",
}
_DECIMAL = {"decimal", "numeric"}
_FLOAT = {"double", "real", "float", "double precision", "float4", "float8"}
_TIMESTAMP = {
    "timestamp",
    "timestamp with time zone",
    "timestamp without time zone",
    "timestamptz",
    "timestamp_s",
    "timestamp_ms",
    "timestamp_ns",
    "datetime",
}
COMPATIBLE_TYPES: dict[str, set[str]] = {
    "string": {"varchar", "text", "character varying", "character", "char", "bpchar", "string"},
    "integer": _INTEGER,
    "number": _INTEGER | _DECIMAL | _FLOAT,
    "date": {"date"},
    "timestamp": _TIMESTAMP,
    "time": {"time", "time with time zone", "time without time zone", "timetz"},
    "boolean": {"boolean", "bool"},
    "object": {"struct", "json", "jsonb", "map"},
    "array": {"array"},
}

_COLUMNS_QUERY = sa.text(
    "SELECT column_name, data_type FROM information_schema.columns"
    " WHERE table_name = :table AND table_schema = COALESCE(:schema, current_schema())"
    " ORDER BY ordinal_position"
)


def relation_columns(engine: sa.Engine, relation: str) -> dict[str, str]:
    """Column name -> database type name of `relation` (`schema.table`); empty if it is absent."""
    schema, _, table = relation.rpartition(".")
    with engine.connect() as connection:
        rows = connection.execute(_COLUMNS_QUERY, {"table": table, "schema": schema or None})
        return {str(name): str(data_type) for name, data_type in rows}


def type_compatible(logical_type: str, database_type: str) -> bool:
    base = re.sub(r"\(.*\)", "", database_type.lower()).strip()
    if base.endswith("[]") or base.startswith("array"):
        base = "array"
    elif base.startswith(("struct", "map")):
        base = base.split("(")[0]
    allowed = COMPATIBLE_TYPES.get(logical_type.lower())
    if allowed is None:  # a logical type DataPact has no mapping for: accept any
        return True
    if logical_type.lower() == "integer" and base in _DECIMAL:
        return bool(re.search(r",\s*0\s*\)", database_type))  # DECIMAL(p,0) holds integers
    return base in allowed


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
