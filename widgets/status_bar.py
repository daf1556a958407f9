"""The top line of every screen: the modes and their keys, firing alerts, where the data comes
from and how fresh it is.

``1 health 2 alerts 3 incidents 4 secrets  ✖2 crit ▲1 high  ● recording · data fresh  ✔14  08:15``

Firing alert counts come second, right after the mode keys, so a critical alert is seen from
every mode even when the line must be cut. At 80 columns the line is shortened step by step
(shorter freshness words, fewer words after the counts, then the OK count and the clock, at
last the other modes' words) until it fits, rather than losing its end to an ellipsis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Static

from penguin_tui.alerts.model import Severity
from penguin_tui.fmt import local_time
from penguin_tui.health_view import Freshness
from penguin_tui.model import Status
from penguin_tui.text import sanitize
from penguin_tui.widgets.status import STATUS_STYLE, set_text

# Every mode of the app and its key, in key order: the bar shows them all so an operator
# sees how to switch, the current one highlighted.
MODES: tuple[tuple[str, str], ...] = (
    ("1", "health"),
    ("2", "alerts"),
    ("3", "incidents"),
    ("4", "secrets"),
)

ALERT_WORDS = {
    Severity.CRITICAL: "crit",
    Severity.HIGH: "high",
    Severity.MEDIUM: "med",
    Severity.LOW: "low",
}
ALERT_STYLE = {
    Severity.CRITICAL: "reverse red bold",  # seen from across the room, in any mode
    Severity.HIGH: "yellow bold",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "dim",
}

# Worst first, OK last: every status the checklist knows, in the order of their rank.
_CHECK_ORDER = (
    *sorted((s for s in Status if s is not Status.OK), key=lambda s: s.rank, reverse=True),
    Status.OK,
)

# How far to shorten, in order; each level keeps every shortening of the levels before it.
_LEVELS = (
    "full",
    "short-freshness",  # no host, no "data fresh" (staleness is still said)
    "short-alerts",  # words only after the crit and high counts
    "no-ok-no-clock",
    "short-recorder",  # "● daemon pid 4242"
    "short-modes",  # "1 health 2 a": the keys stay, the other modes' words go
    "key-modes",  # "1 health 2 3 4": only the other modes' keys
)


def _age(seconds: float) -> str:
    # Coarse on purpose: a counter ticking every second would repaint (and cross the SSH link)
    # every second while carrying no news.
    if seconds < 60:
        return "fresh"
    if seconds < 3600:
        return f"{int(seconds // 60)}m old"
    return f"{int(seconds // 3600)}h old"


@dataclass(frozen=True, slots=True)
class _Inputs:
    freshness: Freshness | None
    counts: Mapping[Status, int] | None
    recorder_error: str
    alerts: Mapping[Severity, int] | None


class StatusBar(Static):
    """The mode keys, firing alerts by severity, recorder and data age, check counts, clock."""

    DEFAULT_CSS = """
    StatusBar { height: 1; width: 1fr; background: $panel; padding: 0 1; }
    """

    def __init__(self, mode: str, key: str = "", **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.mode = mode
        self.key = key or dict((m, k) for k, m in MODES).get(mode, "")
        self._inputs = _Inputs(None, None, "", None)
        self._error = ""

    def show(
        self,
        freshness: Freshness,
        counts: Mapping[Status, int] | None = None,
        *,
        recorder_error: str = "",
        alert_counts: Mapping[Severity, int] | None = None,
    ) -> None:
        """Redraw with new figures (only when what it says changed).

        ``counts`` are the health checklist's statuses (None: not shown on this screen);
        ``alert_counts`` the firing alerts by severity (None: not known yet).
        """
        alerts = alert_counts if alert_counts is not None else self._inputs.alerts
        self._inputs = _Inputs(freshness, counts, recorder_error, alerts)
        self._error = ""  # a successful read clears the last read error
        self._redraw()

    def show_alert_counts(self, alert_counts: Mapping[Severity, int]) -> None:
        """New firing counts from the app's alert watch (every screen, every 2 s)."""
        inputs = self._inputs
        if inputs.alerts == alert_counts:
            return
        self._inputs = _Inputs(inputs.freshness, inputs.counts, inputs.recorder_error, alert_counts)
        self._redraw()

    def show_error(self, message: str) -> None:
        """A failed read of the cache: say so until the next successful one."""
        self._error = f"cache read failed: {message}"
        self._redraw()

    def on_resize(self, _event: events.Resize) -> None:
        self._redraw()

    def _width(self) -> int:
        width = self.content_size.width
        if width <= 0:  # not laid out yet: the screen's width less the padding
            width = self.app.size.width - 2
        return max(20, width)

    def _redraw(self) -> None:
        width = self._width()
        text = Text()
        for level in _LEVELS:
            text = self._line(level)
            if cell_len(text.plain) <= width:
                break
        set_text(self, text)

    # --- the parts of the line ----------------------------------------------------------------

    def _line(self, level: str) -> Text:
        rank = _LEVELS.index(level)
        text = Text(no_wrap=True, overflow="ellipsis")
        self._modes(text, short=rank >= 5, keys_only=rank >= 6)
        inputs = self._inputs
        if inputs.alerts is not None:
            text.append("  ")
            self._alerts(text, inputs.alerts, short=rank >= 2)
        if self._error:
            text.append("  ")
            text.append(self._error, style="reverse red")
            return text
        if inputs.freshness is not None:
            text.append("  ")
            self._freshness(text, inputs.freshness, inputs.recorder_error, rank=rank)
        if inputs.counts is not None:
            text.append("  ")
            # Symbol and count only: the summary line below says it in words.
            for status in _CHECK_ORDER:
                count = inputs.counts.get(status, 0)
                if (count and status is not Status.OK) or (status is Status.OK and rank < 3):
                    text.append(f"{status.symbol}{count} ", style=STATUS_STYLE[status])
            text.rstrip()
        if inputs.freshness is not None and rank < 3:
            text.append("  ")
            text.append(local_time(inputs.freshness.now), style="dim")
        return text

    def _modes(self, text: Text, *, short: bool, keys_only: bool = False) -> None:
        for index, (key, mode) in enumerate(MODES):
            if index:
                text.append(" ")
            if keys_only and mode != self.mode:
                text.append(key, style="dim")
                continue
            text.append(f"{key} ", style="dim")
            word = mode[:1] if short and mode != self.mode else mode
            text.append(word, style="bold reverse" if mode == self.mode else "dim")

    @staticmethod
    def _alerts(text: Text, counts: Mapping[Severity, int], *, short: bool) -> None:
        firing = [s for s in sorted(Severity, reverse=True) if counts.get(s, 0) > 0]
        if not firing:
            text.append("✔ no alerts" if not short else "✔0 alerts", style="green")
            return
        for index, severity in enumerate(firing):
            if index:
                text.append(" ")
            label = f"{severity.symbol}{counts[severity]}"
            # Words tell alert counts apart from the checks' ✖/▲ counts; short, they are
            # kept where they matter most (crit, high) and the symbols ◆/· are unique anyway.
            if not short or severity >= Severity.HIGH:
                label += f" {ALERT_WORDS[severity]}"
            text.append(label, style=ALERT_STYLE[severity])

    @staticmethod
    def _freshness(text: Text, freshness: Freshness, recorder_error: str, *, rank: int) -> None:
        short = rank >= 1
        writer = freshness.writer
        if freshness.recording_here:
            text.append("● recording", style="green")
        elif writer is not None:
            # Who records matters more than where: the host goes first, "attached" last.
            host = sanitize(writer.host, single_line=True, max_len=30)
            label = f"● attached to {writer.role} pid {writer.pid}"
            if not short:
                label += f" on {host}"
            if rank >= 4:
                label = f"● {writer.role} pid {writer.pid}"
            text.append(label, style="green")
        else:
            text.append(
                "○ nobody is recording" if not short else "○ not recording", style="yellow bold"
            )
        age = freshness.age_s
        if age is None:
            text.append(" · no data yet", style="yellow")
        elif age > freshness.stale_after_s:
            text.append(f" · STALE: data {_age(age)}", style="reverse yellow bold")
        elif not short:
            text.append(f" · data {_age(age)}")
        if recorder_error:
            text.append(f" · {recorder_error}", style="red")
