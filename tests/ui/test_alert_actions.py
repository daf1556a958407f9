"""The operator's actions on alerts, driven by keys (Pilot) against a real Alertmanager and cache.

A tiny host screen stands in for the alerts screen: it inherits AlertActionsMixin and provides
its hooks over a fixed list of alerts, recording the overlays and refreshes asked of it. What
an action did is checked where it lands: Alertmanager's own HTTP API and the SQLite file.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import httpx
import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from penguin_tui.alerts.actions import alert_as_text
from penguin_tui.alerts.am_client import AlertmanagerPool
from penguin_tui.alerts.model import (
    Alert,
    AlertSource,
    AlertState,
    MaintenanceWindow,
    Silence,
    SilenceState,
)
from penguin_tui.alerts.view import AlertRow
from penguin_tui.config_model import AlertmanagerConfig, AlertsConfig, CheckConfig, Config
from penguin_tui.reader import CacheReader
from penguin_tui.screens.alert_actions import AlertActionsMixin
from penguin_tui.screens.confirm import ConfirmScreen
from penguin_tui.screens.maintenance_form import MaintenanceForm
from penguin_tui.screens.silence_form import SilenceForm
from penguin_tui.screens.silences import SilencesScreen
from penguin_tui.store import Store
from penguin_tui.widgets.matcher_rows import MatcherRows, OpToggle
from tests.integration.servers import alertmanager
from tests.ui.waiting import settle

NOW = 1_795_248_000.0  # 2026-11-21 08:00 UTC, for the snapshots

RELAY = {
    "alertname": "HighBounceRate",
    "service": "smtp-relay-2",
    "severity": "critical",
    "team": "mail",
}
RELAY_3 = {**RELAY, "service": "smtp-relay-3"}
DISK = {"alertname": "DiskFull", "service": "postgres", "severity": "warning", "team": "db"}


@pytest.fixture(scope="module")
def am_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with alertmanager(tmp_path_factory.mktemp("am")) as url:
        yield url


pytestmark = pytest.mark.usefixtures("utc")  # times on screen are local


class HostScreen(AlertActionsMixin, Screen[None]):
    """The alerts screen's part the actions need: a selected row and the four hooks."""

    BINDINGS = [
        Binding("a", "ack", "ack"),
        Binding("s", "silence", "silence"),
        Binding("S", "silences", "silences"),
        Binding("m", "maintenance", "maint"),
        Binding("c", "copy", "copy"),
    ]

    def __init__(self, alerts: Sequence[Alert], silences: Mapping[str, Silence]) -> None:
        super().__init__()
        self.rows = [AlertRow(a, a.state(silences)) for a in alerts]
        self.silences = silences
        self.cursor = 0
        self.overlays: dict[str, tuple[AlertState, str]] = {}
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        yield Static("alerts")

    def selected_alert(self) -> AlertRow | None:
        return self.rows[self.cursor] if self.rows else None

    def silences_by_id(self) -> Mapping[str, Silence]:
        return self.silences

    def refresh_data(self) -> None:
        self.refreshes += 1

    def apply_overlay(self, fingerprint: str, state: AlertState, detail: str) -> None:
        self.overlays[fingerprint] = (state, detail)

    def known_alerts(self) -> Sequence[Alert]:
        return [r.alert for r in self.rows]


