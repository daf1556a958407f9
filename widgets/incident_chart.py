"""The timeline's chart strip: the affected services' key metrics over the incident window.

One small plotext chart per service (at most three, side by side), x in minutes since the
incident started so the charts line up with the timeline's times. Hidden while there is
nothing to plot (no services, no data in the cache); narrow terminals fold it away (CSS).
Charts are replotted only when their data or size changed: a plotext render is the costliest
thing on this screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.containers import Horizontal
from textual_plotext import PlotextPlot

from penguin_tui.incidents.view import ChartSeries

_COLORS = ("cyan", "magenta", "green")


class _ServiceChart(PlotextPlot):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._shown: object = None

    def plot_series(self, series: ChartSeries, color: str, started: float) -> None:
        what = (series.name, series.points[-1:], len(series.points), series.start, series.end)
        if what == self._shown:
            return
        self._shown = what
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        xs = [(ts - started) / 60 for ts, _ in series.points]
        ys = [v for _, v in series.points]
        plt.plot(xs, ys, marker="braille", color=color)
        for level, level_color in ((series.warn, "orange"), (series.crit, "red")):
            if level is not None:
                plt.hline(level, level_color)
        plt.xlim((series.start - started) / 60, (series.end - started) / 60)
        unit = f" ({series.unit})" if series.unit else ""
        plt.title(f"{series.name}{unit}")
        plt.xlabel("min since start")
        self.refresh()


class IncidentChart(Horizontal):
    """Up to three service charts; ``show([])`` hides the strip."""

    DEFAULT_CSS = """
    IncidentChart {
        height: 9;
    }
    IncidentChart _ServiceChart {
        width: 1fr;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.display = False  # no empty plotext render on the first frame

    @property
    def shown_names(self) -> list[str]:
        """The services charted now (tests, the header)."""
        return [c._shown[0] for c in self.query(_ServiceChart) if c.display and c._shown]  # type: ignore[index]

    def show(self, series: Sequence[ChartSeries], started: float) -> None:
        """Plot ``series`` (x: minutes since ``started``); hide what has no series.

        The charts are mounted the first time there is something to plot: most incidents'
        timelines open without ever paying for a plotext widget.
        """
        self.display = bool(series)
        charts = list(self.query(_ServiceChart))
        if len(charts) < len(series):
            new = [_ServiceChart() for _ in range(len(series) - len(charts))]
            self.mount_all(new)
            charts += new
        for n, chart in enumerate(charts):
            if n < len(series):
                chart.display = True
                chart.plot_series(series[n], _COLORS[n % len(_COLORS)], started)
            else:
                chart.display = False
