"""Tokens and ACL policies, as Vault's token store and policy engine apply them.

A policy is a set of path rules (``"secret/data/api/*": ["read"]``) with Vault's glob rules: a
trailing ``*`` matches any suffix, a ``+`` segment matches one path segment. When several rules
match a path, the most specific one wins (Vault's priority order), rules with the same pattern
in different policies are merged, and ``deny`` beats everything. ``root`` may do anything.

Tokens carry policies, a display name and a time to live counted on the double's clock, so a
test can let a token expire. Token IDs are secrets: no repr or log shows them.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from penguin_tui.vaultdouble.timefmt import rfc3339nano

CAPABILITIES = frozenset({"create", "read", "update", "patch", "delete", "list", "sudo", "deny"})
_ALPHABET = string.ascii_letters + string.digits

# Vault's built-in "default" policy, the parts a browser touches. It is evaluated on the path
# inside the request's namespace, because Vault attaches a default policy to every namespace.
DEFAULT_POLICY_RULES: dict[str, tuple[str, ...]] = {
    "auth/token/lookup-self": ("read",),
    "auth/token/renew-self": ("update",),
    "auth/token/revoke-self": ("update",),
    "sys/capabilities-self": ("update",),
    "sys/internal/ui/mounts": ("read",),
    "sys/internal/ui/mounts/*": ("read",),
    "sys/internal/ui/resultant-acl": ("read",),
    "cubbyhole/*": ("create", "read", "update", "delete", "list"),
    "identity/oidc/provider/+/authorize": ("read", "update"),
}


def random_id(prefix: str, length: int = 24) -> str:
    """A random base62 identifier with ``prefix`` (``hvs.`` for service tokens, as Vault)."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass(frozen=True, slots=True)
class Rule:
    """One path rule of a policy."""

    pattern: str
    capabilities: frozenset[str]
    regex: re.Pattern[str] = field(compare=False, repr=False)

    @classmethod
    def make(cls, pattern: str, capabilities: Iterable[str]) -> Rule:
        """A rule; raises ValueError for an unknown capability."""
        caps = frozenset(capabilities)
        unknown = caps - CAPABILITIES
        if unknown:
            raise ValueError(f"policy path {pattern!r}: unknown capabilities {sorted(unknown)}")
        return cls(pattern, caps, _compile(pattern))

    def priority(self) -> tuple[int, int, int, int, str]:
        """Vault's priority order (higher wins): the first wildcard later, no trailing glob,
        fewer ``+`` segments, a longer pattern, then the lexicographically larger."""
        first = min((i for i, c in enumerate(self.pattern) if c in "+*"), default=len(self.pattern))
        plus = self.pattern.split("/").count("+")
        return (
            first,
            0 if self.pattern.endswith("*") else 1,
            -plus,
            len(self.pattern),
            self.pattern,
        )

    def literal_prefix(self) -> str:
        """The pattern up to its first wildcard (for "may this token see a mount?")."""
        cut = min((i for i, c in enumerate(self.pattern) if c in "+*"), default=len(self.pattern))
        return self.pattern[:cut]


