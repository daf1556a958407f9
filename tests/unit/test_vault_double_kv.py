"""The KV stores' rules: the LIST index, versions, check-and-set, trimming, deletes."""

from __future__ import annotations

import pytest

from penguin_tui.vaultdouble.kv import KV1Store, KV2Store, KVError, Tree, check_custom_metadata


def test_tree_lists_children_sorted_and_prunes_empty_folders() -> None:
    tree = Tree()
    for path in ("a/b/c", "a/b/d", "a/e", "a", "z"):
        tree.add(path)
    assert tree.list("") == ["a", "a/", "z"]
    assert tree.list("a/") == ["b/", "e"]
    assert tree.list("a/b/") == ["c", "d"]
    tree.remove("a/b/c")
    tree.remove("a/b/d")
    assert tree.list("a/b/") == []
    assert tree.list("a/") == ["e"]
    tree.remove("a/e")
    assert tree.list("") == ["a", "z"]  # the secret "a" stays, the folder "a/" went
    tree.remove("missing/path")  # no error
    assert tree.list("nowhere/") == []


def test_kv1_overwrites_and_deletes() -> None:
    store = KV1Store()
    store.write("x/y", {"a": 1})
    store.write("x/y", {"b": 2})
    assert store.read("x/y") == {"b": 2}
    assert store.tree.list("x/") == ["y"]
    store.delete("x/y")
    assert store.read("x/y") is None and store.tree.list("") == []


def test_kv2_versions_cas_and_times() -> None:
    store = KV2Store()
    meta, n = store.write("s", {"v": 1}, 100.0, cas=0)
    assert n == 1 and meta.created == meta.updated == 100.0
    with pytest.raises(KVError, match="did not match"):
        store.write("s", {"v": 2}, 200.0, cas=0)
    meta, n = store.write("s", {"v": 2}, 200.0, cas=1)
    assert (n, meta.created, meta.updated) == (2, 100.0, 200.0)
    store.config.cas_required = True
    with pytest.raises(KVError, match="required"):
        store.write("s", {"v": 3}, 300.0)


def test_kv2_trims_to_max_versions_on_write() -> None:
    store = KV2Store()
    store.config.max_versions = 3
    for t in range(5):
        store.write("s", {"t": t}, float(t))
    meta = store.meta("s")
    assert meta is not None
    assert sorted(meta.versions) == [3, 4, 5] and meta.oldest == 3


def test_kv2_default_keeps_ten_versions() -> None:
    store = KV2Store()
    for t in range(12):
        store.write("s", {"t": t}, float(t))
    meta = store.meta("s")
    assert meta is not None and len(meta.versions) == 10 and meta.oldest == 3


def test_kv2_delete_undelete_destroy() -> None:
    store = KV2Store()
    for t in range(3):
        store.write("s", {"t": t}, float(t))
    store.delete_versions("s", [1, 2, 99], now=10.0)
    meta = store.meta("s")
    assert meta is not None
    assert meta.versions[1].deleted(10.0) and not meta.versions[3].deleted(10.0)
    store.delete_versions("s", [1], now=20.0)  # already deleted: keeps its first deletion time
    assert meta.versions[1].deletion == 10.0
    store.undelete_versions("s", [1])
    assert meta.versions[1].deletion is None and meta.versions[1].data == {"t": 0}
    store.destroy_versions("s", [2])
    assert meta.versions[2].destroyed and meta.versions[2].data is None
    store.delete_metadata("s")
    assert store.meta("s") is None and store.tree.list("") == []


def test_kv2_delete_version_after_sets_future_deletion() -> None:
    store = KV2Store()
    store.update_metadata("s", delete_version_after=60.0)
    store.write("s", {"a": "b"}, 1000.0)
    version = store.meta("s").versions[1]  # type: ignore[union-attr]
    assert version.deletion == 1060.0
    assert not version.deleted(1059.0) and version.deleted(1060.0)


def test_values_never_show_in_reprs() -> None:
    store = KV2Store()
    store.write("s", {"password": "hunter2-canary"}, 1.0)
    assert "hunter2-canary" not in repr(store)
    assert "hunter2-canary" not in repr(store.meta("s"))
    v1 = KV1Store()
    v1.write("s", {"password": "hunter2-canary"})
    assert "hunter2-canary" not in repr(v1)


@pytest.mark.parametrize(
    ("custom", "message"),
    [
        ({"k": 1}, "not a string"),
        ({"k" * 129: "v"}, "max allowed is 128"),
        ({"k": "v" * 513}, "max allowed is 512"),
        ({f"k{i}": "v" for i in range(65)}, "at most 64 keys"),
        ("not a map", "must be a map"),
    ],
)
def test_custom_metadata_limits(custom: object, message: str) -> None:
    with pytest.raises(KVError, match=message):
        check_custom_metadata(custom)
