"""SQL that reaches past its table is refused by the warehouse session itself.

The validator refuses such rules before a run (contract/build_quality.py); these specs skip it,
as SQL slipping past the validator would, and the check session must still refuse it: the
verdict is an error and nothing of the file reaches the result.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from datapact_dagster.checks.gx_run import run_suite
from datapact_dagster.checks.result import CheckResult, Verdict
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.contract.model import Operator
from tests.checks.conftest import Warehouses
from tests.checks.shop_data import GOOD, PUBLISHED, SCHEMA

PASSWD_LINE = "root:x:0:0"
SEQUENCE = f"{SCHEMA}.hostile_seq"
HOST_FILE_QUERIES = {
    "duckdb": [
        "SELECT (SELECT content FROM read_text('/etc/passwd'))",
        "SELECT (SELECT COUNT(*) FROM read_csv('/etc/passwd'))",
        "SELECT (SELECT COUNT(*) FROM glob('/root/*'))",
        "SELECT (SELECT COUNT(*) FROM read_csv('https://example.com/data.csv'))",
    ],
    "postgresql": [
        "SELECT length(pg_read_file('/etc/passwd'))",
        "SELECT (SELECT COUNT(*) FROM pg_ls_dir('/root'))",
        "SELECT CAST(lo_import('/etc/passwd') AS BIGINT)",
    ],
}


def _sql_spec(query: str) -> CheckSpec:
    return CheckSpec(
        key="shop_orders__table__hostile",
        table="shop_orders",
        asset_key=("bronze", "shop_orders"),
        kind=CheckKind.sql,
        severity="error",
        description="",
        doc_path="quality[0]",
        contract_id="c",
        contract_version="1.0.0",
        operator=Operator(name="mustBe", value=0),
        params={"query": query},
    )


def _assert_refused(result: CheckResult) -> None:
    assert result.verdict is Verdict.ERROR, result.summary
    dumped = json.dumps(result.to_dict(), default=str)
    assert PASSWD_LINE not in dumped
    assert "/bin/bash" not in dumped


@pytest.mark.parametrize("engine_name", ["duckdb", "postgresql"])
def test_a_rule_reading_host_files_is_refused(warehouses: Warehouses, engine_name: str) -> None:
    engine = warehouses[engine_name]
    for query in HOST_FILE_QUERIES[engine_name]:
        [result] = run_suite([_sql_spec(query)], GOOD, engine, published=PUBLISHED, pii_columns=())
        _assert_refused(result)


def test_duckdb_refuses_extensions(warehouses: Warehouses) -> None:
    engine = warehouses["duckdb"]
    run_suite([_sql_spec("SELECT 0")], GOOD, engine, published=PUBLISHED, pii_columns=())
    with engine.connect() as connection:
        for statement in ("INSTALL httpfs", "LOAD httpfs", "SET enable_external_access = true"):
            with pytest.raises(sa.exc.DBAPIError):
                connection.exec_driver_sql(statement)
            connection.rollback()


@pytest.fixture
def unprivileged(warehouses: Warehouses) -> Iterator[sa.Engine]:
    """The shop tables read by a login that is not a superuser (as docs/operations.md asks)."""
    admin = warehouses["postgresql"]
    with admin.begin() as c:
        c.exec_driver_sql("DROP ROLE IF EXISTS dp_checker")
        c.exec_driver_sql("CREATE ROLE dp_checker LOGIN")
        c.exec_driver_sql(f"GRANT USAGE ON SCHEMA {SCHEMA} TO dp_checker")
        c.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO dp_checker")
        c.exec_driver_sql(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
        c.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {SEQUENCE} TO dp_checker")
    engine = sa.create_engine(make_url(str(admin.url)).set(username="dp_checker"))
    yield engine
    engine.dispose()
    with admin.begin() as c:
        c.exec_driver_sql(f"DROP SEQUENCE {SEQUENCE}")
        c.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {SCHEMA} FROM dp_checker")
        c.exec_driver_sql(f"REVOKE ALL ON SCHEMA {SCHEMA} FROM dp_checker")
        c.exec_driver_sql("DROP ROLE dp_checker")


def test_postgres_file_functions_are_refused_to_a_plain_login(unprivileged: sa.Engine) -> None:
    for query in HOST_FILE_QUERIES["postgresql"]:
        [result] = run_suite(
            [_sql_spec(query)], GOOD, unprivileged, published=PUBLISHED, pii_columns=()
        )
        _assert_refused(result)
        assert "permission denied" in (result.error or "")


def test_postgres_checks_run_read_only(unprivileged: sa.Engine) -> None:
    # the login may advance the sequence, yet not from a check: its transaction is read-only
    [result] = run_suite(
        [_sql_spec(f"SELECT nextval('{SEQUENCE}') * 0")],
        GOOD,
        unprivileged,
        published=PUBLISHED,
        pii_columns=(),
    )
    assert result.verdict is Verdict.ERROR
    assert "read-only transaction" in (result.error or "")
