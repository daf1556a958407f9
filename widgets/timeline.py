"""An incident's timeline like a chat log: newest at the bottom, one cursor entry, virtualised.

An incident may run to thousands of entries; this is one widget, not one per entry. It keeps
the entries as data, works out how many lines each takes at the current width (a cheap word
wrap, no rendering), and renders only the lines on screen, caching them. Opening a 5,000-entry
timeline therefore costs the wrap of 5,000 short strings and the render of one screenful;
scrolling renders the lines that come into view and nothing else.

Each entry reads ``★14:05 #12 alice status  Investigating -> Identified``: the pin mark, the
time (a divider line marks each new day), the entry id (corrections refer to it), the author,
the type in its colour, then the text, wrapped under the time. A long entry is cut at
``MAX_LINES`` with a note that enter shows it whole. Everything shown was sanitised on the
reader thread and is rendered as ``Text``: a note's ``[bold]`` or escape codes stay inert.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from rich.cells import cell_len, chop_cells
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from penguin_tui.incidents.model import EntryType
from penguin_tui.incidents.view import TimelineItem
from penguin_tui.widgets.cursor import cursor_css

MAX_LINES = 8  # lines of one entry shown in the log; enter shows the whole entry
INDENT = 7  # continuation lines start under the author
PIN_MARK = "★"

TYPE_LABEL: dict[EntryType, str] = {
    EntryType.DECLARED: "declared",
    EntryType.NOTE: "note",
    EntryType.STATUS: "status",
    EntryType.SEVERITY: "severity",
    EntryType.ROLE: "role",
    EntryType.ALERT_LINKED: "alert linked",
    EntryType.ALERT_UNLINKED: "alert unlinked",
    EntryType.ALERT_FIRED: "alert fired",
    EntryType.ALERT_RESOLVED: "alert resolved",
    EntryType.ACTION: "action",
    EntryType.UPDATE: "update",
    EntryType.MILESTONE: "milestone",
    EntryType.PIN: "pin",
    EntryType.UNPIN: "unpin",
    EntryType.CORRECTION: "correction",
    EntryType.FIELD: "changed",
}
# Colour marks the type, together with its word (NO_COLOR loses nothing).
TYPE_STYLE: dict[EntryType, str] = {
    EntryType.DECLARED: "bold magenta",
    EntryType.NOTE: "",
    EntryType.STATUS: "bold cyan",
    EntryType.SEVERITY: "bold yellow",
    EntryType.ROLE: "cyan",
    EntryType.ALERT_LINKED: "yellow",
    EntryType.ALERT_UNLINKED: "yellow",
    EntryType.ALERT_FIRED: "bold red",
    EntryType.ALERT_RESOLVED: "bold green",
    EntryType.ACTION: "bold green",
    EntryType.UPDATE: "bold blue",
    EntryType.MILESTONE: "cyan",
    EntryType.PIN: "dim",
    EntryType.UNPIN: "dim",
    EntryType.CORRECTION: "italic yellow",
    EntryType.FIELD: "dim",
}
TEXT_STYLE: dict[EntryType, str] = {
    EntryType.STATUS: "cyan",
    EntryType.ALERT_FIRED: "red",
    EntryType.ALERT_RESOLVED: "green",
    EntryType.UPDATE: "blue",
    EntryType.PIN: "dim",
    EntryType.UNPIN: "dim",
    EntryType.FIELD: "dim",
    EntryType.CORRECTION: "italic",
}


def label_of(item: TimelineItem) -> str:
    """The type word; a correction names the entry it corrects."""
    if item.type is EntryType.CORRECTION and item.refers_to is not None:
        return f"corrects #{item.refers_to}"
    return TYPE_LABEL.get(item.type, item.type.value)


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def wrap(text: str, first: int, rest: int) -> list[str]:
    """Greedy word wrap in terminal cells: the first line ``first`` wide, the others ``rest``.

    Words longer than a line are cut. Newlines start new lines. ASCII paragraphs (most of a
    timeline) take a fast path that finds each line's last space instead of measuring words.
    """
    if "\n" not in text and _width(text) <= first:
        return [text]
    out: list[str] = []
    width = max(1, first)
    for para in text.split("\n"):
        lines = _wrap_ascii(para, width, rest) if para.isascii() else _wrap_cells(para, width, rest)
        out += lines
        width = max(1, rest)
    return out


def _wrap_ascii(text: str, first: int, rest: int) -> list[str]:
    out = []
    width, start, end = first, 0, len(text)
    while end - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut <= start:  # no space in reach: cut the word
            out.append(text[start : start + width])
            start += width
        else:
            out.append(text[start:cut])
            start = cut + 1
        width = max(1, rest)
    out.append(text[start:])
    return out


def _wrap_cells(text: str, first: int, rest: int) -> list[str]:
    out: list[str] = []
    width = first
    line, used = "", 0
    for word in text.split(" "):
        size = _width(word)
        need = size if not line and not used else used + 1 + size
        if need <= width:
            line = word if not line and not used else f"{line} {word}"
            used = need
            continue
        if line or used:
            out.append(line)
            width = max(1, rest)
        while size > width:  # a word longer than a line: cut it
            head = chop_cells(word, width)[0]
            out.append(head)
            word = word[len(head) :]
            size = _width(word)
            width = max(1, rest)
        line, used = word, size
    out.append(line)
    return out


class Timeline(ScrollView, can_focus=True):
    """The timeline. Posts ``Highlighted`` when the cursor moves, ``Opened`` on enter."""

    DEFAULT_CSS = """
    Timeline {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
    }
    Timeline > .timeline--day {
        color: $text-muted;
    }
    """ + cursor_css("Timeline", "timeline--cursor")
    COMPONENT_CLASSES = {"timeline--cursor", "timeline--day"}
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "up", show=False),
        Binding("down,j", "cursor(1)", "down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("home", "first", "first", show=False),
        Binding("end", "last", "newest", show=False),
        Binding("enter", "open", "open", show=False, tooltip="Show the whole entry"),
    ]

    class Highlighted(Message):
        """The cursor moved to another entry."""

        def __init__(self, item: TimelineItem) -> None:
            super().__init__()
            self.item = item

    class Opened(Message):
        """Enter on an entry: show it whole."""

        def __init__(self, item: TimelineItem) -> None:
            super().__init__()
            self.item = item

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._items: list[TimelineItem] = []
        self._index: dict[int, int] = {}  # entry id -> position
        self._pinned: frozenset[int] = frozenset()
        self._lines: list[list[str]] = []  # each entry's text lines at the layout width
        self._tops: list[int] = []  # each entry's first line (its day divider, if any)
        self._total = 0
        self._layout_width = 0
        self._cursor = -1
        self._strips: LRUCache[tuple[int, int, bool], Strip] = LRUCache(1024)

    # --- what the screen asks -----------------------------------------------------------------

    @property
    def items(self) -> Sequence[TimelineItem]:
        return self._items

    @property
    def selected(self) -> TimelineItem | None:
        """The entry under the cursor."""
        return self._items[self._cursor] if 0 <= self._cursor < len(self._items) else None

    @property
    def line_count(self) -> int:
        """Lines of the whole log at the current width."""
        return self._total

    def plain_lines(self) -> list[str]:
        """Every line of the log as drawn, without styles (tests, a copy of the log)."""
        width = self.size.width or self._layout_width
        out = []
        for index in range(len(self._items)):
            for sub in range(self._height(index)):
                out.append(self._render(index, sub, False, Style(), width).text.rstrip())
        return out

    def item(self, entry_id: int) -> TimelineItem | None:
        index = self._index.get(entry_id)
        return None if index is None else self._items[index]

    def set_items(self, items: Iterable[TimelineItem], pinned: Iterable[int] = ()) -> None:
        """Start over with ``items`` (oldest first); the cursor goes to the newest."""
        self._items = list(items)
        self._index = {it.id: n for n, it in enumerate(self._items)}
        self._pinned = frozenset(pinned)
        self._lines, self._tops, self._total = [], [], 0
        self._strips.clear()
        self._layout_from(0)
        self._cursor = len(self._items) - 1
        # Scroll now, not after the next refresh: the first frame shows the newest entries
        # (and again after the layout, in case the widget's height was not known yet).
        self._scroll_to_cursor()
        self.call_after_refresh(self._scroll_to_cursor)
        self.refresh()
        self._announce()

    def append(self, items: Sequence[TimelineItem]) -> None:
        """New entries at the bottom; the cursor follows them if it was on the newest."""
        if not items:
            return
        following = self._cursor >= len(self._items) - 1
        start = len(self._items)
        for n, it in enumerate(items, start):
            self._index[it.id] = n
        self._items.extend(items)
        self._layout_from(start)
        if following:
            self._move(len(self._items) - 1)
        self.refresh()

    def set_pinned(self, pinned: Iterable[int]) -> None:
        """Redraw the pin marks (only the lines of entries whose mark changed)."""
        pinned = frozenset(pinned)
        if pinned == self._pinned:
            return
        changed = pinned ^ self._pinned
        self._pinned = pinned
        for entry_id in changed:
            self._invalidate(self._index.get(entry_id, -1))

    def select_entry(self, entry_id: int) -> bool:
        """Put the cursor on an entry (scrolling to it)."""
        index = self._index.get(entry_id)
        if index is None:
            return False
        self._move(index)
        return True

    # --- layout -------------------------------------------------------------------------------

    def _text_width(self) -> int:
        return max(20, self.scrollable_content_region.width or self.size.width or 80)

    def _layout_from(self, start: int) -> None:
        """Wrap entries ``start``.. at the current width and extend the line index."""
        width = self._text_width()
        if width != self._layout_width:
            self._layout_width = width
            start = 0
            self._strips.clear()
        del self._lines[start:]
        del self._tops[start:]
        total = self._tops[-1] + self._height(start - 1) if start > 0 else 0
        for it in self._items[start:]:
            prefix = self._prefix_width(it)
            lines = wrap(it.text, width - prefix, width - INDENT)
            if len(lines) > MAX_LINES:
                more = len(lines) - MAX_LINES + 1
                lines = [*lines[: MAX_LINES - 1], f"… {more} more lines · enter shows all"]
            self._lines.append(lines)
            self._tops.append(total)
            total += len(lines) + (1 if it.day else 0)
        self._total = total
        self.virtual_size = Size(width, total)

    def _pad(self) -> int:
        """Blank lines above a log shorter than the widget: like a chat, it sits at the bottom,
        next to the note line."""
        return max(0, self.scrollable_content_region.height - self._total)

    def _height(self, index: int) -> int:
        return len(self._lines[index]) + (1 if self._items[index].day else 0)

    @staticmethod
    def _prefix_width(it: TimelineItem) -> int:
        # "★14:05 #12 alice status " — the pin column, time, id, author, type word.
        return 1 + 6 + len(str(it.id)) + 2 + cell_len(it.author) + 1 + len(label_of(it)) + 1

    def on_resize(self, _event: events.Resize) -> None:
        if self._text_width() != self._layout_width and self._items:
            self._layout_from(0)
            self._scroll_to_cursor()
            self.refresh()

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self._restyle_cursor()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self._restyle_cursor()

    def _restyle_cursor(self) -> None:
        # The cursor's colour depends on focus: only its lines are drawn again.
        self._invalidate(self._cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    # --- rendering ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        line = self.scroll_offset.y + y - self._pad()
        if not 0 <= line < self._total:
            return Strip.blank(width, base)
        index = bisect_right(self._tops, line) - 1
        sub = line - self._tops[index]
        selected = index == self._cursor
        key = (index, sub, selected)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render(index, sub, selected, base, width)
            self._strips[key] = strip
        return strip

    def _render(self, index: int, sub: int, selected: bool, base: Style, width: int) -> Strip:
        it = self._items[index]
        if it.day:
            if sub == 0:
                day = self.get_component_rich_style("timeline--day")
                text = Text(f"── {it.day} ", style=day, no_wrap=True, end="")
                text.append("─" * max(0, width - text.cell_len), style=day)
                return self._strip(text, base, width)
            sub -= 1
        style = base
        if selected:
            style = base + self.get_component_rich_style("timeline--cursor")
        lines = self._lines[index]
        text = Text(no_wrap=True, end="")
        text_style = TEXT_STYLE.get(it.type, "")
        if sub == 0:
            text.append(PIN_MARK if it.id in self._pinned else " ", style="bold yellow")
            text.append(f"{it.time} ", style="dim")
            text.append(f"#{it.id} ", style="dim")
            text.append(f"{it.author} ", style="bold")
            text.append(f"{label_of(it)} ", style=TYPE_STYLE.get(it.type, ""))
        else:
            text.append(" " * INDENT)
        body = lines[sub] if sub < len(lines) else ""
        cut = sub == MAX_LINES - 1 and body.startswith("… ") and body.endswith("enter shows all")
        text.append(body, style="dim italic" if cut else text_style)
        return self._strip(text, style, width)

    def _strip(self, text: Text, style: Style, width: int) -> Strip:
        text.stylize_before(style)
        segments = list(text.render(self.app.console))
        return Strip(segments, text.cell_len).crop_extend(0, width, style)

    def _invalidate(self, index: int) -> None:
        if 0 <= index < len(self._items):
            for sub in range(self._height(index)):
                for selected in (False, True):
                    self._strips.discard((index, sub, selected))
            self.refresh_lines(self._tops[index] + self._pad(), self._height(index))

    # --- the cursor ---------------------------------------------------------------------------

    def _move(self, index: int) -> None:
        if not self._items:
            return
        index = max(0, min(index, len(self._items) - 1))
        old, self._cursor = self._cursor, index
        if old != index:
            self._invalidate(old)
            self._invalidate(index)
            self._announce()
        self._scroll_to_cursor()

    def _announce(self) -> None:
        item = self.selected
        if item is not None:
            self.post_message(self.Highlighted(item))

    def _scroll_to_cursor(self) -> None:
        if not (0 <= self._cursor < len(self._items)):
            return
        top = self._tops[self._cursor]
        bottom = top + self._height(self._cursor)
        height = max(1, self.scrollable_content_region.height)
        if self._cursor == len(self._items) - 1:
            top = max(top, bottom - height)  # the newest: show its end, like a chat
        y = self.scroll_offset.y
        if top < y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif bottom > y + height:
            self.scroll_to(y=max(0, min(top, bottom - height)), animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self._move(self._cursor + step)

    def action_page(self, direction: int) -> None:
        """A screenful up or down: the view scrolls a page, the cursor lands at the same place."""
        if not self._items:
            return
        height = max(1, self.scrollable_content_region.height)
        y = self.scroll_offset.y
        new_y = max(0, min(self._total - height, y + direction * height))
        offset = self._tops[self._cursor] - y if self._cursor >= 0 else 0
        self.scroll_to(y=new_y, animate=False, immediate=True)
        line = max(0, min(self._total - 1, new_y + max(0, min(offset, height - 1))))
        index = bisect_right(self._tops, line) - 1
        if new_y == y:  # at the top or bottom already: go to the first or newest entry
            index = 0 if direction < 0 else len(self._items) - 1
        self._move(index)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self._items) - 1)

    def action_open(self) -> None:
        item = self.selected
        if item is not None:
            self.post_message(self.Opened(item))

    def on_click(self, event: events.Click) -> None:
        if not self._items:
            return
        line = self.scroll_offset.y + event.y - self._pad()
        if 0 <= line < self._total:
            self._move(bisect_right(self._tops, line) - 1)
