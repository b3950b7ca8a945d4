"""A second process that loads Great Expectations while this one starts Dagster and stages,
and then validates the GX suites of this process's check runs.

GX's import is seconds of Python, and Python runs one thread at a time: loaded on a thread
beside Dagster's start it only takes turns with it. In a process of its own it runs on the other
CPU. A run whose steps execute in this process (the in-process executor) starts one worker
(`gx_worker_for_run`); `checks/gx_run.py` hands it each suite. The worker reads the warehouse
through its own connections: a warehouse file that one process at a time may open is released
here first (`Dialect.release_to_other_process`) and reopened by the next statement.

Nothing is lost when the worker is missing or gone: `validate` answers None and the suite is
validated in this process, as without a worker.
"""

from __future__ import annotations

import atexit
import json
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

WORKER_MODULE = "datapact_dagster.checks.gx_worker_main"
_BOOT = (
    "import json, runpy, sys; sys.path[:] = json.loads(sys.argv[1]); "
    f"runpy.run_module({WORKER_MODULE!r}, run_name='__main__')"
)
"""The worker's start: this process's module path (`-P`: nothing of the folder it starts in
first), so it imports the same DataPact as this process, never another copy in that folder."""


@dataclass(frozen=True)
class ProfileRequest:
    """The relation's profile (warehouse/profile.py), measured while its suite is validated:
    the worker holds the warehouse then, and GX's own Python leaves a CPU free at times."""

    null_columns: tuple[str, ...]
    distinct_columns: tuple[str, ...]


@dataclass(frozen=True)
class SuiteRequest:
    """One suite to validate on `relation` of the warehouse at `url`; `reads` are the relations
    its checks read, None when unknown (they bound the warehouse's memory as in this process)."""

    suite: dict[str, Any]
    relation: str
    url: str
    reads: tuple[str, ...] | None
    profile: ProfileRequest | None = None


@dataclass(frozen=True)
class SuiteReply:
    """`outcomes`: datapact_key -> (success, result, error) when GX validated the suite;
    otherwise `failure` says why GX could not validate it as a whole. `profile`: the
    RelationProfile asked for, when measured."""

    outcomes: dict[str, tuple[bool, dict[str, Any], str | None]] | None
    failure: str | None = None
    profile: Any = None


class GxWorker:
    """The worker process and the pipe to it; one request at a time."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-c", _BOOT, json.dumps(sys.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._lock = threading.Lock()
        self.validated = 0
        self._profiles_wanted: dict[str, ProfileRequest] = {}
        self._profiles: dict[str, Any] = {}

    def profile_along(
        self, relation: str, null_columns: Sequence[str], distinct_columns: Sequence[str]
    ) -> None:
        """Measure `relation`'s profile beside the next suite validated on it."""
        wanted = ProfileRequest(tuple(null_columns), tuple(distinct_columns))
        self._profiles_wanted[relation] = wanted

    def take_profile(self, relation: str) -> Any:
        """The RelationProfile measured beside a suite since `profile_along`; None if none was
        (then the caller measures it itself)."""
        self._profiles_wanted.pop(relation, None)
        return self._profiles.pop(relation, None)

    def validate(self, request: SuiteRequest) -> SuiteReply | None:
        """The worker's reply, or None when it cannot answer (it exited, or could not open the
        warehouse): the caller then validates in its own process."""
        with self._lock:
            process = self._process
            if process.poll() is not None or process.stdin is None or process.stdout is None:
                return None
            wanted = self._profiles_wanted.pop(request.relation, None)
            if wanted is not None:
                request = replace(request, profile=wanted)
            try:
                pickle.dump(request, process.stdin)
                process.stdin.flush()
                reply = pickle.load(process.stdout)
            except (OSError, EOFError, pickle.UnpicklingError):
                self.stop()
                return None
            if reply is None:
                return None
            self.validated += 1
            if reply.profile is not None:
                self._profiles[request.relation] = reply.profile
            return reply

    def stop(self) -> None:
        """End the worker now: between requests it holds no connection and nothing to keep,
        and a run that ends early should not wait for GX to finish loading."""
        process = self._process
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None and not stream.closed:
                stream.close()


_current: GxWorker | None = None


def current_gx_worker() -> GxWorker | None:
    return _current


@contextmanager
def gx_worker_for_run(wanted: bool) -> Iterator[GxWorker | None]:
    """A worker for the block's check runs when `wanted` and GX is not loaded here already (then
    a worker would only add its start-up); stopped when the block ends."""
    if not wanted or _current is not None or "great_expectations" in sys.modules:
        yield None
        return
    with serving(GxWorker()) as worker:
        yield worker


@contextmanager
def serving(worker: GxWorker) -> Iterator[GxWorker]:
    """`worker` validates this process's suites while the block runs; stopped when it ends."""
    global _current
    previous, _current = _current, worker
    atexit.register(worker.stop)  # an exit from inside the block that skips its end
    try:
        yield worker
    finally:
        _current = previous
        worker.stop()
        atexit.unregister(worker.stop)
