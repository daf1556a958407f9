"""The tree of secret paths, listed lazily one folder at a time, and a filter over it.

``fetch_listing`` is the blocking LIST of one folder (run it off the event loop);
``SecretTree.apply`` then puts the result into the tree on the caller's thread, so the screen
never sees a half-updated tree. Folders end in ``/`` as Vault lists them. A 403 on LIST is a
state of the folder, not an error: the token may still read secrets below it, so the screen
offers "go to path" (``SecretTree.add_path``). Vault answers a LIST of an empty or missing
folder with 404; that is an empty folder here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from penguin_tui.text import sanitize
from penguin_tui.vault.client import VaultBadAnswer, VaultClient, VaultForbidden, VaultNotFound
from penguin_tui.vault.escape import escape, shown
from penguin_tui.vault.mounts import Mount, find_mount


class FolderState(StrEnum):
    UNLOADED = "unloaded"
    LOADED = "loaded"
    FORBIDDEN = "forbidden"  # 403 on LIST: "go to path" still works


@dataclass(frozen=True, slots=True)
class Listing:
    """One folder's LIST: its keys (folders end in ``/``) or why there are none."""

    mount: Mount
    path: str  # the folder inside the mount: "" (the mount itself) or "app/"
    keys: tuple[str, ...] = ()
    state: FolderState = FolderState.LOADED
    message: str = ""


def forbidden_message(full_path: str) -> str:
    """What a 403 on LIST tells the operator."""
    return f"may not list {shown(full_path)}; use go to path to open a secret by name"


def fetch_listing(client: VaultClient, mount: Mount, path: str = "") -> Listing:
    """LIST one folder (``path`` "" or ending in "/"). Blocking.

    A 403 is a FORBIDDEN listing, a 404 an empty one; being unreachable, sealed or rate
    limited raises (those are about Vault, not the folder).
    """
    path = _folder(path)
    what = f"list {escape(mount.path + path).text}"
    if mount.kv_version == 2:
        op = lambda hv: hv.secrets.kv.v2.list_secrets(path=path, mount_point=mount.name)  # noqa: E731
    else:
        op = lambda hv: hv.secrets.kv.v1.list_secrets(path=path, mount_point=mount.name)  # noqa: E731
    try:
        answer = client.call(what, op)
    except VaultForbidden:
        return Listing(mount, path, (), FolderState.FORBIDDEN, forbidden_message(mount.path + path))
    except VaultNotFound:
        return Listing(mount, path)
    data = answer.get("data") if isinstance(answer, Mapping) else None
    keys = data.get("keys") if isinstance(data, Mapping) else None
    if not isinstance(keys, list):
        raise VaultBadAnswer(f"{what}: Vault's answer has no list of keys")
    return Listing(mount, path, tuple(sorted({str(k) for k in keys if str(k).strip("/")})))


@dataclass(eq=False, slots=True)
class Node:
    """A folder or a secret in the tree; ``path`` is inside the mount (folders end in /)."""

    mount: Mount
    path: str
    state: FolderState = FolderState.UNLOADED  # folders only
    message: str = ""  # why a folder is FORBIDDEN
    children: list[Node] = field(default_factory=list)
    search_key: str = ""  # the full path, lower case, for the filter

    def __post_init__(self) -> None:
        self.search_key = self.full_path.lower()

    @property
    def is_folder(self) -> bool:
        return self.path == "" or self.path.endswith("/")

    @property
    def full_path(self) -> str:
        return self.mount.path + self.path

    @property
    def name(self) -> str:
        """The last segment as Vault has it (``db``, ``app/``; the mount for its root)."""
        if not self.path:
            return self.mount.path
        trimmed = self.path.rstrip("/")
        return trimmed.rsplit("/", 1)[-1] + ("/" if self.is_folder else "")

    @property
    def label(self) -> str:
        """The name for display, escaped (key names are untrusted)."""
        return escape(self.name).text

    @property
    def loaded(self) -> bool:
        return self.state is not FolderState.UNLOADED


