"""Exit codes and the error a user can fix, shared by every layer that can refuse input."""

from __future__ import annotations

EXIT_OK = 0
EXIT_BREACHED = 1
EXIT_INVALID = 2
EXIT_SYSTEM_ERROR = 3


class UserError(Exception):
    """A problem the user can fix; printed without a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.exit_code = exit_code
