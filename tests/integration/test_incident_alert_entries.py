"""Linked alerts write "alert fired" / "alert resolved" on their incidents' timelines.

First on a real cache file, driven as the recorder drives it (record_alerts, then the writer
with the changes it returned): each change is on the timeline exactly once, through repeats,
restarts and catch-ups, and only while the incident is open and the alert linked. Then end to
end: a real Alertmanager, a real Recorder, an alert resolved and firing again in Alertmanager.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.alerts.fingerprint import fingerprint
from penguin_tui.alerts.model import Alert, AlertChange, AlertSource, Severity
from penguin_tui.config import parse_config
from penguin_tui.incidents import entries as E
from penguin_tui.incidents.alert_entries import AUTHOR, AlertEntryWriter
from penguin_tui.incidents.model import Entry, EntryType, Incident, IncidentStatus
from penguin_tui.recorder import Recorder
from penguin_tui.store import Store
from tests.integration import servers
from tests.integration.polling import eventually

T0 = 1_795_248_000.0  # 2026-11-21 08:00 UTC
AM = AlertSource.ALERTMANAGER
QUEUE_LABELS = {"alertname": "QueueBacklog", "severity": "critical", "service": "smtp-relay"}
QUEUE = Alert(fingerprint(QUEUE_LABELS), QUEUE_LABELS, {"summary": "queue above 20k"})
DISK_LABELS = {"alertname": "DiskFull", "severity": "warning", "service": "postgres"}
DISK = Alert(fingerprint(DISK_LABELS), DISK_LABELS)
AUTO = (EntryType.ALERT_FIRED, EntryType.ALERT_RESOLVED)


pytestmark = pytest.mark.usefixtures("utc")  # local times in the entries' texts


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache.db"


@pytest.fixture
def store(cache: Path) -> Iterator[Store]:
    s = Store.open(cache)
    yield s
    s.close()


def declare(store: Store, title: str = "mail is slow", ts: float = T0) -> Incident:
    return store.declare_incident(E.declare(title, Severity.CRITICAL, ts=ts, author="alice"))


def link(store: Store, incident: Incident, alert: Alert, ts: float) -> None:
    store.append_incident_entry(incident.id, lambda i: E.link_alert(i, alert, ts=ts, author="bob"))


def auto_entries(store: Store, incident_id: str) -> list[Entry]:
    return [e for e in store.incident_entries(incident_id) if e.type in AUTO]


def summary(entries: list[Entry]) -> list[tuple[str, float, str]]:
    return [(e.type.value, e.ts, e.text) for e in entries]


class Counting:
    """A Store stand-in that counts the queries the writer makes (work done, not time)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.calls.append(name)
        return getattr(self.store, name)


# ---------------------------------------------------------------------------- on a cache file


def test_resolved_and_firing_again_each_go_on_the_timeline_once(store: Store, cache: Path) -> None:
    writer = AlertEntryWriter(host="bastion-1")
    first = store.record_alerts(AM, [QUEUE, DISK], T0 - 600)  # fired before the incident
    incident = declare(store)
    link(store, incident, QUEUE, T0 + 10)
    assert writer.write(store, first) == []  # older than the link: not this incident's story

    resolved = store.record_alerts(AM, [DISK], T0 + 60)
    (entry,) = writer.write(store, resolved)
    assert (entry.type, entry.ts, entry.author, entry.host) == (
        EntryType.ALERT_RESOLVED,
        T0 + 60,
        AUTHOR,
        "bastion-1",
    )
    assert entry.text == "QueueBacklog smtp-relay resolved (Critical)"
    assert entry.data["fingerprint"] == QUEUE.fingerprint

    assert writer.write(store, resolved) == []  # the same change seen twice
    fired = store.record_alerts(AM, [QUEUE, DISK], T0 + 120)
    (again,) = writer.write(store, fired)
    assert again.text == "QueueBacklog smtp-relay fired (Critical)"

    # A restarted recorder (new writer, new connection) given the same changes adds nothing.
    with Store.open(cache) as other:
        restarted = AlertEntryWriter(host="bastion-2")
        assert restarted.write(other, resolved) == []
        assert restarted.write(other, fired) == []
        assert restarted.catch_up(other) == []

    assert summary(auto_entries(store, incident.id)) == [
        ("alert resolved", T0 + 60, "QueueBacklog smtp-relay resolved (Critical)"),
        ("alert fired", T0 + 120, "QueueBacklog smtp-relay fired (Critical)"),
    ]
    # The snapshot followed: the entries count, the incident did not change otherwise.
    snapshot = store.incident(incident.id)
    assert (
        snapshot is not None and snapshot.entries == 4 and snapshot.alerts == (QUEUE.fingerprint,)
    )


