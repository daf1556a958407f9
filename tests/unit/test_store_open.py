"""Opening the cache: permissions, WAL, schema versions and migrations, files we must not touch."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from penguin_tui.errors import CacheError
from penguin_tui.model import (
    Batch,
    ConditionResult,
    ItemInfo,
    ItemKind,
    Reading,
    Sample,
    SignOff,
    Status,
)
from penguin_tui.store import SCHEMA_VERSION, Store
from penguin_tui.store.schema import APPLICATION_ID

T0 = 1_700_000_000


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_cache_is_private_wal_and_current(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "cache.db"
    store = Store.open(path)
    try:
        store.write(Batch(samples=[Sample("metric:x", T0, 1.5)]))
        assert _mode(path.parent) == 0o700
        assert _mode(path) == 0o600
        # SQLite gives the -wal and -shm files the database's mode: nothing readable by others.
        assert _mode(Path(f"{path}-wal")) == 0o600
        assert _mode(Path(f"{path}-shm")) == 0o600
    finally:
        store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_umask_does_not_widen_permissions(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        Store.open(tmp_path / "d" / "c.db").close()
    finally:
        os.umask(old)
    assert _mode(tmp_path / "d") == 0o700
    assert _mode(tmp_path / "d" / "c.db") == 0o600


def test_empty_file_becomes_a_cache(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    path.touch()
    with Store.open(path) as store:
        store.write(Batch(samples=[Sample("k", T0, 2.0)]))
        assert store.points("k", T0 - 1, T0 + 1) == [(T0, 2.0)]


def test_missing_cache_without_create_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CacheError, match=r"c\.db: no cache here"):
        Store.open(tmp_path / "c.db", create=False)
    assert not (tmp_path / "c.db").exists()


def test_not_a_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("my precious notes, not a database\n")
    before = _digest(path)
    with pytest.raises(CacheError) as err:
        Store.open(path)
    assert str(path) in str(err.value) and "not a SQLite database" in str(err.value)
    assert _digest(path) == before
    assert not Path(f"{path}-wal").exists()


def test_corrupt_cache_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Store.open(path) as store:
        store.write(
            Batch(samples=[Sample(f"k{i}", T0 + j, j) for i in range(40) for j in range(50)])
        )
    data = path.read_bytes()
    # Keep the 100-byte header (so it still looks like SQLite), trash the schema page.
    path.write_bytes(data[:100] + b"\xab" * 3996 + data[4096:])
    before = _digest(path)
    with pytest.raises(CacheError, match="corrupt") as err:
        Store.open(path)
    assert str(path) in str(err.value)
    assert _digest(path) == before


def test_corruption_found_while_reading_is_a_cache_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Store.open(path) as store:
        store.write(
            Batch(samples=[Sample(f"k{i}", T0 + j, j + 0.5) for i in range(5) for j in range(3000)])
        )
        pages = path.stat().st_size // 4096
    data = bytearray(path.read_bytes())
    # Trash the second half of the file: sample pages, not the schema.
    half = (pages // 2) * 4096
    data[half:] = b"\xcd" * (len(data) - half)
    path.write_bytes(bytes(data))
    with pytest.raises(CacheError, match="corrupt"), Store.open(path) as store:
        for i in range(5):
            store.points(f"k{i}", T0, T0 + 3000, max_points=10)


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(CacheError, match="not a penguin-tui cache") as err:
        Store.open(path)
    assert "invoices" in str(err.value)
    assert _digest(path) == before  # in particular: not switched to WAL


def test_newer_schema_is_refused_with_versions_named(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(CacheError) as err:
        Store.open(path)
    message = str(err.value)
    assert str(path) in message and "newer penguin-tui" in message
    assert f"version {SCHEMA_VERSION + 5}" in message and f"up to {SCHEMA_VERSION}" in message
    assert _digest(path) == before


# The schema as version 1 shipped it, written out by hand (not by calling the migration).
V1_SCHEMA = """
CREATE TABLE [meta] ([key] TEXT PRIMARY KEY, [value] TEXT);
CREATE TABLE [series] ([id] INTEGER PRIMARY KEY, [key] TEXT NOT NULL);
CREATE UNIQUE INDEX [idx_series_key] ON [series] ([key]);
CREATE TABLE samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL,
    PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
