"""The alerts screen driven by keys (Pilot) on a real, deterministic cache; and snapshots.

The cache is written through the real Store methods (tests/ui/alert_seed.py) the way the
recorder writes it; the console under test starts at 07:50 and looks at 08:00.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets.data_table import ColumnKey

from penguin_tui.alerts.model import Alert, AlertSource, AlertState
from penguin_tui.app import PenguinApp
from penguin_tui.config_model import AlertsConfig, Config
from penguin_tui.screens.alert_group import GroupByPrompt
from penguin_tui.screens.alerts import AlertsScreen
from penguin_tui.store import Store
from penguin_tui.widgets.alert_detail import VALUE_MAX, AlertDetail
from penguin_tui.widgets.alert_table import COLUMNS, AlertTable
from penguin_tui.widgets.status_bar import StatusBar
from tests.ui.alert_seed import (
    AM_URL,
    BOUNCE_1,
    BOUNCE_2,
    CERT,
    DISK,
    DOWN,
    HOSTILE_LABEL,
    HOSTILE_LONG,
    LATENCY,
    LOCAL,
    NEW_CRIT,
    NIGHT,
    NOW,
    QUEUE,
    SLOW,
    _am,
    alert_app,
    alert_config,
)
from tests.ui.clock import Clock
from tests.ui.waiting import settle, wait_until

# The table with the default grouping (alertname): worst first, then newest; a header only
# over the one group with two alerts.
EXPECTED_ORDER = [
    NEW_CRIT.fingerprint,  # critical, 5 min
    "group:HighBounceRate",
    BOUNCE_2.fingerprint,  # critical, 25 min
    BOUNCE_1.fingerprint,  # critical, 3 h
    DOWN.fingerprint,  # critical, 40 min: its group's worst is older than HighBounceRate's
    DISK.fingerprint,  # high (acked)
    LOCAL.fingerprint,  # medium, 30 min
    LATENCY.fingerprint,  # medium, 38 min (inhibited)
    QUEUE.fingerprint,  # medium, 2 h (silenced)
    CERT.fingerprint,  # low
]


pytestmark = pytest.mark.usefixtures("utc")  # times on screen are local


async def open_alerts(pilot: Pilot) -> AlertTable:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AlertsScreen)
    return pilot.app.screen.query_one(AlertTable)


async def reload(pilot: Pilot) -> None:
    """What the app's 2 s watch does: read the cache again (and wait for the view)."""
    pilot.app.refresh_alerts()  # type: ignore[attr-defined]
    await settle(pilot)


def record_poll(app: PenguinApp, alerts: list[Alert], now: float) -> None:
    """One more Alertmanager poll (the complete set), written as the recorder writes it."""
    store = Store.open(app.cache_path)
    try:
        store.record_alerts(AlertSource.ALERTMANAGER, alerts, now)
    finally:
        store.close()


