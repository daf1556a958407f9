"""The recorder's alert loop end to end: a real Recorder, a real SQLite cache, a real
Alertmanager 0.25, and a loopback HTTP target whose health and /metrics the test changes.

Covers: alerts posted to Alertmanager reach the cache; Alertmanager killed -> source down,
alerts kept and marked stale (nothing resolved); started again -> fresh; a local rule fires,
is recorded and logged, and push_local makes it appear in Alertmanager with the same
fingerprint, resolved there when it ends.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from penguin_tui.alerts import alert_recorder
from penguin_tui.alerts.am_time import parse_time
from penguin_tui.alerts.fingerprint import fingerprint
from penguin_tui.alerts.model import Alert, AlertSource, SourceStatus
from penguin_tui.config import parse_config
from penguin_tui.recorder import Recorder
from penguin_tui.store import Store
from tests.integration import servers
from tests.integration.hostile_server import HostileServer
from tests.integration.polling import eventually


class AlertmanagerProcess:
    """A real Alertmanager that can be killed and started again on the same port (the
    ``servers.alertmanager`` context manager picks a new port each time)."""

    def __init__(self, workdir: Path) -> None:
        self.exe = servers.binary("prometheus-alertmanager", "prometheus-alertmanager")
        self.port = servers.free_port()
        self.home = workdir / f"alertmanager-{self.port}"
        self.home.mkdir(parents=True)
        (self.home / "alertmanager.yml").write_text(servers.ALERTMANAGER_CONFIG)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.exe, f"--config.file={self.home / 'alertmanager.yml'}",
             f"--storage.path={self.home / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}",
             "--cluster.listen-address=", "--log.level=error"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        # Off the event loop: the recorder under test keeps running meanwhile.
        await asyncio.to_thread(servers._wait_ready, self.proc, f"{self.url}/-/ready", "AM")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
async def am(tmp_path: Path) -> AsyncIterator[AlertmanagerProcess]:
    process = AlertmanagerProcess(tmp_path)
    await process.start()
    try:
        yield process
    finally:
        process.kill()


@pytest.fixture
async def target() -> AsyncIterator[HostileServer]:
    async with HostileServer() as server:
        server.routes["/health"] = (200, "text/plain", b"ok")
        server.metrics_text = "penguinmails_bounce_rate 1.5\n"
        yield server


class RunningRecorder:
    """A Recorder running on this event loop, and a second connection to read its cache."""

    def __init__(self, config_text: str, cache: Path) -> None:
        self.config = parse_config(config_text)
        self.recorder = Recorder(self.config, cache, role="console")
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.cache = cache
        self.store: Store | None = None

    async def __aenter__(self) -> RunningRecorder:
        self.task = asyncio.create_task(self.recorder.run(self.stop))
        await asyncio.wait_for(self.recorder.wait_ready(), 20)
        self.store = Store.open(self.cache, readonly=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, 30)
        if self.store is not None:
            self.store.close()

    async def alerts(self) -> dict[str, Alert]:
        """Every alert in the cache (active and resolved), by alertname."""
        assert self.store is not None
        _, alerts = await asyncio.to_thread(self.store.alerts_since, 0, resolved_after=0)
        return {a.alertname: a for a in alerts}

    async def sources(self) -> dict[str, SourceStatus]:
        assert self.store is not None
        return {s.name: s for s in await asyncio.to_thread(self.store.alert_sources)}


async def am_alerts(url: str) -> dict[str, dict[str, Any]]:
    """What Alertmanager itself holds (active alerts), by alertname, read with plain httpx."""
    async with httpx.AsyncClient(timeout=5) as http:
        resp = await http.get(f"{url}/api/v2/alerts")
    resp.raise_for_status()
    return {a["labels"]["alertname"]: a for a in resp.json()}


BASE = """\
[host]
enabled = false

[alertmanager]
urls = ["{am}"]
interval = "1s"
timeout = "2s"
push_local = true
"""

RULES = """\
[[check]]
name = "api"
url = "{target}/health"
interval = "1s"
timeout = "500ms"
failure_threshold = 1

[[metric]]
name = "bounce_rate"
title = "Bounce rate"
unit = "%"
scrape = "{target}/metrics"
series = "penguinmails_bounce_rate"
interval = "1s"
timeout = "500ms"

[[rule]]
name = "ApiDown"
kind = "state"
item = "api"
status = "CRIT"
severity = "critical"
runbook_url = "https://wiki.example/runbooks/api"

