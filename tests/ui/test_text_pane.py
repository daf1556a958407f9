"""TextPane: text wrapped and scrolled by the pane itself, a new text without a screen layout."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from penguin_tui.widgets.text_pane import TextPane

LONG = Text("\n".join(f"line {i:02d} " + "word " * 12 for i in range(30)))


class PaneApp(App[None]):
    CSS = "TextPane { height: 10; padding: 0 1; } Static { height: 1; }"

    def compose(self) -> ComposeResult:
        yield Static("above")
        yield TextPane(id="pane")


def lines(pane: TextPane) -> list[str]:
    return [pane.render_line(y).text for y in range(pane.size.height)]


async def test_long_text_wraps_beside_a_scroll_bar_and_scrolls_by_keys_and_wheel() -> None:
    app = PaneApp()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_text(LONG)
        pane.focus()
        await pilot.pause()
        width = pane.size.width  # 38: the padding is outside
        wrapped, bar = pane._lines()
        assert bar == 2  # Textual's scroll bar width, in the last two columns
        assert max(line.cell_length for line in wrapped) <= width - 2
        shown = lines(pane)
        assert all(len(line) == width for line in shown)
        assert shown[0].startswith("line 00 word word")
        total = len(wrapped)
        assert total > 30  # each line wrapped in two or more
        await pilot.press("down", "down")
        assert pane.top == 2
        assert lines(pane)[0][: width - 2] == wrapped[2].text.ljust(width - 2)
        await pilot.press("end")
        assert pane.top == total - pane.size.height
        assert lines(pane)[-1][: width - 2] == wrapped[-1].text.ljust(width - 2)
        await pilot.press("home")
        assert pane.top == 0
        await pilot.press("pagedown")
        assert pane.top == pane.size.height
        pane.post_message(events.MouseScrollDown(pane, 3, 3, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert pane.top == pane.size.height + 3  # the wheel: three lines
        await pilot.press("up")
        assert pane.top == pane.size.height + 2


async def test_short_text_takes_the_whole_width_and_does_not_scroll() -> None:
    app = PaneApp()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_text(Text("one " * 9 + "end"))  # 39 cells: wraps at 38, no bar
        pane.focus()
        await pilot.pause()
        assert pane._lines()[1] == 0  # no scroll bar
        assert [line.rstrip() for line in lines(pane)[:2]] == [("one " * 9).rstrip(), "end"]
        await pilot.press("down")
        assert pane.top == 0


async def test_a_new_text_repaints_the_pane_without_laying_out_the_screen() -> None:
    app = PaneApp()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_text(LONG)
        await pilot.pause()
        layouts: list[None] = []
        real = Screen._refresh_layout

        def counted(screen: Screen, *args: object, **kwargs: object) -> None:
            layouts.append(None)
            real(screen, *args, **kwargs)  # type: ignore[arg-type]

        Screen._refresh_layout = counted  # type: ignore[method-assign]
        try:
            for i in range(5):
                pane.set_text(Text(f"text {i}\n" * (3 + 7 * i)))
                await pilot.pause()
        finally:
            Screen._refresh_layout = real  # type: ignore[method-assign]
        assert layouts == []
        assert lines(pane)[0].startswith("text 4")


async def test_keep_place_and_from_the_top() -> None:
    app = PaneApp()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_text(LONG)
        pane.focus()
        await pilot.press("pagedown")
        top = pane.top
        pane.set_text(LONG + Text("\nmore"))  # the same thing, grown: stays where it was
        await pilot.pause()
        assert pane.top == top
        assert not pane.set_text(LONG + Text("\nmore"))  # unchanged: nothing to do
        pane.set_text(Text("other\n" * 40), keep_place=False)
        await pilot.pause()
        assert pane.top == 0


async def test_text_selection_reads_the_text() -> None:
    app = PaneApp()
    async with app.run_test(size=(40, 12)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_text(Text("runbook\n  https://runbooks.example/queue"))
        await pilot.pause()
        pane.text_select_all()
        await pilot.pause()
        assert app.screen.get_selected_text() == "runbook\n  https://runbooks.example/queue"
