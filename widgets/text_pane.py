"""A pane of rich ``Text`` that scrolls itself, so new text repaints the pane and nothing else.

Textual's way, a ``VerticalScroll`` over a ``Static``, makes the text's height a layout
property: each new text lays out the whole screen. The alert detail changes its text on every
cursor move, twice (the alert, then its history a moment later), and those layouts were most
of a held arrow key's ~15 ms per move with 10,000 alerts listed (bench/bench_alerts.py).

``TextPane`` has the height its CSS gives it, wraps the text to its width itself (with the
same renderer a ``Static`` uses, so the lines are the same), keeps a top line, and draws a
scroll bar like Textual's (same glyphs, colours and width) in its right-hand columns when the
text is longer than the pane. Textual's text selection works as on a ``Static``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.scrollbar import ScrollBarRender
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget

WHEEL_LINES = 3


class TextPane(Widget, can_focus=True):
    """Rich text, wrapped, scrolled by the keys and the mouse wheel; see the module docstring.
    The scroll bar takes the right-hand columns of the content area (inside the padding, where
    a scroll container puts it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_up", "Scroll Up", show=False),
        Binding("down", "scroll_down", "Scroll Down", show=False),
        Binding("home", "scroll_home", "Scroll Home", show=False),
        Binding("end", "scroll_end", "Scroll End", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._text = Text()
        self.top = 0  # the text's line at the top of the pane
        # (width, height) -> the text's lines and the width of the scroll bar (0: none)
        self._wrapped: tuple[tuple[int, int], list[Strip], int] | None = None
        self._bar: tuple[tuple[int, int, int], list[Segment]] | None = None  # its lines

    # --- the text -----------------------------------------------------------------------------

    @property
    def shown_text(self) -> Text:
        """The text in the pane."""
        return self._text

    def set_text(self, text: Text, *, keep_place: bool = True) -> bool:
        """Show ``text``; from its top unless ``keep_place``. False when it was shown already."""
        if text == self._text:
            return False
        self._text = text
        if not keep_place:
            self.top = 0
        self._forget()
        return True

    def render(self) -> Text:
        # What Textual's text selection reads (Widget.get_selection); drawing is render_line.
        return self._text

    # --- drawing ------------------------------------------------------------------------------

    def _lines(self) -> tuple[list[Strip], int]:
        width, height = self.size
        wrapped = self._wrapped
        if wrapped is not None and wrapped[0] == (width, height):
            return wrapped[1], wrapped[2]
        visual = self._render()
        style = self.visual_style
        lines = Visual.to_strips(self, visual, max(1, width), None, style)
        bar = self.styles.scrollbar_size_vertical
        if len(lines) > height and width - bar > 0:
            lines = Visual.to_strips(self, visual, width - bar, None, style)
        else:
            bar = 0
        self._wrapped = ((width, height), lines, bar)
        self.top = max(0, min(self.top, len(lines) - height))
        return lines, bar

    def render_line(self, y: int) -> Strip:
        lines, bar = self._lines()
        width = self.size.width
        base = self.visual_style.rich_style
        index = self.top + y
        line = lines[index] if 0 <= index < len(lines) else Strip.blank(0, base)
        line = line.crop_extend(0, width - bar, base)
        if not bar:
            return line
        return Strip.join([line, Strip([self._bar_segment(y, len(lines))], bar)])

    def _bar_segment(self, y: int, total: int) -> Segment:
        """Line ``y`` of the scroll bar, as Textual's ScrollBar draws it (without its mouse
        actions: the wheel and the keys scroll this pane)."""
        height = self.size.height
        key = (height, total, self.top)
        if self._bar is None or self._bar[0] != key:
            styles = self.styles
            background = styles.scrollbar_background
            if background.a < 1:
                background = self.background_colors[0] + background
            color = background + styles.scrollbar_color
            bar = ScrollBarRender.render_bar(
                size=height,
                virtual_size=total,
                window_size=height if height < total else 0,
                position=self.top,
                thickness=styles.scrollbar_size_vertical,
                vertical=True,
                back_color=background.rich_color,
                bar_color=color.rich_color,
            )
            segments = [
                Segment(s.text, (s.style or Style()).clear_meta_and_links()) for s in bar.segments
            ]
            self._bar = (key, segments)
        return self._bar[1][y]

    def _forget(self) -> None:
        self._wrapped = self._bar = None
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self._forget()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._wrapped = self._bar = None

    def selection_updated(self, selection: Selection | None) -> None:
        self._forget()  # the selected part is drawn highlighted

    # --- scrolling ----------------------------------------------------------------------------

    def _scroll_to(self, top: int) -> None:
        lines, _ = self._lines()
        top = max(0, min(top, len(lines) - self.size.height))
        if top != self.top:
            self.top = top
            self.refresh()

    def action_scroll_up(self) -> None:
        self._scroll_to(self.top - 1)

    def action_scroll_down(self) -> None:
        self._scroll_to(self.top + 1)

    def action_scroll_home(self) -> None:
        self._scroll_to(0)

    def action_scroll_end(self) -> None:
        self._scroll_to(len(self._lines()[0]))

    def action_page_up(self) -> None:
        self._scroll_to(self.top - max(1, self.size.height))

    def action_page_down(self) -> None:
        self._scroll_to(self.top + max(1, self.size.height))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self._scroll_to(self.top + WHEEL_LINES)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._scroll_to(self.top - WHEEL_LINES)
