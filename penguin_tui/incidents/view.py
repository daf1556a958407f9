"""The incidents screens' read model, built on the cache-reader thread.

The screens never touch SQLite: every second they ask an ``IncidentsLoader`` (on the reader
thread) whether the newest timeline entry id moved — one cheap query — and only then read the
list again, or only the entries of the open incident newer than the last one seen
(``after_id``). So an idle screen costs one ``SELECT MAX(id)`` a second, and a console sees an
entry written by another console within about a second.

The list's rows carry their display texts (age, time to the next stakeholder update). They are
re-derived once a minute, or at the moment the first on-time incident turns overdue, and a row
whose texts did not change is the very same object as before: the table diffs by identity.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from penguin_tui.alerts.model import Severity
from penguin_tui.durations import format_duration
from penguin_tui.incidents.model import (
    DEFAULT_CADENCE_S,
    Entry,
    EntryType,
    Incident,
    IncidentError,
)
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    from penguin_tui.config_model import Config
    from penguin_tui.store import Store

REAGE_S = 60.0  # ages and countdowns are in minutes: news at most once a minute
CHART_MAX_SERVICES = 3  # the chart strip shows this many services' key metric
CHART_MARGIN_S = 15 * 60.0  # the chart starts a little before the incident did
AUTHOR_MAX = 24


def cadence_of(config: Config | None) -> Mapping[Severity, float]:
    """The stakeholder-update cadence: ``[incidents]`` in the config, else the default."""
    section = getattr(config, "incidents", None)
    found = getattr(section, "cadence_s", None)
    return found if found else DEFAULT_CADENCE_S


def span_text(seconds: float, *, parts: int = 2, up: bool = False) -> str:
    """Whole minutes, one at least: ``5m``, ``2h 5m``, ``3d 4h`` (seconds would be noise, and
    would change the text every second). ``up``: round up, for time left (``in 1m`` until due).
    """
    if not math.isfinite(seconds):
        return format_duration(seconds)
    minutes = max(1, math.ceil(seconds / 60 - 1e-9) if up else math.floor(seconds / 60))
    # format_duration's rules (largest units first, adjacent ones only, zeros dropped) by
    # arithmetic: the list builds thousands of these, and this is a few times faster.
    days, rest = divmod(minutes, 1440)
    counts = ((days, "d"), *zip(divmod(rest, 60), ("h", "m"), strict=True))
    first = next(i for i, (count, _) in enumerate(counts) if count)
    return " ".join(f"{count}{unit}" for count, unit in counts[first : first + parts] if count)


def duration_text(seconds: float) -> str:
    """A duration so far (to acknowledge, to mitigate): ``<1m``, ``4m``, ``2h 5m``."""
    return "<1m" if seconds < 60 else span_text(seconds)


def age_text(seconds: float, *, parts: int = 2) -> str:
    """``new`` under a minute, then ``4m``, ``2h 5m``, ``3d 4h`` (``2h`` with ``parts=1``)."""
    return "new" if seconds < 60 else span_text(seconds, parts=parts)


def due_text(
    inc: Incident,
    now: float,
    cadence: Mapping[Severity, float] = DEFAULT_CADENCE_S,
    *,
    parts: int = 2,
) -> tuple[str, bool]:
    """``("in 12m", False)``, ``("OVERDUE 5m", True)``; ``("—", False)`` once resolved.

    ``parts=1`` for narrow columns: ``in 3h`` (units are cut, never rounded up).
    """
    return _due(inc.next_update_due(cadence), now, parts)


def _due(due: float | None, now: float, parts: int) -> tuple[str, bool]:
    if due is None:
        return "—", False
    if now >= due:
        return f"OVERDUE {span_text(now - due, parts=parts)}", True
    return f"in {span_text(due - now, parts=parts, up=True)}", False


def clean(text: str, max_len: int = 200) -> str:
    """Someone else's words on one line, inert (markup is never parsed: shown as Text)."""
    return safe_text(text, max_len, single_line=True)


# ------------------------------------------------------------------------------ the list


@dataclass(slots=True)  # not frozen (2,000 per build; frozen is slower): treat as read-only
class IncidentRow:
    """One row of the list: the incident and its texts at the time of the build (each also
    in a one-unit form for narrow terminals)."""

    key: str
    incident: Incident
    age: str
    due: str
    overdue: bool
    age_short: str = ""
    due_short: str = ""


