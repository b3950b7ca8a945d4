"""Contract -> check specs: one spec per rule, each with a stable key (the Dagster check name)."""

from __future__ import annotations

import re
from typing import Any

from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.contract.model import Column, Contract, QualityRule, Table

_METRIC_KINDS = {
    "nullValues": CheckKind.null_values,
    "missingValues": CheckKind.missing_values,
    "invalidValues": CheckKind.invalid_values,
    "duplicateValues": CheckKind.duplicate_values,
    "rowCount": CheckKind.row_count,
}
DEFAULT_MISSING_VALUES: tuple[Any, ...] = ("",)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "rule"


class _TableCompiler:
    def __init__(self, contract: Contract, table: Table) -> None:
        self.contract = contract
        self.table = table
        self.specs: list[CheckSpec] = []

    def add(
        self,
        kind: CheckKind,
        rule: str,
        description: str,
        doc_path: str,
        *,
        column: str | None = None,
        severity: str = "error",
        **extra: Any,
    ) -> None:
        self.specs.append(
            CheckSpec(
                key=f"{self.table.name}__{column or 'table'}__{slug(rule)}",
                table=self.table.name,
                asset_key=self.table.asset_key,
                kind=kind,
                severity=severity,  # type: ignore[arg-type]
                description=description,
                doc_path=doc_path,
                contract_id=self.contract.id,
                contract_version=self.contract.version,
                column=column,
                **extra,
            )
        )

    def compile(self) -> list[CheckSpec]:
        t = self.table
        self.add(
            CheckKind.schema,
            "schema",
            f"{t.physical_name} has the declared columns with compatible types",
            t.doc_path,
            params={
                "columns": {c.name: c.logical_type for c in t.columns},
                "required": [c.name for c in t.columns if c.required],
            },
        )
        pk = t.primary_key
        for column in t.columns:
            self.column(column, single_key=len(pk) == 1 and pk[0] == column.name)
        if len(pk) > 1:
            self.add(
                CheckKind.compound_unique,
                "primary_key",
                f"({', '.join(pk)}) identifies each row of {t.name}",
                t.doc_path,
                columns=pk,
            )
        for rel in t.relationships:
            column = rel.from_columns[0] if len(rel.from_columns) == 1 else None
            self.add(
                CheckKind.relationship,
                f"references_{rel.to_table}",
                f"every {', '.join(rel.from_columns)} exists in "
                f"{rel.to_table}.{', '.join(rel.to_columns)}",
                rel.doc_path,
                column=column,
                columns=rel.from_columns,
                params={"to_table": rel.to_table, "to_columns": list(rel.to_columns)},
            )
        for rule in t.quality:
            self.quality(rule)
        if t.freshness is not None:
            f = t.freshness
            self.add(
                CheckKind.freshness,
                "freshness",
                f"the newest {f.column} is at most {_age(f.max_age)} old",
                f.doc_path,
                column=f.column,
                params={"max_age_seconds": int(f.max_age.total_seconds())},
            )
        return self.specs

    def column(self, c: Column, single_key: bool) -> None:
        if c.required or c.primary_key:
            self.add(
                CheckKind.not_null, "not_null", f"{c.name} is never null", c.doc_path, column=c.name
            )
        if c.unique or single_key:
            self.add(
                CheckKind.unique, "unique", f"{c.name} values are unique", c.doc_path, column=c.name
            )
        o = c.options
        low = o.minimum if o.minimum is not None else o.exclusive_minimum
        high = o.maximum if o.maximum is not None else o.exclusive_maximum
        if low is not None or high is not None:
            bounds = []
            if low is not None:
                bounds.append(f"{'>' if o.minimum is None else '>='} {low}")
            if high is not None:
                bounds.append(f"{'<' if o.maximum is None else '<='} {high}")
            self.add(
                CheckKind.between,
                "between",
                f"{c.name} is {' and '.join(bounds)}",
                f"{c.doc_path}.logicalTypeOptions",
                column=c.name,
                params={
                    "min_value": low,
                    "max_value": high,
                    "strict_min": o.minimum is None and low is not None,
                    "strict_max": o.maximum is None and high is not None,
                },
            )
        if o.pattern is not None:
            self.add(
                CheckKind.pattern,
                "pattern",
                f"{c.name} matches {o.pattern}",
                f"{c.doc_path}.logicalTypeOptions.pattern",
                column=c.name,
                params={"regex": o.pattern},
            )
        if o.min_length is not None or o.max_length is not None:
            self.add(
                CheckKind.length,
                "length",
                f"{c.name} is {o.min_length or 0} to {o.max_length or 'any'} characters long",
                f"{c.doc_path}.logicalTypeOptions",
                column=c.name,
                params={"min_value": o.min_length, "max_value": o.max_length},
            )
        if c.enum_values:
            self.add(
                CheckKind.in_set,
                "in_set",
                f"{c.name} is one of {', '.join(map(str, c.enum_values))}",
                f"{c.doc_path}.enum",
                column=c.name,
                params={"value_set": list(c.enum_values)},
            )
        for rule in c.quality:
            self.quality(rule)

    def quality(self, r: QualityRule) -> None:
        common: dict[str, Any] = {
            "column": r.column,
            "severity": r.severity,
            "operator": r.operator,
            "unit": r.unit,
        }
        what = r.column or self.table.name
        if r.type == "library":
            kind = _METRIC_KINDS[r.metric or ""]
            name = r.name or slug(r.metric or "")
            params: dict[str, Any] = {}
            if kind is CheckKind.missing_values:
                params["missing_values"] = list(
                    r.arguments.get("missingValues", DEFAULT_MISSING_VALUES)
                )
            elif kind is CheckKind.invalid_values:
                if "validValues" in r.arguments:
                    params["value_set"] = list(r.arguments["validValues"])
                else:
                    params["regex"] = r.arguments["pattern"]
            elif kind is CheckKind.duplicate_values and r.column is None:
                common["columns"] = tuple(r.arguments["properties"])
            measure = "share of" if r.unit == "percent" else "number of"
            noun = {
                CheckKind.null_values: "null values",
                CheckKind.missing_values: "missing values",
                CheckKind.invalid_values: "invalid values",
                CheckKind.duplicate_values: "duplicate values",
                CheckKind.row_count: "rows",
            }[kind]
            unit = "%" if r.unit == "percent" else ""
            assert r.operator is not None
            description = r.description or (
                f"{measure} {noun} in {what} is {r.operator.describe()}{unit}"
            )
            self.add(kind, name, description, r.doc_path, params=params, **common)
        elif r.type == "sql":
            assert r.operator is not None
            name = r.name or f"sql_{len(self.specs)}"
            self.add(
                CheckKind.sql,
                name,
                r.description or f"query result is {r.operator.describe()}",
                r.doc_path,
                params={"query": r.query},
                **common,
            )
        else:
            impl = r.implementation or {}
            name = r.name or str(impl.get("type", "custom")).removeprefix("expect_")
            kwargs = dict(impl.get("kwargs") or {})
            self.add(
                CheckKind.custom,
                name,
                r.description or f"{impl.get('type')} holds",
                r.doc_path,
                column=r.column or kwargs.get("column"),
                severity=r.severity,
                params={"expectation_type": impl.get("type"), "kwargs": kwargs},
            )


def _age(delta: Any) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


def compile_table_checks(contract: Contract, table: Table) -> list[CheckSpec]:
    return _TableCompiler(contract, table).compile()
