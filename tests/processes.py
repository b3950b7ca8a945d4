"""Stopping the server processes tests start (webservers, daemons, workers) and all they forked."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop a process started with start_new_session and everything it started (webserver,
    daemon, code servers): SIGTERM first, then SIGKILL for whatever is left."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
