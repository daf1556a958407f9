"""The secret browser's tree: mounts, folders and secrets, lazily listed, virtualised.

A Vault mount can hold tens of thousands of paths, so this is one widget, not one per node: it
keeps a flat list of the rows on show (the expanded part of the tree, or the filter's matches)
and renders only the lines on screen. A filter keystroke is one cheap in-memory pass over the
nodes loaded so far (``SecretTree.filter``) and one rebuild of that row list; nothing else is
rebuilt and nothing is listed from Vault. Folders end in ``/`` as Vault lists them.

The widget never talks to Vault: it asks the screen with messages (``Expand`` a folder that is
not listed yet, ``Open`` a secret, ``GotoWanted`` for a folder the token may not list) and the
screen calls ``refresh_rows`` when the tree has changed. Every name is Vault's text and is shown
escaped (``Node.label``), as ``Text``, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from penguin_tui.vault.escape import shown

if TYPE_CHECKING:
    from penguin_tui.vault.tree import Node, SecretTree

OVERDUE_MARK = "⚠"
FOLDED, UNFOLDED = "▸", "▾"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the tree: a node, or a note under a folder (``loading…``, ``may not list``)."""

    node: Node
    depth: int
    note: str = ""  # set: this row is a note about ``node`` (a folder), not the node itself
    note_style: str = "dim italic"
    flat: bool = False  # a filter match: shown by its full path


