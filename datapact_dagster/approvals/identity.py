"""Who is running the command: the person an approval, a rejection or an override is
recorded for."""

from __future__ import annotations

import getpass
import os
import subprocess
from pathlib import Path

USER_ENV = "DATAPACT_USER"


def current_person(project_dir: Path) -> str | None:
    """`$DATAPACT_USER`, else git's `user.email` in the project; lower-cased; None if neither."""
    configured = os.environ.get(USER_ENV, "").strip()
    if configured:
        return configured.lower()
    try:
        done = subprocess.run(
            ["git", "config", "user.email"],
            cwd=project_dir if project_dir.is_dir() else None,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    email = done.stdout.strip().lower()
    return email if done.returncode == 0 and email else None


def person_or_account(project_dir: Path) -> str:
    """`current_person`, else the operating-system account: for records where someone must be
    named even without an e-mail (a rollback)."""
    found = current_person(project_dir)
    if found:
        return found
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"
