"""The morning health check (mode ``health``, key 1): is everything up, what happened overnight?

The screen never touches SQLite or the network: it asks the app's cache reader for a
``HealthView`` (off the event loop), then diffs it into its widgets. It refreshes when the
in-process recorder wrote, and on a slow timer otherwise (a daemon's writes), and its timer
sleeps while another mode is on screen.
"""

from __future__ import annotations

import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Static

from penguin_tui.fmt import local_time
from penguin_tui.health_view import RANGES, DetailView, HealthLoader, HealthView, load_detail
from penguin_tui.model import Status
from penguin_tui.screens.live_screen import LiveScreen
from penguin_tui.text import sanitize
from penguin_tui.widgets.checklist import Checklist
from penguin_tui.widgets.detail import DetailPane
from penguin_tui.widgets.host_panel import HostPanel
from penguin_tui.widgets.overnight import Overnight
from penguin_tui.widgets.status import set_text
from penguin_tui.widgets.status_bar import StatusBar

REFRESH_S = 2.0
MIN_GAP_S = 1.0


def summary_line(view: HealthView) -> str:
    """``✖ CRIT: 1 of 22 items need attention · 38 events since Fri 13:02 (no sign-off)``."""
    report = view.report
    counts = report.counts()
    total = len(report.items)
    maint = counts.get(Status.MAINT, 0)
    bad = total - counts[Status.OK] - maint  # planned work is not something to attend to
    head = f"{report.status.symbol} {report.status.value} · "
    head += f"all {total - maint} OK" if not bad else f"{bad} of {total} need attention"
    if maint:
        head += f" · {maint} in maintenance"
    since = local_time(report.since, report.checked_at)
    events = len(report.events)
    head += f" · {events} event{'s' if events != 1 else ''} since {since}"
    signoff = report.last_signoff
    if signoff is None:
        head += " · no sign-off yet"
    else:
        user = sanitize(signoff.user, single_line=True, max_len=20)
        head += f" · last sign-off {user} {local_time(signoff.ts, report.checked_at)}"
    return head


