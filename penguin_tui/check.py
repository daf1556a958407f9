"""The morning check: evaluate every item from the cache and tell what happened overnight.

``build_report`` is shared by ``penguin-tui check`` and the console's health screen and
Markdown export, so the three always agree. When nothing has recorded recently and no recorder
holds the cache, the check polls once itself (so cron on a fresh host still gets an answer).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from penguin_tui.alerts.model import AlertSummary, MaintenanceWindow
from penguin_tui.config_model import SECTIONS, Config
from penguin_tui.errors import EXIT_CACHE, CacheError, WriterLockHeld
from penguin_tui.incidents.model import Incident
from penguin_tui.maintenance import apply_maintenance, effective_end
from penguin_tui.model import (
    Event,
    EventKind,
    ItemInfo,
    ItemKind,
    ItemState,
    SignOff,
    Status,
    worst,
)

if TYPE_CHECKING:
    from penguin_tui.store import Store

DEFAULT_WINDOW_S = 12 * 3600
STALE_AFTER_INTERVALS = 3
SECTION_ORDER = SECTIONS
# A host item (a mount, the network) whose data is this much older than the host's newest
# figure no longer exists on the host: it is dropped, not reported STALE forever.
HOST_GONE_AFTER_S = 3600.0


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One row of the morning checklist."""

    key: str
    section: str
    name: str
    status: Status
    value: float | None
    unit: str
    reason: str
    since: float | None  # when it entered this status
    checked_at: float | None  # newest data


@dataclass(frozen=True, slots=True)
class WorstValue:
    """The worst value of one metric (or check response time) in the overnight window."""

    key: str
    name: str
    value: float
    unit: str
    ts: float
    status: Status  # what that value would have been judged


@dataclass(slots=True)
class Report:
    """Everything the morning check says, in one place, before formatting."""

    checked_at: float
    since: float
    since_reason: str  # "last sign-off by ann at ...", "--since 12h", "default 12 h"
    items: list[ReportItem]
    events: list[Event] = field(default_factory=list)
    worst_values: list[WorstValue] = field(default_factory=list)
    last_signoff: SignOff | None = None
    names: dict[str, str] = field(default_factory=dict)  # key -> display name
    units: dict[str, str] = field(default_factory=dict)  # key -> unit
    notes: list[str] = field(default_factory=list)  # "polled once: no recorder ran", ...
    # What the alert stream did in the window; None when no alert source is configured.
    alerts: AlertSummary | None = None
    maintenance: list[MaintenanceWindow] = field(default_factory=list)  # active and pending
    incidents: list[Incident] = field(default_factory=list)  # opened/updated in the window

    @property
    def status(self) -> Status:
        return worst(item.status for item in self.items)

    def counts(self) -> dict[Status, int]:
        """How many items are in each status (every status present, zero included)."""
        out = dict.fromkeys(Status, 0)
        for item in self.items:
            out[item.status] += 1
        return out


def judge(value: float | None, item: ItemInfo) -> Status:
    """The status a metric value earns against its item's warn/crit thresholds."""
    from penguin_tui.tracker import level

    if value is None:
        return Status.UNKNOWN
    return level(value, item.warn, item.crit, item.direction)


def evaluate_items(
    items: Iterable[ItemInfo], states: dict[str, ItemState], now: float
) -> list[ReportItem]:
    """Checklist rows: the recorded state, STALE when the newest data is older than 3 intervals."""
    rows = []
    for item in items:
        state = states.get(item.key)
        if state is None:
            rows.append(
                ReportItem(
                    item.key,
                    item.section,
                    item.name,
                    Status.UNKNOWN,
                    None,
                    item.unit,
                    "no data recorded yet",
                    None,
                    None,
                )
            )
            continue
        status, reason = state.status, state.reason
        age = now - state.checked_at
        if age > STALE_AFTER_INTERVALS * item.interval_s:
            status = Status.STALE
            reason = f"no data for {_short(age)} (expected every {_short(item.interval_s)})"
        rows.append(
            ReportItem(
                item.key,
                item.section,
                item.name,
                status,
                state.value,
                item.unit,
                reason,
                state.since,
                state.checked_at,
            )
        )
    return sort_rows(rows)


def sort_rows(rows: list[ReportItem]) -> list[ReportItem]:
    """Section order of the checklist, worst first within a section, then by name."""

    def order(row: ReportItem) -> tuple[int, int, str]:
        section = SECTION_ORDER.index(row.section) if row.section in SECTION_ORDER else 99
        return (section, -row.status.rank, row.name.lower())

    return sorted(rows, key=order)


def _short(seconds: float) -> str:
    from penguin_tui.durations import format_duration

    return format_duration(seconds)


def overnight_window(
    store: Store, now: float, since_s: float | None
) -> tuple[float, str, SignOff | None]:
    """Start of the overnight window and why: --since, else the last sign-off, else 12 h."""
    last = store.last_signoff()
    if since_s is not None:
        return now - since_s, f"--since {_short(since_s)}", last
    if last is not None and last.ts < now:
        return last.ts, f"last sign-off by {last.user}@{last.host}", last
    return now - DEFAULT_WINDOW_S, "no sign-off recorded: last 12 h", last


def worst_values(
    store: Store, items: Iterable[ItemInfo], since: float, now: float
) -> list[WorstValue]:
    """Per metric (and check response time), the worst value in the window."""
    out = []
    for item in items:
        low, high = store.extremes(item.key, since, now)
        pick = low if item.direction == "below" else high
        if pick is None:
            continue
        ts, value = pick
        status = judge(value, item) if item.kind != ItemKind.CHECK else Status.OK
        out.append(WorstValue(item.key, item.name, value, item.unit, ts, status))
    return sorted(out, key=lambda w: (-w.status.rank, w.name.lower()))


