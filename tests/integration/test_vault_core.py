"""The secret browser's core driven through hvac, over real HTTP, against the Vault double.

The "demo" seed (penguin_tui/vaultdouble/seed.py) is the PenguinMails tree: KV v2 ``secret/``
with deleted and destroyed versions and rotation periods, KV v1 ``legacy/``, namespace ``ops``,
and tokens whose policies make the 403 paths testable.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.config_model import VaultConfig
from penguin_tui.errors import CacheError
from penguin_tui.store import Store
from penguin_tui.vault.audit import Action
from penguin_tui.vault.client import (
    VaultClient,
    VaultForbidden,
    VaultNotFound,
    VaultRateLimited,
    VaultSealed,
)
from penguin_tui.vault.diff import Change, diff_secrets
from penguin_tui.vault.metadata import read_metadata
from penguin_tui.vault.mounts import SYS_MOUNTS, UI_MOUNTS, list_mounts
from penguin_tui.vault.rotation import rotation
from penguin_tui.vault.secret import MASK, read_secret
from penguin_tui.vault.session import VaultSession
from penguin_tui.vault.settings import Token, VaultSettings
from penguin_tui.vault.status import lookup_token, read_health, read_status
from penguin_tui.vault.tree import FolderState, SecretTree, fetch_listing
from penguin_tui.vaultdouble.runner import RunningVault, running_vault

DAY = 86400.0
CANARY = "CANARY-d0-n0t-l3ak-9f1e"


@pytest.fixture(scope="module")
def vault() -> Iterator[RunningVault]:
    with running_vault(seed="demo") as running:
        yield running


@pytest.fixture
def fresh() -> Iterator[RunningVault]:
    """A double of its own, for tests that seal it, make it a standby or rate-limit it."""
    with running_vault(seed="demo") as running:
        yield running


def _client(vault: RunningVault, who: str = "root", **kw: object) -> VaultClient:
    token = vault.token if who == "root" else vault.double.seed_tokens[who]
    namespace = str(kw.pop("namespace", ""))
    return VaultClient(VaultSettings(vault.addr, Token(token), namespace), **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- mounts


def test_mounts_and_kv_versions_from_sys_mounts(vault: RunningVault) -> None:
    with _client(vault) as client:
        listed = list_mounts(client)
    assert listed.source == SYS_MOUNTS and listed.note == ""
    assert [(m.path, m.kv_version) for m in listed.mounts] == [("legacy/", 1), ("secret/", 2)]
    assert listed.get("legacy").description == "pre-2023 secrets, being migrated to secret/"


def test_a_token_that_may_not_read_sys_mounts_gets_the_ui_mounts(vault: RunningVault) -> None:
    with _client(vault, "oncall") as client:
        listed = list_mounts(client)
    assert listed.source == UI_MOUNTS and "may not read sys/mounts" in listed.note
    assert [(m.path, m.kv_version) for m in listed.mounts] == [("legacy/", 1), ("secret/", 2)]
    with _client(vault, "deliverability") as client:
        assert [m.path for m in list_mounts(client).mounts] == ["secret/"]


# --------------------------------------------------------------------------------- tree


def test_folders_are_listed_lazily_one_at_a_time(vault: RunningVault) -> None:
    before = {k: n for k, n in vault.double.hits.items() if k[0] == "list"}
    with _client(vault, "oncall") as client:
        mounts = list_mounts(client)
        tree = SecretTree(mounts.mounts)
        root = tree.apply(fetch_listing(client, mounts.get("secret"), ""))
        api = tree.node("secret/api/")
        assert api is not None and not api.loaded
        tree.apply(fetch_listing(client, api.mount, api.path))
        legacy = tree.apply(fetch_listing(client, mounts.get("legacy"), ""))
    lists = {k: n - before.get(k, 0) for k, n in vault.double.hits.items() if k[0] == "list"}
    assert {k: n for k, n in lists.items() if n} == {
        ("list", "secret/metadata"): 1,  # hvac drops the trailing slash, as Vault allows
        ("list", "secret/metadata/api"): 1,
        ("list", "legacy"): 1,
    }
    names = [n.name for n in root.children]
    assert names[0] == "api/" and "redis/" in names and names[-1] == "redis"  # folders first
    assert [n.name for n in api.children] == [
        "jwt-signing", "mailgun-legacy", "old-partner", "sendgrid-fallback", "stripe",
    ]  # fmt: skip
    assert [n.name for n in legacy.children] == ["ftp/", "ldap/", "old-smtp"]
    assert [n.full_path for n in tree.filter("STRIPE")] == ["secret/api/stripe"]
    assert len(tree.filter("redis")) == 2  # the folder and the secret of the same name


def test_a_403_on_list_is_a_folder_state_and_go_to_path_still_reads(vault: RunningVault) -> None:
    with _client(vault, "oncall") as client:
        mounts = list_mounts(client)
        secret = mounts.get("secret")
        listing = fetch_listing(client, secret, "restricted/")
        assert listing.state is FolderState.FORBIDDEN and listing.keys == ()
        assert listing.message == (
            "may not list secret/restricted/; use go to path to open a secret by name"
        )
        opened = read_secret(client, secret, "restricted/break-glass")
        assert opened.keys() == ["password", "username"]
        # A LIST of an empty or missing folder is Vault's 404: an empty folder here.
        assert fetch_listing(client, secret, "no-such-folder/").keys == ()
        with pytest.raises(VaultForbidden, match=r"^read secret/pci/card-vault-hsm: permission"):
            read_secret(client, secret, "pci/card-vault-hsm")


# ------------------------------------------------------------------------------ secrets


def test_read_any_version_and_the_deleted_and_destroyed_ones(vault: RunningVault) -> None:
    with _client(vault, "oncall") as client:
        secret = list_mounts(client).get("secret")
        current = read_secret(client, secret, "api/stripe")
        assert (current.version, current.state) == (3, "live")
        assert current.keys() == ["publishable_key", "secret_key", "webhook_secret"]
        assert current.custom_metadata["ticket"] == "SEC-1182"
        first = read_secret(client, secret, "api/stripe", 1)
        assert (first.version, first.keys()) == (1, ["secret_key", "webhook_secret"])
        deleted = read_secret(client, secret, "api/stripe", 2)
        assert (deleted.version, deleted.state, deleted.entries) == (2, "deleted", ())
        assert deleted.deletion_time is not None and deleted.created_time is not None
        destroyed = read_secret(client, secret, "api/sendgrid-fallback", 1)
        assert (destroyed.state, destroyed.entries) == ("destroyed", ())
        gone = read_secret(client, secret, "api/mailgun-legacy")  # its current version
        assert (gone.version, gone.state) == (2, "deleted")
        with pytest.raises(VaultNotFound, match=r"^read secret/api/stripe version 9: not found"):
            read_secret(client, secret, "api/stripe", 9)
        with pytest.raises(VaultNotFound):
            read_secret(client, secret, "api/nothing-here")
        legacy = read_secret(client, list_mounts(client).get("legacy"), "ldap/bind")
        assert (legacy.version, legacy.keys()) == (None, ["dn", "password"])


def test_values_stay_masked_and_hostile_ones_are_escaped(vault: RunningVault) -> None:
    with _client(vault) as client:
        secret = read_secret(client, list_mounts(client).get("secret"), "imported/vendor-bundle")
    by_key = {e.key: e for e in secret.entries}
    assert by_key["note\x1b[31m"].label == "note\\x1b[31m"
    assert by_key["note\x1b[31m"].value.reveal() == (
        "imported from vendor \\x1b]52;c;cHduZWQ=\\x07bundle"
    )
    assert by_key["binary"].value.is_binary
    assert by_key["binary"].value.reveal() == "binary, 5 bytes: 00 01 02 ff fe"
    assert by_key["port"].value.kind == "number" and by_key["enabled"].value.kind == "bool"
    assert by_key["[bold]markup[/bold]"].value.reveal() == "[link=https://evil.example]click[/link]"
    assert all(str(e.value) == MASK for e in secret.entries)
    assert "imported from vendor" not in repr(secret)


def test_metadata_with_history_and_settings(vault: RunningVault) -> None:
    with _client(vault, "oncall") as client:
        secret = list_mounts(client).get("secret")
        meta = read_metadata(client, secret, "postgres/primary")
        tmp = read_metadata(client, secret, "tmp/one-time-migration-token")
    assert (meta.current_version, meta.max_versions, meta.cas_required) == (5, 5, True)
    assert [(v.version, v.state) for v in meta.versions] == [
        (5, "live"), (4, "deleted"), (3, "destroyed"), (2, "live"), (1, "live"),
    ]  # fmt: skip
    assert meta.custom_metadata == {"owner": "platform", "rotation_period": "90d"}
    assert meta.created_time is not None and meta.updated_time is not None
    assert meta.updated_time > meta.created_time
    assert tmp.delete_version_after_s == 14 * DAY


def test_diff_of_two_versions(vault: RunningVault) -> None:
    with _client(vault) as client:
        secret = list_mounts(client).get("secret")
        old = read_secret(client, secret, "api/stripe", 1)
        new = read_secret(client, secret, "api/stripe", 3)
    diff = diff_secrets(old, new)
    assert [(r.key, r.change) for r in diff.rows] == [
        ("publishable_key", Change.ADDED),
        ("secret_key", Change.CHANGED),
        ("webhook_secret", Change.CHANGED),
    ]
    assert diff.rows[1].new_text() == MASK
    assert diff.rows[1].new_text(revealed=True).startswith("sk_live_")


def test_rotation_flags_from_updated_time_and_custom_periods(vault: RunningVault) -> None:
    now = time.time()
    with _client(vault) as client:
        secret = list_mounts(client).get("secret")

        def state(path: str, default: float = 90 * DAY):
            return rotation(read_metadata(client, secret, path), now, default)

        creds = state("smtp-relay/prod/credentials")  # 120 days, 90d on the secret
        tls = state("smtp-relay/prod/tls")  # 300 days, 365d on the secret
        staging = state("smtp-relay/staging/credentials")  # 20 days, the default
        analytics = state("postgres/analytics-ro")  # "yearly": unreadable
        staging_short = state("smtp-relay/staging/credentials", default=10 * DAY)
    assert creds.overdue and creds.period_source == "secret"
    assert creds.age_s == pytest.approx(120 * DAY, abs=120)
    assert not tls.overdue and tls.period_s == 365 * DAY
    assert not staging.overdue and staging.period_source == "default"
    assert analytics.overdue and '"yearly" is not a duration' in analytics.problem
    assert staging_short.overdue  # [vault].rotation_period decides for secrets without one


# ------------------------------------------------------------------------------- status


def test_status_of_an_active_vault_and_its_token(vault: RunningVault) -> None:
    with _client(vault, "oncall") as client:
        status = read_status(client)
    assert status.problems == () and status.health is not None
    assert (status.health.state, status.health.version) == ("active", "1.17.6")
    assert status.token is not None and status.token.display_name == "ldap-oncall"
    assert status.token.policies == ("default", "penguin-oncall")
    assert 7 * 3600 < status.token.ttl_s <= 8 * 3600
    assert status.all_warnings(time.time()) == []
    assert status.line(time.time()).startswith(
        "vault 1.17.6 active · token ldap-oncall (default, penguin-oncall) · ttl 7h 5"
    )


def test_a_token_expiring_within_15_minutes_is_a_warning(vault: RunningVault) -> None:
    short = vault.double.create_token(["default"], ttl=600, display_name="short")
    settings = VaultSettings(vault.addr, Token(short))
    with VaultClient(settings) as client:
        token = lookup_token(client)
    now = token.looked_up_at
    warning = token.expiry_warning(now)  # the TTL is whole seconds: 599 or 600 left
    assert re.fullmatch(
        r"the Vault token expires in (10m|9m 59s): renew it \(vault token renew\) or log in again",
        warning,
    ), warning
    assert token.expiry_warning(now - 302) == ""  # over 15 minutes before it runs out
    assert (
        token.expiry_warning(now + 601) == "the Vault token has expired: log in again (vault login)"
    )
    with _client(vault) as client:  # root: never expires, never warns
        root = lookup_token(client)
    assert root.ttl_left(now) is None and root.expiry_warning(now + 10 * 365 * DAY) == ""


def test_a_revoked_token_says_so(vault: RunningVault) -> None:
    doomed = vault.double.create_token(["default"], ttl=3600)
    vault.double.revoke_token(doomed)
    with VaultClient(VaultSettings(vault.addr, Token(doomed))) as client:
        status = read_status(client)
    assert status.token is None and status.health is not None
    assert status.problems == (
        "look up the Vault token: the token is invalid, expired or revoked; log in again "
        "(vault login)",
    )


def test_sealed_and_standby_health(fresh: RunningVault) -> None:
    with _client(fresh) as client:
        fresh.double.state.standby = True
        standby = read_health(client)
        assert (standby.code, standby.state, standby.usable) == (429, "standby", True)
        fresh.double.state.standby = False
        fresh.double.seal()
        sealed = read_status(client)
        assert sealed.health is not None and sealed.health.state == "sealed"
        assert sealed.health.code == 503 and sealed.token is None
        assert sealed.problems == (f"Vault at {fresh.addr} is sealed",)
        assert sealed.line(time.time()).startswith("vault 1.17.6 sealed")
        with pytest.raises(VaultSealed, match=r"^read sys/mounts: Vault is sealed"):
            list_mounts(client)


def test_rate_limiting_is_retried_then_reported(fresh: RunningVault) -> None:
    fresh.double.set_rate_limit(1, interval=0.2)
    with _client(fresh, retries=0) as client:
        client.call("read sys/mounts", lambda hv: hv.sys.list_mounted_secrets_engines())
        with pytest.raises(VaultRateLimited, match="rate limit quota exceeded"):
            client.call("read sys/mounts", lambda hv: hv.sys.list_mounted_secrets_engines())
    time.sleep(0.25)
    with _client(fresh, retries=2, backoff=0.25) as client:
        list_mounts(client)
        assert list_mounts(client).source == SYS_MOUNTS  # the second one waited its turn


def test_the_namespace_goes_in_the_header(vault: RunningVault) -> None:
    with _client(vault, namespace="ops") as client:
        mounts = list_mounts(client)
        listing = fetch_listing(client, mounts.get("secret"), "")
    assert listing.keys == ("oncall/",)
    assert vault.double.hits[("list", "ops/secret/metadata")] >= 1
    with _client(vault) as client:  # the root namespace's secret/ is another mount
        assert "oncall/" not in fetch_listing(client, mounts.get("secret"), "").keys


# ------------------------------------------------------------------ session and audit


def test_session_reads_off_the_loop_and_audits_reveal_and_copy(
    vault: RunningVault, tmp_path: Path
) -> None:
    vault.double.put("secret", "canary/app", {"password": CANARY, "user": "svc"})
    cache = tmp_path / "cache.db"
    settings = VaultSettings(vault.addr, Token(vault.token), "")
    loop_thread: list[int] = []
    call_threads: list[int] = []

    async def scenario() -> None:
        loop_thread.append(threading.get_ident())
        with Store.open(cache) as store:
            session = VaultSession(settings, VaultConfig(), store=store, clock=lambda: 1e9)
            try:
                await session.load_mounts()
                root = session.tree.roots[
                    [r.mount.path for r in session.tree.roots].index("secret/")
                ]
                await session.expand(root)
                node = await session.goto("secret/canary/app")
                assert node.full_path == "secret/canary/app"
                opened = await session.open(node.mount, node.path)
                call_threads.append(await session.client.run(lambda: threading.get_ident()))
                assert opened.metadata is not None and opened.rotation is not None
                assert CANARY not in opened.secret.json_view()
                assert session.reveal(opened.secret, "password") == CANARY
                assert session.copy_text(opened.secret, "password") == CANARY
                records = store.vault_audit()
            finally:
                session.close()
        assert [(r.action, r.key, r.version, r.path) for r in records] == [
            (Action.COPY, "password", 1, "secret/canary/app"),
            (Action.REVEAL, "password", 1, "secret/canary/app"),
        ]
        assert all(r.addr == vault.addr and r.ts == 1e9 and r.user for r in records)

    asyncio.run(scenario())
    assert call_threads and call_threads[0] != loop_thread[0]
    for path in tmp_path.iterdir():
        assert CANARY.encode() not in path.read_bytes(), path


def test_without_a_cache_reveal_is_refused(vault: RunningVault) -> None:
    settings = VaultSettings(vault.addr, Token(vault.token))
    session = VaultSession(settings)
    try:
        with _client(vault) as client:
            secret = read_secret(client, list_mounts(client).get("secret"), "redis")
        with pytest.raises(CacheError, match="audited"):
            session.reveal(secret, "password")
    finally:
        session.close()
