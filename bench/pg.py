"""The PostgreSQL side of the bench: a throwaway cluster, the bench tables in it, and the
server's work memory while a contender runs.

The cluster is the one the tests start (`tests.pg_server`), so `make bench` needs nothing but
the installed server binaries. Server work memory is the private (anonymous) memory of every
server process (`RssAnon`: sorts, hash tables, per-backend caches; not the shared buffers,
which a scan fills the same for everyone), sampled every 20 ms, peak minus the idle level.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import sqlalchemy as sa

from bench.data import CUSTOMERS, ORDERS
from datapact_dagster.warehouse.dialects.postgres import POSTGRES
from tests.pg_server import find_pg_bin, postgres_cluster

__all__ = ["ServerMemory", "find_pg_bin", "load_tables", "postgres_cluster"]


def load_tables(duckdb_path: Path, url: str, folder: Path) -> None:
    """Copy the bench tables from the DuckDB file into PostgreSQL (through Parquet and
    DataPact's own bulk COPY), then VACUUM ANALYZE them as a loaded warehouse table would be."""
    engine = sa.create_engine(url)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for relation in (CUSTOMERS, ORDERS):
            con.execute(f"COPY {relation} TO '{folder / relation}.parquet' (FORMAT parquet)")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE SCHEMA IF NOT EXISTS bronze"))
        for relation in (CUSTOMERS, ORDERS):
            POSTGRES.expose_file(connection, folder / f"{relation}.parquet", relation)
            (folder / f"{relation}.parquet").unlink()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for relation in (CUSTOMERS, ORDERS):
            connection.execute(sa.text(f"VACUUM ANALYZE {relation}"))
    engine.dispose()


def _server_pids(postmaster: int) -> list[int]:
    pids = [postmaster]
    for task in Path(f"/proc/{postmaster}/task").iterdir():
        children = (task / "children").read_text().split()
        pids.extend(int(pid) for pid in children)
    return pids


def _private_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:  # ended between listing and reading
            continue
        for line in status.splitlines():
            if line.startswith("RssAnon:"):
                total += int(line.split()[1]) * 1024
    return total


class ServerMemory:
    """Samples the server's private memory in a thread while the block runs: `peak_bytes`
    is the highest total above the level when the block started."""

    def __init__(self, url: str) -> None:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            data_dir = connection.execute(sa.text("SHOW data_directory")).scalar_one()
        engine.dispose()
        pid_file = Path(str(data_dir)) / "postmaster.pid"
        self._postmaster = int(pid_file.read_text().splitlines()[0])
        self.peak_bytes = 0

    def _sample(self) -> int:
        return _private_bytes(_server_pids(self._postmaster))

    @contextmanager
    def watching(self) -> Iterator[None]:
        idle = self._sample()
        peak = idle
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, self._sample())
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield
        finally:
            done.set()
            sampler.join()
            self.peak_bytes = max(0, peak - idle)
