"""The end-of-shift summary: what the platform did between two times, from the cache alone.

Per service its uptime and worst latency over the shift, the deliverability figures (current,
worst, average), every state change and threshold breach in the order they happened, and the
sign-offs given. It is built once (``build_shift_report``) and rendered as Markdown (handover
notes, tickets) or JSON (machines); the console's ``E`` key and ``penguin-tui report`` share it.

Other parts of penguin-tui add their own sections through ``SECTION_PROVIDERS`` (incidents
touched during the shift will): a provider gets the store, the config and the window and
returns a ``ShiftSection`` or None when it has nothing to say.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from penguin_tui.check import ReportItem, evaluate_items, judge
from penguin_tui.config_model import Config
from penguin_tui.fmt import format_value, iso, local_datetime, local_time
from penguin_tui.model import Event, EventKind, ItemInfo, ItemKind, SignOff, Status, worst
from penguin_tui.report import event_json, event_text, md_escape
from penguin_tui.text import sanitize
from penguin_tui.uptime import covered_span, format_uptime

if TYPE_CHECKING:
    from penguin_tui.store import Store

DEFAULT_SHIFT_S = 12 * 3600
TITLE = "PenguinMails shift report"
DELIVERABILITY = "Email deliverability"


@dataclass(frozen=True, slots=True)
class ServiceShift:
    """One service (a configured check) over the shift."""

    key: str
    name: str
    section: str
    status: Status  # now
    uptime: float | None  # fraction of good probes in the shift
    worst_latency: tuple[float, float] | None  # (ts, ms) of the slowest response
    avg_latency: float | None  # ms
    window_s: float  # the part of the shift the cache has data for

    @property
    def downtime_s(self) -> float | None:
        """Estimated downtime: the failed share of the shift."""
        # Whole seconds: a float's 359.99999 s would print as "5m 59s" for six 1-min probes.
        return None if self.uptime is None else float(round((1.0 - self.uptime) * self.window_s))


@dataclass(frozen=True, slots=True)
class Figure:
    """One deliverability figure (delivery, bounce, complaint rate, queue depth ...)."""

    key: str
    name: str
    unit: str
    status: Status  # now
    current: float | None
    worst: tuple[float, float] | None  # (ts, value): highest, or lowest when lower is worse
    worst_status: Status  # what the worst value was judged against the thresholds
    average: float | None


@dataclass(frozen=True, slots=True)
class ShiftSection:
    """A section another module adds to the report; its text is untrusted and escaped."""

    title: str
    lines: tuple[str, ...]  # one bullet each in Markdown
    data: tuple[dict[str, Any], ...] = ()  # the same, as JSON objects


# (store, config, start, end) -> a section, or None when there is nothing to report.
SectionProvider = Callable[["Store", Config, float, float], ShiftSection | None]
# Incidents touched during the shift plug in here (a provider appended by the incidents module).
SECTION_PROVIDERS: list[SectionProvider] = []


@dataclass(slots=True)
class ShiftReport:
    """Everything the end-of-shift summary says, before formatting."""

    start: float
    end: float
    target_pct: float
    services: list[ServiceShift]
    deliverability: list[Figure]
    events: list[Event]  # state changes and breaches, oldest first
    signoffs: list[SignOff]  # oldest first
    names: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    sections: list[ShiftSection] = field(default_factory=list)

    @property
    def status(self) -> Status:
        """The worst current status of the services and figures reported."""
        return worst([s.status for s in self.services] + [f.status for f in self.deliverability])


def _average(store: Store, key: str, start: float, end: float) -> float | None:
    # One bucket over the window is the sample-weighted mean, computed inside SQLite.
    points = store.points(key, start, end, max_points=1)
    return points[0][1] if points else None


def _service(store: Store, row: ReportItem, start: float, end: float) -> ServiceShift:
    _low, high = store.extremes(row.key, start, end)
    return ServiceShift(
        row.key,
        row.name,
        row.section,
        row.status,
        store.uptime(row.key, start, end),
        high,
        _average(store, row.key, start, end),
        # Downtime counts over the part of the shift the cache covers, as the uptime screen
        # does: 3 minutes down in a 1-hour-old cache is 3 minutes, not 36 of a 12 h shift.
        covered_span(store, row.key, start, end) or (end - start),
    )


def _figure(store: Store, item: ItemInfo, row: ReportItem, start: float, end: float) -> Figure:
    low, high = store.extremes(item.key, start, end)
    pick = low if item.direction == "below" else high
    worst_status = judge(pick[1], item) if pick else Status.UNKNOWN
    return Figure(
        item.key,
        item.name,
        item.unit,
        row.status,
        row.value,
        pick,
        worst_status,
        _average(store, item.key, start, end),
    )


def build_shift_report(
    store: Store,
    config: Config,
    now: float,
    since_s: float = DEFAULT_SHIFT_S,
    providers: Sequence[SectionProvider] | None = None,
) -> ShiftReport:
    """The shift from ``now - since_s`` to ``now``, read from the cache."""
    start, end = now - since_s, now
    known = {item.key: item for item in store.items()}
    for item in config.items():
        known[item.key] = item  # the config is the truth for names and thresholds
    configured = config.items()
    rows = {r.key: r for r in evaluate_items(configured, store.states(), now)}
    services = [_service(store, rows[c.key], start, end) for c in config.checks if c.key in rows]
    figures = [
        _figure(store, item, rows[item.key], start, end)
        for item in configured
        if item.kind == ItemKind.METRIC and item.section == DELIVERABILITY
    ]
    events = [e for e in store.events(start, end) if e.kind in (EventKind.STATE, EventKind.BREACH)]
    signoffs = [s for s in store.signoffs(since=start) if s.ts <= end]
    sections = []
    for provider in SECTION_PROVIDERS if providers is None else providers:
        section = provider(store, config, start, end)
        if section is not None:
            sections.append(section)
    return ShiftReport(
        start=start,
        end=end,
        target_pct=config.uptime_target,
        services=services,
        deliverability=figures,
        events=events[::-1],
        signoffs=signoffs[::-1],
        names={k: i.name for k, i in known.items()},
        units={k: i.unit for k, i in known.items()},
        sections=sections,
    )


def render_shift(report: ShiftReport, fmt: str) -> str:
    """The shift report as ``markdown`` or ``json``, ending with a newline."""
    if fmt == "json":
        return json.dumps(shift_json(report), indent=2, ensure_ascii=False) + "\n"
    return shift_markdown(report)


def _duration(seconds: float | None) -> str:
    from penguin_tui.durations import format_duration

    return "—" if seconds is None else format_duration(max(0.0, seconds))


def _at(ts: float | None, now: float) -> str:
    return "—" if ts is None else local_time(ts, now)


def shift_markdown(report: ShiftReport) -> str:
    """A Markdown handover note; every untrusted string is escaped."""
    now = report.end
    status = report.status
    out = [
        f"# {TITLE}: {status.symbol} {status.value}",
        "",
        f"Shift {local_datetime(report.start)} to {local_datetime(report.end)} "
        f"({_duration(report.end - report.start)}). Uptime target {report.target_pct:g}%.",
        "",
        "## Services",
        "",
    ]
    if report.services:
        out += [
            "| Service | Now | Uptime | Down | Worst latency | At | Average |",
            "|---|---|---:|---:|---:|---|---:|",
        ]
        for s in report.services:
            worst_value = s.worst_latency[1] if s.worst_latency else None
            worst_ts = s.worst_latency[0] if s.worst_latency else None
            out.append(
                f"| {md_escape(s.name, 60)} | {s.status.symbol} {s.status.value} | "
                f"{format_uptime(s.uptime)} | {_duration(s.downtime_s)} | "
                f"{format_value(worst_value, 'ms')} | {_at(worst_ts, now)} | "
                f"{format_value(s.avg_latency, 'ms')} |"
            )
    else:
        out.append("No services are configured.")
    out += ["", f"## {DELIVERABILITY}", ""]
    if report.deliverability:
        out += ["| Figure | Now | Current | Worst | At | Average |", "|---|---|---:|---:|---|---:|"]
        for f in report.deliverability:
            worst_value = f.worst[1] if f.worst else None
            flag = f" {f.worst_status.symbol}" if f.worst and f.worst_status != Status.OK else ""
            out.append(
                f"| {md_escape(f.name, 60)} | {f.status.symbol} {f.status.value} | "
                f"{format_value(f.current, f.unit)} | {format_value(worst_value, f.unit)}{flag} | "
                f"{_at(f.worst[0] if f.worst else None, now)} | "
                f"{format_value(f.average, f.unit)} |"
            )
    else:
        out.append("No deliverability figures are configured.")
    out += ["", f"## State changes and alerts ({len(report.events)})", ""]
    if not report.events:
        out.append("No state changes or threshold breaches during the shift.")
    for e in report.events:
        line = event_text(e, report.names, report.units)
        out.append(f"- **{local_time(e.ts, now)}** {md_escape(line, 400)}")
    out += ["", f"## Sign-offs ({len(report.signoffs)})", ""]
    if not report.signoffs:
        out.append("Nobody signed off during the shift.")
    for s in report.signoffs:
        out.append(
            f"- **{local_time(s.ts, now)}** {md_escape(s.user)}@{md_escape(s.host)}: "
            f"{s.status.symbol} {s.status.value}"
        )
        out += [f"  - not OK: {md_escape(line, 400)}" for line in s.not_ok]
        if s.note:
            out.append(f"  > {md_escape(s.note, 2000)}")
    for section in report.sections:
        out += ["", f"## {md_escape(section.title, 80)}", ""]
        out += [f"- {md_escape(line, 400)}" for line in section.lines]
    return "\n".join(out) + "\n"


def _clean(text: str, max_len: int = 500) -> str:
    return sanitize(text, max_len=max_len, single_line=True)


def _pair(pair: tuple[float, float] | None) -> dict[str, Any] | None:
    return None if pair is None else {"ts": iso(pair[0]), "value": pair[1]}


def shift_json(report: ShiftReport) -> dict[str, Any]:
    """The shift report as plain JSON data (times in ISO 8601 UTC, uptime as a fraction)."""
    return {
        "status": report.status.value,
        "start": iso(report.start),
        "end": iso(report.end),
        "uptime_target_pct": report.target_pct,
        "services": [
            {
                "key": s.key,
                "name": _clean(s.name),
                "section": s.section,
                "status": s.status.value,
                "uptime": s.uptime,
                "downtime_s": s.downtime_s,
                "worst_latency_ms": _pair(s.worst_latency),
                "avg_latency_ms": s.avg_latency,
            }
            for s in report.services
        ],
        "deliverability": [
            {
                "key": f.key,
                "name": _clean(f.name),
                "unit": f.unit,
                "status": f.status.value,
                "current": f.current,
                "worst": _pair(f.worst),
                "worst_status": f.worst_status.value,
                "average": f.average,
            }
            for f in report.deliverability
        ],
        "events": [event_json(e, report.names, reason_len=500) for e in report.events],
        "signoffs": [
            {
                "ts": iso(s.ts),
                "user": _clean(s.user),
                "host": _clean(s.host),
                "status": s.status.value,
                "not_ok": [_clean(line) for line in s.not_ok],
                "note": sanitize(s.note, max_len=4000),
            }
            for s in report.signoffs
        ],
        "sections": [
            {
                "title": _clean(section.title),
                "lines": [_clean(line) for line in section.lines],
                "data": list(section.data),
            }
            for section in report.sections
        ],
    }
