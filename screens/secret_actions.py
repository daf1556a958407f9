"""The keys on an open secret: reveal, copy, JSON view, another version, a diff of two.

``SecretActionsMixin`` is inherited by the secrets screen, which declares the keys (r, c, j,
v, d) and provides what they act on. A reveal or copy writes its audit record in the cache
first, on the cache reader's thread (``VaultSession.reveal``/``copy_text``), and shows or
copies the value only when that worked; the screen's timer masks a revealed value again
(``revealed_at``) and clears a copied one (``clip``) on the app's clock. Nothing here writes
to Vault, and no value goes into a notification, a log or an exception message.

What the screen provides: ``session``, ``opened`` (the secret shown), ``current`` (its tree
node), ``view`` (``SecretView``), ``papp`` (the app: reader, clock, config), ``revealed_at``,
``clip``, ``diff_secrets``, ``open_secret(node, version)`` and ``mask_all()``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import work

from penguin_tui.errors import PenguinError
from penguin_tui.fmt import local_time
from penguin_tui.text import sanitize
from penguin_tui.vault.escape import shown
from penguin_tui.widgets.secret_view import SecretView

if TYPE_CHECKING:
    from textual.screen import Screen

    from penguin_tui.app import PenguinApp
    from penguin_tui.vault.secret import Secret
    from penguin_tui.vault.session import OpenedSecret, VaultSession
    from penguin_tui.vault.tree import Node

    _Base = Screen[Any]
else:
    _Base = object


def message_of(exc: BaseException) -> str:
    """One safe line for any failure (VaultError messages are scrubbed already)."""
    text = exc.message if isinstance(exc, PenguinError) else str(exc) or type(exc).__name__
    return sanitize(text, single_line=True, max_len=300)


def _has_key(secret: Secret, key: str) -> bool:
    return any(entry.key == key for entry in secret.entries)


class SecretActionsMixin(_Base):
    """r, c, j, v and d on the open secret, for the secrets screen (see the module docstring)."""

    session: VaultSession | None
    opened: OpenedSecret | None
    current: Node | None
    revealed_at: dict[str, float]
    clip: tuple[str, float] | None
    diff_secrets: tuple[Secret, Secret] | None

    @property
    def papp(self) -> PenguinApp:
        return self.app  # type: ignore[return-value]

    @property
    def view(self) -> SecretView:
        return self.query_one(SecretView)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the secret's keys from the footer while they can do nothing."""
        opened = self.opened
        mode = self.view.mode if self.is_mounted else "empty"
        live = opened is not None and not opened.secret.gone
        if action == "reveal":
            return mode in ("keys", "diff") and live and self.view.selected_key is not None
        if action == "copy_value":
            return mode == "keys" and live and self.view.selected_key is not None
        if action == "json":
            return live and mode in ("keys", "json")
        if action in ("version", "diff"):
            meta = opened.metadata if opened is not None else None
            return meta is not None and len(meta.versions) >= (2 if action == "diff" else 1)
        return True

    _ACTIONS = ("reveal", "copy_value", "json", "version", "diff")
    _bindings_state: tuple[bool | None, ...] = ()

    def _sync_bindings(self) -> None:
        """Tell the footer only when a key's state changed (it rebuilds itself each time)."""
        state = tuple(self.check_action(a, ()) for a in self._ACTIONS)
        if state != self._bindings_state:
            self._bindings_state = state
            self.refresh_bindings()

    def action_reveal(self) -> None:
        """Reveal the selected key's value (again: mask it). Audited before it is shown."""
        key = self.view.selected_key
        if self.opened is None or key is None:
            return
        if key in self.view.revealed or key in self.view.diff_revealed:
            self.revealed_at.pop(key, None)
            self.view.mask(key)
            return
        self._reveal(key)

    @work(group="vault-reveal", exit_on_error=False, description="reveal a value")
    async def _reveal(self, key: str) -> None:
        session, opened = self.session, self.opened
        if session is None or opened is None:
            return
        diff = self.diff_secrets if self.view.mode == "diff" else None
        try:
            if diff is None:
                secret = opened.secret
                text = await self.papp.reader.call(lambda _store: session.reveal(secret, key))
            else:
                old, new = diff
                texts = await self.papp.reader.call(
                    lambda _store: tuple(
                        session.reveal(s, key) if _has_key(s, key) else "" for s in (old, new)
                    )
                )
        except Exception as exc:  # no cache, a full disk: never shown unaudited
            self.notify(message_of(exc), title="Not revealed", severity="error", markup=False)
            return
        if self.opened is not opened:
            return  # left the secret meanwhile
        self.revealed_at[key] = self.papp.clock()
        if diff is None:
            self.view.reveal(key, text)
        else:
            self.view.reveal_diff(key, texts[0], texts[1])

    def action_copy_value(self) -> None:
        """Copy the selected key's value to the terminal's clipboard (audited first)."""
        key = self.view.selected_key
        opened = self.opened
        if opened is None or key is None or self.view.mode != "keys":
            return
        if opened.secret.entry(key).value.is_binary:
            self.notify(
                "a binary value is not copied as text", title="Not copied", severity="warning"
            )
            return
        self._copy(key)

    @work(group="vault-copy", exit_on_error=False, description="copy a value")
    async def _copy(self, key: str) -> None:
        session, opened = self.session, self.opened
        if session is None or opened is None:
            return
        secret = opened.secret
        try:
            value = await self.papp.reader.call(lambda _store: session.copy_text(secret, key))
        except Exception as exc:
            self.notify(message_of(exc), title="Not copied", severity="error", markup=False)
            return
        self.app.copy_to_clipboard(value)
        self.clip = (value, self.papp.clock())
        del value
        clear = self.papp.config.vault.clipboard_clear_s
        version = f" v{secret.version}" if secret.version is not None else ""
        self.notify(
            f"{shown(key, max_len=40)} of {shown(secret.full_path, max_len=60)}{version} "
            f"copied · cleared in {clear:g}s if still there",
            title="Copied (audited)",
            markup=False,
        )

    def action_json(self) -> None:
        """The whole secret as JSON, masked unless revealed (again: back to the keys)."""
        if self.opened is None:
            return
        if self.view.mode == "json":
            self.view.show_keys()
        else:
            self._show_json()
        self._sync_bindings()

    def _show_json(self) -> None:
        if self.opened is not None:
            revealed = set(self.view.revealed)
            self.view.show_json(self.opened.secret.json_view(revealed))

    def _choices(self) -> list[Any]:
        from penguin_tui.screens.secret_prompts import VersionChoice

        meta = self.opened.metadata if self.opened is not None else None
        if meta is None:
            return []
        now = self.papp.clock()
        return [
            VersionChoice(
                v.version, v.state, local_time(v.created_time, now) if v.created_time else ""
            )
            for v in meta.versions
        ]

    def action_version(self) -> None:
        """Pick a version to read (deleted and destroyed ones are marked)."""
        from penguin_tui.screens.secret_prompts import VersionPicker

        opened = self.opened
        if opened is None or opened.metadata is None:
            return
        node = self.current
        title = shown(opened.secret.full_path)

        def picked(version: int | None) -> None:
            if version is not None and node is not None:
                self.open_secret(node, version)

        self.app.push_screen(VersionPicker(title, self._choices(), opened.secret.version), picked)

    def action_diff(self) -> None:
        """Pick two versions and compare them key by key (values masked)."""
        from penguin_tui.screens.secret_prompts import DiffPicker

        opened = self.opened
        if opened is None or opened.metadata is None or len(opened.metadata.versions) < 2:
            return
        numbers = [v.version for v in opened.metadata.versions]  # newest first
        new = opened.secret.version or numbers[0]
        older = [n for n in numbers if n < new]
        old = older[0] if older else numbers[-1]
        if old == new:
            old, new = numbers[1], numbers[0]
        title = shown(opened.secret.full_path)

        def picked(pair: tuple[int, int] | None) -> None:
            if pair is not None:
                self._diff(pair[0], pair[1])

        self.app.push_screen(DiffPicker(title, self._choices(), old, new), picked)

    @work(group="vault-diff", exclusive=True, exit_on_error=False, description="compare versions")
    async def _diff(self, old: int, new: int) -> None:
        from penguin_tui.vault.diff import diff_secrets
        from penguin_tui.vault.secret import read_secret

        session, opened = self.session, self.opened
        if session is None or opened is None:
            return
        self.mask_all()
        mount, path = opened.secret.mount, opened.secret.path
        try:
            a, b = await asyncio.gather(
                session.client.run(read_secret, session.client, mount, path, old),
                session.client.run(read_secret, session.client, mount, path, new),
            )
        except PenguinError as exc:
            self.notify(message_of(exc), title="Not compared", severity="error", markup=False)
            return
        if self.opened is not opened:
            return
        self.diff_secrets = (a, b)
        self.view.show_diff(diff_secrets(a, b))
        self.view.focus()
        self._sync_bindings()