[[rule]]
name = "HighBounceRate"
kind = "threshold"
item = "bounce_rate"
above = 5
for = "2s"
labels = {{ team = "deliverability" }}
summary = "{{name}} at {{value}} (over {{threshold}} for {{for}})"
"""


async def test_alertmanager_alerts_reach_the_cache_and_survive_an_outage(
    am: AlertmanagerProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="penguin_tui.alerts")
    await servers.post_alert(am.url, {"alertname": "DiskFull", "service": "db"}, "disk 97% full")
    async with RunningRecorder(BASE.format(am=am.url), tmp_path / "cache.db") as rec:
        found = await eventually(rec.alerts, lambda a: "DiskFull" in a, "DiskFull in the cache")
        disk = found["DiskFull"]
        assert disk.source is AlertSource.ALERTMANAGER
        assert disk.origins == (am.url,)
        assert disk.summary == "disk 97% full"
        assert (disk.stale, disk.resolved_at) == (False, None)
        assert disk.first_seen is not None
        assert (await rec.sources())[am.url].ok
        assert "alert firing: DiskFull db (low)" in caplog.messages

        am.kill()
        sources = await eventually(
            rec.sources, lambda s: not s[am.url].ok, "the source marked down"
        )
        assert sources[am.url].down_since is not None
        assert sources[am.url].error
        kept = await eventually(rec.alerts, lambda a: a["DiskFull"].stale, "DiskFull stale")
        await asyncio.sleep(2.5)  # a few more failed polls: still kept, never resolved
        kept = await rec.alerts()
        assert kept["DiskFull"].resolved_at is None and kept["DiskFull"].stale
        assert rec.store is not None
        history = rec.store.alert_history(disk.fingerprint)
        assert [c.new for c in history] == ["firing"]
        assert any("unreachable" in m for m in caplog.messages)

        await am.start()  # same port; Alertmanager keeps no alerts across restarts
        await servers.post_alert(
            am.url, {"alertname": "DiskFull", "service": "db"}, "disk 98% full"
        )
        fresh = await eventually(
            rec.alerts,
            lambda a: (
                not a["DiskFull"].stale
                and a["DiskFull"].resolved_at is None
                and a["DiskFull"].summary == "disk 98% full"
            ),
            "DiskFull fresh again",
        )
        assert fresh["DiskFull"].fingerprint == disk.fingerprint
        sources = await rec.sources()
        assert sources[am.url].ok and sources[am.url].down_since is None
        assert any("reachable again" in m for m in caplog.messages)


async def test_local_rules_fire_are_recorded_and_pushed_to_alertmanager(
    am: AlertmanagerProcess,
    target: HostileServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="penguin_tui.alerts")
    # Pushed alerts end 60 intervals ahead instead of 4: only an explicit resolved push can
    # make Alertmanager drop them within this test.
    monkeypatch.setattr(alert_recorder, "PUSH_ENDS_AFTER", 60)
    text = BASE.format(am=am.url) + RULES.format(target=target.url(""))
    async with RunningRecorder(text, tmp_path / "cache.db") as rec:
        await asyncio.sleep(3)  # healthy: several polls, no local alert
        assert [a for a in (await rec.alerts()).values() if a.source is AlertSource.LOCAL] == []

        broke_at = time.time()
        target.routes["/health"] = (503, "text/plain", b"down")
        target.metrics_text = "penguinmails_bounce_rate 9.25\n"
        found = await eventually(
            rec.alerts,
            lambda a: {"ApiDown", "HighBounceRate"} <= set(a),
            "both local alerts in the cache",
        )
        api, bounce = found["ApiDown"], found["HighBounceRate"]
        assert api.source is AlertSource.LOCAL and api.origins == ("local",)
        assert api.labels == {
            "alertname": "ApiDown",
            "severity": "critical",
            "service": "api",
            "item": "check:api",
            "source": "penguin-tui",
        }
        assert api.fingerprint == fingerprint(api.labels)
        assert api.summary == "api is CRIT"
        assert api.annotations["runbook_url"] == "https://wiki.example/runbooks/api"
        assert api.starts_at is not None and api.starts_at >= broke_at - 1
        assert bounce.labels["team"] == "deliverability"
        assert bounce.summary == "Bounce rate at 9.25% (over 5% for 2s)"
        assert bounce.starts_at is not None and bounce.starts_at >= broke_at - 1
        assert "alert firing: ApiDown api (critical)" in caplog.messages

        # push_local: Alertmanager holds them under the very same fingerprints.
        held = await eventually(
            lambda: am_alerts(am.url),
            lambda a: {"ApiDown", "HighBounceRate"} <= set(a),
            "local alerts pushed to Alertmanager",
        )
        assert held["ApiDown"]["fingerprint"] == api.fingerprint
        assert held["HighBounceRate"]["fingerprint"] == bounce.fingerprint
        assert held["ApiDown"]["labels"] == api.labels
        assert held["ApiDown"]["annotations"]["summary"] == "api is CRIT"
        ends_at = parse_time(held["ApiDown"]["endsAt"])
        starts_at = parse_time(held["ApiDown"]["startsAt"])
        assert ends_at is not None and starts_at is not None
        assert 50 < ends_at - time.time() <= 61  # endsAt = now + 60 x the 1 s interval
        assert abs(starts_at - api.starts_at) < 0.01
        # The echo from Alertmanager does not make a second copy or take the alert over.
        await asyncio.sleep(2)
        again = await rec.alerts()
        assert again["ApiDown"].source is AlertSource.LOCAL
        assert sum(1 for a in again.values() if a.alertname == "ApiDown") == 1

        target.routes["/health"] = (200, "text/plain", b"ok")
        target.metrics_text = "penguinmails_bounce_rate 1.0\n"
        ended = await eventually(
            rec.alerts,
            lambda a: (
                a["ApiDown"].resolved_at is not None and a["HighBounceRate"].resolved_at is not None
            ),
            "local alerts resolved in the cache",
        )
        assert ended["ApiDown"].source is AlertSource.LOCAL
        # Resolved in Alertmanager too (endsAt now), not left to expire.
        await eventually(
            lambda: am_alerts(am.url),
            lambda a: not {"ApiDown", "HighBounceRate"} & set(a),
            "local alerts resolved in Alertmanager",
        )
        assert rec.store is not None
        history = [c.new for c in rec.store.alert_history(api.fingerprint)]
        assert history == ["firing", "resolved"]
        assert "alert resolved: ApiDown api (critical)" in caplog.messages


LOCAL_ONLY = """\
[host]
enabled = false

