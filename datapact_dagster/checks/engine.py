"""The check step: every check of one table against one relation, on any supported warehouse."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import sqlalchemy as sa

from datapact_dagster.checks.native import freshness_check, schema_check
from datapact_dagster.checks.result import CheckResult
from datapact_dagster.checks.rules import HISTORY_KINDS, NATIVE_KINDS, required_columns
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.contract.model import Contract, ContractSet, Table
from datapact_dagster.warehouse.catalog import columns_remembered, relation_columns


def run_table_checks(
    contract_set: ContractSet,
    contract: Contract,
    table: Table,
    specs: list[CheckSpec],
    relation: str,
    engine: sa.Engine,
    *,
    published: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> list[CheckResult]:
    """Evaluate `specs` (compiled from `table`) on `relation`; results in spec order.

    The schema check runs first; a check needing a column the relation lacks is returned
    skipped, so schema drift fails the schema check and no unrelated one. `published` maps a
    table name to the relation its consumers read (relationship checks join it); by default
    each contract table's physical name. `now` (UTC) is the freshness reference.

    Anomaly monitors (HISTORY_KINDS) are not judged here: they need the run's metrics and the
    table's history (monitoring/anomaly.py). They get a result only when skipped for a
    missing column; the other results are in spec order.
    """
    with columns_remembered():
        return _checks_on(contract_set, table, specs, relation, engine, published, now)


def _checks_on(
    contract_set: ContractSet,
    table: Table,
    specs: list[CheckSpec],
    relation: str,
    engine: sa.Engine,
    published: Mapping[str, str] | None,
    now: datetime | None,
) -> list[CheckResult]:
    columns = relation_columns(engine, relation)
    results: dict[str, CheckResult] = {}
    schema_key = next((s.key for s in specs if s.kind is CheckKind.schema), None)
    for spec in specs:
        if spec.kind is CheckKind.schema:
            results[spec.key] = schema_check(spec, relation, columns)
        elif not columns:
            message = f"not evaluated: relation {relation} does not exist"
            results[spec.key] = CheckResult(spec=spec, passed=False, summary=message, error=message)
        elif missing := [c for c in required_columns(spec) if c not in columns]:
            results[spec.key] = _skipped(spec, missing, schema_key)

    gx_specs = [
        s
        for s in specs
        if s.key not in results and s.kind not in NATIVE_KINDS and s.kind not in HISTORY_KINDS
    ]
    if gx_specs:
        from datapact_dagster.checks.gx_run import run_suite  # imports GX on first use

        relations = dict(contract_set.published_relations)
        relations.update(published or {})
        for result in run_suite(
            gx_specs, relation, engine, published=relations, pii_columns=table.pii_columns
        ):
            results[result.key] = result

    for spec in specs:
        if spec.key not in results and spec.kind is CheckKind.freshness:
            results[spec.key] = _guarded(
                spec, lambda s=spec: freshness_check(s, relation, engine, now)
            )
    return [results[spec.key] for spec in specs if spec.key in results]


def _skipped(spec: CheckSpec, missing: list[str], schema_key: str | None) -> CheckResult:
    noun = "column" if len(missing) == 1 else "columns"
    listed = ", ".join(f"'{c}'" for c in missing)
    verb = "is" if len(missing) == 1 else "are"
    see = f" (see {schema_key})" if schema_key else ""
    message = f"not evaluated: {noun} {listed} {verb} missing{see}"
    return CheckResult(spec=spec, passed=False, summary=message, error=message, skipped=True)


def _guarded(spec: CheckSpec, evaluate: Callable[[], CheckResult]) -> CheckResult:
    try:
        return evaluate()
    except Exception as exc:
        message = f"not evaluated: {str(exc).strip().splitlines()[0]}"
        return CheckResult(spec=spec, passed=False, summary=message, error=message)