class HealthScreen(LiveScreen):
    """Checklist, overnight events, item detail and host figures."""

    BINDINGS = [
        # Short words: the compact footer shows every key at 80 columns; `?` says more.
        Binding("slash", "filter", "filter", key_display="/", tooltip="Filter the checklist"),
        Binding("r", "cycle_range", "range", tooltip="Chart range: 1 h, 24 h, 7 d, 30 d"),
        Binding("o", "overnight", "night", tooltip="Overnight events; enter jumps to the item"),
        Binding("escape", "back", "back", show=False),
        Binding("s", "sign_off", "sign", tooltip="Sign the morning check off (with a note)"),
        Binding("e", "export_report", "export", tooltip="Write the morning report as Markdown"),
        Binding("u", "uptime", "uptime", tooltip="Uptime and error budget per service"),
        Binding(
            "E",
            "shift_report",
            "shift",
            key_display="E",
            tooltip="Write the end-of-shift report as Markdown",
        ),
    ]
    ERROR_GROUPS = ("health",)

    def __init__(self) -> None:
        super().__init__()
        self.view: HealthView | None = None
        self.selected: str | None = None
        self.range_index = 1  # 24 h

    def compose(self) -> ComposeResult:
        yield StatusBar("health", id="status-bar")
        with Horizontal(id="health-body"):
            with Vertical(id="health-left"):
                yield Static("", id="summary", markup=False, expand=True)
                yield Input(placeholder="filter: name, section, status…", id="filter")
                yield Checklist(id="checklist")
                yield HostPanel(id="host-panel")
            with Vertical(id="health-right"):
                overnight = Overnight(id="overnight")
                overnight.border_title = "Overnight"
                yield overnight
                detail = DetailPane(id="detail")
                detail.border_title = "Detail"
                yield detail
        # ctrl+p is in the help screen: at 80 columns the footer has room for every action
        # of the screen or for the palette hint, and the actions matter more.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self._loader = HealthLoader(self.papp.config)
        self._loading = False
        self._deferred = False
        self._last_refresh = float("-inf")
        self.poll_every(REFRESH_S, self.refresh_data, name="health-refresh")
        self.refresh_data()
        self.query_one(Checklist).focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_checklist)

    def _fit_checklist(self) -> None:
        checklist = self.query_one(Checklist)
        checklist.fit_width(checklist.size.width)

    # --- data ---------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Read the cache again, unless a read is already under way or one just finished.

        One build at a time, at most one per MIN_GAP_S: new data arriving every second, the
        timer and keys can all ask, and a queue of builds would only cost CPU and lag. A request
        that comes too early is not dropped but deferred to one build when the gap has passed
        (a sign-off or an action must show without waiting for the 2 s timer).
        """
        monotonic = time.monotonic()
        if self._loading or monotonic - self._last_refresh < MIN_GAP_S:
            if not self._deferred:
                self._deferred = True
                wait = max(0.05, MIN_GAP_S - (monotonic - self._last_refresh))
                self.set_timer(wait, self._deferred_refresh, name="health-deferred")
            return
        self._loading = True
        self._load_view()

    def _deferred_refresh(self) -> None:
        self._deferred = False
        self.refresh_data()

    @work(
        group="health-refresh",
        exit_on_error=False,
        description="read the health view from the cache",
    )
    async def _load_view(self) -> None:
        app = self.papp
        try:
            now = app.clock()
            recording = app.recording
            loader = self._loader
            view = await app.reader.call(
                lambda store: loader.load(store, now, recording_here=recording)
            )
            self._apply(view)
            if self.selected:
                await self._load_detail(self.selected)
        finally:
            self._loading = False
            self._last_refresh = time.monotonic()
        if not view.complete:
            self.refresh_data_soon()

    def refresh_data_soon(self) -> None:
        """Read again right away, past the gap (the complete view after the quick first one;
        the operator's own action, which must show at once)."""
        self._last_refresh = float("-inf")
        self.call_after_refresh(self.refresh_data)

    def _apply(self, view: HealthView) -> None:
        self.view = view
        report = view.report
        set_text(self.query_one("#summary", Static), summary_line(view))
        self.query_one(StatusBar).show(
            view.freshness,
            report.counts(),
            recorder_error=self.papp.recorder_error,
            alert_counts=self.papp.alert_counts,
        )
        checklist = self.query_one(Checklist)
        checklist.show(view.checklist, view.sparks, report.checked_at)
        self.query_one(HostPanel).show(view.host, enabled=self.papp.config.host.enabled)
        self.query_one(Overnight).show(report)
        if self.selected is None:
            self.selected = checklist.selected_key

    async def _load_detail(self, key: str) -> None:
        app = self.papp
        detail: DetailView = await app.reader.call(load_detail, key, self.range_index, app.clock())
        if key != self.selected or self.view is None:
            return
        view = self.view
        row = next((r for r in view.report.items if r.key == key), None)
        self.query_one(DetailPane).show(
            row, view.items.get(key), detail, view.conditions.get(key, ())
        )

    @work(
        exclusive=True,
        group="health-detail",
        exit_on_error=False,
        description="read one item's history from the cache",
    )
    async def show_detail(self, key: str) -> None:
        await self._load_detail(key)

    # --- interaction --------------------------------------------------------------------------

    @on(Checklist.Selected)
    def _selected(self, message: Checklist.Selected) -> None:
        self.selected = message.key
        if message.opened:  # enter: show this item's detail (on narrow terminals, in place)
            self.remove_class("show-overnight")
        self.show_detail(message.key)

    @on(Overnight.JumpTo)
    def _jump(self, message: Overnight.JumpTo) -> None:
        checklist = self.query_one(Checklist)
        if checklist.select_key(message.key):
            checklist.focus()
            self.remove_class("show-overnight")
        elif message.key.startswith("host:"):
            self.notify("Host figures are in the host line under the checklist.", timeout=4)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(Checklist).set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(Checklist).focus()

    def action_back(self) -> None:
        """Escape: leave the filter box (clearing it), else the overnight list, else nothing."""
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.query_one(Checklist).set_filter("")
            self.query_one(Checklist).focus()
            return
        if self.has_class("show-overnight") or self.query_one(Overnight).has_focus:
            self.remove_class("show-overnight")
            self.query_one(Checklist).focus()

    def action_cycle_range(self) -> None:
        self.range_index = (self.range_index + 1) % len(RANGES)
        if self.selected:
            self.show_detail(self.selected)

    def action_overnight(self) -> None:
        """Focus the overnight list (on narrow terminals it takes the detail pane's place)."""
        self.add_class("show-overnight")
        self.query_one(Overnight).focus()

    # --- sign-off, reports and uptime (imported on first use: start-up does not pay) ----------

    def action_sign_off(self) -> None:
        """Open the sign-off form; a recorded sign-off starts the next overnight window."""
        from penguin_tui.model import SignOff
        from penguin_tui.screens.signoff import SignOffScreen

        def done(signoff: SignOff | None) -> None:
            if signoff is not None:
                who = sanitize(f"{signoff.user}@{signoff.host}", single_line=True, max_len=80)
                self.notify(
                    f"{signoff.status.symbol} {signoff.status.value} signed off by {who}",
                    title="Signed off",
                    markup=False,
                )
                self.refresh_data_soon()  # the operator's own action: show it now

        self.app.push_screen(SignOffScreen(), done)

    def action_export_report(self) -> None:
        """Write the morning report (as `penguin-tui check --format markdown`) to a new file."""
        from penguin_tui.screens.export import export_morning

        self.run_worker(
            export_morning(self.papp),
            group="export",
            exit_on_error=False,
            description="export the morning report",
        )

    def action_uptime(self) -> None:
        """Show uptime and error budget left per service."""
        from penguin_tui.screens.uptime import UptimeScreen

        self.app.push_screen(UptimeScreen())

    def action_shift_report(self) -> None:
        """Write the end-of-shift report (the last 12 h) to a new file."""
        from penguin_tui.screens.export import export_shift

        self.run_worker(
            export_shift(self.papp),
            group="export",
            exit_on_error=False,
            description="export the end-of-shift report",
        )
