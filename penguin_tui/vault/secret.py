"""Reading one secret (KV v1, or any version of a KV v2 secret) into masked values.

A value is wrapped in ``SecretValue`` the moment it leaves hvac's answer. Its repr, str and
format are a fixed-width mask (the length is not revealed) so that no log line, f-string or
traceback can show it; it refuses to be pickled; only ``reveal()`` (for the screen, escaped)
and ``clipboard_text()`` (for OSC 52) give it out. Keys are untrusted text and come with an
escaped display form. Nothing in this module writes anywhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from penguin_tui.vault.client import VaultBadAnswer, VaultClient
from penguin_tui.vault.escape import escape, needs_escape
from penguin_tui.vault.metadata import parse_time
from penguin_tui.vault.mounts import Mount

MASK = "••••••••"  # fixed width: how long a value is stays hidden too
_BINARY_PREVIEW = 16  # bytes shown in hex when a binary value is revealed
_SUSPECT = re.compile(r"[^\x20-\x7e\n]")


class SecretValue:
    """One secret value, masked everywhere except ``reveal()`` and ``clipboard_text()``.

    ``kind`` is "text", "binary", "number", "bool", "null" or "json" (a list or object:
    KV v2 values may be any JSON). Two values compare equal when their JSON values are equal
    (``1`` and ``"1"`` differ), which is what a version diff needs.
    """

    __slots__ = ("_value", "kind")

    def __init__(self, value: object) -> None:
        self._value = value
        self.kind = _kind(value)

    def __repr__(self) -> str:
        return f"SecretValue({MASK})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretValue):
            return NotImplemented
        return type(self._value) is type(other._value) and self._value == other._value

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> object:
        raise TypeError("secret values are never pickled (they must not reach the disk)")

    # Immutable: a copy is the same object (and copy must not go through __reduce__).
    def __copy__(self) -> SecretValue:
        return self

    def __deepcopy__(self, memo: dict) -> SecretValue:
        return self

    @property
    def is_binary(self) -> bool:
        return self.kind == "binary"

    def reveal(self, *, multiline: bool = False) -> str:
        """The value for the screen: escaped text, or ``binary, N bytes: 00 ff …``.

        Render it as plain text (never markup). ``multiline`` keeps line breaks (a PEM key).
        """
        value = self._value
        if self.kind == "binary":
            data = _as_bytes(str(value))
            preview = " ".join(f"{b:02x}" for b in data[:_BINARY_PREVIEW])
            more = " …" if len(data) > _BINARY_PREVIEW else ""
            return f"binary, {len(data)} bytes: {preview}{more}"
        if self.kind == "text":
            return escape(str(value), multiline=multiline).text
        return escape(_json(value), multiline=multiline).text

    def revealed_escaped(self) -> bool:
        """Whether ``reveal()`` had to escape something (the screen says so next to it)."""
        if self.kind == "binary":
            return False
        text = str(self._value) if self.kind == "text" else _json(self._value)
        return escape(text).escaped

    def clipboard_text(self) -> str:
        """The exact value as text for the clipboard (JSON for non-text values)."""
        return str(self._value) if self.kind in ("text", "binary") else _json(self._value)

    def json_value(self) -> object:
        """The value as parsed JSON, for the JSON view of a revealed secret."""
        return self._value


@dataclass(frozen=True, slots=True)
class SecretEntry:
    """One key of a secret: its name as Vault has it, its display form, its masked value."""

    key: str
    value: SecretValue = field(compare=False)

    @property
    def label(self) -> str:
        """The key for display, escaped."""
        return escape(self.key).text

    @property
    def label_escaped(self) -> bool:
        return escape(self.key).escaped


@dataclass(frozen=True, slots=True)
class Secret:
    """One version of a secret. A deleted or destroyed KV v2 version has no entries."""

    mount: Mount
    path: str  # inside the mount, no leading slash
    version: int | None  # None for KV v1
    entries: tuple[SecretEntry, ...] = ()
    created_time: float | None = None
    deletion_time: float | None = None  # set: the version is (soft) deleted
    destroyed: bool = False
    custom_metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def full_path(self) -> str:
        return self.mount.path + self.path

    @property
    def gone(self) -> bool:
        """True for a deleted or destroyed version (nothing to show but that)."""
        return self.destroyed or self.deletion_time is not None

    @property
    def state(self) -> str:
        """ "destroyed", "deleted" or "live"."""
        if self.destroyed:
            return "destroyed"
        return "deleted" if self.deletion_time is not None else "live"

    def keys(self) -> list[str]:
        return [e.key for e in self.entries]

    def entry(self, key: str) -> SecretEntry:
        """The entry for ``key`` (KeyError names the escaped key, never a value)."""
        for e in self.entries:
            if e.key == key:
                return e
        raise KeyError(escape(key).text)

    def json_view(self, revealed: Collection[str] = (), *, indent: int = 2) -> str:
        """The whole secret as JSON, every value masked unless its key is in ``revealed``.

        Safe for a terminal: control and format characters come out as ``\\uXXXX`` escapes.
        """
        data = {e.key: e.value.json_value() if e.key in revealed else MASK for e in self.entries}
        return _terminal_safe_json(data, indent)


def read_secret(client: VaultClient, mount: Mount, path: str, version: int | None = None) -> Secret:
    """Read ``path`` in ``mount`` (``version`` for KV v2; None is the current one). Blocking.

    A deleted or destroyed version comes back as a Secret with ``gone`` set. Raises
    VaultNotFound for a path that does not exist, VaultForbidden when the token may not read.
    """
    path = path.strip("/")
    shown = f"read {escape(mount.path + path).text}"
    if mount.kv_version == 1:
        if version is not None:
            raise ValueError("KV version 1 secrets have no versions")
        answer = client.call(
            shown, lambda hv: hv.secrets.kv.v1.read_secret(path=path, mount_point=mount.name)
        )
        return Secret(mount, path, None, _entries(_mapping(answer, "data", shown), shown))
    if version is not None:
        shown += f" version {version}"
    answer = client.call(shown, lambda hv: _read_v2(hv, mount.name, path, version))
    data = _mapping(answer, "data", shown)
    meta = data.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    values = data.get("data")
    custom = meta.get("custom_metadata")
    return Secret(
        mount,
        path,
        _int(meta.get("version")) or version,
        _entries(values, shown) if values is not None else (),
        parse_time(meta.get("created_time")),
        parse_time(meta.get("deletion_time")),
        meta.get("destroyed") is True,
        {str(k): str(v) for k, v in custom.items()} if isinstance(custom, Mapping) else {},
    )


def _read_v2(hv: Any, mount_point: str, path: str, version: int | None) -> object:
    """GET <mount>/data/<path>; a deleted or destroyed version's 404 keeps its metadata."""
    from hvac.exceptions import InvalidPath

    try:
        return hv.secrets.kv.v2.read_secret_version(
            path=path, version=version, mount_point=mount_point, raise_on_deleted_version=True
        )
    except InvalidPath as exc:
        # Vault answers a deleted or destroyed version with 404 and the whole envelope,
        # data.data null. Keep the version's metadata only; anything else is a plain 404
        # and is re-raised (the caller scrubs it).
        body = exc.json if isinstance(exc.json, Mapping) else {}
        data = body.get("data") if isinstance(body.get("data"), Mapping) else {}
        meta = data.get("metadata") if isinstance(data.get("metadata"), Mapping) else None
        if meta is None or data.get("data") is not None:
            raise
        gone = meta.get("destroyed") is True or bool(meta.get("deletion_time"))
        if not gone:
            raise
        keep = ("created_time", "deletion_time", "destroyed", "version", "custom_metadata")
        return {"data": {"data": None, "metadata": {k: meta.get(k) for k in keep}}}


