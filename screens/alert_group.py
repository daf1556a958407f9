"""The group-by prompt: every label seen on the alerts, most common first, or none.

Dismisses with the chosen label name, ``""`` for a flat list, or None when cancelled.
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
from textual.widgets.option_list import Option, OptionDoesNotExist

from penguin_tui.text import sanitize

FLAT = "\x00flat"  # the option id of "no grouping" (no label name can hold a NUL)
MAX_LABELS = 200  # alerts with thousands of distinct label names are not worth listing all


class GroupByPrompt(ModalScreen[str | None]):
    """Pick the label to group the alerts by."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    DEFAULT_CSS = """
    GroupByPrompt {
        align: center middle;
    }
    #group-dialog {
        width: 50;
        max-width: 100%;
        height: auto;
        max-height: 80%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #group-options {
        height: auto;
        max-height: 16;
    }
    #group-hint {
        color: $text-muted;
    }
    """

    def __init__(self, labels: Sequence[str], current: str) -> None:
        super().__init__()
        self.labels = list(labels)[:MAX_LABELS]
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="group-dialog") as dialog:
            dialog.border_title = "Group alerts by"
            options = [Option(Text("no grouping (flat list)", style="italic"), id=FLAT)]
            for name in self.labels:
                label = Text(sanitize(name, single_line=True, max_len=60))
                if name == self.current:
                    label.append("  (now)", style="dim")
                options.append(Option(label, id=name))
            yield OptionList(*options, id="group-options")
            yield Static("enter chooses · escape keeps the grouping", id="group-hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        current = FLAT if not self.current else self.current
        try:
            option_list.highlighted = option_list.get_option_index(current)
        except OptionDoesNotExist:  # the current label is on no alert now: start at the top
            option_list.highlighted = 0
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id or FLAT
        self.dismiss("" if choice == FLAT else choice)

    def action_cancel(self) -> None:
        self.dismiss(None)
