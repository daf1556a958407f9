"""The alerts screen's read model: what the cache holds (``AlertsLoader``) and what the screen
shows of it (``ViewBuilder`` -> ``AlertsView``).

Both run on the app's cache-reader thread, never on the event loop. The loader keeps every
known alert by fingerprint and asks the store only for rows changed since its last ``rev``, so
a poll in which nothing changed costs a handful of small queries however many alerts fire.
The builder applies the operator's filter, toggles and grouping and sorts worst first; it hands
back the *same* ``AlertRow`` object for an alert whose row did not change, so the table can
diff 10,000 rows by identity and repaint only the few that did.
"""

from __future__ import annotations

import operator
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from penguin_tui.alerts.matchers import AlertFilter
from penguin_tui.alerts.model import (
    Alert,
    AlertState,
    LocalAck,
    Severity,
    Silence,
    SourceStatus,
)
from penguin_tui.config_model import Config
from penguin_tui.gc_pause import gc_paused

if TYPE_CHECKING:
    from penguin_tui.store import Store

GROUP_PREFIX = "group:"
OVERLAY_TTL_S = 30.0  # an action's expected state shows at most this long without confirmation
NO_GROUP = ""  # ViewOptions.group_by: a flat list


def coarse_age(seconds: float | None) -> str:
    """``now``, ``5m``, ``3h``, ``2d``: coarse, so an idle table does not repaint every second."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def alert_started(alert: Alert) -> float | None:
    """When the alert began: the source's startsAt, else when penguin-tui first saw it."""
    return alert.starts_at if alert.starts_at is not None else alert.first_seen


# --- what the cache holds ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertsData:
    """One load of the alert stream from the cache, as plain data the UI may keep.

    ``alerts`` holds the active alerts and those resolved within ``[alerts].resolved_keep_s``.
    ``changed`` lists the fingerprints this load brought news of (all of them on the first).
    ``silences`` and ``acks`` are the very same objects as in the previous load while they
    did not change, so consumers can skip work by identity.
    """

    alerts: Mapping[str, Alert]
    silences: Mapping[str, Silence]
    acks: Mapping[str, LocalAck]
    sources: tuple[SourceStatus, ...]
    counts: Mapping[Severity, int]
    rev: int
    changed: frozenset[str]
    now: float
    first: bool = False  # the first load of this loader (everything is "changed")

    @property
    def down_sources(self) -> tuple[SourceStatus, ...]:
        return tuple(s for s in self.sources if not s.ok)