class HostApp(App[None]):
    """What the mixin uses of PenguinApp: config, reader, clock."""

    def __init__(
        self,
        config: Config,
        reader: CacheReader,
        alerts: Sequence[Alert],
        *,
        clock: Callable[[], float] = time.time,
        silences: Mapping[str, Silence] | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.reader = reader
        self.clock = clock
        self.host = HostScreen(alerts, silences or {})

    def on_mount(self) -> None:
        self.push_screen(self.host)


def make_config(*urls: str) -> Config:
    return Config(
        checks=(
            CheckConfig("smtp-relay-2", "http://smtp2.internal/"),
            CheckConfig("postgres", "tcp://db.internal:5432"),
        ),
        alertmanager=AlertmanagerConfig(urls=tuple(urls), timeout_s=5.0),
        alerts=AlertsConfig(author="alice", ack_duration_s=900.0),
    )


def alert(labels: dict[str, str], **kw: object) -> Alert:
    return Alert(fingerprint="fp:" + labels["service"], labels=labels, **kw)


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[CacheReader]:
    reader = CacheReader(tmp_path / "cache.db")
    yield reader
    reader.close()


def am_silences(url: str) -> list[dict]:
    response = httpx.get(f"{url}/api/v2/silences", timeout=5)
    response.raise_for_status()
    return response.json()


def active_silences(url: str, team: str) -> list[dict]:
    return [
        s
        for s in am_silences(url)
        if s["status"]["state"] != "expired"
        and {"name": "team", "value": team, "isRegex": False, "isEqual": True} in s["matchers"]
    ]


def text_of(screen: Screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def matcher_rows(form: Screen) -> list[tuple[str, str, str]]:
    return [
        (r.name_input.value, r.query_one(OpToggle).op.value, r.value_input.value)
        for r in form.query_one(MatcherRows).rows
    ]


# --- silence form -------------------------------------------------------------------------------


async def test_silence_form_prefill_edit_validate_and_create(
    am_url: str, reader: CacheReader
) -> None:
    team = "silence-form"
    relay, relay3, disk = (alert({**lbl, "team": team}) for lbl in (RELAY, RELAY_3, DISK))
    app = HostApp(make_config(am_url), reader, [relay, relay3, disk])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SilenceForm)
        # One "=" row per label, alertname first.
        assert matcher_rows(form) == [
            ("alertname", "=", "HighBounceRate"),
            ("service", "=", "smtp-relay-2"),
            ("severity", "=", "critical"),
            ("team", "=", team),
        ]
        assert "matches 1 alert now, this one included" in text_of(form, "#silence-preview")
        assert "(2h)" in text_of(form, "#silence-preview")  # the default end

        # Remove the service matcher from the keyboard: now both relays match.
        rows = form.query_one(MatcherRows).rows
        rows[1].name_input.focus()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert [r[0] for r in matcher_rows(form)] == ["alertname", "severity", "team"]
        assert "matches 2 alerts now" in text_of(form, "#silence-preview")

        # A regex row: the operator cycles to =~ and types an invalid expression.
        await pilot.press("ctrl+n")
        await settle(pilot)
        new_row = form.query_one(MatcherRows).rows[-1]
        assert form.focused is new_row.name_input
        await pilot.press(*"service", "tab", "space", "tab", *"smtp-relay-[")
        await settle(pilot)
        assert new_row.query_one(OpToggle).op.value == "=~"
        assert new_row.value_input.has_class("-invalid")
        assert "not a valid regular expression" in text_of(form, "#silence-preview")
        # Fixed as typed.
        await pilot.press("backspace", *"[23]")
        await settle(pilot)
        assert not new_row.value_input.has_class("-invalid")
        assert "matches 2 alerts now" in text_of(form, "#silence-preview")

        # No comment: refused in the form, nothing posted.
        before = len(am_silences(am_url))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        errors = form.query_one("#silence-errors", Static)
        assert errors.display and "a comment is required" in str(errors.render())
        assert len(am_silences(am_url)) == before

        # A preset sets the end (click and keyboard).
        await pilot.click("#preset-4h")
        await settle(pilot)
        assert form.query_one("#silence-end", Input).value == "4h"
        form.query_one("#preset-30m").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert form.query_one("#silence-end", Input).value == "30m"
        assert "(30m)" in text_of(form, "#silence-preview")

        form.query_one("#silence-comment", Input).focus()
        await pilot.press(*"relay migration", "enter")  # enter moves on, it never submits
        await settle(pilot)
        assert app.screen is form
        started = time.time()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is app.host
        overlays = dict(app.host.overlays)

    [silence] = active_silences(am_url, team)
    assert silence["comment"] == "relay migration" and silence["createdBy"] == "alice"
    assert sorted((m["name"], m["value"], m["isRegex"]) for m in silence["matchers"]) == [
        ("alertname", "HighBounceRate", False),
        ("service", "smtp-relay-[23]", True),
        ("severity", "critical", False),
        ("team", team, False),
    ]
    ends = httpx.get(f"{am_url}/api/v2/silence/{silence['id']}", timeout=5).json()["endsAt"]
    assert ends.startswith(time.strftime("%Y-%m-%dT", time.gmtime(started + 1800)))
    # Both relays show as silenced at once; the disk alert is untouched.
    assert set(overlays) == {relay.fingerprint, relay3.fingerprint}
    assert overlays[relay.fingerprint][0] is AlertState.SILENCED
    assert silence["id"][:8] in overlays[relay.fingerprint][1]
    assert app.host.refreshes == 1


async def test_silence_form_with_many_labels_fits_80x24(reader: CacheReader) -> None:
    labels = {**RELAY, **{f"label_{i:02d}": "x" * 300 for i in range(14)}}
    app = HostApp(make_config(), reader, [alert(labels)], clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert len(form.query_one(MatcherRows).rows) == 18  # every label, scrolled
        for selector in ("#silence-comment", "#silence-author", "#silence-hint", "#preset-24h"):
            region = form.query_one(selector).region
            assert region.height >= 1 and region.bottom <= 24 and region.right <= 80, selector
        await pilot.press("ctrl+s")  # with the errors shown, the keys stay on screen
        await settle(pilot)
        assert "a comment is required" in text_of(form, "#silence-errors")
        hint = form.query_one("#silence-hint").region
        assert hint.height >= 1 and hint.bottom <= 24


@pytest.mark.parametrize(("key", "field"), [("s", "#silence-comment"), ("m", "#maint-reason")])
async def test_ctrl_n_adds_a_matcher_row_from_any_field(
    reader: CacheReader, key: str, field: str
) -> None:
    app = HostApp(make_config(), reader, [alert(DISK)], clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await settle(pilot)
        form = app.screen
        before = len(form.query_one(MatcherRows).rows)
        assert form.focused is form.query_one(field, Input)  # not in the rows
        await pilot.press("ctrl+n")
        await settle(pilot)
        rows = form.query_one(MatcherRows).rows
        assert len(rows) == before + 1 and form.focused is rows[-1].name_input


async def test_hostile_labels_are_shown_as_inert_text(reader: CacheReader) -> None:
    evil = "[bold]evil[/bold]\x1b[31mred\x1b]52;c;ZXZpbA==\x07"
    hostile = alert({**RELAY, "alertname": evil, "service": evil})
    app = HostApp(make_config(), reader, [hostile], clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        asked = text_of(app.screen, "#confirm-question")
        assert asked.startswith("Ack [bold]evil[/bold]red on [bold]evil[/bold]red for 15m")
        await pilot.press("n", "s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SilenceForm)
        assert matcher_rows(form)[0] == ("alertname", "=", "[bold]evil[/bold]red")
        screen = app.export_screenshot()
    assert "Silence [bold]evil[/bold]red" in screen.replace("&#160;", " ")
    assert "\x1b" not in screen and "ZXZpbA" not in screen


async def test_silence_form_errors_from_alertmanager_stay_in_the_form(
    reader: CacheReader,
) -> None:
    from tests.integration.servers import free_port

    down = f"http://127.0.0.1:{free_port()}"
    app = HostApp(make_config(down), reader, [alert(RELAY)])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        await pilot.press(*"deploy", "ctrl+s")
        await settle(pilot)
        assert app.screen is form
        shown = str(form.query_one("#silence-errors", Static).render())
        assert shown.startswith("✖ not created:") and down in shown
        assert "Traceback" not in shown


async def test_silence_form_says_it_is_waiting_for_a_slow_alertmanager(
    reader: CacheReader,
) -> None:
    from tests.integration.hostile_server import HostileServer

    async with HostileServer() as server:
        hanging = server.url("/hang")  # reads the request, never answers
        config = make_config(hanging)
        config = dataclasses.replace(
            config, alertmanager=dataclasses.replace(config.alertmanager, timeout_s=1.0)
        )
        app = HostApp(config, reader, [alert(RELAY)])
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("s")
            await settle(pilot)
            form = app.screen
            await pilot.press(*"deploy", "ctrl+s")
            await pilot.pause()
            # While Alertmanager has not answered, the form says so (and stays usable).
            shown = str(form.query_one("#silence-errors", Static).render())
            assert shown == "creating the silence in Alertmanager…"
            await settle(pilot)  # the timeout
            assert app.screen is form
            shown = str(form.query_one("#silence-errors", Static).render())
            assert shown.startswith("✖ not created:") and "timeout after 1" in shown
        assert [r.method for r in server.stats.requests] == ["POST"]


# --- ack and the confirmation -------------------------------------------------------------------


async def test_ack_needs_y_enter_and_space_cancel(am_url: str, reader: CacheReader) -> None:
    team = "ack-confirm"
    relay = alert({**RELAY, "team": team})
    app = HostApp(make_config(am_url), reader, [relay])
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("enter", "space", "escape", "n", "q"):
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            asked = text_of(app.screen, "#confirm-question")
            assert asked == "Ack HighBounceRate on smtp-relay-2 for 15m as alice? y/N"
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is app.host, key  # "q" did not quit either
        assert active_silences(am_url, team) == []
        assert app.host.overlays == {}

        await pilot.press("a", "y")
        await settle(pilot)
        assert app.host.overlays == {relay.fingerprint: (AlertState.ACKED, "ack by alice")}
    [silence] = active_silences(am_url, team)
    assert silence["comment"] == "ACK by alice"


async def test_local_ack_through_the_screen(tmp_path: Path, reader: CacheReader) -> None:
    local = alert({**RELAY, "source": "penguin-tui"}, source=AlertSource.LOCAL)
    app = HostApp(make_config(), reader, [local], clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        assert text_of(app.screen, "#confirm-question").endswith("as alice (locally)? y/N")
        await pilot.press("y")
        await settle(pilot)
    with Store.open(tmp_path / "cache.db") as store:
        assert store.local_acks(NOW + 1)[local.fingerprint].user == "alice"


async def test_resolved_alert_is_not_acked(reader: CacheReader) -> None:
    app = HostApp(make_config(), reader, [alert(RELAY, resolved_at=NOW - 60)], clock=lambda: NOW)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is app.host
        toasts = [str(t.render()) for t in app.screen.query("Toast")]
    assert any("is resolved; there is nothing to ack" in t for t in toasts), toasts


# --- silences view ------------------------------------------------------------------------------


async def test_silences_view_lists_and_expires(
    am_url: str, tmp_path: Path, reader: CacheReader
) -> None:
    team = "silences-view"
    relay, relay3 = alert({**RELAY, "team": team}), alert({**RELAY_3, "team": team})
    now = time.time()
    created = httpx.post(
        f"{am_url}/api/v2/silences",
        json={
            "matchers": [{"name": "team", "value": team, "isRegex": False, "isEqual": True}],
            "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "endsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600)),
            "createdBy": "bob",
            "comment": "mail team drill",
        },
        timeout=5,
    ).json()["silenceID"]
    # What the recorder does every poll: read Alertmanager's silences into the cache.
    async with AlertmanagerPool(make_config(am_url).alertmanager) as pool:
        polled = await pool.poll()
    with Store.open(tmp_path / "cache.db") as store:
        store.record_silences(polled.silences, now)
        window_id = store.add_maintenance(
            MaintenanceWindow(now + 3600, now + 7200, "pg upgrade", "carol", services=("postgres",))
        )

    app = HostApp(make_config(am_url), reader, [relay, relay3])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("S")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, SilencesScreen)
        table = view.query_one(DataTable)
        keys = [
            str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)
        ]
        ours = keys.index(f"s:{created}")
        assert f"m:{window_id}" in keys
        row = [str(c) for c in table.get_row_at(ours)]
        assert row[0] == "active" and row[2] == "2" and row[4] == "bob"
        assert 'team="silences-view"' in row[1]
        table.move_cursor(row=ours)
        await settle(pilot)
        assert "mail team drill" in text_of(view, "#silences-detail")

        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "un-muting 2 alert(s)" in text_of(app.screen, "#confirm-question")
        await pilot.press("enter")  # not a yes
        await settle(pilot)
        assert app.screen is view and active_silences(am_url, team)

        await pilot.press("x", "y")
        await settle(pilot)
        assert app.screen is view
        keys = [
            str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)
        ]
        assert f"s:{created}" not in keys

        # The maintenance window: x cancels it, after the same y.
        table.move_cursor(row=keys.index(f"m:{window_id}"))
        await settle(pilot)
        assert "pg upgrade" in text_of(view, "#silences-detail")
        await pilot.press("x")
        await settle(pilot)
        assert "Cancel maintenance #" in text_of(app.screen, "#confirm-question")
        await pilot.press("y")
        await settle(pilot)
        assert table.row_count == len(keys) - 1
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.host
    assert active_silences(am_url, team) == []
    got = httpx.get(f"{am_url}/api/v2/silence/{created}", timeout=5).json()
    assert got["status"]["state"] == "expired"
    with Store.open(tmp_path / "cache.db") as store:
        [window] = store.maintenance_windows(time.time())
    assert window.id == window_id and window.cancelled_at is not None


# --- maintenance --------------------------------------------------------------------------------


async def test_maintenance_form_schedules_a_pending_window(
    am_url: str, tmp_path: Path, reader: CacheReader
) -> None:
    app = HostApp(make_config(am_url), reader, [alert(DISK)])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MaintenanceForm)
        assert matcher_rows(form) == [("service", "=", "postgres")]
        assert form.focused is form.query_one("#maint-reason", Input)
        # Services and matchers together are refused, with how to fix it.
        form.query_one("#maint-services", Input).value = "postgres"
        await pilot.press(*"minor upgrade", "ctrl+s")
        await settle(pilot)
        assert "give services or matchers, not both" in text_of(form, "#maint-errors")
        form.query_one("#maint-services", Input).value = ""
        form.query_one("#maint-start", Input).value = "1h"
        form.query_one("#maint-end", Input).value = "2h"
        await settle(pilot)
        assert "starts at" in text_of(form, "#maint-preview")
        assert "(2h)" in text_of(form, "#maint-preview")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is app.host
    with Store.open(tmp_path / "cache.db") as store:
        [window] = store.maintenance_windows(time.time())
    assert window.reason == "minor upgrade" and window.author == "alice"
    assert window.end - window.start == pytest.approx(7200, abs=1)
    got = httpx.get(f"{am_url}/api/v2/silence/{window.silence_id}", timeout=5).json()
    assert got["status"]["state"] == "pending"
    assert got["comment"] == "Maintenance: minor upgrade"


