"""A console's read access to the cache: one thread, one read connection, awaitable calls.

SQLite connections belong to the thread that opened them, and opening one per refresh would
re-read the schema every time; a single long-lived reader thread does neither. Readers never
block the recorder (WAL), and the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from penguin_tui.store import Store

T = TypeVar("T")


class CacheReader:
    """Run functions of a ``Store`` on the reader thread: ``await reader.call(fn, *args)``.

    ``fn`` receives the store as its first argument. ``path`` may be ":memory:" only when
    ``store`` is given (an in-memory cache shared with an in-process recorder).
    """

    def __init__(self, path: Path | str, store: Store | None = None) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="penguin-read")
        self._store = store

    def _ensure(self) -> Store:
        if self._store is None:
            from penguin_tui.store import Store

            self._store = Store.open(self.path)
        return self._store

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(store, *args)`` on the reader thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(self._ensure(), *args))

    def close(self) -> None:
        """Close the connection (on its own thread) and stop the thread."""

        def close() -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        self._executor.submit(close).result()
        self._executor.shutdown(wait=True)
