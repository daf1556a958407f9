"""Incidents from the alerts screen, driven by keys (Pilot) on a real, seeded cache file.

`d` then `y` declares an incident from the selected alert (anything else declares nothing);
`L` links the selected alert to an open incident chosen in a picker. What an action did is
read back from the SQLite file; hostile alert and incident text stays inert on screen.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from penguin_tui.alerts.model import Alert, Severity
from penguin_tui.app import PenguinApp
from penguin_tui.incidents import entries as E
from penguin_tui.incidents.model import EntryType, Incident, IncidentStatus
from penguin_tui.screens.alerts import AlertsScreen
from penguin_tui.screens.confirm import ConfirmScreen
from penguin_tui.screens.incident_picker import IncidentPicker
from penguin_tui.signoff import current_user
from penguin_tui.store import Store
from penguin_tui.widgets.alert_table import AlertTable
from tests.ui.alert_seed import (
    AM_URL,
    DOWN,
    HOSTILE_LABEL,
    NEW_CRIT,
    NOW,
    alert_app,
)
from tests.ui.waiting import settle

HOUR = 3600.0


pytestmark = pytest.mark.usefixtures("utc")  # times on screen are local


def declare(app: PenguinApp, title: str, severity: Severity, hours_ago: float) -> Incident:
    with Store.open(app.cache_path) as store:
        entry = E.declare(title, severity, ts=NOW - hours_ago * HOUR, author="alice")
        return store.declare_incident(entry)


def incidents(app: PenguinApp) -> list[Incident]:
    with Store.open(app.cache_path) as store:
        return store.incidents()


def timeline_types(app: PenguinApp, incident_id: str) -> list[EntryType]:
    with Store.open(app.cache_path) as store:
        return [e.type for e in store.incident_entries(incident_id)]


async def open_alerts(pilot: Pilot, key: str) -> AlertsScreen:
    """The alerts screen with the alert (or group) ``key`` under the cursor."""
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AlertsScreen)
    assert screen.query_one(AlertTable).select_key(key)
    await settle(pilot)
    return screen


def toasts(app: PenguinApp, title: str) -> list[str]:
    return [n.message for n in app._notifications if (n.title or "") == title]


def screen_text(app: PenguinApp) -> str:
    """What the terminal shows, as text (the screenshot's cells, spaces restored)."""
    svg = app.export_screenshot()
    cells = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return html.unescape("".join(cells)).replace("\xa0", " ")


def picker_lines(app: PenguinApp) -> list[tuple[str, str, bool]]:
    options = app.screen.query_one(OptionList)
    found = []
    for i in range(options.option_count):
        option = options.get_option_at_index(i)
        found.append((option.id or "", str(option.prompt), option.disabled))
    return found


# ---------------------------------------------------------------------------- declare


async def test_d_then_y_declares_from_the_selected_alert(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_alerts(pilot, NEW_CRIT.fingerprint)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        asked = app.screen.prompt.plain
        assert asked.startswith(
            "Declare a Critical incident “DKIM signing failed for 3% of mails (smtp-relay)” "
            "on smtp-relay as "
        )
        assert asked.endswith("DkimSigningFailed linked? y/N")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)

        (inc,) = incidents(app)
        assert inc.id == "INC-2026-11-21-1"
        assert inc.title == "DKIM signing failed for 3% of mails (smtp-relay)"
        assert inc.severity is Severity.CRITICAL and inc.status is IncidentStatus.INVESTIGATING
        assert inc.services == ("smtp-relay",)
        assert inc.alerts == (NEW_CRIT.fingerprint,)
        assert inc.declared_at == NOW and inc.declared_by == current_user()
        assert inc.milestones["started"] == NEW_CRIT.starts_at  # when the alert began
        assert toasts(app, "Incident declared") == [
            "INC-2026-11-21-1 declared from DkimSigningFailed · 3 opens it"
        ]
        assert app.incident_to_open == "INC-2026-11-21-1"

        await pilot.press("3")  # the incidents mode opens the new incident's timeline
        await settle(pilot)
        assert getattr(app.screen, "incident_id", None) == "INC-2026-11-21-1"
        assert app.incident_to_open is None
        await pilot.press("escape", "2", "3")  # once only: later visits show the list
        await settle(pilot)
        assert app.current_mode == "incidents"
        assert getattr(app.screen, "incident_id", None) is None


@pytest.mark.parametrize("answer", ["enter", "escape", "n", "space"])
async def test_d_then_anything_but_y_declares_nothing(tmp_path: Path, answer: str) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_alerts(pilot, DOWN.fingerprint)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press(answer)
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        assert incidents(app) == []
        assert toasts(app, "Incident declared") == []
        assert getattr(app, "incident_to_open", None) is None


async def test_d_on_a_group_header_asks_nothing(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_alerts(pilot, "group:HighBounceRate")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        assert "No alert selected to declare an incident from." in [
            n.message for n in app._notifications
        ]
        assert incidents(app) == []


async def test_d_says_when_the_alert_is_already_linked_to_an_open_incident(
    tmp_path: Path,
) -> None:
    app = alert_app(tmp_path)
    inc = declare(app, "webhooks down", Severity.HIGH, 1)
    with Store.open(app.cache_path) as store:
        store.append_incident_entry(
            inc.id, lambda i: E.link_alert(i, DOWN, ts=NOW - 1800, author="alice")
        )
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alerts(pilot, DOWN.fingerprint)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert f"(already linked to open {inc.id})?" in app.screen.prompt.plain


# ---------------------------------------------------------------------------- link


async def test_L_links_the_alert_to_the_chosen_open_incident(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    low = declare(app, "slow webhooks", Severity.LOW, 2)
    crit = declare(app, "mail is bouncing", Severity.CRITICAL, 1)
    done = declare(app, "dns flapped", Severity.CRITICAL, 3)
    with Store.open(app.cache_path) as store:
        store.append_incident_entry(
            done.id, lambda i: E.status(i, IncidentStatus.RESOLVED, ts=NOW - HOUR, author="a")
        )
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_alerts(pilot, DOWN.fingerprint)
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, IncidentPicker)
        lines = picker_lines(app)
        # Open ones only, worst first; nothing linked yet, so all can be chosen.
        assert [(i, disabled) for i, _, disabled in lines] == [(crit.id, False), (low.id, False)]
        assert "Critical" in lines[0][1] and "mail is bouncing" in lines[0][1]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)

        with Store.open(app.cache_path) as store:
            linked = store.incident(low.id)
            entry = store.incident_entries(low.id)[-1]
        assert linked is not None and linked.alerts == (DOWN.fingerprint,)
        assert entry.type is EntryType.ALERT_LINKED and entry.author == current_user()
        assert entry.text == "alert linked: InstanceDown webhook-dispatcher"
        assert timeline_types(app, crit.id) == [EntryType.DECLARED]
        (said,) = toasts(app, "Alert linked")
        assert said.startswith(f"InstanceDown linked to {low.id}")


async def test_L_picker_shows_where_it_is_linked_and_escape_links_nothing(
    tmp_path: Path,
) -> None:
    app = alert_app(tmp_path)
    first = declare(app, "one", Severity.HIGH, 2)
    second = declare(app, "two", Severity.HIGH, 1)
    with Store.open(app.cache_path) as store:
        store.append_incident_entry(
            second.id, lambda i: E.link_alert(i, DOWN, ts=NOW - 60, author="a")
        )
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alerts(pilot, DOWN.fingerprint)
        await pilot.press("L")
        await settle(pilot)
        lines = picker_lines(app)
        assert [(i, disabled) for i, _, disabled in lines] == [
            (second.id, True),  # newer first among equals; already linked: not choosable
            (first.id, False),
        ]
        assert lines[0][1].endswith("(linked)")
        options = app.screen.query_one(OptionList)
        assert options.highlighted == 1  # the cursor starts on one that can be chosen
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        assert timeline_types(app, first.id) == [EntryType.DECLARED]


async def test_L_with_nothing_to_link_to_says_why(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_alerts(pilot, DOWN.fingerprint)
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        assert "No open incident to link InstanceDown to; d declares one from it." in [
            n.message for n in app._notifications
        ]
        only = declare(app, "only", Severity.HIGH, 1)
        with Store.open(app.cache_path) as store:
            store.append_incident_entry(
                only.id, lambda i: E.link_alert(i, DOWN, ts=NOW - 60, author="a")
            )
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        assert f"InstanceDown is already linked to every open incident ({only.id})." in [
            n.message for n in app._notifications
        ]


async def test_a_refusal_inside_the_write_is_a_notification(tmp_path: Path) -> None:
    """Chosen in the picker, closed by someone else before enter: the write refuses."""
    app = alert_app(tmp_path)
    inc = declare(app, "short-lived", Severity.HIGH, 1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_alerts(pilot, DOWN.fingerprint)
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, IncidentPicker)
        with Store.open(app.cache_path) as store:
            for status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
                store.append_incident_entry(
                    inc.id, lambda i, s=status: E.status(i, s, ts=NOW - 30, author="bob")
                )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        assert toasts(app, f"Link to {inc.id}: refused") == [
            f"{inc.id} is closed (postmortem done): cannot link alerts"
        ]
        assert EntryType.ALERT_LINKED not in timeline_types(app, inc.id)


# ---------------------------------------------------------------------------- hostile text


async def test_hostile_alert_and_incident_text_is_inert(tmp_path: Path) -> None:
    evil = Alert(
        "bad0000000000001",
        {"alertname": HOSTILE_LABEL, "severity": "critical", "service": "x\x1b[2Jy"},
        {"summary": "[link=http://evil]click[/link]\x1b]52;c;ZXZpbA==\x07 now"},
        starts_at=NOW - 60,
        origins=(AM_URL,),
    )
    app = alert_app(tmp_path, extra=[evil])
    declare(app, "[b]bold?[/b]\x1b[31m\x1b]52;c;ZXZpbA==\x07", Severity.HIGH, 1)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_alerts(pilot, evil.fingerprint)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        asked = app.screen.prompt.plain
        assert "“[link=http://evil]click[/link] now (xy)”" in asked  # literal, escapes gone
        assert "[bold red]PWNED[/] linked?" in asked
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x07" not in svg and "ZXZpbA" not in svg
        assert "click[/link]" in svg
        await pilot.press("y")
        await settle(pilot)
        # Stored as the alert said it (the timeline keeps what it was given), shown sanitised.
        declared = [i for i in incidents(app) if i.alerts == (evil.fingerprint,)]
        assert len(declared) == 1
        (said,) = toasts(app, "Incident declared")
        assert said == f"{declared[0].id} declared from [bold red]PWNED[/] · 3 opens it"

        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, IncidentPicker)
        shown = " ".join(text for _, text, _ in picker_lines(app))
        assert "[b]bold?[/b]" in shown and "\x1b" not in shown and "\x07" not in shown
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "ZXZpbA" not in svg
        shown = screen_text(app)
        assert "Link [bold red]PWNED[/] to" in shown and "[b]bold?[/b]" in shown


# ---------------------------------------------------------------------------- help


async def test_help_lists_both_keys(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    async with app.run_test(size=(120, 60)) as pilot:
        await open_alerts(pilot, DOWN.fingerprint)
        await pilot.press("question_mark")
        await settle(pilot)
        shown = screen_text(app)
        assert "Declare an incident from it" in shown
        assert "Link it to an open incident" in shown
