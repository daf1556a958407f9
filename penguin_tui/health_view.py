"""The health screen's read model, built from the cache off the event loop.

The screen asks for a ``HealthView`` every refresh (from a thread worker with its own
read-only store connection) and diffs it into its widgets. Everything here is plain data: the
same ``Report`` as ``penguin-tui check``, plus the recorder's state for the header, 24 h
sparklines and the host rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from penguin_tui.check import Report, ReportItem, build_report
from penguin_tui.config_model import Config
from penguin_tui.model import WriterInfo

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

    def is_stale(self) -> bool:
        """No fresh data: nothing recorded yet, or the newest sample is too old."""
        age = self.age_s
        return age is None or age > self.stale_after_s


@dataclass(frozen=True, slots=True)
class HealthView:
    """Everything the health screen draws, computed in one go from one snapshot of the cache."""

    report: Report
    freshness: Freshness
    sparks: dict[str, str] = field(default_factory=dict)  # key -> sparkline text

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


def load_health_view(
    store: Store,
    config: Config,
    now: float,
    *,
    recording_here: bool,
    since_s: float | None = None,
) -> HealthView:
    """Read one consistent picture of the cache for the health screen."""
    report = build_report(store, config, now, since_s)
    sparks = {}
    for row in report.items:
        points = store.points(row.key, now - SPARK_WINDOW_S, now, max_points=SPARK_POINTS)
        sparks[row.key] = sparkline([v for _, v in points])
    # Stale after three of the slowest item's intervals (the check's STALE rule), at least 90 s.
    slowest = max((i.interval_s for i in config.items()), default=30.0)
    if config.host.enabled:
        slowest = max(slowest, config.host.interval_s)
    stale_after = max(90.0, 3 * slowest)
    freshness = Freshness(store.writer(), recording_here, store.newest_ts(), now, stale_after)
    return HealthView(report, freshness, sparks)


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
