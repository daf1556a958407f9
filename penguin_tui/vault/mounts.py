"""The KV mounts the browser can show, and which KV version each one speaks.

``sys/mounts`` lists every secrets engine but needs a policy on ``sys/mounts`` that operators'
tokens often lack; ``sys/internal/ui/mounts`` (what the vault CLI and UI use) lists the mounts
the token has some capability on. The version is detected as the vault CLI does: type ``kv``
with ``options.version`` "2" is KV v2, any other ``kv`` is v1, and ``generic`` (KV's old name)
is v1. Other engines are not browsable and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from penguin_tui.text import sanitize
from penguin_tui.vault.client import VaultBadAnswer, VaultClient, VaultForbidden
from penguin_tui.vault.escape import shown

SYS_MOUNTS = "sys/mounts"
UI_MOUNTS = "sys/internal/ui/mounts"


@dataclass(frozen=True, slots=True)
class Mount:
    """A KV mount: ``path`` as Vault names it (``"secret/"``), used verbatim in requests."""

    path: str
    type: str
    kv_version: int  # 1 or 2
    description: str = ""  # sanitised

    @property
    def name(self) -> str:
        """The path without its trailing slash (``secret``), for ``mount_point``."""
        return self.path.rstrip("/")

    @property
    def label(self) -> str:
        """The path for display, escaped (mount paths are Vault's text, not ours)."""
        return shown(self.path)


@dataclass(frozen=True, slots=True)
class MountList:
    """The browsable mounts and where the list came from (``note`` says when it is partial)."""

    mounts: tuple[Mount, ...]
    source: str  # SYS_MOUNTS or UI_MOUNTS
    note: str = ""

    def get(self, name: str) -> Mount | None:
        """The mount called ``name`` (with or without its trailing slash)."""
        wanted = name.strip("/") + "/"
        return next((m for m in self.mounts if m.path == wanted), None)


def kv_version(entry: Mapping[str, Any]) -> int | None:
    """1 or 2 for a KV mount's description (from either endpoint), None for other engines."""
    kind = entry.get("type")
    if kind == "generic":
        return 1
    if kind != "kv":
        return None
    options = entry.get("options")
    version = options.get("version") if isinstance(options, Mapping) else None
    return 2 if str(version) == "2" else 1


def parse_mounts(table: Mapping[str, Any]) -> tuple[Mount, ...]:
    """The KV mounts in ``{"secret/": {"type": "kv", ...}, ...}``, sorted by path."""
    mounts = []
    for path, entry in table.items():
        if not isinstance(path, str) or not path.strip("/") or not isinstance(entry, Mapping):
            continue
        version = kv_version(entry)
        if version is None:
            continue
        description = sanitize(str(entry.get("description") or ""), single_line=True, max_len=200)
        mounts.append(Mount(path.strip("/") + "/", str(entry["type"]), version, description))
    return tuple(sorted(mounts, key=lambda m: m.path))


def list_mounts(client: VaultClient) -> MountList:
    """The KV mounts: from sys/mounts, else (403) from sys/internal/ui/mounts. Blocking."""
    try:
        answer = client.call(f"read {SYS_MOUNTS}", lambda hv: hv.sys.list_mounted_secrets_engines())
    except VaultForbidden:
        answer = None
    if answer is not None:
        return MountList(parse_mounts(_data(answer, SYS_MOUNTS)), SYS_MOUNTS)
    answer = client.call(f"read {UI_MOUNTS}", lambda hv: hv.adapter.get(f"/v1/{UI_MOUNTS}"))
    secret = _data(answer, UI_MOUNTS).get("secret")
    if not isinstance(secret, Mapping):
        raise VaultBadAnswer(f"read {UI_MOUNTS}: no secret engines in Vault's answer")
    return MountList(
        parse_mounts(secret),
        UI_MOUNTS,
        "the token may not read sys/mounts: showing the mounts it has access to",
    )


def find_mount(mounts: Iterable[Mount], full_path: str) -> tuple[Mount, str] | None:
    """Split ``secret/app/db`` into its mount and the path inside it (longest mount wins)."""
    full = full_path.lstrip("/")
    best = None
    for mount in mounts:
        if (full + "/").startswith(mount.path) and (
            best is None or len(mount.path) > len(best.path)
        ):
            best = mount
    if best is None:
        return None
    return best, full[len(best.path) :] if len(full) >= len(best.path) else ""


def _data(answer: object, endpoint: str) -> Mapping[str, Any]:
    if not isinstance(answer, Mapping):
        raise VaultBadAnswer(f"read {endpoint}: Vault's answer is not a JSON object")
    data = answer.get("data")
    # Old Vaults (and sys/mounts' legacy copy) put the table at the top level.
    return data if isinstance(data, Mapping) else answer
