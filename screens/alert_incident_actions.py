"""Incidents from the alerts screen: declare one from the selected alert, or link it to one.

``AlertIncidentActionsMixin`` is inherited by the alerts screen (beside AlertActionsMixin),
which declares the keys (d declare, L link) and provides the ``selected_alert()`` hook.

- Declare: one step from the alert (title, severity, service and start taken from it, the
  alert linked), after a question only ``y`` answers. The notification names the new id, and
  the app remembers it (``incident_to_open``): switching to the incidents mode (key 3) opens
  it, through that screen's ``open_incident(id)``.
- Link: a picker of the open incidents; the link is a timeline entry, and from then on the
  recorder adds the alert's firing and resolution to that timeline.

Reads and writes go through the app's cache reader, off the event loop. The incident's rules
are checked inside the write transaction; a refusal is shown in words, never a traceback.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work

from penguin_tui.alerts.model import Alert
from penguin_tui.incidents import entries
from penguin_tui.incidents.alert_entries import open_incidents
from penguin_tui.incidents.model import IncidentError
from penguin_tui.screens.confirm import ConfirmScreen, question
from penguin_tui.screens.incident_picker import IncidentPicker
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    from textual.screen import Screen

    from penguin_tui.alerts.view import AlertRow
    from penguin_tui.store import Store

    _Base = Screen[Any]
else:
    _Base = object

_SEVERITY_STYLE = {"Critical": "bold red", "High": "bold yellow"}


def _name(alert: Alert) -> str:
    return sanitize(alert.alertname or "(no alertname)", single_line=True, max_len=40)


def _who() -> tuple[str, str]:
    # Timeline entries name the OS user on this host, as the incident commands do.
    from penguin_tui.signoff import current_host, current_user

    return current_user(), current_host()


class AlertIncidentActionsMixin(_Base):
    """Declare an incident from the selected alert, or link the alert to an open incident."""

    _watching_modes = False

    # --- hook (the alerts screen overrides it) ------------------------------------------------

    def selected_alert(self) -> AlertRow | None:
        raise NotImplementedError

    # --- helpers ------------------------------------------------------------------------------

    def _incident_alert(self, verb: str) -> Alert | None:
        row = self.selected_alert()
        if row is None:
            self.notify(f"No alert selected to {verb}.", severity="warning", timeout=4)
            return None
        return row.alert

    def _incident_refused(self, exc: Exception, what: str) -> None:
        # IncidentError and the cache's errors are plain words; anything else is a bug, but
        # the operator still gets one line, not a traceback.
        words = sanitize(exc, single_line=True, max_len=300) or type(exc).__name__
        if isinstance(exc, IncidentError):
            self.notify(words, title=f"{what}: refused", severity="warning", markup=False)
        else:
            self.notify(words, title=f"{what} failed", severity="error", timeout=15, markup=False)

    # --- declare ------------------------------------------------------------------------------

    def action_declare_incident(self) -> None:
        """Ask, then declare an incident from the selected alert (title, severity, service)."""
        alert = self._incident_alert("declare an incident from")
        if alert is not None:
            self._ask_declare(alert)

    @work(group="incident-action", exit_on_error=False, description="prepare a declaration")
    async def _ask_declare(self, alert: Alert) -> None:
        app: Any = self.app
        user, host = _who()
        try:
            # Built now only to show what will be declared; built again (fresh time) on y.
            draft = entries.declare_from_alert(alert, ts=app.clock(), author=user, host=host)
            linked = await app.reader.call(
                lambda store: store.linked_open_incidents([alert.fingerprint])
            )
        except Exception as exc:
            self._incident_refused(exc, "Declare incident")
            return
        severity = alert.severity.title
        title = sanitize(draft.data["title"], single_line=True, max_len=70)
        parts: list[tuple[str, str] | str] = [
            "Declare a ",
            (severity, _SEVERITY_STYLE.get(severity, "bold")),
            " incident ",
            (f"“{title}”", "bold"),
        ]
        service = draft.data.get("services", "")
        if service:
            parts += [" on ", (sanitize(service, single_line=True, max_len=40), "bold")]
        parts.append(f" as {sanitize(user, single_line=True, max_len=40)}, {_name(alert)} linked")
        already = linked.get(alert.fingerprint, [])
        if already:
            parts.append(f" (already linked to open {', '.join(already[:3])})")
        parts.append("?")
        self.app.push_screen(
            ConfirmScreen(question(*parts), title="Declare incident"),
            partial(self._declare_answered, alert),
        )

    def _declare_answered(self, alert: Alert, yes: bool | None) -> None:
        if yes:
            self._declare(alert)

    @work(group="incident-action", exit_on_error=False, description="declare an incident")
    async def _declare(self, alert: Alert) -> None:
        app: Any = self.app
        user, host = _who()
        try:
            entry = entries.declare_from_alert(alert, ts=app.clock(), author=user, host=host)
            incident = await app.reader.call(lambda store: store.declare_incident(entry))
        except Exception as exc:
            self._incident_refused(exc, "Declare incident")
            return
        app.incident_to_open = incident.id
        if not self._watching_modes:
            self._watching_modes = True
            app.mode_change_signal.subscribe(self, self._mode_changed)
        self.notify(
            f"{incident.id} declared from {_name(alert)} · 3 opens it",
            title="Incident declared",
            timeout=10,
            markup=False,
        )

    def _mode_changed(self, mode: str) -> None:
        """Key 3 after a declaration: the incidents screen opens the incident just declared."""
        app: Any = self.app
        incident_id = getattr(app, "incident_to_open", None)
        if mode != "incidents" or not incident_id:
            return
        app.incident_to_open = None  # once: a later visit shows the list as left

        def open_it() -> None:
            opener = getattr(app.screen, "open_incident", None)
            if opener is not None:
                opener(incident_id)

        # After the switch: the incidents screen may be mounting for the first time.
        app.call_later(open_it)

    # --- link ---------------------------------------------------------------------------------

    def action_link_incident(self) -> None:
        """Pick an open incident and link the selected alert to it."""
        alert = self._incident_alert("link to an incident")
        if alert is not None:
            self._pick_incident(alert)

    @work(group="incident-action", exit_on_error=False, description="list open incidents")
    async def _pick_incident(self, alert: Alert) -> None:
        app: Any = self.app
        try:
            found = await app.reader.call(open_incidents)
        except Exception as exc:
            self._incident_refused(exc, "Link to incident")
            return
        if not found:
            self.notify(
                f"No open incident to link {_name(alert)} to; d declares one from it.",
                severity="warning",
                timeout=6,
                markup=False,
            )
            return
        if all(alert.fingerprint in i.alerts for i in found):
            ids = ", ".join(i.id for i in found[:3])
            self.notify(
                f"{_name(alert)} is already linked to every open incident ({ids}).",
                timeout=6,
                markup=False,
            )
            return
        picker = IncidentPicker(found, alert.fingerprint, alert.alertname or "the alert")
        self.app.push_screen(picker, partial(self._link_chosen, alert))

    def _link_chosen(self, alert: Alert, incident_id: str | None) -> None:
        if incident_id:
            self._link(alert, incident_id)

    @work(group="incident-action", exit_on_error=False, description="link an alert")
    async def _link(self, alert: Alert, incident_id: str) -> None:
        app: Any = self.app
        user, host = _who()
        ts = app.clock()

        def link(store: Store) -> None:
            # Checked against the incident as it is inside the write (closed, already linked).
            store.append_incident_entry(
                incident_id,
                lambda inc: entries.link_alert(inc, alert, ts=ts, author=user, host=host),
            )

        try:
            await app.reader.call(link)
        except Exception as exc:
            self._incident_refused(exc, f"Link to {incident_id}")
            return
        self.notify(
            f"{_name(alert)} linked to {incident_id}: its firing and resolution go on the timeline",
            title="Alert linked",
            markup=False,
        )
