"""The parts of a table's step that differ when it is built one partition at a time.

Row-level and partition-level rules need nothing special: they run on the staged partition.
Key rules (unique, compound unique, primary key) also look across partitions here: the staged
keys are anti-joined against the keys published in every other partition.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from datapact_dagster.checks.gx_worker import current_gx_worker
from datapact_dagster.checks.result import PII_MASK, CheckResult, Verdict
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.contract.model import Table
from datapact_dagster.warehouse.partitions import (
    KeyDuplicates,
    Window,
    cross_partition_duplicates,
    drop_keys,
    publish_partition,
    window_for,
    window_query,
)

KEY_KINDS = (CheckKind.unique, CheckKind.compound_unique)


def partition_window(table: Table, partition: str | None) -> Window | None:
    """The window a step builds: None for an unpartitioned table or a whole-table run."""
    if table.partitioning is None or partition is None:
        return None
    return window_for(partition, table.partitioning.grain)


def partition_sql(table: Table, sql: str, window: Window | None) -> str:
    if table.partitioning is None or window is None:
        return sql
    return window_query(sql, table.partitioning.column, window)


def key_columns_of(spec: CheckSpec) -> tuple[str, ...]:
    if spec.kind is CheckKind.unique and spec.column:
        return (spec.column,)
    return tuple(spec.columns)


def published_key_columns(specs: Sequence[CheckSpec]) -> tuple[str, ...]:
    """Every column a key rule names: what the keys table keeps."""
    found: dict[str, None] = {}
    for spec in specs:
        if spec.kind in KEY_KINDS:
            found.update(dict.fromkeys(key_columns_of(spec)))
    return tuple(found)


def checked_across_partitions(
    engine: sa.Engine,
    table: Table,
    specs: Sequence[CheckSpec],
    staged_relation: str,
    window: Window,
    run_checks: Callable[[], Sequence[CheckResult]],
) -> list[CheckResult]:
    """`run_checks()` (the checks on the staged partition), each key rule's result failed
    when a staged key is published in another partition.

    The anti-join on the keys table needs no check result, so it runs on a second
    connection while the checks run: the warehouse works on it while GX plans its suite.
    Not while a GX worker validates the suites (checks/gx_worker.py): this process must let go
    of a single-process warehouse file for it, so the anti-join runs first.
    """
    assert table.partitioning is not None
    key_sets = list(dict.fromkeys(key_columns_of(s) for s in specs if s.kind in KEY_KINDS))
    if not key_sets:
        return list(run_checks())

    def look_up() -> dict[tuple[str, ...], KeyDuplicates]:
        assert table.partitioning is not None
        return {
            columns: cross_partition_duplicates(
                engine,
                table.physical_name,
                staged_relation,
                columns,
                table.partitioning.column,
                window,
            )
            for columns in key_sets
        }

    if current_gx_worker() is not None:
        found = look_up()
        results = run_checks()
    else:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="datapact-keys") as pool:
            pending = pool.submit(look_up)
            results = run_checks()
            found = pending.result()
    return [_with_published_keys(table, result, found, window) for result in results]


def _with_published_keys(
    table: Table,
    result: CheckResult,
    found: dict[tuple[str, ...], KeyDuplicates],
    window: Window,
) -> CheckResult:
    if result.spec.kind not in KEY_KINDS or result.verdict not in (Verdict.PASS, Verdict.FAIL):
        return result
    columns = key_columns_of(result.spec)
    duplicates = found[columns]
    if not duplicates.count:
        return result
    masked = set(columns) & set(table.pii_columns)
    samples = tuple(
        PII_MASK if masked else (row[0] if len(row) == 1 else list(row))
        for row in duplicates.samples
    )
    note = (
        f"{duplicates.count} row(s) of partition {window.key} repeat a key ("
        f"{', '.join(columns)}) already published in another partition"
    )
    return dataclasses.replace(
        result,
        passed=False,
        summary=note if result.passed else f"{result.summary}; {note}",
        unexpected_count=(result.unexpected_count or 0) + duplicates.count,
        samples=(*samples, *result.samples),
    )


def publish_window(
    engine: sa.Engine,
    table: Table,
    specs: Sequence[CheckSpec],
    staged_relation: str,
    window: Window,
) -> int:
    assert table.partitioning is not None
    return publish_partition(
        engine,
        table.physical_name,
        staged_relation,
        table.partitioning.column,
        window,
        published_key_columns(specs),
    )


def forget_published_keys(engine: sa.Engine, table: Table) -> None:
    """A whole-table publish of a partitioned table: its keys table is rebuilt at the next
    partition's publish, from the table as then published."""
    if table.partitioning is not None:
        drop_keys(engine, table.physical_name)
