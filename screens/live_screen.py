"""The base of the screens that keep themselves live from the cache on a timer (health, the
incident list, an incident's timeline).

What they share: a poll timer that sleeps while another mode (or a screen pushed over them) is
shown and reads at once on return, a failed read said in the status bar (never a traceback),
and, for the screens whose loads do not compute it, the status bar's "data fresh" read along
with a load now and then.

What each screen reads, and how many reads it lets run at once, stays its own: the health
view is a heavy build (at most one a second), the incident list skips a tick while a read
runs, and the timeline queues one more read (a note just written shows at once).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from penguin_tui.errors import PenguinError
from penguin_tui.health_view import Freshness, freshness
from penguin_tui.text import sanitize
from penguin_tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.timer import Timer

    from penguin_tui.app import PenguinApp
    from penguin_tui.store import Store

T = TypeVar("T")

FRESHNESS_S = 10.0  # the status bar's "data fresh" is coarse: read it now and then


def failure_text(error: BaseException | None) -> str:
    """What the status bar says of a failed read: a PenguinError's own words, else its repr."""
    message = error.message if isinstance(error, PenguinError) else repr(error)
    return sanitize(message, single_line=True, max_len=160)


class LiveScreen(Screen[None]):
    """A mode's screen that polls the cache. A subclass calls ``poll_every`` from on_mount,
    provides ``refresh_data`` and names in ``ERROR_GROUPS`` the worker groups (prefixes)
    whose failure the status bar reports."""

    ERROR_GROUPS: ClassVar[tuple[str, ...]] = ()

    _timer: Timer | None = None
    _fresh_at = float("-inf")  # monotonic time of the last freshness read

    @property
    def papp(self) -> PenguinApp:
        return self.app  # type: ignore[return-value]

    def refresh_data(self) -> None:
        """Read the cache again (the screen decides how many reads may run at once)."""
        raise NotImplementedError

    def poll_every(self, interval_s: float, callback: Callable[[], object], name: str) -> None:
        """Call ``callback`` every ``interval_s`` while the screen is shown (from on_mount)."""
        self._timer = self.set_interval(interval_s, callback, name=name)

    # Timers keep firing for screens of inactive modes: sleep while not shown.
    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.pause()

    def on_screen_resume(self) -> None:
        if self._timer is not None:
            self._timer.resume()
        self.refresh_data()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed read says so in the status bar (and the next poll tries again)."""
        if event.state is WorkerState.ERROR and event.worker.group.startswith(self.ERROR_GROUPS):
            self.query_one(StatusBar).show_error(failure_text(event.worker.error))

    async def read_with_freshness(self, read: Callable[[Store], T], now: float) -> T:
        """``read(store)`` on the cache reader's thread; every FRESHNESS_S the status bar's
        freshness is read in the same call (one trip to the reader) and shown."""
        app = self.papp
        config, recording = app.config, app.recording
        want_fresh = time.monotonic() - self._fresh_at >= FRESHNESS_S

        def both(store: Store) -> tuple[T, Freshness | None]:
            result = read(store)
            return result, freshness(store, config, now, recording) if want_fresh else None

        result, fresh = await app.reader.call(both)
        if fresh is not None:
            self._fresh_at = time.monotonic()
            self.query_one(StatusBar).show(
                fresh, None, recorder_error=app.recorder_error, alert_counts=app.alert_counts
            )
        return result
