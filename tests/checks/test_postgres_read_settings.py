"""PostgreSQL sessions that read a table for DataPact run without JIT, unless the connection's
own options ask for it: DataPact's check sessions, GX's sessions and the profile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from datapact_dagster.checks.gx_run import run_suite
from datapact_dagster.checks.result import Verdict
from datapact_dagster.warehouse.dialects.postgres import POSTGRES
from datapact_dagster.warehouse.profile import profile
from tests.checks.conftest import Warehouses
from tests.checks.shop_data import GOOD, PUBLISHED, SCHEMA
from tests.checks.test_sandbox import _sql_spec

JIT_OFF_ROWS = f"{SCHEMA}.jit_off_rows"
OWN_JIT = ("-c jit=on", "-cjit=on", "--jit=on", "-c statement_timeout=0 -c jit=on")


def _with_options(engine: sa.Engine, options: str) -> sa.Engine:
    return sa.create_engine(make_url(str(engine.url)).update_query_dict({"options": options}))


@pytest.fixture
def postgres(warehouses: Warehouses) -> Iterator[sa.Engine]:
    engine = warehouses["postgresql"]
    with engine.begin() as c:
        c.exec_driver_sql(
            f"CREATE OR REPLACE VIEW {JIT_OFF_ROWS} AS "
            "SELECT 1 AS one WHERE current_setting('jit') = 'off'"
        )
    yield engine
    with engine.begin() as c:
        c.exec_driver_sql(f"DROP VIEW {JIT_OFF_ROWS}")


def _gx_options(engine: sa.Engine) -> str:
    return str(make_url(POSTGRES.gx_connection_string(engine)).query["options"])


def _session_jit(engine: sa.Engine) -> str:
    with POSTGRES.check_session(engine) as connection:
        return str(connection.exec_driver_sql("SELECT current_setting('jit')").scalar())


def test_a_check_session_runs_without_jit_and_leaves_the_pool_as_it_was(
    postgres: sa.Engine,
) -> None:
    assert _session_jit(postgres) == "off"
    with postgres.connect() as connection:
        assert connection.exec_driver_sql("SELECT current_setting('jit')").scalar() == "on"


def test_gx_sessions_and_the_profile_run_without_jit(postgres: sa.Engine) -> None:
    query = "SELECT CASE WHEN current_setting('jit') = 'off' THEN 0 ELSE 1 END"
    [result] = run_suite([_sql_spec(query)], GOOD, postgres, published=PUBLISHED, pii_columns=())
    assert result.verdict is Verdict.PASS, result.summary
    assert profile(postgres, JIT_OFF_ROWS).row_count == 1
    assert _gx_options(postgres).startswith("-c jit=off ")


@pytest.mark.parametrize("options", OWN_JIT)
def test_the_connections_own_options_keep_jit(postgres: sa.Engine, options: str) -> None:
    own = _with_options(postgres, options)
    try:
        assert _session_jit(own) == "on"
        query = "SELECT CASE WHEN current_setting('jit') = 'on' THEN 0 ELSE 1 END"
        [result] = run_suite([_sql_spec(query)], GOOD, own, published=PUBLISHED, pii_columns=())
        assert result.verdict is Verdict.PASS, result.summary
        assert profile(own, JIT_OFF_ROWS).row_count == 0
    finally:
        own.dispose()


def test_pgoptions_count_as_the_connections_own(
    postgres: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGOPTIONS", "-c jit=on")
    own = sa.create_engine(postgres.url)
    try:
        assert _session_jit(own) == "on"
        assert _gx_options(own).startswith("-c jit=on ")
        assert "jit=off" not in _gx_options(own)
    finally:
        own.dispose()
