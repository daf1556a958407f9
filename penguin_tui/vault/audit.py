"""The audit trail of the secret browser: every reveal and copy, and never the value.

Each record says when, which OS user on which host, which Vault (address and namespace), which
secret (full path and version) and which key, and whether the value was revealed on screen or
copied. ``record_access`` has no parameter a value could be passed in. Records live in the
cache (table ``vault_audit``, schema v5), so every console on a shared cache sees them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from penguin_tui.vault.escape import shown

if TYPE_CHECKING:
    from penguin_tui.store import Store
    from penguin_tui.vault.settings import VaultSettings

_MAX_TEXT = 1000  # a path or key longer than this is cut (and marked) in the record


class Action(StrEnum):
    REVEAL = "reveal"
    COPY = "copy"


@dataclass(frozen=True, slots=True)
class VaultAccess:
    """One reveal or copy. ``path`` and ``key`` are stored escaped (they are Vault's text)."""

    ts: float
    action: Action
    user: str
    host: str
    addr: str
    namespace: str
    path: str  # the secret's full path, mount included: "secret/app/db"
    key: str
    version: int | None  # None for KV v1
    id: int | None = None


def record_access(
    store: Store,
    settings: VaultSettings,
    *,
    action: Action | str,
    path: str,
    key: str,
    version: int | None,
    now: float | None = None,
) -> VaultAccess:
    """Write one audit record for revealing or copying ``key`` of the secret at ``path``.

    Call it when the value is revealed or copied, before or as it happens: a failure to
    record (CacheError) should stop the reveal. Returns the stored record with its id.
    """
    from penguin_tui.signoff import current_host, current_user

    access = VaultAccess(
        ts=time.time() if now is None else now,
        action=Action(action),
        user=current_user(),
        host=current_host(),
        addr=settings.addr,
        namespace=settings.namespace,
        path=shown(path, max_len=_MAX_TEXT),
        key=shown(key, max_len=_MAX_TEXT),
        version=version,
    )
    new_id = store.add_vault_audit(access)
    return VaultAccess(**{**_fields(access), "id": new_id})


def _fields(access: VaultAccess) -> dict[str, object]:
    return {name: getattr(access, name) for name in VaultAccess.__slots__}
