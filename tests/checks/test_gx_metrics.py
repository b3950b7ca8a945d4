"""DataPact's implementations of standard GX metrics give GX's numbers on every warehouse.

GX resolves DataPact's implementations on the DuckDB and the PostgreSQL engines (registered for
those engine classes only; plain GX keeps its own). Same planted cases, same suite: the numbers
GX's own implementations give, on both warehouses.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa

from datapact_dagster.checks.gx_run import RESULT_FORMAT, UNEXPECTED_ROWS_FORMAT, validate_suite
from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.key_counts import counting_keys
from datapact_dagster.warehouse.profile import profile, with_distinct
from tests.checks.conftest import ENGINES, Warehouses
from tests.pipeline.test_volume_anomaly import StatementLog

SCHEMA = "metric_cases"
DUPS = f"{SCHEMA}.dups"
MANY = f"{SCHEMA}.many"
_ROWS = [  # (id, k, a, b)
    (1, "x", "p", 1),
    (2, "x", "p", 1),
    (3, "x", "p", None),
    (4, "y", "p", None),
    (5, "y", None, None),
    (6, "z", None, None),
    (7, None, "q", 2),
    (8, None, "q", 3),
    (9, "w", "r", 1),
]

_prepared: set[str] = set()


def _prepare(engine: sa.Engine) -> None:
    if engine.dialect.name in _prepared:
        return
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {DUPS}"))
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {MANY}"))
        connection.execute(
            sa.text(f"CREATE TABLE {DUPS} (id INTEGER, k VARCHAR(8), a VARCHAR(8), b INTEGER)")
        )
        connection.execute(
            sa.text(f"INSERT INTO {DUPS} VALUES (:id, :k, :a, :b)"),
            [dict(zip(("id", "k", "a", "b"), row, strict=True)) for row in _ROWS],
        )
        connection.execute(
            sa.text(f"CREATE TABLE {MANY} AS SELECT g AS v FROM generate_series(1, 450) AS s(g)")
        )
    _prepared.add(engine.dialect.name)


def _run(engine: sa.Engine, relation: str, expectations: list[tuple[str, dict[str, Any]]]) -> dict:
    _prepare(engine)
    suite = {
        "name": "datapact.metric_cases",
        "expectations": [
            {"type": kind, "kwargs": kwargs, "meta": {"datapact_key": str(i)}}
            for i, (kind, kwargs) in enumerate(expectations)
        ],
        "meta": {},
    }
    outcomes = validate_suite(suite, relation, engine)
    for key, outcome in outcomes.items():
        assert outcome.error is None, (key, outcome.error)
    return {int(key): outcome.result for key, outcome in outcomes.items()}


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, warehouses: Warehouses) -> sa.Engine:
    return warehouses[request.param]


def test_unique_counts_and_samples_match_gx(engine: sa.Engine) -> None:
    results = _run(
        engine,
        DUPS,
        [
            ("expect_column_values_to_be_unique", {"column": "k"}),
            ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"]}),
            ("expect_column_values_to_be_unique", {"column": "id"}),
            (
                "expect_compound_columns_to_be_unique",
                {"column_list": ["a", "b"], "ignore_row_if": "never"},
            ),
        ],
    )
    k, ab, ident, ab_never = results[0], results[1], results[2], results[3]
    # rows whose non-null value repeats: x x x y y; nulls are never duplicates
    assert k["unexpected_count"] == 5
    assert k["element_count"] == 9
    assert Counter(k["partial_unexpected_list"]) == Counter({"x": 3, "y": 2})
    # GX's SQL engine: a row with a NULL key part is never a duplicate
    assert ab["unexpected_count"] == 2
    assert Counter(tuple(sorted(r.items())) for r in ab["partial_unexpected_list"]) == Counter(
        {(("a", "p"), ("b", 1)): 2}
    )
    assert ab_never["unexpected_count"] == 2
    assert ident["unexpected_count"] == 0
    assert ident["partial_unexpected_list"] == []


def test_a_unique_check_counts_its_keys_where_the_warehouse_counts_them(engine: sa.Engine) -> None:
    """The duplicates aggregate's groups are the key's distinct values (key_counts.py): kept
    for the profile, but never those of a row condition's subset or of a compound key."""
    with counting_keys() as counts:
        results = _run(
            engine,
            DUPS,
            [
                ("expect_column_values_to_be_unique", {"column": "k"}),
                (
                    "expect_column_values_to_be_unique",
                    {
                        "column": "a",
                        "row_condition": 'col("id")>4',
                        "condition_parser": "great_expectations",
                    },
                ),
                ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"]}),
            ],
        )
    assert results[0]["unexpected_count"] == 5 and results[1]["unexpected_count"] == 2
    with engine.connect() as connection:
        distinct_k = connection.execute(sa.text(f"SELECT COUNT(DISTINCT k) FROM {DUPS}")).scalar()
    assert distinct_k == 4  # x y z w; nulls are no value
    counted = for_engine(engine).unique_check_counts_keys
    assert counts == ({"k": distinct_k} if counted else {})
    assert counted == (engine.dialect.name == "duckdb")  # PostgreSQL would materialise them all
    with counting_keys() as unasked:
        pass
    _run(engine, DUPS, [("expect_column_values_to_be_unique", {"column": "k"})])
    assert unasked == {}  # recorded only while a check run asks


