"""AlertActions against a real Alertmanager and a real cache file; alert_as_text; parse_time.

Every silence is checked through Alertmanager's own HTTP API (httpx), not through the code
under test, and every cache write by reading the SQLite file back with a fresh Store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from penguin_tui.alerts.actions import (
    ActionError,
    AlertActions,
    alert_as_text,
    service_matcher,
)
from penguin_tui.alerts.am_client import AlertmanagerError
from penguin_tui.alerts.matchers import Matcher, MatchOp
from penguin_tui.alerts.model import (
    Alert,
    AlertSource,
    AlertState,
    MaintenanceWindow,
    Silence,
    SilenceDraft,
)
from penguin_tui.alerts.when import parse_time
from penguin_tui.config_model import AlertmanagerConfig, AlertsConfig, CheckConfig, Config
from penguin_tui.reader import CacheReader
from penguin_tui.store import Store
from tests.integration.servers import alertmanager, free_port

LABELS = {
    "alertname": "HighBounceRate",
    "severity": "critical",
    "service": "smtp-relay-2",
    "instance": "10.0.0.7:9100",
}


@pytest.fixture(scope="module")
def am_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with alertmanager(tmp_path_factory.mktemp("am")) as url:
        yield url


pytestmark = pytest.mark.usefixtures("utc")  # local times in the texts


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[CacheReader]:
    reader = CacheReader(tmp_path / "cache.db")
    yield reader
    reader.close()


def config(*urls: str, author: str = "alice", ack: float = 900.0) -> Config:
    return Config(
        checks=(
            CheckConfig("smtp-relay-2", "http://smtp.internal/"),
            CheckConfig("api.v2 (eu)", "http://api.internal/"),
        ),
        alertmanager=AlertmanagerConfig(urls=tuple(urls), timeout_s=5.0),
        alerts=AlertsConfig(ack_duration_s=ack, author=author),
    )


def am_silence(url: str, silence_id: str) -> dict:
    """The silence as Alertmanager itself reports it."""
    response = httpx.get(f"{url}/api/v2/silence/{silence_id}", timeout=5)
    response.raise_for_status()
    return response.json()


def epoch(iso: str) -> float:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def post_alert(url: str, labels: dict[str, str]) -> None:
    httpx.post(f"{url}/api/v2/alerts", json=[{"labels": labels}], timeout=5).raise_for_status()


def alert(labels: dict[str, str], **kw: object) -> Alert:
    return Alert(fingerprint="fp-" + "-".join(sorted(labels.values())), labels=labels, **kw)


# --- ack ----------------------------------------------------------------------------------------


async def test_ack_silences_the_exact_labels_as_the_operator(
    am_url: str, reader: CacheReader
) -> None:
    labels = {**LABELS, "test": "ack"}
    post_alert(am_url, labels)
    actions = AlertActions(config(am_url), reader)
    before = time.time()
    said = await actions.ack(alert(labels, origins=(am_url,)))
    await actions.aclose()

    match = re.fullmatch(r"acked for 15m \(silence ([0-9a-f]{8})…\)", said)
    assert match, said
    silences = httpx.get(f"{am_url}/api/v2/silences", timeout=5).json()
    ours = [s for s in silences if s["id"].startswith(match[1])]
    assert len(ours) == 1
    silence = ours[0]
    assert silence["status"]["state"] == "active"
    assert silence["comment"] == "ACK by alice"
    assert silence["createdBy"] == "alice"
    assert sorted(
        (m["name"], m["value"], m["isRegex"], m["isEqual"]) for m in silence["matchers"]
    ) == sorted((name, value, False, True) for name, value in labels.items())
    assert epoch(silence["endsAt"]) - before == pytest.approx(900, abs=5)
    # Alertmanager now reports the alert silenced by exactly that silence.
    alerts = httpx.get(f"{am_url}/api/v2/alerts", params={"filter": 'test="ack"'}, timeout=5).json()
    assert [a["status"]["silencedBy"] for a in alerts] == [[silence["id"]]]


async def test_ack_of_a_local_rule_alert_is_stored_in_the_cache(
    tmp_path: Path, reader: CacheReader
) -> None:
    now = 1_795_248_000.0
    actions = AlertActions(config(), reader, clock=lambda: now, user="bob")
    local = alert({"alertname": "QueueDepth", "service": "smtp-relay-2"}, source=AlertSource.LOCAL)
    said = await actions.ack(local)
    assert said.startswith("acked locally for 15m")
    with Store.open(tmp_path / "cache.db") as store:
        acks = store.local_acks(now + 1)
        assert store.local_acks(now + 901) == {}  # over after the ack duration
    ack = acks[local.fingerprint]
    assert (ack.user, ack.ts, ack.until, ack.comment) == ("bob", now, now + 900, "ACK by bob")


async def test_ack_with_alertmanager_down_is_a_plain_error(reader: CacheReader) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    actions = AlertActions(config(down), reader)
    with pytest.raises(AlertmanagerError) as raised:
        await actions.ack(alert(LABELS))
    await actions.aclose()
    assert down in str(raised.value)
    assert "Traceback" not in str(raised.value)


async def test_ack_without_any_alertmanager_says_so(reader: CacheReader) -> None:
    actions = AlertActions(config(), reader)
    with pytest.raises(ActionError, match="no Alertmanager is configured"):
        await actions.ack(alert(LABELS))


# --- silences -----------------------------------------------------------------------------------


async def test_silence_from_a_draft_then_expire(am_url: str, reader: CacheReader) -> None:
    actions = AlertActions(config(am_url), reader)
    now = time.time()
    draft = SilenceDraft(
        (Matcher("service", MatchOp.RE, "smtp-.*"), Matcher("severity", MatchOp.NE, "info")),
        now,
        now + 7200,
        "carol",
        "relay migration",
    )
    silence_id = await actions.silence(draft)
    got = am_silence(am_url, silence_id)
    assert got["status"]["state"] == "active"
    assert (got["createdBy"], got["comment"]) == ("carol", "relay migration")
    assert sorted((m["name"], m["value"], m["isRegex"], m["isEqual"]) for m in got["matchers"]) == [
        ("service", "smtp-.*", True, True),
        ("severity", "info", False, False),
    ]
    await actions.expire(silence_id)
    await actions.aclose()
    assert am_silence(am_url, silence_id)["status"]["state"] == "expired"


async def test_a_draft_with_problems_never_reaches_alertmanager(
    am_url: str, reader: CacheReader
) -> None:
    actions = AlertActions(config(am_url), reader)
    count = len(httpx.get(f"{am_url}/api/v2/silences", timeout=5).json())
    now = time.time()
    draft = SilenceDraft((Matcher.equal("a", "b"),), now, now + 60, "carol", "  ")
    with pytest.raises(ActionError, match="a comment is required"):
        await actions.silence(draft)
    everything = SilenceDraft((Matcher("a", MatchOp.RE, ".*"),), now, now + 60, "c", "x")
    with pytest.raises(ActionError, match="would match every alert"):
        await actions.silence(everything)
    assert len(httpx.get(f"{am_url}/api/v2/silences", timeout=5).json()) == count


# --- maintenance windows ------------------------------------------------------------------------


async def test_future_maintenance_is_a_pending_silence_and_a_stored_window(
    am_url: str, tmp_path: Path, reader: CacheReader
) -> None:
    actions = AlertActions(config(am_url), reader)
    start = time.time() + 3600
    window = MaintenanceWindow(
        start=start,
        end=start + 7200,
        reason="relay kernel upgrade",
        author="",
        services=("smtp-relay-2", "check:api.v2 (eu)"),  # a name, and a key
    )
    scheduled = await actions.schedule_maintenance(window)
    assert scheduled.id is not None and scheduled.silence_id
    assert scheduled.author == "alice"

    got = am_silence(am_url, scheduled.silence_id)
    assert got["status"]["state"] == "pending"
    assert got["comment"] == "Maintenance: relay kernel upgrade"
    assert got["createdBy"] == "alice"
    assert epoch(got["startsAt"]) == pytest.approx(start, abs=1)
    assert epoch(got["endsAt"]) == pytest.approx(start + 7200, abs=1)
    # The key became its item's name; both names are regex-escaped, as Alertmanager reads them.
    assert got["matchers"] == [
        {
            "name": "service",
            "value": r"smtp\-relay\-2|api\.v2\ \(eu\)",
            "isRegex": True,
            "isEqual": True,
        }
    ]
    with Store.open(tmp_path / "cache.db") as store:
        [stored] = store.maintenance_windows(time.time())
    assert stored.id == scheduled.id
    assert (stored.silence_id, stored.reason, stored.services) == (
        scheduled.silence_id,
        "relay kernel upgrade",
        ("smtp-relay-2", "check:api.v2 (eu)"),
    )

    await actions.cancel_maintenance(stored)
    await actions.aclose()
    assert am_silence(am_url, scheduled.silence_id)["status"]["state"] == "expired"
    with Store.open(tmp_path / "cache.db") as store:
        [cancelled] = store.maintenance_windows(time.time())
    assert cancelled.cancelled_at is not None
    assert not cancelled.active(start + 60)


async def test_maintenance_by_matchers_now(am_url: str, reader: CacheReader) -> None:
    actions = AlertActions(config(am_url), reader)
    now = time.time()
    window = MaintenanceWindow(
        now - 5, now + 600, "db failover", "dave", matchers=(Matcher.equal("cluster", "pg-2"),)
    )
    scheduled = await actions.schedule_maintenance(window)
    await actions.aclose()
    got = am_silence(am_url, scheduled.silence_id)
    assert got["status"]["state"] == "active"
    assert got["createdBy"] == "dave"
    assert [(m["name"], m["value"], m["isRegex"]) for m in got["matchers"]] == [
        ("cluster", "pg-2", False)
    ]


async def test_maintenance_without_alertmanager_is_stored_only(
    tmp_path: Path, reader: CacheReader
) -> None:
    now = 1_795_248_000.0
    actions = AlertActions(config(), reader, clock=lambda: now)
    scheduled = await actions.schedule_maintenance(
        MaintenanceWindow(now, now + 3600, "reindex", "", services=("smtp-relay-2",))
    )
    assert scheduled.silence_id == ""
    with Store.open(tmp_path / "cache.db") as store:
        [stored] = store.maintenance_windows(now)
    assert stored.active(now + 1) and stored.covers_item("check:smtp-relay-2", "smtp-relay-2", "")
    await actions.cancel_maintenance(stored)
    with Store.open(tmp_path / "cache.db") as store:
        [cancelled] = store.maintenance_windows(now + 10)
    assert cancelled.cancelled_at == now


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"reason": " "}, "a reason is required"),
        ({"services": ()}, "name the services"),
        ({"matchers": (Matcher.equal("a", "b"),)}, "not both"),
        ({"end": 50.0}, "the end must be after the start"),
        ({"start": 10.0, "end": 20.0}, "the end is in the past"),
    ],
)
async def test_bad_windows_are_refused_with_the_reason(
    tmp_path: Path, reader: CacheReader, change: dict, problem: str
) -> None:
    actions = AlertActions(config(), reader, clock=lambda: 100.0)
    base = MaintenanceWindow(100.0, 200.0, "work", "eve", services=("smtp-relay-2",))
    with pytest.raises(ActionError, match=problem):
        await actions.schedule_maintenance(dataclasses.replace(base, **change))
    with Store.open(tmp_path / "cache.db") as store:
        assert store.maintenance_windows(0.0) == []


async def test_a_refused_silence_stores_no_window(tmp_path: Path, reader: CacheReader) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    now = time.time()
    actions = AlertActions(config(down), reader)
    with pytest.raises(AlertmanagerError):
        await actions.schedule_maintenance(
            MaintenanceWindow(now, now + 60, "x", "eve", services=("smtp-relay-2",))
        )
    await actions.aclose()
    with Store.open(tmp_path / "cache.db") as store:
        assert store.maintenance_windows(0.0) == []


# --- author -------------------------------------------------------------------------------------


def test_author_is_config_then_os_user_and_survives_a_missing_passwd_entry(
    reader: CacheReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert AlertActions(config(author="ops-alice"), reader).author == "ops-alice"
    assert AlertActions(config(author=""), reader, user="bob").author == "bob"
    assert AlertActions(config(author=""), reader).author == getpass.getuser()

    def no_user() -> str:
        raise OSError("no passwd entry")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert AlertActions(config(author=""), reader).author == f"uid {os.getuid()}"
    hostile = AlertActions(config(author="\x1b]52;c;ZXZpbA==\x07mallory\nx"), reader)
    assert hostile.author == "mallory x"


# --- copy as text -------------------------------------------------------------------------------


def test_alert_as_text_has_what_a_colleague_needs_and_nothing_hostile() -> None:
    starts = dt.datetime(2026, 11, 21, 7, 58, tzinfo=dt.UTC).timestamp()
    hostile = "[bold]x[/bold]\x1b[31m red\x1b]52;c;ZXZpbA==\x07" + "y" * 5000
    subject = Alert(
        fingerprint="f1",
        labels={**LABELS, "note": hostile},
        annotations={
            "summary": "bounce rate 9.2% over 5m",
            "runbook_url": "https://runbooks.internal/bounce",
        },
        starts_at=starts,
        generator_url="http://prometheus:9090/graph?g0.expr=x",
        silenced_by=("3f2a-1",),
        origins=("http://am-1:9093", "http://am-2:9093"),
    )
    silence = Silence(
        "3f2a-1",
        (Matcher.equal("service", "smtp-relay-2"),),
        starts,
        starts + 3600,
        "bob",
        "deploy",
    )
    text = alert_as_text(subject, AlertState.SILENCED, {"3f2a-1": silence})
    lines = text.splitlines()
    assert lines[0] == "HighBounceRate [Critical] silenced"
    assert "  service=smtp-relay-2" in lines
    assert "  summary: bounce rate 9.2% over 5m" in lines
    assert "starts: 2026-11-21 07:58 UTC" in lines
    assert "source: Alertmanager http://am-1:9093, http://am-2:9093" in lines
    assert "runbook: https://runbooks.internal/bounce" in lines
    assert "generator: http://prometheus:9090/graph?g0.expr=x" in lines
    assert 'silenced by 3f2a-1: bob, "deploy", until 2026-11-21 08:58 UTC' in lines
    assert "\x1b" not in text and "\x07" not in text
    note = next(line for line in lines if line.startswith("  note="))
    assert note.startswith("  note=[bold]x[/bold] red")  # markup stays literal text
    assert len(note) < 2100 and note.endswith("…")
    local = dataclasses.replace(subject, source=AlertSource.LOCAL, silenced_by=())
    assert "source: local rule (penguin-tui)" in alert_as_text(local, AlertState.FIRING, {})


# --- helpers ------------------------------------------------------------------------------------


def test_service_matcher_escapes_and_matches_like_alertmanager() -> None:
    assert service_matcher(["smtp-relay-2"]) == Matcher.equal("service", "smtp-relay-2")
    several = service_matcher(["a.b", "c|d"])
    assert several.op is MatchOp.RE
    assert several.matches({"service": "a.b"}) and several.matches({"service": "c|d"})
    assert not several.matches({"service": "aXb"}) and not several.matches({"service": "c"})


def test_parse_time_takes_what_operators_type() -> None:
    ref = dt.datetime(2026, 11, 21, 15, 0, tzinfo=dt.UTC).timestamp()
    assert parse_time("90m", ref) == ref + 5400
    assert parse_time("now", ref) == ref
    assert parse_time("16:30", ref) == ref + 5400
    assert parse_time("14:30", ref) == ref + 23.5 * 3600  # passed today: tomorrow's
    assert (
        parse_time("2026-11-22 18:00", ref)
        == dt.datetime(2026, 11, 22, 18, 0, tzinfo=dt.UTC).timestamp()
    )
    for bad, words in [
        ("", "the end is empty"),
        ("25:00", "not a time of day"),
        ("soon", "is not a time"),
        ("90", "is not a time"),
        ("9x", "the end:"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_time(bad, ref, what="the end")
