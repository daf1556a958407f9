"""Incidents in the cache: the append-only timeline and a snapshot of each incident's fold.

``incident_entries`` is the truth; ``incidents`` holds the fold of each incident's entries (as
JSON) so that a list of 2,000 incidents is one query, not 2,000 replays. Both change in one
write transaction, and an entry is validated against the snapshot *inside* that transaction
(``BEGIN IMMEDIATE`` holds the write lock): of two operators changing the status at the same
moment, the second sees the first's change and gets a clear refusal instead of a lost update.

Functions take a connection and run inside whatever the Store set up.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable

from penguin_tui.alerts.model import Severity
from penguin_tui.incidents.model import (
    Entry,
    EntryType,
    Incident,
    IncidentError,
    IncidentStatus,
    apply_entry,
    fold,
)
from penguin_tui.store.listing import listing_sql

_JSON = {"separators": (",", ":")}


def create_tables(conn: sqlite3.Connection) -> None:
    """Schema for incidents (part of a migration: runs inside its transaction)."""
    conn.execute(
        "CREATE TABLE incidents (id TEXT PRIMARY KEY, day TEXT NOT NULL, seq INTEGER NOT NULL,"
        " status TEXT NOT NULL, severity INTEGER NOT NULL, declared_at REAL NOT NULL,"
        " updated_at REAL NOT NULL, snapshot TEXT NOT NULL)"
    )
    conn.execute("CREATE UNIQUE INDEX incidents_day_seq ON incidents (day, seq)")
    conn.execute("CREATE INDEX incidents_updated ON incidents (updated_at)")
    conn.execute(
        "CREATE TABLE incident_entries (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " incident_id TEXT NOT NULL, ts REAL NOT NULL, author TEXT NOT NULL, host TEXT,"
        " type TEXT NOT NULL, text TEXT, data TEXT, refers_to INTEGER)"
    )
    conn.execute("CREATE INDEX incident_entries_incident ON incident_entries (incident_id, id)")
    conn.execute("CREATE INDEX incident_entries_ts ON incident_entries (ts)")
    # Which open incidents an alert is linked to: the recorder looks this up per alert change.
    conn.execute(
        "CREATE TABLE incident_alerts (fingerprint TEXT NOT NULL, incident_id TEXT NOT NULL,"
        " PRIMARY KEY (fingerprint, incident_id)) WITHOUT ROWID"
    )


# ------------------------------------------------------------------------- (de)serialising


def _snapshot(inc: Incident) -> str:
    return json.dumps(
        {
            "id": inc.id,
            "title": inc.title,
            "severity": inc.severity.name,
            "status": inc.status.value,
            "declared_at": inc.declared_at,
            "declared_by": inc.declared_by,
            "summary": inc.summary,
            "impact": inc.impact,
            "services": list(inc.services),
            "roles": dict(inc.roles),
            "milestones": dict(inc.milestones),
            "alerts": list(inc.alerts),
            "pinned": list(inc.pinned),
            "last_update_at": inc.last_update_at,
            "updated_at": inc.updated_at,
            "entries": inc.entries,
        },
        **_JSON,
    )


def _incident(text: str) -> Incident:
    d = json.loads(text)
    return Incident(
        id=d["id"],
        title=d["title"],
        severity=Severity[d["severity"]],
        status=IncidentStatus(d["status"]),
        declared_at=d["declared_at"],
        declared_by=d["declared_by"],
        summary=d.get("summary", ""),
        impact=d.get("impact", ""),
        services=tuple(d.get("services", ())),
        roles=d.get("roles", {}),
        milestones=d.get("milestones", {}),
        alerts=tuple(d.get("alerts", ())),
        pinned=tuple(d.get("pinned", ())),
        last_update_at=d.get("last_update_at"),
        updated_at=d.get("updated_at", d["declared_at"]),
        entries=d.get("entries", 1),
    )


def _entry(row: tuple) -> Entry:
    id_, incident_id, ts, author, host, type_, text, data, refers_to = row
    try:
        kind = EntryType(type_)
    except ValueError:
        kind = EntryType.NOTE  # a type from a newer program: still part of the story
    return Entry(
        incident_id, ts, author, kind, text or "", json.loads(data) if data else {}, refers_to,
        host or "", id_,
    )  # fmt: skip


_ENTRY_COLUMNS = "id, incident_id, ts, author, host, type, text, data, refers_to"


def _insert(conn: sqlite3.Connection, entry: Entry, incident_id: str) -> int:
    cur = conn.execute(
        "INSERT INTO incident_entries (incident_id, ts, author, host, type, text, data, refers_to)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (incident_id, entry.ts, entry.author, entry.host, entry.type.value, entry.text,
         json.dumps(dict(entry.data), **_JSON) if entry.data else None, entry.refers_to),
    )  # fmt: skip
    return int(cur.lastrowid or 0)


def _save(conn: sqlite3.Connection, inc: Incident) -> None:
    conn.execute(
        "UPDATE incidents SET status = ?, severity = ?, updated_at = ?, snapshot = ? WHERE id = ?",
        (inc.status.value, int(inc.severity), inc.updated_at, _snapshot(inc), inc.id),
    )


def _with_id(entry: Entry, incident_id: str, entry_id: int) -> Entry:
    return Entry(incident_id, entry.ts, entry.author, entry.type, entry.text, entry.data,
                 entry.refers_to, entry.host, entry_id)  # fmt: skip


# ------------------------------------------------------------------------------- writes


def declare(conn: sqlite3.Connection, entry: Entry) -> Incident:
    """Give the DECLARED ``entry`` the next id of its day (``INC-2026-11-21-3``) and store it."""
    if entry.type is not EntryType.DECLARED:
        raise IncidentError("an incident starts with a 'declared' entry")
    day = time.strftime("%Y-%m-%d", time.localtime(entry.ts))
    (seq,) = conn.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM incidents WHERE day = ?", (day,)
    ).fetchone()
    incident_id = f"INC-{day}-{seq}"
    entry_id = _insert(conn, entry, incident_id)
    inc = fold([_with_id(entry, incident_id, entry_id)])
    conn.execute(
        "INSERT INTO incidents (id, day, seq, status, severity, declared_at, updated_at, snapshot)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (incident_id, day, seq, inc.status.value, int(inc.severity), inc.declared_at,
         inc.updated_at, _snapshot(inc)),
    )  # fmt: skip
    for fp in inc.alerts:
        conn.execute("INSERT OR IGNORE INTO incident_alerts VALUES (?, ?)", (fp, incident_id))
    return inc


def append(
    conn: sqlite3.Connection, incident_id: str, build: Callable[[Incident], Entry]
) -> tuple[Incident, Entry]:
    """Append the entry ``build(current incident)`` returns; IncidentError passes through."""
    current = incident(conn, incident_id)
    if current is None:
        raise IncidentError(f"no incident {incident_id!r}")
    entry = build(current)
    entry_id = _insert(conn, entry, incident_id)
    stored = _with_id(entry, incident_id, entry_id)
    updated = apply_entry(current, stored)
    _save(conn, updated)
    if stored.type is EntryType.ALERT_LINKED:
        conn.execute(
            "INSERT OR IGNORE INTO incident_alerts VALUES (?, ?)",
            (stored.data["fingerprint"], incident_id),
        )
    elif stored.type is EntryType.ALERT_UNLINKED:
        conn.execute(
            "DELETE FROM incident_alerts WHERE fingerprint = ? AND incident_id = ?",
            (stored.data["fingerprint"], incident_id),
        )
    return updated, stored


def linked_open_incidents(
    conn: sqlite3.Connection, fingerprints: Iterable[str]
) -> dict[str, list[str]]:
    """Open incidents each of ``fingerprints`` is linked to (fingerprint -> incident ids)."""
    found: dict[str, list[str]] = {}
    rows = conn.execute(
        "SELECT a.fingerprint, a.incident_id FROM incident_alerts a JOIN incidents i"
        " ON i.id = a.incident_id WHERE i.status NOT IN ('Resolved', 'Closed')"
        " AND a.fingerprint IN (SELECT value FROM json_each(?))",
        (json.dumps(list(fingerprints)),),
    )
    for fp, incident_id in rows:
        found.setdefault(fp, []).append(incident_id)
    return found


# -------------------------------------------------------------------------------- reads


def incident(conn: sqlite3.Connection, incident_id: str) -> Incident | None:
    row = conn.execute("SELECT snapshot FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    return None if row is None else _incident(row[0])


def incidents(
    conn: sqlite3.Connection, *, since: float | None = None, limit: int | None = None
) -> list[Incident]:
    """Incidents, open ones first, then by severity (worst first), then newest first.

    ``since``: only those updated at or after it (the overnight window).
    """
    sql, params = listing_sql(
        "SELECT snapshot FROM incidents",
        "updated_at",
        "status IN ('Resolved', 'Closed'), severity DESC, declared_at DESC",
        since,
        limit,
    )
    return [_incident(r[0]) for r in conn.execute(sql, params)]


def entries(conn: sqlite3.Connection, incident_id: str, after_id: int = 0) -> list[Entry]:
    """The incident's timeline, oldest first; ``after_id`` returns only newer entries."""
    rows = conn.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM incident_entries WHERE incident_id = ? AND id > ?"
        " ORDER BY id",
        (incident_id, after_id),
    )
    return [_entry(r) for r in rows]


def newest_entry_id(conn: sqlite3.Connection) -> int:
    """The newest entry id in the cache: consoles poll it to notice others' writes."""
    (found,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM incident_entries").fetchone()
    return int(found)