async def test_maintenance_services_complete_from_the_configured_items(
    reader: CacheReader,
) -> None:
    app = HostApp(make_config(), reader, [], clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        assert form.focused is form.query_one("#maint-services", Input)
        await pilot.press(*"smtp-relay-2, pos", "right")
        await settle(pilot)
        assert form.query_one("#maint-services", Input).value == "smtp-relay-2, postgres"


# --- copy ---------------------------------------------------------------------------------------


async def test_copy_puts_the_alert_on_the_clipboard(reader: CacheReader) -> None:
    silence = Silence("s-1", (), NOW - 60, NOW + 600, "bob", "ACK by bob")
    acked = alert(RELAY, silenced_by=("s-1",), annotations={"summary": "bounce 9%"})
    app = HostApp(make_config(), reader, [acked], clock=lambda: NOW, silences={"s-1": silence})
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("c")
        await settle(pilot)
        toasts = [str(t.render()) for t in app.screen.query("Toast")]
    assert app.clipboard == alert_as_text(acked, AlertState.ACKED, {"s-1": silence})
    assert app.clipboard.startswith("HighBounceRate [Critical] acked\n")
    assert any("copied HighBounceRate" in t for t in toasts), toasts


# --- snapshots at 80x24 -------------------------------------------------------------------------


def _snap_app(tmp_path: Path) -> HostApp:
    return HostApp(
        make_config("http://127.0.0.1:9"),
        CacheReader(tmp_path / "cache.db"),
        [alert(RELAY), alert(RELAY_3), alert(DISK)],
        clock=lambda: NOW,
    )


def test_snapshot_silence_form(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def open_form(pilot: Pilot) -> None:
        await pilot.press("s")
        await settle(pilot)

    assert snap_compare(_snap_app(tmp_path), terminal_size=(80, 24), run_before=open_form)


def test_snapshot_confirm(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def ask(pilot: Pilot) -> None:
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(_snap_app(tmp_path), terminal_size=(80, 24), run_before=ask)


def test_snapshot_silences_view(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from penguin_tui.alerts.matchers import Matcher, MatchOp

    silences = [
        Silence("3f2a9c1e-0000-4000-8000-000000000001", (Matcher.equal("team", "mail"),),
                NOW - 600, NOW + 3000, "bob", "mail team drill [bold]not markup[/bold]"),
        Silence("77aa0c1e-0000-4000-8000-000000000002",
                tuple(Matcher.equal(k, v) for k, v in sorted(RELAY.items())),
                NOW - 60, NOW + 840, "alice", "ACK by alice"),
        Silence("9b0c0c1e-0000-4000-8000-000000000003",
                (Matcher("service", MatchOp.RE, "postgres|pgbouncer"),),
                NOW + 3600, NOW + 7200, "carol", "Maintenance: pg upgrade",
                state=SilenceState.PENDING),
    ]  # fmt: skip
    with Store.open(tmp_path / "cache.db") as store:
        store.record_silences(silences, NOW)
        store.add_maintenance(
            MaintenanceWindow(NOW + 3600, NOW + 7200, "pg upgrade", "carol",
                              services=("postgres",), silence_id=silences[2].id)
        )  # fmt: skip

    async def open_view(pilot: Pilot) -> None:
        await pilot.press("S")
        await settle(pilot)

    assert snap_compare(_snap_app(tmp_path), terminal_size=(80, 24), run_before=open_view)


def test_snapshot_maintenance_form(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def open_form(pilot: Pilot) -> None:
        await pilot.press("m")
        await settle(pilot)

    assert snap_compare(_snap_app(tmp_path), terminal_size=(80, 24), run_before=open_form)


# --- through the real alerts screen -------------------------------------------------------------


async def test_silence_through_the_real_alerts_screen(am_url: str, tmp_path: Path) -> None:
    """Mode 2, the alert under the cursor, s, a comment, ctrl+s: Alertmanager holds the
    silence and the row reads "silenced" at once, before any poll confirms it."""
    from penguin_tui.app import PenguinApp
    from penguin_tui.screens.alerts import AlertsScreen
    from penguin_tui.widgets.alert_table import AlertTable
    from tests.ui.seed import seed_cache

    team = "real-screen"
    now = time.time()
    relay = Alert(
        "a0000000000c2c2c",
        {**RELAY, "team": team},
        {"summary": "bounce rate 9%"},
        starts_at=now - 300,
        origins=(am_url,),
    )
    cache = tmp_path / "cache.db"
    config = dataclasses.replace(
        seed_cache(cache),
        alertmanager=AlertmanagerConfig(urls=(am_url,), timeout_s=5.0),
        alerts=AlertsConfig(author="alice"),
    )
    with Store.open(cache) as store:
        store.record_alerts(AlertSource.ALERTMANAGER, [relay], now)
    app = PenguinApp(config, cache, record=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        table = app.screen.query_one(AlertTable)
        assert table.select_key(relay.fingerprint)
        await settle(pilot)
        assert table.get_cell(relay.fingerprint, "state").plain == "firing"  # type: ignore[union-attr]
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SilenceForm)
        assert ("team", "=", team) in matcher_rows(form)
        await pilot.press(*"relay drain", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        # "…": the expected state, shown until a poll of Alertmanager confirms it.
        state = table.get_cell(relay.fingerprint, "state")
        assert state.plain == "silenced…"  # type: ignore[union-attr]
    [silence] = active_silences(am_url, team)
    assert (silence["comment"], silence["createdBy"]) == ("relay drain", "alice")
