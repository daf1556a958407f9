"""Schema v5: the secret browser's audit trail in the cache (and a v4 cache upgraded to it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from penguin_tui.store import SCHEMA_VERSION, Store
from penguin_tui.store.schema import APPLICATION_ID, MIGRATIONS
from penguin_tui.vault.audit import Action, VaultAccess, record_access
from penguin_tui.vault.settings import Token, VaultSettings

T0 = 1_700_000_000.0


def _access(ts: float, key: str = "password", action: Action = Action.REVEAL) -> VaultAccess:
    return VaultAccess(ts, action, "ann", "bastion-1", "https://vault.example", "ops",
                       "secret/app/db", key, 3)  # fmt: skip


def test_records_read_back_newest_first_with_since_and_limit(tmp_path: Path) -> None:
    with Store.open(tmp_path / "c.db") as store:
        ids = [store.add_vault_audit(_access(T0 + i, f"k{i}")) for i in range(5)]
        assert ids == sorted(ids) and len(set(ids)) == 5
        got = store.vault_audit()
        assert [a.key for a in got] == ["k4", "k3", "k2", "k1", "k0"]
        assert got[0] == VaultAccess(T0 + 4, Action.REVEAL, "ann", "bastion-1",
                                     "https://vault.example", "ops", "secret/app/db", "k4", 3,
                                     ids[4])  # fmt: skip
        assert [a.key for a in store.vault_audit(since=T0 + 3)] == ["k4", "k3"]
        assert [a.key for a in store.vault_audit(limit=2)] == ["k4", "k3"]


def test_the_table_has_no_column_a_value_could_go_in(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(vault_audit)")]
    conn.close()
    assert columns == ["id", "ts", "action", "user", "host", "addr", "namespace", "path", "key",
                       "version"]  # fmt: skip


def test_record_access_stores_who_where_and_escaped_names(tmp_path: Path) -> None:
    settings = VaultSettings("https://vault.example:8200", Token("hvs.TOKENCANARY"), "ops")
    with Store.open(tmp_path / "c.db") as store:
        saved = record_access(store, settings, action="copy", path="secret/app/\x1b[2Jdb",
                              key="pass\u202eword", version=None, now=T0)  # fmt: skip
        (stored,) = store.vault_audit()
    assert stored == saved and saved.id is not None
    assert (stored.action, stored.ts, stored.version) == (Action.COPY, T0, None)
    assert stored.addr == "https://vault.example:8200" and stored.namespace == "ops"
    assert stored.user and stored.host
    assert stored.path == "secret/app/\\x1b[2Jdb" and stored.key == "pass\\u202eword"
    assert b"TOKENCANARY" not in (tmp_path / "c.db").read_bytes()


def test_a_version_4_cache_is_upgraded_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for target in range(1, 5):
        MIGRATIONS[target](conn)
    conn.execute("PRAGMA user_version = 4")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("INSERT INTO signoffs (ts, user, host, status) VALUES (1, 'ann', 'b', 'OK')")
    conn.close()
    with Store.open(path) as store:
        assert [s.user for s in store.signoffs()] == ["ann"]
        store.add_vault_audit(_access(T0))
        assert len(store.vault_audit()) == 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    conn.close()