class AlertsLoader:
    """Keeps the alert stream by fingerprint, read from the cache incrementally by ``rev``."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._alerts: dict[str, Alert] = {}
        self._resolved: dict[str, float] = {}  # fingerprint -> resolved_at, for pruning
        self._rev = 0
        self._silences: dict[str, Silence] = {}
        self._acks: dict[str, LocalAck] = {}

    def load(self, store: Store, now: float) -> AlertsData:
        """Bring the alerts up to date with the cache (only rows changed since the last load)."""
        keep_s = self.config.alerts.resolved_keep_s
        first = self._rev == 0
        rev, changed = store.alerts_since(self._rev, resolved_after=now - keep_s)
        if rev < self._rev:
            # The cache was replaced (a new file, a restore): start over rather than keep
            # alerts it no longer knows.
            self._alerts.clear()
            self._resolved.clear()
            first = True
            rev, changed = store.alerts_since(0, resolved_after=now - keep_s)
        self._rev = rev
        for alert in changed:
            self._alerts[alert.fingerprint] = alert
            if alert.resolved_at is not None:
                self._resolved[alert.fingerprint] = alert.resolved_at
            else:
                self._resolved.pop(alert.fingerprint, None)
        self._prune(now - keep_s)
        silences = {s.id: s for s in store.silences()}
        if silences != self._silences:
            self._silences = silences
        acks = store.local_acks(now)
        if acks != self._acks:
            self._acks = dict(acks)
        return AlertsData(
            alerts=dict(self._alerts),
            silences=self._silences,
            acks=self._acks,
            sources=tuple(store.alert_sources()),
            counts=dict(store.firing_counts()),
            rev=rev,
            changed=frozenset(a.fingerprint for a in changed),
            now=now,
            first=first,
        )

    def _prune(self, cutoff: float) -> None:
        """Resolved alerts leave the list once they are older than resolved_keep_s."""
        gone = [fp for fp, at in self._resolved.items() if at < cutoff]
        for fp in gone:
            del self._resolved[fp]
            self._alerts.pop(fp, None)


# --- what the screen shows ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overlay:
    """The state an operator's action should lead to, shown until the cache confirms it.

    ``base`` is the state the cache reported when the action was taken: once the cache says
    something else (the poll saw the silence), or ``expires`` (monotonic) passes, the overlay
    goes and the cache's state shows again.
    """

    state: AlertState
    detail: str
    base: AlertState
    expires: float


@dataclass(frozen=True, slots=True)
class ViewOptions:
    """What the operator chose to see. Firing alerts are never hidden by the toggles."""

    filter: AlertFilter = field(default_factory=AlertFilter)
    show_silenced: bool = True
    show_inhibited: bool = True  # inhibited and acked: someone or something handles them
    show_resolved: bool = False
    group_by: str = NO_GROUP
    collapsed: frozenset[str] = frozenset()  # group values folded to their header
    last_look: float | None = None  # alerts first seen after this are marked new
    overlays: Mapping[str, Overlay] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One alert as the table shows it; ``selected_alert()`` hands these to the actions."""

    alert: Alert
    state: AlertState
    is_new: bool = False
    age: str = ""
    overlay: str = ""  # what the pending action said ("acked by bob"), "" from the cache

    @property
    def key(self) -> str:
        return self.alert.fingerprint

    @property
    def stale(self) -> bool:
        return self.alert.stale


@dataclass(frozen=True, slots=True)
class GroupRow:
    """A group header: ``▾ HighBounceRate  3 firing · worst Critical``."""

    key: str
    label: str  # the grouping label's name
    value: str
    total: int  # alerts shown in the group
    firing: int
    worst: Severity
    collapsed: bool = False


Row = AlertRow | GroupRow


@dataclass(frozen=True, slots=True)
class AlertsView:
    """Everything the alerts screen draws for one build, in display order."""

    rows: tuple[Row, ...]
    keys: tuple[str, ...]  # each row's key, in the same order (what the table diffs by)
    data: AlertsData
    options: ViewOptions
    hidden: Mapping[str, int]  # by reason: silenced, inhibited, acked, resolved, filter
    hidden_firing: int  # firing alerts the filter keeps out of sight (the header says so)
    new_count: int
    expired_overlays: frozenset[str] = frozenset()

    @property
    def alert_rows(self) -> dict[str, AlertRow]:
        return {row.key: row for row in self.rows if isinstance(row, AlertRow)}

    @property
    def shown(self) -> int:
        """Alerts listed: their own rows and those folded under a group header."""
        return sum(1 for row in self.rows if isinstance(row, AlertRow)) + self.folded

    @property
    def folded(self) -> int:
        """Alerts listed but folded under a group header (no row of their own)."""
        return sum(row.total for row in self.rows if isinstance(row, GroupRow) and row.collapsed)


def initial_options(config: Config, last_look: float | None) -> ViewOptions:
    """What the alerts screen shows at first: grouped as configured, alerts first seen after
    ``last_look`` (the console's start) marked new."""
    return ViewOptions(group_by=config.alerts.group_by, last_look=last_look)


def brings_news(old: AlertsData, new: AlertsData) -> bool:
    """True when a view of ``new`` may differ from one of ``old`` beyond the ages: alerts,
    silences, acks or sources changed (loads of an unchanged cache keep the same objects)."""
    return new is not old and bool(
        new.changed
        or new.silences is not old.silences
        or new.acks is not old.acks
        or new.sources != old.sources
        or len(new.alerts) != len(old.alerts)
    )


