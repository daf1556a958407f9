"""Editable label matchers, one row each: name, operator (= != =~ !~), value.

Used by the silence and maintenance forms. Each row checks itself as it is typed (a bad
regular expression or label name is marked at once, with the reason), rows are added and
removed from the keyboard, and ``matchers()`` returns what the rows say, or the problems.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input

from penguin_tui.alerts.matchers import FilterError, Matcher, MatchOp
from penguin_tui.text import sanitize

# Cycle order: the likeliest edit of a pre-filled "=" row is widening it to a regex.
OPS = (MatchOp.EQ, MatchOp.RE, MatchOp.NE, MatchOp.NRE)
VALUE_MAX = 1000  # characters of a value an operator types: longer is a paste accident


class OpToggle(Widget, can_focus=True):
    """The operator of a matcher: space, enter or arrows cycle ``= =~ != !~``."""

    BINDINGS = [
        Binding(
            "space,enter,right",
            "cycle(1)",
            "next operator",
            show=False,
            tooltip="Next operator: = =~ != !~",
        ),
        Binding("left", "cycle(-1)", "previous operator", show=False, tooltip="Previous operator"),
    ]

    DEFAULT_CSS = """
    OpToggle {
        width: 4;
        height: 1;
        background: $boost;
        content-align: center middle;
    }
    OpToggle:focus {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    """

    op: reactive[MatchOp] = reactive(MatchOp.EQ)

    class Changed(Message):
        """The operator changed."""

    def __init__(self, op: MatchOp = MatchOp.EQ, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(OpToggle.op, op)

    def render(self) -> Text:
        return Text(self.op.value)

    def action_cycle(self, step: int) -> None:
        self.op = OPS[(OPS.index(self.op) + step) % len(OPS)]

    def watch_op(self) -> None:
        self.post_message(self.Changed())


class MatcherRow(Horizontal):
    """One matcher; ``error`` says what is wrong with it ("" when it reads)."""

    DEFAULT_CSS = """
    MatcherRow {
        height: 1;
        margin: 0 0 0 0;
    }
    MatcherRow .matcher-name {
        width: 20;
        margin: 0 1 0 0;
    }
    MatcherRow .matcher-value {
        width: 1fr;
        margin: 0 0 0 1;
    }
    """

    def __init__(self, name: str = "", op: MatchOp = MatchOp.EQ, value: str = "") -> None:
        super().__init__()
        self._initial = (name, op, value)
        self.error = ""

    def compose(self) -> Iterable[Widget]:
        name, op, value = self._initial
        yield Input(
            sanitize(name, single_line=True),
            placeholder="label",
            compact=True,
            max_length=200,
            classes="matcher-name",
        )
        yield OpToggle(op)
        yield Input(
            sanitize(value, single_line=True),
            placeholder="value",
            compact=True,
            max_length=VALUE_MAX,
            classes="matcher-value",
        )

    @property
    def name_input(self) -> Input:
        return self.query_one(".matcher-name", Input)

    @property
    def value_input(self) -> Input:
        return self.query_one(".matcher-value", Input)

    @property
    def is_blank(self) -> bool:
        return not self.name_input.value.strip() and not self.value_input.value

    def matcher(self) -> Matcher | None:
        """The row's matcher, None for a blank row; sets ``error`` and marks the bad field."""
        name_input, value_input = self.name_input, self.value_input
        name = name_input.value.strip()
        op = self.query_one(OpToggle).op
        self.error = ""
        bad_name = bad_value = False
        result: Matcher | None = None
        if self.is_blank:
            pass
        elif not name:
            self.error, bad_name = "a matcher needs a label name", True
        else:
            try:
                result = Matcher(name, op, value_input.value)
            except FilterError as exc:
                self.error = str(exc)
                bad_name = op not in (MatchOp.RE, MatchOp.NRE) or "label name" in self.error
                bad_value = not bad_name
        name_input.set_class(bad_name, "-invalid")
        value_input.set_class(bad_value, "-invalid")
        return result


class MatcherRows(VerticalScroll, can_focus=False):
    """The rows; ``ctrl+n`` adds one, ``ctrl+r`` removes the one holding the focus."""

    BINDINGS = [
        Binding("ctrl+n", "add_row", "add matcher", show=False, tooltip="Add a matcher row"),
        Binding(
            "ctrl+r", "remove_row", "remove matcher", show=False, tooltip="Remove the row in focus"
        ),
    ]

    DEFAULT_CSS = """
    MatcherRows {
        height: auto;
        max-height: 8;
    }
    """

    class Changed(Message):
        """A row was edited, added or removed: ``matchers`` and ``errors`` as they read now."""

        def __init__(self, rows: MatcherRows) -> None:
            super().__init__()
            self.rows = rows

        @property
        def control(self) -> MatcherRows:
            return self.rows

    def __init__(self, matchers: Iterable[Matcher] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial = list(matchers)

    def compose(self) -> Iterable[Widget]:
        for m in self._initial:
            yield MatcherRow(m.name, m.op, m.value)
        if not self._initial:
            yield MatcherRow()

    @property
    def rows(self) -> list[MatcherRow]:
        return list(self.query_children(MatcherRow))

    def read(self) -> tuple[list[Matcher], list[str]]:
        """The matchers of every non-blank row, and the problems of the rows that do not read."""
        matchers: list[Matcher] = []
        errors: list[str] = []
        for row in self.rows:
            matcher = row.matcher()
            if row.error:
                errors.append(row.error)
            elif matcher is not None:
                matchers.append(matcher)
        return matchers, errors

    async def action_add_row(self) -> None:
        row = MatcherRow()
        await self.mount(row)
        row.name_input.focus()
        self.scroll_to_widget(row)
        self.post_message(self.Changed(self))

    async def action_remove_row(self) -> None:
        focused = self.screen.focused
        rows = self.rows
        row = next((r for r in rows if focused is not None and focused in r.walk_children()), None)
        if row is None:
            return
        index = rows.index(row)
        await row.remove()
        rest = self.rows
        if rest:
            rest[min(index, len(rest) - 1)].name_input.focus()
        self.post_message(self.Changed(self))

    @on(Input.Changed)
    @on(OpToggle.Changed)
    def _edited(self, event: Message) -> None:
        event.stop()
        self.post_message(self.Changed(self))