def watched_items(store: Store, config: Config, states: dict[str, ItemState]) -> list[ItemInfo]:
    """The items the current config watches, described as the config says.

    Checks and metrics come from the config (a removed check's old rows are not reported);
    host items come from the cache, minus those the host no longer has.
    """
    configured = {item.key: item for item in config.items()}
    items = list(configured.values())
    if config.host.enabled:
        host = [i for i in store.items() if i.kind == ItemKind.HOST]
        seen = [states[i.key].checked_at for i in host if i.key in states]
        newest = max(seen, default=None)
        for item in host:
            state = states.get(item.key)
            gone = (
                newest is not None
                and state is not None
                and newest - state.checked_at > HOST_GONE_AFTER_S
            )
            if not gone:
                items.append(item)
    return items


def build_report(
    store: Store,
    config: Config,
    now: float,
    since_s: float | None,
    *,
    with_worst: bool = True,
    with_alerts: bool = True,
) -> Report:
    """Evaluate every watched item (configured ones even without data) and the window.

    Items covered by an active maintenance window are MAINT (the real status in the reason).
    ``with_worst=False`` skips the worst values (two queries per item) and
    ``with_alerts=False`` the alert summary: the console fills them in on a slower cadence
    than the rows.
    """
    states = store.states()
    items = watched_items(store, config, states)
    # Windows still running or yet to come (one indexed read of a small table).
    windows = [
        w for w in store.maintenance_windows(now, include_ended_s=0) if effective_end(w) > now
    ]
    rows = sort_rows(apply_maintenance(evaluate_items(items, states, now), windows, now))
    since, why, last = overnight_window(store, now, since_s)
    events = [
        e
        for e in store.events(since, now)
        if e.kind in (EventKind.STATE, EventKind.BREACH, EventKind.SIGNOFF)
    ]
    return Report(
        checked_at=now,
        since=since,
        since_reason=why,
        items=rows,
        events=events,
        worst_values=worst_values(store, items, since, now) if with_worst else [],
        last_signoff=last,
        names={i.key: i.name for i in items},
        units={i.key: i.unit for i in items},
        alerts=store.alert_summary(since, now) if with_alerts and alerting(config) else None,
        maintenance=windows,
        incidents=store.incidents(since=since) if with_alerts else [],
    )


def alerting(config: Config) -> bool:
    """True when the config has an alert source (an Alertmanager, or local rules)."""
    return config.alertmanager.enabled or bool(config.rules)


def needs_poll(store: Store, config: Config, now: float) -> bool:
    """True when no recorder is running and the cache has nothing fresh for the config."""
    if store.writer() is not None:
        return False
    states = store.states()
    for item in config.items():
        state = states.get(item.key)
        if state is None or now - state.checked_at > STALE_AFTER_INTERVALS * item.interval_s:
            return True
    if config.host.enabled:
        host = [s for k, s in states.items() if k.startswith("host:")]
        if not host or now - max(s.checked_at for s in host) > 3 * config.host.interval_s:
            return True
    return False


def poll_once_into(store: Store, config: Config) -> None:
    """Poll every target once and record it, holding the writer lock meanwhile.

    A one-shot poll has no history to smooth over, so a single failed probe counts (failure
    threshold 1); the recorded state is then what the next recorder starts from.
    """
    from penguin_tui.poller import Poller

    one_shot = dataclasses.replace(
        config,
        checks=tuple(
            dataclasses.replace(c, failure_threshold=1, success_threshold=1) for c in config.checks
        ),
    )
    store.acquire_writer("check")
    try:
        store.sync_items(config.items())

        async def collect() -> None:
            async def discard(_batch: object) -> None:
                return None

            poller = Poller(one_shot, discard, initial_states=store.states())
            batch = await poller.poll_once()
            store.sync_items(poller.items())
            store.write(batch)

        asyncio.run(collect())
    finally:
        store.release_writer()


def run_check_command(
    config_path: Path | None, cache_path: Path | None, fmt: str, since_s: float | None
) -> int:
    """``penguin-tui check``: print the report, return the Nagios exit code."""
    import click

    from penguin_tui.context import NO_CONFIG_HINT, resolve
    from penguin_tui.report import render

    ctx = resolve(config_path, cache_path)
    now = time.time()
    try:
        store = _open_store(ctx.cache_path)
    except CacheError as exc:
        # Monitoring reads 3 as UNKNOWN: the check could not tell, which is the truth here.
        click.echo(f"penguin-tui: {exc.message}", err=True)
        return Status.UNKNOWN.exit_code if exc.exit_code == EXIT_CACHE else exc.exit_code
    notes = []
    try:
        if needs_poll(store, ctx.config, now):
            try:
                poll_once_into(store, ctx.config)
                notes.append("no recorder was running: polled every target once now")
            except WriterLockHeld:
                notes.append("a recorder started meanwhile: reporting what it recorded")
            now = time.time()
        report = build_report(store, ctx.config, now, since_s)
    finally:
        store.close()
    if ctx.config_path is None:
        notes.append(NO_CONFIG_HINT)
    report.notes.extend(notes)
    click.echo(render(report, fmt), nl=False)
    return report.status.exit_code


def _open_store(path: Path) -> Store:
    from penguin_tui.store import Store

    return Store.open(path)
