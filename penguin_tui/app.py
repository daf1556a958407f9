"""The Textual App: modes, global keys, and where the console's data comes from.

Kept thin on purpose: each screen lives in penguin_tui.screens, each reusable piece in
penguin_tui.widgets, and everything that touches SQLite or the network in the core. The App
decides one thing of its own: whether this console records (no daemon holds the cache's writer
lock) or attaches to the daemon that does — and it re-decides when a daemon comes or goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from penguin_tui.config_model import Config
from penguin_tui.errors import WriterLockHeld
from penguin_tui.model import Batch
from penguin_tui.paths import stylesheet_path
from penguin_tui.reader import CacheReader
from penguin_tui.recorder_process import RecorderProcess
from penguin_tui.recorder_thread import RecorderThread
from penguin_tui.screens.alert_feed import AlertFeedMixin
from penguin_tui.screens.alerts import AlertsScreen
from penguin_tui.screens.health import HealthScreen
from penguin_tui.screens.help import HelpScreen
from penguin_tui.screens.incidents import IncidentsScreen
from penguin_tui.screens.secrets import SecretsScreen
from penguin_tui.text import sanitize

RECORDER_WATCH_S = 5.0

# Set when the terminal hung up (SSH drop): the launcher then exits at once after cleanup,
# instead of waiting at interpreter exit for resolver threads stuck in a DNS lookup.
HUNG_UP = threading.Event()
HANGUP_GRACE_S = 3.0

# Actions of the current screen offered in the command palette (when the screen has them).
_SCREEN_COMMANDS = (
    ("Sign off", "Sign the morning check off, with a note (s)", "sign_off"),
    ("Export morning report", "Write the morning report as Markdown (e)", "export_report"),
    ("Uptime and error budget", "Per service, 24 h / 7 d / 30 d (u)", "uptime"),
    ("End-of-shift report", "Write the shift summary as Markdown (E)", "shift_report"),
    ("Filter", "Filter this screen's list (/)", "filter"),
    ("Overnight", "Events since the last sign-off (o)", "overnight"),
    ("Ack alert", "Ack the selected alert (a)", "ack"),
    ("Silence alert", "Silence the selected alert's labels (s)", "silence"),
    ("Silences", "Active and pending silences; expire one (S)", "silences"),
    ("Maintenance window", "Schedule planned work (m)", "maintenance"),
    ("Copy alert", "Copy the selected alert as text (c)", "copy"),
    ("Group alerts", "Group the alerts by a label (g)", "group_by"),
    ("Mark alerts seen", "Clear the new-alert marks (n)", "mark_seen"),
    ("Declare incident", "Declare a new incident (d)", "declare"),
    ("Stakeholder update", "Draft, record and copy the incident's update (u)", "update"),
    ("Export postmortem", "Write the incident's postmortem draft (e)", "export"),
    ("Declare incident from alert", "An incident from the selected alert (d)", "declare_incident"),
    ("Link alert to incident", "Link the selected alert to an open incident (L)", "link_incident"),
    ("Go to secret path", "Open a Vault secret or folder by its path (g)", "goto_path"),
    ("Vault audit trail", "Every reveal and copy of a secret value (A)", "vault_audit"),
)


class DataChanged(Message):
    """The in-process recorder wrote a batch: screens may refresh now rather than on their timer."""


class PenguinApp(AlertFeedMixin, App[int]):
    """penguin-tui's console."""

    CSS_PATH = str(stylesheet_path())
    TITLE = "penguin-tui"
    SUB_TITLE = "PenguinMails operations"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    MODES = {
        "health": HealthScreen,
        "alerts": AlertsScreen,
        "incidents": IncidentsScreen,
        "secrets": SecretsScreen,  # imports no Vault code (nor hvac) until it is opened
    }
    DEFAULT_MODE = "health"
    BINDINGS = [
        # Mode keys live in the status bar (``1 health 2 alerts``), leaving the footer to the
        # screen's own actions: at 80 columns there is room for those, not for the modes too.
        Binding("1", "switch_mode('health')", "health", tooltip="Morning health check", show=False),
        Binding("2", "switch_mode('alerts')", "alerts", tooltip="Live alert stream", show=False),
        Binding("3", "switch_mode('incidents')", "incidents", tooltip="Incidents", show=False),
        Binding("4", "switch_mode('secrets')", "secrets", tooltip="Vault secrets", show=False),
        Binding("question_mark", "help", "help", key_display="?", tooltip="Every key"),
        Binding("q", "quit", "quit", tooltip="Quit (the recorder stops cleanly)"),
    ]

    def __init__(
        self,
        config: Config,
        cache_path: Path | str,
        *,
        config_path: Path | None = None,
        clock: Callable[[], float] = time.time,
        record: bool = True,
        reader: CacheReader | None = None,
        recorder_mode: str = "thread",
        notice: str = "",
    ) -> None:
        super().__init__()
        self.config = config
        self.cache_path = cache_path
        self.config_path = config_path
        self.clock = clock
        self.may_record = record  # False in tests that feed the cache themselves
        self.reader = reader or CacheReader(cache_path)
        # "process" (the launcher): a child `penguin-tui daemon` that polls off this
        # interpreter; "thread" (tests built from a Config object, not a file).
        self.recorder_mode = recorder_mode
        self.recorder: RecorderThread | RecorderProcess | None = None
        self.recorder_error: str = ""
        self._starting = False
        self.notice = notice  # shown once the screen is up (e.g. how to configure more)
        # Declared from an alert on the alerts screen: the incidents screen opens it when shown.
        self.incident_to_open: str | None = None
        self.init_alert_feed()  # firing counts for every status bar, the bell, the alerts screen

    # --- where the data comes from ------------------------------------------------------------

    @property
    def recording(self) -> bool:
        """True while this console runs its own recorder."""
        return self.recorder is not None and self.recorder.running

    def on_mount(self) -> None:
        # Everything built so far (Textual, the screens, imported modules) lives as long as
        # the app: keep it out of the cyclic collector's full passes, which otherwise walk it
        # again and again and show up as keypresses that stall for a few hundred ms.
        gc.freeze()
        if self.notice:
            self.notify(self.notice, title="penguin-tui", timeout=20, markup=False)
        self._start_recorder_if_free()
        self.set_interval(RECORDER_WATCH_S, self._start_recorder_if_free, name="recorder-watch")
        self.start_alert_feed()
        # An SSH drop hangs up the terminal: leave at once and cleanly, leaving no busy process.
        with contextlib.suppress(RuntimeError, NotImplementedError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hangup)

    def _hangup(self) -> None:
        HUNG_UP.set()
        self.stop_recorder()  # the cache first: last batch written, writer lock released
        # Textual's shutdown writes to the terminal to restore it; with the terminal gone its
        # writer thread can wait forever (seen in tests after tmux kill-session). Leave
        # gracefully if we can, and at the latest after a few seconds in any case.
        watchdog = threading.Timer(HANGUP_GRACE_S, os._exit, args=(0,))
        watchdog.daemon = True
        watchdog.start()
        self.exit(0)

    @work(
        group="recorder",
        exit_on_error=False,
        description="start recording when no recorder holds the cache",
    )
    async def _start_recorder_if_free(self) -> None:
        """Record here when no recorder holds the cache (at start, or when a daemon went away)."""
        if not self.may_record or self.recording or self._starting:
            return
        self._starting = True  # the 5 s watch must not start a second one meanwhile
        try:
            writer = await self.reader.call(lambda store: store.writer())
            if writer is not None:
                return
            recorder = self._new_recorder()
            self.recorder = recorder  # known before it runs: quit stops it whatever happens
            try:
                await asyncio.to_thread(recorder.start)
            except WriterLockHeld:
                self.recorder = None
                return  # a daemon won the race: attach to it
            except Exception as exc:
                self.recorder = None
                self.recorder_error = sanitize(str(exc), single_line=True, max_len=200)
                return
            self.recorder_error = ""
            self.post_message(DataChanged())
        except Exception:
            return  # the cache cannot be read: the screens say so; keep trying quietly
        finally:
            self._starting = False

    def _new_recorder(self) -> RecorderThread | RecorderProcess:
        if self.recorder_mode == "process":
            return RecorderProcess(self.config_path, self.cache_path)
        return RecorderThread(self.config, self.cache_path, role="console", on_batch=self._on_batch)

    def _on_batch(self, _batch: Batch) -> None:
        # Called on the recorder thread; post_message is thread-safe.
        self.post_message(DataChanged())

    def on_data_changed(self, message: DataChanged) -> None:
        screen = self.screen
        refresh = getattr(screen, "refresh_data", None)
        if refresh is not None:
            refresh()

    async def action_quit(self) -> None:
        # Off the event loop: the recorder finishes its poll in flight (seconds, at worst).
        self.notify("Stopping the recorder…", timeout=5)
        await asyncio.to_thread(self.stop_recorder)
        self.exit(0)

    def stop_recorder(self) -> None:
        """Stop the in-process recorder: the poll in flight finishes, the last batch is written."""
        if self.recorder is not None:
            self.recorder.stop()
            self.recorder = None

    def on_unmount(self) -> None:
        self.stop_recorder()
        self.reader.close()

    def _fatal_error(self) -> None:
        """Textual's crash report, without the local variables it shows by default.

        Locals can hold request headers (tokens), response bodies and, later, secret values;
        a traceback is for a bug, and it must not put those on the operator's screen.
        """
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()

    # --- keys and the command palette ---------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand(
            "Health", "Morning health check (1)", lambda: self.switch_mode("health")
        )
        yield SystemCommand("Alerts", "Live alert stream (2)", lambda: self.switch_mode("alerts"))
        yield SystemCommand(
            "Incidents", "Declare and run incidents (3)", lambda: self.switch_mode("incidents")
        )
        yield SystemCommand(
            "Secrets", "Browse Vault secrets, masked (4)", lambda: self.switch_mode("secrets")
        )
        for title, help_text, action in _SCREEN_COMMANDS:
            method = getattr(screen, f"action_{action}", None)
            if method is not None:
                yield SystemCommand(title, help_text, method)
        yield SystemCommand("Help", "Every key on every screen (?)", self.action_help)
        yield from super().get_system_commands(screen)
