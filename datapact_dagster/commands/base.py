"""What every sub-command shares: exit codes, the project folder, user-facing errors."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from datapact_dagster.errors import (
    EXIT_BREACHED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_SYSTEM_ERROR,
    UserError,
)

__all__ = [
    "EXIT_BREACHED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_SYSTEM_ERROR",
    "UserError",
    "project_dir",
]


def project_dir(args: argparse.Namespace) -> Path:
    chosen = args.project or os.environ.get("DATAPACT_PROJECT_DIR") or Path.cwd()
    return Path(chosen).resolve()
