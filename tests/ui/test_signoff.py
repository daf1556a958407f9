"""Sign-off, report exports and the uptime table, driven by keys on a real cache (Pilot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from penguin_tui.app import PenguinApp
from penguin_tui.check import build_report
from penguin_tui.config_model import Config
from penguin_tui.model import EventKind, Status
from penguin_tui.report import render
from penguin_tui.screens.health import HealthScreen
from penguin_tui.screens.signoff import SignOffScreen
from penguin_tui.screens.uptime import UptimeScreen
from penguin_tui.shift_report import build_shift_report, render_shift
from penguin_tui.signoff import current_host, current_user
from penguin_tui.store import Store
from penguin_tui.widgets.overnight import Overnight
from tests.ui.seed import NOW, seed_cache
from tests.ui.waiting import settle

HOSTILE_NOTE = "night [bold]fine[/bold] \x1b[2J\x1b]52;c;ZXZpbA==\x07ok"


@pytest.fixture(autouse=True)
def env(utc: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Local times in UTC (file names, screen); reports under the test's own data dir."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Config, Path]:
    cache = tmp_path / "cache.db"
    return seed_cache(cache), cache


def console(seeded: tuple[Config, Path], now: float = NOW) -> PenguinApp:
    config, cache = seeded
    return PenguinApp(config, cache, clock=lambda: now, record=False)


def overnight_lines(app: PenguinApp) -> list[str]:
    panel = app.screen.query_one(Overnight)
    return [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]


def summary(app: PenguinApp) -> str:
    return str(app.screen.query_one("#summary").render())


async def test_sign_off_is_recorded_and_seen_by_a_second_console(
    seeded: tuple[Config, Path],
) -> None:
    _config, cache = seeded
    first = console(seeded)
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "no sign-off yet" in summary(first)
        await pilot.press("s")
        await settle(pilot)
        form = first.screen
        assert isinstance(form, SignOffScreen)
        shown = str(form.query_one("#signoff-status").render())
        assert "✖ CRIT" in shown and "2 of 7 items not OK" in shown
        listed = str(form.query_one("#signoff-list").render())
        assert "webhook-dispatcher" in listed and "HTTP 503" in listed
        assert "API p95 latency" in listed and "api " not in listed  # only what is not OK

        await pilot.press(*"all calm")
        await pilot.press("enter")  # enter alone must not sign off
        await settle(pilot)
        assert first.screen is form
        with Store.open(cache) as store:
            assert store.last_signoff() is None
        note = form.query_one("#signoff-note", Input)
        assert note.value == "all calm"
        note.value = HOSTILE_NOTE
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(first.screen, HealthScreen)
        assert f"last sign-off {current_user()} 08:00" in summary(first)

    with Store.open(cache) as store:
        signoff = store.last_signoff()
        events = store.events(NOW, NOW)
    assert signoff is not None
    assert (signoff.ts, signoff.user, signoff.host) == (NOW, current_user(), current_host())
    assert signoff.status == Status.CRIT
    assert signoff.not_ok == (
        "check:webhook-dispatcher CRIT HTTP 503",
        "metric:api_p95 WARN 342 ms >= warn 300 ms",
    )
    assert signoff.note == "night [bold]fine[/bold] ok"  # escapes stripped, markup kept as text
    assert [e.kind for e in events] == [EventKind.SIGNOFF]

    # Another operator's console, a minute later, on the same cache file.
    second = console(seeded, NOW + 60)
    async with second.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert f"last sign-off {current_user()} 08:00" in summary(second)
        assert "1 event since 08:00" in summary(second)  # the overnight window starts there
        lines = overnight_lines(second)
        who = f"{current_user()}@{current_host()}"
        signed = f"    08:00 ✍ signed off: {who} (CRIT, 2 not OK): night [bold]fine[/bold] ok"
        assert signed in lines
        # Besides it, only the worst value of each item since the sign-off (no older events).
        assert all(" worst " in line for line in lines if line != signed), lines


async def test_escape_cancels_and_records_nothing(seeded: tuple[Config, Path]) -> None:
    _config, cache = seeded
    app = console(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SignOffScreen)
        # The confirm key is on screen even at 80x24.
        assert "ctrl+s sign off as" in str(app.screen.query_one("#signoff-hint").render())
        assert app.screen.query_one("#signoff-hint").region.bottom <= 24
        await pilot.press(*"never mind", "escape")
        await settle(pilot)
        assert isinstance(app.screen, HealthScreen)
        assert "no sign-off yet" in summary(app)
    with Store.open(cache) as store:
        assert store.last_signoff() is None
        assert store.events(NOW - 60, NOW, keys=["signoff"]) == []


async def test_exports_write_new_files_with_the_reports_content(
    seeded: tuple[Config, Path], tmp_path: Path
) -> None:
    config, cache = seeded
    reports = tmp_path / "data" / "penguin-tui" / "reports"
    app = console(seeded)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("e")  # the same minute again: a second file, the first untouched
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        toasts = [str(t.render()) for t in app.screen.query("Toast")]

    with Store.open(cache) as store:
        morning = render(build_report(store, config, NOW, None), "markdown")
        shift = render_shift(build_shift_report(store, config, NOW), "markdown")
    assert sorted(p.name for p in reports.iterdir()) == [
        "morning-20261121-0800-2.md",
        "morning-20261121-0800.md",
        "shift-20261121-0800.md",
    ]
    # Exactly what `penguin-tui check --format markdown` prints for the same cache and time.
    assert (reports / "morning-20261121-0800.md").read_text() == morning
    assert (reports / "morning-20261121-0800-2.md").read_text() == morning
    assert (reports / "shift-20261121-0800.md").read_text() == shift
    assert "webhook-dispatcher" in shift and "## State changes and alerts (4)" in shift
    assert any(str(reports / "shift-20261121-0800.md") in t for t in toasts), toasts
    assert any(str(reports / "morning-20261121-0800.md") in t for t in toasts), toasts


async def test_export_failure_is_a_notification_naming_the_path(
    seeded: tuple[Config, Path], tmp_path: Path
) -> None:
    blocker = tmp_path / "data" / "penguin-tui"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the data directory should be")
    app = console(seeded)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        toasts = [str(t.render()) for t in app.screen.query("Toast")]
        assert isinstance(app.screen, HealthScreen)
    assert any("NOT written" in t and "reports" in t for t in toasts), toasts


async def test_uptime_table_per_service(seeded: tuple[Config, Path]) -> None:
    app = console(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UptimeScreen)
        table = app.screen.query_one(DataTable)
        rows = {
            row.key.value: [str(c) for c in table.get_row(row.key)] for row in table.ordered_rows
        }
        assert list(rows) == [
            "check:api",
            "check:smtp-relay",
            "check:webhook-dispatcher",
            "check:postgres",
        ]
        assert rows["check:api"][1:] == ["✔ 100.00% 100%"] * 3
        # 9 of 289 probes failed in the last 24 h: 45 min against a budget of 86 s.
        assert rows["check:webhook-dispatcher"][1] == "✖ 96.89% spent"
        await pilot.press("down", "down")
        await settle(pilot)
        detail = str(app.screen.query_one("#uptime-detail").render())
        assert "✖ CRIT webhook-dispatcher" in detail
        # 9/289 of a day is 44m 51s.
        assert "24 h   96.89%  used 44m 51s of 1m 26s: overspent by 43m 24s" in detail
        assert "30 d   96.89%  used 44m 5" in detail  # the 30-day window counts one day
        assert "the cache holds 1d of data" in detail
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HealthScreen)