def text_of(app: PenguinApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def detail_text(app: PenguinApp) -> str:
    return app.screen.query_one(AlertDetail).text


def cell(table: AlertTable, key: str, column: str) -> str:
    value = table.get_cell(key, column)
    return value.plain  # type: ignore[union-attr]


# --- the table ---------------------------------------------------------------------------------


async def test_table_worst_first_new_marks_and_header(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        assert table.keys == EXPECTED_ORDER
        assert cell(table, NEW_CRIT.fingerprint, "severity") == "✖ Critical"
        assert cell(table, NEW_CRIT.fingerprint, "state") == "firing"
        assert cell(table, NEW_CRIT.fingerprint, "age") == "5m"
        assert cell(table, NEW_CRIT.fingerprint, "subject") == "smtp-relay"
        assert cell(table, DISK.fingerprint, "state") == "acked"  # an "ACK by bob" silence
        assert cell(table, DISK.fingerprint, "age") == "1d"
        assert cell(table, LATENCY.fingerprint, "state") == "inhibited"
        assert cell(table, QUEUE.fingerprint, "state") == "silenced"
        # First seen at 07:55, after the console started at 07:50: new; the rest are not.
        marks = {key: cell(table, key, "new") for key in EXPECTED_ORDER}
        assert {k for k, v in marks.items() if v == "●"} == {
            NEW_CRIT.fingerprint,
            BOUNCE_2.fingerprint,
        }
        group = cell(table, "group:HighBounceRate", "alertname")
        assert group == "▾ HighBounceRate"
        assert cell(table, "group:HighBounceRate", "state") == "2 firing"
        header = text_of(app, "#alerts-header")
        assert header.startswith("9 alerts") and "● 2 new" in header
        assert "1 resolved (R)" in header and "by alertname (g)" in header
        status = text_of(app, "#status-bar")
        assert "1 health 2 alerts" in status and "✖4 crit" in status and "◆1 med" in status


async def test_status_bar_counts_and_mode_keys_on_the_health_screen(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "HealthScreen"
        bar = app.screen.query_one(StatusBar)
        status = str(bar.render())
        assert status.startswith("1 health 2 alerts")
        assert "✖4 crit" in status and "✖1" in status  # alerts and the checklist's CRIT
        assert len(status) <= 78  # fits 80 columns (less the bar's padding), nothing cut
        shown = bar._penguin_last  # type: ignore[attr-defined]  # the Text set_text drew
        reverse = [shown.plain[s.start : s.end] for s in shown.spans if "reverse" in str(s.style)]
        assert "✖4 crit" in reverse  # the critical count in reverse red
        # A new critical alert reaches the health screen's bar at the next watch.
        record_poll(app, [*NIGHT[:-1], BOUNCE_2, NEW_CRIT, _crit("x1", "Fresh")], NOW)
        await reload(pilot)
        assert "✖5 crit" in str(app.screen.query_one(StatusBar).render())


@pytest.mark.parametrize("width", [80, 120])
async def test_status_bar_fits_its_width_keeping_modes_alerts_and_the_recorder(
    width: int,
) -> None:
    from textual.app import App

    from penguin_tui.alerts.model import Severity
    from penguin_tui.health_view import Freshness
    from penguin_tui.model import Status, WriterInfo

    class Bar(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield StatusBar("health", id="status-bar")

    host = "mail-ops-console-01.eu-west.internal"
    fresh = Freshness(WriterInfo(123456, host, NOW - 3600), False, NOW - 5, NOW)
    checks = {Status.CRIT: 3, Status.WARN: 2, Status.UNKNOWN: 1, Status.STALE: 1, Status.OK: 40}
    firing = {Severity.CRITICAL: 12, Severity.HIGH: 3, Severity.MEDIUM: 140, Severity.LOW: 7}
    app = Bar()
    async with app.run_test(size=(width, 5)) as pilot:
        bar = app.query_one(StatusBar)
        bar.show(fresh, checks, alert_counts=firing)
        await pilot.pause()
        line = bar._penguin_last.plain  # type: ignore[attr-defined]
        assert len(line) <= width - 2, line  # the bar's padding
        # Every figure stays; words go first (the host, "data fresh", "attached to").
        # At 80 columns the other modes keep their keys and lose their words.
        modes = "1 health 2 alerts 3 incidents 4 secrets" if width == 120 else "1 health 2 3 4"
        assert line.startswith(f"{modes}  ✖12 crit ▲3 high ◆140")
        assert "daemon pid 123456" in line and "✖3 ▲2 ?1 ◌1" in line
        if width == 120:
            # With four modes the OK count and the clock go before the recorder's words.
            assert "● attached to daemon pid 123456" in line
        # The app's 2 s watch updates the counts alone; the rest of the line stays.
        bar.show_alert_counts({Severity.CRITICAL: 0, Severity.LOW: 1})
        line = bar._penguin_last.plain  # type: ignore[attr-defined]
        assert "✖" not in line.split("●")[0] and "·1" in line and "pid 123456" in line


def _crit(fp: str, name: str, **kw: object) -> Alert:
    return _am(fp, name, "critical", "api", f"{name} on api", NOW - 30, **kw)


async def test_cursor_stays_on_its_alert_when_rows_move(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        assert table.select_key(DOWN.fingerprint)
        await settle(pilot)
        before = table.keys.index(DOWN.fingerprint)
        newer = [_crit(f"new{i}", f"Newer{i}") for i in range(3)]
        record_poll(app, [*NIGHT[:-1], BOUNCE_2, NEW_CRIT, *newer], NOW)
        await reload(pilot)
        assert table.keys.index(DOWN.fingerprint) == before + 3  # three newer criticals above
        assert table.selected_key == DOWN.fingerprint
        assert "InstanceDown" in detail_text(app)


def assert_row_order_is_datatables(table: AlertTable) -> None:
    """The table's kept ordered_rows and _y_offsets are what DataTable would compute."""
    from textual.widgets import DataTable

    table._offset_cache.clear()
    table._ordered_row_cache.clear()
    theirs = DataTable.ordered_rows.fget(table)  # type: ignore[attr-defined]
    assert table.ordered_rows == theirs
    assert [row.key.value for row in theirs] == table.keys
    assert table._y_offsets == DataTable._y_offsets.fget(table)  # type: ignore[attr-defined]


async def test_the_row_order_follows_rows_added_moved_and_removed(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        assert_row_order_is_datatables(table)
        newer = [_crit(f"new{i}", f"Newer{i}") for i in range(3)]
        record_poll(app, [*NIGHT[:-2], BOUNCE_2, *newer], NOW)  # 3 added, 2 gone, moved
        await reload(pilot)
        assert_row_order_is_datatables(table)
        count, where = len(table.keys), table.keys.index(DOWN.fingerprint)
        sunk = dataclasses.replace(DOWN, labels={**DOWN.labels, "severity": "info"})
        polled = [sunk if a is DOWN else a for a in [*NIGHT[:-2], BOUNCE_2, *newer]]
        record_poll(app, polled, NOW)  # the same rows, one moved down
        await reload(pilot)
        assert len(table.keys) == count
        assert table.keys.index(DOWN.fingerprint) > where
        assert_row_order_is_datatables(table)
        await pilot.resize_terminal(80, 24)  # a resize moves DataTable's update count only
        await settle(pilot)
        assert_row_order_is_datatables(table)
        await pilot.press("end")
        await settle(pilot)
        assert table.selected_key == table.keys[-1]


async def test_home_and_end_go_to_the_first_and_last_alert(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_alerts(pilot)
        await pilot.press("end")
        assert table.selected_key == EXPECTED_ORDER[-1]
        await pilot.press("home")
        assert table.selected_key == EXPECTED_ORDER[0]


def count_builds(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every ViewBuilder.build from now on (the data it built)."""
    from penguin_tui.alerts.view import ViewBuilder

    builds: list[object] = []
    real_build = ViewBuilder.build

    def counted(builder: ViewBuilder, data: object, options: object) -> object:
        builds.append(data)
        return real_build(builder, data, options)  # type: ignore[arg-type]

    monkeypatch.setattr(ViewBuilder, "build", counted)
    return builds


async def test_the_view_is_built_ahead_and_key_2_only_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the first switch the feed builds the view when a load brings news (only then);
    key 2 shows it: no build, no CSS re-parse."""
    builds = count_builds(monkeypatch)
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(builds) == 1  # the first load's view, built on the health screen
        await reload(pilot)  # nothing changed: nothing built
        assert len(builds) == 1
        record_poll(app, [*NIGHT[:-1], BOUNCE_2], NOW)  # NEW_CRIT resolved
        await reload(pilot)
        assert len(builds) == 2
        reparsed: list[None] = []
        real_reparse = app.stylesheet.reparse
        monkeypatch.setattr(
            app.stylesheet, "reparse", lambda: reparsed.append(None) or real_reparse()
        )
        table = await open_alerts(pilot)
        assert len(builds) == 2  # shown as built ahead
        assert reparsed == []
        assert NEW_CRIT.fingerprint not in table.keys
        assert BOUNCE_2.fingerprint in table.keys
        await reload(pilot)  # on the screen: its own builds, on news only, as before
        assert len(builds) == 2


async def test_a_view_built_ahead_whose_ages_moved_on_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = count_builds(monkeypatch)
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(builds) == 1
        app.clock.now = NOW + 600  # type: ignore[attr-defined]
        await reload(pilot)  # no news: the view built ahead stays as it was
        assert len(builds) == 1
        table = await open_alerts(pilot)
        assert len(builds) == 2  # 10 minutes later: built again for the ages
        assert builds[-1].now == NOW + 600  # type: ignore[attr-defined]
        assert table.keys


async def test_refresh_replaces_only_the_rows_that_changed(tmp_path: Path) -> None:
    many = [
        _am(f"m{i:03d}", f"Bulk{i % 7}", "warning", "bulk", "bulk", NOW - 60 - i)
        for i in range(300)
    ]
    app = alert_app(tmp_path, extra=many)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)

        # Each cell read by key, as DataTable reads it to draw (that makes a row's lazy cells).
        def cells(key: str) -> dict[str, object]:
            row = table._data[table._row_keys[key]]
            return {column: row[ColumnKey(column)] for column in COLUMNS}

        rows_before = {key: cells(key) for key in table.keys}
        changed = {f"m{i:03d}" for i in (5, 77, 150)}
        polled = [
            dataclasses.replace(a, annotations={"summary": "changed"})
            if a.fingerprint in changed
            else a
            for a in many
        ]
        record_poll(app, [*NIGHT[:-1], BOUNCE_2, NEW_CRIT, *polled], NOW)
        await reload(pilot)
        touched = set()
        for key in table.keys:
            after = cells(key)
            if any(after[c] is not rows_before[key][c] for c in COLUMNS):
                touched.add(key)
        assert touched == changed
        assert cell(table, "m077", "summary") == "changed"


async def test_ten_thousand_alerts_render_once_then_diff_only_what_changed(
    tmp_path: Path,
) -> None:
    """10,000 alerts: one bulk insert, then a poll in which 100 changed touches 100 rows.

    What is asserted is the work done (rows touched), not the time it took: timings belong in
    bench/bench_alerts.py and docs/PERFORMANCE.md, where a noisy machine cannot fail a build.
    """
    import random

    many = [
        _am(f"{i:016x}", f"Bulk{i % 40}", ("critical", "warning", "high", "info")[i % 4],
            f"svc{i % 300}", f"bulk alert {i}", NOW - 600 - i * 7)
        for i in range(10_000)
    ]  # fmt: skip
    app = alert_app(tmp_path, extra=many, with_health=False)
    timings: list[tuple[float, int]] = []
    real_show = AlertTable.show

    def timed_show(table: AlertTable, keys, rows) -> int:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        touched = real_show(table, keys, rows)
        timings.append((time.perf_counter() - started, touched))
        return touched

    AlertTable.show = timed_show  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_alerts(pilot)
            assert len(table.keys) == 10_000 + 9 + 40 + 1  # alerts, the seed's, group headers
            _, touched = timings[0]
            assert touched == len(table.keys)
            # Cells are made for the rows drawn, not for 10,000; drawing others makes theirs.
            made = {key for key in table.keys if table._data[table._row_keys[key]]}
            assert 0 < len(made) <= 80
            assert table.keys[-1] not in made
            await pilot.press("end")
            await settle(pilot)
            assert table._data[table._row_keys[table.keys[-1]]]  # drawn: made
            last = app.screen.view.alert_rows[table.keys[-1]].alert  # type: ignore[attr-defined]
            assert cell(table, table.keys[-1], "summary") == last.summary
            timings.clear()
            changed = set(random.Random(4).sample(range(10_000), 100))
            polled = [
                dataclasses.replace(a, annotations={"summary": "changed"}) if i in changed else a
                for i, a in enumerate(many)
            ]
            record_poll(app, [*NIGHT[:-1], BOUNCE_2, NEW_CRIT, *polled], NOW)
            await reload(pilot)
            refresh = [(t, n) for t, n in timings if n]
            assert [n for _, n in refresh] == [100]
    finally:
        AlertTable.show = real_show  # type: ignore[method-assign]


# --- filter, toggles, grouping -----------------------------------------------------------------


async def test_filter_with_matchers_words_and_a_bad_filter(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_alerts(pilot)
        await pilot.press("slash", *'severity="critical"')
        await settle(pilot)
        assert set(table.keys) == {
            NEW_CRIT.fingerprint,
            "group:HighBounceRate",
            BOUNCE_2.fingerprint,
            BOUNCE_1.fingerprint,
            DOWN.fingerprint,
        }
        await pilot.press(*" dkim")  # a free word: the alertname, any case
        await settle(pilot)
        assert table.keys == [NEW_CRIT.fingerprint]
        # A bad regex: the error shows under the filter, the last good filter stays.
        box = app.screen.query_one("#alerts-filter")
        box.value = 'service=~"(("'  # type: ignore[attr-defined]
        await settle(pilot)
        error = app.screen.query_one("#alerts-filter-error")
        assert error.display and "not a valid regular expression" in str(error.render())
        assert table.keys == [NEW_CRIT.fingerprint]
        box.value = 'service=~"smtp.*" bounce'  # type: ignore[attr-defined]
        await settle(pilot)
        assert not error.display
        assert set(table.keys) == {
            "group:HighBounceRate",
            BOUNCE_1.fingerprint,
            BOUNCE_2.fingerprint,
        }
        assert "filter hides 7 (4 firing)" in text_of(app, "#alerts-header")
        await pilot.press("escape")
        await settle(pilot)
        assert table.keys == EXPECTED_ORDER and not box.display


async def test_toggles_show_and_hide_but_firing_stays(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        assert SLOW.fingerprint not in table.keys  # resolved: hidden by default
        await pilot.press("R")
        await settle(pilot)
        assert SLOW.fingerprint in table.keys
        assert cell(table, SLOW.fingerprint, "state") == "resolved"
        await pilot.press("R", "v", "i")
        await settle(pilot)
        hidden = {QUEUE.fingerprint, LATENCY.fingerprint, DISK.fingerprint, SLOW.fingerprint}
        assert not hidden & set(table.keys)
        firing = [NEW_CRIT, BOUNCE_1, BOUNCE_2, DOWN, LOCAL, CERT]
        assert {a.fingerprint for a in firing} <= set(table.keys)
        header = text_of(app, "#alerts-header")
        assert "1 silenced (v)" in header and "1 inhibited (i)" in header
        assert "1 acked (i)" in header
        await pilot.press("v", "i")
        await settle(pilot)
        assert table.keys == EXPECTED_ORDER


async def test_group_by_prompt_lists_labels_and_regroups(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_alerts(pilot)
        await pilot.press("g")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, GroupByPrompt)
        assert {"alertname", "service", "severity", "team", "instance"} <= set(prompt.labels)
        assert prompt.labels[0] in ("alertname", "service", "severity")  # on every alert
        index = prompt.labels.index("service") + 1  # below "no grouping"
        await pilot.press("home", *["down"] * index, "enter")
        await settle(pilot)
        headers = [k for k in table.keys if k.startswith("group:")]
        assert headers == [
            "group:smtp-relay",
            "group:webhook-dispatcher",
            "group:api",
        ]
        assert "by service (g)" in text_of(app, "#alerts-header")
        # Flat: no headers, and enter on a group folds it first.
        await pilot.press("g", "home", "enter")
        await settle(pilot)
        assert not [k for k in table.keys if k.startswith("group:")]
        assert len(table.keys) == 9


async def test_enter_folds_and_unfolds_a_group(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        table.select_key("group:HighBounceRate")
        await pilot.press("enter")
        await settle(pilot)
        assert BOUNCE_1.fingerprint not in table.keys
        assert cell(table, "group:HighBounceRate", "alertname") == "▸ HighBounceRate"
        assert "folded" in cell(table, "group:HighBounceRate", "summary")
        assert table.selected_key == "group:HighBounceRate"
        # Folded alerts are still listed: the header counts them, and says they are folded.
        assert text_of(app, "#alerts-header").startswith("9 alerts (2 folded)")
        await pilot.press("enter")
        await settle(pilot)
        assert BOUNCE_1.fingerprint in table.keys


async def test_help_lists_the_keys_of_the_screen_and_of_its_forms(tmp_path: Path) -> None:
    from rich.table import Table

    app = alert_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alerts(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        table = app.screen.query_one("#help-keys").content
        assert isinstance(table, Table)
        cells = [[str(c) for c in column.cells] for column in table.columns]
        rows = {(key, where): action for key, action, where in zip(*cells, strict=True)}
        for key, where in (
            ("a", "this screen"),
            ("v", "this screen"),
            ("R", "this screen"),
            ("ctrl+s", "silence form"),
            ("ctrl+s", "maint. form"),
            ("ctrl+n", "matcher rows"),
            ("ctrl+r", "matcher rows"),
            ("space/enter/right", "matcher rows"),
            ("x", "silences view"),
            ("r", "silences view"),
        ):
            assert (key, where) in rows, (key, where)
        assert rows[("esc", "this screen")] == "Close the filter bar or the detail"
        # Escape and its aliases (q, S in the silences view) are the legend's, not rows.
        assert ("q", "silences view") not in rows and ("S", "silences view") not in rows


# --- detail ------------------------------------------------------------------------------------


async def test_detail_shows_labels_links_source_and_history(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        table.select_key(BOUNCE_2.fingerprint)
        await settle(pilot)
        text = detail_text(app)
        for expected in (
            "✖ Critical  firing  HighBounceRate  smtp-relay",
            "Bounce rate 12% over 5 min on smtp-relay-2",
            "instance",
            "smtp-relay-2:9100",
            "team",
            "Hard bounces above 10% for 5 minutes.\nCheck the blocklists first.",
            "https://runbooks.internal/mail/high-bounce-rate",
            "http://prometheus.internal:9090/graph?g0.expr=HighBounceRate",
            f"Alertmanager {AM_URL}",
            "receivers ops-pager",
            "07:55  firing (first seen)",
        ):
            assert expected in text, expected
        # The change's words do not repeat its state; an active alert's "last seen" (every
        # poll) is not shown, as the copy held would read ever older.
        assert "firing (first seen)  firing" not in text and "last seen" not in text
        table.select_key(QUEUE.fingerprint)
        await settle(pilot)
        text = detail_text(app)
        assert "Silenced by" in text and "alice until 10:00 (in 2h): deploy of the queue" in text
        table.select_key(LATENCY.fingerprint)
        await settle(pilot)
        text = detail_text(app)
        assert "Inhibited by" in text and "InstanceDown (webhook-dispatcher)" in text
        table.select_key(LOCAL.fingerprint)
        await settle(pilot)
        assert "local rule" in detail_text(app)


async def test_enter_gives_the_detail_the_room_at_80x24_and_escape_returns(
    tmp_path: Path,
) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_alerts(pilot)
        table.select_key(BOUNCE_2.fingerprint)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen.query_one(AlertDetail)
        assert not table.display or table.size.height == 0
        assert detail.has_focus and detail.size.height >= 15
        await pilot.press("escape")
        await settle(pilot)
        assert table.has_focus and table.size.height >= 8


# --- new marks, bell, banner -------------------------------------------------------------------


async def test_mark_seen_and_leaving_the_screen_clear_new_marks(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        assert cell(table, NEW_CRIT.fingerprint, "new") == "●"
        await pilot.press("n")
        await settle(pilot)
        assert all(cell(table, k, "new") == "" for k in table.keys)
        assert "new" not in text_of(app, "#alerts-header")
        # An alert arriving after the last look is new; leaving the screen is a look too.
        app.clock.now = NOW + 60  # type: ignore[attr-defined]
        record_poll(app, [*NIGHT[:-1], BOUNCE_2, NEW_CRIT, _crit("late", "Late")], NOW + 60)
        await reload(pilot)
        assert cell(table, "late", "new") == "●"
        app.clock.now = NOW + 120  # type: ignore[attr-defined]
        # A dialog over the table (an ack's question, a form, the group-by prompt) is not
        # leaving it: the marks stay.
        for key in ("a", "g", "question_mark"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is not table.screen
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is table.screen and cell(table, "late", "new") == "●", key
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert cell(table, "late", "new") == ""


async def test_bell_and_notification_once_per_new_critical(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    rung: list[float] = []
    real_bell = app.bell

    def counting_bell() -> None:
        rung.append(time.monotonic())
        real_bell()

    app.bell = counting_bell  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # The two criticals first seen after the console started ring once, together.
        assert len(rung) == 1
        toasts = [n for n in app._notifications if "critical" in (n.title or "").lower()]
        assert len(toasts) == 1 and toasts[0].title == "2 new critical alerts"
        assert "DkimSigningFailed (smtp-relay)" in toasts[0].message
        await reload(pilot)
        assert len(rung) == 1  # nothing new: no second ring
        # A new critical that is silenced does not ring; a firing one does, once.
        muted = _crit("muted", "Muted", silenced_by=("5e1a7c3d-0000-4000-8000-000000000001",))
        fresh = _crit("fresh", "FreshCritical")
        record_poll(app, [*NIGHT[:-1], BOUNCE_2, NEW_CRIT, muted, fresh], NOW + 30)
        await reload(pilot)
        await reload(pilot)
        assert len(rung) == 2
        toasts = [n for n in app._notifications if "critical" in (n.title or "").lower()]
        assert toasts[-1].title == "New critical alert"
        assert "FreshCritical" in toasts[-1].message and "Muted" not in toasts[-1].message


async def test_bell_and_notification_can_be_switched_off(tmp_path: Path) -> None:
    quiet = dataclasses.replace(alert_config(), alerts=AlertsConfig(bell=False, notify=False))
    app = alert_app(tmp_path, config=quiet)
    rung: list[int] = []
    app.bell = lambda: rung.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert rung == []
        assert not [n for n in app._notifications if "critical" in (n.title or "").lower()]


async def test_banner_and_stale_rows_when_alertmanager_is_down(tmp_path: Path) -> None:
    app = alert_app(tmp_path, am_down=True)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        banner = app.screen.query_one("#alerts-banner")
        assert banner.display and banner.has_class("-error")
        assert str(banner.render()) == (
            f"Alertmanager {AM_URL} unreachable since 07:56 (connection refused)"
            " · showing the last known alerts"
        )
        # Nothing dropped: every alert is still listed, Alertmanager's marked stale.
        assert table.keys == EXPECTED_ORDER
        # Marked stale, keeping the last known state: firing and silenced stay apart.
        assert cell(table, BOUNCE_1.fingerprint, "new") == "◌"
        assert cell(table, BOUNCE_1.fingerprint, "state") == "firing"
        assert cell(table, BOUNCE_2.fingerprint, "new") == "●"  # new wins over stale
        assert cell(table, QUEUE.fingerprint, "state") == "silenced"
        assert cell(table, LOCAL.fingerprint, "new") == ""
        assert cell(table, LOCAL.fingerprint, "state") == "firing"  # local rules still run
        table.select_key(BOUNCE_2.fingerprint)
        await settle(pilot)
        assert "Last known copy" in detail_text(app)
        assert "last seen 07:55 (5m ago)" in detail_text(app)  # the last poll that answered


async def test_banner_and_filter_errors_wrap_at_80_columns(tmp_path: Path) -> None:
    app = alert_app(tmp_path, am_down=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alerts(pilot)
        banner = app.screen.query_one("#alerts-banner")
        assert banner.region.height == 2  # its end, "showing the last known alerts", too
        await pilot.press("slash", *'service=~"[smtp"')
        await settle(pilot)
        error = app.screen.query_one("#alerts-filter-error")
        assert error.display and error.region.height == 2
        assert str(error.render()).endswith("(unterminated character set at position 0)")


async def test_local_rules_only_is_a_note_not_an_error(tmp_path: Path) -> None:
    app = alert_app(tmp_path, alertmanager=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_alerts(pilot)
        banner = app.screen.query_one("#alerts-banner")
        assert banner.display and banner.has_class("-note")
        assert str(banner.render()) == "local rules only — no Alertmanager configured"
        assert table.keys == [LOCAL.fingerprint]


async def test_an_unreadable_cache_is_a_banner_not_a_crash(tmp_path: Path) -> None:
    cache = tmp_path / "cache.db"
    cache.write_bytes(b"this is not a database" * 100)
    app = PenguinApp(alert_config(), cache, clock=Clock(NOW), record=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        banner = app.screen.query_one("#alerts-banner")
        assert banner.display and banner.has_class("-error")
        assert str(banner.render()).startswith("The alert stream cannot be read from the cache:")
        assert app.screen.query_one(AlertTable).keys == []


# --- hostile input -----------------------------------------------------------------------------


async def test_hostile_labels_and_annotations_are_inert_and_capped(tmp_path: Path) -> None:
    evil = Alert(
        "bad0000000000001",
        {
            "alertname": HOSTILE_LABEL,
            "severity": "critical",
            "service": "x\x1b[2J\x1b]52;c;cGF5bG9hZA==\x07y",
            "huge": HOSTILE_LONG,
        },
        {"summary": HOSTILE_LONG, "description": "[link=http://evil]click[/link]\x07"},
        starts_at=NOW - 60,
        generator_url="http://evil/\x1b]52;c;ZXZpbA==\x07graph",
        origins=(AM_URL,),
    )
    app = alert_app(tmp_path, extra=[evil])
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        name = cell(table, evil.fingerprint, "alertname")
        assert name == "[bold red]PWNED[/]"  # markup literal, escapes gone
        assert cell(table, evil.fingerprint, "subject") == "xy"
        summary = cell(table, evil.fingerprint, "summary")
        assert len(summary) <= 300 and summary.endswith("…")
        table.select_key(evil.fingerprint)
        await settle(pilot)
        text = detail_text(app)
        assert "[bold red]PWNED[/]" in text and "[link=http://evil]click[/link]" in text
        assert "\x1b" not in text and "\x07" not in text
        assert "A" * (VALUE_MAX + 1) not in text  # the 10,000-character values are cut
        assert "http://evil/graph" in text
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x07" not in svg and "ZXZpbA" not in svg
        assert "PWNED" in svg


# --- hooks for the actions ---------------------------------------------------------------------


async def test_hooks_selected_alert_silences_and_overlay(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        table.select_key("group:HighBounceRate")
        assert screen.selected_alert() is None  # a header is not an alert
        table.select_key(DOWN.fingerprint)
        row = screen.selected_alert()
        assert row is not None and row.alert.fingerprint == DOWN.fingerprint
        assert row.state is AlertState.FIRING
        assert set(screen.silences_by_id()) == {
            "5e1a7c3d-0000-4000-8000-000000000001",
            "ac4e0000-0000-4000-8000-000000000002",
        }
        assert len(screen.known_alerts()) == 10  # and the resolved one
        screen.apply_overlay(DOWN.fingerprint, AlertState.ACKED, "ack by carol")
        await settle(pilot)
        assert cell(table, DOWN.fingerprint, "state") == "acked…"
        assert "Pending: ack by carol" in detail_text(app)
        # It waits for the recorder's polls, however slowly it is configured to poll.
        left = screen._options.overlays[DOWN.fingerprint].expires - time.monotonic()
        assert 29 < left <= 30  # at least 30 s; the test's 10 s interval needs less
        slow = dataclasses.replace(app.config.alertmanager, interval_s=60.0, timeout_s=5.0)
        app.config = dataclasses.replace(app.config, alertmanager=slow)
        screen.apply_overlay(DOWN.fingerprint, AlertState.ACKED, "ack by carol")
        left = screen._options.overlays[DOWN.fingerprint].expires - time.monotonic()
        assert 124 < left <= 125
        # The cache's state for it changed (the poll saw the ack silence): overlay gone.
        acked = dataclasses.replace(DOWN, silenced_by=("ac4e0000-0000-4000-8000-000000000002",))
        polled = [acked if a is DOWN else a for a in NIGHT[:-1]]
        record_poll(app, [*polled, BOUNCE_2, NEW_CRIT], NOW + 5)
        await reload(pilot)
        await reload(pilot)
        assert cell(table, DOWN.fingerprint, "state") == "acked"
        assert "Pending" not in detail_text(app)


async def test_ack_of_a_local_alert_through_the_screen_keys(tmp_path: Path) -> None:
    """The mixin's ack on this screen's hooks: a, then y; the cache holds the local ack and
    the row says acked once the next read confirms it."""
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_alerts(pilot)
        table.select_key(LOCAL.fingerprint)
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("y")
        await settle(pilot)
        await reload(pilot)
        assert cell(table, LOCAL.fingerprint, "state") == "acked"
        store = Store.open(app.cache_path)
        try:
            assert LOCAL.fingerprint in store.local_acks(NOW)
        finally:
            store.close()
        assert "acked" in detail_text(app).splitlines()[0]


# --- snapshots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_alerts(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot: Pilot) -> None:
        await open_alerts(pilot)
        pilot.app.screen.query_one(AlertTable).select_key(BOUNCE_2.fingerprint)
        await settle(pilot)

    # No toast over the table: the bell's notification has its own test.
    quiet = dataclasses.replace(alert_config(), alerts=AlertsConfig(notify=False))
    assert snap_compare(alert_app(tmp_path, config=quiet), terminal_size=size, run_before=ready)


# --- live: a real Alertmanager, a console recording --------------------------------------------


async def test_live_alerts_posted_to_alertmanager_appear_and_its_outage_shows(
    tmp_path: Path,
) -> None:
    """Alerts posted to a real Alertmanager 0.25 reach the screen through the console's own
    recorder (inhibition as Alertmanager decides it); when it goes away, the banner says so
    and the alerts stay, stale."""
    import contextlib
    import datetime as dt

    import httpx

    from penguin_tui.config_model import AlertmanagerConfig, CheckConfig, HostConfig
    from penguin_tui.demo.httpserver import HTTPServer, Response
    from tests.integration.servers import alertmanager

    async def ok(method, path, query, headers, body) -> Response:  # type: ignore[no-untyped-def]
        return Response.json({"status": "ok"})

    server = HTTPServer(ok)
    await server.start()
    am = contextlib.ExitStack()
    try:
        url = am.enter_context(alertmanager(tmp_path))
        starts = dt.datetime.now(dt.UTC).isoformat()
        posted = [
            {
                "labels": {"alertname": "LiveBounce", "severity": "critical", "service": "smtp"},
                "annotations": {"summary": "[b]bounces[/b] \x1b[31mhigh"},
                "startsAt": starts,
                "generatorURL": "http://prometheus.test/graph",
            },
            {
                # Inhibited by LiveBounce (critical inhibits warning of the same service).
                "labels": {"alertname": "LiveLatency", "severity": "warning", "service": "smtp"},
                "annotations": {"summary": "latency high"},
                "startsAt": starts,
            },
        ]
        async with httpx.AsyncClient() as client:
            answer = await client.post(f"{url}/api/v2/alerts", json=posted)
            assert answer.status_code == 200
        config = Config(
            checks=(CheckConfig("api", f"{server.url}/health", interval_s=1.0, timeout_s=0.9),),
            host=HostConfig(enabled=False),
            alertmanager=AlertmanagerConfig(urls=(url,), interval_s=1.0, timeout_s=2.0),
        )
        app = PenguinApp(config, tmp_path / "cache.db")  # records: no daemon holds the cache
        rung: list[int] = []
        app.bell = lambda: rung.append(1)  # type: ignore[method-assign]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            table = app.screen.query_one(AlertTable)

            def states() -> dict[str, str]:
                found = {}
                for key in table.keys:
                    row = table.row(key)
                    if row is not None and not key.startswith("group:"):
                        found[row.alert.alertname] = cell(table, key, "state")  # type: ignore[union-attr]
                return found

            await wait_until(
                pilot,
                lambda: states() == {"LiveBounce": "firing", "LiveLatency": "inhibited"},
                timeout=30.0,
            )
            assert app.recording
            bounce = next(k for k in table.keys if table.row(k).alert.alertname == "LiveBounce")  # type: ignore[union-attr]
            assert cell(table, bounce, "summary") == "[b]bounces[/b] high"
            assert cell(table, bounce, "new") == "●"  # first seen after the console started
            assert rung == [1]  # a new critical: the bell, once
            assert "✖1 crit" in text_of(app, "#status-bar")
            table.select_key(bounce)
            await wait_until(pilot, lambda: "first seen" in detail_text(app), timeout=30.0)
            assert f"Alertmanager {url}" in detail_text(app)
            # Alertmanager goes away: the banner says since when, nothing is dropped.
            am.close()
            banner = app.screen.query_one("#alerts-banner")
            await wait_until(
                pilot,
                lambda: banner.display and "unreachable" in str(banner.render()),
                timeout=30.0,
            )
            assert str(banner.render()).endswith("· showing the last known alerts")
            await wait_until(pilot, lambda: table.row(bounce).stale, timeout=30.0)  # type: ignore[union-attr]
            assert cell(table, bounce, "state") == "firing"  # the last known state, kept
            assert set(states()) == {"LiveBounce", "LiveLatency"}
            await pilot.press("q")
    finally:
        am.close()
        await server.stop()
