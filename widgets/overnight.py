"""The Overnight panel: state changes and breaches since the last sign-off, newest first.

When an alert source is configured, the alert stream's night comes first: one line of counts
and the newest critical alerts.
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from penguin_tui.alerts.model import AlertSummary, Severity
from penguin_tui.check import Report
from penguin_tui.fmt import format_value, local_time
from penguin_tui.model import EventKind, Status
from penguin_tui.report import alerts_line, critical_text, event_text, incident_text
from penguin_tui.text import sanitize
from penguin_tui.widgets.status import STATUS_STYLE


class Overnight(OptionList):
    """Events of the overnight window; enter jumps to the item in the checklist."""

    class JumpTo(Message):
        """The operator picked an event: show its item."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._signature: tuple[object, ...] = ()
        self._keys: list[str] = []

    def show(self, report: Report) -> None:
        """Replace the list only when its content changed (keeps the highlight otherwise)."""
        now = report.checked_at
        # Events and each item's worst value of the window, merged newest first.
        entries: list[tuple[float, str, Text]] = []
        for event in report.events:
            style = STATUS_STYLE.get(event.new) if event.new is not None else None
            symbol = event.new.symbol if event.new is not None else "•"
            if event.kind == EventKind.SIGNOFF:
                symbol, style = "✍", None
            body = Text()
            body.append(f"{symbol} ", style=style or "")
            body.append(event_text(event, report.names, report.units))
            entries.append((event.ts, event.key, body))
        for worst in report.worst_values:
            body = Text()
            body.append(f"{worst.status.symbol} ", style=STATUS_STYLE[worst.status])
            body.append("worst ", style="dim")
            body.append(sanitize(worst.name, single_line=True, max_len=40))
            body.append(f" {format_value(worst.value, worst.unit)}")
            entries.append((worst.ts, worst.key, body))
        entries.sort(key=lambda entry: entry[0], reverse=True)
        lines: list[Text] = []
        keys: list[str] = []
        if report.alerts is not None:
            # Alert lines lead and have no checklist item to jump to (key "").
            lines.append(_alerts_summary(report.alerts))
            keys.append("")
            for alertname, subject, ts in report.alerts.critical:
                line = Text(no_wrap=True)
                line.append(f"{local_time(ts, now):>9} ", style="dim")
                line.append(f"{Severity.CRITICAL.symbol} ", style=CRITICAL_STYLE)
                line.append(critical_text(alertname, subject))
                lines.append(line)
                keys.append("")
        for inc in report.incidents:
            line = Text(no_wrap=True)
            line.append(f"{local_time(inc.updated_at, now):>9} ", style="dim")
            line.append("⚑ ", style=CRITICAL_STYLE if inc.is_open else "")
            line.append(incident_text(inc, report.since))
            lines.append(line)
            keys.append("")
        for ts, key, body in entries:
            line = Text(no_wrap=True)
            line.append(f"{local_time(ts, now):>9} ", style="dim")
            line.append_text(body)
            lines.append(line)
            keys.append(key)
        subtitle = f"since {local_time(report.since, now)}"
        # Compare what would be shown, not the data: the window's start moves every refresh
        # while nothing visible changes, and a rebuild repaints the whole panel.
        signature = (subtitle, tuple(line.plain for line in lines))
        if signature == self._signature:
            return
        self._signature = signature
        highlighted_key = (
            self._keys[self.highlighted]
            if self.highlighted is not None and self.highlighted < len(self._keys)
            else None
        )
        self.clear_options()
        options = [Option(line) for line in lines]
        self._keys = keys
        if not entries:
            quiet = Text("Quiet night: no state changes or breaches.", style="dim")
            options.append(Option(quiet, disabled=True))
        self.add_options(options)
        if self._keys:
            # Stay on the same item's entry when new events arrive above it.
            keep = self._keys.index(highlighted_key) if highlighted_key in self._keys else 0
            self.highlighted = keep
        self.border_subtitle = subtitle

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._keys) and self._keys[event.option_index]:
            self.post_message(self.JumpTo(self._keys[event.option_index]))


CRITICAL_STYLE = STATUS_STYLE[Status.CRIT]


def _alerts_summary(summary: AlertSummary) -> Text:
    """``Alerts: 12 fired (2 critical) · 10 resolved · 3 firing``, red while any fires."""
    line = Text(no_wrap=True)
    line.append("Alerts: ", style="bold")
    firing = summary.still_firing > 0
    line.append(alerts_line(summary), style=CRITICAL_STYLE if firing else "")
    return line