class SecretTreeView(ScrollView, can_focus=True):
    """The tree of one Vault's KV mounts; see the module docstring for what it asks of the
    screen. ``expanded`` holds the full paths of unfolded folders."""

    DEFAULT_CSS = """
    SecretTreeView {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
    }
    SecretTreeView > .secret-tree--cursor {
        background: $panel-lighten-1;
    }
    SecretTreeView:focus > .secret-tree--cursor {
        background: $accent 40%;
    }
    """
    COMPONENT_CLASSES = {"secret-tree--cursor"}
    BINDINGS = [
        # No j/k: on this screen j is the JSON view.
        Binding("up", "cursor(-1)", "up", show=False),
        Binding("down", "cursor(1)", "down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("home", "first", "first", show=False),
        Binding("end", "last", "last", show=False),
        Binding("enter", "activate", "open", tooltip="Open a secret, unfold a folder"),
        Binding("right", "unfold", "unfold", show=False, tooltip="Unfold a folder, open"),
        Binding("left", "fold", "fold", show=False, tooltip="Fold, or go to the folder above"),
    ]

    class Open(Message):
        """Open this secret."""

        def __init__(self, node: Node) -> None:
            super().__init__()
            self.node = node

    class Expand(Message):
        """List this folder (it was unfolded and is not listed yet, or the listing failed)."""

        def __init__(self, node: Node) -> None:
            super().__init__()
            self.node = node

    class GotoWanted(Message):
        """The token may not list ``path``: offer "go to path" there."""

        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    class Picked(Message):
        """Enter on a filter match: the screen ends the filter and goes there."""

        def __init__(self, node: Node) -> None:
            super().__init__()
            self.node = node

    class Highlighted(Message):
        """The cursor is on another node (None: the tree is empty)."""

        def __init__(self, node: Node | None) -> None:
            super().__init__()
            self.node = node

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.vault_tree: SecretTree | None = None
        self.expanded: set[str] = set()
        self.loading: set[str] = set()  # folders whose LIST is in flight
        self.errors: dict[str, str] = {}  # folder -> why its LIST failed (enter retries)
        self.overdue: dict[str, bool] = {}  # secret -> overdue for rotation (when known)
        self.placeholder = "Connecting to Vault…"
        self._filter = ""
        self._rows: list[Row] = []
        self._cursor = 0
        self._strips: LRUCache[tuple[int, bool], Strip] = LRUCache(512)

    # --- what the screen asks -----------------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        return self._rows

    @property
    def filtering(self) -> bool:
        return bool(self._filter.strip())

    @property
    def selected(self) -> Node | None:
        """The node under the cursor (a note row counts as its folder)."""
        if 0 <= self._cursor < len(self._rows):
            return self._rows[self._cursor].node
        return None

    @property
    def selected_row(self) -> Row | None:
        return self._rows[self._cursor] if 0 <= self._cursor < len(self._rows) else None

    def set_tree(self, tree: SecretTree | None, *, placeholder: str = "") -> None:
        """Show another tree (a new connection's mounts), everything folded."""
        self.vault_tree = tree
        self.expanded.clear()
        self.loading.clear()
        self.errors.clear()
        if placeholder:
            self.placeholder = placeholder
        self._cursor = 0
        self.refresh_rows()

    def set_placeholder(self, text: str) -> None:
        """What an empty tree says (connecting, no mounts, why Vault cannot be read)."""
        self.placeholder = text
        if not self._rows:
            self.refresh()

    def set_filter(self, text: str) -> int:
        """Show only loaded nodes whose full path holds every word of ``text``; the number
        of matches (every node loaded for empty text)."""
        self._filter = text
        self.refresh_rows()
        return len(self._rows) if self.filtering else self.node_count

    @property
    def node_count(self) -> int:
        return len(self.vault_tree) if self.vault_tree is not None else 0

    def refresh_rows(self) -> None:
        """Rebuild the rows from the tree (after a listing, a fold, a filter change)."""
        keep = self.selected
        keep_row = self.selected_row
        self._rows = self._build()
        self._strips.clear()
        index = 0
        if keep is not None:
            index = self._find(keep, note=bool(keep_row and keep_row.note))
        self._cursor = max(0, min(index, len(self._rows) - 1))
        self.virtual_size = Size(self.size.width, len(self._rows))
        self.refresh()
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self.selected))

    def set_overdue(self, marks: dict[str, bool]) -> None:
        """Mark secrets overdue for rotation (their metadata became known)."""
        changed = {path for path, flag in marks.items() if self.overdue.get(path) != flag}
        if not changed:
            return
        self.overdue.update(marks)
        for index, row in enumerate(self._rows):
            if not row.note and row.node.full_path in changed:
                self._invalidate(index)

    def select_path(self, full_path: str) -> bool:
        """Unfold the folders above ``full_path`` and put the cursor on it."""
        if self.vault_tree is None:
            return False
        node = self.vault_tree.node(full_path)
        if node is None:
            return False
        self.reveal_node(node)
        return True

    def reveal_node(self, node: Node) -> None:
        """Unfold every folder above ``node`` and move the cursor to it."""
        path = node.path
        while path:
            trimmed = path.rstrip("/")
            path = trimmed.rsplit("/", 1)[0] + "/" if "/" in trimmed else ""
            self.expanded.add(node.mount.path + path)
        self.refresh_rows()
        self._move(self._find(node))

    # --- rows ---------------------------------------------------------------------------------

    def _build(self) -> list[Row]:
        tree = self.vault_tree
        if tree is None:
            return []
        if self.filtering:
            return [Row(n, 0, flat=True) for n in tree.filter(self._filter)]
        rows: list[Row] = []
        stack: list[tuple[Node, int]] = [(n, 0) for n in reversed(tree.roots)]
        while stack:
            node, depth = stack.pop()
            rows.append(Row(node, depth))
            if not node.is_folder or node.full_path not in self.expanded:
                continue
            notes = self._notes(node, depth + 1)
            rows.extend(notes)
            if notes and node.full_path in self.loading:
                continue
            stack.extend((child, depth + 1) for child in reversed(node.children))
        return rows

    def _notes(self, node: Node, depth: int) -> list[Row]:
        path = node.full_path
        if path in self.loading:
            return [Row(node, depth, "loading…")]
        if path in self.errors:
            return [Row(node, depth, f"{self.errors[path]} · enter retries", "yellow")]
        state = str(node.state)
        if state == "forbidden":
            return [Row(node, depth, "⊘ may not list (403) · enter: go to path", "yellow")]
        if state == "loaded" and not node.children:
            return [Row(node, depth, "(empty)")]
        return []

    def _find(self, node: Node, *, note: bool = False) -> int:
        first = -1
        for index, row in enumerate(self._rows):
            if row.node is node:
                if bool(row.note) == note:
                    return index
                if first < 0:
                    first = index
        return max(first, 0) if first >= 0 else self._cursor

    # --- rendering ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        index = self.scroll_offset.y + y
        if not self._rows:
            if y == 0:
                return self._strip(Text(self.placeholder, style="dim italic"), base, width)
            return Strip.blank(width, base)
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, base)
        selected = index == self._cursor
        key = (index, selected)
        strip = self._strips.get(key)
        if strip is None:
            style = base
            if selected:
                style = base + self.get_component_rich_style("secret-tree--cursor")
            strip = self._strip(self.row_text(self._rows[index]), style, width)
            self._strips[key] = strip
        return strip

    def row_text(self, row: Row) -> Text:
        """One row as text (also what tests read)."""
        node = row.node
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append("  " * row.depth)
        if row.note:
            text.append(row.note, style=row.note_style)
            return text
        if row.flat:
            text.append(shown(node.full_path), style="bold" if node.is_folder else "")
        elif node.is_folder:
            text.append(f"{UNFOLDED if node.full_path in self.expanded else FOLDED} ", style="dim")
            text.append(node.label, style="bold")
        else:
            text.append("  " + node.label)
        if not node.path:
            text.append(f"  kv v{node.mount.kv_version}", style="dim")
        if self.overdue.get(node.full_path):
            text.append(f" {OVERDUE_MARK} overdue", style="bold yellow")
        return text

    def plain_lines(self) -> list[str]:
        """Every row as plain text (tests)."""
        return [self.row_text(row).plain for row in self._rows]

    def _strip(self, text: Text, style: Style, width: int) -> Strip:
        text.stylize_before(style)
        text.truncate(max(1, width), overflow="ellipsis")
        segments = list(text.render(self.app.console))
        return Strip(segments, text.cell_len).crop_extend(0, width, style)

    def _invalidate(self, index: int) -> None:
        if 0 <= index < len(self._rows):
            self._strips.discard((index, False))
            self._strips.discard((index, True))
            self.refresh_line(index)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def on_resize(self, _event: events.Resize) -> None:
        self._strips.clear()
        self.virtual_size = Size(self.size.width, len(self._rows))
        self._scroll_to_cursor()

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self._invalidate(self._cursor)

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self._invalidate(self._cursor)

    # --- the cursor ---------------------------------------------------------------------------

    def _move(self, index: int) -> None:
        if not self._rows:
            return
        index = max(0, min(index, len(self._rows) - 1))
        old, self._cursor = self._cursor, index
        if old != index:
            self._invalidate(old)
            self._invalidate(index)
            self.post_message(self.Highlighted(self.selected))
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        y = self.scroll_offset.y
        if self._cursor < y:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= y + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self._move(self._cursor + step)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        self._move(self._cursor + direction * height)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self._rows) - 1)

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self._rows):
            self._move(index)

    # --- folding and opening ------------------------------------------------------------------

    def action_activate(self) -> None:
        """Enter: open a secret; unfold a folder (fold an unfolded one); a note's action."""
        row = self.selected_row
        if row is None:
            return
        node = row.node
        if row.flat:
            self.post_message(self.Picked(node))
        elif row.note:
            self._note_action(row)
        elif not node.is_folder:
            self.post_message(self.Open(node))
        elif node.full_path in self.expanded and str(node.state) != "forbidden":
            self._fold(node)
        else:
            self._unfold(node)

    def action_unfold(self) -> None:
        """Right: unfold a folder (or step into an unfolded one); open a secret."""
        row = self.selected_row
        if row is None or row.note or row.flat:
            self.action_activate()
            return
        node = row.node
        if not node.is_folder:
            self.post_message(self.Open(node))
        elif node.full_path in self.expanded and node.children:
            self._move(self._cursor + 1)
        else:
            self._unfold(node)

    def action_fold(self) -> None:
        """Left: fold an unfolded folder, else go to the folder above."""
        row = self.selected_row
        if row is None or row.flat:
            return
        node = row.node
        if not row.note and node.is_folder and node.full_path in self.expanded:
            self._fold(node)
            return
        target = node if row.note else self._parent(node)
        if target is not None:
            self._move(self._find(target))

    def _note_action(self, row: Row) -> None:
        node = row.node
        path = node.full_path
        if path in self.errors or str(node.state) == "unloaded":
            self._unfold(node)
        elif str(node.state) == "forbidden":
            self.post_message(self.GotoWanted(path))

    def _unfold(self, node: Node) -> None:
        path = node.full_path
        self.expanded.add(path)
        if str(node.state) == "forbidden":
            self.refresh_rows()
            self.post_message(self.GotoWanted(path))
            return
        if str(node.state) == "unloaded" or path in self.errors:
            self.errors.pop(path, None)
            self.loading.add(path)
            self.post_message(self.Expand(node))
        self.refresh_rows()

    def _fold(self, node: Node) -> None:
        self.expanded.discard(node.full_path)
        self.refresh_rows()
        self._move(self._find(node))

    def _parent(self, node: Node) -> Node | None:
        if self.vault_tree is None or not node.path:
            return None
        trimmed = node.path.rstrip("/")
        parent = trimmed.rsplit("/", 1)[0] + "/" if "/" in trimmed else ""
        return self.vault_tree.node(node.mount.path + parent)

    def listed(self, node: Node, error: str = "") -> None:
        """The screen's answer to ``Expand``: the folder was listed (or ``error`` says why not)."""
        path = node.full_path
        self.loading.discard(path)
        if error:
            self.errors[path] = error
        else:
            self.errors.pop(path, None)
        self.refresh_rows()

    def unfold_all(self, nodes: Iterable[Node]) -> None:
        """Unfold ``nodes`` (already listed folders) without asking for listings."""
        self.expanded.update(n.full_path for n in nodes)
        self.refresh_rows()
