"""One incident's timeline (pushed from the list with enter): the chat log of the incident.

Header (id, severity, status, roles, durations so far, the countdown to the next stakeholder
update), the pinned findings, a chart strip of the affected services, the timeline with the
newest entry at the bottom, and the note line under it. The keys that change the incident are
``IncidentActionsMixin`` (screens/incident_actions.py); this module lays the screen out and
keeps it live.

Live: every second the screen asks whether any entry was written (one cheap query) and then
reads only this incident's entries newer than the last one it has. The header's countdown is
redrawn once a minute, or the moment the update turns overdue, not every second.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static

from penguin_tui.alerts.model import Severity
from penguin_tui.incidents.model import ROLES, Incident, IncidentError
from penguin_tui.incidents.view import (
    REAGE_S,
    IncidentsLoader,
    TimelineData,
    cadence_of,
    clean,
    due_text,
    duration_text,
    load_chart,
)
from penguin_tui.screens.incident_actions import IncidentActionsMixin
from penguin_tui.screens.live_screen import LiveScreen
from penguin_tui.text import sanitize
from penguin_tui.widgets.incident_chart import IncidentChart
from penguin_tui.widgets.incident_list import OVERDUE_STYLE, severity_text, status_text
from penguin_tui.widgets.status import set_text
from penguin_tui.widgets.status_bar import StatusBar
from penguin_tui.widgets.timeline import Timeline, label_of

POLL_S = 1.0
CHART_EVERY_S = 60.0  # new samples for the chart: once a minute is plenty
PINNED_SHOWN = 3
WIDE_AT = 110  # the chart strip shows from this terminal width (80x24 folds it away)


def header_text(inc: Incident, now: float, cadence: Mapping[Severity, float]) -> Text:
    """Two lines: who and what; durations so far and the next update's countdown."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{inc.id} ", style="bold")
    text.append_text(severity_text(inc.severity))
    text.append(" · ")
    text.append_text(status_text(inc.status))
    text.append(f" · {clean(inc.title)}", style="bold")
    text.append("\n")
    for n, (role, short) in enumerate(zip(ROLES, ("IC", "scribe", "comms"), strict=True)):
        name = inc.roles.get(role)
        text.append(" · " if n else "")
        text.append(f"{short} ", style="dim")
        text.append(clean(name, 30) if name else "—", style="bold" if name else "dim")
    started = inc.milestones.get("started", inc.declared_at)
    end = inc.milestones.get("resolved", now) if not inc.is_open else now
    lasted = duration_text(max(0.0, end - started))
    text.append(f" · {'open' if inc.is_open else 'lasted'} {lasted}")
    for label, value in (
        ("ack", inc.time_to_acknowledge),
        ("mitig.", inc.time_to_mitigate),
        ("resolve", inc.time_to_resolve),
    ):
        if value is not None:
            text.append(f" · {label} {duration_text(value)}", style="dim")
    due, overdue = due_text(inc, now, cadence)
    if inc.is_open:
        text.append(" · update ")
        text.append(due, style=OVERDUE_STYLE if overdue else "bold")
    return text


def pinned_text(inc: Incident, timeline: Timeline) -> Text:
    """``★ #12 14:05 alice: relay-2 disk full`` per pinned entry, newest pins last."""
    text = Text(no_wrap=True, overflow="ellipsis")
    shown = [timeline.item(p) for p in inc.pinned]
    items = [it for it in shown if it is not None]
    for n, it in enumerate(items[-PINNED_SHOWN:]):
        if n:
            text.append("\n")
        text.append("★ ", style="bold yellow")
        text.append(f"#{it.id} {it.time} ", style="dim")
        text.append(f"{it.author}: ", style="bold")
        text.append(clean(it.text, 300))
    if len(items) > PINNED_SHOWN:
        text.append(f"  (+{len(items) - PINNED_SHOWN} more pinned)", style="dim")
    return text