@dataclass(frozen=True, slots=True)
class ListView:
    """The list as the table shows it, open incidents first (the store's order)."""

    rows: tuple[IncidentRow, ...]
    now: float
    newest: int  # the newest timeline entry id when it was read
    next_change_at: float  # when the first row's texts change (a minute on, or overdue)

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.rows]

    @property
    def open_count(self) -> int:
        return sum(1 for r in self.rows if r.incident.is_open)

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.rows if r.overdue)


class ListBuilder:
    """Builds ``ListView``s, handing back the previous row object for an unchanged row."""

    def __init__(self) -> None:
        self._rows: dict[str, IncidentRow] = {}

    def build(
        self,
        incidents: Sequence[Incident],
        now: float,
        newest: int,
        cadence: Mapping[Severity, float] = DEFAULT_CADENCE_S,
    ) -> ListView:
        previous = self._rows
        rows: list[IncidentRow] = []
        next_overdue = math.inf
        for inc in incidents:
            when = inc.next_update_due(cadence)
            due, overdue = _due(when, now, 2)
            age = max(0.0, now - inc.declared_at)
            row = IncidentRow(
                inc.id, inc, age_text(age), due, overdue, age_text(age, parts=1),
                _due(when, now, 1)[0],
            )  # fmt: skip
            old = previous.get(inc.id)
            if old is not None and old == row:  # (same incident object: a quick compare)
                row = old
            rows.append(row)
            if when is not None and when > now:
                next_overdue = min(next_overdue, when)
        self._rows = {r.key: r for r in rows}
        return ListView(tuple(rows), now, newest, min(now + REAGE_S, next_overdue))


# -------------------------------------------------------------------------- the timeline


@dataclass(slots=True)  # not frozen: 5,000 of them are built per open, and frozen is slower
class TimelineItem:
    """One entry as the timeline shows it: sanitised once, on the reader thread. Treat as
    read-only."""

    entry: Entry
    time: str  # local HH:MM
    day: str | None  # a day divider above this entry (the first, and when the date changes)
    author: str
    text: str  # may hold newlines (notes, updates); never markup
    refers_to: int | None = None

    @property
    def id(self) -> int:
        return self.entry.id or 0

    @property
    def type(self) -> EntryType:
        return self.entry.type


@dataclass(frozen=True, slots=True)
class TimelineData:
    """One load of an incident: its state now and the entries this load brought."""

    incident: Incident
    new: tuple[TimelineItem, ...]
    first: bool  # everything (the first load): the timeline starts over
    newest: int


@dataclass
class _TimelineState:
    incident_id: str
    after_id: int = 0  # the newest entry of this incident read so far
    seen: int = -1  # the newest entry id of the whole cache at the last read
    last_day: str | None = None


def day_label(ts: float) -> str:
    """``Sat 2026-11-21``: the timeline's day divider (times on entries are HH:MM)."""
    return time.strftime("%a %Y-%m-%d", time.localtime(ts))


def safe_text(text: str, max_len: int | None = None, *, single_line: bool = False) -> str:
    """``sanitize``, with a fast path: printable text (no control characters, so no escape
    sequences, no newline or tab) is what sanitize would return anyway. A 5,000-entry
    timeline is mostly such text."""
    if text.isprintable() and (max_len is None or len(text) <= max_len):
        return text
    return sanitize(text, max_len=max_len, single_line=single_line)


# Entries whose text starts with their type's word ("status Identified -> Monitoring"): the
# timeline shows the type in its own column, so the word is not repeated.
_LEADING_WORD = (
    EntryType.DECLARED,
    EntryType.STATUS,
    EntryType.SEVERITY,
    EntryType.ALERT_LINKED,
    EntryType.ALERT_UNLINKED,
    EntryType.MILESTONE,
)


def shown_text(e: Entry) -> str:
    """The entry's text as the timeline shows it: sanitised, without a repeated type word."""
    text = safe_text(e.text, 20_000).replace("\t", "    ")
    word = e.type.value
    if e.type in _LEADING_WORD and text[: len(word)].lower() == word:
        rest = text[len(word) :]
        if rest[:1] in (":", " "):
            text = rest[1:].lstrip() or text
    return text


