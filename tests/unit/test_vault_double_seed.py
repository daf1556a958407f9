"""The seeds: a realistic demo tree (ages, versions, deletions, rotation metadata, tokens) and
the 10,000-secret benchmark tree."""

from __future__ import annotations

from collections import Counter

import pytest

from penguin_tui.vaultdouble.runner import make_double
from penguin_tui.vaultdouble.seed import DAY, seed_bulk
from penguin_tui.vaultdouble.server import VaultDouble

NOW = 1_750_000_000.0


@pytest.fixture(scope="module")
def demo() -> VaultDouble:
    return make_double("demo", clock=lambda: NOW)


def test_demo_mounts_and_namespace(demo: VaultDouble) -> None:
    assert demo.mount("secret").kv_version == 2
    assert demo.mount("legacy").kv_version == 1 and demo.mount("legacy").options is None
    assert demo.kv2("secret", namespace="ops").meta("oncall/pagerduty") is not None
    for path in ("smtp-relay/prod/credentials", "dkim/penguinmails.example/pm2024", "api/stripe",
                 "postgres/primary", "redis", "webhooks/signing-keys"):  # fmt: skip
        assert demo.kv2("secret").meta(path) is not None, path


def test_demo_ages_span_days_to_over_a_year(demo: VaultDouble) -> None:
    ages = [(NOW - m.updated) / DAY for m in demo.kv2("secret").keys.values() if m.updated]
    assert min(ages) < 7 and max(ages) > 365
    assert sum(1 for a in ages if a > 90) >= 5  # overdue at the default rotation period


def test_demo_has_history_deletions_destructions_and_rotation_metadata(demo: VaultDouble) -> None:
    keys = demo.kv2("secret").keys.values()
    assert sum(1 for m in keys if len(m.versions) >= 3) >= 4
    versions = [v for m in keys for v in m.versions.values()]
    assert any(v.deleted(NOW) for v in versions) and any(v.destroyed for v in versions)
    assert all(v.data is None for v in versions if v.destroyed)
    periods = Counter((m.custom_metadata or {}).get("rotation_period") for m in keys)
    assert periods["90d"] >= 2 and periods["30d"] >= 2 and periods["yearly"] == 1


def test_demo_tokens_have_their_policies(demo: VaultDouble) -> None:
    assert set(demo.seed_tokens) == {"oncall", "deliverability", "stripe-reader"}
    oncall = demo.tokens.get(demo.seed_tokens["oncall"])
    assert oncall is not None and "penguin-oncall" in oncall.policies and oncall.ttl == 8 * 3600


def test_demo_seed_is_deterministic() -> None:
    a = make_double("demo", clock=lambda: NOW).kv2("secret").meta("api/stripe")
    b = make_double("demo", clock=lambda: NOW).kv2("secret").meta("api/stripe")
    assert a is not None and b is not None
    assert a.versions[3].data == b.versions[3].data


def test_the_big_seed_has_10000_secrets_in_1000_folders() -> None:
    double = make_double("none", clock=lambda: NOW)
    seed_bulk(double)
    store = double.kv2("bulk")
    assert len(store.keys) == 10_000
    root = store.tree.list("")
    assert len(root) == 1_000 and all(name.endswith("/") for name in root)
    assert len(store.tree.list(root[0])) == 10


def test_none_is_empty_and_unknown_seeds_are_refused() -> None:
    double = make_double("none")
    assert set(double.namespaces[""].mounts) == {"cubbyhole/", "identity/", "sys/"}
    with pytest.raises(ValueError, match="unknown seed 'huge'"):
        make_double("huge")
