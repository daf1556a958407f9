"""A KV v2 secret's metadata: its versions, when it changed, and its custom metadata.

Metadata carries no secret values (``GET <mount>/metadata/<path>``), which is why the rotation
audit reads only this. Times become epoch seconds (as everywhere in penguin-tui); Vault writes
RFC 3339 with nanoseconds, an empty string for "never", and Go's zero time in some places.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from penguin_tui.vault.client import VaultBadAnswer, VaultClient
from penguin_tui.vault.escape import escape

if TYPE_CHECKING:
    from penguin_tui.vault.mounts import Mount

_GO_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_GO_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|h|m|s)")
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One version in a secret's history."""

    version: int
    created_time: float | None
    deletion_time: float | None  # set: soft-deleted (can be undeleted)
    destroyed: bool

    @property
    def state(self) -> str:
        """ "destroyed", "deleted" or "live"."""
        if self.destroyed:
            return "destroyed"
        return "deleted" if self.deletion_time is not None else "live"


@dataclass(frozen=True, slots=True)
class SecretMetadata:
    """``GET <mount>/metadata/<path>``, typed. ``versions`` is newest first."""

    mount: Mount
    path: str
    created_time: float | None
    updated_time: float | None
    current_version: int
    oldest_version: int
    max_versions: int  # 0: the mount's setting (10 by default)
    cas_required: bool
    delete_version_after_s: float  # 0: never
    custom_metadata: Mapping[str, str] = field(default_factory=dict)
    versions: tuple[VersionInfo, ...] = ()

    @property
    def full_path(self) -> str:
        return self.mount.path + self.path

    def version(self, number: int) -> VersionInfo | None:
        return next((v for v in self.versions if v.version == number), None)

    def custom_labels(self) -> list[tuple[str, str]]:
        """Custom metadata as escaped ``(key, value)`` pairs, sorted (untrusted text)."""
        return sorted((escape(k).text, escape(v).text) for k, v in self.custom_metadata.items())


def read_metadata(client: VaultClient, mount: Mount, path: str) -> SecretMetadata:
    """Read a KV v2 secret's metadata (no values). Blocking; VaultNotFound when absent."""
    if mount.kv_version != 2:
        raise ValueError("only KV version 2 secrets have metadata")
    path = path.strip("/")
    shown = f"read metadata of {escape(mount.path + path).text}"
    answer = client.call(
        shown, lambda hv: hv.secrets.kv.v2.read_secret_metadata(path=path, mount_point=mount.name)
    )
    data = answer.get("data") if isinstance(answer, Mapping) else None
    if not isinstance(data, Mapping):
        raise VaultBadAnswer(f"{shown}: Vault's answer has no data")
    return parse_metadata(mount, path, data)


def parse_metadata(mount: Mount, path: str, data: Mapping[str, Any]) -> SecretMetadata:
    """Vault's metadata ``data`` object as a SecretMetadata (missing fields: defaults)."""
    versions = []
    raw_versions = data.get("versions")
    if isinstance(raw_versions, Mapping):
        for number, info in raw_versions.items():
            if not str(number).isdigit() or not isinstance(info, Mapping):
                continue
            versions.append(
                VersionInfo(
                    int(number),
                    parse_time(info.get("created_time")),
                    parse_time(info.get("deletion_time")),
                    info.get("destroyed") is True,
                )
            )
    versions.sort(key=lambda v: v.version, reverse=True)
    custom = data.get("custom_metadata")
    return SecretMetadata(
        mount=mount,
        path=path,
        created_time=parse_time(data.get("created_time")),
        updated_time=parse_time(data.get("updated_time")),
        current_version=_whole(data.get("current_version")),
        oldest_version=_whole(data.get("oldest_version")),
        max_versions=_whole(data.get("max_versions")),
        cas_required=data.get("cas_required") is True,
        delete_version_after_s=parse_go_duration(data.get("delete_version_after")),
        custom_metadata=(
            {str(k): str(v) for k, v in custom.items()} if isinstance(custom, Mapping) else {}
        ),
        versions=tuple(versions),
    )


def parse_time(value: object) -> float | None:
    """Vault's RFC 3339 time (nanoseconds allowed) as epoch seconds; None for none or bad."""
    if not isinstance(value, str) or not value or value.startswith("0001-01-01"):
        return None
    text = _FRACTION.sub(r"\1", value.strip())  # Python keeps microseconds at most
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # Vault always says the zone; a time without one is not Vault's
    return moment.timestamp()


def parse_go_duration(value: object) -> float:
    """A Go duration as Vault prints it (``"0s"``, ``"768h0m0s"``, ``"1.5s"``) in seconds.

    Vault also accepts plain seconds on input; an unreadable value counts as 0 (never).
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        return 0.0
    text = value.strip()
    if text.isdigit():
        return float(text)
    total, pos = 0.0, 0
    while pos < len(text):
        m = _GO_PART.match(text, pos)
        if m is None:
            return 0.0
        total += float(m.group(1)) * _GO_UNITS[m.group(2)]
        pos = m.end()
    return total


def _whole(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
