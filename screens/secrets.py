"""The secret browser (mode ``secrets``, key 4): Vault KV through hvac, read-only, masked, audited.

Nothing here talks to Vault on the event loop, and nothing Vault-related is imported until the
screen is first opened: ``penguin_tui.vault`` (and with it hvac, on its first request) loads in
a worker thread then, so the console's start-up never pays for it. Every read is a worker
awaiting ``VaultSession`` (which runs hvac on its own threads): a slow or rate-limited Vault
shows ``loading…`` or a message while every key keeps working.

What it shows: the Vault line (health, token, TTL, warnings), the tree of KV mounts listed
lazily (a 403 on LIST says so and offers "go to path"), a filter over everything listed so far,
and the open secret (masked keys, metadata, versions, rotation age; JSON view; a diff of two
versions). A reveal (``r``) or copy (``c``) writes its audit record in the cache first, on the
cache reader's thread, and only then shows or copies the value; a revealed value is masked
again after ``[vault].reveal_timeout`` or on leaving the secret, and a copied one is cleared
from the clipboard after ``[vault].clipboard_clear`` if nothing else was copied since. Both
timers run on the app's clock (tests move it). Nothing here writes to Vault.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from penguin_tui.errors import PenguinError
from penguin_tui.health_view import Freshness, freshness
from penguin_tui.screens.secret_actions import SecretActionsMixin, message_of
from penguin_tui.vault.escape import shown
from penguin_tui.widgets.keys_footer import KeysFooter
from penguin_tui.widgets.secret_tree import SecretTreeView
from penguin_tui.widgets.secret_view import SecretView
from penguin_tui.widgets.status import set_text
from penguin_tui.widgets.status_bar import StatusBar
from penguin_tui.widgets.vault_status import VaultStatusLine

if TYPE_CHECKING:
    from penguin_tui.vault.secret import Secret
    from penguin_tui.vault.session import OpenedSecret, VaultSession
    from penguin_tui.vault.tree import Node

TICK_S = 1.0  # the reveal and clipboard timers' resolution
STATUS_S = 30.0  # Vault's health and the token are read again this often while shown
FRESHNESS_S = 10.0  # the status bar's "data fresh" is coarse
CLOSE_WAIT_S = 1.0  # at the end, how long the Vault connection may take to close
LOADING_AFTER_S = 0.1  # a read still running this long shows "loading…"
PREFETCH_MAX = 12  # a listed folder with at most this many secrets gets their rotation ages
EMPTY_HINT = "enter on a secret opens it · / filters · g goes to a path"


def _load_core() -> None:
    """Import the Vault core, and hvac through it (in a worker thread: ~150 ms the event
    loop never sees)."""
    from penguin_tui.vault.session import load_core

    load_core()


class SecretsScreen(SecretActionsMixin, Screen[None]):
    """The Vault line, the tree and the open secret (side by side from 110 columns)."""

    BINDINGS = [
        # Short words: the compact footer must hold them at 80 columns; `?` says more.
        Binding("slash", "filter", "filter", key_display="/", tooltip="Filter the paths loaded"),
        Binding("g", "goto_path", "go to", tooltip="Go to a path (one you may read, not list)"),
        Binding("r", "reveal", "reveal", tooltip="Reveal the key's value (audited; masks again)"),
        Binding("c", "copy_value", "copy", tooltip="Copy the key's value (audited; OSC 52)"),
        Binding("j", "json", "json", tooltip="JSON view of the secret (masked unless revealed)"),
        Binding("v", "version", "version", tooltip="Read another version"),
        Binding("d", "diff", "diff", tooltip="Compare two versions key by key"),
        Binding("A", "vault_audit", "audit", key_display="A", tooltip="Reveals and copies"),
        Binding(
            "R", "reconnect", "reload", key_display="R", show=False, tooltip="Read Vault again"
        ),
        Binding("escape", "back", "back", show=False, tooltip="Close the filter or the secret"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.session: VaultSession | None = None
        self.opened: OpenedSecret | None = None
        self.current: Node | None = None  # the secret opened (or being opened)
        self.problem = ""  # why Vault cannot be used at all (settings, mounts)
        self.note = ""  # the last thing worth saying under the Vault line
        self._note_style = "yellow"
        self.diff_secrets: tuple[Secret, Secret] | None = None
        self.revealed_at: dict[str, float] = {}  # key -> when revealed (app clock)
        self.clip: tuple[str, float] | None = None  # what was copied (the same str), when
        self._open_seq = 0
        self._status_at = float("-inf")  # monotonic
        self._fresh_at = float("-inf")
        self._fresh: Freshness | None = None
        self._connecting = False
        self._prefetched: set[str] = set()

    @property
    def tree(self) -> SecretTreeView:
        return self.query_one(SecretTreeView)

    def compose(self) -> ComposeResult:
        yield StatusBar("secrets", id="status-bar")
        yield VaultStatusLine(id="vault-status")
        yield Static("", id="secrets-note", markup=False)
        yield Input(
            placeholder="filter: words in the path (of everything listed so far)",
            id="secrets-filter",
            compact=True,
        )
        with Horizontal(id="secrets-body"):
            yield SecretTreeView(id="secret-tree")
            yield SecretView(id="secret-view")
        yield KeysFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.view.show_empty(EMPTY_HINT)
        self.tree.focus()
        self._show_note()
        self.set_interval(TICK_S, self.tick, name="secrets-tick")
        self.connect()

    def on_screen_resume(self) -> None:
        self._show_bar()
        self.tick()

    def on_screen_suspend(self) -> None:
        # Another mode is leaving the secret; a dialog over this screen is not.
        if self.app.current_mode != "secrets":
            self.mask_all()

    def on_unmount(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            # A request in flight may take until its timeout: wait a moment for the close
            # (connections shut cleanly), never longer.
            closing = threading.Thread(target=session.close, name="vault-close", daemon=True)
            closing.start()
            closing.join(CLOSE_WAIT_S)

    # --- connecting ---------------------------------------------------------------------------

    def connect(self) -> None:
        """(Re)connect: settings, mounts, status; the tree starts over."""
        if self._connecting:
            return
        self._connecting = True
        self._connect()

    @work(group="vault-connect", exclusive=True, exit_on_error=False, description="Vault mounts")
    async def _connect(self) -> None:
        try:
            await self._connect_now()
        finally:
            self._connecting = False

    async def _connect_now(self) -> None:
        app = self.papp
        await asyncio.to_thread(_load_core)
        from penguin_tui.vault.session import VaultSession

        if self.session is None:
            try:
                session = await asyncio.to_thread(
                    VaultSession.from_config, app.config.vault, clock=app.clock
                )
            except PenguinError as exc:  # VaultSettingsError: which variable or key, and why
                self._fail(f"Vault settings: {message_of(exc)}")
                return
            try:
                session.store = await app.reader.call(lambda store: store)
            except Exception as exc:  # no cache: browse, but reveal and copy are refused
                self._say(f"no cache ({message_of(exc)}): reveal and copy are refused")
            self.session = session
        session = self.session
        self.tree.set_placeholder("Reading Vault's mounts…")
        self._status_at = time.monotonic()
        status_task = asyncio.ensure_future(session.status())
        try:
            mounts = await session.load_mounts()
        except PenguinError as exc:
            self._show_status(await status_task)
            self._fail(message_of(exc))
            return
        self.problem = ""
        self._show_status(await status_task)
        self._prefetched.clear()
        tree = self.tree
        tree.set_tree(session.tree)
        if not mounts.mounts:
            tree.set_placeholder("No KV mounts this token can see")
        self._say(mounts.note, problem=False)
        for root in session.tree.roots:  # the mounts' top level, listed at once
            tree.expanded.add(root.full_path)
            tree.loading.add(root.full_path)
            self._expand(root)
        tree.refresh_rows()

    def _fail(self, message: str) -> None:
        self.problem = message
        self.tree.set_tree(None, placeholder=f"{message} · R tries again")
        self._show_status(self.vault_status)
        self._show_note()

    @property
    def vault_status(self) -> Any:
        return self.query_one(VaultStatusLine).status

    def action_reconnect(self) -> None:
        """Read the mounts and the status again (the tree starts over)."""
        self._leave_secret()
        self.view.show_empty(EMPTY_HINT)
        self._sync_bindings()
        self._status_at = time.monotonic()
        self.connect()

    # --- the Vault line and the notes ---------------------------------------------------------

    def _show_status(self, status: Any) -> None:
        extra = [self.problem] if self.problem else []
        self.query_one(VaultStatusLine).show(status, self.papp.clock(), extra)

    def refresh_status(self) -> None:
        """Read Vault's health and the token again (and retry the mounts if they failed)."""
        if self.session is None:
            return
        self._status_at = time.monotonic()
        self._read_status()

    @work(group="vault-status", exclusive=True, exit_on_error=False, description="Vault status")
    async def _read_status(self) -> None:
        session = self.session
        if session is None:
            return
        status = await session.status()
        self._show_status(status)
        health = status.health
        if self.problem and health is not None and health.usable and status.token is not None:
            self.connect()  # it was sealed or unreachable and is back: read the mounts

    def _say(self, message: str, *, problem: bool = True) -> None:
        """The line under the Vault line: a problem (yellow) or a note (dim)."""
        self.note = message
        self._note_style = "yellow" if problem else "dim"
        self._show_note()

    def _show_note(self, text: Text | None = None) -> None:
        note = self.query_one("#secrets-note", Static)
        if text is None:
            text = Text(self.note, style=self._note_style) if self.note else Text("")
        note.display = bool(text.plain)
        set_text(note, text)

    def _show_bar(self) -> None:
        bar = self.query_one(StatusBar)
        if self.papp.alert_counts is not None:
            bar.show_alert_counts(self.papp.alert_counts)
        if self._fresh is not None:
            bar.show(
                self._fresh,
                None,
                recorder_error=self.papp.recorder_error,
                alert_counts=self.papp.alert_counts,
            )

    @work(group="secrets-fresh", exclusive=True, exit_on_error=False, description="freshness")
    async def _read_freshness(self) -> None:
        app = self.papp
        now, config, recording = app.clock(), app.config, app.recording
        self._fresh = await app.reader.call(lambda store: freshness(store, config, now, recording))
        self._show_bar()

    # --- the timers ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Mask values revealed too long, clear a copied value, refresh the Vault line.

        Runs every second on the app's clock; tests move the clock and call it."""
        now = self.papp.clock()
        settings = self.papp.config.vault
        expired = [k for k, at in self.revealed_at.items() if now - at >= settings.reveal_timeout_s]
        for key in expired:
            del self.revealed_at[key]
            self.view.mask(key)
        if expired and self.view.mode == "json":
            self._show_json()
        if self.clip is not None and now - self.clip[1] >= settings.clipboard_clear_s:
            text, _at = self.clip
            self.clip = None
            # Only if nothing else was copied since: the same object is still the clipboard.
            if self.app.clipboard is text:
                self.app.copy_to_clipboard("")
        if self.app.screen is not self:
            return
        status = self.vault_status
        if status is not None or self.problem:
            self._show_status(status)  # the TTL counts down between reads
        if time.monotonic() - self._status_at >= STATUS_S:
            self.refresh_status()
        if time.monotonic() - self._fresh_at >= FRESHNESS_S:
            self._fresh_at = time.monotonic()
            self._read_freshness()

    # --- the tree -----------------------------------------------------------------------------

    @work(group="vault-list", exit_on_error=False, description="list a Vault folder")
    async def _expand(self, node: Node, *, offer: bool = False) -> None:
        """LIST ``node`` into the tree; ``offer``: a 403 opens "go to path" (the operator
        asked for this folder, not the screen)."""
        session = self.session
        if session is None:
            return
        tree = self.tree
        try:
            await session.expand(node)
        except PenguinError as exc:
            if tree.vault_tree is session.tree:
                tree.listed(node, error=message_of(exc))
            self._say(message_of(exc))
            return
        if tree.vault_tree is not session.tree:
            return  # reconnected meanwhile: this folder belongs to the old tree
        tree.listed(node)
        if str(node.state) == "forbidden":
            self._say(node.message)
            if offer and self.app.screen is self:
                self._goto_prompt(
                    node.full_path,
                    note=f"may not list {shown(node.full_path)}: type the name of a secret in it",
                )
        elif node.mount.kv_version == 2:
            self._prefetch(node)

    @on(SecretTreeView.Expand)
    def _wants_listing(self, message: SecretTreeView.Expand) -> None:
        self._expand(message.node, offer=True)

    @on(SecretTreeView.Open)
    def _wants_secret(self, message: SecretTreeView.Open) -> None:
        self.open_secret(message.node)

    @on(SecretTreeView.GotoWanted)
    def _wants_goto(self, message: SecretTreeView.GotoWanted) -> None:
        self._goto_prompt(
            message.path,
            note=f"may not list {shown(message.path)}: type the name of a secret in it",
        )

    @on(SecretTreeView.Picked)
    def _picked(self, message: SecretTreeView.Picked) -> None:
        node = message.node
        self._close_filter()
        tree = self.tree
        tree.reveal_node(node)
        tree.focus()
        if node.is_folder:
            tree.action_unfold()
        else:
            self.open_secret(node)

    def _prefetch(self, folder: Node) -> None:
        """Rotation ages of a small folder's secrets, so the tree flags overdue ones."""
        todo = [
            n
            for n in folder.children
            if not n.is_folder and n.full_path not in self._prefetched and n.path
        ]
        if 0 < len(todo) <= PREFETCH_MAX:
            self._prefetched.update(n.full_path for n in todo)
            self._read_rotations(todo)

    @work(group="vault-rotation", exit_on_error=False, description="rotation ages")
    async def _read_rotations(self, nodes: list[Node]) -> None:
        session = self.session
        if session is None:
            return
        found = await session.overdue(nodes)
        marks = {
            n.full_path: flag for n, flag in zip(nodes, found, strict=True) if flag is not None
        }
        if marks and self.session is session:
            self.tree.set_overdue(marks)

    # --- the filter ---------------------------------------------------------------------------

    def action_filter(self) -> None:
        """Show the filter bar (words in the path, over everything listed so far)."""
        self.add_class("filtering")
        field = self.query_one("#secrets-filter", Input)
        field.focus()

    @on(Input.Changed, "#secrets-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        tree = self.tree
        matches = tree.set_filter(event.value)
        if tree.filtering:
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(f"{matches:,} of {tree.node_count:,} listed paths match", style="bold")
            text.append(" · enter: to the list · escape: clear", style="dim")
            self._show_note(text)
        else:
            self._show_note()

    @on(Input.Submitted, "#secrets-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.tree.focus()

    def _close_filter(self) -> None:
        field = self.query_one("#secrets-filter", Input)
        if field.value:
            field.value = ""  # Changed follows: the tree shows everything again
        self.tree.set_filter("")
        self.remove_class("filtering")
        self._show_note()

    # --- opening a secret ---------------------------------------------------------------------

    def open_secret(self, node: Node, version: int | None = None) -> None:
        """Read ``node``'s secret (a version of it) and show it masked."""
        if self.session is None:
            return
        self._leave_secret()
        self._open_seq += 1
        self.current = node
        seq = self._open_seq
        if self.has_class("-narrow") and not self.has_class("view-open"):
            self.view.show_loading(shown(node.full_path))
            self._show_view()
        else:
            # Most reads take a few ms. Say "loading…" and move the focus only when one takes
            # a while, or with the answer: a frame painted meanwhile would hold the
            # interpreter while the read's threads wait for it (the old secret is masked).
            self.set_timer(LOADING_AFTER_S, lambda: self._still_loading(node, seq))
        self._open(node, version, seq)

    def _still_loading(self, node: Node, seq: int) -> None:
        if seq == self._open_seq and self.opened is None and self.view.mode != "error":
            self.view.show_loading(shown(node.full_path))
            self._show_view()

    @work(group="vault-open", exclusive=True, exit_on_error=False, description="read a secret")
    async def _open(self, node: Node, version: int | None, seq: int) -> None:
        session = self.session
        if session is None:
            return
        try:
            opened = await session.open(node.mount, node.path, version)
        except PenguinError as exc:
            if seq == self._open_seq:
                self.view.show_error(shown(node.full_path), message_of(exc))
                self._show_view()
                self._sync_bindings()
            return
        if seq == self._open_seq:
            self._show_opened(node, opened)
            self._show_view()

    def _show_opened(self, node: Node, opened: OpenedSecret) -> None:
        self.current = node
        self.opened = opened
        self.view.show_secret(opened.secret, opened.metadata, opened.rotation, self.papp.clock())
        if opened.rotation is not None and opened.rotation.age_s is not None:
            self.tree.set_overdue({node.full_path: opened.rotation.overdue})
        self._sync_bindings()

    def _show_view(self) -> None:
        if not self.has_class("view-open"):  # a class change restyles the whole screen
            self.add_class("view-open")
        self.view.focus()

    def _leave_secret(self) -> None:
        """Forget the open secret's revealed values and the diff (the secret stays listed).

        The footer keeps its keys until the next secret is shown (they do nothing meanwhile):
        redrawing it twice per secret would cost more than the reading."""
        self.mask_all()
        self.opened = None
        self.diff_secrets = None
        self.view.forget()

    def mask_all(self) -> None:
        """Mask every revealed value now."""
        self.revealed_at.clear()
        self.view.mask_all()
        if self.view.mode == "json":
            self._show_json()

    def action_back(self) -> None:
        """Escape: close the filter bar; else leave the secret (masked) for the tree."""
        field = self.query_one("#secrets-filter", Input)
        if field.has_focus or (self.has_class("filtering") and not self.view.has_focus):
            self._close_filter()
            self.tree.focus()
            return
        if self.view.mode in ("json", "diff") and self.opened is not None:
            self.mask_all()
            self.view.show_keys()
            self.diff_secrets = None
            self._sync_bindings()
            return
        if self.has_class("view-open") or self.view.has_focus:
            self.mask_all()
            if self.has_class("-narrow"):
                self.remove_class("view-open")  # wide, the secret stays in sight, masked
            self.tree.focus()

    @on(SecretView.KeySelected)
    def _key_selected(self, _message: SecretView.KeySelected) -> None:
        self._sync_bindings()

    # --- go to path and the audit view --------------------------------------------------------

    def action_goto_path(self) -> None:
        """Go to a secret or folder by its path (for paths the token may read, not list)."""
        node = self.tree.selected
        start = ""
        if node is not None:
            if node.is_folder:
                start = node.full_path
            else:
                start = node.full_path[: node.full_path.rfind("/") + 1]
        self._goto_prompt(start)

    def _goto_prompt(self, start: str, *, note: str = "") -> None:
        from penguin_tui.screens.secret_prompts import GotoPrompt

        if self.session is None:
            self.notify("not connected to Vault", title="Go to path", severity="warning")
            return
        self.app.push_screen(GotoPrompt(self.goto, start, note=note))

    async def goto(self, text: str) -> str | None:
        """Go to ``text``: a folder is listed and unfolded, a secret opened. The refusal's
        words (no such mount, not found, permission denied), or None when it went there."""
        from penguin_tui.vault.tree import PathError

        session = self.session
        if session is None:
            return "not connected to Vault"
        try:
            target = session.target(text)
        except PathError as exc:
            return str(exc)
        tree = self.tree
        if target.is_folder:
            node = session.tree.add_path(target.mount, target.path)
            try:
                await session.expand(node)
            except PenguinError as exc:
                return message_of(exc)
            if str(node.state) == "forbidden":
                return node.message
            tree.expanded.add(node.full_path)
            tree.reveal_node(node)
            tree.focus()
            self.remove_class("view-open")
            return None
        try:
            opened = await session.open(target.mount, target.path)
        except PenguinError as exc:
            return message_of(exc)
        node = session.tree.add_path(target.mount, target.path)
        tree.reveal_node(node)
        self._leave_secret()
        self._open_seq += 1
        self._show_opened(node, opened)
        self._show_view()
        return None

    def action_vault_audit(self) -> None:
        """Every reveal and copy recorded in the cache."""
        from penguin_tui.screens.vault_audit import VaultAuditScreen

        self.app.push_screen(VaultAuditScreen())

    # --- failures -----------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly says so (the screen goes on)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self._say(f"{event.worker.description}: {message_of(event.worker.error)}")
