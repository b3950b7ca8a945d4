"""Bad landing files: a file that is not a usable Parquet file is bad input (exit 2, the file
named, nothing staged or published); a good file whose columns break the contract is data that
fails the schema check (quarantined, exit 1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from datapact_dagster.warehouse.catalog import relation_columns
from tests.faults.harness import RUN_ONE, Project, assert_clean_cause


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _duplicated(path: Path) -> None:
    shutil.copy(path, path.with_name(path.name.upper()))


BAD_FILES: dict[str, tuple[Callable[[Path], None], dict[str, str], str]] = {
    "empty": (_empty, {}, "is empty (0 bytes)"),
    "truncated": (_truncated, {}, "is truncated"),
    "garbage": (_garbage, {}, "is not a Parquet file"),
    "duplicated": (_duplicated, {}, "keep exactly one"),
    "oversized": (lambda path: None, {"DATAPACT_LANDING_MAX_BYTES": "10000"}, "over the limit"),
}


def test_bad_landing_files_are_refused_and_nothing_is_published(project: Project) -> None:
    landing = project.landing / "customers.parquet"
    good = landing.read_bytes()
    before = project.published()
    exit_codes = {}
    for case, (spoil, env, problem) in BAD_FILES.items():
        spoil(landing)

        result = project.cli(*RUN_ONE, **env)

        exit_codes[case] = result.returncode
        assert result.returncode != 0, f"{case}: {result.stdout}{result.stderr}"
        assert_clean_cause(result, str(landing) if case != "duplicated" else "CUSTOMERS.PARQUET")
        assert_clean_cause(result, problem)
        assert project.published() == before, case
        for extra in project.landing.glob("CUSTOMERS.PARQUET"):
            extra.unlink()
        landing.write_bytes(good)

    project.assert_evidence_verifies()
    project.assert_next_run_succeeds()
    assert project.published() == before
    assert set(exit_codes.values()) == {2}, f"bad landing files must exit 2: {exit_codes}"


def _rewrite(path: Path, change: Callable[[pa.Table], pa.Table]) -> None:
    pq.write_table(change(pq.read_table(path)), path)


def _without_country(table: pa.Table) -> pa.Table:
    return table.drop_columns(["country"])


def _signup_as_text(table: pa.Table) -> pa.Table:
    index = table.schema.get_field_index("signup_at")
    as_text = pa.array([str(v) for v in table["signup_at"].to_pylist()])
    return table.set_column(index, "signup_at", as_text)


def _with_extra_column(table: pa.Table) -> pa.Table:
    return table.append_column("loyalty_tier", pa.array(["gold"] * table.num_rows))


def _assert_quarantined(project: Project, change: Callable[[pa.Table], pa.Table]) -> None:
    landing = project.landing / "customers.parquet"
    good = landing.read_bytes()
    before = project.published()
    _rewrite(landing, change)

    result = project.cli(*RUN_ONE)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "quarantined" in result.stdout
    assert "FAILED bronze/raw_customers: raw_customers__table__schema" in result.stdout
    assert_clean_cause(result)
    assert project.published() == before
    landing.write_bytes(good)


def test_missing_or_retyped_columns_fail_the_schema_check(project: Project) -> None:
    before = project.published()
    for change in (_without_country, _signup_as_text):
        _assert_quarantined(project, change)

    project.assert_evidence_verifies()
    project.assert_next_run_succeeds()
    assert project.published() == before


def test_an_extra_column_is_published_with_a_schema_warning(project: Project) -> None:
    """Undeclared columns warn (docs/contracts.md: schema conformance), they do not block."""
    landing = project.landing / "customers.parquet"
    _rewrite(landing, _with_extra_column)

    result = project.cli(*RUN_ONE)

    assert result.returncode == 0, result.stdout + result.stderr
    assert_clean_cause(result)
    engine = sa.create_engine(project.warehouse_url)
    try:
        columns = relation_columns(engine, "bronze.raw_customers")
    finally:
        engine.dispose()
    assert "loyalty_tier" in columns
    warned = project.cli("evidence", "list", "--format", "json")
    assert "warning: undeclared column(s) loyalty_tier" in warned.stdout
    project.assert_evidence_verifies()
