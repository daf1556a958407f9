"""Uptime per service and the error budget left against the operations team's target.

Uptime is the fraction of good probes in a check's ``check:<name>:up`` series over a window,
as the store computes it from whichever tier (raw, minute, hour) covers the window. The error
budget follows the usual SLO arithmetic: a 99.9 % target over 30 days allows 43 min 12 s of
downtime; the downtime used is the failed fraction of the time the cache covers; what is left
may go negative (the budget is blown), which is worth seeing rather than clamping to zero.

A cache younger than the window (a new bastion, a fresh demo) covers only part of it. Spreading
its failed fraction over the whole window would turn 3 minutes of downtime in 12 hours into
3 hours "used" of a 30-day budget, so the downtime counts over the covered span only, and the
budget says how much of the window it covers.

Maintenance windows covering a service are planned time: their probes are left out of the
uptime, their time out of the budget's denominator (the allowed downtime is the target's share
of the unplanned time), and the planned time is reported on its own ("planned: 2h 10m").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from penguin_tui.config_model import Config
from penguin_tui.maintenance import covering, planned_spans, span_total, unplanned_spans
from penguin_tui.model import Status, worst

if TYPE_CHECKING:
    from penguin_tui.alerts.model import MaintenanceWindow
    from penguin_tui.store import Store

DAY = 86400.0
WINDOWS: tuple[tuple[str, float], ...] = (("24 h", DAY), ("7 d", 7 * DAY), ("30 d", 30 * DAY))
# Less than this share of the budget left is a warning: at that point one more bad hour of a
# typical incident spends the rest.
WARN_LEFT_PCT = 25.0
COVERAGE_BUCKETS = 720


@dataclass(frozen=True, slots=True)
class Budget:
    """Uptime and error budget of one service over one window."""

    label: str  # "24 h", "7 d", "30 d"
    window_s: float
    uptime: float | None  # fraction 0..1 of good probes; None: no probes recorded
    allowed_s: float  # downtime the target allows in the window
    used_s: float | None  # downtime spent; None without data
    target_pct: float
    covered_s: float | None = None  # unplanned time of the window the cache has data for
    planned_s: float = 0.0  # maintenance time in the window, outside the budget

    @property
    def partial(self) -> bool:
        """True when the cache covers less than the window (the figures are so far only)."""
        return self.covered_s is not None and self.covered_s < self.window_s - self.planned_s

    @property
    def left_s(self) -> float | None:
        """Downtime still allowed (negative: the budget is overspent)."""
        return None if self.used_s is None else self.allowed_s - self.used_s

    @property
    def left_pct(self) -> float | None:
        """What is left as a percentage of the budget (None without data or without a budget)."""
        left = self.left_s
        if left is None or self.allowed_s <= 0:
            return None
        return round(100.0 * left / self.allowed_s, 6)

    @property
    def status(self) -> Status:
        """OK; WARN under 25 % of the budget left; CRIT when spent; UNKNOWN without data."""
        left = self.left_s
        if left is None:
            return Status.UNKNOWN
        if left < 0:
            return Status.CRIT
        pct = self.left_pct
        if pct is not None and pct < WARN_LEFT_PCT:
            return Status.WARN
        return Status.OK


@dataclass(frozen=True, slots=True)
class ServiceUptime:
    """One service (a configured check) over every window."""

    key: str
    name: str
    section: str
    budgets: tuple[Budget, ...]

    @property
    def status(self) -> Status:
        """The worst budget status among the windows that have data."""
        known = [b.status for b in self.budgets if b.status != Status.UNKNOWN]
        return worst(known) if known else Status.UNKNOWN


def error_budget(
    uptime: float | None,
    target_pct: float,
    label: str,
    window_s: float,
    covered_s: float | None = None,
    planned_s: float = 0.0,
) -> Budget:
    """The budget for ``uptime`` (fraction) against ``target_pct`` (percent) over the window.

    ``planned_s`` is maintenance time in the window: the budget is the target's share of the
    rest. ``covered_s`` is how much of that unplanned time has data (default: all of it); the
    downtime used is the failed fraction of that span.
    """
    planned = max(0.0, min(window_s, planned_s))
    unplanned = window_s - planned
    covered = unplanned if covered_s is None else max(0.0, min(unplanned, covered_s))
    # Millisecond precision: enough for any budget, and "exactly spent" stays exactly zero
    # instead of a float rounding error's worth of overspent.
    allowed = round(max(0.0, (1.0 - target_pct / 100.0) * unplanned), 3)
    used = None if uptime is None else round(max(0.0, (1.0 - uptime) * covered), 3)
    return Budget(
        label,
        window_s,
        uptime,
        allowed,
        used,
        target_pct,
        None if uptime is None else covered,
        round(planned, 3),
    )


def covered_span(store: Store, key: str, start: float, end: float) -> float | None:
    """How much of ``[start, end]`` the ``<key>:up`` series has data for (None: none at all).

    The store reads bucket averages, not the first sample's time; with COVERAGE_BUCKETS
    buckets the estimate is within half a bucket (half an hour over 30 days, a minute over a
    day), which is far below what a budget of minutes needs.
    """
    points = store.points(f"{key}:up", start, end, max_points=COVERAGE_BUCKETS)
    if not points:
        return None
    bucket = (end - start) / COVERAGE_BUCKETS
    # The first bucket's mean time sits about half a bucket after its first sample.
    first = points[0][0] - bucket / 2
    if first - start < bucket:
        return end - start  # data from the window's first bucket on: the window is covered
    return end - first


def service_uptimes(
    store: Store, config: Config, now: float, windows: tuple[tuple[str, float], ...] = WINDOWS
) -> list[ServiceUptime]:
    """Every configured check's uptime and budget over ``windows``, in config order.

    Maintenance windows covering a check are planned time (see the module's docstring).
    """
    longest = max((span for _label, span in windows), default=0.0)
    maintenance = store.maintenance_windows(now, include_ended_s=longest)
    out = []
    for check in config.checks:
        mine = covering(maintenance, check.key, check.name, check.section)
        budgets = {}
        data_start: float | None = None
        # Shortest window first: where the data starts is best seen through the finest
        # buckets, and once a window is only partly covered every longer one starts there too.
        for label, span in sorted(windows, key=lambda w: w[1]):
            if data_start is None:
                covered = covered_span(store, check.key, now - span, now)
                if covered is not None and covered < span:
                    data_start = now - covered
            else:
                covered = now - data_start
            planned = span_total(planned_spans(mine, now - span, now))
            if planned:
                data_from = now - (span if covered is None else covered)
                uptime = uptime_outside(store, check.key, mine, now - span, now, data_from)
                if covered is not None:
                    covered -= span_total(planned_spans(mine, now - covered, now))
            else:
                uptime = store.uptime(check.key, now - span, now)
            budgets[label] = error_budget(
                uptime, config.uptime_target, label, span, covered, planned
            )
        ordered = tuple(budgets[label] for label, _span in windows)
        out.append(ServiceUptime(check.key, check.name, check.section, ordered))
    return out


def uptime_outside(
    store: Store,
    key: str,
    windows: Sequence[MaintenanceWindow],
    start: float,
    end: float,
    data_from: float,
) -> float | None:
    """Uptime over the parts of ``[start, end]`` no maintenance window covers.

    Each unplanned stretch weighs by how much of it has data (probes are periodic, so time
    stands for probe count); None when no stretch has any.
    """
    total = weight = 0.0
    for lo, hi in unplanned_spans(windows, start, end):
        share = hi - max(lo, data_from)
        if share <= 0:
            continue
        value = store.uptime(key, lo, hi)
        if value is None:
            continue
        total += value * share
        weight += share
    return total / weight if weight > 0 else None


def format_planned(budget: Budget) -> str:
    """``planned: 2h 10m`` when maintenance fell in the window, else ``""``."""
    return f"planned: {format_span(budget.planned_s)}" if budget.planned_s > 0 else ""


def format_uptime(uptime: float | None) -> str:
    """``99.95%`` (two decimals: 99.9 and 99.99 differ by a factor of ten), ``—`` without data."""
    if uptime is None:
        return "—"
    pct = 100.0 * uptime
    # Never round a service that failed at all up to a perfect 100.00 %.
    if uptime < 1.0 and pct > 99.99:
        return ">99.99%"
    return f"{pct:.2f}%"


def format_span(seconds: float) -> str:
    """A budget duration: ``43m 12s``; whole seconds, since 359.99 s of downtime is "6m"."""
    from penguin_tui.durations import format_duration

    return format_duration(round(seconds) if abs(seconds) >= 1 else seconds)


def format_left(budget: Budget) -> str:
    """``38m 2s left (88%)``, ``overspent by 1h 5m``, ``—`` without data."""
    left = budget.left_s
    if left is None:
        return "—"
    if left < 0:
        return f"overspent by {format_span(-left)}"
    pct = budget.left_pct
    share = f" ({pct:.0f}%)" if pct is not None else ""
    return f"{format_span(left)} left{share}"
