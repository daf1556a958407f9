"""The incidents screens driven by keys (Pilot) on a real, deterministic cache; and snapshots.

The cache is written through the real Store methods (tests/ui/incident_seed.py); the console's
clock stands at 08:00 UTC and moves only when a test moves it. Every write the screens make
goes through ``store.append_incident_entry`` on the reader thread and is checked in the cache.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, TextArea

from penguin_tui.app import PenguinApp
from penguin_tui.config_model import AlertsConfig
from penguin_tui.incidents.model import EntryType, IncidentStatus
from penguin_tui.screens import incident_view, incidents
from penguin_tui.screens.incident_forms import (
    ChoicePrompt,
    DeclareForm,
    EntryView,
    UpdateEditor,
)
from penguin_tui.screens.incident_view import IncidentViewScreen
from penguin_tui.screens.incidents import IncidentsScreen
from penguin_tui.store import Store
from penguin_tui.widgets.incident_list import IncidentList
from penguin_tui.widgets.status_bar import StatusBar
from penguin_tui.widgets.timeline import Timeline
from tests.ui.alert_seed import DOWN, alert_config
from tests.ui.clock import Clock
from tests.ui.incident_seed import BOUNCE, DNS, OLD, WEBHOOK, seed_incidents
from tests.ui.seed import NOW
from tests.ui.waiting import settle, wait_until

MIN = 60.0


@pytest.fixture(autouse=True)
def env(utc: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Times on screen are local (UTC); reports go to the test's directory."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("USER", "tester")
    monkeypatch.setenv("LOGNAME", "tester")


def make_app(tmp_path: Path, **seed: object) -> tuple[PenguinApp, Clock, dict[str, int]]:
    """A console over the seeded cache, its clock at 08:00."""
    cache = tmp_path / "cache.db"
    ids = seed_incidents(cache, **seed)  # type: ignore[arg-type]
    clock = Clock(NOW)
    # No toast over the screen: the bell's notification has its own tests.
    config = dataclasses.replace(alert_config(), alerts=AlertsConfig(notify=False, bell=False))
    return PenguinApp(config, cache, clock=clock, record=False), clock, ids


async def open_list(pilot: Pilot) -> IncidentList:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, IncidentsScreen)
    return pilot.app.screen.query_one(IncidentList)


async def open_incident(pilot: Pilot, incident_id: str = BOUNCE) -> Timeline:
    table = await open_list(pilot)
    assert table.select_key(incident_id)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, IncidentViewScreen) and screen.incident_id == incident_id
    return screen.query_one(Timeline)


def entries_of(app: PenguinApp, incident_id: str = BOUNCE) -> list:  # type: ignore[type-arg]
    store = Store.open(app.cache_path)
    try:
        return store.incident_entries(incident_id)
    finally:
        store.close()


def incident_of(app: PenguinApp, incident_id: str = BOUNCE):  # type: ignore[no-untyped-def]
    store = Store.open(app.cache_path)
    try:
        return store.incident(incident_id)
    finally:
        store.close()


def text_of(app: PenguinApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def cell(table: IncidentList, key: str, column: str) -> str:
    return table.get_cell(key, column).plain  # type: ignore[union-attr]


def screen_text(app: PenguinApp) -> str:
    """What the terminal shows, line by line, as text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def log_text(timeline: Timeline) -> str:
    """The whole log as drawn (it renders any line on demand)."""
    return "\n".join(timeline.plain_lines())


# --- the list ----------------------------------------------------------------------------------