def _hidden_by_toggle(state: AlertState, options: ViewOptions) -> str:
    """The toggle that hides an alert in ``state``, or "" when it shows."""
    if state is AlertState.FIRING:
        return ""
    if state is AlertState.RESOLVED:
        return "" if options.show_resolved else "resolved"
    if state is AlertState.SILENCED:
        return "" if options.show_silenced else "silenced"
    if state in (AlertState.INHIBITED, AlertState.ACKED):
        return "" if options.show_inhibited else state.value
    return ""


class ViewBuilder:
    """Builds AlertsViews, reusing each alert's row object while that row did not change."""

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._rows: dict[str, AlertRow] = {}
        self._groups: dict[str, GroupRow] = {}
        # Per alert, while it is the same object: its state (while silences and acks are the
        # same objects too), start and sort key. A refresh recomputes them for the changed.
        self._facts: dict[str, tuple[Alert, AlertState, float | None, _SortKey]] = {}
        self._state_basis: tuple[object, object] | None = None

    def build(self, data: AlertsData, options: ViewOptions) -> AlertsView:
        """Filter, toggle, sort worst first then newest, group; count what is hidden and why.

        One pass over the alerts (10,000 in a storm, on every refresh), so the per-alert work
        is kept to lookups where it can be: ~25 ms for 10,000 new, less for a refresh. The
        rows it makes are acyclic and kept: the cyclic collector waits (gc_pause)."""
        with gc_paused():
            return self._build(data, options)

    def _build(self, data: AlertsData, options: ViewOptions) -> AlertsView:
        now = data.now
        mono = self._monotonic()
        silences, acks = data.silences, data.acks
        basis = self._state_basis
        same_basis = basis is not None and basis[0] is silences and basis[1] is acks
        self._state_basis = (silences, acks)
        old_facts, old_rows = self._facts, self._rows
        facts: dict[str, tuple[Alert, AlertState, float | None, _SortKey]] = {}
        rows: dict[str, AlertRow] = {}
        hidden: Counter[str] = Counter()
        hidden_firing = 0
        new_count = 0
        expired: set[str] = set()
        shown: list[tuple[_SortKey, AlertRow]] = []
        last_look = options.last_look
        filt = options.filter if options.filter else None
        overlays = options.overlays
        hides = _hiding_toggles(options)
        resolved = AlertState.RESOLVED
        for fp, alert in data.alerts.items():
            hit = old_facts.get(fp)
            if hit is not None and hit[0] is alert:
                state = hit[1] if same_basis else alert.state(silences, fp in acks)
                started, key = hit[2], hit[3]
                facts[fp] = hit if state is hit[1] else (alert, state, started, key)
            else:
                state = alert.state(silences, fp in acks)
                started = alert.starts_at if alert.starts_at is not None else alert.first_seen
                key = (-_severity_of(alert), -(started or 0.0), fp)
                facts[fp] = (alert, state, started, key)
            overlay_detail = ""
            if overlays:
                overlay = overlays.get(fp)
                if overlay is not None:
                    if state is not overlay.base or mono >= overlay.expires:
                        expired.add(fp)  # the cache caught up (or never will): its state
                    else:
                        state, overlay_detail = overlay.state, overlay.detail
            first_seen = alert.first_seen
            is_new = (
                last_look is not None
                and first_seen is not None
                and first_seen > last_look
                and state is not resolved
            )
            new_count += is_new
            age = _age(None if started is None else now - started)
            row = old_rows.get(fp)
            if (
                row is None
                or row.alert is not alert
                or row.state is not state
                or row.is_new != is_new
                or row.age != age
                or row.overlay != overlay_detail
            ):
                row = AlertRow(alert, state, is_new, age, overlay_detail)
            rows[fp] = row
            reason = hides.get(state)
            if reason:
                hidden[reason] += 1
                continue
            if filt is not None and not filt.matches(
                alert.labels, (alert.summary, state.value, alert.severity.title)
            ):
                hidden["filter"] += 1
                hidden_firing += state is AlertState.FIRING
                continue
            shown.append((key, row))
        self._facts, self._rows = facts, rows
        # Keys are unique (the fingerprint is the last part): rows are never compared.
        shown.sort(key=_first)
        ordered = tuple(self._reuse_groups(_grouped([row for _, row in shown], options)))
        return AlertsView(
            rows=ordered,
            keys=tuple(row.key for row in ordered),
            data=data,
            options=options,
            hidden=dict(hidden),
            hidden_firing=hidden_firing,
            new_count=new_count,
            expired_overlays=frozenset(expired),
        )

    def _reuse_groups(self, rows: list[Row]) -> list[Row]:
        """Group headers equal to the last build's are the same objects (nothing to repaint)."""
        groups: dict[str, GroupRow] = {}
        out: list[Row] = []
        for row in rows:
            if isinstance(row, GroupRow):
                old = self._groups.get(row.key)
                row = old if old == row else row
                groups[row.key] = row
            out.append(row)
        self._groups = groups
        return out


