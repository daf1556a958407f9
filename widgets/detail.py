"""The detail pane: one item's history chart with thresholds, conditions and last failures."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from penguin_tui.check import ReportItem
from penguin_tui.fmt import format_value, local_time
from penguin_tui.health_view import DetailView
from penguin_tui.model import ConditionResult, ItemInfo
from penguin_tui.text import sanitize
from penguin_tui.widgets.status import STATUS_STYLE, set_text, status_text


class HistoryChart(PlotextPlot):
    """A plotext chart that replots only when its data, thresholds or size changed."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        # Hidden until there is something to plot: an empty plotext figure costs a render on
        # the first frame, which is the frame an operator waits for at start-up.
        self.display = False
        self._what: object = None
        self._data: object = None
        self._at = float("-inf")

    def plot(self, view: DetailView, item: ItemInfo | None) -> None:
        warn = item.warn if item else None
        crit = item.crit if item else None
        # Every new sample moves the last bucket a little; for ranges of a day and more that is
        # not news worth repainting the chart (and the SSH link) for more than twice a minute.
        what = (view.key, view.range_label, warn, crit)
        data = (len(view.points), tuple(view.points[-3:]))
        now = time.monotonic()
        if what == self._what and (
            data == self._data or (view.end - view.start > 3600 and now - self._at < 30)
        ):
            return
        self._what, self._data, self._at = what, data, now
        self.display = True
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        span_h = (view.end - view.start) / 3600
        if view.points:
            # x in hours before now: readable ticks without plotext's global date state.
            xs = [(ts - view.end) / 3600 for ts, _ in view.points]
            ys = [v for _, v in view.points]
            plt.plot(xs, ys, marker="braille", color="cyan")
        else:
            plt.title("no data in this range")
        for level, color in ((warn, "orange"), (crit, "red")):
            if level is not None:
                plt.hline(level, color)
        plt.xlim(-span_h, 0)
        plt.xlabel("hours ago" if span_h <= 48 else "hours ago (rollups)")
        self.refresh()


class DetailPane(Vertical):
    """Header line, chart, and text about the selected item."""

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title", markup=False)
        yield HistoryChart(id="detail-chart")
        yield Static("", id="detail-info", markup=False)

    def show(
        self,
        row: ReportItem | None,
        item: ItemInfo | None,
        view: DetailView | None,
        conditions: tuple[ConditionResult, ...] = (),
    ) -> None:
        title = self.query_one("#detail-title", Static)
        info = self.query_one("#detail-info", Static)
        if row is None:
            set_text(title, Text("Select an item to see its history.", style="dim"))
            set_text(info, "")
            return
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append_text(status_text(row.status))
        head.append(f"  {sanitize(row.name, single_line=True, max_len=60)}", style="bold")
        head.append(f"  {format_value(row.value, row.unit)}")
        if view is not None:
            head.append(f"   range {view.range_label} (r)", style="dim")
        set_text(title, head)
        if view is not None:
            self.query_one(HistoryChart).plot(view, item)
        set_text(info, self._info(row, view, conditions))

    @staticmethod
    def _info(
        row: ReportItem, view: DetailView | None, conditions: tuple[ConditionResult, ...]
    ) -> Text:
        text = Text()
        if row.reason:
            text.append("Now: ", style="bold")
            text.append(sanitize(row.reason, single_line=True, max_len=300) + "\n")
        for cond in conditions:
            style = STATUS_STYLE[row.status] if not cond.ok else "green"
            text.append("✔ " if cond.ok else "✖ ", style=style)
            text.append(sanitize(cond.expression, single_line=True, max_len=80))
            if not cond.ok:
                text.append(
                    f"  (got {sanitize(cond.actual, single_line=True, max_len=60)})", style="dim"
                )
            text.append("\n")
        if view is not None and view.uptime:
            parts = [
                f"{name} {'—' if value is None else f'{value * 100:.2f}%'}"
                for name, value in view.uptime.items()
            ]
            text.append("Uptime: ", style="bold")
            text.append("  ".join(parts) + "\n")
        if view is not None and view.failures:
            text.append("Last failures:\n", style="bold")
            for ts, reason in view.failures:
                text.append(f"  {local_time(ts, view.end)}  ", style="dim")
                text.append(sanitize(reason, single_line=True, max_len=200) + "\n")
        return text