def test_the_profile_counts_only_the_keys_no_check_counted(engine: sa.Engine) -> None:
    _prepare(engine)
    measured = profile(engine, DUPS, ("k",), ("a",))
    with StatementLog(engine) as log:
        full = with_distinct(measured, engine, DUPS, ("k", "a", "b"), {"k": 4, "a": 99})
    # k as counted, a as measured (the profile's own count wins), b counted now
    assert full.distinct == {"k": 4, "a": 3, "b": 3}
    assert list(full.distinct) == ["k", "a", "b"]
    assert full.fingerprint == measured.fingerprint and full.non_null == measured.non_null
    (recount,) = [s for s in log.statements if "COUNT(DISTINCT" in s]
    assert '"b"' in recount and '"k"' not in recount and '"a"' not in recount


@pytest.mark.parametrize("bad_rows", [0, 1, 199, 200, 201, 250])
def test_unexpected_rows_counts_exact_around_the_fetch_cap(
    engine: sa.Engine, bad_rows: int
) -> None:
    query = f"SELECT v FROM {{batch}} WHERE v <= {bad_rows}"
    result = _run(
        engine, MANY, [("unexpected_rows_expectation", {"unexpected_rows_query": query})]
    )[0]
    assert result["observed_value"] == bad_rows
    assert len(result["details"]["unexpected_rows"]) == min(bad_rows, 200)


def test_samples_respect_partial_unexpected_count() -> None:
    assert RESULT_FORMAT == {"result_format": "BASIC", "partial_unexpected_count": 20}
    assert UNEXPECTED_ROWS_FORMAT == {"result_format": "COMPLETE"}


def test_metrics_are_registered_for_the_warehouse_engines_only(warehouses: Warehouses) -> None:
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine
    from great_expectations.expectations.registry import get_metric_provider

    from datapact_dagster.checks.gx_context import gx
    from datapact_dagster.warehouse.dialects.duckdb_gx import DuckDBExecutionEngine
    from datapact_dagster.warehouse.dialects.postgres_gx import PostgresExecutionEngine

    gx()  # registers the metrics

    ours_by_module = {
        "datapact_dagster.warehouse.dialects.duckdb_gx_metrics": DuckDBExecutionEngine(
            engine=warehouses["duckdb"], owns_engine=False
        ),
        "datapact_dagster.warehouse.dialects.postgres_gx_metrics": PostgresExecutionEngine(
            engine=sa.create_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none")
        ),
    }
    plain = SqlAlchemyExecutionEngine(engine=sa.create_engine("sqlite://"))
    for metric in (
        "column_values.unique.unexpected_count",
        "column_values.unique.unexpected_values",
        "compound_columns.unique.unexpected_count",
        "compound_columns.unique.unexpected_values",
        "unexpected_rows_query.table",
        "unexpected_rows_query.row_count",
    ):
        for module, engine in ours_by_module.items():
            ours, _ = get_metric_provider(metric, engine)
            assert ours.__module__ == module, metric
        stock, _ = get_metric_provider(metric, plain)
        assert stock.__module__.startswith("great_expectations."), metric


def test_samples_of_a_condition_no_row_breaks_are_not_queried(engine: sa.Engine) -> None:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", record)  # GX may build its own engine
    try:
        results = _run(
            engine,
            DUPS,
            [
                ("expect_column_values_to_not_be_null", {"column": "id"}),
                ("expect_column_values_to_not_be_null", {"column": "a"}),
            ],
        )
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", record)
    assert results[0]["unexpected_count"] == 0
    assert results[0]["partial_unexpected_list"] == []
    assert results[1]["unexpected_count"] == 2
    assert results[1]["partial_unexpected_list"] == [None, None]
    sample_queries = [s for s in statements if "AS unexpected_values" in s]
    assert len(sample_queries) == 1, sample_queries
    assert "a IS NULL" in sample_queries[0]