def _compile(pattern: str) -> re.Pattern[str]:
    glob = pattern.endswith("*")
    body = pattern[:-1] if glob else pattern
    parts = [r"[^/]*" if seg == "+" else re.escape(seg) for seg in body.split("/")]
    return re.compile("/".join(parts) + (".*" if glob else "") + r"\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Policy:
    """A named set of rules."""

    name: str
    rules: tuple[Rule, ...]

    @classmethod
    def from_rules(cls, name: str, rules: Mapping[str, Iterable[str]]) -> Policy:
        """A policy from ``{path pattern: [capabilities]}``."""
        return cls(name, tuple(Rule.make(p, caps) for p, caps in rules.items()))


DEFAULT_POLICY = Policy.from_rules("default", DEFAULT_POLICY_RULES)


def capabilities(policies: Iterable[Policy], path: str) -> frozenset[str]:
    """What ``policies`` allow on ``path``: the most specific matching pattern's capabilities
    (merged across policies), empty when nothing matches or the winner says deny."""
    best: tuple[int, int, int, int, str] | None = None
    caps: set[str] = set()
    for policy in policies:
        for rule in policy.rules:
            if not rule.regex.match(path):
                continue
            prio = rule.priority()
            if best is None or prio > best:
                best, caps = prio, set(rule.capabilities)
            elif prio == best:
                caps |= rule.capabilities
    if "deny" in caps:
        return frozenset()
    return frozenset(caps)


@dataclass(slots=True)
class Token:
    """A service token (or the root token) and what lookup-self tells about it."""

    id: str = field(repr=False)
    accessor: str
    policies: tuple[str, ...]
    display_name: str
    creation_time: float
    ttl: float = 0.0  # seconds from creation; 0 = never expires (root)
    meta: dict[str, str] | None = None
    path: str = "auth/token/create"
    renewable: bool = True
    entity_id: str = ""
    orphan: bool = False

    @property
    def is_root(self) -> bool:
        """Holds the root policy: every capability everywhere."""
        return "root" in self.policies

    def expire_at(self) -> float | None:
        """When it expires (epoch seconds), or None for a token without a TTL."""
        return self.creation_time + self.ttl if self.ttl > 0 else None

    def expired(self, now: float) -> bool:
        """Past its TTL at ``now`` (Vault revokes such tokens: every request is denied)."""
        at = self.expire_at()
        return at is not None and now >= at

    def lookup(self, now: float) -> dict[str, Any]:
        """The ``data`` of ``auth/token/lookup-self``, with the TTL left at ``now``."""
        at = self.expire_at()
        return {
            "accessor": self.accessor,
            "creation_time": int(self.creation_time),
            "creation_ttl": int(self.ttl),
            "display_name": self.display_name,
            "entity_id": self.entity_id,
            "expire_time": rfc3339nano(at) if at is not None else None,
            "explicit_max_ttl": 0,
            "id": self.id,
            "issue_time": rfc3339nano(self.creation_time),
            "meta": self.meta,
            "num_uses": 0,
            "orphan": self.orphan,
            "path": self.path,
            "policies": sorted(self.policies),
            "renewable": self.renewable and at is not None,
            "ttl": max(0, int(at - now)) if at is not None else 0,
            "type": "service",
        }


class TokenStore:
    """Tokens by ID and policies by name."""

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self.policies: dict[str, Policy] = {"default": DEFAULT_POLICY}

    def __repr__(self) -> str:  # never the token IDs
        return f"TokenStore({len(self._tokens)} tokens, policies={sorted(self.policies)})"

    def add_policy(self, name: str, rules: Mapping[str, Iterable[str]]) -> Policy:
        """Define (or replace) the policy ``name``."""
        if name == "root":
            raise ValueError('the "root" policy is built in and cannot be changed')
        policy = Policy.from_rules(name, rules)
        self.policies[name] = policy
        return policy

    def create(
        self,
        policies: Iterable[str],
        now: float,
        *,
        ttl: float = 0.0,
        display_name: str = "token",
        token_id: str | None = None,
        meta: dict[str, str] | None = None,
        path: str = "auth/token/create",
        no_default_policy: bool = False,
    ) -> Token:
        """A new token; "default" is added unless ``no_default_policy`` or it is a root token."""
        names = list(dict.fromkeys(policies))
        if "root" not in names and not no_default_policy and "default" not in names:
            names.append("default")
        missing = [n for n in names if n != "root" and n not in self.policies]
        if missing:
            raise ValueError(f"unknown policies: {', '.join(missing)}")
        token = Token(
            id=token_id or random_id("hvs."),
            accessor=random_id("", 24),
            policies=tuple(names),
            display_name=display_name,
            creation_time=now,
            ttl=ttl,
            meta=meta,
            path=path,
            renewable="root" not in names,
            orphan="root" in names,
        )
        self._tokens[token.id] = token
        return token

    def get(self, token_id: str) -> Token | None:
        """The token with this ID, or None."""
        return self._tokens.get(token_id)

    def revoke(self, token_id: str) -> None:
        """Forget the token (every later request with it is denied)."""
        self._tokens.pop(token_id, None)

    def policies_of(self, token: Token) -> list[Policy]:
        """The token's policies other than "default" (which applies per namespace)."""
        return [self.policies[n] for n in token.policies if n in self.policies and n != "default"]

    def allowed(self, token: Token, full_path: str, ns_path: str) -> frozenset[str]:
        """The token's capabilities on a request path: its own policies on the full path
        (namespace included), the default policy on the path inside the namespace."""
        if token.is_root:
            return CAPABILITIES - {"deny"}
        caps = set(capabilities(self.policies_of(token), full_path))
        if "default" in token.policies:
            caps |= capabilities([self.policies["default"]], ns_path)
        return frozenset(caps)

    def sees_mount(self, token: Token, mount_full_path: str, mount_ns_path: str) -> bool:
        """Whether sys/internal/ui/mounts shows this mount to the token: root, or any rule that
        grants something under it (Vault's "has mount access")."""
        if token.is_root:
            return True
        checks = [(p, mount_full_path) for p in self.policies_of(token)]
        if "default" in token.policies:
            checks.append((self.policies["default"], mount_ns_path))
        for policy, mount in checks:
            for rule in policy.rules:
                if "deny" in rule.capabilities or not rule.capabilities:
                    continue
                prefix = rule.literal_prefix()
                wild = prefix != rule.pattern
                if prefix.startswith(mount) or (wild and mount.startswith(prefix)):
                    return True
        return False
