"""Run a Recorder on its own thread and event loop, for a console that records itself.

A console polling hundreds of targets keeps that work off the UI's event loop, so a burst of
responses never delays a keypress; the two only meet through ``on_batch`` (called on the
recorder thread: hand it something thread-safe, such as Textual's ``post_message``).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

from penguin_tui.config_model import Config
from penguin_tui.model import Batch


class RecorderThread:
    """Start/stop a ``Recorder`` in a daemon thread; ``error`` holds why it ended early."""

    def __init__(
        self,
        config: Config,
        cache_path: Path | str,
        *,
        role: str = "console",
        on_batch: Callable[[Batch], None] | None = None,
    ) -> None:
        self.config = config
        self.cache_path = cache_path
        self.role = role
        self.on_batch = on_batch
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._finished = threading.Event()  # last batch written, writer lock released
        self._thread = threading.Thread(target=self._main, name="penguin-recorder", daemon=True)

    def start(self, timeout: float = 10.0) -> None:
        """Start recording; returns once the writer lock is held (or re-raises why not)."""
        self._thread.start()
        self._ready.wait(timeout)
        if self.error is not None:
            raise self.error

    def _main(self) -> None:
        from penguin_tui.recorder import Recorder

        async def run() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            recorder = Recorder(
                self.config, self.cache_path, role=self.role, on_batch=self.on_batch
            )
            ready = asyncio.create_task(recorder.wait_ready())
            ready.add_done_callback(lambda _t: self._ready.set())
            try:
                await recorder.run(self._stop)
            finally:
                ready.cancel()
                self._finished.set()

        try:
            asyncio.run(run())
        except BaseException as exc:  # reported to the console, which shows it
            self.error = exc
        finally:
            self._ready.set()
            self._finished.set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the recorder to finish (last batch written, lock released) and wait for that.

        It does not wait for the thread's event loop to wind down: a DNS lookup still running
        in the loop's resolver thread cannot be cancelled and may take many seconds.
        """
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nothing to stop
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread.is_alive():
            self._finished.wait(timeout)
