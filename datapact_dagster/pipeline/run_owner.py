"""Which process runs a DataPact launch, whether it is still alive, and the one-run gate.

Every run `datapact run` / `datapact check` launches is tagged with the launching host, its
process id and the kernel's start time of that process (so a reused pid is not mistaken for the
run). A run still marked in progress whose process is gone from this host died (kill -9, power
loss, out-of-memory killer); `pipeline/recovery.py` releases it.

The gate is an exclusive `flock` on a file in the Dagster home, held for a whole launch: the
kernel drops it when the holder dies, however it dies, so it never needs cleaning up.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from datapact_dagster.errors import EXIT_SYSTEM_ERROR, UserError

HOST_TAG = "datapact/host"
PID_TAG = "datapact/pid"
PROCESS_STARTED_TAG = "datapact/process_started"
GATE_FILE = "datapact-run.lock"
RUN_PID_ENV = "DATAPACT_RUN_PID"
"""The launching process's id, inherited by step worker processes (see pipeline/failpoints.py)."""

_PROC = Path("/proc")


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat from field 3 (state) on; None when there is no such process."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2 :].split()


def _process_started(pid: int) -> str | None:
    fields = _proc_stat(pid)
    return fields[19] if fields and len(fields) > 19 else None


@dataclass(frozen=True)
class RunOwner:
    host: str
    pid: int
    started: str | None = None
    tagged: bool = True
    """False for a run DataPact did not launch, whose process is read from its start event."""

    @classmethod
    def current(cls) -> RunOwner:
        pid = os.getpid()
        return cls(host=socket.gethostname(), pid=pid, started=_process_started(pid))

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> RunOwner | None:
        """The owner recorded on a run, or None for a run DataPact did not launch."""
        try:
            pid = int(tags[PID_TAG])
            host = tags[HOST_TAG]
        except (KeyError, ValueError):
            return None
        return cls(host=host, pid=pid, started=tags.get(PROCESS_STARTED_TAG) or None)

    def tags(self) -> dict[str, str]:
        tags = {HOST_TAG: self.host, PID_TAG: str(self.pid)}
        if self.started:
            tags[PROCESS_STARTED_TAG] = self.started
        return tags

    @property
    def on_this_host(self) -> bool:
        return self.host == socket.gethostname()

    def is_alive(self) -> bool:
        """False only when this host can tell the process is gone; another host's is alive."""
        if not self.on_this_host:
            return True
        if not _PROC.joinpath("self", "stat").exists():
            return _signal_reaches(self.pid)
        fields = _proc_stat(self.pid)
        if fields is None or fields[0] in ("Z", "X"):
            return False
        return self.started is None or len(fields) <= 19 or fields[19] == self.started

    def describe(self) -> str:
        where = "" if self.on_this_host else f" on {self.host}"
        launched = "" if self.tagged else ", read from its start event"
        return f"pid {self.pid}{where}{launched}"


def _signal_reaches(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WarehouseBusy(UserError):
    """Another live launch holds the gate."""

    def __init__(self, message: str, holder_pid: int | None) -> None:
        super().__init__(message, exit_code=EXIT_SYSTEM_ERROR)
        self.holder_pid = holder_pid


@contextlib.contextmanager
def run_gate(dagster_home: Path) -> Iterator[None]:
    """Hold the one-launch-at-a-time gate, or raise WarehouseBusy naming the holder's pid."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    path = dagster_home / GATE_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder_pid(path)
            raise WarehouseBusy(
                f"another DataPact launch{'' if holder is None else f' (pid {holder})'} is "
                "using the warehouse",
                holder,
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None
