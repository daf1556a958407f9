"""What the secrets screen holds: one Vault connection, its mounts and tree, all async.

Every method that talks to Vault awaits a worker thread (``VaultClient.run``), so the event
loop never waits on a slow Vault; results are applied to the tree on the caller's (the
loop's) thread. ``reveal``/``copied`` write the audit record first and only then hand the
value out: if the cache cannot record it, the value is not shown. Nothing here imports
Textual or hvac at import time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from penguin_tui.config_model import VaultConfig
from penguin_tui.errors import CacheError
from penguin_tui.vault.audit import Action, VaultAccess, record_access
from penguin_tui.vault.client import VaultClient, VaultError, VaultForbidden, VaultNotFound
from penguin_tui.vault.diff import SecretDiff, diff_secrets
from penguin_tui.vault.metadata import SecretMetadata, read_metadata
from penguin_tui.vault.mounts import Mount, MountList, list_mounts
from penguin_tui.vault.rotation import Rotation, rotation
from penguin_tui.vault.secret import Secret, read_secret
from penguin_tui.vault.settings import VaultSettings, resolve_settings
from penguin_tui.vault.status import VaultStatus, read_status
from penguin_tui.vault.tree import Node, SecretTree, Target, fetch_listing, parse_target

if TYPE_CHECKING:
    from penguin_tui.store import Store


@dataclass(frozen=True, slots=True)
class OpenedSecret:
    """A secret as the screen opens it: one version, the metadata (KV v2) and rotation."""

    secret: Secret
    metadata: SecretMetadata | None  # None for KV v1
    rotation: Rotation | None


class VaultSession:
    """One Vault for one screen. Build with ``VaultSession.from_config``; ``close()`` at the end.

    ``clock`` gives epoch seconds (tests inject one). ``store`` receives the audit records;
    without one (no cache) reveal and copy are refused rather than left unaudited.
    """

    def __init__(
        self,
        settings: VaultSettings,
        config: VaultConfig | None = None,
        *,
        store: Store | None = None,
        clock: Callable[[], float] = time.time,
        client: VaultClient | None = None,
    ) -> None:
        self.settings = settings
        self.config = config or VaultConfig()
        self.store = store
        self.clock = clock
        self.client = client or VaultClient(settings)
        self.mounts: MountList | None = None
        self.tree = SecretTree(())

    @classmethod
    def from_config(
        cls, config: VaultConfig, *, store: Store | None = None, **kwargs: object
    ) -> VaultSession:
        """Resolve the settings (VaultSettingsError, exit 2, when they are unusable)."""
        return cls(resolve_settings(config), config, store=store, **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------------------ reading

    async def status(self) -> VaultStatus:
        """Health and token for the status line (problems inside, never raised)."""
        return await self.client.run(read_status, self.client, self.clock())

    async def load_mounts(self) -> MountList:
        """The KV mounts; the tree starts over with one root per mount."""
        self.mounts = await self.client.run(list_mounts, self.client)
        self.tree = SecretTree(self.mounts.mounts)
        return self.mounts

    async def expand(self, node: Node) -> Node:
        """LIST a folder and put its children in the tree (a 403 is the folder's state)."""
        listing = await self.client.run(fetch_listing, self.client, node.mount, node.path)
        return self.tree.apply(listing)

    def target(self, text: str) -> Target:
        """What "go to path" typed, as a mount and path (PathError in plain words)."""
        mounts = self.mounts.mounts if self.mounts is not None else ()
        return parse_target(mounts, text)

    async def goto(self, text: str) -> Node:
        """Go to a typed path: a folder is listed, a secret is checked to exist; the node is
        added to the tree (so the filter finds it). VaultNotFound for no such secret."""
        target = self.target(text)
        if target.is_folder:
            node = self.tree.add_path(target.mount, target.path)
            return await self.expand(node)
        await self.open(target.mount, target.path)  # raises VaultNotFound / VaultForbidden
        return self.tree.add_path(target.mount, target.path)

    async def open(self, mount: Mount, path: str, version: int | None = None) -> OpenedSecret:
        """One version of a secret with its metadata and rotation, read in parallel."""
        if mount.kv_version == 1:
            secret = await self.client.run(read_secret, self.client, mount, path, None)
            return OpenedSecret(secret, None, None)
        secret, meta = await asyncio.gather(
            self.client.run(read_secret, self.client, mount, path, version),
            self.client.run(self._metadata_or_none, mount, path),
        )
        state = None
        if meta is not None:
            state = rotation(meta, self.clock(), self.config.rotation_period_s)
        return OpenedSecret(secret, meta, state)

    def _metadata_or_none(self, mount: Mount, path: str) -> SecretMetadata | None:
        # A token may read data/ but not metadata/: the secret still opens, without history.
        try:
            return read_metadata(self.client, mount, path)
        except (VaultForbidden, VaultNotFound):
            return None

    async def overdue(self, nodes: list[Node]) -> list[bool | None]:
        """For each KV v2 secret, whether it is overdue for rotation (None when unknown)."""
        return list(await asyncio.gather(*(self.client.run(self._overdue, n) for n in nodes)))

    def _overdue(self, node: Node) -> bool | None:
        try:
            meta = read_metadata(self.client, node.mount, node.path)
        except VaultError:
            return None  # a flag in the tree is a courtesy: no metadata, no flag
        return rotation(meta, self.clock(), self.config.rotation_period_s).overdue

    async def diff(self, mount: Mount, path: str, old: int, new: int) -> SecretDiff:
        """Versions ``old`` and ``new`` of a KV v2 secret compared key by key."""
        a, b = await asyncio.gather(
            self.client.run(read_secret, self.client, mount, path, old),
            self.client.run(read_secret, self.client, mount, path, new),
        )
        return diff_secrets(a, b)

    # ------------------------------------------------------------------- audited access

    def reveal(self, secret: Secret, key: str) -> str:
        """Record the reveal, then return the value's display form (escaped, plain text)."""
        entry = secret.entry(key)
        self._record(Action.REVEAL, secret, key)
        return entry.value.reveal(multiline=True)

    def copy_text(self, secret: Secret, key: str) -> str:
        """Record the copy, then return the exact value for the OSC 52 clipboard write."""
        entry = secret.entry(key)
        self._record(Action.COPY, secret, key)
        return entry.value.clipboard_text()

    def _record(self, action: Action, secret: Secret, key: str) -> VaultAccess:
        if self.store is None:
            raise CacheError("no cache to record this in: reveal and copy are audited, so refused")
        return record_access(
            self.store,
            self.settings,
            action=action,
            path=secret.full_path,
            key=key,
            version=secret.version,
            now=self.clock(),
        )


def load_core() -> None:
    """Import hvac ahead of the first request (~150 ms): call it in a worker thread."""
    import hvac  # noqa: F401
