"""One recorder per cache: an ``flock`` on ``<cache>.lock``.

The kernel drops an flock when its holder dies, however it dies (kill -9 included), so a lock
file left behind by a dead recorder never blocks the next one. The file's content (pid, host,
role, start time as JSON) is only information for the message naming who holds the lock.
The file itself is never deleted: unlinking a lock file while another process has it open is
how two processes end up "holding" two different locks.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time

from penguin_tui.errors import CacheError, WriterLockHeld
from penguin_tui.model import WriterInfo
from penguin_tui.text import sanitize


def lock_path(cache_path: str) -> str:
    """The lock file that goes with a cache file."""
    return cache_path + ".lock"


def _parse(raw: bytes) -> WriterInfo | None:
    try:
        data = json.loads(raw.decode("utf-8"))
        return WriterInfo(
            pid=int(data["pid"]),
            host=sanitize(data.get("host", "?"), max_len=255, single_line=True),
            started_at=float(data.get("started_at", 0.0)),
            role=sanitize(data.get("role", "daemon"), max_len=32, single_line=True),
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def _read_info(fd: int) -> WriterInfo | None:
    # The holder writes its details just after taking the lock; a reader that comes in
    # between sees an empty file, so give the holder a moment before giving up.
    for _ in range(20):
        info = _parse(os.pread(fd, 4096, 0))
        if info is not None:
            return info
        time.sleep(0.005)
    return None


class WriterLock:
    """The writer lock of one cache file, held by at most one process (and one Store) at a time."""

    def __init__(self, cache_path: str) -> None:
        self.cache_path = cache_path
        self.path = lock_path(cache_path)
        self._fd: int | None = None
        self.info: WriterInfo | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def _open(self) -> int:
        # The lock file takes the cache file's permissions (0600 for a private cache, group
        # read-write for one shared by operators), so every console can see who records.
        try:
            mode = os.stat(self.cache_path).st_mode & 0o666
        except OSError:
            mode = 0o600
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(fd).st_uid == os.geteuid():
                os.fchmod(fd, mode)
            return fd
        except OSError as exc:
            raise CacheError(
                f"{self.path}: cannot open the cache's lock file ({exc.strerror or exc})"
            ) from exc

    def acquire(self, role: str = "daemon") -> None:
        """Take the lock or raise WriterLockHeld naming the holder's pid and host."""
        if self._fd is not None:
            return
        fd = self._open()
        try:
            self._lock_exclusive(fd)
        except BaseException:
            os.close(fd)
            raise
        info = WriterInfo(os.getpid(), socket.gethostname(), time.time(), role)
        payload = json.dumps(
            {"pid": info.pid, "host": info.host, "role": info.role, "started_at": info.started_at}
        ).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, payload, 0)
        self._fd = fd
        self.info = info

    def _lock_exclusive(self, fd: int) -> None:
        for _ in range(5):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                holder = _read_info(fd)
                if holder is not None:
                    raise WriterLockHeld(
                        self.cache_path, holder.pid, holder.host, holder.role
                    ) from None
                # No details written: either a reader's holder() probe holds a shared lock
                # for a moment, or a new holder has yet to write them. Try again shortly.
            except OSError as exc:
                raise CacheError(f"{self.path}: cannot lock ({exc.strerror or exc})") from exc
        raise WriterLockHeld(self.cache_path, 0, "unknown host", "recorder")

    def release(self) -> None:
        """Give the lock up (a no-op when not held)."""
        fd, self._fd, self.info = self._fd, None, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            # Empty it while still holding it: after the unlock the next holder owns the content.
            os.ftruncate(fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def holder(self) -> WriterInfo | None:
        """Who holds the lock now (this process included), or None when nobody does."""
        if self._fd is not None:
            return self.info
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CacheError(
                f"{self.path}: cannot read the cache's lock file ({exc.strerror or exc})"
            ) from exc
        try:
            try:
                # A shared lock is granted only when no one holds the exclusive one.
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return _read_info(fd) or WriterInfo(0, "unknown host", 0.0, "recorder")
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)
