"""The secrets screen's status line: Vault's health and what the token is.

``sys/health`` answers with its status code as much as with its body (200 active, 429 standby,
472 DR secondary, 473 performance standby, 474 standby without its active node, 501 not
initialised, 503 sealed), and needs no token. ``auth/token/lookup-self`` gives the token's
display name, policies and time to live; its answer also holds the token itself (``id``),
which is dropped the moment the answer arrives. A token that expires within 15 minutes is
a warning. ``read_status`` never raises for Vault's troubles: they become ``problems``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from penguin_tui.durations import format_duration
from penguin_tui.text import sanitize
from penguin_tui.vault.client import VaultBadAnswer, VaultClient, VaultError, VaultForbidden
from penguin_tui.vault.metadata import parse_time

EXPIRY_WARNING_S = 15 * 60.0
_STATE_BY_CODE = {
    200: "active",
    429: "standby",
    472: "DR secondary",
    473: "performance standby",
    474: "standby (cannot reach the active node)",
    501: "not initialized",
    503: "sealed",
}


@dataclass(frozen=True, slots=True)
class Health:
    """``sys/health`` as the status line shows it."""

    code: int
    initialized: bool
    sealed: bool
    standby: bool
    performance_standby: bool = False
    version: str = ""
    cluster_name: str = ""

    @property
    def state(self) -> str:
        """ "active", "standby", "sealed", "not initialized", ... (from code and body)."""
        if self.sealed:
            return "sealed"
        if not self.initialized:
            return "not initialized"
        if self.code in _STATE_BY_CODE:
            return _STATE_BY_CODE[self.code]
        if self.performance_standby:
            return "performance standby"
        return "standby" if self.standby else "active"

    @property
    def usable(self) -> bool:
        """Whether reads can work (a standby forwards them to the active node)."""
        return self.initialized and not self.sealed


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What ``lookup-self`` says about the token (never the token itself)."""

    display_name: str
    policies: tuple[str, ...]
    ttl_s: int  # at lookup time; 0: never expires (root tokens)
    looked_up_at: float
    expire_time: float | None = None
    renewable: bool = False

    def ttl_left(self, now: float) -> float | None:
        """Seconds left at ``now``; None for a token that never expires."""
        if self.ttl_s <= 0:
            return None
        return self.ttl_s - (now - self.looked_up_at)

    def expiry_warning(self, now: float, within_s: float = EXPIRY_WARNING_S) -> str:
        """A warning when the token expires within ``within_s`` (or has expired), else ""."""
        left = self.ttl_left(now)
        if left is None or left > within_s:
            return ""
        if left <= 0:
            return "the Vault token has expired: log in again (vault login)"
        how = "renew it (vault token renew) or log in again" if self.renewable else "log in again"
        return f"the Vault token expires in {format_duration(left)}: {how}"


@dataclass(frozen=True, slots=True)
class VaultStatus:
    """Health, token and everything worth warning about, for one status line."""

    addr: str
    namespace: str
    health: Health | None
    token: TokenInfo | None
    problems: tuple[str, ...] = ()  # what could not be read, in plain words
    warnings: tuple[str, ...] = ()  # permanent ones from the settings (skip_verify, ...)

    def all_warnings(self, now: float) -> list[str]:
        """The settings' warnings plus the token's expiry warning at ``now``."""
        found = list(self.warnings)
        if self.token is not None:
            expiry = self.token.expiry_warning(now)
            if expiry:
                found.append(expiry)
        return found

    def line(self, now: float) -> str:
        """``"vault 1.15.2 active · token ann (default, ops) · ttl 2h 5m"`` (sanitised)."""
        parts = []
        if self.health is None:
            parts.append("vault unreachable")
        else:
            version = f" {self.health.version}" if self.health.version else ""
            parts.append(f"vault{version} {self.health.state}")
        if self.namespace:
            parts.append(f"namespace {self.namespace}")
        if self.token is not None:
            policies = ", ".join(self.token.policies) or "no policies"
            parts.append(f"token {self.token.display_name or '?'} ({policies})")
            left = self.token.ttl_left(now)
            parts.append(
                "ttl never expires" if left is None else f"ttl {format_duration(max(0, left))}"
            )
        return sanitize(" · ".join(parts), single_line=True, max_len=300)


