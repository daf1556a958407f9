"""The app's alert watch: one incremental read of the alert stream every 2 s, for every mode.

The app (not each screen) keeps the latest ``AlertsData``: the status bar of whichever screen
is shown gets the firing counts from it, a new Critical alert rings the bell from any mode,
and the alerts screen builds its table from it. The read is incremental (only alerts changed
since the last ``rev``), so an idle stream costs a few small queries every 2 s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work

from penguin_tui.alerts.bell import CriticalBell, bell_message
from penguin_tui.alerts.model import Severity
from penguin_tui.alerts.view import (
    AlertsData,
    AlertsLoader,
    ViewBuilder,
    ViewSeed,
    brings_news,
    initial_options,
)
from penguin_tui.errors import PenguinError
from penguin_tui.health_view import freshness
from penguin_tui.text import sanitize
from penguin_tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from penguin_tui.config_model import Config
    from penguin_tui.reader import CacheReader
    from penguin_tui.store import Store

ALERTS_WATCH_S = 2.0


class AlertFeedMixin:
    """Mixed into the App: ``alert_data``, ``alert_counts``, ``refresh_alerts()``, the bell."""

    config: Config
    reader: CacheReader
    clock: Callable[[], float]
    recording: bool

    def init_alert_feed(self) -> None:
        """Call from the App's __init__: nothing is read until ``start_alert_feed``."""
        self.started_at = self.clock()
        self.alert_data: AlertsData | None = None
        self.alert_counts: dict[Severity, int] | None = None
        self.alert_error = ""  # why the last read failed ("" when it worked)
        self._alerts_loader = AlertsLoader(self.config)
        self._bell = CriticalBell(self.started_at)
        self._alerts_loading = False
        self._alerts_again = False
        # Until the alerts screen first mounts, the feed builds its view ahead (take_view_seed).
        self._view_seed: ViewSeed | None = ViewSeed(
            ViewBuilder(), initial_options(self.config, self.started_at)
        )

    def start_alert_feed(self) -> None:
        """Call from the App's on_mount: the first read once the first screen is drawn, then
        every ALERTS_WATCH_S.

        Waiting for that first frame keeps the read of a storm (~80 ms of the reader thread
        for 10,000 alerts) from competing with the start-up's layout and paint for the
        interpreter: it took ~130-150 ms of wall time then, ~90 after (bench_alerts.py)."""
        self.set_interval(ALERTS_WATCH_S, self.refresh_alerts, name="alerts-watch")  # type: ignore[attr-defined]
        self.call_after_refresh(self.refresh_alerts)  # type: ignore[attr-defined]

    def refresh_alerts(self) -> None:
        """Read the alert stream again; one read at a time (a request meanwhile runs after)."""
        if self._alerts_loading:
            self._alerts_again = True
            return
        self._alerts_loading = True
        self._load_alerts()

    @work(group="alerts-watch", exit_on_error=False, description="read the alert stream")
    async def _load_alerts(self) -> None:
        loader, seed = self._alerts_loader, self._view_seed
        ahead = seed is not None and not seed.pending
        if ahead:
            seed.pending = True  # the screen, if it mounts meanwhile, builds its own view
        try:
            data = await self.reader.call(
                self._read, loader, seed if ahead else None, self.clock(), self.recording
            )
        except Exception as exc:
            # Logged once per distinct problem on the alerts screen's banner; the app goes on
            # (an old cache being upgraded, a busy disk) and tries again in 2 s.
            message = exc.message if isinstance(exc, PenguinError) else str(exc) or repr(exc)
            self.alert_error = sanitize(message, single_line=True, max_len=160)
            self._deliver(None)
        else:
            self.alert_error = ""
            self._alerts_loaded(data)
        finally:
            if ahead and seed is not None:
                seed.pending = False
            self._alerts_loading = False
            if self._alerts_again:
                self._alerts_again = False
                self.refresh_alerts()

    def _read(
        self,
        store: Store,
        loader: AlertsLoader,
        seed: ViewSeed | None,
        now: float,
        recording: bool,
    ) -> AlertsData:
        """On the reader thread: the load, then, given the seed, its view when the load
        brought news (see take_view_seed).

        Built right after the read, before the event loop hears of the load (and repaints
        the counts), the build has the interpreter to itself."""
        data = loader.load(store, now)
        if seed is not None and (seed.view is None or brings_news(seed.view.data, data)):
            try:
                view = seed.builder.build(data, seed.options)
                status = freshness(store, self.config, data.now, recording)
            except Exception:  # a bug: the screen's own build will show it
                seed.view = None
            else:
                seed.view, seed.status = view, status
        return data

    def _alerts_loaded(self, data: AlertsData) -> None:
        self.alert_data = data
        counts = dict(data.counts)
        if counts != self.alert_counts:
            self.alert_counts = counts
            for bar in self.screen.query(StatusBar):  # type: ignore[attr-defined]
                bar.show_alert_counts(counts)
        new = self._bell.new_criticals(data)
        if new:
            self.ring_for(new)
        self._deliver(data)

    def take_view_seed(self) -> ViewSeed | None:
        """For the alerts screen's first mount: the view the feed built ahead.

        Until then, every read that brings news also builds the alerts view (on the reader
        thread, right after the read: ~30 ms per 10,000 alerts, which key 2 then no longer
        waits for; bench/bench_alerts.py); an unchanged stream builds nothing. From then on
        the screen builds its own views, and the feed none."""
        seed, self._view_seed = self._view_seed, None
        return seed

    def ring_for(self, alerts: list) -> None:
        """A new Critical alert: the bell and a toast, each switchable off in [alerts]."""
        settings = self.config.alerts
        if settings.bell:
            self.bell()  # type: ignore[attr-defined]
        if settings.notify:
            title = (
                "New critical alert" if len(alerts) == 1 else f"{len(alerts)} new critical alerts"
            )
            self.notify(  # type: ignore[attr-defined]
                bell_message(alerts), title=title, severity="error", timeout=15, markup=False
            )

    def _deliver(self, data: AlertsData | None) -> None:
        """Hand the new data (None: the read failed) to the screen shown, if it wants it."""
        hook = getattr(self.screen, "alerts_loaded", None)  # type: ignore[attr-defined]
        if hook is not None:
            hook(data)