async def test_list_open_first_by_severity_with_countdowns(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_list(pilot)
        assert table.keys == [BOUNCE, WEBHOOK, DNS, OLD]
        assert cell(table, BOUNCE, "severity") == "✖ Critical"
        assert cell(table, BOUNCE, "status") == "Identified"
        assert cell(table, BOUNCE, "age") == "25m"
        assert cell(table, BOUNCE, "commander") == "alice"
        assert cell(table, BOUNCE, "due") == "in 5m"  # Critical: every 30 min from 07:35
        assert cell(table, WEBHOOK, "due") == "OVERDUE 20m"  # High: 60 min from 06:40
        due = table.get_cell(WEBHOOK, "due")
        assert "reverse" in str(due.style)  # type: ignore[union-attr]
        assert cell(table, WEBHOOK, "commander") == "—"
        assert cell(table, DNS, "status") == "Resolved" and cell(table, DNS, "due") == "—"
        assert cell(table, OLD, "status") == "Closed"
        header = text_of(app, "#incidents-header")
        assert header.startswith("2 open") and "1 update OVERDUE" in header
        assert "2 resolved or closed" in header
        preview = text_of(app, "#incidents-preview")
        assert "SMTP relay bouncing mail" in preview and "smtp-relay, api" in preview
        status = text_of(app, "#status-bar")
        assert "3 incidents" in status and "1 health 2 alerts" in status


async def test_list_at_80_columns_keeps_every_column_and_the_mode_keys(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot)
        assert cell(table, BOUNCE, "severity") == "✖ crit"
        assert cell(table, WEBHOOK, "status") == "Investig."
        text = screen_text(app)
        assert BOUNCE in text and "OVERDUE 20m" in text and "in 5m" in text
        bar = str(app.screen.query_one(StatusBar).render())
        assert len(bar) <= 78 and "3 incidents" in bar
        footer = text.splitlines()[-1]
        assert footer.startswith("⏎ open d declare")


async def test_countdown_turns_overdue_with_the_injected_clock(tmp_path: Path) -> None:
    app, clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_list(pilot)
        assert cell(table, BOUNCE, "due") == "in 5m"
        # Nobody presses anything: the screen's own 1 s timer notices the clock moved on.
        clock.now = NOW + 4 * MIN + 30  # 30 s before it falls due
        await wait_until(pilot, lambda: cell(table, BOUNCE, "due") == "in 1m")  # never seconds
        clock.now = NOW + 5 * MIN  # the moment it falls due: redrawn at once, not a minute on
        await wait_until(pilot, lambda: cell(table, BOUNCE, "due") == "OVERDUE 1m")
        assert "2 updates OVERDUE" in text_of(app, "#incidents-header")
        # The timeline's header says it too, in reverse.
        await pilot.press("enter")
        await settle(pilot)
        header = app.screen.query_one("#incident-header")
        shown = header._penguin_last  # type: ignore[attr-defined]
        assert "update OVERDUE 1m" in shown.plain
        reverse = [shown.plain[s.start : s.end] for s in shown.spans if "reverse" in str(s.style)]
        assert "OVERDUE 1m" in reverse


async def test_declare_from_the_form_refuses_an_empty_title(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_list(pilot)
        await pilot.press("d")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DeclareForm)
        assert form.query_one("#declare-title", Input).has_focus
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DeclareForm)  # refused, in the form
        assert "the title is empty" in str(form.query_one(".errors").render())
        await pilot.press(*"Queue workers stuck")
        form.query_one("#declare-severity", Input).value = "crit"
        form.query_one("#declare-services", Input).value = "smtp-relay, api"
        form.query_one("#declare-impact", Input).value = "mail delayed 10 min"
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Declared: its timeline opens at once.
        screen = app.screen
        assert isinstance(screen, IncidentViewScreen)
        assert screen.incident_id == "INC-2026-11-21-3"
    inc = incident_of(app, "INC-2026-11-21-3")
    assert inc.title == "Queue workers stuck" and inc.severity.title == "Critical"
    assert inc.services == ("smtp-relay", "api") and inc.impact == "mail delayed 10 min"
    assert inc.roles == {"commander": "tester"}  # the declaring operator, unless changed


# --- the timeline ------------------------------------------------------------------------------