class IncidentViewScreen(IncidentActionsMixin, LiveScreen):
    """An incident's header, pinned findings, chart strip, timeline and note line."""

    BINDINGS = [
        # Short words: the compact footer must hold them at 80 columns; `?` says all.
        Binding("n", "note", "note", tooltip="Add a note (focus the note line)"),
        Binding("i", "note", "note", show=False, tooltip="Add a note (as n)"),
        Binding("s", "status", "stat", tooltip="Change the status (allowed ones only)"),
        Binding("v", "severity", "sev", tooltip="Change the severity"),
        Binding("r", "roles", "role", tooltip="Commander, scribe, communications"),
        Binding("m", "milestone", "mile", tooltip="Set a milestone and its time"),
        Binding("l", "link", "link", tooltip="Link an alert from the alert stream"),
        Binding("p", "pin", "pin", tooltip="Pin or unpin the entry under the cursor"),
        Binding("c", "correct", "fix", tooltip="Correct the entry under the cursor"),
        Binding("u", "update", "upd", tooltip="Draft, record and copy a stakeholder update"),
        Binding("e", "export", "exp", tooltip="Write the postmortem draft (Markdown)"),
        Binding(
            "escape",
            "back",
            "back",
            show=False,
            tooltip="Back to the list (from the note line: to the log)",
        ),
    ]
    ERROR_GROUPS = ("incident-",)

    def __init__(self, incident_id: str) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.incident: Incident | None = None
        self._loader: IncidentsLoader | None = None
        self._loading = False
        self._again = False
        self._header_at = 0.0
        self._header_next = math.inf
        self._chart_at = float("-inf")
        self._chart_key: object = None
        self._missing = False

    @property
    def cadence(self) -> Mapping[Severity, float]:
        return cadence_of(self.papp.config)

    def compose(self) -> ComposeResult:
        yield StatusBar("incidents", id="status-bar")
        yield Static(f"{self.incident_id}: reading…", id="incident-header", markup=False)
        yield Static("", id="incident-pinned", markup=False)
        yield IncidentChart(id="incident-chart")
        yield Timeline(id="incident-timeline")
        yield Input(
            placeholder="note: type, enter adds it · escape: back to the log",
            id="incident-note",
            compact=True,
        )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._loader = IncidentsLoader(cadence_of(self.papp.config))
        self.query_one("#incident-pinned").display = False
        self.poll_every(POLL_S, self.tick, name="incident-poll")
        self.query_one(Timeline).focus()
        self.refresh_data()

    # --- data ---------------------------------------------------------------------------------

    def tick(self) -> None:
        """Every second: the cheap poll; the countdown when it changes (a minute, overdue)."""
        if self.incident is not None and self.papp.clock() >= self._header_next:
            self._show_header()
        self.refresh_data()

    def refresh_data(self) -> None:
        """Read what was written since the last read (one read at a time, none queued twice)."""
        if self._missing:
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._load()

    @work(group="incident-load", exit_on_error=False, description="read the incident timeline")
    async def _load(self) -> None:
        app = self.papp
        loader = self._loader
        assert loader is not None
        incident_id = self.incident_id
        try:
            now = app.clock()
            try:
                data = await self.read_with_freshness(
                    lambda store: loader.load_timeline(store, incident_id), now
                )
            except IncidentError as exc:
                self._missing = True
                set_text(
                    self.query_one("#incident-header", Static),
                    Text(f"{sanitize(exc, single_line=True)} · escape: back", style="bold red"),
                )
                return
            if data is not None:
                self._apply(data)
            await self._maybe_chart(now)
        finally:
            self._loading = False
            if self._again:
                self._again = False
                self.refresh_data()

    def _apply(self, data: TimelineData) -> None:
        self.incident = data.incident
        timeline = self.query_one(Timeline)
        if data.first:
            timeline.set_items(data.new, data.incident.pinned)
        else:
            timeline.append(data.new)
            timeline.set_pinned(data.incident.pinned)
        self._show_header()
        pinned = self.query_one("#incident-pinned", Static)
        pinned.display = bool(data.incident.pinned)
        if data.incident.pinned:
            set_text(pinned, pinned_text(data.incident, timeline))

    def _show_header(self) -> None:
        inc = self.incident
        if inc is None:
            return
        now = self.papp.clock()
        set_text(self.query_one("#incident-header", Static), header_text(inc, now, self.cadence))
        # Redraw in a minute, or at the moment the update falls due, whichever comes first.
        due = inc.next_update_due(self.cadence)
        self._header_next = min(now + REAGE_S, due if due is not None and due > now else math.inf)

    async def _maybe_chart(self, now: float) -> None:
        inc = self.incident
        if inc is None or not inc.services or self.app.size.width < WIDE_AT:
            return
        key = (inc.services, inc.milestones.get("started"), inc.is_open)
        if key == self._chart_key and time.monotonic() - self._chart_at < CHART_EVERY_S:
            return
        self._chart_key, self._chart_at = key, time.monotonic()
        app = self.papp
        width = max(20, app.size.width // max(1, min(3, len(inc.services))) - 10)
        series = await app.reader.call(load_chart, app.config, inc, now, width)
        started = inc.milestones.get("started", inc.declared_at)
        self.query_one(IncidentChart).show(series, started)

    # --- the note line ------------------------------------------------------------------------

    def action_note(self) -> None:
        self.query_one("#incident-note", Input).focus()

    @on(Input.Submitted, "#incident-note")
    def _note_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self._add_note(event.value)

    def action_back(self) -> None:
        """Escape: from the note line back to the log; from the log back to the list."""
        if self.query_one("#incident-note", Input).has_focus:
            self.query_one(Timeline).focus()
            return
        self.dismiss()

    @on(Timeline.Opened)
    def _open_entry(self, message: Timeline.Opened) -> None:
        from penguin_tui.screens.incident_forms import EntryView

        self.app.push_screen(EntryView(message.item, label_of(message.item)))
