"""Walking a KV v2 subtree for the rotation audit: every secret's metadata, never a value.

Folders are listed level by level and metadata read in parallel on the client's worker
threads (a tree of 10,000 secrets is 1,000 LISTs and 10,000 small GETs). A folder the token may
not list, or a secret whose metadata it may not read, is recorded in ``skipped`` and the walk
goes on; being unreachable or sealed ends it (VaultError).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from penguin_tui.vault.client import VaultClient, VaultForbidden, VaultNotFound
from penguin_tui.vault.escape import shown
from penguin_tui.vault.metadata import SecretMetadata, read_metadata
from penguin_tui.vault.mounts import Mount
from penguin_tui.vault.rotation import DEFAULT_PERIOD_S, Rotation, rotation
from penguin_tui.vault.tree import FolderState, fetch_listing


@dataclass(frozen=True, slots=True)
class Judged:
    """One secret's metadata and rotation state."""

    meta: SecretMetadata
    rotation: Rotation


@dataclass(slots=True)
class WalkResult:
    """What a walk found: every secret judged, and what it could not look at."""

    judged: list[Judged] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # escaped paths and why
    problems: list[str] = field(default_factory=list)  # e.g. an unreadable rotation_period

    @property
    def overdue(self) -> list[Judged]:
        """The overdue secrets, most overdue first."""
        found = [j for j in self.judged if j.rotation.overdue]
        return sorted(found, key=lambda j: (-j.rotation.overdue_by_s, j.meta.full_path))


def walk_mount(
    client: VaultClient,
    mount: Mount,
    start: str = "",
    *,
    default_period_s: float = DEFAULT_PERIOD_S,
    now: float | None = None,
    result: WalkResult | None = None,
) -> WalkResult:
    """Judge every secret at or below ``start`` in a KV v2 ``mount``. Blocking.

    ``start`` "" or ending in "/" is a folder; a name without the slash is both the secret of
    that name (when there is one) and the folder of that name, as Vault allows both.
    """
    if mount.kv_version != 2:
        raise ValueError("only KV version 2 mounts keep the times a rotation audit needs")
    now = time.time() if now is None else now
    result = result if result is not None else WalkResult()
    start = start.lstrip("/")
    secrets: list[str] = []
    if start and not start.endswith("/"):
        secrets.append(start)
        start += "/"
    level = [start]
    while level:
        listings = client.map(lambda path: fetch_listing(client, mount, path), level)
        level = []
        for listing in listings:
            if listing.state is FolderState.FORBIDDEN:
                result.skipped.append(f"{shown(mount.path + listing.path)} (may not list)")
                continue
            for key in listing.keys:
                (level if key.endswith("/") else secrets).append(listing.path + key)

    def judge(path: str) -> SecretMetadata | str | None:
        try:
            return read_metadata(client, mount, path)
        except VaultForbidden:
            return f"{shown(mount.path + path)} (may not read its metadata)"
        except VaultNotFound:
            return None  # deleted between the LIST and now, or a named start that is no secret

    for found in client.map(judge, sorted(set(secrets))):
        if isinstance(found, str):
            result.skipped.append(found)
        elif found is not None:
            state = rotation(found, now, default_period_s)
            if state.problem:
                result.problems.append(f"{shown(found.full_path)}: {state.problem}")
            result.judged.append(Judged(found, state))
    return result
