"""What the incident timeline's keys do: every change to the incident, as an operator asks it.

Mixed into ``IncidentViewScreen``. Each key opens a prompt (screens/incident_forms.py) built
from the incident as this console last read it: the status prompt offers only the transitions
the lifecycle allows, the severity prompt the other severities, the link picker the alerts not
linked yet. The write itself is ``store.append_incident_entry(id, build)`` on the cache
reader's thread, and ``build`` runs against the incident as stored at that moment, inside the
write transaction: if someone changed it meanwhile, the refusal's words go back to the prompt
(which stays open) or to a notification, and nothing is lost or crossed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.widgets import Input

from penguin_tui.alerts.model import Alert, Severity
from penguin_tui.errors import PenguinError
from penguin_tui.incidents.model import (
    MILESTONES,
    ROLES,
    Entry,
    Incident,
    IncidentError,
    IncidentStatus,
    check_transition,
)
from penguin_tui.incidents.view import clean
from penguin_tui.text import sanitize
from penguin_tui.widgets.incident_list import severity_text, status_text
from penguin_tui.widgets.timeline import Timeline, label_of

if TYPE_CHECKING:
    from textual.screen import Screen

    from penguin_tui.store import Store

    _Base = Screen[None]
else:
    _Base = object

NOTIFY_S = 12.0

# What a key's write builds: (incident as stored, now, user, host) -> the entry to append.
Build = Callable[[Incident, float, str, str], Entry]


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


class IncidentActionsMixin(_Base):
    """The timeline view's writing keys. Hooks the screen provides: ``incident_id``,
    ``incident`` (None until the first read), ``cadence``, ``papp``, ``refresh_data()`` and a
    ``Timeline`` and an ``Input#incident-note`` among its widgets."""

    incident_id: str
    incident: Incident | None

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
            self.cadence,
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
