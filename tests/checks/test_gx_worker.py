"""GX suites validated by the worker process (checks/gx_worker.py): the same results as in
this process, the same sandbox, and nothing lost when the worker cannot answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from datapact_dagster.checks.gx_run import run_suite
from datapact_dagster.checks.gx_suite import build_suite
from datapact_dagster.checks.gx_worker import GxWorker, ProfileRequest, SuiteRequest, serving
from datapact_dagster.checks.gx_worker_main import _reply
from datapact_dagster.checks.result import CheckResult
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.warehouse.dialects.duckdb_sandbox import lock_down
from datapact_dagster.warehouse.profile import profile
from tests.checks.shop_data import BAD, BAD_COUNTS, PUBLISHED, create_tables
from tests.checks.test_engine_gx import shop
from tests.checks.test_sandbox import HOST_FILE_QUERIES, _assert_refused, _sql_spec


def _warehouse(folder: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"duckdb:///{folder / 'warehouse.duckdb'}")
    create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """The worker's: GX never reads it in this process, which would keep the file open."""
    yield from _warehouse(tmp_path_factory.mktemp("gx_worker"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """The same tables, validated in this process."""
    yield from _warehouse(tmp_path_factory.mktemp("gx_here"))


@pytest.fixture(scope="module")
def expected(reference: sa.Engine) -> list[str]:
    with serving(_GoneWorker()):
        return _documents(_run(reference))


@pytest.fixture(scope="module")
def worker() -> Iterator[GxWorker]:
    with serving(GxWorker()) as started:
        yield started


def _gx_specs() -> list[CheckSpec]:
    _, _, specs = shop()
    return [s for s in specs if s.kind not in (CheckKind.schema, CheckKind.freshness)]


def _run(engine: sa.Engine, specs: list[CheckSpec] | None = None) -> list[CheckResult]:
    chosen = _gx_specs() if specs is None else specs
    return run_suite(chosen, BAD, engine, published=PUBLISHED, pii_columns=("email",))


def _documents(results: list[CheckResult]) -> list[str]:
    return [json.dumps(r.to_dict(), default=str, sort_keys=True) for r in results]


def test_the_worker_finds_what_this_process_finds(warehouse: sa.Engine, worker: GxWorker) -> None:
    before = worker.validated
    by_worker = _run(warehouse)
    assert worker.validated == before + 1
    with serving(_GoneWorker()):
        here = _run(warehouse)
    assert _documents(by_worker) == _documents(here)
    failed = {r.key.removeprefix("shop_orders__") for r in by_worker if not r.passed}
    checked = {s.key.removeprefix("shop_orders__") for s in _gx_specs()}
    assert set(BAD_COUNTS) & checked <= failed


def test_the_worker_refuses_host_files(warehouse: sa.Engine, worker: GxWorker) -> None:
    before = worker.validated
    for query in HOST_FILE_QUERIES["duckdb"]:
        [result] = _run(warehouse, [_sql_spec(query)])
        _assert_refused(result)
    assert worker.validated == before + len(HOST_FILE_QUERIES["duckdb"])


def test_a_missing_relation_reads_as_in_this_process(
    warehouse: sa.Engine, reference: sa.Engine, worker: GxWorker
) -> None:
    missing = f"{BAD}_missing"
    before = worker.validated
    by_worker = run_suite(_gx_specs(), missing, warehouse, published=PUBLISHED, pii_columns=())
    with serving(_GoneWorker()):
        here = run_suite(_gx_specs(), missing, reference, published=PUBLISHED, pii_columns=())
    assert _documents(by_worker) == _documents(here)
    assert worker.validated == before + 1
    assert all((r.error or "").startswith("GX could not validate") for r in by_worker)


def test_a_held_warehouse_file_is_validated_here(
    reference: sa.Engine, worker: GxWorker, expected: list[str]
) -> None:
    before = worker.validated
    with reference.connect() as held:  # the worker cannot open the file while this is open
        held.exec_driver_sql("SELECT 1")
        results = _run(reference)
    assert worker.validated == before
    assert _documents(results) == expected


def test_a_dead_worker_leaves_the_suite_to_this_process(
    reference: sa.Engine, expected: list[str]
) -> None:
    with serving(GxWorker()) as dying:
        dying._process.kill()
        dying._process.wait()
        assert _documents(_run(reference)) == expected
    assert dying.validated == 0


def test_a_reopened_file_allows_the_landing_files_it_allowed(tmp_path: Path) -> None:
    landing = tmp_path / "orders.parquet"
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    with engine.connect() as connection:
        connection.exec_driver_sql(f"COPY (SELECT 1 AS id) TO '{landing}' (FORMAT parquet)")
        assert str(landing) in lock_down(connection, readable=[landing])
    engine.dispose()  # as before the worker validates; the next statement opens it again
    with engine.connect() as connection:
        assert str(landing) in lock_down(connection)
        read = f"SELECT COUNT(*) FROM read_parquet('{landing}')"
        assert connection.exec_driver_sql(read).scalar() == 1
        with pytest.raises(sa.exc.DBAPIError):
            connection.exec_driver_sql("SELECT COUNT(*) FROM read_csv('/etc/passwd')")
    engine.dispose()


class _GoneWorker(GxWorker):
    """A worker that has exited: every suite is validated in this process."""

    def __init__(self) -> None:
        self.validated = 0

    def validate(self, request: object) -> None:
        return None

    def stop(self) -> None:
        return None


def test_the_worker_imports_this_datapact_not_a_copy_in_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoy = tmp_path / "folder" / "datapact_dagster"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise SystemExit('the copy in the folder was imported')\n")
    warehouse = _warehouse(tmp_path)
    engine = next(warehouse)
    monkeypatch.chdir(decoy.parent)  # a run started in a folder holding another copy
    with serving(GxWorker()) as started:
        results = _run(engine)
    assert started.validated == 1
    assert any(not r.passed for r in results)
    next(warehouse, None)


def test_the_profile_asked_along_is_measured_by_the_worker_as_here(
    warehouse: sa.Engine, reference: sa.Engine, worker: GxWorker
) -> None:
    columns = ("order_id", "email")
    # order_id's distinct values come with its unique check; no check groups customer_id's
    keys = ("order_id", "customer_id")
    assert [s.column for s in _gx_specs() if s.kind is CheckKind.unique] == ["order_id"]
    worker.profile_along(BAD, columns, keys)
    _run(warehouse)
    measured = worker.take_profile(BAD)
    assert measured == profile(reference, BAD, columns, keys)
    assert list(measured.distinct) == list(keys)
    assert measured.row_count > 0 and measured.distinct["order_id"] > 0
    assert worker.take_profile(BAD) is None  # taken once; asked for again, not kept


def test_the_worker_leaves_a_key_its_unique_check_counts_to_that_check(tmp_path: Path) -> None:
    """Beside the suite, the worker's profile counts no distinct order_id values (its unique
    check groups them anyway) but counts customer_id's, which no check groups."""
    warehouse = _warehouse(tmp_path)
    engine = next(warehouse)
    keys = ("order_id", "customer_id")
    expected = profile(engine, BAD, ("email",), keys)
    specs = _gx_specs()
    request = SuiteRequest(
        build_suite(specs[0].table, specs, "duckdb", PUBLISHED),
        BAD,
        engine.url.render_as_string(hide_password=False),
        None,
        ProfileRequest(("email",), keys),
    )
    engine.dispose()
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        reply = _reply(request)  # what the worker process runs, here in this one
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    assert reply is not None and reply.outcomes is not None
    assert reply.profile == expected
    counting = [s for s in statements if "COUNT(DISTINCT" in s]
    assert counting and all('"customer_id"' in s for s in counting)
    assert not [s for s in counting if '"order_id"' in s]
    next(warehouse, None)
