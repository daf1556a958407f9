"""The KV secrets engines' storage: version 1 (plain) and version 2 (versioned), in memory.

These classes hold data and apply Vault's rules (check-and-set, max_versions trimming, soft
delete, undelete, destroy, delete_version_after, custom_metadata); ``kv_api`` maps HTTP
requests onto them. Times are epoch seconds from the caller, so a test clock drives them.
Values stay in memory only: nothing here writes to disk or logs, and no repr shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_VERSIONS = 10  # what Vault keeps when neither the key nor the mount sets a limit
CUSTOM_METADATA_MAX_KEYS = 64
CUSTOM_METADATA_MAX_KEY_LEN = 128
CUSTOM_METADATA_MAX_VALUE_LEN = 512


class KVError(Exception):
    """A request the engine refuses; ``status`` and ``message`` are what Vault answers."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Tree:
    """The folder index behind LIST: for each folder (``""``, ``"a/"``, ``"a/b/"``) its
    children (``"x"`` for a secret, ``"y/"`` for a folder). Kept up to date on every write and
    removal so a LIST costs one sort of one folder, however large the mount."""

    def __init__(self) -> None:
        self._children: dict[str, set[str]] = {}

    def add(self, path: str) -> None:
        """Index the secret at ``path`` and every folder above it."""
        parts = path.split("/")
        folder = ""
        for part in parts[:-1]:
            self._children.setdefault(folder, set()).add(part + "/")
            folder += part + "/"
        self._children.setdefault(folder, set()).add(parts[-1])

    def remove(self, path: str) -> None:
        """Forget the secret at ``path``, and each folder above it that became empty."""
        folder, _, name = path.rpartition("/")
        folder = folder + "/" if folder else ""
        while True:
            children = self._children.get(folder)
            if children is None:
                return
            children.discard(name)
            if children or not folder:
                return
            del self._children[folder]
            parent, _, name = folder[:-1].rpartition("/")
            name += "/"
            folder = parent + "/" if parent else ""

    def list(self, folder: str) -> list[str]:
        """The sorted children of ``folder`` (``""`` is the mount's root); empty if none."""
        return sorted(self._children.get(folder, ()))


@dataclass(slots=True)
class KV1Store:
    """A KV version 1 mount: a path holds one JSON object, overwritten on every write."""

    secrets: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    tree: Tree = field(default_factory=Tree, repr=False)

    def read(self, path: str) -> dict[str, Any] | None:
        """The secret at ``path``, or None."""
        return self.secrets.get(path)

    def write(self, path: str, data: dict[str, Any]) -> None:
        """Store ``data`` at ``path`` (replacing what was there)."""
        if path not in self.secrets:
            self.tree.add(path)
        self.secrets[path] = dict(data)

    def delete(self, path: str) -> None:
        """Remove the secret at ``path`` (no error when there is none, as Vault)."""
        if self.secrets.pop(path, None) is not None:
            self.tree.remove(path)

    def exists(self, path: str) -> bool:
        """Whether a secret is stored at ``path`` (decides create vs update capability)."""
        return path in self.secrets


@dataclass(slots=True)
class Version:
    """One version of a KV v2 secret; ``data`` is None once destroyed."""

    created: float
    deletion: float | None = None
    destroyed: bool = False
    data: dict[str, Any] | None = field(default=None, repr=False)

    def deleted(self, now: float) -> bool:
        """Soft-deleted as of ``now`` (a deletion time in the future is not yet deleted)."""
        return self.deletion is not None and self.deletion <= now


@dataclass(slots=True)
class KeyMeta:
    """A KV v2 key's metadata and its versions."""

    versions: dict[int, Version] = field(default_factory=dict)
    current: int = 0
    oldest: int = 0
    created: float | None = None
    updated: float | None = None
    max_versions: int = 0
    cas_required: bool = False
    delete_version_after: float = 0.0
    custom_metadata: dict[str, str] | None = None


@dataclass(slots=True)
class KV2Config:
    """A KV v2 mount's ``config/``: defaults for every key."""

    max_versions: int = 0
    cas_required: bool = False
    delete_version_after: float = 0.0


