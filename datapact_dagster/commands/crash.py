"""What `datapact` does with an error nobody planned for: one line on stderr, the traceback in a
log file (and on stderr too with `--debug`), exit 3."""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from datapact_dagster.pipeline.failpoints import FAILPOINT_ENV

CRASH_FAILPOINT = "cli_crash"
"""DATAPACT_FAILPOINT=cli_crash makes a command raise an unexpected error (for tests only)."""
LOG_FOLDER = "logs"
"""Inside the state folder (DATAPACT_STATE_DIR, default <project>/.datapact)."""


def injected_crash() -> None:
    """Raise the fault the tests inject with DATAPACT_FAILPOINT=cli_crash; nothing otherwise."""
    if os.environ.get(FAILPOINT_ENV) == CRASH_FAILPOINT:
        raise RuntimeError(f"fault injected by {FAILPOINT_ENV}={CRASH_FAILPOINT}")


def one_line(exc: BaseException) -> str:
    """An exception as one line: a driver error without SQLAlchemy's statement and links."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


def state_dir(project: str | None) -> Path:
    """The state folder, read the way `Settings` reads it but without its validation, which
    may be the very thing that failed."""
    chosen = project or os.environ.get("DATAPACT_PROJECT_DIR") or Path.cwd()
    return Path(os.environ.get("DATAPACT_STATE_DIR") or Path(chosen) / ".datapact")


def write_crash_log(exc: BaseException, command: str, argv: list[str], folder: Path) -> Path:
    """The traceback in `<folder>/logs/datapact-<UTC time>-<pid>.log`, else in a temp file."""
    moment = datetime.now(UTC)
    text = (
        f"datapact {command} crashed at {moment.isoformat()}\n"
        f"argv: {argv}\n"
        f"cwd: {Path.cwd()}\n\n"
        + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    )
    name = f"datapact-{moment.strftime('%Y%m%dT%H%M%SZ')}-{os.getpid()}.log"
    try:
        logs = folder / LOG_FOLDER
        logs.mkdir(parents=True, exist_ok=True)
        path = logs / name
        path.write_text(text, encoding="utf-8")
        return path
    except OSError:
        handle, temp = tempfile.mkstemp(prefix="datapact-", suffix=".log")
        with os.fdopen(handle, "w", encoding="utf-8") as log:
            log.write(text)
        return Path(temp)


def report_crash(
    exc: BaseException, command: str, argv: list[str], project: str | None, *, debug: bool
) -> None:
    """Print the crash in one line (plus the traceback with --debug) and keep the traceback."""
    try:
        where = f"traceback in {write_crash_log(exc, command, argv, state_dir(project))}"
    except OSError as log_error:
        where = f"no log file could be written ({one_line(log_error)})"
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    hint = "" if debug else "; add --debug to print it here"
    print(
        f"datapact {command}: internal error (exit 3): {one_line(exc)} — {where}{hint}",
        file=sys.stderr,
    )
