"""Two processes appending at the same time still produce one unbroken chain."""

from __future__ import annotations

import multiprocessing
import uuid
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from datapact_dagster.evidence import EvidenceStore

from .concurrent_writer import append_many

WRITERS = 2
APPENDS_PER_WRITER = 50
RECORDS_PER_APPEND = 2


@pytest.fixture
def pg_evidence_url(pg_url: str) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL server, dropped afterwards."""
    name = f"evidence_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run_concurrent_writers(url: str) -> EvidenceStore:
    store = EvidenceStore(url)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WRITERS)
    writers = [
        context.Process(target=append_many, args=(url, f"w{n}", APPENDS_PER_WRITER, start))
        for n in range(WRITERS)
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=180)
        assert process.exitcode == 0, f"writer {process.name} failed ({process.exitcode})"
    return store


def assert_one_unbroken_chain(store: EvidenceStore) -> None:
    records = store.records()
    expected = WRITERS * APPENDS_PER_WRITER * RECORDS_PER_APPEND
    assert [r.seq for r in records] == list(range(1, expected + 1))
    assert len({r.prev_hash for r in records}) == expected
    per_writer = Counter(r.run_id.split("-")[0] for r in records if r.run_id)
    assert per_writer == {f"w{n}": expected // WRITERS for n in range(WRITERS)}
    owners = [r.run_id.split("-")[0] for r in records if r.run_id]
    switches = sum(1 for a, b in pairwise(owners) if a != b)
    assert switches > 1, "writers did not overlap, so the test proved nothing"
    for first, second in zip(records[::2], records[1::2], strict=True):
        assert first.run_id == second.run_id, "a batch was interleaved with another writer's"
    result = store.verify()
    assert result.ok, result.reason
    assert result.checked == expected


def test_concurrent_writers_on_sqlite_file(tmp_path: Path) -> None:
    store = run_concurrent_writers(f"sqlite:///{tmp_path / 'evidence.db'}")
    assert_one_unbroken_chain(store)


def test_concurrent_writers_on_postgresql(pg_evidence_url: str) -> None:
    store = run_concurrent_writers(pg_evidence_url)
    try:
        assert_one_unbroken_chain(store)
    finally:
        store.close()
