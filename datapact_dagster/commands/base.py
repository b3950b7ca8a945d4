"""What every sub-command shares: exit codes, the project folder, user-facing errors."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

EXIT_OK = 0
EXIT_BREACHED = 1
EXIT_INVALID = 2
EXIT_SYSTEM_ERROR = 3


class UserError(Exception):
    """A problem the user can fix; printed without a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def project_dir(args: argparse.Namespace) -> Path:
    chosen = args.project or os.environ.get("DATAPACT_PROJECT_DIR") or Path.cwd()
    return Path(chosen).resolve()
