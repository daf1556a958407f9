"""The cache's story tables: events, failure reasons and sign-offs (reads, and sign-off writes).

Functions take a connection and run inside whatever the Store set up (its lock, and for
``add_signoff`` its write transaction).
"""

from __future__ import annotations

import json
import sqlite3

from penguin_tui.model import Event, EventKind, SignOff, Status
from penguin_tui.store.listing import listing_sql
from penguin_tui.text import sanitize


def status(text: str | None) -> Status | None:
    """A stored status; one this program doesn't know (a newer writer's) reads as UNKNOWN."""
    if text is None:
        return None
    try:
        return Status(text)
    except ValueError:
        return Status.UNKNOWN


def events(
    conn: sqlite3.Connection,
    since: float,
    until: float | None,
    keys: list[str] | None,
    limit: int | None,
) -> list[Event]:
    """Events in ``[since, until]``, optionally for some keys only, newest first."""
    sql = "SELECT ts, key, kind, old, new, value, reason FROM events WHERE ts >= ?"
    params: list[object] = [since]
    if until is not None:
        sql += " AND ts <= ?"
        params.append(until)
    if keys is not None:
        # One JSON parameter instead of a variable number of placeholders.
        sql += " AND key IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(keys))
    sql += " ORDER BY ts DESC, id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    out = []
    for ts, key, kind, old, new, value, reason in conn.execute(sql, params):
        try:
            kind = EventKind(kind)
        except ValueError:
            continue  # a kind from a newer program: not ours to interpret
        out.append(Event(ts, key, kind, status(old), status(new), value, reason or ""))
    return out


def failures(conn: sqlite3.Connection, key: str, limit: int) -> list[tuple[float, str]]:
    """``(ts, reason)`` of an item's latest failed probes, newest first."""
    rows = conn.execute(
        "SELECT ts, reason FROM failures WHERE key = ? ORDER BY ts DESC, id DESC LIMIT ?",
        (key, int(limit)),
    )
    return [(float(ts), reason) for ts, reason in rows]


def add_signoff(conn: sqlite3.Connection, signoff: SignOff) -> int:
    """Insert a sign-off (operator text sanitized); returns its id."""
    cur = conn.execute(
        "INSERT INTO signoffs (ts, user, host, status, note, not_ok) VALUES (?, ?, ?, ?, ?, ?)",
        (
            signoff.ts,
            sanitize(signoff.user, max_len=100, single_line=True),
            sanitize(signoff.host, max_len=255, single_line=True),
            str(signoff.status),
            sanitize(signoff.note, max_len=4000),
            json.dumps(
                [sanitize(line, max_len=600, single_line=True) for line in signoff.not_ok],
                ensure_ascii=False,
            ),
        ),
    )
    return int(cur.lastrowid)


def signoffs(conn: sqlite3.Connection, since: float | None, limit: int | None) -> list[SignOff]:
    """Sign-offs, newest first."""
    sql, params = listing_sql(
        "SELECT id, ts, user, host, status, note, not_ok FROM signoffs",
        "ts",
        "ts DESC, id DESC",
        since,
        limit,
    )
    return [
        SignOff(
            ts,
            user,
            host,
            status(state) or Status.UNKNOWN,
            note or "",
            tuple(json.loads(not_ok or "[]")),
            sid,
        )
        for sid, ts, user, host, state, note, not_ok in conn.execute(sql, params)
    ]
