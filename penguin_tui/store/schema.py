"""The cache's schema, its version and the migrations that bring an older cache up to date.

The version lives in ``PRAGMA user_version``; ``PRAGMA application_id`` marks the file as ours
so that a SQLite file belonging to some other program is refused instead of "upgraded".

Migrations run in order, each in the same ``BEGIN IMMEDIATE`` transaction as the version bump,
so a crash halfway leaves the cache at the old version and the next open simply retries. A fresh
cache goes through the same chain as an old one: the upgrade path is exercised on every install.

Layout, and why it is shaped like this:

- ``samples`` is a WITHOUT ROWID table keyed ``(series_id, ts)``: one b-tree, no separate
  rowid index, a small integer series id instead of the key text and integer epoch seconds.
  A raw sample costs about 23 bytes on disk with arbitrary float values (bench/bench_ingest.py)
  and less for integral values, which SQLite stores as small integers even in a REAL column.
- ``rollup_minute`` / ``rollup_hour`` keep min, max, sum and count per bucket (avg = sum/count,
  and sums of counts weight averages correctly when buckets are combined).
- ``meta`` holds the maintenance watermarks (see ``penguin_tui.store.maintain``) and the alert
  stream's revision counter and per-source bookkeeping (see ``penguin_tui.store.alerts``).
- ``alerts`` (version 3) is an ordinary rowid table with a unique fingerprint index, not WITHOUT
  ROWID: a row carries labels and annotations as JSON (often more than a kilobyte), and SQLite's
  own guidance is that WITHOUT ROWID pays only for rows well under a twentieth of a page. The
  small, key-addressed tables (``alert_sources``, ``silences``) are WITHOUT ROWID.
- ``vault_audit`` (version 5) records every reveal and copy of a Vault secret's key by the
  secret browser: who, where, which Vault, path, key and version. It has no column for a value.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from penguin_tui.errors import CacheError

SCHEMA_VERSION = 5
APPLICATION_ID = 0x50475549  # "PGUI"


def _database(conn: sqlite3.Connection):  # -> sqlite_utils.Database
    # sqlite-utils costs ~60 ms to import; only a migration needs it, so a reader of an
    # up-to-date cache never pays for it.
    import sqlite_utils

    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


def _v1(conn: sqlite3.Connection) -> None:
    """The first schema: series, raw samples, rollups, item descriptions, states, events."""
    db = _database(conn)
    db.create_table("meta", {"key": str, "value": str}, pk="key")
    db.create_table("series", {"id": int, "key": str}, pk="id", not_null=["key"])
    db.table("series").create_index(["key"], unique=True)
    conn.execute(
        "CREATE TABLE samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL,"
        " PRIMARY KEY (series_id, ts)) WITHOUT ROWID"
    )
    for tier in ("rollup_minute", "rollup_hour"):
        conn.execute(
            f"CREATE TABLE {tier} (series_id INTEGER NOT NULL, ts INTEGER NOT NULL,"
            " min REAL, max REAL, sum REAL, count INTEGER NOT NULL,"
            " PRIMARY KEY (series_id, ts)) WITHOUT ROWID"
        )
    db.create_table(
        "items",
        {
            "key": str,
            "kind": str,
            "section": str,
            "name": str,
            "unit": str,
            "interval_s": float,
            "warn": float,
            "crit": float,
            "direction": str,
            "position": int,
        },
        pk="key",
    )
    db.create_table(
        "states",
        {
            "key": str,
            "status": str,
            "since": float,
            "checked_at": float,
            "value": float,
            "reason": str,
        },
        pk="key",
    )
    db.create_table(
        "events",
        {
            "id": int,
            "ts": float,
            "key": str,
            "kind": str,
            "old": str,
            "new": str,
            "value": float,
            "reason": str,
        },
        pk="id",
    )
    db.table("events").create_index(["ts"])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _v2(conn: sqlite3.Connection) -> None:
    """Check detail and sign-offs: condition results on states, failure reasons, sign-offs."""
    db = _database(conn)
    db.table("states").add_column("conditions", str)
    db.create_table(
        "failures", {"id": int, "key": str, "ts": int, "reason": str}, pk="id", not_null=["key"]
    )
    db.table("failures").create_index(["key", "ts"])
    db.table("failures").create_index(["ts"])
    db.create_table(
        "signoffs",
        {
            "id": int,
            "ts": float,
            "user": str,
            "host": str,
            "status": str,
            "note": str,
            "not_ok": str,
        },
        pk="id",
    )
    db.table("signoffs").create_index(["ts"])


_V3_SQL = (
    # ``rev`` is the alerts_rev of the last write of the row: a console asks for rev > n.
    # ``state`` is the derived AlertState at that write (what change rows compare against and
    # what firing_counts counts); ``severity`` is Severity as an integer, for the same reason.
    "CREATE TABLE alerts (fingerprint TEXT NOT NULL UNIQUE, source TEXT NOT NULL,"
    " labels TEXT NOT NULL, annotations TEXT, starts_at REAL, ends_at REAL, updated_at REAL,"
    " generator_url TEXT, receivers TEXT, am_state TEXT, silenced_by TEXT, inhibited_by TEXT,"
    " muted_by TEXT, origins TEXT, severity INTEGER NOT NULL, first_seen REAL NOT NULL,"
    " last_seen REAL, resolved_at REAL, state TEXT NOT NULL, rev INTEGER NOT NULL)",
    "CREATE INDEX alerts_rev ON alerts (rev)",
    # Partial: active alerts (most writes, all of a storm's inserts) carry no entry; pruning's
    # "resolved_at < ?" implies NOT NULL, so it still uses it.
    "CREATE INDEX alerts_resolved ON alerts (resolved_at) WHERE resolved_at IS NOT NULL",
    # Covering index: firing_counts (every screen's status bar) never touches the rows.
    "CREATE INDEX alerts_state ON alerts (state, severity)",
    "CREATE TABLE alert_changes (id INTEGER PRIMARY KEY, ts REAL NOT NULL,"
    " fingerprint TEXT NOT NULL, old TEXT, new TEXT NOT NULL, detail TEXT)",
    "CREATE INDEX alert_changes_fp ON alert_changes (fingerprint, ts)",
    "CREATE INDEX alert_changes_ts ON alert_changes (ts)",
    "CREATE TABLE alert_sources (name TEXT PRIMARY KEY, ok INTEGER NOT NULL,"
    " checked_at REAL NOT NULL, error TEXT, down_since REAL, version TEXT, cluster TEXT,"
    " last_ok REAL) WITHOUT ROWID",
    "CREATE TABLE silences (id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts_at REAL,"
    " ends_at REAL, created_by TEXT, comment TEXT, state TEXT, updated_at REAL, origin TEXT)"
    " WITHOUT ROWID",
    "CREATE TABLE local_acks (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL,"
    " user TEXT, ts REAL NOT NULL, until REAL NOT NULL, comment TEXT)",
    "CREATE INDEX local_acks_until ON local_acks (until)",
    # starts_at/ends_at rather than start/end: END is an SQL keyword.
    "CREATE TABLE maintenance (id INTEGER PRIMARY KEY, starts_at REAL NOT NULL,"
    " ends_at REAL NOT NULL, reason TEXT, author TEXT, matchers TEXT, services TEXT,"
    " silence_id TEXT, cancelled_at REAL)",
    "CREATE INDEX maintenance_ends ON maintenance (ends_at)",
)


def _v3(conn: sqlite3.Connection) -> None:
    """The alert stream: alerts and their history, sources, silences, local acks, maintenance."""
    for statement in _V3_SQL:
        conn.execute(statement)


def _v4(conn: sqlite3.Connection) -> None:
    """Incidents: the append-only timeline and each incident's folded snapshot."""
    from penguin_tui.store.incidents import create_tables

    create_tables(conn)


