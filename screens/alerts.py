"""The live alert stream (mode ``alerts``, key 2): what fires, what is new, act in two keys.

The screen never touches SQLite or the network. The app reads the alert stream every 2 s
(``screens/alert_feed.py``) and hands each load here; the screen then builds its view (filter,
toggles, grouping, sort) on the cache-reader thread and diffs it into the table, which
repaints only the rows that changed. One build at a time; a build asked for meanwhile runs
right after. While another mode is shown the screen does no work at all.

Actions (ack, silence, silences, maintenance, copy) come from ``AlertActionsMixin``, and
declaring an incident from an alert or linking it to one from ``AlertIncidentActionsMixin``;
this screen declares their keys and provides the hooks they need.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual._context import NoActiveAppError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from penguin_tui.alerts.matchers import FilterError, parse_filter
from penguin_tui.alerts.model import Alert, AlertChange, AlertState, Silence
from penguin_tui.alerts.view import (
    OVERLAY_TTL_S,
    AlertRow,
    AlertsData,
    AlertsView,
    GroupRow,
    Overlay,
    ViewBuilder,
    ViewOptions,
    ViewSeed,
    brings_news,
    initial_options,
    label_names,
)
from penguin_tui.config_model import Config
from penguin_tui.errors import PenguinError
from penguin_tui.fmt import local_time
from penguin_tui.health_view import freshness
from penguin_tui.screens.alert_actions import AlertActionsMixin
from penguin_tui.screens.alert_incident_actions import AlertIncidentActionsMixin
from penguin_tui.text import sanitize
from penguin_tui.widgets.alert_detail import AlertDetail
from penguin_tui.widgets.alert_table import AlertTable
from penguin_tui.widgets.status import set_text
from penguin_tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from penguin_tui.app import PenguinApp

REAGE_S = 30.0  # with no news, rebuild this often so the coarse ages move on
HISTORY_LIMIT = 50
GC_FREEZE_ROWS = 1000  # a show touching this many rows moves what exists out of full GC passes
LOCAL_SOURCE = "local"
_TOGGLE_KEYS = {"resolved": "R", "silenced": "v", "inhibited": "i", "acked": "i"}


def header_line(view: AlertsView) -> Text:
    """``42 alerts  ● 3 new (n)  · hidden: 5 resolved (R) · filter hides 2 · by alertname (g)``."""
    text = Text(no_wrap=True, overflow="ellipsis")
    shown = view.shown
    text.append(f"{shown} alert{'' if shown == 1 else 's'}", style="bold")
    if view.folded:
        text.append(f" ({view.folded} folded)", style="dim")
    if view.new_count:
        text.append("  ")
        text.append(f"● {view.new_count} new", style="bold cyan")
        text.append(" (n: seen)", style="dim")
    hidden = [
        f"{view.hidden[reason]} {reason} ({key})"
        for reason, key in _TOGGLE_KEYS.items()
        if view.hidden.get(reason)
    ]
    if hidden:
        text.append(" · hidden: " + ", ".join(hidden), style="dim")
    filtered = view.hidden.get("filter", 0)
    if filtered:
        text.append(f" · filter hides {filtered}")
        if view.hidden_firing:
            # A firing alert out of sight is the one thing an operator must be told about.
            text.append(f" ({view.hidden_firing} firing)", style="bold yellow")
    if view.options.group_by:
        label = sanitize(view.options.group_by, single_line=True, max_len=40)
        text.append(f" · by {label} (g)", style="dim")
    return text


def banner_line(data: AlertsData | None, config: Config, error: str) -> tuple[Text, str] | None:
    """The line above the table about the alert sources, with its CSS class; None: all well.

    ``Alertmanager http://am:9093 unreachable since 02:31 (connection refused) · showing the
    last known alerts`` when none answers; a note when only local rules are configured.
    """
    if error:
        return Text(f"The alert stream cannot be read from the cache: {error}"), "-error"
    if data is None:
        return None
    down = [s for s in data.sources if not s.ok and s.name != LOCAL_SOURCE]
    answering = [s for s in data.sources if s.ok and s.name != LOCAL_SOURCE]
    if down:
        first = down[0]
        since = local_time(first.down_since or first.checked_at, data.now)
        name = sanitize(first.name, single_line=True, max_len=80)
        more = f" and {len(down) - 1} more" if len(down) > 1 else ""
        why = f" ({sanitize(first.error, single_line=True, max_len=120)})" if first.error else ""
        head = f"Alertmanager {name}{more} unreachable since {since}{why}"
        if answering:
            others = (
                "the other answers" if len(answering) == 1 else f"{len(answering)} others answer"
            )
            return Text(f"{head} · {others}: the list is complete"), "-warning"
        return Text(f"{head} · showing the last known alerts"), "-error"
    local = next((s for s in data.sources if s.name == LOCAL_SOURCE and not s.ok), None)
    if local is not None:
        why = sanitize(local.error, single_line=True, max_len=160) or "failed"
        return Text(f"Local rules could not be evaluated: {why}"), "-warning"
    if not config.alertmanager.enabled and not answering:
        return Text("local rules only — no Alertmanager configured"), "-note"
    return None


class AlertsScreen(AlertActionsMixin, AlertIncidentActionsMixin, Screen[None]):
    """The alert table, its header and banner, the filter bar and the detail pane."""

    BINDINGS = [
        # Short words: the compact footer must hold them at 80 columns; `?` says more.
        Binding("slash", "filter", "filter", key_display="/", tooltip="Filter: matchers, words"),
        Binding("a", "ack", "ack", tooltip="Ack: a short silence on its labels"),
        Binding("s", "silence", "silence", tooltip="Silence its labels (a form)"),
        Binding("S", "silences", "silences", key_display="S", tooltip="Silences; expire one"),
        Binding("m", "maintenance", "maint", tooltip="Schedule a maintenance window"),
        Binding("c", "copy", "copy", tooltip="Copy the alert as text"),
        Binding("g", "group_by", "group", tooltip="Group the alerts by a label"),
        Binding("n", "mark_seen", "seen", tooltip="Mark all seen (clears ●)"),
        # Not in the footer (full at 80 columns); in help and the command palette.
        Binding(
            "d", "declare_incident", "incident", show=False, tooltip="Declare an incident from it"
        ),
        Binding(
            "L",
            "link_incident",
            "link",
            key_display="L",
            show=False,
            tooltip="Link it to an open incident",
        ),
        Binding("v", "toggle('silenced')", "silenced", show=False, tooltip="Show/hide silenced"),
        Binding(
            "i",
            "toggle('inhibited')",
            "inhibited",
            show=False,
            tooltip="Show/hide inhibited, acked",
        ),
        Binding(
            "R",
            "toggle('resolved')",
            "resolved",
            key_display="R",
            show=False,
            tooltip="Show/hide resolved alerts",
        ),
        Binding("escape", "back", "back", show=False, tooltip="Close the filter bar or the detail"),
    ]

    def __init__(self) -> None:
        super().__init__()
        # Textual styles a new screen's widgets as they mount, with the stylesheet of the
        # moment (as push_screen relies on); a new mode's screen is none the less marked out
        # of date, and switch_mode re-parses the app's whole CSS twice for it: ~35 ms of key
        # 2's first press (bench/bench_alerts.py). Marked current, it is styled once.
        with contextlib.suppress(NoActiveAppError):
            self._css_update_count = self.app._css_update_count
        self.view: AlertsView | None = None
        self.data: AlertsData | None = None
        self._builder = ViewBuilder()
        self._options = ViewOptions()
        self._building = False
        self._build_again = False
        self._build_basis: tuple[int, int] | None = None  # ids of the running build's inputs
        self._seeded = False  # on_mount showed the feed's view, and no load came since
        self._built_at = float("-inf")  # data.now of the last build
        self._detail_shown: object = None
        self._history: tuple[str, object, list[AlertChange]] | None = None

    @property
    def papp(self) -> PenguinApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusBar("alerts", id="status-bar")
        yield Static("", id="alerts-header", markup=False)
        yield Static("", id="alerts-banner", markup=False)
        yield Input(
            placeholder='filter: severity="critical" service=~"smtp.*" disk …',
            id="alerts-filter",
        )
        yield Static("", id="alerts-filter-error", markup=False)
        with Vertical(id="alerts-body"):
            yield AlertTable(id="alert-table")
            yield AlertDetail(id="alert-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        app = self.papp
        seed = app.take_view_seed()
        if seed is not None:  # the feed's builder: the rows it made are the table's
            self._builder, self._options = seed.builder, seed.options
        else:
            self._options = initial_options(app.config, app.started_at)
        for widget_id in ("#alerts-filter", "#alerts-filter-error", "#alerts-banner"):
            self.query_one(widget_id).display = False
        self.query_one(AlertDetail).show_nothing("Reading the alert stream…")
        self.query_one(AlertTable).focus()
        if self._show_seed(seed):
            # Textual resumes a new mode's screen twice; until the feed's next load (asked
            # below) there is nothing to build.
            self._seeded = True
        elif app.alert_data is not None or app.alert_error:
            self.alerts_loaded(app.alert_data)
        app.refresh_alerts()

    def _show_seed(self, seed: ViewSeed | None) -> bool:
        """Show the view the app's feed built ahead when it is of the latest data (no news
        since, no newer build under way, ages not due to move): key 2 then only shows."""
        data = self.papp.alert_data
        if seed is None or seed.view is None or seed.pending or data is None:
            return False
        view = seed.view
        if brings_news(view.data, data) or data.now - view.data.now >= REAGE_S:
            return False
        self.data = data
        self._built_at = view.data.now
        self._apply(view, seed.status)
        return True

    # The app's feed calls alerts_loaded only for the screen shown; on return, catch up.
    def on_screen_suspend(self) -> None:
        # Leaving the screen is the operator's "last look": what arrives after is new. A
        # dialog over it (ack, a form, help) is not leaving: the table is still in view and
        # its marks must not vanish behind an ack's confirmation. (By the time this runs the
        # app's screen is the one that replaced this one.)
        if isinstance(self.app.screen, ModalScreen):
            return
        self._seeded = False
        self._set_options(last_look=self.papp.clock())

    def on_screen_resume(self) -> None:
        self.papp.refresh_alerts()
        if not self._seeded:  # else on_mount has just shown the view built ahead
            self.rebuild()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_table)

    def _fit_table(self) -> None:
        table = self.query_one(AlertTable)
        table.fit_width(table.size.width)

    # --- data ---------------------------------------------------------------------------------

    def alerts_loaded(self, data: AlertsData | None) -> None:
        """A load of the alert stream from the app's feed (None: the read failed)."""
        self._seeded = False
        if data is None:
            self._show_banner()
            return
        previous, self.data = self.data, data
        if previous is None or self._is_news(previous, data):
            self.rebuild()

    def _is_news(self, old: AlertsData, new: AlertsData) -> bool:
        """Worth a rebuild: alerts, silences, acks or sources changed, or ages moved on."""
        return bool(
            brings_news(old, new) or new.now - self._built_at >= REAGE_S or self._options.overlays
        )

    def refresh_data(self) -> None:
        """Read the cache again now (after an action, or when the recorder wrote)."""
        self.papp.refresh_alerts()

    def rebuild(self) -> None:
        """Build the view again from the latest data; one build at a time. One asked for
        meanwhile runs after it, unless the running one already builds this very data with
        these options (the first show asks twice: mount, then resume)."""
        if self.data is None:
            return
        if self._building:
            if self._build_basis != (id(self.data), id(self._options)):
                self._build_again = True
            return
        self._building = True
        self._build()

    @work(group="alerts-build", exit_on_error=False, description="build the alerts view")
    async def _build(self) -> None:
        app = self.papp
        data, options, builder = self.data, self._options, self._builder
        assert data is not None
        # Both objects are held by this build until it ends, so their ids stay theirs.
        self._build_basis = (id(data), id(options))
        config, recording = app.config, app.recording
        try:
            view, fresh = await app.reader.call(
                lambda store: (
                    builder.build(data, options),
                    freshness(store, config, data.now, recording),
                )
            )
            self._built_at = data.now
            self._apply(view, fresh)
        finally:
            self._building = False
            self._build_basis = None
        if self._build_again:
            self._build_again = False
            self.rebuild()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed build or read says so in the status bar."""
        if event.state is WorkerState.ERROR and event.worker.group.startswith("alerts"):
            error = event.worker.error
            message = error.message if isinstance(error, PenguinError) else repr(error)
            self.query_one(StatusBar).show_error(sanitize(message, single_line=True, max_len=160))

    def _apply(self, view: AlertsView, fresh: object) -> None:
        self.view = view
        if view.expired_overlays:
            overlays = {
                fp: o for fp, o in self._options.overlays.items() if fp not in view.expired_overlays
            }
            self._options = dataclasses.replace(self._options, overlays=overlays)
        app = self.papp
        self.query_one(StatusBar).show(
            fresh,  # type: ignore[arg-type]
            None,
            recorder_error=app.recorder_error,
            alert_counts=app.alert_counts,
        )
        set_text(self.query_one("#alerts-header", Static), header_line(view))
        self._show_banner()
        table = self.query_one(AlertTable)
        if table.show(view.keys, view.rows) >= GC_FREEZE_ROWS:
            # A storm arrived: its objects live as long as those alerts do. Out of the cyclic
            # collector's full passes (as the app's start-up objects are), they no longer
            # stall a keypress for 20-60 ms each (bench/bench_alerts.py); acyclic, they are
            # still freed when replaced. Only a show of thousands of rows (a storm arriving,
            # a filter over one) freezes, so garbage cycles pinned meanwhile stay few.
            gc.freeze()
        self._show_detail(table.selected_key)

    def _show_banner(self) -> None:
        banner = self.query_one("#alerts-banner", Static)
        found = banner_line(self.data, self.papp.config, self.papp.alert_error)
        banner.display = found is not None
        for level in ("-error", "-warning", "-note"):
            banner.set_class(found is not None and found[1] == level, level)
        if found is not None:
            set_text(banner, found[0], layout=True)  # it may wrap at 80 columns

    # --- detail -------------------------------------------------------------------------------

    def _show_detail(self, key: str | None) -> None:
        detail = self.query_one(AlertDetail)
        row = self.query_one(AlertTable).row(key) if key is not None else None
        if row is self._detail_shown and row is not None:
            return
        self._detail_shown = row
        if row is None:
            detail.show_nothing("No alert to show." if self.view is not None else "Reading…")
        elif isinstance(row, GroupRow):
            detail.show_group(row)
        else:
            cached = self._history
            fresh = cached is not None and cached[0] == row.key and cached[1] is row.alert
            history = cached[2] if fresh and cached is not None else None
            detail.show_alert(row, self.data, history, self._now())
            if not fresh:
                self._load_history(row)

    @work(
        exclusive=True,
        group="alerts-history",
        exit_on_error=False,
        description="read one alert's history from the cache",
    )
    async def _load_history(self, row: AlertRow) -> None:
        fp = row.key
        history = await self.papp.reader.call(
            lambda store: store.alert_history(fp, limit=HISTORY_LIMIT)
        )
        self._history = (fp, row.alert, history)
        if self._detail_shown is row:
            self.query_one(AlertDetail).show_alert(row, self.data, history, self._now())

    def _now(self) -> float:
        return self.data.now if self.data is not None else self.papp.clock()

    @on(AlertTable.Selected)
    def _selected(self, message: AlertTable.Selected) -> None:
        table = self.query_one(AlertTable)
        row = table.row(message.key)
        if message.opened and isinstance(row, GroupRow):
            collapsed = set(self._options.collapsed) ^ {row.value}
            self._set_options(collapsed=frozenset(collapsed))
            return
        if message.opened:
            # enter: the detail takes the room (at 80x24 it replaces the table) until escape.
            self.add_class("detail-open")
            self.query_one(AlertDetail).focus()
        self._show_detail(message.key)

    # --- hooks for AlertActionsMixin ----------------------------------------------------------

    def selected_alert(self) -> AlertRow | None:
        """The alert row under the cursor (None on a group header or an empty table)."""
        table = self.query_one(AlertTable)
        key = table.selected_key
        row = table.row(key) if key is not None else None
        return row if isinstance(row, AlertRow) else None

    def silences_by_id(self) -> Mapping[str, Silence]:
        return self.data.silences if self.data is not None else {}

    def known_alerts(self) -> Sequence[Alert]:
        """Every alert the screen holds (the silence form counts what its matchers hit)."""
        return list(self.data.alerts.values()) if self.data is not None else []

    def apply_overlay(self, fingerprint: str, state: AlertState, detail: str) -> None:
        """Show ``state`` for the alert until the cache's state for it changes, or until
        the recorder's next polls should have (at least 30 s)."""
        data = self.data
        alert = data.alerts.get(fingerprint) if data is not None else None
        if data is None or alert is None:
            return
        base = alert.state(data.silences, fingerprint in data.acks)
        # Gone sooner than a poll can confirm it, the row would read "firing" again in between.
        am = self.papp.config.alertmanager
        ttl = max(OVERLAY_TTL_S, 2 * am.interval_s + am.timeout_s)
        overlay = Overlay(state, detail, base, time.monotonic() + ttl)
        self._set_options(overlays={**self._options.overlays, fingerprint: overlay})

    # --- keys ---------------------------------------------------------------------------------

    def _set_options(self, **changes: object) -> None:
        self._options = dataclasses.replace(self._options, **changes)  # type: ignore[arg-type]
        self.rebuild()

    def action_filter(self) -> None:
        box = self.query_one("#alerts-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#alerts-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        error = self.query_one("#alerts-filter-error", Static)
        try:
            parsed = parse_filter(event.value)
        except FilterError as exc:
            # Keep the last filter that parsed: the list does not jump while typing.
            error.display = True
            message = sanitize(str(exc), single_line=True, max_len=200)
            set_text(error, Text(f"✖ {message}"), layout=True)  # it may wrap at 80 columns
            return
        error.display = False
        self._set_options(filter=parsed)

    @on(Input.Submitted, "#alerts-filter")
    def _filter_done(self) -> None:
        self.query_one(AlertTable).focus()

    def action_back(self) -> None:
        """Escape: close the filter bar (clearing it), else the open detail."""
        box = self.query_one("#alerts-filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.query_one("#alerts-filter-error").display = False
            self._set_options(filter=parse_filter(""))
            self.query_one(AlertTable).focus()
            return
        if self.has_class("detail-open"):
            self.remove_class("detail-open")
            self.query_one(AlertTable).focus()

    def action_toggle(self, what: str) -> None:
        """Show or hide silenced, inhibited (and acked) or resolved alerts."""
        field = {"silenced": "show_silenced", "inhibited": "show_inhibited"}.get(
            what, "show_resolved"
        )
        shown = not getattr(self._options, field)
        self._set_options(**{field: shown})
        words = {"inhibited": "inhibited and acked"}.get(what, what)
        self.notify(f"{words} alerts {'shown' if shown else 'hidden'}", timeout=2)

    def action_mark_seen(self) -> None:
        """Everything listed now has been seen: the ● marks go."""
        self._set_options(last_look=self.papp.clock())

    def action_group_by(self) -> None:
        """Ask which label to group by (every label seen on the alerts, most common first)."""
        from penguin_tui.screens.alert_group import GroupByPrompt

        alerts = self.data.alerts.values() if self.data is not None else ()
        labels = label_names(alerts) or [self.papp.config.alerts.group_by]

        def chosen(label: str | None) -> None:
            if label is not None:
                self._set_options(group_by=label, collapsed=frozenset())

        self.app.push_screen(GroupByPrompt(labels, self._options.group_by), chosen)
