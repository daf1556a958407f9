"""One secret on screen: its keys with masked values, metadata, versions, rotation age; or
the whole secret as JSON; or a diff of two versions key by key.

Values arrive masked (``SecretValue`` prints a fixed-width mask whatever its length) and stay
masked here unless the screen hands in a value's revealed text (after the audit record was
written); ``mask``/``mask_all`` forget it again. Key names, custom metadata and revealed values
are Vault's text: they come escaped from the core (``penguin_tui.vault.escape``) and are drawn
as ``Text``, never as markup, so an escape sequence or ``[bold]`` in them stays inert.

The view is a list of lines rendered on demand, with a cursor over the key rows (the key ``r``
and ``c`` act on). A secret has few keys, so its lines are simply rebuilt on every change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from penguin_tui.durations import format_duration
from penguin_tui.fmt import local_time
from penguin_tui.vault.escape import shown
from penguin_tui.widgets.cursor import CURSOR_KEYS, cursor_css

if TYPE_CHECKING:
    from penguin_tui.vault.diff import SecretDiff
    from penguin_tui.vault.metadata import SecretMetadata
    from penguin_tui.vault.rotation import Rotation
    from penguin_tui.vault.secret import Secret

MAX_KEY_WIDTH = 24  # a longer key name is cut in its column (the whole name is in JSON view)
STATE_STYLE = {"live": "green", "deleted": "yellow", "destroyed": "red"}
CHANGE_MARK = {"added": "+", "removed": "-", "changed": "~", "unchanged": "="}
CHANGE_STYLE = {"added": "green", "removed": "red", "changed": "yellow bold", "unchanged": "dim"}
KIND_NOTE = {"binary": "binary", "number": "number", "bool": "true/false", "null": "null"}


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the view; ``key`` ties it to a key of the secret (the cursor's rows)."""

    text: Text
    key: str | None = None
    head: bool = False  # the key's first line: where the cursor stops


