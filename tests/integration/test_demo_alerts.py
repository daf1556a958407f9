"""The demo's Alertmanager: a real one started and stopped by ``run_demo``, fed the scenario's
alerts by ``AlertFeeder``, and its absence said out loud."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from penguin_tui.alerts.am_client import AlertmanagerClient, AlertmanagerPool
from penguin_tui.alerts.model import Alert, Severity
from penguin_tui.config import load_config
from penguin_tui.config_model import AlertmanagerConfig
from penguin_tui.demo import alertmanager as demo_am
from penguin_tui.demo import episodes as ep
from penguin_tui.demo.alerts_feed import RULES, SILENCE_COMMENT, AlertFeeder, firing
from penguin_tui.demo.runner import run_demo
from penguin_tui.demo.scenario import Scenario
from tests.integration import servers
from tests.integration.platform_fixture import serving_demo

ORIGIN = 1_700_038_800.0
ALWAYS = {"DKIMKeyExpiring", "DiskFilling", "Watchdog"}
DEADLINE_S = 15.0


class FakeClock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def names(alerts: list[Alert]) -> set[str]:
    return {a.alertname for a in alerts}


async def wait_for_alerts(client: AlertmanagerClient, ok, what: str) -> list[Alert]:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        alerts, problems = await client.alerts()
        assert problems == []
        if ok(alerts):
            return alerts
        if time.monotonic() > deadline:
            pytest.fail(f"not within {DEADLINE_S} s: {what}; got {sorted(names(alerts))}")
        await asyncio.sleep(0.1)


# --------------------------------------------------------------------------- the script


def test_script_follows_the_episodes():
    s = Scenario(ORIGIN)
    assert names(firing(s, ORIGIN)) == ALWAYS  # quiet start: only the standing alerts
    latency = next(e for e in ep.LIVE_CYCLE if e.kind == ep.SMTP_LATENCY)
    during = names(firing(s, ORIGIN + latency.start + latency.duration / 2))
    assert during == ALWAYS | {"SMTPRelayLatencyHigh"}
    backlog = next(e for e in ep.LIVE_CYCLE if e.kind == ep.QUEUE_BACKLOG)
    mid = ORIGIN + backlog.start + backlog.duration / 2
    queue = {a.alertname: a for a in firing(s, mid)}
    assert {"SMTPRelayQueueGrowing", "SMTPRelayDeferredHigh"} <= set(queue)
    assert queue["SMTPRelayQueueGrowing"].starts_at == ORIGIN + backlog.start
    assert queue["SMTPRelayQueueGrowing"].annotations["summary"].startswith("Outbound queue at ")
    # Every episode of the live cycle raises something, and it ends with it.
    for episode in ep.LIVE_CYCLE:
        its = {r.alertname for r in RULES if r.kind == episode.kind}
        assert its, episode.title
        assert its <= names(firing(s, ORIGIN + episode.start + episode.duration / 2))
        assert not its & names(firing(s, ORIGIN + episode.end + 1)), episode.title


def test_every_alert_reads_like_a_real_rule():
    alerts = {a.alertname: a for e in ep.LIVE_CYCLE
              for a in firing(Scenario(ORIGIN), ORIGIN + e.start + e.duration / 2)}  # fmt: skip
    assert set(alerts) == {r.alertname for r in RULES}
    for a in alerts.values():
        assert set(a.annotations) == {"summary", "description", "runbook_url"}
        assert a.annotations["runbook_url"].startswith("https://runbooks.")
        assert a.generator_url.startswith("http://prometheus.")
        assert a.labels["env"] == "prod"
        assert a.subject or a.alertname == "Watchdog"  # the service or instance it is about
    assert alerts["Watchdog"].labels["severity"] == "none"
    assert alerts["Watchdog"].severity is Severity.LOW
    assert {a.severity for a in alerts.values()} >= {Severity.CRITICAL, Severity.MEDIUM}


# --------------------------------------------------------------------------- fed to a real one


async def test_feeder_fires_inhibits_silences_and_resolves(tmp_path):
    backlog = next(e for e in ep.LIVE_CYCLE if e.kind == ep.QUEUE_BACKLOG)
    clock = FakeClock(ORIGIN + backlog.start + backlog.duration / 2)
    with servers.alertmanager(tmp_path, config_yaml=demo_am.DEMO_CONFIG) as url:
        async with AlertmanagerClient(url, AlertmanagerConfig(urls=(url,))) as client:
            feeder = AlertFeeder(client, Scenario(ORIGIN), clock)
            wall = time.time()
            fired, resolved = await feeder.feed_once()
            assert (fired, resolved) == (len(ALWAYS) + 2, 0)
            expected = ALWAYS | {"SMTPRelayQueueGrowing", "SMTPRelayDeferredHigh"}
            alerts = await wait_for_alerts(
                client,
                lambda got: (
                    names(got) == expected
                    and all(a.silenced_by or a.inhibited_by or a.am_state == "active" for a in got)
                    and any(a.inhibited_by for a in got)
                    and any(a.silenced_by for a in got)
                ),
                "the backlog's alerts, inhibited and silenced",
            )
            by_name = {a.alertname: a for a in alerts}
            queue = by_name["SMTPRelayQueueGrowing"]
            # The episode began backlog.duration / 2 ago on the platform: so on the wall too.
            assert queue.starts_at == pytest.approx(wall - backlog.duration / 2, abs=2)
            assert queue.ends_at is not None and queue.ends_at > wall
            assert by_name["SMTPRelayDeferredHigh"].inhibited_by == (queue.fingerprint,)
            assert by_name["DiskFilling"].silenced_by == (feeder.silence_id,)
            silences, _ = await client.silences()
            (silence,) = silences
            assert (silence.comment, silence.created_by) == (SILENCE_COMMENT, "demo")

            # The backlog ends: its alerts are resolved, the standing ones stay.
            clock.t = ORIGIN + ep.LIVE_CYCLE_S + 5  # the next cycle, before any episode
            fired, resolved = await feeder.feed_once()
            assert (fired, resolved) == (len(ALWAYS), 2)
            await wait_for_alerts(client, lambda got: names(got) == ALWAYS, "backlog resolved")
            # Once resolved, an alert is not resolved again; the silence is made only once.
            assert await feeder.feed_once() == (len(ALWAYS), 0)
            assert len((await client.silences())[0]) == 1


async def test_feeder_survives_an_alertmanager_that_is_down(tmp_path):
    with servers.alertmanager(tmp_path, config_yaml=demo_am.DEMO_CONFIG) as url:
        pass  # started and stopped: nothing listens there now
    async with AlertmanagerClient(url, AlertmanagerConfig(urls=(url,), timeout_s=1)) as client:
        feeder = AlertFeeder(client, Scenario(ORIGIN), FakeClock(ORIGIN))
        task = asyncio.create_task(feeder.run(interval_s=0.05))
        await asyncio.sleep(0.3)
        assert not task.done()  # failed rounds are logged and retried
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


# --------------------------------------------------------------------------- the demo runner


async def test_demo_runs_a_real_alertmanager_and_stops_it(tmp_path):
    async with serving_demo(tmp_path, history_hours=0.5) as text:
        config_path = Path(text.splitlines()[0].removeprefix("Config: "))
        config = load_config(config_path, explicit=True)
        (url,) = config.alertmanager.urls
        assert f"Alertmanager: {url} (real" in text
        assert config.alertmanager.interval_s == 5.0
        async with AlertmanagerPool(config.alertmanager) as pool:
            deadline = time.monotonic() + DEADLINE_S
            while not names((result := await pool.poll()).alerts) >= ALWAYS:
                assert time.monotonic() < deadline, result
                await asyncio.sleep(0.2)
        assert result.complete and result.statuses[0].version
        assert any(s.comment == SILENCE_COMMENT for s in result.silences)
        # Routed to a receiver named as a team's would be (it has no integrations).
        assert {r for a in result.alerts for r in a.receivers} == {"ops-oncall"}
        home = config_path.parent / "alertmanager"
        assert (home / "data").is_dir()  # its storage lives in the demo's directory
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/-/ready", timeout=2)


async def test_demo_without_alertmanager_says_so(tmp_path, monkeypatch):
    # A machine without the package: neither name is on PATH nor in /usr/bin.
    monkeypatch.setattr(demo_am, "BINARY_NAMES", ("penguin-tui-no-such-alertmanager",))
    async with serving_demo(tmp_path, history_hours=0.5) as text:
        assert (
            "Alertmanager: none (prometheus-alertmanager is not installed (apt-get install "
            "prometheus-alertmanager)); the alerts screen shows local rules alone." in text
        )
        config = load_config(Path(text.splitlines()[0].removeprefix("Config: ")), explicit=True)
        assert config.alertmanager.urls == ()
        assert "[alertmanager]" not in Path(text.splitlines()[0][8:]).read_text()
    assert list(tmp_path.iterdir()) == []


async def test_console_mode_says_when_there_is_no_alertmanager(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_am, "BINARY_NAMES", ("penguin-tui-no-such-alertmanager",))
    out = io.StringIO()

    async def console(config_path: Path, cache_path: Path) -> int:
        return 0

    assert await run_demo(True, console, out=out, base_dir=tmp_path, history_hours=0.5) == 0
    assert "local rules alone" in out.getvalue()


async def test_an_alertmanager_that_dies_at_start_is_reported(tmp_path):
    with pytest.raises(demo_am.AlertmanagerUnavailable, match="exited at start-up"):
        await demo_am.start_alertmanager(tmp_path, binary="/bin/false")


async def test_sigterm_stops_the_demos_alertmanager(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    code = "import asyncio, sys; from penguin_tui.demo.runner import run_demo; "
    code += "sys.exit(asyncio.run(run_demo(False, history_hours=0.5)))"
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        first = await asyncio.to_thread(proc.stdout.readline)
        assert first.startswith("Config: "), first
        children = psutil.Process(proc.pid).children(recursive=True)
        (am,) = [c for c in children if "alertmanager" in c.cmdline()[0]]
        assert am.is_running()
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.to_thread(proc.communicate, timeout=30)
    assert proc.returncode == 0, rest
    assert not am.is_running() or am.status() == psutil.STATUS_ZOMBIE
    assert list(tmp_path.iterdir()) == []