@dataclass
class ViewSeed:
    """A view of the alerts built before the alerts screen first mounts (by the app's feed,
    on the reader thread, whenever a load brings news), so that key 2 only has to show it.

    The screen takes the seed when it mounts: its ``builder`` from then on (the rows it made
    are the table's), its ``options`` (``initial_options``), and ``view`` when it is the
    latest (``pending`` False: no newer build queued or running).
    """

    builder: ViewBuilder
    options: ViewOptions
    view: AlertsView | None = None
    status: object = None  # the status bar's Freshness, read with the view
    pending: bool = False


_SortKey = tuple[int, float, str]  # worst first, then newest; the fingerprint decides ties
_first = operator.itemgetter(0)
_SEVERITIES: dict[str | None, Severity] = {}  # severity label value -> Severity, memoised


def _severity_of(alert: Alert) -> Severity:
    """``alert.severity`` through a memo (a storm holds a handful of severity words)."""
    label = alert.labels.get("severity")
    found = _SEVERITIES.get(label)
    if found is None:
        if len(_SEVERITIES) >= 256:
            _SEVERITIES.clear()
        found = _SEVERITIES[label] = Severity.from_label(label)
    return found


_AGES: dict[int, str] = {}  # whole minutes -> coarse_age's text, memoised


def _age(seconds: float | None) -> str:
    """``coarse_age`` of ``seconds`` (negative counts as 0), looked up by the minute: what
    it says is a function of the whole minutes."""
    if seconds is None:
        return coarse_age(None)
    minutes = int(seconds // 60) if seconds > 0 else 0
    found = _AGES.get(minutes)
    if found is None:
        if len(_AGES) >= 4096:
            _AGES.clear()
        found = _AGES[minutes] = coarse_age(minutes * 60.0)
    return found


def _hiding_toggles(options: ViewOptions) -> dict[AlertState, str]:
    """Each state the toggles hide, with the reason counted (``_hidden_by_toggle``)."""
    return {state: reason for state in AlertState if (reason := _hidden_by_toggle(state, options))}


def _grouped(rows: list[AlertRow], options: ViewOptions) -> list[Row]:
    """Rows under group headers, groups ordered by their worst alert (rows are sorted).

    A group of one alert gets no header: the alert's own row says everything the header
    would, and at 80x24 headers over single rows would halve what fits on the screen. A
    folded group keeps its header, which still counts its firing alerts.
    """
    label = options.group_by
    if not label:
        return list(rows)
    groups: dict[str, list[AlertRow]] = {}
    for row in rows:  # dicts keep insertion order: the group of the worst alert comes first
        groups.setdefault(row.alert.labels.get(label, ""), []).append(row)
    out: list[Row] = []
    for value, members in groups.items():
        if len(members) == 1:
            out.append(members[0])
            continue
        firing = sum(1 for r in members if r.state is AlertState.FIRING)
        collapsed = value in options.collapsed
        out.append(
            GroupRow(
                key=GROUP_PREFIX + value,
                label=label,
                value=value,
                total=len(members),
                firing=firing,
                worst=members[0].alert.severity,
                collapsed=collapsed,
            )
        )
        if not collapsed:
            out.extend(members)
    return out


def label_names(alerts: Iterable[Alert]) -> list[str]:
    """Label names seen, most common first (the group-by prompt's choices)."""
    seen: Counter[str] = Counter()
    for alert in alerts:
        seen.update(alert.labels.keys())
    return [name for name, _ in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))]