def _v5(conn: sqlite3.Connection) -> None:
    """The secret browser's audit trail: who revealed or copied which key (never a value)."""
    from penguin_tui.store.vault_audit import create_tables

    create_tables(conn)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _v1,
    2: _v2,
    3: _v3,
    4: _v4,
    5: _v5,
}


def version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the file (0 for a new, empty database)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_ours(conn: sqlite3.Connection, path: str) -> None:
    """Refuse a SQLite file that some other program owns, before anything writes to it."""
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    if app_id not in (0, APPLICATION_ID):
        raise CacheError(
            f"{path}: this SQLite file belongs to another program (application_id {app_id:#x}), "
            "not a penguin-tui cache; it was left untouched. Use another --cache."
        )
    if app_id == 0 and version(conn) == 0:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        if tables:
            shown = ", ".join(sorted(tables)[:5])
            raise CacheError(
                f"{path}: this SQLite file is not a penguin-tui cache (it has tables {shown}); "
                "it was left untouched. Use another --cache."
            )


def check_not_newer(conn: sqlite3.Connection, path: str) -> int:
    """The file's version; a cache from a newer penguin-tui is refused, never downgraded."""
    found = version(conn)
    if found > SCHEMA_VERSION:
        raise CacheError(
            f"{path}: the cache was written by a newer penguin-tui (schema version {found}; "
            f"this program knows up to {SCHEMA_VERSION}). Upgrade penguin-tui, or use another "
            "--cache; the file was left untouched."
        )
    return found


def migrate(conn: sqlite3.Connection, path: str) -> int:
    """Bring the schema up to SCHEMA_VERSION in place; return the version found before.

    ``conn`` must be in autocommit mode (isolation_level=None): the transaction is ours.
    """
    if check_not_newer(conn, path) == SCHEMA_VERSION:
        return SCHEMA_VERSION
    # IMMEDIATE takes the write lock first, so of two processes opening an old cache at once
    # one migrates and the other, after waiting, sees the new version and does nothing.
    conn.execute("BEGIN IMMEDIATE")
    try:
        check_ours(conn, path)
        found = check_not_newer(conn, path)
        for target in range(found + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[target](conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