def _entries(values: object, shown: str) -> tuple[SecretEntry, ...]:
    if not isinstance(values, Mapping):
        raise VaultBadAnswer(f"{shown}: the secret's data is not a JSON object")
    return tuple(SecretEntry(str(k), SecretValue(v)) for k, v in sorted(values.items()))


def _mapping(answer: object, key: str, shown: str) -> Mapping[str, Any]:
    if not isinstance(answer, Mapping) or not isinstance(answer.get(key), Mapping):
        raise VaultBadAnswer(f"{shown}: Vault's answer has no {key}")
    return answer[key]


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _kind(value: object) -> str:
    if isinstance(value, str):
        return "binary" if looks_binary(value) else "text"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "json"


def looks_binary(text: str) -> bool:
    """True for text that is really bytes: a NUL, a lone surrogate, or mostly controls.

    Escape sequences alone do not make text binary (ESC is not counted): a hostile value
    full of them is still shown, escaped, as text.
    """
    if not text:
        return False
    if "\x00" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return True
    controls = sum(
        1
        for ch in text
        if (ord(ch) < 0x20 and ch not in "\t\n\r\x1b") or 0x7F <= ord(ch) <= 0x9F or ch == "\ufffd"
    )
    return controls * 10 > len(text) * 3  # more than 30 %


def _as_bytes(text: str) -> bytes:
    # Bytes smuggled into JSON strings are usually one code point per byte.
    if all(ord(ch) < 0x100 for ch in text):
        return text.encode("latin-1")
    return text.encode("utf-8", "surrogatepass")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _terminal_safe_json(data: object, indent: int) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    # json escapes C0 controls itself; DEL, C1 and format characters (bidi overrides) pass
    # through it, so they become \\u escapes here (still valid JSON).
    return _SUSPECT.sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    ch = match.group()
    if not needs_escape(ch, multiline=True):
        return ch
    code = ord(ch)
    if code > 0xFFFF:  # JSON spells these as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"
