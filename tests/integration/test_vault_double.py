"""The Vault API test double, driven by hvac over real HTTP as the secret browser will drive it,
plus raw httpx where the exact bytes matter (envelope fields, status codes, headers).

What is pinned here is Vault's documented behaviour: if one of these fails, the double no longer
answers as Vault does, and the browser's tests against it stop meaning anything.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import hvac
import hvac.exceptions as hx
import pytest

from penguin_tui.vaultdouble.runner import RunningVault, running_vault
from penguin_tui.vaultdouble.seed import HOSTILE_PATH

ROOT = "root-test-token"
RFC3339NANO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
ENVELOPE_KEYS = {
    "request_id",
    "lease_id",
    "renewable",
    "lease_duration",
    "data",
    "wrap_info",
    "warnings",
    "auth",
    "mount_type",
}


class Clock:
    """A hand-moved clock (epoch seconds)."""

    def __init__(self, t: float = 1_750_000_000.25) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def vault(clock: Clock) -> Iterator[RunningVault]:
    with running_vault(seed="demo", token=ROOT, clock=clock) as running:
        yield running


@pytest.fixture
def client(vault: RunningVault) -> hvac.Client:
    return hvac.Client(vault.addr, vault.token)


@pytest.fixture
def http(vault: RunningVault) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=vault.addr, headers={"X-Vault-Token": vault.token}) as c:
        yield c


def read(client: hvac.Client, path: str, version: int | None = None, *, raise_deleted: bool = True):
    return client.secrets.kv.v2.read_secret_version(
        path, version=version, mount_point="secret", raise_on_deleted_version=raise_deleted
    )


# -- the envelope and errors ------------------------------------------------------------------


def test_a_read_has_vaults_envelope_with_vaults_values(http: httpx.Client) -> None:
    r = http.get("/v1/secret/data/api/stripe")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["lease_id"] == ""
    assert body["renewable"] is False
    assert body["lease_duration"] == 0
    assert body["wrap_info"] is None
    assert body["warnings"] is None
    assert body["auth"] is None
    assert body["mount_type"] == "kv"
    assert re.fullmatch(r"[0-9a-f-]{36}", body["request_id"])
    assert set(body["data"]) == {"data", "metadata"}
    meta = body["data"]["metadata"]
    assert set(meta) == {"created_time", "custom_metadata", "deletion_time", "destroyed", "version"}
    assert meta["version"] == 3 and meta["deletion_time"] == "" and meta["destroyed"] is False
    assert RFC3339NANO.match(meta["created_time"])
    assert meta["custom_metadata"]["rotation_period"] == "90d"


def test_every_request_gets_a_new_request_id(http: httpx.Client) -> None:
    ids = {http.get("/v1/secret/data/redis").json()["request_id"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize(
    "path",
    ["/v1/secret/data/no/such/secret", "/v1/secret/metadata/no/such/secret", "/v1/legacy/nothing"],
)
def test_missing_paths_are_404_with_an_empty_errors_list(http: httpx.Client, path: str) -> None:
    r = http.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"errors": []}


def test_hvac_raises_invalid_path_for_a_missing_secret(client: hvac.Client) -> None:
    with pytest.raises(hx.InvalidPath) as caught:
        read(client, "no/such/secret")
    assert caught.value.json == {"errors": []}


def test_an_unmounted_path_has_no_handler(http: httpx.Client) -> None:
    r = http.get("/v1/nowhere/x")
    assert r.status_code == 404
    assert r.json() == {"errors": ['no handler for route "nowhere/x". route entry not found.']}


def test_a_v1_style_path_on_a_v2_mount_is_404_with_vaults_warning(http: httpx.Client) -> None:
    r = http.get("/v1/secret/api/stripe")
    assert r.status_code == 404
    body = r.json()
    assert body["data"] is None
    assert "Invalid path for a versioned K/V secrets engine" in body["warnings"][0]
    assert "'vault kv get'" in body["warnings"][0]


def test_bad_json_is_a_400_naming_the_problem(http: httpx.Client) -> None:
    r = http.post("/v1/secret/data/x", content=b"{not json")
    assert r.status_code == 400
    assert r.json()["errors"][0].startswith("failed to parse JSON input")


def test_errors_never_echo_a_value_sent_in_the_wrong_shape(http: httpx.Client) -> None:
    for body in ({"data": "canary-value-1"}, {"data": {}, "options": "canary-value-1"}):
        r = http.post("/v1/secret/data/x", json=body)
        assert r.status_code == 400
        assert "canary-value-1" not in r.text
    r = http.post("/v1/legacy/x", json=["canary-value-1"])
    assert r.status_code == 400 and "canary-value-1" not in r.text


# -- LIST -----------------------------------------------------------------------------------


def test_list_by_method_and_by_query_agree_sorted_with_folders_marked(
    client: hvac.Client, http: httpx.Client
) -> None:
    by_method = client.secrets.kv.v2.list_secrets("", mount_point="secret")["data"]["keys"]
    by_query = http.get("/v1/secret/metadata/", params={"list": "true"}).json()["data"]["keys"]
    assert by_method == by_query == sorted(by_method)
    assert "api/" in by_method and "dkim/" in by_method
    # a name can be a secret and a folder at once, and Vault lists both
    assert "redis" in by_method and "redis/" in by_method
    raw = http.request("LIST", "/v1/secret/metadata/dkim")
    assert raw.status_code == 200
    assert raw.json()["data"]["keys"] == ["mail.penguinmails.example/", "penguinmails.example/"]


def test_list_of_a_missing_or_emptied_folder_is_404(
    client: hvac.Client, http: httpx.Client
) -> None:
    with pytest.raises(hx.InvalidPath):
        client.secrets.kv.v2.list_secrets("nope", mount_point="secret")
    assert http.request("LIST", "/v1/secret/metadata/support").json()["data"]["keys"] == ["zendesk"]
    client.secrets.kv.v2.delete_metadata_and_all_versions("support/zendesk", mount_point="secret")
    r = http.request("LIST", "/v1/secret/metadata/support")
    assert (r.status_code, r.json()) == (404, {"errors": []})
    assert (
        "support/"
        not in client.secrets.kv.v2.list_secrets("", mount_point="secret")["data"]["keys"]
    )


def test_list_on_a_secret_that_is_not_a_folder_is_404(client: hvac.Client) -> None:
    with pytest.raises(hx.InvalidPath):
        client.secrets.kv.v2.list_secrets("api/stripe", mount_point="secret")


def test_soft_deleted_secrets_are_still_listed(client: hvac.Client) -> None:
    keys = client.secrets.kv.v2.list_secrets("api", mount_point="secret")["data"]["keys"]
    assert "mailgun-legacy" in keys and "old-partner" in keys  # deleted / all destroyed


# -- KV v2 versions ---------------------------------------------------------------------------


def test_a_deleted_version_is_404_with_the_full_envelope_and_null_data(
    client: hvac.Client, http: httpx.Client
) -> None:
    r = http.get("/v1/secret/data/api/stripe", params={"version": 2})
    assert r.status_code == 404
    body = r.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["data"]["data"] is None
    assert body["data"]["metadata"]["version"] == 2
    assert RFC3339NANO.match(body["data"]["metadata"]["deletion_time"])
    with pytest.raises(hx.InvalidPath):
        read(client, "api/stripe", 2)
    soft = read(client, "api/stripe", 2, raise_deleted=False)  # hvac returns the 404's body
    assert soft["data"]["data"] is None


def test_a_destroyed_version_is_404_marked_destroyed(http: httpx.Client) -> None:
    r = http.get("/v1/secret/data/api/sendgrid-fallback", params={"version": 1})
    assert r.status_code == 404
    meta = r.json()["data"]["metadata"]
    assert (meta["destroyed"], meta["deletion_time"]) == (True, "")
    assert r.json()["data"]["data"] is None


def test_a_version_that_never_existed_is_a_plain_404(http: httpx.Client) -> None:
    r = http.get("/v1/secret/data/api/stripe", params={"version": 99})
    assert (r.status_code, r.json()) == (404, {"errors": []})


def test_older_versions_read_back_their_own_data(client: hvac.Client) -> None:
    latest = read(client, "webhooks/signing-keys")["data"]
    first = read(client, "webhooks/signing-keys", 1)["data"]
    assert latest["metadata"]["version"] == 6 and first["metadata"]["version"] == 1
    assert first["data"]["current"] != latest["data"]["current"]
    assert first["metadata"]["created_time"] < latest["metadata"]["created_time"]


def test_metadata_has_every_field_vault_sends(client: hvac.Client) -> None:
    meta = client.secrets.kv.v2.read_secret_metadata("postgres/primary", mount_point="secret")
    data = meta["data"]
    assert set(data) == {
        "cas_required",
        "created_time",
        "current_version",
        "custom_metadata",
        "delete_version_after",
        "max_versions",
        "oldest_version",
        "updated_time",
        "versions",
    }
    assert data["current_version"] == 5 and data["oldest_version"] == 0
    assert data["max_versions"] == 5 and data["cas_required"] is True
    assert data["delete_version_after"] == "0s"
    assert data["custom_metadata"] == {"owner": "platform", "rotation_period": "90d"}
    assert set(data["versions"]) == {"1", "2", "3", "4", "5"}
    assert data["versions"]["3"] == {
        "created_time": data["versions"]["3"]["created_time"],
        "deletion_time": "",
        "destroyed": True,
    }
    assert data["versions"]["4"]["deletion_time"] != ""
    assert data["updated_time"] == data["versions"]["5"]["created_time"]
    assert data["created_time"] == data["versions"]["1"]["created_time"]
    for field in ("created_time", "updated_time"):
        assert RFC3339NANO.match(data[field])


def test_a_secret_without_custom_metadata_reports_null(client: hvac.Client) -> None:
    meta = client.secrets.kv.v2.read_secret_metadata("redis", mount_point="secret")["data"]
    assert meta["custom_metadata"] is None


def test_writes_create_versions_and_check_and_set_is_enforced(
    client: hvac.Client, clock: Clock
) -> None:
    kv = client.secrets.kv.v2
    first = kv.create_or_update_secret("new/app", {"k": "v1"}, cas=0, mount_point="secret")
    assert first["data"]["version"] == 1
    assert first["data"]["deletion_time"] == "" and first["data"]["destroyed"] is False
    with pytest.raises(hx.InvalidRequest) as caught:
        kv.create_or_update_secret("new/app", {"k": "again"}, cas=0, mount_point="secret")
    assert caught.value.errors == ["check-and-set parameter did not match the current version"]
    clock.t += 60
    second = kv.create_or_update_secret("new/app", {"k": "v2"}, cas=1, mount_point="secret")
    assert second["data"]["version"] == 2
    assert read(client, "new/app")["data"]["data"] == {"k": "v2"}
    meta = kv.read_secret_metadata("new/app", mount_point="secret")["data"]
    assert meta["updated_time"] > meta["created_time"]


def test_cas_required_refuses_a_write_without_cas(client: hvac.Client) -> None:
    with pytest.raises(hx.InvalidRequest) as caught:
        client.secrets.kv.v2.create_or_update_secret(
            "postgres/primary", {"password": "x"}, mount_point="secret"
        )
    assert caught.value.errors == ["check-and-set parameter required for this call"]


def test_max_versions_trims_the_oldest_and_moves_oldest_version(client: hvac.Client) -> None:
    kv = client.secrets.kv.v2
    kv.update_metadata("trim/me", max_versions=2, mount_point="secret")
    for n in range(4):
        kv.create_or_update_secret("trim/me", {"n": str(n)}, mount_point="secret")
    meta = kv.read_secret_metadata("trim/me", mount_point="secret")["data"]
    assert sorted(meta["versions"]) == ["3", "4"]
    assert (meta["current_version"], meta["oldest_version"]) == (4, 3)
    with pytest.raises(hx.InvalidPath):
        read(client, "trim/me", 1)


def test_delete_undelete_destroy_through_hvac(client: hvac.Client, clock: Clock) -> None:
    kv = client.secrets.kv.v2
    for n in range(3):
        kv.create_or_update_secret("life/cycle", {"n": str(n)}, mount_point="secret")
    kv.delete_secret_versions("life/cycle", [1, 2], mount_point="secret")
    kv.delete_latest_version_of_secret("life/cycle", mount_point="secret")
    meta = kv.read_secret_metadata("life/cycle", mount_point="secret")["data"]["versions"]
    assert all(v["deletion_time"] for v in meta.values())
    kv.undelete_secret_versions("life/cycle", [2], mount_point="secret")
    assert read(client, "life/cycle", 2)["data"]["data"] == {"n": "1"}
    kv.destroy_secret_versions("life/cycle", [2], mount_point="secret")
    kv.undelete_secret_versions("life/cycle", [2], mount_point="secret")  # cannot bring it back
    # destroyed and not deleted: even raise_on_deleted_version=False raises (hvac only returns
    # the body when deletion_time is set), and the exception carries the whole 404 body
    with pytest.raises(hx.InvalidPath) as caught:
        read(client, "life/cycle", 2, raise_deleted=False)
    gone = caught.value.json
    assert gone["data"]["data"] is None and gone["data"]["metadata"]["destroyed"] is True
    assert gone["data"]["metadata"]["deletion_time"] == ""


def test_deleting_versions_needs_a_version_list(http: httpx.Client) -> None:
    r = http.post("/v1/secret/delete/api/stripe", json={})
    assert (r.status_code, r.json()) == (400, {"errors": ["no version number provided"]})


def test_delete_version_after_sets_a_future_deletion_that_takes_effect(
    client: hvac.Client, clock: Clock
) -> None:
    kv = client.secrets.kv.v2
    kv.update_metadata("short/lived", delete_version_after="1h", mount_point="secret")
    kv.create_or_update_secret("short/lived", {"k": "v"}, mount_point="secret")
    now = read(client, "short/lived")["data"]
    assert now["data"] == {"k": "v"} and now["metadata"]["deletion_time"] != ""
    meta = kv.read_secret_metadata("short/lived", mount_point="secret")["data"]
    assert meta["delete_version_after"] == "1h0m0s"
    clock.t += 3601
    with pytest.raises(hx.InvalidPath):
        read(client, "short/lived")


def test_custom_metadata_is_set_and_validated(client: hvac.Client, http: httpx.Client) -> None:
    kv = client.secrets.kv.v2
    kv.update_metadata("redis", custom_metadata={"rotation_period": "30d"}, mount_point="secret")
    meta = kv.read_secret_metadata("redis", mount_point="secret")["data"]
    assert meta["custom_metadata"] == {"rotation_period": "30d"}
    assert read(client, "redis")["data"]["metadata"]["custom_metadata"] == {
        "rotation_period": "30d"
    }
    r = http.post("/v1/secret/metadata/redis", json={"custom_metadata": {"n": 5}})
    assert r.status_code == 400
    assert r.json()["errors"][0].startswith("custom_metadata validation failed")


def test_mount_config_reads_as_vault_shows_it(client: hvac.Client) -> None:
    config = client.secrets.kv.v2.read_configuration(mount_point="secret")["data"]
    assert config == {"cas_required": False, "delete_version_after": "0s", "max_versions": 0}


def test_patch_merges_into_a_new_version(client: hvac.Client, http: httpx.Client) -> None:
    merge = {"Content-Type": "application/merge-patch+json"}
    body = b'{"data": {"db": "2", "url": null}}'
    r = http.patch("/v1/secret/data/redis/sessions", content=body, headers=merge)
    assert r.status_code == 200 and r.json()["data"]["version"] == 2
    latest = read(client, "redis/sessions")["data"]["data"]
    assert latest["db"] == "2" and "password" in latest and "url" not in latest
    plain = http.patch("/v1/secret/data/redis/sessions", content=body)
    assert plain.status_code == 415


def test_untrusted_text_round_trips_byte_for_byte(client: hvac.Client) -> None:
    data = read(client, HOSTILE_PATH)["data"]["data"]
    assert data["note\x1b[31m"].startswith("imported from vendor \x1b]52;")
    assert data["binary"] == "\x00\x01\x02\xff\xfe"
    assert data["port"] == 2525 and data["enabled"] is True
    assert data["nested"] == {"a": [1, 2, {"b": None}]}


# -- KV v1 ------------------------------------------------------------------------------------


def test_kv_v1_reads_lists_writes_and_deletes(client: hvac.Client, http: httpx.Client) -> None:
    kv1 = client.secrets.kv.v1
    assert kv1.list_secrets("", mount_point="legacy")["data"]["keys"] == [
        "ftp/",
        "ldap/",
        "old-smtp",
    ]
    secret = kv1.read_secret("ldap/bind", mount_point="legacy")
    assert secret["lease_duration"] == 2_764_800 and secret["lease_id"] == ""
    assert secret["data"]["dn"].startswith("cn=penguin")
    assert kv1.read_secret("old-smtp", mount_point="legacy")["lease_duration"] == 3600
    r = kv1.create_or_update_secret("new/one", {"a": "b"}, mount_point="legacy")
    assert r.status_code == 204
    assert kv1.read_secret("new/one", mount_point="legacy")["data"] == {"a": "b"}
    kv1.delete_secret("new/one", mount_point="legacy")
    with pytest.raises(hx.InvalidPath):
        kv1.read_secret("new/one", mount_point="legacy")
    assert http.request("LIST", "/v1/legacy/new").status_code == 404


# -- sys/health and seal ------------------------------------------------------------------------


def test_health_codes_follow_vault(vault: RunningVault, client: hvac.Client) -> None:
    state = vault.double.state
    health = client.sys.read_health_status(method="GET")
    assert health["initialized"] is True and health["sealed"] is False
    assert health["standby"] is False and health["version"]
    state.standby = True
    r = client.sys.read_health_status(method="GET")
    assert r.status_code == 429 and r.json()["standby"] is True
    assert client.sys.read_health_status(method="GET", standby_ok=True)["standby"] is True
    state.standby, state.performance_standby = False, True
    assert client.sys.read_health_status(method="GET").status_code == 473
    state.performance_standby = False
    vault.double.seal()
    r = client.sys.read_health_status(method="GET")
    assert r.status_code == 503 and r.json()["sealed"] is True and "cluster_name" not in r.json()
    assert client.sys.read_health_status(method="GET", sealed_code=200)["sealed"] is True
    state.initialized = False
    assert client.sys.read_health_status(method="GET").status_code == 501
    head = client.sys.read_health_status(method="HEAD")
    assert head.status_code == 501 and head.content == b""


def test_health_refuses_bad_options(http: httpx.Client) -> None:
    for params in ({"standbyok": "maybe"}, {"activecode": "abc"}, {"standbyok": ""}):
        r = http.get("/v1/sys/health", params=params)
        assert (r.status_code, r.json()) == (400, {"errors": []})


def test_health_needs_no_token(vault: RunningVault) -> None:
    assert httpx.get(f"{vault.addr}/v1/sys/health").status_code == 200


def test_a_sealed_vault_answers_503_to_everything_else(
    vault: RunningVault, client: hvac.Client
) -> None:
    vault.double.seal()
    with pytest.raises(hx.VaultDown) as caught:
        read(client, "api/stripe")
    assert caught.value.errors == ["Vault is sealed"]
    with pytest.raises(hx.VaultDown):
        client.auth.token.lookup_self()
    assert httpx.get(f"{vault.addr}/v1/sys/seal-status").json()["sealed"] is True
    vault.double.unseal()
    assert read(client, "api/stripe")["data"]["metadata"]["version"] == 3


# -- rate limiting ----------------------------------------------------------------------------


def test_rate_limit_answers_429_with_vaults_text_until_the_window_passes(
    vault: RunningVault, client: hvac.Client, clock: Clock
) -> None:
    vault.double.set_rate_limit(3, 1.0)
    for _ in range(3):
        read(client, "redis")
    with pytest.raises(hx.RateLimitExceeded) as caught:
        read(client, "redis")
    assert caught.value.errors == ['request path "secret/data/redis": rate limit quota exceeded']
    assert client.sys.read_health_status(method="GET")["sealed"] is False  # exempt
    clock.t += 1.0
    assert read(client, "redis")["data"]["metadata"]["version"] == 1
    vault.double.set_rate_limit(None)


# -- tokens -----------------------------------------------------------------------------------


def test_missing_or_unknown_token_is_forbidden(vault: RunningVault) -> None:
    for token in (None, "hvs.not-a-token"):
        with pytest.raises(hx.Forbidden) as caught:
            read(hvac.Client(vault.addr, token), "redis")
        assert caught.value.errors == ["permission denied"]


def test_lookup_self_reports_name_policies_and_a_ttl_that_counts_down(
    vault: RunningVault, clock: Clock
) -> None:
    token = vault.double.create_token(["deliverability"], ttl=1800, display_name="ldap-ann")
    client = hvac.Client(vault.addr, token)
    data = client.auth.token.lookup_self()["data"]
    assert data["display_name"] == "ldap-ann"
    assert data["policies"] == ["default", "deliverability"]
    assert data["ttl"] == 1800 and data["creation_ttl"] == 1800
    assert data["creation_time"] == int(clock.t)
    assert RFC3339NANO.match(data["expire_time"]) and data["type"] == "service"
    clock.t += 1000
    assert client.auth.token.lookup_self()["data"]["ttl"] == 800
    clock.t += 800
    with pytest.raises(hx.Forbidden):
        client.auth.token.lookup_self()


def test_the_root_token_never_expires(client: hvac.Client) -> None:
    data = client.auth.token.lookup_self()["data"]
    assert data["policies"] == ["root"] and data["ttl"] == 0 and data["expire_time"] is None
    assert data["display_name"] == "root"


def test_a_revoked_token_is_forbidden(vault: RunningVault) -> None:
    token = vault.double.create_token(["penguin-oncall"])
    client = hvac.Client(vault.addr, token)
    assert read(client, "redis")["data"]["metadata"]["version"] == 1
    vault.double.revoke_token(token)
    with pytest.raises(hx.Forbidden):
        read(client, "redis")


def test_bearer_authorization_works_like_the_vault_token_header(vault: RunningVault) -> None:
    r = httpx.get(
        f"{vault.addr}/v1/secret/data/redis", headers={"Authorization": f"Bearer {vault.token}"}
    )
    assert r.status_code == 200


# -- policies ---------------------------------------------------------------------------------


def test_a_token_may_read_a_path_but_not_list_its_parent(vault: RunningVault) -> None:
    client = hvac.Client(vault.addr, vault.double.seed_tokens["stripe-reader"])
    assert read(client, "api/stripe")["data"]["data"]["secret_key"].startswith("sk_live_")
    client.secrets.kv.v2.read_secret_metadata("api/stripe", mount_point="secret")
    with pytest.raises(hx.Forbidden):
        client.secrets.kv.v2.list_secrets("api", mount_point="secret")
    with pytest.raises(hx.Forbidden):
        read(client, "api/jwt-signing")
    with pytest.raises(hx.Forbidden):  # read-only: no create
        client.secrets.kv.v2.create_or_update_secret("api/stripe", {"x": "y"}, mount_point="secret")


def test_deny_beats_a_broader_grant(vault: RunningVault) -> None:
    client = hvac.Client(vault.addr, vault.double.seed_tokens["oncall"])
    assert client.secrets.kv.v2.list_secrets("pci", mount_point="secret")["data"]["keys"] == [
        "card-vault-hsm"
    ]
    with pytest.raises(hx.Forbidden):
        read(client, "pci/card-vault-hsm")
    with pytest.raises(hx.Forbidden):
        client.secrets.kv.v2.list_secrets("restricted", mount_point="secret")
    assert read(client, "restricted/break-glass")["data"]["data"]["username"] == "breakglass"


def test_capabilities_self_answers_per_path(vault: RunningVault, client: hvac.Client) -> None:
    oncall = hvac.Client(vault.addr, vault.double.seed_tokens["oncall"])
    paths = ["secret/data/api/stripe", "secret/metadata/api/", "secret/data/pci/card-vault-hsm"]
    answer = oncall.adapter.post("/v1/sys/capabilities-self", json={"paths": paths})
    assert answer["data"] == {
        "secret/data/api/stripe": ["read"],
        "secret/metadata/api/": ["list", "read"],
        "secret/data/pci/card-vault-hsm": ["deny"],
    }
    assert answer["secret/data/api/stripe"] == ["read"]  # also at the top level, as Vault does
    one = oncall.adapter.post("/v1/sys/capabilities-self", json={"paths": ["sys/mounts"]})
    assert one["data"]["capabilities"] == ["deny"]
    root = client.adapter.post("/v1/sys/capabilities-self", json={"paths": ["anything"]})
    assert root["data"]["capabilities"] == ["root"]


# -- mounts -----------------------------------------------------------------------------------


def test_sys_mounts_lists_every_mount_with_type_and_options(client: hvac.Client) -> None:
    mounts = client.sys.list_mounted_secrets_engines()
    data = mounts["data"]
    assert set(data) == {"cubbyhole/", "identity/", "legacy/", "secret/", "sys/"}
    assert data["secret/"]["type"] == "kv" and data["secret/"]["options"] == {"version": "2"}
    assert data["legacy/"]["type"] == "kv" and data["legacy/"]["options"] is None
    assert data["sys/"]["type"] == "system"
    assert mounts["secret/"] == data["secret/"]  # the old top-level copy Vault still sends
    for entry in data.values():
        assert {"accessor", "config", "description", "local", "seal_wrap", "uuid"} <= set(entry)


def test_a_token_without_sys_mounts_falls_back_to_the_ui_mounts(vault: RunningVault) -> None:
    oncall = hvac.Client(vault.addr, vault.double.seed_tokens["oncall"])
    with pytest.raises(hx.Forbidden):
        oncall.sys.list_mounted_secrets_engines()
    ui = oncall.read("sys/internal/ui/mounts")["data"]
    # sys/ and identity/ show too (the default policy reaches them), as in Vault
    assert set(ui["secret"]) == {"cubbyhole/", "identity/", "legacy/", "secret/", "sys/"}
    assert ui["secret"]["sys/"]["type"] == "system"
    assert ui["secret"]["secret/"]["options"] == {"version": "2"}
    assert "token/" in ui["auth"]
    narrow = hvac.Client(vault.addr, vault.double.seed_tokens["deliverability"])
    seen = set(narrow.read("sys/internal/ui/mounts")["data"]["secret"])
    assert seen == {"cubbyhole/", "identity/", "secret/", "sys/"}  # no legacy/
    anonymous = httpx.get(f"{vault.addr}/v1/sys/internal/ui/mounts").json()["data"]
    assert anonymous == {"auth": {}, "secret": {}}


def test_ui_mounts_for_one_path_is_the_clis_preflight(vault: RunningVault) -> None:
    narrow = hvac.Client(vault.addr, vault.double.seed_tokens["deliverability"])
    one = narrow.read("sys/internal/ui/mounts/secret/smtp-relay/prod/credentials")["data"]
    assert one["path"] == "secret/" and one["options"] == {"version": "2"}
    with pytest.raises(hx.Forbidden) as caught:
        narrow.read("sys/internal/ui/mounts/legacy/ldap/bind")
    assert "preflight capability check returned 403" in caught.value.errors[0]


# -- namespaces -------------------------------------------------------------------------------


def test_a_namespaced_secret_is_only_visible_with_its_namespace(vault: RunningVault) -> None:
    plain = hvac.Client(vault.addr, vault.token)
    with pytest.raises(hx.InvalidPath):
        plain.secrets.kv.v2.read_secret_version(
            "oncall/pagerduty", mount_point="secret", raise_on_deleted_version=True
        )
    in_ops = hvac.Client(vault.addr, vault.token, namespace="ops")
    secret = in_ops.secrets.kv.v2.read_secret_version(
        "oncall/pagerduty", mount_point="secret", raise_on_deleted_version=True
    )
    assert len(secret["data"]["data"]["routing_key"]) == 32
    by_prefix = plain.secrets.kv.v2.read_secret_version(
        "oncall/pagerduty", mount_point="ops/secret", raise_on_deleted_version=True
    )
    assert by_prefix["data"]["data"] == secret["data"]["data"]
    assert set(in_ops.sys.list_mounted_secrets_engines()["data"]) == {
        "cubbyhole/",
        "identity/",
        "secret/",
        "sys/",
    }


def test_namespace_policies_name_the_full_path(vault: RunningVault) -> None:
    narrow = hvac.Client(vault.addr, vault.double.seed_tokens["deliverability"], namespace="ops")
    with pytest.raises(hx.Forbidden):
        narrow.secrets.kv.v2.list_secrets("", mount_point="secret")
    oncall = hvac.Client(vault.addr, vault.double.seed_tokens["oncall"], namespace="ops")
    assert oncall.secrets.kv.v2.list_secrets("", mount_point="secret")["data"]["keys"] == [
        "oncall/"
    ]


# -- where it listens, and the command line --------------------------------------------------------


def test_it_listens_on_loopback_only(vault: RunningVault) -> None:
    assert vault.addr.startswith("http://127.0.0.1:")


def test_the_command_line_prints_export_lines_and_stops_on_sigint(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "penguin_tui.vaultdouble", "--seed", "none", "--token", "cli-t"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        addr_line = proc.stdout.readline().strip()
        token_line = proc.stdout.readline().strip()
        assert re.fullmatch(r"export VAULT_ADDR=http://127\.0\.0\.1:\d+", addr_line)
        assert token_line == "export VAULT_TOKEN=cli-t"
        addr = addr_line.split("=", 1)[1]
        client = hvac.Client(addr, "cli-t")
        assert client.auth.token.lookup_self()["data"]["display_name"] == "root"
        assert set(client.sys.list_mounted_secrets_engines()["data"]) == {
            "cubbyhole/",
            "identity/",
            "sys/",
        }
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0


def test_the_command_line_says_why_it_cannot_listen(capsys: pytest.CaptureFixture[str]) -> None:
    from penguin_tui.vaultdouble.__main__ import main

    with running_vault(seed="none") as taken:
        port = int(taken.addr.rsplit(":", 1)[1])
        assert main(["--port", str(port), "--seed", "none"]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err
