"""Who is running a command that records a person's decision (a rollback) as evidence."""

from __future__ import annotations

import getpass
import os
import subprocess
from pathlib import Path

USER_ENV = "DATAPACT_USER"


def current_person(project_dir: Path) -> str:
    """DATAPACT_USER, else the git `user.email` of the project, else the operating-system user."""
    configured = os.environ.get(USER_ENV, "").strip()
    if configured:
        return configured
    email = _git_email(project_dir)
    if email:
        return email
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _git_email(project_dir: Path) -> str | None:
    try:
        found = subprocess.run(
            ["git", "config", "user.email"],
            cwd=project_dir,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None
