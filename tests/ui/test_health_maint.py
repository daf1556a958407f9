"""The health screen during maintenance (MAINT rows) and the overnight alert lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from penguin_tui.alerts.model import AlertSummary, MaintenanceWindow, Severity
from penguin_tui.app import PenguinApp
from penguin_tui.check import Report
from penguin_tui.model import Event, EventKind, Status
from penguin_tui.store import Store
from penguin_tui.widgets.checklist import Checklist
from penguin_tui.widgets.overnight import Overnight
from tests.ui.seed import NOW, seed_cache
from tests.ui.waiting import settle

pytestmark = pytest.mark.usefixtures("utc")  # times on screen are local


async def test_covered_row_shows_maint_with_the_real_status_in_the_reason(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache.db"
    config = seed_cache(cache)
    with Store.open(cache) as store:
        store.add_maintenance(
            MaintenanceWindow(
                NOW - 1800, NOW + 3600, "hook rollout", "ana", services=("webhook-dispatcher",)
            )
        )
    app = PenguinApp(config, cache, clock=lambda: NOW, record=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(Checklist)
        status_cell = table.get_row("check:webhook-dispatcher")[0]
        assert str(status_cell) == "⚒ MAINT"
        # Worst first within the section: MAINT ranks just above OK, here above two OK rows.
        keys = [row.key.value for row in table.ordered_rows]
        assert keys[1 : keys.index("§Databases")] == [
            "check:webhook-dispatcher",
            "check:api",
            "check:smtp-relay",
        ]
        text = app.export_screenshot().replace("&#160;", " ")
        assert "MAINT" in text


class _OvernightApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.jumps: list[str] = []

    def compose(self) -> ComposeResult:
        yield Overnight(id="overnight")

    def on_overnight_jump_to(self, message: Overnight.JumpTo) -> None:
        self.jumps.append(message.key)


def _report(alerts: AlertSummary | None, events: list[Event] | None = None) -> Report:
    return Report(NOW, NOW - 12 * 3600, "test", [], events or [], alerts=alerts)


async def test_overnight_leads_with_the_alert_summary_and_critical_alerts() -> None:
    summary = AlertSummary(
        NOW - 12 * 3600,
        NOW,
        fired=12,
        fired_by_severity={Severity.CRITICAL: 2, Severity.MEDIUM: 10},
        resolved=10,
        still_firing=3,
        critical=(("DiskFull", "db1", NOW - 600), ("Down[bold]", "mx\x1b[31m", NOW - 7200)),
    )
    app = _OvernightApp()
    async with app.run_test(size=(80, 12)) as pilot:
        overnight = app.query_one(Overnight)
        overnight.show(_report(summary))
        await pilot.pause()
        lines = [
            str(overnight.get_option_at_index(i).prompt) for i in range(overnight.option_count)
        ]
        assert lines[0] == "Alerts: 12 fired (2 critical) · 10 resolved · 3 firing"
        assert lines[1].endswith("✖ DiskFull db1")
        # Markup stays literal, escape sequences are gone.
        assert lines[2].endswith("✖ Down[bold] mx")
        assert "Quiet night" in lines[3]
        # An alert line has no checklist item to jump to; an event line does.
        event = Event(NOW - 60, "check:api", EventKind.STATE, Status.OK, Status.CRIT)
        overnight.show(_report(summary, [event]))
        await pilot.pause()
        assert overnight.option_count == 4
        overnight.focus()
        overnight.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.jumps == []
        overnight.highlighted = 3
        await pilot.press("enter")
        await pilot.pause()
        assert app.jumps == ["check:api"]
        overnight.show(_report(None))
        await pilot.pause()
        assert overnight.option_count == 1