CREATE TABLE rollup_minute (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, min REAL, max REAL,
    sum REAL, count INTEGER NOT NULL, PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
CREATE TABLE rollup_hour (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, min REAL, max REAL,
    sum REAL, count INTEGER NOT NULL, PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
CREATE TABLE [items] ([key] TEXT PRIMARY KEY, [kind] TEXT, [section] TEXT, [name] TEXT,
    [unit] TEXT, [interval_s] FLOAT, [warn] FLOAT, [crit] FLOAT, [direction] TEXT,
    [position] INTEGER);
CREATE TABLE [states] ([key] TEXT PRIMARY KEY, [status] TEXT, [since] FLOAT,
    [checked_at] FLOAT, [value] FLOAT, [reason] TEXT);
CREATE TABLE [events] ([id] INTEGER PRIMARY KEY, [ts] FLOAT, [key] TEXT, [kind] TEXT,
    [old] TEXT, [new] TEXT, [value] FLOAT, [reason] TEXT);
CREATE INDEX [idx_events_ts] ON [events] ([ts]);
"""


def _make_v1_cache(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.execute("INSERT INTO series (id, key) VALUES (1, 'check:api'), (2, 'check:api:up')")
    conn.executemany(
        "INSERT INTO samples VALUES (?, ?, ?)",
        [(1, T0 + 15 * i, 100.0 + i) for i in range(10)]
        + [(2, T0 + 15 * i, 1.0 if i % 5 else 0.0) for i in range(10)],
    )
    conn.execute(
        "INSERT INTO items VALUES ('check:api', 'check', 'Services', 'api', 'ms', 30, NULL, NULL,"
        " 'above', 0)"
    )
    conn.execute(
        "INSERT INTO states VALUES ('check:api', 'CRIT', ?, ?, 250.0, 'HTTP 503')", (T0, T0 + 135)
    )
    conn.execute(
        "INSERT INTO events (ts, key, kind, old, new, value, reason)"
        " VALUES (?, 'check:api', 'state', 'OK', 'CRIT', 250.0, 'HTTP 503')",
        (T0 + 60,),
    )
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_version_1_cache_is_upgraded_in_place_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _make_v1_cache(path)
    with Store.open(path) as store:
        # Data written under version 1 reads back unchanged.
        assert store.points("check:api", T0, T0 + 200) == [
            (float(T0 + 15 * i), 100.0 + i) for i in range(10)
        ]
        assert store.uptime("check:api", T0, T0 + 200) == pytest.approx(0.8)
        state = store.states()["check:api"]
        assert (state.status, state.since, state.reason) == (Status.CRIT, T0, "HTTP 503")
        assert state.conditions == ()
        assert [i.name for i in store.items()] == ["api"]
        assert [e.reason for e in store.events(0)] == ["HTTP 503"]
        # And what version 2 added works on the upgraded file.
        cond = (ConditionResult("[STATUS] == 200", False, "503"),)
        store.write(
            Batch(
                readings=[
                    Reading("check:api", T0 + 150, Status.CRIT, 240.0, "HTTP 503", False, cond)
                ]
            )
        )
        assert store.states()["check:api"].conditions == cond
        assert store.states()["check:api"].since == T0
        assert store.failures("check:api") == [(T0 + 150, "HTTP 503")]
        assert store.add_signoff(SignOff(T0 + 200, "ana", "bastion", Status.CRIT)) == 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_read_only_open_does_not_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _make_v1_cache(path)
    before = _digest(path)
    with pytest.raises(CacheError, match="needs an upgrade"):
        Store.open(path, readonly=True)
    assert _digest(path) == before


def test_read_only_store_reads_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Store.open(path) as store:
        store.write(Batch(samples=[Sample("k", T0, 3.0)]))
    with Store.open(path, readonly=True) as reader:
        assert reader.points("k", T0, T0) == [(T0, 3.0)]
        with pytest.raises(CacheError, match="read-only"):
            reader.write(Batch(samples=[Sample("k", T0 + 1, 4.0)]))
        with pytest.raises(CacheError, match="read-only"):
            reader.acquire_writer()


def test_full_disk_is_a_clear_error_and_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = Store.open(path)
    try:
        store.sync_items([ItemInfo("metric:q", ItemKind.METRIC, "API", "q")])
        store.write(Batch(samples=[Sample("metric:q", T0, 1.0)]))
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        # SQLite's own size cap makes it answer exactly as on a full disk (SQLITE_FULL).
        store._conn.execute(f"PRAGMA max_page_count = {pages + 1}")
        big = Batch(
            samples=[Sample(f"metric:s{i}", T0 + j, j * 1.1) for i in range(50) for j in range(100)]
        )
        with pytest.raises(CacheError) as err:
            store.write(big)
        assert str(path) in str(err.value) and "disk holding the cache is full" in str(err.value)
        assert store.points("metric:q", T0, T0) == [(T0, 1.0)]
        assert store.points("metric:s1", T0, T0 + 100) == []  # the batch is all or nothing
    finally:
        store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


_UNWRITABLE_CHILD = textwrap.dedent(
    """
    import os, sys
    import sqlite_utils  # imported while still able to read the interpreter's files
    from penguin_tui.errors import CacheError
    from penguin_tui.store import Store
    if os.getuid() == 0:
        os.setgid(65534)
        os.setuid(65534)  # root ignores permissions: try as nobody
    try:
        Store.open(sys.argv[1])
    except CacheError as exc:
        print(exc)
        sys.exit(0)
    sys.exit("opened a cache in an unwritable directory")
    """
)


def test_unwritable_directory_is_a_clear_error() -> None:
    # pytest's tmp tree is private to root; "nobody" needs a place it can reach.
    base = Path(tempfile.mkdtemp(prefix="penguin-store-", dir="/tmp"))
    try:
        base.chmod(0o755)
        ro = base / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        target = ro / "penguin-tui" / "cache.db"
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
        out = subprocess.run(
            [sys.executable, "-c", _UNWRITABLE_CHILD, str(target)],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
            cwd=base,
        )
        assert out.returncode == 0, out.stderr
        assert str(target) in out.stdout and "cannot create the cache" in out.stdout
        assert "Traceback" not in out.stdout + out.stderr
        assert not (ro / "penguin-tui").exists()
    finally:
        shutil.rmtree(base)


def test_memory_store_works_like_a_file(tmp_path: Path) -> None:
    with Store.memory() as store:
        assert store.path == ":memory:"
        store.write(Batch(samples=[Sample("k", T0, 5.0)]))
        assert store.points("k", T0, T0) == [(T0, 5.0)]
        assert store.size_bytes() > 0
        assert store.writer() is None
        store.acquire_writer("console")
        assert store.writer().role == "console"
    assert Store.open(":memory:").path == ":memory:"


def test_reading_a_current_cache_imports_nothing_heavy(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    Store.open(path).close()
    code = textwrap.dedent(
        f"""
        import sys
        from penguin_tui.store import Store
        with Store.open({str(path)!r}) as store:
            store.states(); store.points("k", 0, 1)
        heavy = {{"sqlite_utils", "textual", "httpx", "psutil", "prometheus_client"}}
        print(sorted(heavy & set(sys.modules)))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    # sqlite-utils (~60 ms to import) is only needed to create or migrate a schema.
    assert out.stdout.strip() == "[]"