[[check]]
name = "api"
url = "{target}/health"
interval = "1s"
timeout = "500ms"

[[check]]
name = "smtp"
url = "{target}/smtp"
interval = "20s"
timeout = "1s"
failure_threshold = 1

[[rule]]
name = "ItemDown"
kind = "state"
item = "*"
status = "CRIT"
for = "1s"
"""


async def test_a_restarted_recorder_continues_local_alerts_without_churn(
    target: HostileServer, tmp_path: Path
) -> None:
    target.routes["/smtp"] = (503, "text/plain", b"down")
    text = LOCAL_ONLY.format(target=target.url(""))
    cache = tmp_path / "cache.db"
    async with RunningRecorder(text, cache) as rec:
        found = await eventually(rec.alerts, lambda a: "ItemDown" in a, "ItemDown fired")
    first = found["ItemDown"]
    assert first.labels["service"] == "smtp"
    hits = target.stats.hits["/smtp"]
    # The next recorder reads api every second but smtp only up to 10 s after it started:
    # until a reading confirms smtp's status, its alert is neither resolved nor re-opened.
    async with RunningRecorder(text, cache) as rec:
        await eventually(
            lambda: asyncio.sleep(0, target.stats.hits["/smtp"]),
            lambda n: n > hits,
            "the new recorder's first smtp probe",
        )
        await asyncio.sleep(2.5)  # two flushes and a for = 1s later
        again = (await rec.alerts())["ItemDown"]
        assert rec.store is not None
        history = [c.new for c in rec.store.alert_history(first.fingerprint)]
    assert history == ["firing"]
    assert again.resolved_at is None
    assert again.starts_at == first.starts_at  # the cache's since carried "for" over
    assert again.first_seen == first.first_seen


async def test_a_missing_password_file_marks_the_source_down_and_says_why(
    am: AlertmanagerProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "am-password"
    text = BASE.format(am=am.url) + f'username = "penguin"\npassword_file = "{missing}"\n'
    async with RunningRecorder(text, tmp_path / "cache.db") as rec:
        sources = await eventually(rec.sources, lambda s: am.url in s, "the source recorded")
        status = sources[am.url]
        assert not status.ok and str(missing) in status.error
        await asyncio.sleep(2.5)  # more attempts, each failing the same way
        # Created later (as a deploy would): the next interval polls with it.
        missing.write_text("s3cret\n")
        await eventually(rec.sources, lambda s: s[am.url].ok, "polled once the file exists")
    assert sum("Alertmanager not polled" in m for m in caplog.messages) == 1  # not every second
    assert not any("s3cret" in m for m in caplog.messages)
