"""The ``sys/`` and token endpoints a browser uses: health, seal status, mounts (the full
table and the UI's per-token view), capabilities-self and lookup-self.

``sys/health`` follows Vault's handler: 200 active, 429 standby, 473 performance standby,
501 not initialised, 503 sealed; ``standbyok``/``perfstandbyok`` and the ``*code`` overrides
as query parameters; a bad parameter is 400 ``{"errors": []}``; HEAD answers the status alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from penguin_tui.demo.httpserver import Response
from penguin_tui.vaultdouble.auth import Token, TokenStore, random_id
from penguin_tui.vaultdouble.envelope import (
    JSON,
    VaultError,
    error_response,
    json_response,
    logical,
)
from penguin_tui.vaultdouble.mounts import BUILTIN_VERSION, VAULT_VERSION, Namespace

_CODE_PARAMS = {
    "uninitcode": 501,
    "sealedcode": 503,
    "standbycode": 429,
    "activecode": 200,
    "drsecondarycode": 472,
    "performancestandbycode": 473,
    "haunhealthycode": 474,
    "removedcode": 530,
}


@dataclass(slots=True)
class ServerState:
    """What ``sys/health`` and ``sys/seal-status`` report; tests flip these."""

    initialized: bool = True
    sealed: bool = False
    standby: bool = False
    performance_standby: bool = False
    cluster_name: str = "vault-cluster-penguinmails"
    cluster_id: str = field(default_factory=lambda: random_id("", 8).lower() + "-double")
    version: str = VAULT_VERSION


def _go_bool(text: str) -> bool:
    # strconv.ParseBool: anything else (including an empty value) is an error.
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise ValueError(text)


def health(state: ServerState, method: str, query: dict[str, str], now: float) -> Response:
    """``GET``/``HEAD sys/health``."""
    try:
        standby_ok = _go_bool(query["standbyok"]) if "standbyok" in query else False
        perf_ok = _go_bool(query["perfstandbyok"]) if "perfstandbyok" in query else False
        codes = {name: int(query.get(name, default)) for name, default in _CODE_PARAMS.items()}
    except ValueError:
        return error_response(400)
    if not state.initialized:
        code = codes["uninitcode"]
    elif state.sealed:
        code = codes["sealedcode"]
    elif state.performance_standby:
        code = codes["activecode"] if perf_ok else codes["performancestandbycode"]
    elif state.standby:
        code = codes["activecode"] if standby_ok else codes["standbycode"]
    else:
        code = codes["activecode"]
    if method == "HEAD":
        return Response(code, b"", JSON, {"Cache-Control": "no-store"})
    standby = state.standby or state.performance_standby or state.sealed or not state.initialized
    body: dict[str, Any] = {
        "initialized": state.initialized,
        "sealed": state.sealed or not state.initialized,
        "standby": standby,
        "performance_standby": state.performance_standby,
        "replication_performance_mode": "disabled",
        "replication_dr_mode": "disabled",
        "server_time_utc": int(now),
        "version": state.version,
        "enterprise": False,
    }
    if state.initialized and not state.sealed:  # Vault omits these while sealed
        body["cluster_name"] = state.cluster_name
        body["cluster_id"] = state.cluster_id
    body |= {"echo_duration_ms": 0, "clock_skew_ms": 0, "replication_primary_canary_age_ms": 0}
    return json_response(body, code)


def seal_status(state: ServerState) -> Response:
    """``GET sys/seal-status`` (no token needed, answered even when sealed)."""
    body: dict[str, Any] = {
        "type": "shamir",
        "initialized": state.initialized,
        "sealed": state.sealed or not state.initialized,
        "t": 1,
        "n": 1,
        "progress": 0,
        "nonce": "",
        "version": state.version,
        "build_date": "2024-09-26T12:20:20Z",
        "migration": False,
        "recovery_seal": False,
        "storage_type": "inmem",
    }
    if state.initialized and not state.sealed:
        body["cluster_name"] = state.cluster_name
        body["cluster_id"] = state.cluster_id
    return json_response(body)


def mounts(ns: Namespace) -> Response:
    """``GET sys/mounts``: every mount of the namespace, in ``data`` and (as Vault still does
    for old clients) at the top level of the body too."""
    data = {path: m.info() for path, m in sorted(ns.mounts.items())}
    return logical(data, mount_type="system", top_level=True)


_TOKEN_AUTH = {
    "accessor": "auth_token_double",
    "config": {
        "default_lease_ttl": 0,
        "force_no_cache": False,
        "max_lease_ttl": 0,
        "token_type": "default-service",
    },
    "deprecation_status": "",
    "description": "token based credentials",
    "external_entropy_access": False,
    "local": False,
    "options": None,
    "plugin_version": "",
    "running_plugin_version": BUILTIN_VERSION,
    "running_sha256": "",
    "seal_wrap": False,
    "type": "token",
    "uuid": "9c2e5b7a-0d1f-4a3b-8c6d-double000token",
}


def ui_mounts(ns: Namespace, tokens: TokenStore, token: Token | None) -> Response:
    """``GET sys/internal/ui/mounts``: the mounts this token may use. Without a token Vault
    shows only mounts tuned to be listed unauthenticated, which the double has none of."""
    secret: dict[str, Any] = {}
    auth: dict[str, Any] = {}
    if token is not None:
        # Every mount the token has some rule under, sys/ and identity/ included (the default
        # policy reaches both): clients must pick the KV mounts out by type.
        for path, mount in sorted(ns.mounts.items()):
            if tokens.sees_mount(token, ns.path + path, path):
                secret[path] = mount.info()
        auth["token/"] = dict(_TOKEN_AUTH)
    return logical({"auth": auth, "secret": secret}, mount_type="system")


def ui_mount(ns: Namespace, tokens: TokenStore, token: Token | None, path: str) -> Response:
    """``GET sys/internal/ui/mounts/<path>``: the mount serving ``path`` (the vault CLI's KV
    preflight). 403 with Vault's preflight message when there is none or it is not visible."""
    clean = path.strip("/") + "/"
    denied = VaultError(
        403,
        "preflight capability check returned 403, please ensure client's policies grant "
        f'access to path "{clean}"',
    )
    found = ns.match(path.strip("/"))
    if found is None or token is None:
        raise denied
    mount = found[0]
    if not tokens.sees_mount(token, ns.path + mount.path, mount.path):
        raise denied
    return logical({**mount.info(), "path": mount.path}, mount_type="system")


def capabilities_self(ns: Namespace, tokens: TokenStore, token: Token, body: Any) -> Response:
    """``POST sys/capabilities-self``: the token's capabilities on each of ``paths``."""
    paths: Any = None
    if isinstance(body, dict):
        paths = body.get("paths") or body.get("path")
    if isinstance(paths, str):
        paths = [p.strip() for p in paths.split(",") if p.strip()]
    if not paths or not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise VaultError(400, "missing paths")
    data: dict[str, Any] = {}
    for path in paths:
        rel = path.lstrip("/")
        if token.is_root:
            data[path] = ["root"]
            continue
        caps = sorted(tokens.allowed(token, ns.path + rel, rel))
        data[path] = caps or ["deny"]
    if len(paths) == 1:  # kept by Vault for clients of the one-path form
        data["capabilities"] = data[paths[0]]
    return logical(data, mount_type="system", top_level=True)


def lookup_self(token: Token, now: float) -> Response:
    """``GET auth/token/lookup-self``."""
    return logical(token.lookup(now), mount_type="token")
