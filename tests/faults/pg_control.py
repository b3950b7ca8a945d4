"""Stopping and starting a throwaway PostgreSQL cluster (tests/pg_server.py) in the middle of a
test, to make the warehouse or the evidence store unreachable and bring it back."""

from __future__ import annotations

import itertools
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.pg_server import find_pg_bin

_numbers = itertools.count(1)


@dataclass
class PgServer:
    url: str
    data_dir: Path
    port: int
    socket_dir: str

    @classmethod
    def of(cls, url: str) -> PgServer:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            setting = lambda name: conn.exec_driver_sql(f"SHOW {name}").scalar_one()  # noqa: E731
            found = cls(
                url,
                Path(setting("data_directory")),
                int(setting("port")),
                str(setting("unix_socket_directories")),
            )
        engine.dispose()
        return found

    def _pg_ctl(self, *args: str) -> None:
        bin_dir = find_pg_bin()
        assert bin_dir is not None
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(self.data_dir), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def stop(self) -> None:
        """Stop at once, as a crash or a network cut would: no client is told politely."""
        self._pg_ctl("-m", "immediate", "-w", "stop")

    def start(self) -> None:
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.socket_dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._pg_ctl("-o", options, "-w", "-l", str(self.data_dir.parent / "server.log"), "start")

    def running(self) -> bool:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect():
                return True
        except sa.exc.OperationalError:
            return False
        finally:
            engine.dispose()

    def ensure_running(self) -> None:
        """Start the server if an earlier test left it stopped."""
        if not self.running():
            self.start()

    def new_database(self, prefix: str) -> str:
        """A fresh database on this server; returns its URL."""
        self.ensure_running()
        name = f"{prefix}_{next(_numbers)}"
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)