async def test_timeline_shows_entries_pins_corrections_and_header(tmp_path: Path) -> None:
    app, _clock, ids = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        timeline = await open_incident(pilot)
        items = timeline.items
        assert [it.type for it in items][:2] == [EntryType.DECLARED, EntryType.NOTE]
        assert timeline.selected is items[-1]  # newest at the bottom, under the cursor
        log = log_text(timeline)
        assert "── Sat 2026-11-21 " in log.splitlines()[0]
        assert f"★07:40 #{ids['pinned']} bob note relay-2 IP on a blocklist" in log
        assert f"corrects #{ids['corrected']} it was relay-2, not relay-1" in log
        assert "alice status Investigating -> Identified: blocklisted" in log
        assert "alice alert linked HighBounceRate smtp-relay" in log
        assert "alice declared Critical: SMTP relay bouncing mail" in log
        header = text_of(app, "#incident-header")
        assert header.startswith(f"{BOUNCE} ✖ Critical · Identified · SMTP relay bouncing mail")
        assert "IC alice · scribe bob · comms —" in header
        assert "open 25m" in header and "ack" in header and "update in 5m" in header
        pinned = text_of(app, "#incident-pinned")
        assert f"★ #{ids['pinned']} 07:40 bob: relay-2 IP on a blocklist" in pinned
        # The chart strip: the affected services' key metrics from the cache.
        from penguin_tui.widgets.incident_chart import IncidentChart

        chart = app.screen.query_one(IncidentChart)
        assert chart.display and chart.shown_names == ["smtp-relay", "api"]


async def test_add_a_note_through_the_input_and_refusals_keep_the_text(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        timeline = await open_incident(pilot)
        await pilot.press("n")
        note = app.screen.query_one("#incident-note", Input)
        assert note.has_focus
        await pilot.press(*"relay-2 recovering", "enter")
        await settle(pilot)
        assert note.value == ""
        assert entries_of(app)[-1].text == "relay-2 recovering"
        assert entries_of(app)[-1].author == "tester"
        assert timeline.items[-1].text == "relay-2 recovering"
        assert timeline.selected is timeline.items[-1]
        # Empty: refused; too long: refused naming the limit; the text stays to fix.
        count = len(entries_of(app))
        await pilot.press("enter")
        await settle(pilot)
        note.value = "x" * 10_001
        await pilot.press("enter")
        await settle(pilot)
        assert len(entries_of(app)) == count
        assert note.value == "x" * 10_001
        messages = [n.message for n in app._notifications]
        assert any("the note is empty" in m for m in messages)
        assert any("10,001 characters long; the limit is 10,000" in m for m in messages)
        # escape: from the note line back to the log, then back to the list.
        await pilot.press("escape")
        assert timeline.has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IncidentsScreen)