def test_catch_up_writes_what_a_crash_between_the_two_writes_left_out(
    store: Store, cache: Path
) -> None:
    store.record_alerts(AM, [QUEUE], T0 - 600)
    incident = declare(store)
    link(store, incident, QUEUE, T0)
    store.record_alerts(AM, [], T0 + 60)  # recorded, then the recorder died: no entry
    store.record_alerts(AM, [QUEUE], T0 + 120)

    with Store.open(cache) as restarted:
        written = AlertEntryWriter().catch_up(restarted)
        assert [(e.type, e.ts) for e in written] == [
            (EntryType.ALERT_RESOLVED, T0 + 60),
            (EntryType.ALERT_FIRED, T0 + 120),
        ]
        assert AlertEntryWriter().catch_up(restarted) == []  # and once only
    assert len(auto_entries(store, incident.id)) == 2


def test_what_happened_while_the_incident_was_resolved_stays_out(store: Store) -> None:
    store.record_alerts(AM, [QUEUE], T0 - 600)
    incident = declare(store)
    link(store, incident, QUEUE, T0)

    def status(new: IncidentStatus, ts: float) -> None:
        store.append_incident_entry(incident.id, lambda i: E.status(i, new, ts=ts, author="al"))

    status(IncidentStatus.RESOLVED, T0 + 30)
    resolved = store.record_alerts(AM, [], T0 + 60)
    assert AlertEntryWriter().write(store, resolved) == []  # no open incident linked
    status(IncidentStatus.INVESTIGATING, T0 + 90)  # reopened
    store.record_alerts(AM, [QUEUE], T0 + 120)  # fired again; the recorder died before its entry
    # The catch-up writes the re-fire only: the resolution came while the incident was resolved.
    written = AlertEntryWriter().catch_up(store)
    assert [(e.type, e.ts) for e in written] == [(EntryType.ALERT_FIRED, T0 + 120)]


def test_a_failed_write_is_retried_with_the_next_call(store: Store) -> None:
    store.record_alerts(AM, [QUEUE], T0 - 600)
    incident = declare(store)
    link(store, incident, QUEUE, T0)
    resolved = store.record_alerts(AM, [], T0 + 60)

    class Busy(Counting):
        def linked_open_incidents(self, fps: object) -> object:
            from penguin_tui.errors import CacheError

            raise CacheError("cache.db: the cache stayed locked by another process for 5 s")

    writer = AlertEntryWriter()
    with pytest.raises(Exception, match="locked"):
        writer.write(Busy(store), resolved)  # type: ignore[arg-type]
    assert writer.has_pending
    (entry,) = writer.write(store, [])  # the next poll, with no change of its own
    assert entry.type is EntryType.ALERT_RESOLVED and not writer.has_pending


def test_declared_from_an_alert_it_is_linked_from_the_start(store: Store) -> None:
    store.record_alerts(AM, [QUEUE], T0 - 600)
    incident = store.declare_incident(E.declare_from_alert(QUEUE, ts=T0, author="alice"))
    written = AlertEntryWriter().write(store, store.record_alerts(AM, [], T0 + 30))
    assert [(e.incident_id, e.text) for e in written] == [
        (incident.id, "QueueBacklog smtp-relay resolved (Critical)")
    ]


def test_every_open_incident_the_alert_is_linked_to_gets_it(store: Store) -> None:
    store.record_alerts(AM, [QUEUE, DISK], T0 - 600)
    one, two = declare(store, "one"), declare(store, "two")
    link(store, one, QUEUE, T0)
    link(store, two, QUEUE, T0)
    link(store, two, DISK, T0)
    written = AlertEntryWriter().write(store, store.record_alerts(AM, [], T0 + 60))
    assert sorted((e.incident_id, e.text) for e in written) == [
        (one.id, "QueueBacklog smtp-relay resolved (Critical)"),
        (two.id, "DiskFull postgres resolved (Medium)"),
        (two.id, "QueueBacklog smtp-relay resolved (Critical)"),
    ]


def test_resolved_incidents_and_unlinked_alerts_get_nothing(store: Store) -> None:
    store.record_alerts(AM, [QUEUE, DISK], T0 - 600)
    done = declare(store, "done")
    link(store, done, QUEUE, T0)
    store.append_incident_entry(
        done.id, lambda i: E.status(i, IncidentStatus.RESOLVED, ts=T0 + 1, author="alice")
    )
    other = declare(store, "other")
    link(store, other, DISK, T0)  # DISK is linked, QUEUE is not
    written = AlertEntryWriter().write(store, store.record_alerts(AM, [DISK], T0 + 60))
    assert written == []
    assert auto_entries(store, done.id) == [] and auto_entries(store, other.id) == []


