"""Vault's policy rules in the double: globs, + segments, priority, merging, deny, mounts."""

from __future__ import annotations

import pytest

from penguin_tui.vaultdouble.auth import Policy, TokenStore, capabilities


def caps(rules: dict[str, list[str]], path: str) -> list[str]:
    return sorted(capabilities([Policy.from_rules("p", rules)], path))


def test_exact_and_glob_paths() -> None:
    rules = {"secret/data/api/stripe": ["read"], "secret/metadata/*": ["list"]}
    assert caps(rules, "secret/data/api/stripe") == ["read"]
    assert caps(rules, "secret/data/api/stripe2") == []  # exact means exact
    assert caps(rules, "secret/metadata/") == ["list"]
    assert caps(rules, "secret/metadata/a/b/") == ["list"]
    assert caps(rules, "secret/metadat") == []


def test_plus_matches_exactly_one_segment() -> None:
    rules = {"secret/data/+/credentials": ["read"]}
    assert caps(rules, "secret/data/smtp/credentials") == ["read"]
    assert caps(rules, "secret/data/smtp/prod/credentials") == []


def test_the_most_specific_pattern_wins_not_the_union() -> None:
    rules = {"secret/*": ["read", "list"], "secret/data/api/*": ["list"]}
    assert caps(rules, "secret/data/api/stripe") == ["list"]
    assert caps(rules, "secret/data/other") == ["list", "read"]
    # an exact path beats a glob that also matches it
    assert caps({"secret/data/*": ["read"], "secret/data/x": ["update"]}, "secret/data/x") == [
        "update"
    ]
    # a later first wildcard is more specific than an earlier one
    assert caps({"secret/+/x": ["read"], "secret/data/*": ["list"]}, "secret/data/x") == ["list"]


def test_same_pattern_in_two_policies_merges_and_deny_wins() -> None:
    a = Policy.from_rules("a", {"secret/data/*": ["read"]})
    b = Policy.from_rules("b", {"secret/data/*": ["list"]})
    assert sorted(capabilities([a, b], "secret/data/x")) == ["list", "read"]
    c = Policy.from_rules("c", {"secret/data/*": ["deny"]})
    assert capabilities([a, b, c], "secret/data/x") == frozenset()


def test_unknown_capabilities_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown capabilities"):
        Policy.from_rules("bad", {"secret/*": ["reed"]})


def test_default_policy_applies_inside_the_namespace_others_on_the_full_path() -> None:
    store = TokenStore()
    store.add_policy("ops", {"ops/secret/data/*": ["read"]})
    token = store.create(["ops"], now=0.0, ttl=60)
    assert "read" in store.allowed(token, "ops/secret/data/x", "secret/data/x")
    assert "read" not in store.allowed(token, "secret/data/x", "secret/data/x")
    assert "read" in store.allowed(token, "ops/auth/token/lookup-self", "auth/token/lookup-self")


def test_which_mounts_a_token_sees() -> None:
    store = TokenStore()
    store.add_policy("narrow", {"secret/data/smtp/*": ["read"], "legacy/*": ["deny"]})
    store.add_policy("wide", {"+/data/*": ["read"]})
    narrow = store.create(["narrow"], now=0.0)
    wide = store.create(["wide"], now=0.0)
    root = store.create(["root"], now=0.0)
    assert store.sees_mount(narrow, "secret/", "secret/")
    assert not store.sees_mount(narrow, "legacy/", "legacy/")  # denied only
    assert store.sees_mount(narrow, "cubbyhole/", "cubbyhole/")  # the default policy
    assert store.sees_mount(wide, "anything/", "anything/")
    assert store.sees_mount(root, "legacy/", "legacy/")


def test_tokens_expire_on_the_clock_and_hide_their_id() -> None:
    store = TokenStore()
    token = store.create(["default"], now=100.0, ttl=60, display_name="ldap-ann")
    assert not token.expired(159.9) and token.expired(160.0)
    assert token.lookup(130.0)["ttl"] == 30
    assert token.id not in repr(token) and token.id not in repr(store)
    with pytest.raises(ValueError, match="unknown policies: nope"):
        store.create(["nope"], now=0.0)