async def test_status_prompt_offers_only_allowed_transitions(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(pilot)
        await pilot.press("s")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        assert [o for o, _ in prompt.options] == ["Investigating", "Monitoring", "Resolved"]
        await pilot.press("down", "tab", *"fix holds", "enter")  # Monitoring, with a reason
        await settle(pilot)
        assert isinstance(app.screen, IncidentViewScreen)
        last = entries_of(app)[-1]
        assert last.type is EntryType.STATUS and last.data == {"status": "Monitoring"}
        assert last.text == "status Identified -> Monitoring: fix holds"
        assert "Monitoring" in text_of(app, "#incident-header")
        await pilot.press("s")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        assert [o for o, _ in prompt.options] == ["Investigating", "Identified", "Resolved"]


async def test_status_prompt_refusal_is_shown_in_the_prompt(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(pilot)
        await pilot.press("s")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        # Someone else closes it meanwhile (resolved, postmortem done): nothing may change.
        from penguin_tui.incidents import entries as E

        store = Store.open(app.cache_path)
        for status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
            store.append_incident_entry(
                BOUNCE, lambda i, s=status: E.status(i, s, ts=NOW, author="bob")
            )
        store.close()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is prompt  # still open, with the refusal in it
        errors = str(prompt.query_one(".errors").render())
        assert "the incident is closed (postmortem done); nothing can change it" in errors
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s")  # a closed incident: no prompt, a message
        await settle(pilot)
        assert isinstance(app.screen, IncidentViewScreen)
        assert any("nothing can change it" in n.message for n in app._notifications)


async def test_pin_and_correction_of_the_entry_under_the_cursor(tmp_path: Path) -> None:
    app, _clock, ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        timeline = await open_incident(pilot)
        target = timeline.items[-1]  # the newest note, under the cursor
        await pilot.press("p")
        await settle(pilot)
        assert incident_of(app).pinned == (ids["pinned"], target.id)
        assert "expect recovery" in text_of(app, "#incident-pinned")
        assert timeline.items[-1].type is EntryType.PIN  # the log followed the new entry
        assert timeline.select_entry(target.id)
        await pilot.press("p")  # again: unpinned
        await settle(pilot)
        assert incident_of(app).pinned == (ids["pinned"],)
        assert timeline.select_entry(target.id)
        await pilot.press("c")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        assert prompt.query_one("#choice-text", Input).has_focus
        await pilot.press(*"recovery expected in 30 minutes", "enter")
        await settle(pilot)
        last = entries_of(app)[-1]
        assert last.type is EntryType.CORRECTION and last.refers_to == target.id
        assert timeline.items[-1].refers_to == target.id
        assert f"corrects #{target.id}" in log_text(timeline)


async def test_roles_severity_and_milestone_prompts(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ChoicePrompt)
        await pilot.press("down", "down", "tab")  # communications
        app.screen.query_one("#choice-text", Input).value = "carol"
        await pilot.press("enter")
        await settle(pilot)
        assert incident_of(app).roles == {"commander": "alice", "scribe": "bob",
                                          "communications": "carol"}  # fmt: skip
        await pilot.press("v")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        assert [o for o, _ in prompt.options] == ["HIGH", "MEDIUM", "LOW"]
        await pilot.press("enter")
        await settle(pilot)
        assert incident_of(app).severity.title == "High"
        await pilot.press("m")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        assert prompt.chosen() == "mitigated"  # the first one not set yet
        await pilot.press("tab")
        prompt.query_one("#choice-text", Input).value = "25:99"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is prompt
        assert "is not a time of day" in str(prompt.query_one(".errors").render())
        prompt.query_one("#choice-text", Input).value = "07:50"  # the last 07:50, not tomorrow's
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IncidentViewScreen)
        assert incident_of(app).milestones["mitigated"] == NOW - 10 * MIN


async def test_link_an_alert_from_the_alert_stream(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot)
        await pilot.press("l")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        fingerprints = [o for o, _ in prompt.options]
        assert fingerprints and DOWN.fingerprint in fingerprints
        assert "a0000000000000b2" not in fingerprints  # linked already
        options = prompt.query_one(OptionList)
        options.highlighted = fingerprints.index(DOWN.fingerprint)
        await pilot.press("enter")
        await settle(pilot)
        assert DOWN.fingerprint in incident_of(app).alerts
        last = entries_of(app)[-1]
        assert last.type is EntryType.ALERT_LINKED and "InstanceDown" in last.text


async def test_stakeholder_update_drafted_recorded_and_copied(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(pilot)
        await pilot.press("u")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, UpdateEditor)
        draft = editor.text
        assert draft.splitlines()[0] == f"[{BOUNCE}] Critical incident: SMTP relay bouncing mail"
        assert "Status: Identified" in draft
        assert "Impact: Customers' mail to Gmail delayed or bounced" in draft
        assert "- relay-2 IP on a blocklist: rotate the sending IP" in draft  # what is done
        assert draft.count("\n- ") == 3  # the latest three notes
        assert "Next update: by 08:30 UTC (in 30m)" in draft
        area = editor.query_one(TextArea)
        area.text = draft + "\nWe are sorry for the delay."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, IncidentViewScreen)
        assert app.clipboard == draft + "\nWe are sorry for the delay."
        assert "update in 30m" in text_of(app, "#incident-header")  # the cadence starts over
    last = entries_of(app)[-1]
    assert last.type is EntryType.UPDATE and last.text.endswith("sorry for the delay.")
    assert incident_of(app).last_update_at == NOW


