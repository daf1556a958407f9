"""Linked alerts write themselves into the timeline: "alert fired" and "alert resolved" entries.

The recorder hands ``AlertEntryWriter.write`` the ``AlertChange`` list that
``Store.record_alerts`` returned. A change into firing or resolved of an alert linked to an
open incident becomes one entry on that incident, by ``penguin-tui``:
``QueueBacklog smtp-relay fired (Critical)``.

Exactly once. Each entry carries its change's key (fingerprint, new state, change time), and
the entry is built inside the append's write transaction after reading the incident's newer
entries, so a change seen twice (a retry, a restart, a catch-up) finds its entry and adds
nothing. Only what happened while the alert was linked and the incident open is part of the
incident's story: an older change, or one while it was resolved, is left out (by catch-up too).

Cheap. Polls with no change into firing or resolved cost nothing; with some, one query finds
the linked open incidents, and it is usually empty. Each incident's timeline is read once per
recorder (then only the entries newer than those read), and only when a linked alert changed.

Restart-safe. ``catch_up`` (at recorder start) writes what a crash between recording an alert
change and writing its entry left out; changes whose entries could not be written (the cache
was busy) are kept and tried again with the next call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from penguin_tui.alerts.model import Alert, AlertChange, AlertState
from penguin_tui.incidents.model import (
    Entry,
    EntryType,
    Incident,
    IncidentError,
    IncidentStatus,
)
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    from penguin_tui.store import Store

AUTHOR = "penguin-tui"
_TYPES = {AlertState.FIRING.value: EntryType.ALERT_FIRED,
          AlertState.RESOLVED.value: EntryType.ALERT_RESOLVED}  # fmt: skip
_VERBS = {AlertState.FIRING.value: "fired", AlertState.RESOLVED.value: "resolved"}
_HISTORY = 100  # catch-up: the newest changes of each linked alert looked at
_PENDING_MAX = 1000  # changes kept for a retry while the cache fails (catch-up covers more)

# What makes a change unique: (fingerprint, new state, change time).
Key = tuple[str, str, float]


def wanted(changes: Iterable[AlertChange]) -> list[AlertChange]:
    """The changes that may become entries: into firing or resolved."""
    return [c for c in changes if c.new in _TYPES]


def entry_text(alert: Alert | None, fingerprint: str, state: str) -> str:
    """``QueueBacklog smtp-relay fired (Critical)``; single-line and capped."""
    verb = _VERBS[state]
    if alert is None:  # pruned from the cache: the fingerprint is all that is left
        return f"alert {fingerprint[:16]} {verb}"
    name = sanitize(alert.alertname or "(no alertname)", single_line=True, max_len=120)
    subject = sanitize(alert.subject, single_line=True, max_len=120)
    who = f"{name} {subject}" if subject else name
    return f"{who} {verb} ({alert.severity.title})"


def _key(entry: Entry) -> Key | None:
    data = entry.data
    if entry.type not in (EntryType.ALERT_FIRED, EntryType.ALERT_RESOLVED):
        return None
    try:
        return data["fingerprint"], data["state"], float(data["change_ts"])
    except (KeyError, ValueError):
        return None  # written by hand or by another program: not one of ours


@dataclass
class _Timeline:
    """What the writer knows of one incident's timeline (read once, then only newer entries)."""

    newest_id: int = 0
    # Changes settled for good: on the timeline, or outside the incident's story.
    settled: set[Key] = field(default_factory=set)
    linked_at: dict[str, float] = field(default_factory=dict)  # fingerprint -> last linked
    closed: list[tuple[float, float]] = field(default_factory=list)  # resolved .. reopened
    closed_since: float | None = None

    def read(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            self.newest_id = max(self.newest_id, entry.id or 0)
            key = _key(entry)
            if key is not None:
                self.settled.add(key)
            elif entry.type is EntryType.ALERT_LINKED:
                self.linked_at[entry.data.get("fingerprint", "")] = entry.ts
            elif entry.type is EntryType.DECLARED:
                for fp in entry.data.get("alerts", "").split(","):
                    if fp:
                        self.linked_at[fp] = entry.ts
            elif entry.type is EntryType.STATUS:
                self._status(entry)

    def _status(self, entry: Entry) -> None:
        try:
            now_open = IncidentStatus(entry.data.get("status", "")).is_open
        except ValueError:
            return
        if not now_open and self.closed_since is None:
            self.closed_since = entry.ts
        elif now_open and self.closed_since is not None:
            self.closed.append((self.closed_since, entry.ts))
            self.closed_since = None

    def belongs(self, fingerprint: str, ts: float) -> bool:
        """Whether a change at ``ts`` happened while the alert was linked and the incident open
        (the incident is open and the alert linked now: the caller checked)."""
        linked_at = self.linked_at.get(fingerprint)
        if linked_at is not None and ts < linked_at:
            return False
        return not any(start <= ts < end for start, end in self.closed)


class _Skip(IncidentError):
    """Nothing to write for this change on this incident (already there, not linked then)."""


class AlertEntryWriter:
    """Writes linked alerts' firing and resolution into their incidents' timelines.

    Runs on the recorder's store thread: every method takes the Store and blocks.
    """

    def __init__(self, host: str = "") -> None:
        if not host:
            from penguin_tui.signoff import current_host

            host = current_host()
        self.host = host
        self._timelines: dict[str, _Timeline] = {}
        self._pending: list[AlertChange] = []  # not written yet (the cache failed): retried

    @property
    def has_pending(self) -> bool:
        """Changes from an earlier call still to be written."""
        return bool(self._pending)

    def write(self, store: Store, changes: Sequence[AlertChange]) -> list[Entry]:
        """Entries for ``changes`` (and any still pending) on the open incidents they link to.

        Returns the entries written. CacheError passes through; the changes are kept and
        tried again on the next call.
        """
        todo = [*self._pending, *wanted(changes)]
        if not todo:
            return []
        self._pending = todo[-_PENDING_MAX:]
        linked = store.linked_open_incidents({c.fingerprint for c in todo})
        written: list[Entry] = []
        if linked:
            alerts: dict[str, Alert | None] = {}
            for change in todo:
                for incident_id in linked.get(change.fingerprint, ()):
                    if change.fingerprint not in alerts:
                        alerts[change.fingerprint] = store.alert(change.fingerprint)
                    entry = self._append(store, incident_id, change, alerts[change.fingerprint])
                    if entry is not None:
                        written.append(entry)
        self._pending = []
        return written

    def catch_up(self, store: Store) -> list[Entry]:
        """Entries missing for changes already recorded (a crash between the two writes).

        Looks at the open incidents with linked alerts and each such alert's newest changes;
        what is already on the timeline, or older than the link, is left alone.
        """
        written: list[Entry] = []
        for incident in open_incidents(store):
            for fp in incident.alerts:  # none for most: no query then
                history = wanted(store.alert_history(fp, limit=_HISTORY))
                if not history:
                    continue
                alert = store.alert(fp)
                for change in history:
                    entry = self._append(store, incident.id, change, alert)
                    if entry is not None:
                        written.append(entry)
        return written

    def _append(
        self, store: Store, incident_id: str, change: AlertChange, alert: Alert | None
    ) -> Entry | None:
        timeline = self._timelines.setdefault(incident_id, _Timeline())
        key: Key = (change.fingerprint, change.new, change.ts)
        if key in timeline.settled:
            return None  # settled before by this recorder: no need to open a transaction

        def build(incident: Incident) -> Entry:
            # Inside the write transaction: what is read here cannot change before the insert.
            timeline.read(store.incident_entries(incident_id, after_id=timeline.newest_id))
            if key in timeline.settled:
                raise _Skip("already on the timeline")
            if not incident.is_open or change.fingerprint not in incident.alerts:
                raise _Skip("not open or not linked now")  # may change: not settled
            if not timeline.belongs(change.fingerprint, change.ts):
                timeline.settled.add(key)  # the past does not change
                raise _Skip("before the link, or while the incident was resolved")
            return self._entry(incident_id, change, alert)

        try:
            _, entry = store.append_incident_entry(incident_id, build)
        except _Skip:
            return None
        except IncidentError:
            return None  # the incident is gone (no such id): nothing to write to
        timeline.settled.add(key)
        timeline.newest_id = max(timeline.newest_id, entry.id or 0)
        return entry

    def _entry(self, incident_id: str, change: AlertChange, alert: Alert | None) -> Entry:
        data = {
            "fingerprint": change.fingerprint,
            "state": change.new,
            "change_ts": repr(float(change.ts)),
        }
        if alert is not None:
            data["alertname"] = alert.alertname
        text = entry_text(alert, change.fingerprint, change.new)
        kind = _TYPES[change.new]
        return Entry(incident_id, change.ts, AUTHOR, kind, text, data, host=self.host)


def open_incidents(store: Store) -> list[Incident]:
    """Every open incident, worst first. The list comes open first: read until a closed one."""
    limit = 64
    while True:
        found = store.incidents(limit=limit)
        open_ones = [i for i in found if i.is_open]
        if len(found) < limit or len(open_ones) < len(found):
            return open_ones
        limit *= 4