class SecretTree:
    """Every folder and secret seen so far, under one root per mount."""

    def __init__(self, mounts: Iterable[Mount]) -> None:
        self.roots = [Node(m, "") for m in mounts]
        self._index: dict[str, Node] = {n.full_path: n for n in self.roots}

    def __len__(self) -> int:
        return len(self._index)

    def node(self, full_path: str) -> Node | None:
        """The node at ``secret/app/`` or ``secret/app/db``, if seen."""
        return self._index.get(full_path)

    def apply(self, listing: Listing) -> Node:
        """Put a folder's listing into the tree (call on the thread that owns the tree)."""
        folder = self._ensure(listing.mount, listing.path)
        folder.state = listing.state
        folder.message = listing.message
        if listing.state is FolderState.LOADED:
            # Keep what was below children that are still there (their own listings).
            known = {child.path: child for child in folder.children}
            folder.children = []
            for key in listing.keys:
                path = listing.path + key
                child = known.get(path) or self._ensure(listing.mount, path, attach=False)
                folder.children.append(child)
            # Folders first, then secrets, each by name (Vault's own order within each).
            folder.children.sort(key=lambda n: (not n.is_folder, n.path))
            for gone in known.keys() - {c.path for c in folder.children}:
                self._forget(known[gone])
        return folder

    def add_path(self, mount: Mount, path: str) -> Node:
        """Add a path reached by "go to path" (and the folders above it) to the tree."""
        return self._ensure(mount, path.lstrip("/"))

    def filter(self, text: str) -> list[Node]:
        """Nodes seen so far whose full path holds every word of ``text`` (any case),
        sorted by path; all of them for empty text."""
        words = text.lower().split()
        nodes = self._index.values()
        if words:
            nodes = [n for n in nodes if all(w in n.search_key for w in words)]
        return sorted(nodes, key=lambda n: n.full_path)

    def secrets(self) -> list[Node]:
        """Every secret (not folder) seen so far, by path."""
        return sorted(
            (n for n in self._index.values() if not n.is_folder), key=lambda n: n.full_path
        )

    # ----------------------------------------------------------------------------- inner

    def _ensure(self, mount: Mount, path: str, *, attach: bool = True) -> Node:
        existing = self._index.get(mount.path + path)
        if existing is not None:
            return existing
        node = Node(mount, path)
        self._index[node.full_path] = node
        if attach and path:
            parent = self._ensure(mount, _parent(path))
            if node not in parent.children:
                parent.children.append(node)
                parent.children.sort(key=lambda n: (not n.is_folder, n.path))
        return node

    def _forget(self, node: Node) -> None:
        self._index.pop(node.full_path, None)
        for child in node.children:
            self._forget(child)


@dataclass(frozen=True, slots=True)
class Target:
    """Where "go to path" leads: a mount, the path inside it, and folder or secret."""

    mount: Mount
    path: str

    @property
    def is_folder(self) -> bool:
        return self.path == "" or self.path.endswith("/")


class PathError(ValueError):
    """A "go to path" entry that names no known mount or is not a path."""


def parse_target(mounts: Iterable[Mount], text: str) -> Target:
    """Read what the operator typed (``secret/app/db``, ``/secret/app/``) as a Target.

    Raises PathError in plain words (the text is quoted sanitised, never echoed raw).
    """
    mounts = list(mounts)
    entered = text.strip()
    if not entered.strip("/"):
        raise PathError("type a path like secret/app/db (a folder ends in /)")
    if sanitize(entered, single_line=True) != entered:
        raise PathError("a path cannot contain control characters or escape sequences")
    found = find_mount(mounts, entered)
    if found is None:
        known = ", ".join(m.label for m in mounts) or "none"
        raise PathError(f'"{shown(entered, max_len=80)}" is in no KV mount (mounts: {known})')
    mount, path = found
    while "//" in path:
        path = path.replace("//", "/")  # as the vault CLI does
    return Target(mount, path.lstrip("/"))


def _folder(path: str) -> str:
    path = path.strip("/")
    return path + "/" if path else ""


def _parent(path: str) -> str:
    trimmed = path.rstrip("/")
    return trimmed.rsplit("/", 1)[0] + "/" if "/" in trimmed else ""
