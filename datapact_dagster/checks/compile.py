"""Contract -> check specs: one spec per rule, each with a stable key (the Dagster check name).

Which kinds a table compiles to, and how, is the registry's (`checks.rules`); this module walks
the table in a fixed order (see `Source`) and keys and stamps each draft.
"""

from __future__ import annotations

from datapact_dagster.checks.rules import (
    RuleKind,
    Source,
    kind_of_quality_rule,
    kinds_compiled_from,
)
from datapact_dagster.checks.rules.kind import RuleSource, key_part, slug
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.contract.model import Column, Contract, QualityRule, Table


class _TableCompiler:
    def __init__(self, contract: Contract, table: Table) -> None:
        self.contract = contract
        self.table = table
        self.specs: list[CheckSpec] = []

    def compile(self) -> list[CheckSpec]:
        self.declared(Source.table)
        for column in self.table.columns:
            self.declared(Source.column, column)
            for rule in column.quality:
                self.quality(rule)
        self.declared(Source.keys)
        for rule in self.table.quality:
            self.quality(rule)
        self.declared(Source.sla)
        self.declared(Source.monitors)
        return self.specs

    def declared(self, source: Source, column: Column | None = None) -> None:
        for kind in kinds_compiled_from(source):
            self.add(kind, RuleSource(self.table, column=column, compiled=len(self.specs)))

    def quality(self, rule: QualityRule) -> None:
        kind = kind_of_quality_rule(rule)
        self.add(kind, RuleSource(self.table, rule=rule, compiled=len(self.specs)))

    def add(self, kind: RuleKind, source: RuleSource) -> None:
        for draft in kind.compile(source):
            self.specs.append(
                CheckSpec(
                    key=(
                        f"{self.table.name}__{key_part(draft.column or 'table')}"
                        f"__{slug(draft.rule)}"
                    ),
                    table=self.table.name,
                    asset_key=self.table.asset_key,
                    kind=kind.kind,
                    severity=draft.severity,
                    description=draft.description,
                    doc_path=draft.doc_path,
                    contract_id=self.contract.id,
                    contract_version=self.contract.version,
                    column=draft.column,
                    columns=draft.columns,
                    operator=draft.operator,
                    unit=draft.unit,
                    params=draft.params,
                )
            )


def compile_table_checks(contract: Contract, table: Table) -> list[CheckSpec]:
    return _TableCompiler(contract, table).compile()
