"""The health screen's read model, built from the cache off the event loop.

The screen asks for a ``HealthView`` every refresh (on the app's cache-reader thread, which
owns its store connection) and diffs it into its widgets. Everything here is plain data: the
same ``Report`` as ``penguin-tui check``, plus the recorder's state for the header, 24 h
sparklines and the host rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from penguin_tui.alerts.model import AlertSummary
from penguin_tui.check import (
    Report,
    ReportItem,
    WorstValue,
    alerting,
    build_report,
    worst_values,
)
from penguin_tui.config_model import Config
from penguin_tui.incidents.model import Incident
from penguin_tui.model import ConditionResult, ItemInfo, WriterInfo

if TYPE_CHECKING:
    from penguin_tui.store import Store

SPARK_POINTS = 24  # one per hour over 24 h: a row's shape at a glance, cheap to draw
SPARK_WINDOW_S = 24 * 3600
BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class Freshness:
    """Where the console's data comes from and how old the newest of it is."""

    writer: WriterInfo | None  # who records (None: nobody — data can only get older)
    recording_here: bool  # this console runs the recorder itself
    newest_ts: float | None
    now: float
    stale_after_s: float = 90.0  # newest data older than this is flagged STALE

    @property
    def age_s(self) -> float | None:
        return None if self.newest_ts is None else max(0.0, self.now - self.newest_ts)


@dataclass(frozen=True, slots=True)
class HealthView:
    """Everything the health screen draws, computed in one go from one snapshot of the cache.

    ``complete`` is False for the quick first view (rows only, no sparklines or worst
    values) that lets the screen paint at once on a large cache.
    """

    report: Report
    freshness: Freshness
    sparks: dict[str, str] = field(default_factory=dict)  # key -> sparkline text
    items: dict[str, ItemInfo] = field(default_factory=dict)
    conditions: dict[str, tuple[ConditionResult, ...]] = field(default_factory=dict)
    complete: bool = True

    @property
    def checklist(self) -> list[ReportItem]:
        return [r for r in self.report.items if r.section != "Host"]

    @property
    def host(self) -> list[ReportItem]:
        return [r for r in self.report.items if r.section == "Host"]


def sparkline(values: list[float], width: int = SPARK_POINTS) -> str:
    """Block characters for ``values`` scaled to their own min..max (flat data: a flat line)."""
    if not values:
        return " " * width
    values = values[-width:]
    low, high = min(values), max(values)
    span = high - low
    if span <= 0:
        return (BARS[0] * len(values)).rjust(width)
    scale = (len(BARS) - 1) / span
    return "".join(BARS[int((v - low) * scale)] for v in values).rjust(width)


class HealthLoader:
    """Builds HealthViews, recomputing the slow parts (sparklines, worst values) only now and then.

    Rows and events are read on every refresh (a handful of indexed queries); the 24 h
    sparklines change at most once an hour and the worst values rarely, so they are refreshed
    every ``slow_every_s``, and so is the overnight alert summary (tens of milliseconds after
    an alert storm; the status bar's firing counts are the live figure). The first view skips
    them entirely so the screen paints at once.
    """

    def __init__(self, config: Config, *, slow_every_s: float = 30.0) -> None:
        self.config = config
        self.slow_every_s = slow_every_s
        self._slow_at: float | None = None
        self._sparks: dict[str, str] = {}
        self._worst: list[WorstValue] = []
        self._alerts: AlertSummary | None = None
        self._incidents: list[Incident] = []
        self._loaded_once = False

    def load(self, store: Store, now: float, *, recording_here: bool) -> HealthView:
        """One consistent picture of the cache for the health screen."""
        first = not self._loaded_once
        self._loaded_once = True
        report = build_report(store, self.config, now, None, with_worst=False, with_alerts=False)
        slow_due = self._slow_at is None or now - self._slow_at >= self.slow_every_s
        if not first and slow_due:
            items = [i for i in store.items() if i.key in report.names] or self.config.items()
            self._worst = worst_values(store, items, report.since, now)
            self._alerts = store.alert_summary(report.since, now) if alerting(self.config) else None
            self._incidents = store.incidents(since=report.since)
            self._sparks = {
                row.key: sparkline(
                    [
                        v
                        for _, v in store.points(
                            row.key, now - SPARK_WINDOW_S, now, max_points=SPARK_POINTS
                        )
                    ]
                )
                for row in report.items
            }
            self._slow_at = now
        report.worst_values = list(self._worst)
        report.alerts = self._alerts
        report.incidents = list(self._incidents)
        states = store.states()
        items_by_key = {i.key: i for i in store.items()}
        for item in self.config.items():
            items_by_key[item.key] = item
        return HealthView(
            report,
            freshness(store, self.config, now, recording_here),
            dict(self._sparks),
            items_by_key,
            {key: state.conditions for key, state in states.items() if state.conditions},
            complete=not first,
        )


def freshness(store: Store, config: Config, now: float, recording_here: bool) -> Freshness:
    """Who records and how old the newest data is (stale after 3 of the slowest intervals)."""
    slowest = max((i.interval_s for i in config.items()), default=30.0)
    if config.host.enabled:
        slowest = max(slowest, config.host.interval_s)
    return Freshness(store.writer(), recording_here, store.newest_ts(), now, max(90.0, 3 * slowest))


def load_health_view(
    store: Store,
    config: Config,
    now: float,
    *,
    recording_here: bool,
    since_s: float | None = None,
) -> HealthView:
    """A complete view in one call (tests, screenshots); the screen uses a HealthLoader."""
    report = build_report(store, config, now, since_s)
    sparks = {}
    for row in report.items:
        points = store.points(row.key, now - SPARK_WINDOW_S, now, max_points=SPARK_POINTS)
        sparks[row.key] = sparkline([v for _, v in points])
    return HealthView(report, freshness(store, config, now, recording_here), sparks)


RANGES: tuple[tuple[str, float], ...] = (
    ("1 h", 3600.0),
    ("24 h", 86400.0),
    ("7 d", 7 * 86400.0),
    ("30 d", 30 * 86400.0),
)
CHART_POINTS = 240  # about a wide terminal's width: more points cost render time, show nothing


@dataclass(frozen=True, slots=True)
class DetailView:
    """What the detail pane shows for one item over one range."""

    key: str
    range_label: str
    start: float
    end: float
    points: list[tuple[float, float]]
    failures: list[tuple[float, str]]
    uptime: dict[str, float | None]  # "24 h"/"7 d"/"30 d" -> fraction, checks only


def load_detail(store: Store, key: str, range_index: int, now: float) -> DetailView:
    """History, recent failure reasons and uptime of one item."""
    label, span = RANGES[range_index % len(RANGES)]
    points = store.points(key, now - span, now, max_points=CHART_POINTS)
    failures = store.failures(key, limit=5) if key.startswith("check:") else []
    uptime: dict[str, float | None] = {}
    if key.startswith("check:"):
        for name, seconds in RANGES[1:]:
            uptime[name] = store.uptime(key, now - seconds, now)
    return DetailView(key, label, now - span, now, points, failures, uptime)