def test_no_change_into_firing_or_resolved_costs_no_query(store: Store) -> None:
    writer = AlertEntryWriter()
    counting = Counting(store)
    acked = [AlertChange(T0, QUEUE.fingerprint, "firing", "acked", "ack by bob")]
    assert writer.write(counting, acked) == []  # type: ignore[arg-type]
    assert writer.write(counting, []) == []  # type: ignore[arg-type]
    assert counting.calls == []
    # Something fired, no incident open: one lookup, nothing else.
    fired = store.record_alerts(AM, [QUEUE], T0)
    assert writer.write(counting, fired) == []  # type: ignore[arg-type]
    assert counting.calls == ["linked_open_incidents"]


def test_a_timeline_is_read_once_then_only_its_newer_entries(store: Store) -> None:
    store.record_alerts(AM, [QUEUE], T0 - 600)
    incident = declare(store)
    link(store, incident, QUEUE, T0)
    for i in range(50):
        store.append_incident_entry(
            incident.id, lambda inc, i=i: E.note(inc, f"note {i}", ts=T0 + i, author="bob")
        )
    reads: list[int] = []
    real = store.incident_entries

    def spy(incident_id: str, after_id: int = 0) -> list[Entry]:
        found = real(incident_id, after_id)
        reads.append(len(found))
        return found

    store.incident_entries = spy  # type: ignore[method-assign]
    writer = AlertEntryWriter()
    writer.write(store, store.record_alerts(AM, [], T0 + 100))
    writer.write(store, store.record_alerts(AM, [QUEUE], T0 + 200))
    assert reads == [52, 0]  # the whole timeline once; then only newer ones (none but its own)


def test_hostile_alert_text_is_one_clean_line(store: Store) -> None:
    labels = {"alertname": "Evil\x1b[31m\n[bold]x[/]", "service": "a\x1b]52;c;ZXZpbA==\x07b"}
    evil = Alert(fingerprint(labels), labels)
    store.record_alerts(AM, [evil], T0 - 600)
    incident = declare(store)
    link(store, incident, evil, T0)
    (entry,) = AlertEntryWriter().write(store, store.record_alerts(AM, [], T0 + 60))
    assert "\x1b" not in entry.text and "\n" not in entry.text and "\x07" not in entry.text
    assert entry.text.endswith("resolved (Low)")


# ---------------------------------------------------------------------------- end to end


async def post(url: str, labels: dict[str, str], *, ends_in: float) -> None:
    """The queue alert in Alertmanager, ending ``ends_in`` seconds from now (0: resolved)."""
    await servers.post_alert(url, labels, "queue above 20k", ends_in=ends_in)


CONFIG = """\
[host]
enabled = false

[alertmanager]
urls = ["{am}"]
interval = "1s"
timeout = "2s"
"""


class Running:
    """A Recorder running on this event loop (the daemon's or a console's)."""

    def __init__(self, config_text: str, cache: Path) -> None:
        self.recorder = Recorder(parse_config(config_text), cache, role="console")
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Running:
        self.task = asyncio.create_task(self.recorder.run(self.stop))
        await asyncio.wait_for(self.recorder.wait_ready(), 20)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, 30)


async def test_alertmanager_resolve_and_refire_reach_the_linked_timeline(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="penguin_tui.alerts")
    cache = tmp_path / "cache.db"
    with servers.alertmanager(tmp_path) as url:
        config = CONFIG.format(am=url)
        await post(url, QUEUE_LABELS, ends_in=3600)
        console = Store.open(cache)  # the operator's console, its own connection
        try:
            async with Running(config, cache):

                async def stored() -> Alert | None:
                    return await asyncio.to_thread(console.alert, QUEUE.fingerprint)

                alert = await eventually(stored, lambda a: a is not None, "the alert recorded")
                assert alert is not None
                incident = console.declare_incident(
                    E.declare_from_alert(alert, ts=time.time(), author="alice")
                )

                async def timeline() -> list[Entry]:
                    return await asyncio.to_thread(auto_entries, console, incident.id)

                await post(url, QUEUE_LABELS, ends_in=0)  # resolved in Alertmanager
                await eventually(timeline, lambda t: len(t) == 1, "alert resolved entry")
                await post(url, QUEUE_LABELS, ends_in=3600)  # and firing again
                entries = await eventually(timeline, lambda t: len(t) == 2, "alert fired entry")
                await asyncio.sleep(2.5)  # more polls: nothing new
            # A restart (catch-up included) adds nothing either.
            async with Running(config, cache):
                await asyncio.sleep(2.5)
            final = auto_entries(console, incident.id)
        finally:
            console.close()

    assert [(e.type, e.author, e.text) for e in final] == [
        (EntryType.ALERT_RESOLVED, AUTHOR, "QueueBacklog smtp-relay resolved (Critical)"),
        (EntryType.ALERT_FIRED, AUTHOR, "QueueBacklog smtp-relay fired (Critical)"),
    ]
    assert [e.id for e in final] == [e.id for e in entries]
    assert f"incident {incident.id}: QueueBacklog smtp-relay resolved (Critical)" in (
        caplog.messages
    )
