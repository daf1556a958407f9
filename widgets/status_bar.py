"""The top line of every screen: where the data comes from, how fresh it is, what is wrong."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from penguin_tui.fmt import local_time
from penguin_tui.health_view import Freshness
from penguin_tui.model import Status
from penguin_tui.text import sanitize
from penguin_tui.widgets.status import STATUS_STYLE, set_text


def _age(seconds: float) -> str:
    # Coarse on purpose: a counter ticking every second would repaint (and cross the SSH link)
    # every second while carrying no news.
    if seconds < 60:
        return "fresh"
    if seconds < 3600:
        return f"{int(seconds // 60)}m old"
    return f"{int(seconds // 3600)}h old"


class StatusBar(Static):
    """``1 health  ● recording · data fresh  ✖1 ▲2 ✔14  08:15``: the mode and its key first."""

    DEFAULT_CSS = """
    StatusBar { height: 1; width: 1fr; background: $panel; padding: 0 1; }
    """

    def __init__(self, mode: str, key: str = "1", **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.mode = mode
        self.key = key
        self._error = ""

    def show(
        self,
        freshness: Freshness,
        counts: dict[Status, int],
        *,
        recorder_error: str = "",
    ) -> None:
        """Redraw only when what it says changed."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{self.key} ", style="dim")
        text.append(self.mode, style="bold reverse")
        text.append("  ")
        writer = freshness.writer
        if freshness.recording_here:
            text.append("● recording", style="green")
        elif writer is not None:
            host = sanitize(writer.host, single_line=True, max_len=30)
            text.append(f"● attached to {writer.role} pid {writer.pid} on {host}", style="green")
        else:
            text.append("○ nobody is recording", style="yellow bold")
        age = freshness.age_s
        if age is None:
            text.append(" · no data yet", style="yellow")
        elif age > freshness.stale_after_s:
            text.append(f" · STALE: data {_age(age)}", style="reverse yellow bold")
        else:
            text.append(f" · data {_age(age)}")
        if recorder_error:
            text.append(f" · {recorder_error}", style="red")
        text.append("  ")
        # Symbol and count only: the summary line below says it in words.
        for status in (Status.CRIT, Status.WARN, Status.UNKNOWN, Status.STALE, Status.OK):
            if counts.get(status) or status is Status.OK:
                text.append(f"{status.symbol}{counts.get(status, 0)} ", style=STATUS_STYLE[status])
        text.append(" ")
        text.append(local_time(freshness.now), style="dim")
        self._error = ""  # a successful read clears the last read error
        set_text(self, text)

    def show_error(self, message: str) -> None:
        """A failed read of the cache: say so until the next successful one."""
        self._error = f"cache read failed: {message}"
        text = Text(f"{self.mode}  ", style="bold", no_wrap=True, overflow="ellipsis")
        text.append(self._error, style="reverse red")
        set_text(self, text)
