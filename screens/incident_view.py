"""One incident's timeline (pushed from the list with enter): the chat log of the incident.

Header (id, severity, status, roles, durations so far, the countdown to the next stakeholder
update), the pinned findings, a chart strip of the affected services, the timeline with the
newest entry at the bottom, and the note line under it. Keys act on the incident or on the
entry under the timeline's cursor; every write is ``store.append_incident_entry`` on the cache
reader's thread, which validates against the incident as stored at that moment, so a refusal
(someone else just resolved it) comes back as a message, never as a lost or crossed write.

Live: every second the screen asks whether any entry was written (one cheap query) and then
reads only this incident's entries newer than the last one it has. The header's countdown is
redrawn once a minute, or the moment the update turns overdue, not every second.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from penguin_tui.alerts.model import Alert, Severity
from penguin_tui.errors import PenguinError
from penguin_tui.health_view import Freshness, freshness
from penguin_tui.incidents.model import (
    MILESTONES,
    ROLES,
    Entry,
    Incident,
    IncidentError,
    IncidentStatus,
    check_transition,
)
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
from penguin_tui.text import sanitize
from penguin_tui.widgets.incident_chart import IncidentChart
from penguin_tui.widgets.incident_list import OVERDUE_STYLE, severity_text, status_text
from penguin_tui.widgets.status import set_text
from penguin_tui.widgets.status_bar import StatusBar
from penguin_tui.widgets.timeline import Timeline, label_of

if TYPE_CHECKING:
    from penguin_tui.app import PenguinApp
    from penguin_tui.store import Store

POLL_S = 1.0
FRESHNESS_S = 10.0
CHART_EVERY_S = 60.0  # new samples for the chart: once a minute is plenty
PINNED_SHOWN = 3
WIDE_AT = 110  # the chart strip shows from this terminal width (80x24 folds it away)
NOTIFY_S = 12.0

# What a key's write builds: (incident as stored, now, user, host) -> the entry to append.
Build = Callable[[Incident, float, str, str], Entry]


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


def export_postmortem(store: Store, incident_id: str, now: float, directory: Path | None) -> Path:
    """Write the postmortem draft to a new file in the reports directory (never overwriting)."""
    from penguin_tui.incidents.postmortem import render_postmortem
    from penguin_tui.report_files import report_stem, reports_dir, write_new_file

    inc = store.incident(incident_id)
    if inc is None:
        raise IncidentError(f"no incident {clean(incident_id, 60)!r}")
    entries = store.incident_entries(incident_id)
    alerts = {fp: a for fp in inc.alerts if (a := store.alert(fp)) is not None}
    text = render_postmortem(inc, entries, alerts)
    return write_new_file(
        directory or reports_dir(), report_stem(f"postmortem-{inc.id}", now), text
    )


def milestone_time(text: str, now: float) -> float:
    """``now``, ``14:05`` (its latest occurrence, not tomorrow's), ``2026-11-21 13:40``."""
    from penguin_tui.alerts.when import _CLOCK, parse_time

    clock = _CLOCK.fullmatch(text.strip())
    # A bare clock time for a milestone is in the past: its last occurrence up to now.
    at = parse_time(text, now - 86400 if clock else now, what="the time")
    if at > now + 60:
        raise ValueError("a milestone cannot be in the future")
    return at


class IncidentViewScreen(Screen[None]):
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
        self._fresh: Freshness | None = None
        self._fresh_at = float("-inf")
        self._missing = False

    @property
    def papp(self) -> PenguinApp:
        return self.app  # type: ignore[return-value]

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
        self._timer = self.set_interval(POLL_S, self.tick, name="incident-poll")
        self.query_one(Timeline).focus()
        self.refresh_data()

    def on_screen_suspend(self) -> None:
        self._timer.pause()

    def on_screen_resume(self) -> None:
        self._timer.resume()
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
            config, recording = app.config, app.recording
            want_fresh = time.monotonic() - self._fresh_at >= FRESHNESS_S

            def read(store):  # type: ignore[no-untyped-def]
                data = loader.load_timeline(store, incident_id)
                fresh = freshness(store, config, now, recording) if want_fresh else None
                return data, fresh

            try:
                data, fresh = await app.reader.call(read)
            except IncidentError as exc:
                self._missing = True
                set_text(
                    self.query_one("#incident-header", Static),
                    Text(f"{sanitize(exc, single_line=True)} · escape: back", style="bold red"),
                )
                return
            if fresh is not None:
                self._fresh, self._fresh_at = fresh, time.monotonic()
                self._show_status()
            if data is not None:
                self._apply(data)
            await self._maybe_chart(now)
        finally:
            self._loading = False
            if self._again:
                self._again = False
                self.refresh_data()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group.startswith("incident-"):
            error = event.worker.error
            message = error.message if isinstance(error, PenguinError) else repr(error)
            self.query_one(StatusBar).show_error(sanitize(message, single_line=True, max_len=160))

    def _show_status(self) -> None:
        if self._fresh is not None:
            self.query_one(StatusBar).show(
                self._fresh,
                None,
                recorder_error=self.papp.recorder_error,
                alert_counts=self.papp.alert_counts,
            )

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

    # --- writing ------------------------------------------------------------------------------

    async def write(self, build: Build) -> str | None:
        """Append ``build``'s entry on the reader thread; None when done, else the refusal."""
        from penguin_tui.signoff import current_host, current_user

        app = self.papp
        user, host = current_user(), current_host()
        incident_id = self.incident_id
        clock = app.clock
        try:
            await app.reader.call(
                lambda store: store.append_incident_entry(
                    incident_id, lambda inc: build(inc, clock(), user, host)
                )
            )
        except (IncidentError, ValueError) as exc:
            return sanitize(str(exc), single_line=True, max_len=300)
        except Exception as exc:
            message = exc.message if isinstance(exc, PenguinError) else str(exc) or repr(exc)
            return f"not written: {sanitize(message, single_line=True, max_len=300)}"
        self.refresh_data()
        return None

    def _refused(self, message: str, what: str = "Not recorded") -> None:
        self.notify(message, title=what, severity="error", timeout=NOTIFY_S, markup=False)

    # --- the note line ------------------------------------------------------------------------

    def action_note(self) -> None:
        self.query_one("#incident-note", Input).focus()

    @on(Input.Submitted, "#incident-note")
    def _note_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self._add_note(event.value)

    @work(group="incident-note", exit_on_error=False, description="add a note")
    async def _add_note(self, text: str) -> None:
        from penguin_tui.incidents import entries

        problem = await self.write(
            lambda inc, ts, user, host: entries.note(inc, text, ts=ts, author=user, host=host)
        )
        if problem:
            self._refused(problem, "Note NOT added")  # the text stays in the line to fix
            return
        note = self.query_one("#incident-note", Input)
        if note.value == text:
            note.value = ""

    def action_back(self) -> None:
        """Escape: from the note line back to the log; from the log back to the list."""
        if self.query_one("#incident-note", Input).has_focus:
            self.query_one(Timeline).focus()
            return
        self.dismiss()

    # --- prompts ------------------------------------------------------------------------------

    def _needs_incident(self) -> Incident | None:
        if self.incident is None:
            self.notify("Still reading the incident…", timeout=3)
        return self.incident

    def _prompt(self, screen: object) -> None:
        def done(ok: bool | None) -> None:
            self.query_one(Timeline).focus()

        self.app.push_screen(screen, done)  # type: ignore[arg-type]

    def action_status(self) -> None:
        """Offer only the transitions the lifecycle allows, with an optional reason."""
        from penguin_tui.incidents import entries
        from penguin_tui.screens.incident_forms import ChoicePrompt

        inc = self._needs_incident()
        if inc is None:
            return
        allowed = []
        for status in IncidentStatus:
            try:
                check_transition(inc.status, status)
            except IncidentError:
                continue
            label = Text()
            label.append_text(status_text(status))
            if status is IncidentStatus.CLOSED:
                label.append("  postmortem done", style="dim")
            elif inc.status is IncidentStatus.RESOLVED:
                label.append("  reopen", style="dim")
            allowed.append((status.value, label))
        if not allowed:
            self._refused(f"{inc.id} is closed (postmortem done); nothing can change it")
            return

        async def submit(choice: str, reason: str) -> str | None:
            new = IncidentStatus(choice)
            return await self.write(
                lambda i, ts, user, host: entries.status(
                    i, new, ts=ts, author=user, host=host, text=reason
                )
            )

        self._prompt(
            ChoicePrompt(
                f"Status of {inc.id} (now {inc.status.value})",
                allowed,
                submit,
                text_label="Reason",
                placeholder="why (optional)",
            )
        )

    def action_severity(self) -> None:
        from penguin_tui.incidents import entries
        from penguin_tui.screens.incident_forms import ChoicePrompt

        inc = self._needs_incident()
        if inc is None:
            return
        options = [
            (sev.name, severity_text(sev))
            for sev in sorted(Severity, reverse=True)
            if sev is not inc.severity
        ]

        async def submit(choice: str, _text: str) -> str | None:
            new = Severity[choice]
            return await self.write(
                lambda i, ts, user, host: entries.severity(i, new, ts=ts, author=user, host=host)
            )

        self._prompt(ChoicePrompt(f"Severity of {inc.id} (now {inc.severity.title})", options,
                                  submit))  # fmt: skip

    def action_roles(self) -> None:
        """Commander, scribe or communications: a free name (empty unassigns)."""
        from penguin_tui.incidents import entries
        from penguin_tui.screens.incident_forms import ChoicePrompt
        from penguin_tui.signoff import current_user

        inc = self._needs_incident()
        if inc is None:
            return
        options = []
        for role in ROLES:
            label = Text(f"{role:<15}", style="bold")
            name = inc.roles.get(role)
            label.append(clean(name, 60) if name else "unassigned", style="" if name else "dim")
            options.append((role, label))

        async def submit(role: str, name: str) -> str | None:
            return await self.write(
                lambda i, ts, user, host: entries.role(i, role, name, ts=ts, author=user, host=host)
            )

        self._prompt(
            ChoicePrompt(
                f"Roles of {inc.id}",
                options,
                submit,
                text_label="Name",
                text_value=current_user(),
                placeholder="who (empty: unassign)",
                note="enter gives the role under the cursor to the name",
            )
        )

    def action_milestone(self) -> None:
        """Which milestone and when: ``now``, ``14:05``, ``2026-11-21 13:40``."""
        from penguin_tui.fmt import local_time
        from penguin_tui.incidents import entries
        from penguin_tui.screens.incident_forms import ChoicePrompt

        inc = self._needs_incident()
        if inc is None:
            return
        now = self.papp.clock()
        options = []
        for name in MILESTONES:
            label = Text(f"{name:<14}", style="bold")
            at = inc.milestones.get(name)
            label.append(local_time(at, now) if at is not None else "—", style="" if at else "dim")
            options.append((name, label))
        missing = [m for m in MILESTONES if m not in inc.milestones]

        async def submit(which: str, when: str) -> str | None:
            at = milestone_time(when, self.papp.clock())  # ValueError: shown in the prompt
            return await self.write(
                lambda i, ts, user, host: entries.milestone(
                    i, which, at, ts=ts, author=user, host=host
                )
            )

        async def checked(which: str, when: str) -> str | None:
            try:
                return await submit(which, when)
            except ValueError as exc:
                return str(exc)

        self._prompt(
            ChoicePrompt(
                f"Milestone of {inc.id}",
                options,
                checked,
                text_label="At",
                text_value="now",
                placeholder="now, 14:05, 2026-11-21 13:40",
                current=missing[0] if missing else None,
            )
        )

    def action_link(self) -> None:
        """Link an alert of the alert stream (firing first, worst first)."""
        from penguin_tui.incidents import entries
        from penguin_tui.screens.incident_forms import ChoicePrompt

        inc = self._needs_incident()
        if inc is None:
            return
        data = self.papp.alert_data
        alerts = [
            a for a in (data.alerts.values() if data else ()) if a.fingerprint not in inc.alerts
        ]
        alerts.sort(
            key=lambda a: (a.resolved_at is None, a.severity, a.starts_at or 0), reverse=True
        )
        by_fp: dict[str, Alert] = {a.fingerprint: a for a in alerts}
        options = []
        for alert in alerts[:500]:
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append_text(severity_text(alert.severity, wide=False))
            label.append(f" {clean(alert.alertname or '(no name)', 40)}", style="bold")
            label.append(f" {clean(alert.subject, 30)}")
            if alert.resolved_at is not None:
                label.append(" resolved", style="green")
            label.append(f" · {clean(alert.summary, 80)}", style="dim")
            options.append((alert.fingerprint, label))

        async def submit(fingerprint: str, _text: str) -> str | None:
            alert = by_fp[fingerprint]
            return await self.write(
                lambda i, ts, user, host: entries.link_alert(
                    i, alert, ts=ts, author=user, host=host
                )
            )

        self._prompt(
            ChoicePrompt(
                f"Link an alert to {inc.id}",
                options,
                submit,
                empty="no alerts in the alert stream to link",
                note="its firing and resolution then go into the timeline by themselves",
            )
        )

    def action_pin(self) -> None:
        """Pin the entry under the cursor as a key finding (or unpin it)."""
        item = self.query_one(Timeline).selected
        if item is None:
            return
        self._pin(item.entry)

    @work(group="incident-pin", exit_on_error=False, description="pin an entry")
    async def _pin(self, entry: Entry) -> None:
        from penguin_tui.incidents import entries

        problem = await self.write(
            lambda i, ts, user, host: entries.pin(i, entry, ts=ts, author=user, host=host)
        )
        if problem:
            self._refused(problem)

    def action_correct(self) -> None:
        """Correct the entry under the cursor: a new entry that refers to it."""
        from penguin_tui.incidents import entries
        from penguin_tui.screens.incident_forms import ChoicePrompt

        item = self.query_one(Timeline).selected
        if item is None:
            return
        context = Text(f"#{item.id} {item.time} {item.author} {label_of(item)}: ", style="dim")
        context.append(clean(item.text, 400))
        entry = item.entry

        async def submit(_choice: str, text: str) -> str | None:
            return await self.write(
                lambda i, ts, user, host: entries.correction(
                    i, entry, text, ts=ts, author=user, host=host
                )
            )

        self._prompt(
            ChoicePrompt(
                f"Correct #{item.id}",
                [],
                submit,
                text_label="Correction",
                placeholder="what it should say (the original stays)",
                context=context,
            )
        )

    def action_update(self) -> None:
        """Draft the stakeholder update; recorded as an entry and copied (OSC 52) on ctrl+s."""
        from penguin_tui.incidents import entries
        from penguin_tui.incidents.update_draft import draft_update
        from penguin_tui.screens.incident_forms import UpdateEditor

        inc = self._needs_incident()
        if inc is None:
            return
        timeline = self.query_one(Timeline)
        draft = draft_update(
            inc,
            [it.entry for it in timeline.items],
            self.papp.clock(),
            self.cadence,  # type: ignore[arg-type]
        )

        async def submit(text: str) -> str | None:
            problem = await self.write(
                lambda i, ts, user, host: entries.stakeholder_update(
                    i, text, ts=ts, author=user, host=host
                )
            )
            if problem is None:
                self.app.copy_to_clipboard(text)
                self.notify(
                    "Recorded in the timeline and copied to the clipboard (OSC 52).",
                    title="Stakeholder update",
                    timeout=6,
                )
            return problem

        self._prompt(UpdateEditor(inc.id, draft, submit))

    def action_export(self) -> None:
        """Write the postmortem draft to the reports directory and say where."""
        self._export()

    @work(group="incident-export", exit_on_error=False, description="export the postmortem")
    async def _export(self) -> None:
        app = self.papp
        incident_id = self.incident_id
        try:
            path = await app.reader.call(export_postmortem, incident_id, app.clock(), None)
        except Exception as exc:  # a failed export is a notification, not a crash
            message = exc.message if isinstance(exc, PenguinError) else str(exc)
            self._refused(
                sanitize(message, single_line=True, max_len=300), "Postmortem NOT written"
            )
            return
        self.notify(
            sanitize(str(path), single_line=True),
            title="Postmortem draft written",
            timeout=NOTIFY_S,
            markup=False,
        )

    @on(Timeline.Opened)
    def _open_entry(self, message: Timeline.Opened) -> None:
        from penguin_tui.screens.incident_forms import EntryView

        self.app.push_screen(EntryView(message.item, label_of(message.item)))