class SecretView(ScrollView, can_focus=True):
    """The secret pane. ``mode`` is "empty", "loading", "error", "keys", "json" or "diff"."""

    DEFAULT_CSS = """
    SecretView {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        padding: 0 1;
    }
    """ + cursor_css("SecretView", "secret-view--cursor")
    COMPONENT_CLASSES = {"secret-view--cursor"}
    BINDINGS = [*CURSOR_KEYS]

    class KeySelected(Message):
        """The cursor is on another key (None: no key rows)."""

        def __init__(self, key: str | None) -> None:
            super().__init__()
            self.key = key

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.mode = "empty"
        self.secret: Secret | None = None
        self.metadata: SecretMetadata | None = None
        self.rotation: Rotation | None = None
        self.diff: SecretDiff | None = None
        self.now = 0.0
        self.revealed: dict[str, str] = {}  # key -> revealed text (keys and JSON modes)
        self.diff_revealed: dict[str, tuple[str, str]] = {}  # key -> (old, new) texts
        self.json_text = ""  # the JSON view's text, built by the screen (masked unless revealed)
        self._message = ""
        self._title = ""
        self._lines: list[Line] = []
        self._cursor = -1  # index into _lines, on a head line
        self._layout_width = 0
        self._strips: LRUCache[tuple[int, bool, int], Strip] = LRUCache(256)

    # --- what the screen shows ----------------------------------------------------------------

    @property
    def lines(self) -> Sequence[Line]:
        return self._lines

    @property
    def selected_key(self) -> str | None:
        if 0 <= self._cursor < len(self._lines):
            return self._lines[self._cursor].key
        return None

    def plain_lines(self) -> list[str]:
        """Every line as plain text (tests, and what a screen reader would get)."""
        return [line.text.plain.rstrip() for line in self._lines]

    def show_empty(self, message: str) -> None:
        """Nothing open: a hint on what to do."""
        self._set("empty", message=message)

    def show_loading(self, title: str) -> None:
        """A secret is being read (``title``: its path, escaped)."""
        self._set("loading", title=title, message="loading…")

    def show_error(self, title: str, message: str) -> None:
        """Reading failed: the scrubbed, one-line reason."""
        self._set("error", title=title, message=message)

    def show_secret(
        self,
        secret: Secret,
        metadata: SecretMetadata | None,
        rotation: Rotation | None,
        now: float,
    ) -> None:
        """One version of a secret, every value masked."""
        self.secret, self.metadata, self.rotation, self.now = secret, metadata, rotation, now
        self.revealed.clear()
        self.diff_revealed.clear()
        self.diff = None
        self._set("keys", title=shown(secret.full_path), keep_cursor=False)

    def show_keys(self) -> None:
        """Back to the key view of the open secret (from JSON or diff)."""
        if self.secret is not None:
            self.diff = None
            self.diff_revealed.clear()
            self._set("keys", title=shown(self.secret.full_path))

    def show_json(self, text: str) -> None:
        """The whole secret as JSON (``text`` already masked except the revealed keys)."""
        self.json_text = text
        if self.secret is not None:
            self._set("json", title=shown(self.secret.full_path))

    def show_diff(self, diff: SecretDiff) -> None:
        """Two versions compared key by key; every value masked."""
        self.diff = diff
        self.diff_revealed.clear()
        title = shown(self.secret.full_path) if self.secret is not None else ""
        self._set("diff", title=title, keep_cursor=False)

    def reveal(self, key: str, text: str) -> None:
        """Show ``key``'s value as ``text`` (the audited, escaped display form)."""
        self.revealed[key] = text
        self._relayout()

    def reveal_diff(self, key: str, old: str, new: str) -> None:
        """Show ``key``'s two values in the diff (both reveals audited by the screen)."""
        self.diff_revealed[key] = (old, new)
        self._relayout()

    def mask(self, key: str) -> None:
        """Mask ``key`` again (the JSON text is rebuilt by the screen)."""
        if self.revealed.pop(key, None) is not None or self.diff_revealed.pop(key, None):
            self._relayout()

    def mask_all(self) -> None:
        """Mask every value (leaving the secret, the reveal timeout)."""
        if self.revealed or self.diff_revealed:
            self.revealed.clear()
            self.diff_revealed.clear()
            self._relayout()

    def forget(self) -> None:
        """Drop the secret and every value it held (leaving it)."""
        self.secret = self.metadata = self.rotation = self.diff = None
        self.revealed.clear()
        self.diff_revealed.clear()
        self.json_text = ""

    def select_key(self, key: str) -> bool:
        for index, line in enumerate(self._lines):
            if line.head and line.key == key:
                self._move(index)
                return True
        return False

    # --- building the lines -------------------------------------------------------------------

    def _set(
        self, mode: str, *, title: str = "", message: str = "", keep_cursor: bool = True
    ) -> None:
        key = self.selected_key if keep_cursor else None
        self.mode = mode
        self._title = title
        self._message = message
        if mode in ("empty", "loading", "error"):
            self.forget()
        self._relayout(key, reset=not keep_cursor)

    def _relayout(self, key: str | None = None, *, reset: bool = False) -> None:
        key = key if key is not None else (None if reset else self.selected_key)
        width = self._text_width()
        self._layout_width = width
        self._lines = self._build(width)
        self._strips.clear()
        heads = [i for i, line in enumerate(self._lines) if line.head]
        self._cursor = heads[0] if heads else -1
        if key is not None:
            for i in heads:
                if self._lines[i].key == key:
                    self._cursor = i
                    break
        self.virtual_size = Size(width, len(self._lines))
        if reset:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.KeySelected(self.selected_key))

    def _text_width(self) -> int:
        return max(20, self.scrollable_content_region.width or self.size.width or 76)

    def _build(self, width: int) -> list[Line]:
        lines: list[Line] = []
        if self._title:
            lines.append(Line(Text(self._title, style="bold")))
        if self.mode in ("empty", "loading"):
            lines.append(Line(Text(self._message, style="dim italic")))
        elif self.mode == "error":
            lines.extend(_wrapped(self._message, width, "bold red"))
        elif self.mode == "keys" and self.secret is not None:
            lines.extend(self._keys_lines(width))
        elif self.mode == "json":
            lines.append(
                Line(Text("JSON · values masked unless revealed (r in the key view)", "dim"))
            )
            for part in self.json_text.splitlines():
                lines.extend(_wrapped(part, width, ""))
        elif self.mode == "diff" and self.diff is not None:
            lines.extend(self._diff_lines(width))
        return lines

    def _keys_lines(self, width: int) -> list[Line]:
        secret = self.secret
        assert secret is not None
        out = [Line(self._version_line())]
        out.extend(self._rotation_lines(width))
        if secret.gone:
            out.append(Line(Text("")))
            what = f"version {secret.version} is {secret.state}: nothing to show"
            hint = " (v: another version)" if self.metadata is not None else ""
            out.append(Line(Text(what + hint, style=STATE_STYLE.get(secret.state, ""))))
        else:
            out.append(Line(Text("")))
            out.extend(self._entry_lines(width))
        out.extend(self._metadata_lines(width))
        return out

    def _version_line(self) -> Text:
        secret = self.secret
        assert secret is not None
        text = Text(no_wrap=True, overflow="ellipsis")
        if secret.version is None:
            text.append(f"KV v1 · mount {shown(secret.mount.path)} · no versions, no metadata")
            return text
        meta = self.metadata
        current = f" of {meta.current_version}" if meta is not None else ""
        text.append(f"version {secret.version}{current} · ")
        text.append(secret.state, style=STATE_STYLE.get(secret.state, ""))
        if meta is not None and secret.version != meta.current_version:
            text.append(" · not the current version", style="bold yellow")
        if secret.created_time is not None:
            text.append(f" · written {self._when(secret.created_time)}", style="dim")
        if meta is None:
            text.append(" · metadata not readable", style="dim")
        return text

    def _rotation_lines(self, width: int) -> list[Line]:
        rotation = self.rotation
        if rotation is None:
            return []
        if rotation.overdue:
            out = _wrapped(f"⚠ {rotation.label()}", width, "bold yellow")
        elif rotation.age_s is None:
            out = _wrapped(f"? {rotation.label()}", width, "dim")
        else:
            out = _wrapped(f"✔ {rotation.label()}", width, "green")
        if rotation.problem:
            out.extend(_wrapped(f"⚠ {rotation.problem}", width, "yellow"))
        return out

    def _entry_lines(self, width: int) -> list[Line]:
        secret = self.secret
        assert secret is not None
        if not secret.entries:
            return [Line(Text("no keys", style="dim italic"))]
        column = min(MAX_KEY_WIDTH, max(cell_len(e.label) for e in secret.entries))
        value_width = max(8, width - column - 2)
        out: list[Line] = []
        escaped = False
        for entry in secret.entries:
            label = entry.label
            escaped = escaped or entry.label_escaped
            head = Text(no_wrap=True, overflow="ellipsis", end="")
            cut = label if cell_len(label) <= column else label[: column - 1] + "…"
            head.append(cut, style="bold")
            head.append(" " * (column - cell_len(cut)) + "  ")
            kind = entry.value.kind
            if entry.key in self.revealed:
                escaped = escaped or entry.value.revealed_escaped()
                parts = self.revealed[entry.key].split("\n")
                first = True
                for part in parts:
                    for chunk in _chunks(part, value_width):
                        if first:
                            head.append(chunk, style="bold yellow")
                            out.append(Line(head, entry.key, head=True))
                            first = False
                        else:
                            more = Text(" " * (column + 2), no_wrap=True, end="")
                            more.append(chunk, style="bold yellow")
                            out.append(Line(more, entry.key))
            else:
                head.append(str(entry.value), style="dim")
                if kind in KIND_NOTE:
                    head.append(f"  {KIND_NOTE[kind]}", style="italic dim")
                out.append(Line(head, entry.key, head=True))
        if escaped:
            out.append(
                Line(
                    Text(
                        "⚠ control characters shown escaped (\\x1b, \\u202e …): never sent raw",
                        style="yellow",
                    )
                )
            )
        return out

    def _metadata_lines(self, width: int) -> list[Line]:
        meta = self.metadata
        if meta is None:
            return []
        out = [Line(Text("")), Line(Text("── metadata", style="bold dim"))]
        rows: list[tuple[str, str]] = []
        if meta.created_time is not None:
            rows.append(("created", self._when(meta.created_time)))
        if meta.updated_time is not None:
            rows.append(("updated", self._when(meta.updated_time)))
        max_versions = str(meta.max_versions) if meta.max_versions else "mount default"
        rows.append(
            (
                "versions",
                f"current {meta.current_version} · oldest {meta.oldest_version} · "
                f"max {max_versions}",
            )
        )
        rows.append(("cas_required", "yes" if meta.cas_required else "no"))
        after = meta.delete_version_after_s
        rows.append(("delete_version_after", format_duration(after) if after else "never"))
        for key, value in meta.custom_labels():
            rows.append((f"custom {key}", value))
        column = min(MAX_KEY_WIDTH, max(cell_len(k) for k, _ in rows))
        for key, value in rows:
            label = key if cell_len(key) <= column else key[: column - 1] + "…"
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(label + " " * (column - cell_len(label)) + "  ", style="dim")
            text.append(value)
            out.append(Line(text))
        out.append(Line(Text("")))
        out.append(Line(Text("── versions (v: read one, d: compare)", style="bold dim")))
        shown_version = self.secret.version if self.secret is not None else None
        for info in meta.versions:
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(
                f"v{info.version:<4}", style="bold" if info.version == shown_version else ""
            )
            text.append(f"{info.state:<10}", style=STATE_STYLE.get(info.state, ""))
            if info.created_time is not None:
                text.append(self._when(info.created_time), style="dim")
            if info.deletion_time is not None:
                verb = "deletes" if info.deletion_time > self.now else "deleted"
                text.append(f" · {verb} {local_time(info.deletion_time, self.now)}", style="dim")
            if info.version == shown_version:
                text.append("  ◀ shown", style="bold")
            out.append(Line(text))
        return out

    def _diff_lines(self, width: int) -> list[Line]:
        diff = self.diff
        assert diff is not None
        out = [
            Line(Text(f"diff v{diff.old_version} → v{diff.new_version}: {diff.summary()}", "bold")),
            Line(Text("values masked unless revealed (r on a key: both versions)", "dim")),
        ]
        out.extend(Line(Text(f"⚠ {note}", style="yellow")) for note in diff.notes)
        out.append(Line(Text("")))
        if not diff.rows:
            out.append(Line(Text("no keys in either version", style="dim italic")))
            return out
        column = min(MAX_KEY_WIDTH, max(cell_len(r.label) for r in diff.rows))
        for row in diff.rows:
            change = str(row.change)
            head = Text(no_wrap=True, overflow="ellipsis", end="")
            head.append(f"{CHANGE_MARK[change]} {change:<9} ", style=CHANGE_STYLE[change])
            label = row.label if cell_len(row.label) <= column else row.label[: column - 1] + "…"
            head.append(label + " " * (column - cell_len(label)) + "  ", style="bold")
            revealed = self.diff_revealed.get(row.key)
            if revealed is None:
                old = row.old_text() or "—"
                new = row.new_text() or "—"
                head.append(f"v{diff.old_version} {old} → v{diff.new_version} {new}", style="dim")
                out.append(Line(head, row.key, head=True))
                continue
            out.append(Line(head, row.key, head=True))
            indent = 4
            for version, value in (
                (diff.old_version, revealed[0]),
                (diff.new_version, revealed[1]),
            ):
                prefix = f"v{version}: "
                room = max(8, width - indent - len(prefix))
                chunks = [c for part in (value or "—").split("\n") for c in _chunks(part, room)]
                for n, chunk in enumerate(chunks):
                    text = Text(" " * indent, no_wrap=True, end="")
                    text.append(prefix if n == 0 else " " * len(prefix), style="dim")
                    text.append(chunk, style="bold yellow")
                    out.append(Line(text, row.key))
        return out

    def _when(self, ts: float) -> str:
        age = self.now - ts
        ago = f" ({format_duration(age, parts=1)} ago)" if age >= 60 else ""
        return local_time(ts, self.now) + ago

    # --- rendering ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        index = self.scroll_offset.y + y
        if not 0 <= index < len(self._lines):
            return Strip.blank(width, base)
        selected = index == self._cursor
        key = (index, selected, width)
        strip = self._strips.get(key)
        if strip is None:
            style = base
            if selected:
                style = base + self.get_component_rich_style("secret-view--cursor")
            strip = self._strip(self._lines[index].text.copy(), style, width)
            self._strips[key] = strip
        return strip

    def _strip(self, text: Text, style: Style, width: int) -> Strip:
        text.stylize_before(style)
        text.no_wrap = True
        text.truncate(max(1, width), overflow="ellipsis", pad=True)
        return Strip(text.render(self.app.console), width)

    def on_resize(self, _event: events.Resize) -> None:
        if self._text_width() != self._layout_width:
            self._relayout()

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self._strips.clear()  # the cursor's colour follows focus
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    # --- the cursor ---------------------------------------------------------------------------

    def _heads(self) -> list[int]:
        return [i for i, line in enumerate(self._lines) if line.head]

    def _move(self, index: int) -> None:
        if index == self._cursor:
            self._scroll_to_cursor()
            return
        self._cursor = index
        self.refresh()
        self._scroll_to_cursor()
        self.post_message(self.KeySelected(self.selected_key))

    def _scroll_to_cursor(self) -> None:
        if not 0 <= self._cursor < len(self._lines):
            return
        top = self._cursor
        bottom = top + 1
        while (
            bottom < len(self._lines)
            and self._lines[bottom].key == self._lines[top].key
            and (not self._lines[bottom].head)
        ):
            bottom += 1
        height = max(1, self.scrollable_content_region.height)
        y = self.scroll_offset.y
        if top < y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif bottom > y + height:
            self.scroll_to(y=max(0, min(top, bottom - height)), animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        """Up/down: the next key; scrolls where there are no keys (JSON, metadata)."""
        heads = self._heads()
        if not heads:
            self.scroll_to(y=self.scroll_offset.y + step, animate=False, immediate=True)
            return
        if self._cursor not in heads:
            self._move(heads[0])
            return
        position = heads.index(self._cursor) + step
        if position < 0:
            self.scroll_to(y=0, animate=False, immediate=True)
            return
        if position >= len(heads):
            # Past the last key: scroll on through the metadata and versions.
            self.scroll_to(y=self.scroll_offset.y + 1, animate=False, immediate=True)
            return
        self._move(heads[position])

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=self.scroll_offset.y + direction * height, animate=False, immediate=True)

    def action_first(self) -> None:
        heads = self._heads()
        if heads:
            self._move(heads[0])
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_last(self) -> None:
        self.scroll_to(y=len(self._lines), animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        while 0 <= index < len(self._lines) and not self._lines[index].head:
            if self._lines[index].key is None:
                return
            index -= 1
        if 0 <= index < len(self._lines):
            self._move(index)


def _chunks(text: str, width: int) -> list[str]:
    """``text`` cut into pieces of at most ``width`` cells (values have no words to wrap at)."""
    if cell_len(text) <= width:
        return [text]
    out, line, used = [], [], 0
    for ch in text:
        size = cell_len(ch)
        if used + size > width and line:
            out.append("".join(line))
            line, used = [], 0
        line.append(ch)
        used += size
    if line:
        out.append("".join(line))
    return out


def _wrapped(text: str, width: int, style: str) -> list[Line]:
    """A message cut at ``width`` into lines (keeps every character visible)."""
    return [Line(Text(chunk, style=style)) for chunk in _chunks(text, width)] or [Line(Text(""))]
