"""The operator's actions on the alerts screen: ack, silence, silences, maintenance, copy.

``AlertActionsMixin`` is inherited by the alerts screen, which declares the keys (a ack,
s silence, S silences, m maintenance, c copy) and provides the hooks below. Each action
works off the event loop, shows the expected state at once through ``apply_overlay`` (until
the next poll confirms it) and says what it did, or why it did not, in a notification.

Hooks the screen provides:

- ``selected_alert() -> AlertRow | None``: the row under the cursor (``.alert``, ``.state``)
- ``silences_by_id() -> Mapping[str, Silence]``: the silences the screen knows
- ``refresh_data() -> None``: read the cache again now
- ``apply_overlay(fingerprint, state, detail) -> None``: show a state until the next poll
- ``known_alerts() -> Sequence[Alert]`` (optional): every alert the screen holds, for the
  "matches N alerts" counts; the default is the selected alert alone
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work

from penguin_tui.alerts.actions import AlertActions, alert_as_text, short_id
from penguin_tui.alerts.model import Alert, AlertSource, AlertState, MaintenanceWindow, Silence
from penguin_tui.durations import format_duration
from penguin_tui.fmt import local_time
from penguin_tui.screens.confirm import ConfirmScreen, question
from penguin_tui.screens.maintenance_form import MaintenanceForm
from penguin_tui.screens.silence_form import CreatedSilence, SilenceForm
from penguin_tui.screens.silences import Ended, SilencesScreen
from penguin_tui.text import sanitize
from penguin_tui.widgets.matcher_rows import MatcherRows, OpToggle

if TYPE_CHECKING:
    from textual.screen import Screen

    from penguin_tui.alerts.view import AlertRow

    _Base = Screen[Any]
else:
    _Base = object


def _name(alert: Alert, max_len: int = 40) -> str:
    return sanitize(alert.alertname or "(no alertname)", single_line=True, max_len=max_len)


class AlertActionsMixin(_Base):
    """Ack, silence, silences view, maintenance and copy, for a screen with the hooks above."""

    _alert_actions: AlertActions | None = None

    # The dialogs these actions open, for the help screen: (where, classes whose BINDINGS
    # hold the keys). Read from the bindings themselves, so help cannot drift from them.
    HELP_DIALOGS: tuple[tuple[str, tuple[type, ...]], ...] = (
        ("silence form", (SilenceForm,)),
        ("maint. form", (MaintenanceForm,)),
        ("matcher rows", (MatcherRows, OpToggle)),  # in both forms (ctrl+n from any field)
        ("silences view", (SilencesScreen,)),
    )

    # --- hooks (the alerts screen overrides these) --------------------------------------------

    def selected_alert(self) -> AlertRow | None:
        raise NotImplementedError

    def silences_by_id(self) -> Mapping[str, Silence]:
        raise NotImplementedError

    def refresh_data(self) -> None:
        raise NotImplementedError

    def apply_overlay(self, fingerprint: str, state: AlertState, detail: str) -> None:
        raise NotImplementedError

    def known_alerts(self) -> Sequence[Alert]:
        row = self.selected_alert()
        return [row.alert] if row is not None else []

    # --- the core -----------------------------------------------------------------------------

    @property
    def alert_actions(self) -> AlertActions:
        """The actions, made on first use from the app's config, cache reader and clock."""
        if self._alert_actions is None:
            app: Any = self.app
            self._alert_actions = AlertActions(app.config, app.reader, clock=app.clock)
        return self._alert_actions

    async def on_unmount(self) -> None:
        if self._alert_actions is not None:
            await self._alert_actions.aclose()

    def _row_to_act_on(self, verb: str) -> AlertRow | None:
        row = self.selected_alert()
        if row is None:
            self.notify(f"No alert selected to {verb}.", severity="warning", timeout=4)
            return None
        if row.state is AlertState.RESOLVED and verb != "copy":
            self.notify(
                f"{_name(row.alert)} is resolved; there is nothing to {verb}.",
                severity="warning",
                timeout=4,
                markup=False,
            )
            return None
        return row

    def _failed(self, what: str, exc: BaseException) -> None:
        # Alertmanager's and the cache's errors are plain words: shown as they are.
        self.notify(
            sanitize(exc, single_line=True, max_len=300) or type(exc).__name__,
            title=f"{what} failed",
            severity="error",
            timeout=15,
            markup=False,
        )

    # --- ack ----------------------------------------------------------------------------------

    def action_ack(self) -> None:
        """Ask, then ack the selected alert for ``[alerts].ack_duration``."""
        row = self._row_to_act_on("ack")
        if row is None:
            return
        alert, actions = row.alert, self.alert_actions
        parts: list[tuple[str, str] | str] = ["Ack ", (_name(alert), "bold")]
        if alert.subject:
            parts += [" on ", (sanitize(alert.subject, single_line=True, max_len=40), "bold")]
        parts.append(f" for {format_duration(actions.ack_duration_s)} as {actions.author}")
        if alert.source is AlertSource.LOCAL:
            parts.append(" (locally)")
        parts.append("?")
        self.app.push_screen(
            ConfirmScreen(question(*parts), title="Ack"), partial(self._ack_answered, alert)
        )

    def _ack_answered(self, alert: Alert, yes: bool | None) -> None:
        if yes:
            self._ack(alert)

    @work(group="alert-action", exit_on_error=False, description="ack an alert")
    async def _ack(self, alert: Alert) -> None:
        actions = self.alert_actions
        try:
            said = await actions.ack(alert)
        except Exception as exc:
            self._failed("Ack", exc)
            return
        self.apply_overlay(alert.fingerprint, AlertState.ACKED, f"ack by {actions.author}")
        self.notify(f"{_name(alert)}: {said}", title="Acked", markup=False)
        self.refresh_data()

    # --- silence ------------------------------------------------------------------------------

    def action_silence(self) -> None:
        """Open the silence form, pre-filled with the selected alert's labels."""
        row = self.selected_alert()
        alert = row.alert if row is not None else None
        form = SilenceForm(self.alert_actions, alert, self.known_alerts())
        self.app.push_screen(form, self._silence_created)

    def _silence_created(self, created: CreatedSilence | None) -> None:
        if created is None:
            return
        now = self.alert_actions.clock()
        detail = f"silenced by {short_id(created.id)} ({created.draft.created_by})"
        for alert in self.known_alerts():
            if alert.resolved_at is None and all(
                m.matches(alert.labels) for m in created.draft.matchers
            ):
                self.apply_overlay(alert.fingerprint, AlertState.SILENCED, detail)
        self.notify(
            f"silence {created.id} until {local_time(created.draft.ends_at, now)}",
            title="Silence created",
            markup=False,
        )
        self.refresh_data()

    # --- silences view ------------------------------------------------------------------------

    def action_silences(self) -> None:
        """The silences and maintenance windows, with expire and cancel."""
        screen = SilencesScreen(self.alert_actions, self.known_alerts())
        self.app.push_screen(screen, self._silences_closed)

    def _silences_closed(self, ended: Ended | None) -> None:
        if ended is None or not (ended.silences or ended.windows):
            return
        gone = set(ended.silences)
        for alert in self.known_alerts():
            # Only where the ended silence was the one thing muting it; anything else waits
            # for the next poll rather than showing a guess.
            if alert.silenced_by and set(alert.silenced_by) <= gone and not alert.inhibited_by:
                self.apply_overlay(alert.fingerprint, AlertState.FIRING, "silence expired")
        self.refresh_data()

    # --- maintenance --------------------------------------------------------------------------

    def action_maintenance(self) -> None:
        """Schedule a maintenance window, pre-filled with the selected alert's service."""
        row = self.selected_alert()
        service = row.alert.labels.get("service", "") if row is not None else ""
        names = [item.name for item in self.alert_actions.config.items()]
        form = MaintenanceForm(self.alert_actions, service=service, names=names)
        self.app.push_screen(form, self._maintenance_scheduled)

    def _maintenance_scheduled(self, window: MaintenanceWindow | None) -> None:
        if window is None:
            return
        now = self.alert_actions.clock()
        if window.active(now):
            for alert in self.known_alerts():
                if alert.resolved_at is None and window.covers_alert(alert.labels):
                    self.apply_overlay(
                        alert.fingerprint,
                        AlertState.SILENCED,
                        f"maintenance #{window.id}: {sanitize(window.reason, max_len=60)}",
                    )
        silence = f", silence {short_id(window.silence_id)}" if window.silence_id else ""
        self.notify(
            f"maintenance #{window.id} from {local_time(window.start, now)} "
            f"to {local_time(window.end, now)}{silence}",
            title="Maintenance scheduled",
            markup=False,
        )
        self.refresh_data()

    # --- copy ---------------------------------------------------------------------------------

    def action_copy(self) -> None:
        """Put the selected alert on the clipboard as text (OSC 52)."""
        row = self._row_to_act_on("copy")
        if row is None:
            return
        self.app.copy_to_clipboard(alert_as_text(row.alert, row.state, self.silences_by_id()))
        self.notify(f"copied {_name(row.alert)} to the clipboard", timeout=3, markup=False)
