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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from penguin_tui.vault.escape import shown
from penguin_tui.widgets.cursor import CURSOR_KEYS, cursor_css

if TYPE_CHECKING:
    from penguin_tui.vault.tree import Node, SecretTree

OVERDUE_MARK = "⚠"
FOLDED, UNFOLDED = "▸", "▾"


@dataclass(slots=True)
class Row:
    """One line of the tree: a node, or a note under a folder (``loading…``, ``may not list``)."""

    node: Node
    depth: int
    note: str = ""  # set: this row is a note about ``node`` (a folder), not the node itself
    note_style: str = "dim italic"
    flat: bool = False  # a filter match: shown by its full path


class Matches(Sequence[Row]):
    """The filter's matches as rows, each made when it is drawn: a keystroke that matches
    11,000 paths must not build 11,000 row objects."""

    def __init__(self, nodes: list[Node]) -> None:
        self.nodes = nodes

    def __len__(self) -> int:
        return len(self.nodes)

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | Sequence[Row]:
        if isinstance(index, slice):
            return [Row(n, 0, flat=True) for n in self.nodes[index]]
        return Row(self.nodes[index], 0, flat=True)

    def find(self, node: Node) -> int:
        """The position of ``node`` (by identity), -1 when it is not a match."""
        for index, candidate in enumerate(self.nodes):
            if candidate is node:
                return index
        return -1


def matching(nodes: list[Node], text: str) -> list[Node]:
    """``nodes`` whose full path holds every word of ``text`` (any case), in their order:
    what ``SecretTree.filter`` answers, over a list sorted once rather than per keystroke."""
    words = text.lower().split()
    if len(words) == 1:  # the common case, without a generator per node
        word = words[0]
        return [n for n in nodes if word in n.search_key]
    return [n for n in nodes if all(w in n.search_key for w in words)]


class SecretTreeView(Widget, can_focus=True):
    """The tree of one Vault's KV mounts; see the module docstring for what it asks of the
    screen. ``expanded`` holds the full paths of unfolded folders.

    It scrolls itself (``top``) and draws its own scroll bar in the last column, instead of
    being a Textual ScrollView: a ScrollView's virtual size is a layout property, so each
    filter keystroke that changes the number of matches would lay out and repaint the whole
    screen, where this repaints the tree alone.
    """

    DEFAULT_CSS = """
    SecretTreeView {
        height: 1fr;
    }
    """ + cursor_css("SecretTreeView", "secret-tree--cursor")
    COMPONENT_CLASSES = {"secret-tree--cursor"}
    BINDINGS = [
        *CURSOR_KEYS,
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
        self._rows: Sequence[Row] = []
        self._all: list[Node] | None = None  # every node, sorted by path (the filter's base)
        self._last: tuple[str, list[Node]] | None = None  # the last filter and its matches
        self._cursor = 0
        self.top = 0  # the row at the top of the widget
        self._base: Style | None = None  # the widget's rich style, kept between frames
        self._strips: LRUCache[tuple[int, bool], Strip] = LRUCache(512)

    # --- what the screen asks -----------------------------------------------------------------

    @property
    def rows(self) -> Sequence[Row]:
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
        self.tree_changed()
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

    def tree_changed(self) -> None:
        """The tree gained or lost nodes: the filter starts again from all of them."""
        self._all = None
        self._last = None

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
        self._clamp_top()
        self.refresh()
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self.selected))

    def set_overdue(self, marks: dict[str, bool]) -> None:
        """Mark secrets overdue for rotation (their metadata became known)."""
        changed = {path for path, flag in marks.items() if self.overdue.get(path) != flag}
        if not changed:
            return
        self.overdue.update(marks)
        rows = self._rows
        nodes = rows.nodes if isinstance(rows, Matches) else [r.node for r in rows]
        for index, node in enumerate(nodes):
            if node.full_path in changed and not (isinstance(rows, list) and rows[index].note):
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
            return Matches(self._matches(tree, self._filter))
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

    def _matches(self, tree: SecretTree, text: str) -> list[Node]:
        if self._all is None or len(self._all) != len(tree):
            self._all = tree.filter("")  # every node, sorted: once per change of the tree
            self._last = None
        base = self._all
        key = text.lower()
        if self._last is not None and key.startswith(self._last[0]):
            # Typing on narrows the last matches (each word is, or extends, one before).
            base = self._last[1]
        found = matching(base, key)
        self._last = (key, found)
        return found

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
        if isinstance(self._rows, Matches):
            found = self._rows.find(node)
            return found if found >= 0 else self._cursor
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
        if self._base is None:
            self._base = self.rich_style
        base = self._base
        index = self.top + y
        if not self._rows:
            if y == 0:
                return self._strip(Text(self.placeholder, style="dim italic"), base, width)
            return Strip.blank(width, base)
        bar = self._bar(y)
        text_width = width - 1 if bar else width
        if not 0 <= index < len(self._rows):
            strip = Strip.blank(text_width, base)
        else:
            selected = index == self._cursor
            key = (index, selected)
            strip = self._strips.get(key)
            if strip is None:
                style = base
                if selected:
                    style = base + self.get_component_rich_style("secret-tree--cursor")
                strip = self._strip(self.row_text(self._rows[index]), style, text_width)
                self._strips[key] = strip
        if bar:
            strip = Strip([*strip, Segment(bar[0], base + Style.parse(bar[1]))], width)
        return strip

    def _bar(self, y: int) -> tuple[str, str] | None:
        """The scroll bar's character on line ``y`` (None when everything fits)."""
        height = self.size.height
        total = len(self._rows)
        if total <= height or height <= 0:
            return None
        size = max(1, round(height * height / total))
        start = round(self.top * (height - size) / max(1, total - height))
        return ("┃", "bold") if start <= y < start + size else ("│", "dim")

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
            if 0 <= index - self.top < self.size.height:
                self.refresh(Region(0, index - self.top, self.size.width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._strips.clear()

    def on_resize(self, _event: events.Resize) -> None:
        self._strips.clear()
        self._clamp_top()
        self._scroll_to_cursor()
        self.refresh()

    def _clamp_top(self) -> None:
        self.top = max(0, min(self.top, len(self._rows) - self.size.height))

    def _scroll(self, top: int) -> None:
        before = self.top
        self.top = top
        self._clamp_top()
        if self.top != before:
            self.refresh()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self._scroll(self.top + 3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._scroll(self.top - 3)

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
        height = max(1, self.size.height)
        if self._cursor < self.top:
            self._scroll(self._cursor)
        elif self._cursor >= self.top + height:
            self._scroll(self._cursor - height + 1)

    def action_cursor(self, step: int) -> None:
        self._move(self._cursor + step)

    def action_page(self, direction: int) -> None:
        height = max(1, self.size.height)
        self._move(self._cursor + direction * height)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self._rows) - 1)

    def on_click(self, event: events.Click) -> None:
        index = self.top + event.y
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
        self.tree_changed()
        if error:
            self.errors[path] = error
        else:
            self.errors.pop(path, None)
        self.refresh_rows()

    def unfold_all(self, nodes: Iterable[Node]) -> None:
        """Unfold ``nodes`` (already listed folders) without asking for listings."""
        self.expanded.update(n.full_path for n in nodes)
        self.refresh_rows()
