"""The Overnight panel: state changes and breaches since the last sign-off, newest first."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from penguin_tui.check import Report
from penguin_tui.fmt import local_time
from penguin_tui.model import EventKind
from penguin_tui.report import event_text
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
        """Replace the list only when the events changed (keeps the highlight otherwise)."""
        signature = (report.since, tuple((e.ts, e.key, e.new) for e in report.events))
        if signature == self._signature:
            return
        self._signature = signature
        highlighted = self.highlighted
        self.clear_options()
        self._keys = []
        now = report.checked_at
        options = []
        for event in report.events:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f"{local_time(event.ts, now):>9} ", style="dim")
            style = STATUS_STYLE.get(event.new) if event.new is not None else None
            symbol = event.new.symbol if event.new is not None else "•"
            if event.kind == EventKind.SIGNOFF:
                symbol, style = "✍", None
            line.append(f"{symbol} ", style=style or "")
            line.append(event_text(event, report.names, report.units))
            options.append(Option(line))
            self._keys.append(event.key)
        if not options:
            options.append(
                Option(
                    Text("Quiet night: no state changes or breaches.", style="dim"), disabled=True
                )
            )
        self.add_options(options)
        if self._keys:
            keep = highlighted if highlighted is not None and highlighted < len(self._keys) else 0
            self.highlighted = keep
        self.border_subtitle = f"since {local_time(report.since, now)}"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._keys):
            self.post_message(self.JumpTo(self._keys[event.option_index]))
