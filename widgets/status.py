"""Status styling shared by every widget: one symbol and one colour class per status."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from penguin_tui.model import Status

# Colours carry the status only together with the symbol and the word (NO_COLOR, colour-blind
# operators, monochrome terminals): never by colour alone.
STATUS_STYLE: dict[Status, Style] = {
    Status.OK: Style(color="green"),
    Status.WARN: Style(color="yellow", bold=True),
    Status.CRIT: Style(color="red", bold=True),
    Status.UNKNOWN: Style(color="magenta"),
    Status.STALE: Style(color="bright_black"),
    Status.MAINT: Style(color="cyan"),  # calm: planned work, nothing to act on
}


def status_text(status: Status, *, word: bool = True, width: int = 0) -> Text:
    """``✖ CRIT`` (or just the symbol) in the status's style."""
    label = f"{status.symbol} {status.value}" if word else status.symbol
    return Text(label.ljust(width), style=STATUS_STYLE[status])


def plain(text: str, style: str | Style = "") -> Text:
    """Untrusted text as a Text: never parsed as markup."""
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def set_text(widget: Static, content: Text | str, *, layout: bool = False) -> bool:
    """Update a Static only when its content changed; True if it did.

    Both halves matter over SSH: an unchanged update still repaints, and ``update`` by
    default also re-lays out the screen, which repaints far more than the widget itself.
    Widgets passed here have a fixed height in styles.tcss, so no layout is needed, unless
    ``layout`` says the height follows the text (a line that may wrap).
    """
    if getattr(widget, "_penguin_last", None) == content:
        return False
    widget._penguin_last = content  # type: ignore[attr-defined]
    widget.update(content, layout=layout)
    return True
