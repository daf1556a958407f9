"""The demo platform for real: loopback servers, the real poller and store, the runner's cleanup.

The platform's clock is injected, so a test puts it at any instant of the scenario; health
endpoints get a sleep that records instead of waiting, except where the real delay is the
point of the test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from penguin_tui.config import load_config, parse_config
from penguin_tui.config_model import HostConfig
from penguin_tui.demo import episodes as ep
from penguin_tui.demo.config import demo_config, demo_config_toml
from penguin_tui.demo.history import generate_history, prefill
from penguin_tui.demo.platform import DemoPlatform
from penguin_tui.demo.runner import run_demo
from penguin_tui.demo.scenario import SERVICES, Scenario
from penguin_tui.model import EventKind, Status
from penguin_tui.poller import Poller
from penguin_tui.store import Store
from tests.integration.platform_fixture import serving_demo

# 2023-11-15 09:00:00 UTC, a multiple of 30 s: every item's interval grid (5, 10, 15 s)
# lands on the instants used below, so history and live polls can be compared one to one.
ORIGIN = 1_700_038_800.0
CYCLE = ep.LIVE_CYCLE_S
H = 3600.0


class FakeClock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
async def platform():
    clock = FakeClock(ORIGIN + 15)
    sleep = RecordingSleep()
    p = DemoPlatform(clock=clock, origin=ORIGIN, sleep=sleep, sync_interval=3600)
    await p.start()
    p.test_clock, p.test_sleep = clock, sleep  # type: ignore[attr-defined]
    yield p
    await p.stop()


async def _connect(url: str) -> bool:
    host, port = url.removeprefix("tcp://").split(":")
    try:
        _, writer = await asyncio.open_connection(host, int(port))
    except ConnectionRefusedError:
        return False
    writer.close()
    return True


async def test_every_service_answers_on_its_own_free_port(platform: DemoPlatform) -> None:
    urls = platform.urls
    assert set(urls) == {*SERVICES, "postgres", "redis"}
    ports = {int(u.rsplit(":", 1)[1]) for u in urls.values()}
    assert len(ports) == 6 and 0 not in ports
    async with httpx.AsyncClient() as client:
        for service in SERVICES:
            r = await client.get(platform.health_url(service))
            assert r.status_code == 200
            body = r.json()
            assert body["status"] == "ok" and body["version"] and body["latency_ms"] > 0
        assert (await client.get(f"{urls['api']}/nope")).status_code == 404
        assert (await client.post(platform.health_url("api"))).status_code == 405
        assert (await client.get(f"{urls['smtp-relay']}/metrics")).status_code == 404
    assert await _connect(urls["postgres"]) and await _connect(urls["redis"])
    # Each health answer waited exactly the latency it reported.
    sleep = platform.test_sleep  # type: ignore[attr-defined]
    assert len(sleep.delays) == 4


async def test_health_really_waits_out_its_latency() -> None:
    clock = FakeClock(ORIGIN + 33)  # smtp-relay's latency spike, just begun
    async with DemoPlatform(clock=clock, origin=ORIGIN) as p, httpx.AsyncClient() as client:
        started = time.perf_counter()
        body = (await client.get(p.health_url("smtp-relay"))).json()
        took = time.perf_counter() - started
    assert body["latency_ms"] > 150
    assert took >= body["latency_ms"] / 1000


async def test_episodes_show_at_their_scripted_times(platform: DemoPlatform) -> None:
    clock: FakeClock = platform.test_clock  # type: ignore[attr-defined]
    urls = platform.urls
    base = ORIGIN + 3 * CYCLE  # the fourth loop: the cycle repeats
    async with httpx.AsyncClient() as client:

        async def health(service: str) -> tuple[int, dict]:
            r = await client.get(platform.health_url(service))
            return r.status_code, r.json()

        clock.t = base + 105
        code, body = await health("smtp-relay")
        assert code == 200 and body["status"] == "degraded" and body["latency_ms"] > 1000

        clock.t = base + 405
        code, body = await health("webhook-dispatcher")
        assert (code, body["status"]) == (503, "down")
        clock.t = base + 430
        assert (await health("webhook-dispatcher"))[0] == 200

        clock.t = base + 605
        stats = (await client.get(platform.stats_url)).json()
        assert stats["queue"]["depth"] > 20000

        clock.t = base + 690
        await platform.sync()
        assert not await _connect(urls["redis"])  # connection refused, not a hang
        assert await _connect(urls["postgres"])
        clock.t = base + 715
        await platform.sync()
        assert await _connect(urls["redis"])  # back, on the same port

        clock.t = ORIGIN - 2.1 * H + 60  # the overnight postgres failover
        await platform.sync()
        assert not await _connect(urls["postgres"])
        assert (await health("api"))[1]["status"] == "degraded"


async def test_the_background_sync_follows_the_clock_by_itself() -> None:
    clock = FakeClock(ORIGIN + 15)
    async with DemoPlatform(clock=clock, origin=ORIGIN, sync_interval=0.01) as p:
        assert await _connect(p.urls["redis"])
        clock.t = ORIGIN + 690
        async with asyncio.timeout(5):
            while await _connect(p.urls["redis"]):
                await asyncio.sleep(0.01)


async def test_metrics_parse_and_match_the_scenario(platform: DemoPlatform) -> None:
    clock: FakeClock = platform.test_clock  # type: ignore[attr-defined]
    clock.t = ORIGIN + 600
    async with httpx.AsyncClient() as client:
        r = await client.get(platform.metrics_url)
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }
    expected = platform.scenario.counters(clock.t)
    assert samples[("penguinmails_emails_sent_total", ())] == expected.sent
    assert samples[("penguinmails_emails_bounced_total", (("type", "hard"),))] > 0
    assert samples[("penguinmails_queue_depth", (("queue", "outbound"),))] > 20000
    assert samples[("penguinmails_api_request_duration_seconds_count", ())] > 0
    assert samples[("penguinmails_api_requests_total", (("code", "503"),))] > 0


async def test_stats_carry_every_figure_of_the_demo_config(platform: DemoPlatform) -> None:
    async with httpx.AsyncClient() as client:
        stats = (await client.get(platform.stats_url)).json()
    for metric in demo_config(platform).metrics:
        if metric.source == "json":
            section, name = metric.field.split(".")
            assert isinstance(stats[section][name], int | float), metric.field


async def test_demo_config_loads_with_the_real_loader(
    platform: DemoPlatform, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(demo_config_toml(platform))
    loaded = load_config(path, explicit=True)
    typed = demo_config(platform)
    assert loaded.checks == typed.checks
    assert loaded.metrics == typed.metrics
    sections = {i.section for i in loaded.items()}
    assert sections == {"Services", "Databases", "API", "Email deliverability", "Support"}
    assert all(5 <= i.interval_s <= 15 for i in loaded.items())
    assert {m.name for m in loaded.metrics if m.source == "scrape"} == {
        "queue_depth",
        "logins_per_hour",
    }


async def test_the_real_poller_sees_what_the_history_says(platform: DemoPlatform) -> None:
    """History readings at t and a live poll at t agree: same statuses, reasons and values."""
    clock: FakeClock = platform.test_clock  # type: ignore[attr-defined]
    config = dataclasses.replace(
        parse_config(demo_config_toml(platform)), host=HostConfig(enabled=False)
    )
    base = ORIGIN + 2 * CYCLE
    # Quiet, webhook-dispatcher down (503), queue backlog, redis refused.
    for t in (base + 30, base + 420, base + 600, base + 690):
        clock.t = t
        await platform.sync()

        async def discard(batch) -> None:
            return None

        live = {r.key: r for r in (await Poller(config, discard, clock=clock).poll_once()).readings}
        past = {
            r.key: r
            for b in generate_history(config, platform.scenario, t, t + 1)
            for r in b.readings
        }
        assert set(past) == set(live)
        for key, was in past.items():
            if key == "metric:logins_per_hour":
                continue  # a live rate needs two polls; history has the poll before
            now = live[key]
            assert (now.status, now.probe_ok) == (was.status, was.probe_ok), (t - base, key)
            if key.startswith("check:"):
                assert now.reason == was.reason, (t - base, key)
            else:
                assert now.value == pytest.approx(was.value), (t - base, key)
    redis = live["check:redis"]
    assert not redis.probe_ok and redis.reason.startswith("connection refused")


async def test_prefill_writes_a_night_with_its_episodes(tmp_path: Path) -> None:
    now = ORIGIN
    scenario = Scenario(now)

    class Urls:
        urls = {s: f"http://127.0.0.1:{9000 + i}" for i, s in enumerate(SERVICES)}
        urls |= {"postgres": "tcp://127.0.0.1:9100", "redis": "tcp://127.0.0.1:9101"}

    config = demo_config(Urls())
    cache = tmp_path / "cache.db"
    stats = await asyncio.to_thread(prefill, cache, config, scenario, now)
    assert stats.samples > 80_000 and stats.events >= 10

    with Store.open(cache, readonly=True) as store:
        assert store.writer() is None  # the prefill let go of the lock
        assert {i.key for i in store.items()} >= {i.key for i in config.items()}
        states = store.states()
        assert all(states[i.key].status is Status.OK for i in config.items())
        assert all(now - 20 <= states[i.key].checked_at < now for i in config.items())

        events = store.events(now - 12 * H, now)
        assert min(e.ts for e in events) >= now - 12 * H

        def flips(key: str, new: Status) -> list[float]:
            return [e.ts for e in events if e.key == key and e.new is new]

        smtp_down = now - 8.25 * H
        assert [e.kind for e in events if e.key == "check:smtp-relay"] == [EventKind.STATE] * 2
        # Down from smtp_down on: CRIT after two failed probes 10 s apart, so within 20 s.
        assert smtp_down < flips("check:smtp-relay", Status.CRIT)[0] <= smtp_down + 20
        assert flips("check:smtp-relay", Status.OK)[0] == pytest.approx(smtp_down + 14 * 60, abs=10)
        assert flips("check:postgres", Status.CRIT)[0] <= now - 2.1 * H + 20
        assert flips("metric:queue_depth", Status.CRIT)
        climb = now - 4.6 * H
        assert climb < flips("metric:bounce_rate", Status.CRIT)[0] < climb + 35 * 60
        assert not flips("check:webhook-dispatcher", Status.CRIT)  # no flapping at night

        uptime = store.uptime("check:smtp-relay", now - 12 * H, now)
        assert uptime == pytest.approx(1 - 14 * 60 / (12 * H), abs=0.002)
        (_, low), (_, high) = store.extremes("metric:queue_depth", now - 12 * H, now)
        assert low < 1500 and high > 20000
        assert 100 <= len(store.points("metric:bounce_rate", now - 12 * H, now, 500)) <= 500


# -- the runner -----------------------------------------------------------------------------


def _run_demo_process(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    code = "import asyncio, sys; from penguin_tui.demo.runner import run_demo; "
    code += "sys.exit(asyncio.run(run_demo(False)))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # blocks until the demo is up (or the process died)
    assert first.startswith("Config: "), first
    return proc, Path(first.removeprefix("Config: ").strip())


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["SIGTERM", "SIGINT", "SIGHUP"]
)
async def test_no_console_serves_then_leaves_nothing_behind(tmp_path: Path, sig: int) -> None:
    proc, config_path = await asyncio.to_thread(_run_demo_process, tmp_path)
    try:
        assert config_path.parent.parent == tmp_path
        assert (config_path.parent / "cache.db").is_file()
        config = load_config(config_path, explicit=True)
        async with httpx.AsyncClient() as client:
            r = await client.get(config.checks[0].url)
        assert r.json()["status"] in ("ok", "degraded", "down")
    finally:
        proc.send_signal(sig)
        rest, _ = await asyncio.to_thread(proc.communicate, timeout=20)
    assert proc.returncode == 0, rest
    assert list(tmp_path.iterdir()) == []


async def test_console_callback_gets_config_and_cache_then_all_is_removed(tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    async def console(config_path: Path, cache_path: Path) -> int:
        config = load_config(config_path, explicit=True)
        with Store.open(cache_path, readonly=True) as store:
            seen["events"] = len(store.events(0))
            seen["writer"] = store.writer()
        async with httpx.AsyncClient() as client:
            seen["api"] = (await client.get(config.checks[0].url)).status_code
        seen["dir"] = config_path.parent
        return 3

    code = await run_demo(True, console, base_dir=tmp_path, history_hours=3)
    assert code == 3  # the console's exit code is the demo's
    assert seen["api"] == 200 and seen["events"] and seen["writer"] is None
    assert not Path(seen["dir"]).exists()  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


async def test_a_failing_console_still_leaves_nothing_behind(tmp_path: Path) -> None:
    async def console(config_path: Path, cache_path: Path) -> None:
        raise RuntimeError("console crashed")

    with pytest.raises(RuntimeError, match="console crashed"):
        await run_demo(True, console, base_dir=tmp_path, history_hours=1)
    assert list(tmp_path.iterdir()) == []


async def test_no_console_prints_the_config_path_and_stops_on_request(tmp_path: Path) -> None:
    async with serving_demo(tmp_path) as text:
        config_path = Path(text.splitlines()[0].removeprefix("Config: "))
        assert config_path.is_file() and "penguin-tui check --config" in text
    assert list(tmp_path.iterdir()) == []


async def test_console_mode_needs_a_console() -> None:
    with pytest.raises(ValueError, match="run_console"):
        await run_demo(True)