def timeline_items(entries: Iterable[Entry], last_day: str | None = None) -> list[TimelineItem]:
    """Display items for ``entries`` (oldest first); ``last_day``: the day shown before them."""
    out = []
    authors: dict[str, str] = {}  # a few people write thousands of entries
    days: dict[tuple[int, int], str] = {}
    for e in entries:
        moment = time.localtime(e.ts)
        day = days.get((moment.tm_year, moment.tm_yday))
        if day is None:
            day = days[(moment.tm_year, moment.tm_yday)] = time.strftime("%a %Y-%m-%d", moment)
        author = authors.get(e.author)
        if author is None:
            author = authors[e.author] = clean(e.author or "?", AUTHOR_MAX)
        out.append(
            TimelineItem(
                e,
                f"{moment.tm_hour:02d}:{moment.tm_min:02d}",
                day if day != last_day else None,
                author,
                shown_text(e),
                e.refers_to,
            )
        )
        last_day = day
    return out


class IncidentsLoader:
    """What the incidents screens read, incrementally; every method runs on the reader thread.

    One loader per screen. Each call starts with the cheap poll (the newest entry id in the
    cache); ``load_list`` and ``load_timeline`` return None when nothing they show changed
    since their last call.
    """

    def __init__(self, cadence: Mapping[Severity, float] = DEFAULT_CADENCE_S) -> None:
        self.cadence = cadence
        self._list_newest = -1
        self._incidents: list[Incident] = []
        self._builder = ListBuilder()
        self._last_list: ListView | None = None
        self._timeline: _TimelineState | None = None

    def load_list(self, store: Store, now: float, *, force: bool = False) -> ListView | None:
        """The list, read again only when an entry was written since the last read; rebuilt
        when that happened or when a row's texts change (a minute on, an update overdue)."""
        newest = store.newest_incident_entry_id()
        last = self._last_list
        changed = newest != self._list_newest
        if changed:
            self._incidents = store.incidents()
            self._list_newest = newest
        if not (changed or force or last is None or now >= last.next_change_at):
            return None
        view = self._builder.build(self._incidents, now, newest, self.cadence)
        self._last_list = view
        return view

    def load_timeline(self, store: Store, incident_id: str) -> TimelineData | None:
        """The incident and its entries: all the first time, then only newer ones; None when
        nothing was written to it since. IncidentError when there is no such incident."""
        state = self._timeline
        first = state is None or state.incident_id != incident_id
        if first:
            state = self._timeline = _TimelineState(incident_id)
        assert state is not None
        newest = store.newest_incident_entry_id()
        if not first and newest == state.seen:
            return None
        state.seen = newest
        entries = store.incident_entries(incident_id, state.after_id)
        if not entries and not first:
            return None  # the news was another incident's
        incident = store.incident(incident_id)
        if incident is None:
            self._timeline = None
            raise IncidentError(f"no incident {clean(incident_id, 60)!r}")
        items = timeline_items(entries, state.last_day)
        if items:
            state.after_id = items[-1].id
            state.last_day = day_label(items[-1].entry.ts)
        return TimelineData(incident, tuple(items), first, newest)


# ----------------------------------------------------------------------------- the chart


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One affected service's key metric over the incident window."""

    name: str
    unit: str
    points: tuple[tuple[float, float], ...]
    start: float
    end: float
    warn: float | None = None
    crit: float | None = None


def chart_window(inc: Incident, now: float) -> tuple[float, float]:
    """From a little before the incident started to its resolution (or now)."""
    start = inc.milestones.get("started", inc.declared_at) - CHART_MARGIN_S
    end = inc.milestones.get("resolved") if not inc.is_open else None
    end = now if end is None else min(now, end + CHART_MARGIN_S)
    return start, max(end, start + 60.0)


def load_chart(
    store: Store, config: Config, inc: Incident, now: float, width: int
) -> list[ChartSeries]:
    """The affected services' key metrics (services are checklist item names): for a check
    its response time, for a metric its value; services with no data are left out."""
    by_name: dict[str, list] = {}
    for item in config.items():
        for name in {item.name.lower(), item.key.split(":", 1)[-1].lower()}:
            by_name.setdefault(name, []).append(item)
    start, end = chart_window(inc, now)
    out: list[ChartSeries] = []
    for service in inc.services:
        for item in by_name.get(service.strip().lower(), [])[:1]:
            points = store.points(item.key, start, end, max_points=max(10, width))
            if points:
                out.append(
                    ChartSeries(
                        clean(service, 40), item.unit, tuple(points), start, end,
                        item.warn, item.crit,
                    )
                )  # fmt: skip
        if len(out) >= CHART_MAX_SERVICES:
            break
    return out