def test_check_step_leaves_duckdb_memory_limit_as_it_was(warehouses: Warehouses) -> None:
    engine = warehouses["duckdb"]
    _prepare(engine)
    query = "SELECT current_setting('memory_limit')"
    with engine.connect() as connection:
        before = connection.execute(sa.text(query)).scalar()
    from datapact_dagster.warehouse.dialects.duckdb import DUCKDB
    from datapact_dagster.warehouse.dialects.duckdb_memory import size_bytes

    with DUCKDB.bounded_memory(engine), engine.connect() as connection:
        during = connection.execute(sa.text(query)).scalar()
    with engine.connect() as connection:
        after = connection.execute(sa.text(query)).scalar()
    assert size_bytes(during) <= size_bytes("512MB") < size_bytes(before)
    assert after == before


def test_a_check_run_reading_only_small_tables_keeps_the_duckdb_memory_limit(
    warehouses: Warehouses, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = warehouses["duckdb"]
    _prepare(engine)
    from datapact_dagster.warehouse.dialects import duckdb_memory
    from datapact_dagster.warehouse.dialects.duckdb import DUCKDB
    from datapact_dagster.warehouse.dialects.duckdb_memory import size_bytes

    view = f"{SCHEMA}.many_view"
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {MANY}"))

    def lowered(reads: list[str] | None) -> bool:
        with DUCKDB.check_limits(engine, reads), engine.connect() as connection:
            limit = connection.execute(sa.text("SELECT current_setting('memory_limit')"))
            return size_bytes(str(limit.scalar())) <= size_bytes("512MB")

    assert not lowered([DUPS, MANY, DUPS])
    assert lowered([DUPS.rpartition(".")[2]])  # unqualified: the current schema has none
    assert lowered([DUPS, view])  # a view may read anything
    assert lowered([DUPS, f"{SCHEMA}.missing"])
    assert lowered(None)  # a rule's own SQL may read anything
    monkeypatch.setattr(duckdb_memory, "UNBOUNDED_CHECK_ROWS", 449)
    assert lowered([MANY])  # 450 rows
    assert not lowered([DUPS])


def test_what_a_suite_reads_names_relationship_parents_or_nothing_for_own_sql() -> None:
    from dataclasses import replace

    from datapact_dagster.checks.gx_suite import relations_read
    from datapact_dagster.checks.spec import CheckKind, CheckSpec
    from tests.evidence.factories import check_spec

    def spec(kind: CheckKind, **params: Any) -> CheckSpec:
        return replace(check_spec(f"t__{kind}", kind=kind), params=params)

    published = {"customers": "silver.customers_v2"}
    unique, parent = spec(CheckKind.unique), spec(CheckKind.relationship, to_table="customers")
    assert relations_read([unique, parent], "bronze.t", published) == [
        "bronze.t",
        "silver.customers_v2",
    ]
    assert relations_read([unique, spec(CheckKind.sql)], "bronze.t", published) is None
    assert relations_read([spec(CheckKind.custom)], "bronze.t", published) is None


def test_a_custom_duckdb_memory_limit_comes_back_after_every_check_run(
    warehouses: Warehouses,
) -> None:
    engine = warehouses["duckdb"]
    _prepare(engine)
    from datapact_dagster.warehouse.dialects.duckdb import DUCKDB
    from datapact_dagster.warehouse.dialects.duckdb_memory import size_bytes

    def limit() -> str:
        with engine.connect() as connection:
            return str(
                connection.execute(sa.text("SELECT current_setting('memory_limit')")).scalar()
            )

    default = limit()
    with engine.connect() as connection:
        connection.execute(sa.text("SET memory_limit = '3GB'"))
    custom = limit()
    for _ in range(3):  # the first run learns the limit, the later ones reuse what it learned
        with DUCKDB.bounded_memory(engine):
            assert size_bytes(limit()) <= size_bytes("512MB")
        assert limit() == custom
    with engine.connect() as connection:
        connection.execute(sa.text("RESET memory_limit"))
    assert limit() == default


def test_no_progress_bars(engine: sa.Engine, capfd: pytest.CaptureFixture[str]) -> None:
    _run(engine, DUPS, [("expect_column_values_to_be_unique", {"column": "k"})])
    out, err = capfd.readouterr()
    assert "Calculating Metrics" not in out + err
    assert "▕" not in out + err
