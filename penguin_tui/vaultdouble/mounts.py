"""The mount table: which secrets engine answers under which path, per namespace.

Each namespace (``""`` is the root one) starts with Vault's built-in mounts (``sys/``,
``cubbyhole/``, ``identity/``) and gets KV mounts added by the seed or a test. The entries are
described exactly as ``sys/mounts`` and ``sys/internal/ui/mounts`` show them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from penguin_tui.vaultdouble.auth import random_id
from penguin_tui.vaultdouble.kv import KV1Store, KV2Store

VAULT_VERSION = "1.17.6"  # what sys/health reports: a current release with the APIs used here
KV_PLUGIN_VERSION = "v0.19.0+builtin"
BUILTIN_VERSION = f"v{VAULT_VERSION}+builtin.vault"


@dataclass(slots=True)
class Mount:
    """One mounted engine. ``options`` is None for engines mounted without options (a KV
    mounted plainly, as ``vault secrets enable kv`` does, is version 1)."""

    path: str  # "secret/", always with the trailing slash
    type: str  # "kv", "system", "cubbyhole", "identity"
    description: str = ""
    options: dict[str, str] | None = None
    local: bool = False
    seal_wrap: bool = False
    accessor: str = ""
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    engine: KV1Store | KV2Store | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.accessor:
            self.accessor = random_id(f"{self.type}_", 8).lower()

    @property
    def kv_version(self) -> int | None:
        """1 or 2 for a KV mount, None for others."""
        if self.type != "kv":
            return None
        return 2 if (self.options or {}).get("version") == "2" else 1

    def info(self) -> dict[str, Any]:
        """The mount's entry in ``sys/mounts`` and ``sys/internal/ui/mounts``."""
        builtin = KV_PLUGIN_VERSION if self.type == "kv" else BUILTIN_VERSION
        return {
            "accessor": self.accessor,
            "config": {"default_lease_ttl": 0, "force_no_cache": False, "max_lease_ttl": 0},
            "deprecation_status": "supported" if self.type == "kv" else "",
            "description": self.description,
            "external_entropy_access": False,
            "local": self.local,
            "options": dict(self.options) if self.options is not None else None,
            "plugin_version": "",
            "running_plugin_version": builtin,
            "running_sha256": "",
            "seal_wrap": self.seal_wrap,
            "type": self.type,
            "uuid": self.uuid,
        }


def builtin_mounts() -> dict[str, Mount]:
    """The mounts every Vault namespace starts with."""
    mounts = [
        Mount("cubbyhole/", "cubbyhole", "per-token private secret storage", local=True),
        Mount("identity/", "identity", "identity store"),
        Mount("sys/", "system", "system endpoints used for control, policy and debugging"),
    ]
    return {m.path: m for m in mounts}


@dataclass(slots=True)
class Namespace:
    """A namespace: its path (``""`` for root, ``"ops/"``) and its mounts."""

    path: str
    mounts: dict[str, Mount] = field(default_factory=builtin_mounts)

    def match(self, path: str) -> tuple[Mount, str] | None:
        """The mount serving ``path`` (inside this namespace) and the path within it; the
        longest mount path wins, as in Vault's router."""
        best: Mount | None = None
        for mount_path, mount in self.mounts.items():
            if (path + "/").startswith(mount_path) and (
                best is None or len(mount_path) > len(best.path)
            ):
                best = mount
        if best is None:
            return None
        return best, path[len(best.path) :]

    def add_kv(self, path: str, version: int, description: str = "") -> Mount:
        """Mount a KV engine at ``path``: version 2 gets ``options.version = "2"``, version 1
        is mounted without options (as ``vault secrets enable kv`` does)."""
        path = path.strip("/") + "/"
        if path in self.mounts:
            raise ValueError(f"path is already in use at {path}")
        if version not in (1, 2):
            raise ValueError(f"KV version must be 1 or 2, not {version}")
        mount = Mount(
            path,
            "kv",
            description or ("key/value secret storage" if version == 2 else ""),
            options={"version": "2"} if version == 2 else None,
            engine=KV2Store() if version == 2 else KV1Store(),
        )
        self.mounts[path] = mount
        return mount
