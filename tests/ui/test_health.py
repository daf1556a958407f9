"""The health screen driven by keys (Pilot) on a real, deterministic cache; and snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from penguin_tui.app import PenguinApp
from penguin_tui.widgets.checklist import Checklist
from penguin_tui.widgets.detail import DetailPane
from penguin_tui.widgets.overnight import Overnight
from tests.ui.seed import HOSTILE_NAME, NOW, seed_cache
from tests.ui.waiting import settle

pytestmark = pytest.mark.usefixtures("utc")  # times on screen are local


def make_app(tmp_path: Path, *, hostile: bool = False) -> PenguinApp:
    cache = tmp_path / "cache.db"
    config = seed_cache(cache, hostile=hostile)
    return PenguinApp(config, cache, clock=lambda: NOW, record=False)


def detail_title(app: PenguinApp) -> str:
    return str(app.screen.query_one(DetailPane).query_one("#detail-title").render())


async def test_checklist_sections_worst_first_and_summary(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(Checklist)
        keys = [row.key.value for row in table.ordered_rows]
        assert keys[:4] == [
            "§Services",
            "check:webhook-dispatcher",
            "check:api",
            "check:smtp-relay",
        ]
        assert "§Databases" in keys and "§API" in keys
        summary = str(app.screen.query_one("#summary").render())
        assert "CRIT" in summary and "2 of 7 need attention" in summary
        assert "no sign-off yet" in summary
        status = str(app.screen.query_one("#status-bar").render())
        assert "nobody is recording" in status and "✖1" in status and "▲1" in status


async def test_navigation_detail_and_range_switching(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "webhook-dispatcher" in detail_title(app)
        await pilot.press("down")
        await settle(pilot)
        assert "api" in detail_title(app) and "range 24 h" in detail_title(app)
        await pilot.press("r")
        await settle(pilot)
        assert "range 7 d" in detail_title(app)
        await pilot.press("r", "r")
        await settle(pilot)
        assert "range 1 h" in detail_title(app)
        info = str(app.screen.query_one("#detail-info").render())
        assert "Uptime" in info


async def test_filter_and_escape(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"smtp")
        await settle(pilot)
        table = app.screen.query_one(Checklist)
        assert [r.key.value for r in table.ordered_rows] == ["§Services", "check:smtp-relay"]
        await pilot.press("enter")
        assert table.has_focus
        await pilot.press("escape")  # back in the table: escape is handled by the screen
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert len(table.ordered_rows) > 5


async def test_overnight_jump_to_item(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        overnight = app.screen.query_one(Overnight)
        assert overnight.has_focus and overnight.display
        # Newest first: the API p95 WARN breach at 07:30.
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one(Checklist)
        assert table.has_focus and table.selected_key == "metric:api_p95"
        assert "API p95 latency" in detail_title(app)


async def test_help_lists_keys_and_escape_backs_out(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = app.export_screenshot().replace("&#160;", " ")
        for word in (
            "Filter the checklist",
            "Chart range",
            "Overnight",
            "Sign the morning",
            "Quit",
        ):
            assert word in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query(Checklist)


async def test_command_palette_offers_the_screen_actions(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in (
            "Health",
            "Sign off",
            "Export morning report",
            "Uptime and error budget",
            "End-of-shift report",
            "Filter",
            "Help",
        ):
            assert title in titles
        # And they run: the palette's Uptime opens the uptime screen.
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Uptime and error budget"
        )
        command.callback()
        await settle(pilot)
        assert type(app.screen).__name__ == "UptimeScreen"


async def test_cursor_stays_on_its_item_through_a_resize(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        table = app.screen.query_one(Checklist)
        assert table.selected_key == "check:smtp-relay"
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert table.selected_key == "check:smtp-relay"


async def test_hostile_names_and_reasons_render_inert(tmp_path: Path) -> None:
    app = make_app(tmp_path, hostile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x07" not in svg
        assert "evil[bold]red" in svg  # markup shown literally, escapes stripped
        table = app.screen.query_one(Checklist)
        cell = table.get_cell(f"check:{HOSTILE_NAME}", "name")
        assert cell.plain == "evil[bold]red"


def _snap_app(tmp_path: Path) -> PenguinApp:
    return make_app(tmp_path)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_health(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot: Pilot) -> None:
        await settle(pilot)

    assert snap_compare(_snap_app(tmp_path), terminal_size=size, run_before=ready)


async def test_status_flip_reorders_rows_and_cursor_follows_its_item(tmp_path: Path) -> None:
    """A live update that moves a row keeps the cursor on the item the operator was on."""
    from penguin_tui.model import Batch, Reading, Status
    from penguin_tui.store import Store

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(Checklist)
        await pilot.press("down", "down")  # smtp-relay, third in Services
        assert table.selected_key == "check:smtp-relay"
        store = Store.open(tmp_path / "cache.db")
        store.write(
            Batch(
                readings=[
                    Reading(
                        "check:smtp-relay", NOW - 5, Status.CRIT, None, "HTTP 502", probe_ok=False
                    )
                ]
            )
        )
        store.close()
        app.screen.refresh_data_soon()
        await settle(pilot)
        keys = [row.key.value for row in table.ordered_rows]
        # Worst first: both CRIT services now lead the section, smtp-relay among them.
        assert keys.index("check:smtp-relay") < keys.index("check:api")
        assert table.selected_key == "check:smtp-relay"
        assert table.get_cell("check:smtp-relay", "status").plain.startswith("✖ CRIT")


async def test_light_theme_keeps_every_status_readable(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "textual-light"
        await settle(pilot)
        svg = app.export_screenshot().replace("&#160;", " ")
        # Status is carried by symbol and word in every theme, not by colour alone.
        assert "✖ CRIT" in svg and "▲ WARN" in svg and "✔ OK" in svg
        assert "webhook-dispatcher" in svg and app.current_theme.dark is False
