"""The incident picker: which open incident to link an alert to.

Lists the open incidents worst first (id, severity, status, title); one the alert is already
linked to is shown as such and cannot be chosen. Dismisses with the chosen incident's id, or
None when cancelled (escape).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from penguin_tui.alerts.model import Severity
from penguin_tui.incidents.model import Incident
from penguin_tui.text import sanitize

_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "yellow",
    Severity.MEDIUM: "cyan",
    Severity.LOW: "dim",
}


def incident_option(incident: Incident, fingerprint: str) -> Option:
    """One line: ``INC-2026-11-21-1 ✖ Critical Investigating  Bounce rate 12% …``."""
    linked = fingerprint in incident.alerts
    sev = incident.severity
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(incident.id, style="bold")
    text.append(f"  {sev.symbol} {sev.title:<8} ", style=_SEVERITY_STYLE[sev])
    text.append(f"{incident.status.value:<13} ")
    # Titles are other operators' words: sanitised, never read as markup (Text, not markup).
    text.append(sanitize(incident.title, single_line=True, max_len=120))
    if linked:
        text.append("  (linked)", style="dim italic")
    return Option(text, id=incident.id, disabled=linked)


class IncidentPicker(ModalScreen[str | None]):
    """Pick an open incident for the alert ``alert_name`` (shown in the title)."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    DEFAULT_CSS = """
    IncidentPicker {
        align: center middle;
    }
    #incident-picker-dialog {
        width: 90%;
        max-width: 110;
        height: auto;
        max-height: 80%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #incident-picker-options {
        height: auto;
        max-height: 16;
    }
    #incident-picker-hint {
        color: $text-muted;
    }
    """

    def __init__(self, incidents: Sequence[Incident], fingerprint: str, alert_name: str) -> None:
        super().__init__()
        self.incidents = list(incidents)
        self.fingerprint = fingerprint
        self.alert_name = sanitize(alert_name, single_line=True, max_len=40)

    def compose(self) -> ComposeResult:
        with Vertical(id="incident-picker-dialog") as dialog:
            # A Text, not a str: a str border title is read as markup, and the name is not ours.
            dialog.border_title = Text(f"Link {self.alert_name} to")
            options = [incident_option(i, self.fingerprint) for i in self.incidents]
            yield OptionList(*options, id="incident-picker-options")
            yield Static("enter links · escape cancels", id="incident-picker-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        # Start on the first incident that can be chosen (the list is worst first).
        first = next((i for i, inc in enumerate(self.incidents)
                      if self.fingerprint not in inc.alerts), None)  # fmt: skip
        options.highlighted = first
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