@dataclass(slots=True)
class KV2Store:
    """A KV version 2 mount: versioned secrets with metadata."""

    keys: dict[str, KeyMeta] = field(default_factory=dict, repr=False)
    tree: Tree = field(default_factory=Tree, repr=False)
    config: KV2Config = field(default_factory=KV2Config)

    def meta(self, path: str) -> KeyMeta | None:
        """The metadata of ``path``, or None when the key does not exist."""
        return self.keys.get(path)

    def exists(self, path: str) -> bool:
        """Whether ``path`` has metadata (decides create vs update capability)."""
        return path in self.keys

    def _key(self, path: str) -> KeyMeta:
        meta = self.keys.get(path)
        if meta is None:
            meta = self.keys[path] = KeyMeta()
            self.tree.add(path)
        return meta

    def write(
        self,
        path: str,
        data: dict[str, Any],
        now: float,
        *,
        cas: int | None = None,
    ) -> tuple[KeyMeta, int]:
        """Write a new version of ``path`` at time ``now``; returns (metadata, version).

        Raises KVError(400) when check-and-set is required and missing, or does not match.
        """
        meta = self.keys.get(path)
        current = meta.current if meta is not None else 0
        if cas is not None:
            if cas != current:
                raise KVError(400, "check-and-set parameter did not match the current version")
        elif self.config.cas_required or (meta is not None and meta.cas_required):
            raise KVError(400, "check-and-set parameter required for this call")
        meta = self._key(path)
        meta.current += 1
        version = Version(created=now, data=dict(data))
        after = meta.delete_version_after or self.config.delete_version_after
        if after > 0:
            version.deletion = now + after
        meta.versions[meta.current] = version
        meta.updated = now
        if meta.created is None:
            meta.created = now
        self._trim(meta)
        return meta, meta.current

    def _trim(self, meta: KeyMeta) -> None:
        keep = meta.max_versions or self.config.max_versions or DEFAULT_MAX_VERSIONS
        if len(meta.versions) <= keep:
            return
        # Vault removes every version up to current - keep and records the new oldest.
        to_delete = meta.current - keep
        for number in [n for n in meta.versions if n <= to_delete]:
            del meta.versions[number]
        meta.oldest = to_delete + 1

    def delete_versions(self, path: str, versions: list[int], now: float) -> None:
        """Soft-delete ``versions`` (already deleted or destroyed ones are left as they are)."""
        meta = self.keys.get(path)
        if meta is None:
            return
        for number in versions:
            version = meta.versions.get(number)
            if version is None or version.destroyed or version.deleted(now):
                continue
            version.deletion = now

    def undelete_versions(self, path: str, versions: list[int]) -> None:
        """Clear the deletion of ``versions`` (destroyed ones stay destroyed)."""
        meta = self.keys.get(path)
        if meta is None:
            return
        for number in versions:
            version = meta.versions.get(number)
            if version is not None and not version.destroyed:
                version.deletion = None

    def destroy_versions(self, path: str, versions: list[int]) -> None:
        """Destroy ``versions``: their data is gone for good, the metadata stays."""
        meta = self.keys.get(path)
        if meta is None:
            return
        for number in versions:
            version = meta.versions.get(number)
            if version is not None:
                version.destroyed = True
                version.data = None

    def delete_metadata(self, path: str) -> None:
        """Remove the key, its metadata and every version."""
        if self.keys.pop(path, None) is not None:
            self.tree.remove(path)

    def update_metadata(
        self,
        path: str,
        *,
        max_versions: int | None = None,
        cas_required: bool | None = None,
        delete_version_after: float | None = None,
        custom_metadata: dict[str, str] | None = None,
    ) -> KeyMeta:
        """Set the given metadata fields of ``path`` (creating the key without versions if
        need be, as Vault does). Raises KVError(400) for invalid custom metadata."""
        if custom_metadata is not None:
            check_custom_metadata(custom_metadata)
        meta = self._key(path)
        if max_versions is not None:
            # Like Vault, a lower limit trims old versions on the next write, not now.
            meta.max_versions = max_versions
        if cas_required is not None:
            meta.cas_required = cas_required
        if delete_version_after is not None:
            meta.delete_version_after = delete_version_after
        if custom_metadata is not None:
            meta.custom_metadata = dict(custom_metadata) or None
        return meta


def check_custom_metadata(custom: object) -> None:
    """Vault's limits on custom_metadata: a map of strings, at most 64 keys, keys up to 128
    bytes, values up to 512. Raises KVError(400) naming the first problem."""
    if not isinstance(custom, dict):
        raise KVError(400, "custom_metadata must be a map of strings")
    problems = []
    if len(custom) > CUSTOM_METADATA_MAX_KEYS:
        problems.append(
            f"payload must contain at most {CUSTOM_METADATA_MAX_KEYS} keys, provided: {len(custom)}"
        )
    for key, value in custom.items():
        if not isinstance(value, str):
            problems.append(f"value for key {key!r} is not a string")
            continue
        if len(key.encode()) > CUSTOM_METADATA_MAX_KEY_LEN:
            problems.append(
                f"length of key {key!r} is {len(key.encode())} "
                f"but max allowed is {CUSTOM_METADATA_MAX_KEY_LEN}"
            )
        if len(value.encode()) > CUSTOM_METADATA_MAX_VALUE_LEN:
            problems.append(
                f"length of value for key {key!r} is {len(value.encode())} "
                f"but max allowed is {CUSTOM_METADATA_MAX_VALUE_LEN}"
            )
    if problems:
        raise KVError(400, "custom_metadata validation failed: " + "; ".join(problems))
