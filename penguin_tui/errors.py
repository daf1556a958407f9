"""Errors that reach the operator as one clear message and an exit code scripts can use."""

from __future__ import annotations

# Exit codes. 0-3 are the Nagios codes `penguin-tui check` returns; the rest follow the
# conventions of command-line tools (2 is also usage/config errors, as click does).
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_CACHE = 4  # the cache cannot be opened, is corrupt, newer, locked or not writable
EXIT_INTERRUPTED = 130


class PenguinError(Exception):
    """An error with a message meant for the operator (no traceback) and an exit code."""

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)


class CacheError(PenguinError):
    """The cache file cannot be used: corrupt, not SQLite, newer schema, unwritable, full."""

    exit_code = EXIT_CACHE


class WriterLockHeld(CacheError):
    """Another recorder already writes this cache."""

    def __init__(self, path: str, pid: int, host: str, role: str = "daemon") -> None:
        super().__init__(
            f"{path}: the cache is already being recorded by a {role} (pid {pid} on {host}); "
            "only one recorder may write a cache. Attach to it with the console, or use "
            "another --cache."
        )
        self.pid = pid
        self.host = host
        self.role = role
