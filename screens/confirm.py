"""A yes/no question that only ``y`` answers yes: hard to hit by accident.

Enter and space are what a busy hand presses without reading (they also close most dialogs),
so they cancel here, like escape, ``n`` and every other key. The question says exactly what
will happen, with the names the operator would check: "Ack HighBounceRate on smtp-relay-2
for 15m as alice? y/N".
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

YES_KEYS = frozenset({"y", "Y"})


def question(*parts: tuple[str, str] | str) -> Text:
    """Build a question from plain strings and (text, style) pairs; text is never markup."""
    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append(part[0], style=part[1])
        else:
            text.append(part)
    text.append(" y/N", style="bold")
    return text


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True only for ``y``; any other key (escape, enter, space, n…) is False."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    #confirm-dialog {
        width: auto;
        min-width: 40;
        max-width: 76;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    #confirm-question {
        width: auto;
        max-width: 72;
        text-style: bold;
    }
    #confirm-hint {
        width: auto;
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    def __init__(self, prompt: Text | str, *, title: str = "Confirm") -> None:
        super().__init__()
        self.prompt = prompt if isinstance(prompt, Text) else Text(prompt)
        self.title_text = title
        self._answered = False  # keys typed ahead must not dismiss twice

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog") as dialog:
            dialog.border_title = self.title_text
            yield Static(self.prompt, id="confirm-question")
            yield Static(
                Text.assemble(("y", "bold"), " yes · ", ("any other key", "bold"), " cancels"),
                id="confirm-hint",
            )

    def on_key(self, event: events.Key) -> None:
        # Every key ends the question here: none may fall through to the screen beneath
        # (where "a" or "x" would start another action) or to the app (where "q" quits).
        event.stop()
        event.prevent_default()
        if self._answered:
            return
        self._answered = True
        self.dismiss(event.key in YES_KEYS)