def read_health(client: VaultClient) -> Health:
    """``GET sys/health`` (no token needed). Blocking; raises VaultError when unreachable."""
    code, body = client.call("read sys/health", _health_raw)
    if not isinstance(body, Mapping) or "sealed" not in body:
        raise VaultBadAnswer(f"read sys/health: answered {code} without Vault's health fields")
    return Health(
        code=code,
        initialized=body.get("initialized") is not False,
        sealed=body.get("sealed") is True,
        standby=body.get("standby") is True,
        performance_standby=body.get("performance_standby") is True,
        version=sanitize(str(body.get("version") or ""), single_line=True, max_len=40),
        cluster_name=sanitize(str(body.get("cluster_name") or ""), single_line=True, max_len=80),
    )


def _health_raw(hv: Any) -> tuple[int, object]:
    # raise_exception=False in hvac: a standby's 429 or a sealed 503 is an answer here.
    answer = hv.sys.read_health_status(method="GET")
    if isinstance(answer, Mapping):
        return 200, answer
    code = int(getattr(answer, "status_code", 0))
    try:
        return code, answer.json()
    except ValueError:
        return code, None


def lookup_token(client: VaultClient, now: float | None = None) -> TokenInfo:
    """``GET auth/token/lookup-self``: the token's name, policies and TTL. Blocking."""
    looked_up_at = time.time() if now is None else now
    what = "look up the Vault token"
    try:
        data = client.call(what, _token_fields)
    except VaultForbidden as exc:
        if not client.settings.token:
            raise
        # The default policy lets every token look itself up: a 403 means a bad token.
        raise VaultForbidden(
            f"{what}: the token is invalid, expired or revoked; log in again (vault login)",
            status=exc.status,
        ) from None
    policies = data.get("policies")
    ttl = data.get("ttl")
    return TokenInfo(
        display_name=sanitize(str(data.get("display_name") or ""), single_line=True, max_len=80),
        policies=tuple(
            sanitize(str(p), single_line=True, max_len=60)
            for p in (policies if isinstance(policies, list) else [])
        ),
        ttl_s=ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else 0,
        looked_up_at=looked_up_at,
        expire_time=parse_time(data.get("expire_time")),
        renewable=data.get("renewable") is True,
    )


_TOKEN_FIELDS = ("display_name", "policies", "ttl", "expire_time", "renewable")


def _token_fields(hv: Any) -> dict[str, Any]:
    # lookup-self's data holds the token itself ("id"): keep only what is shown.
    answer = hv.auth.token.lookup_self()
    data = answer.get("data") if isinstance(answer, Mapping) else None
    if not isinstance(data, Mapping):
        raise VaultBadAnswer("look up the Vault token: Vault's answer has no data")
    return {k: data.get(k) for k in _TOKEN_FIELDS}


def read_status(
    client: VaultClient, now: float | None = None, *, warnings: tuple[str, ...] = ()
) -> VaultStatus:
    """Health and token in one go, for the status line. Blocking; never raises VaultError.

    A sealed Vault is not asked about the token (it would only answer 503).
    """
    now = time.time() if now is None else now
    settings = client.settings
    problems: list[str] = []
    health: Health | None = None
    token: TokenInfo | None = None
    try:
        health = read_health(client)
    except VaultError as exc:
        problems.append(exc.message)
    if health is not None and health.usable:
        try:
            token = lookup_token(client, now)
        except VaultError as exc:
            problems.append(exc.message)
    elif health is not None:
        problems.append(f"Vault at {settings.addr} is {health.state}")
    return VaultStatus(
        settings.addr,
        settings.namespace,
        health,
        token,
        tuple(problems),
        tuple(settings.warnings) + warnings,
    )
