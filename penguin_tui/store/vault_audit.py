"""The secret browser's audit trail in the cache: one row per reveal or copy, no values.

Functions take a connection and run inside whatever the Store set up.
"""

from __future__ import annotations

import sqlite3

from penguin_tui.store.listing import listing_sql
from penguin_tui.vault.audit import Action, VaultAccess

_COLUMNS = "id, ts, action, user, host, addr, namespace, path, key, version"


def create_tables(conn: sqlite3.Connection) -> None:
    """Schema for the audit trail (part of a migration: runs inside its transaction)."""
    # There is deliberately no column a value could go in.
    conn.execute(
        "CREATE TABLE vault_audit (id INTEGER PRIMARY KEY, ts REAL NOT NULL,"
        " action TEXT NOT NULL, user TEXT NOT NULL, host TEXT NOT NULL, addr TEXT NOT NULL,"
        " namespace TEXT NOT NULL DEFAULT '', path TEXT NOT NULL, key TEXT NOT NULL,"
        " version INTEGER)"
    )
    conn.execute("CREATE INDEX vault_audit_ts ON vault_audit (ts)")


def add(conn: sqlite3.Connection, access: VaultAccess) -> int:
    """Insert one record; returns its id."""
    cur = conn.execute(
        "INSERT INTO vault_audit (ts, action, user, host, addr, namespace, path, key, version)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            access.ts,
            access.action.value,
            access.user,
            access.host,
            access.addr,
            access.namespace,
            access.path,
            access.key,
            access.version,
        ),
    )
    return int(cur.lastrowid or 0)


def records(
    conn: sqlite3.Connection, since: float | None = None, limit: int | None = None
) -> list[VaultAccess]:
    """Records at or after ``since``, newest first, at most ``limit``."""
    sql, params = listing_sql(
        f"SELECT {_COLUMNS} FROM vault_audit", "ts", "ts DESC, id DESC", since, limit
    )
    out = []
    for id_, ts, action, user, host, addr, namespace, path, key, version in conn.execute(
        sql, params
    ):
        try:
            kind = Action(action)
        except ValueError:
            continue  # written by a newer program with actions we don't know
        out.append(
            VaultAccess(ts, kind, user, host, addr, namespace or "", path, key, version, id_)
        )
    return out