async def test_export_writes_a_new_postmortem_file_each_time(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        reports = sorted((tmp_path / "data" / "penguin-tui" / "reports").iterdir())
        assert [p.name for p in reports] == [
            f"postmortem-{BOUNCE}-20261121-0800-2.md",
            f"postmortem-{BOUNCE}-20261121-0800.md",
        ]
        text = reports[1].read_text()
        assert text.startswith(f"# Postmortem: {BOUNCE} SMTP relay bouncing mail")
        assert "## Root cause" in text and "\x1b" not in text
        assert any(str(reports[0]) in n.message for n in app._notifications)


async def test_a_failed_export_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "not-a-dir").write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "not-a-dir"))
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, IncidentViewScreen)
        failed = [n for n in app._notifications if n.title == "Postmortem NOT written"]
        assert failed and "cannot create the reports directory" in failed[0].message


async def test_enter_shows_an_entry_whole(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        timeline = await open_incident(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EntryView)
        assert "expect recovery in 20 minutes" in str(app.screen.query_one("#entry-text").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one(Timeline) is timeline


async def test_hostile_notes_are_inert_on_screen(tmp_path: Path) -> None:
    app, _clock, ids = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        timeline = await open_incident(pilot)
        assert timeline.select_entry(ids["hostile"])
        await settle(pilot)
        text = screen_text(app)
        assert "[bold red]PWNED[/]red" in text and "link" in text
        assert "\x1b" not in text and "\x07" not in text
        shown = timeline.item(ids["hostile"])
        assert shown is not None and shown.text == "[bold red]PWNED[/]redlink"


async def test_an_entry_from_another_console_shows_without_a_key(tmp_path: Path) -> None:
    """A second process writes with ``penguin-tui incident note``; this console's 1 s poll
    brings it onto the timeline (and the list) with nobody pressing anything."""
    app, _clock, _ids = make_app(tmp_path)
    assert incident_view.POLL_S <= 1.0 and incidents.POLL_S <= 1.0  # within 2 s, by design
    async with app.run_test(size=(120, 40)) as pilot:
        timeline = await open_incident(pilot)
        env = dict(os.environ, PENGUIN_TUI_CONFIG=str(tmp_path / "none.toml"))
        (tmp_path / "none.toml").write_text("[host]\nenabled = false\n")
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "penguin_tui", "incident", "note", BOUNCE,
             "written on the other console", "--cache", str(app.cache_path)],
            capture_output=True, text=True, timeout=60, env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        await wait_until(pilot, lambda: timeline.items[-1].text == "written on the other console")
        assert timeline.selected is timeline.items[-1]  # the log follows the newest entry
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one(IncidentList)
        assert cell(table, BOUNCE, "age") == "25m"


async def test_a_missing_incident_says_so(tmp_path: Path) -> None:
    app, _clock, _ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_list(pilot)
        app.push_screen(IncidentViewScreen("INC-1999-01-01-1"))
        await settle(pilot)
        assert "no incident 'INC-1999-01-01-1'" in text_of(app, "#incident-header")


# --- snapshots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_incident_list(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot: Pilot) -> None:
        await open_list(pilot)

    app, _clock, _ids = make_app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_incident_timeline(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot: Pilot) -> None:
        await open_incident(pilot)
        await settle(pilot)

    app, _clock, _ids = make_app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=ready)
