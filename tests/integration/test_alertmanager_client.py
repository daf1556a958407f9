"""am_client against a real Alertmanager 0.25 (Debian ``prometheus-alertmanager``) and against
a loopback server that answers what no Alertmanager would.

Alerts and silences are written and read through Alertmanager's raw API with plain httpx as
well, so the client is checked against what the server really holds, not against itself.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from penguin_tui.alerts.am_client import (
    STATUS_EVERY,
    AlertmanagerClient,
    AlertmanagerError,
    AlertmanagerPool,
    PollResult,
)
from penguin_tui.alerts.am_parse import MAX_LABEL_VALUE
from penguin_tui.alerts.am_time import parse_time
from penguin_tui.alerts.fingerprint import fingerprint
from penguin_tui.alerts.matchers import Matcher, MatchOp
from penguin_tui.alerts.model import Alert, SilenceDraft, SilenceState
from penguin_tui.config_model import AlertmanagerConfig
from tests.integration import servers
from tests.integration.hostile_server import HostileServer, refusing_port
from tests.integration.polling import eventually
from tests.unit.test_fingerprint import KNOWN

# --------------------------------------------------------------------------- helpers


@pytest.fixture
def am_url(tmp_path: Path) -> Iterator[str]:
    with servers.alertmanager(tmp_path) as url:
        yield url


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    async with HostileServer() as s:
        yield s


def config(*urls: str, **kw: Any) -> AlertmanagerConfig:
    kw.setdefault("timeout_s", 5.0)
    return AlertmanagerConfig(urls=urls, **kw)


async def raw(method: str, url: str, **kw: Any) -> Any:
    """Alertmanager's API without our client: what the server really holds."""
    async with httpx.AsyncClient(timeout=10) as http:
        resp = await http.request(method, url, **kw)
    resp.raise_for_status()
    return resp.json() if resp.content else None


async def post_raw(am: str, *alerts: dict[str, Any]) -> None:
    await raw("POST", f"{am}/api/v2/alerts", json=list(alerts))


def by_name(alerts: list[Alert]) -> dict[str, Alert]:
    return {a.alertname: a for a in alerts}


async def alerts_named(client: AlertmanagerClient, *names: str) -> dict[str, Alert]:
    async def probe() -> dict[str, Alert]:
        alerts, problems = await client.alerts()
        assert problems == []
        return by_name(alerts)

    return await eventually(probe, lambda got: set(names) <= set(got), f"alerts {names}")


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".000Z"


# --------------------------------------------------------------------------- real Alertmanager


async def test_every_field_is_read(am_url):
    now = time.time()
    labels = {"alertname": "QueueGrowing", "service": "smtp-relay", "severity": "critical"}
    annotations = {"summary": "Queue at 25k", "runbook_url": "https://runbooks/queue"}
    await post_raw(
        am_url,
        {
            "labels": labels,
            "annotations": annotations,
            "startsAt": iso(now - 120),
            "endsAt": iso(now + 3600),
            "generatorURL": "http://prometheus:9090/graph?g0.expr=queue",
        },
    )
    async with AlertmanagerClient(am_url, config(am_url)) as client:
        a = (await alerts_named(client, "QueueGrowing"))["QueueGrowing"]
        status = await client.status()
    (held,) = await raw("GET", f"{am_url}/api/v2/alerts")
    assert a.fingerprint == held["fingerprint"] == fingerprint(labels)
    assert dict(a.labels) == labels
    assert dict(a.annotations) == annotations
    assert a.starts_at == pytest.approx(int(now - 120), abs=0.001)
    assert a.ends_at == pytest.approx(int(now + 3600), abs=0.001)
    assert a.updated_at == parse_time(held["updatedAt"])
    assert a.updated_at is not None and a.updated_at >= now - 5
    assert a.generator_url == "http://prometheus:9090/graph?g0.expr=queue"
    assert a.receivers == ("null",)
    assert (a.am_state, a.silenced_by, a.inhibited_by, a.muted_by) == ("active", (), (), ())
    assert a.origins == (am_url,)
    assert status["version"] == "0.25.0"
    assert status["cluster"] == "disabled"


async def test_our_fingerprint_is_alertmanagers(am_url):
    sets = [labels for labels, _ in KNOWN]
    await post_raw(am_url, *({"labels": labels} for labels in sets))

    async def held() -> list[dict[str, Any]]:
        return await raw("GET", f"{am_url}/api/v2/alerts")

    items = await eventually(held, lambda got: len(got) == len(sets), "every label set")
    reported = {json.dumps(i["labels"], sort_keys=True): i["fingerprint"] for i in items}
    for labels, pinned in KNOWN:
        assert reported[json.dumps(labels, sort_keys=True)] == fingerprint(labels) == pinned


async def test_silence_created_and_expired(am_url):
    now = time.time()
    await post_raw(am_url, {"labels": {"alertname": "DiskFilling", "service": "db-1"}})
    draft = SilenceDraft(
        matchers=(
            Matcher.equal("alertname", "DiskFilling"),
            Matcher("service", MatchOp.RE, "db-[0-9]+"),
            Matcher("team", MatchOp.NE, "other"),
        ),
        starts_at=now,
        ends_at=now + 2 * 3600,
        created_by="alice",
        comment="resizing the volume\nticket OPS-42",
    )
    async with AlertmanagerPool(config(am_url)) as pool:
        sid = await pool.create_silence(draft)
        held = await raw("GET", f"{am_url}/api/v2/silence/{sid}")
        assert held["createdBy"] == "alice"
        assert held["comment"] == "resizing the volume\nticket OPS-42"
        assert held["status"]["state"] == "active"
        assert parse_time(held["endsAt"]) == pytest.approx(now + 7200, abs=0.002)
        assert tuple(Matcher.from_api(m) for m in held["matchers"]) == draft.matchers

        # The alert now says which silence holds it; the poll lists the silence.
        result = await eventually(
            pool.poll,
            lambda r: r.alerts and r.alerts[0].silenced_by == (sid,),
            "alert silenced",
        )
        (alert,) = result.alerts
        assert alert.am_state == "suppressed"
        (silence,) = result.silences
        assert (silence.id, silence.state, silence.created_by) == (sid, "active", "alice")
        assert silence.matchers == draft.matchers
        assert silence.matches(alert.labels)

        await pool.expire_silence(sid)
        held = await raw("GET", f"{am_url}/api/v2/silence/{sid}")
        assert held["status"]["state"] == "expired"
        await pool.expire_silence(sid)  # again: already expired is done, not an error
        result = await eventually(
            pool.poll, lambda r: r.alerts and not r.alerts[0].silenced_by, "silence lifted"
        )
        assert result.silences[0].state is SilenceState.EXPIRED


async def test_users_mistake_is_raised_at_once(am_url, hostile):
    now = time.time()
    # Alertmanager refuses a silence whose matchers all match the empty string.
    draft = SilenceDraft((Matcher("team", MatchOp.RE, ".*"),), now, now + 60, "bob", "oops")
    second = hostile.url("")
    async with AlertmanagerPool(config(am_url, second)) as pool:
        with pytest.raises(AlertmanagerError) as err:
            await pool.create_silence(draft)
    assert err.value.status == 400
    assert str(err.value).startswith(f"{am_url}: HTTP 400: ")
    assert "matcher" in str(err.value)
    assert hostile.stats.requests == []  # the second Alertmanager was not asked


async def test_unreachable_alertmanager_is_skipped_for_actions(am_url):
    sock, port = refusing_port()
    now = time.time()
    draft = SilenceDraft((Matcher.equal("alertname", "X"),), now, now + 60, "bob", "c")
    with sock:
        async with AlertmanagerPool(config(f"http://127.0.0.1:{port}", am_url)) as pool:
            sid = await pool.create_silence(draft)
            assert (await raw("GET", f"{am_url}/api/v2/silence/{sid}"))["id"] == sid
            await pool.expire_silence(sid)
    held = await raw("GET", f"{am_url}/api/v2/silence/{sid}")
    assert held["status"]["state"] == "expired"


async def test_inhibited_alert_names_its_inhibitor(am_url):
    critical = {"alertname": "RelayDown", "service": "smtp-relay", "severity": "critical"}
    warning = {"alertname": "QueueSlow", "service": "smtp-relay", "severity": "warning"}
    other = {"alertname": "QueueSlow", "service": "webhooks", "severity": "warning"}
    await post_raw(am_url, *({"labels": labels} for labels in (critical, warning, other)))

    async def inhibited() -> dict[str, Alert]:
        alerts, _ = await client.alerts()
        return {a.labels["service"] + a.alertname: a for a in alerts}

    async with AlertmanagerClient(am_url, config(am_url)) as client:
        got = await eventually(
            inhibited,
            lambda g: len(g) == 3 and g["smtp-relayQueueSlow"].inhibited_by,
            "warning inhibited",
        )
    assert got["smtp-relayQueueSlow"].inhibited_by == (fingerprint(critical),)
    assert got["smtp-relayQueueSlow"].am_state == "suppressed"
    assert got["webhooksQueueSlow"].inhibited_by == ()
    assert got["smtp-relayRelayDown"].inhibited_by == ()


async def test_ha_pair_is_merged(tmp_path):
    with (
        servers.alertmanager(tmp_path) as am_a,
        servers.alertmanager(tmp_path) as am_b,
    ):
        await post_raw(am_a, {"labels": {"alertname": "OnlyA"}})
        await post_raw(am_b, {"labels": {"alertname": "OnlyB"}})
        async with AlertmanagerPool(config(am_a, am_b)) as pool:
            shared = Alert(
                fingerprint="",
                labels={"alertname": "Shared", "severity": "critical"},
                annotations={"summary": "on both"},
            )
            await pool.post_alerts([shared])  # to every URL, as Prometheus does
            # A silence known to one instance only (gossip has not carried it yet).
            now = time.time()
            sid = await AlertmanagerClient(am_b, config(am_b)).create_silence(
                SilenceDraft((Matcher.equal("alertname", "Shared"),), now, now + 60, "b", "c")
            )
            result = await eventually(
                pool.poll,
                lambda r: len(r.alerts) == 3 and by_name(r.alerts)["Shared"].silenced_by,
                "three alerts, Shared silenced",
            )
    assert result.complete
    assert [s.ok for s in result.statuses] == [True, True]
    assert [s.name for s in result.statuses] == [am_a, am_b]
    alerts = by_name(result.alerts)
    assert alerts["OnlyA"].origins == (am_a,)
    assert alerts["OnlyB"].origins == (am_b,)
    assert alerts["Shared"].origins == (am_a, am_b)
    assert alerts["Shared"].silenced_by == (sid,)
    assert alerts["Shared"].am_state == "suppressed"
    assert alerts["Shared"].fingerprint == fingerprint(shared.labels)
    assert [s.id for s in result.silences] == [sid]


async def test_gossiping_cluster_is_one_source(tmp_path):
    # A real HA pair: a silence made on one reaches the other by gossip; the merge shows each
    # alert once with both origins.
    port_a, port_b = servers.free_port(), servers.free_port()
    with (
        servers.alertmanager(tmp_path, cluster_port=port_a, peers=[f"127.0.0.1:{port_b}"]) as a,
        servers.alertmanager(tmp_path, cluster_port=port_b, peers=[f"127.0.0.1:{port_a}"]) as b,
    ):
        async with AlertmanagerPool(config(a, b)) as pool:
            await pool.post_alerts([Alert(fingerprint="", labels={"alertname": "Pair"})])
            now = time.time()
            draft = SilenceDraft((Matcher.equal("alertname", "Pair"),), now, now + 60, "x", "c")
            sid = await pool.create_silence(draft)

            async def on_b() -> list[dict[str, Any]]:
                return await raw("GET", f"{b}/api/v2/silences")

            await eventually(on_b, lambda s: [i["id"] for i in s] == [sid], "gossip")
            result = await eventually(
                pool.poll,
                lambda r: len(r.alerts) == 1 and r.alerts[0].silenced_by == (sid,),
                "merged",
            )
    assert result.alerts[0].origins == (a, b)
    assert {s.cluster for s in result.statuses} <= {"ready", "settling"}
    assert len(result.silences) == 1


async def test_one_url_down_is_still_complete(am_url):
    sock, port = refusing_port()
    down = f"http://127.0.0.1:{port}"
    await post_raw(am_url, {"labels": {"alertname": "Up"}})
    with sock:
        async with AlertmanagerPool(config(am_url, down), clock=lambda: 1234.0) as pool:
            result = await eventually(pool.poll, lambda r: r.alerts, "alert")
    assert result.complete
    ok, failed = result.statuses
    assert (ok.name, ok.ok, ok.error, ok.checked_at) == (am_url, True, "", 1234.0)
    assert (failed.name, failed.ok, failed.error) == (down, False, "connection refused")
    assert failed.down_since is None  # the store's business
    assert [a.alertname for a in result.alerts] == ["Up"]


async def test_all_down_is_incomplete(hostile):
    sock, port = refusing_port()
    hang = hostile.url("/hang")
    with sock:
        cfg = config(f"http://127.0.0.1:{port}", hang, timeout_s=0.5)
        async with AlertmanagerPool(cfg) as pool:
            started = time.perf_counter()
            result = await pool.poll()
            elapsed = time.perf_counter() - started
    assert not result.complete
    assert result.alerts == [] and result.silences == []
    assert [s.error for s in result.statuses] == ["connection refused", "timeout after 0.5 s"]
    assert elapsed < 2.0  # URLs are polled at once, each bounded by the timeout
    assert PollResult().complete is False


async def test_path_prefix_is_kept(tmp_path):
    with servers.alertmanager(tmp_path, route_prefix="/alertmanager") as url:
        assert url.endswith("/alertmanager")
        await post_raw(url, {"labels": {"alertname": "Prefixed"}})
        async with AlertmanagerPool(config(url + "/")) as pool:
            result = await eventually(pool.poll, lambda r: r.alerts, "alert behind a prefix")
            assert result.statuses[0].version == "0.25.0"
    assert result.alerts[0].origins == (url,)


async def test_post_alerts_resolves_with_an_end_in_the_past(am_url):
    now = time.time()
    firing = Alert(fingerprint="", labels={"alertname": "Local", "source": "penguin-tui"},
                   starts_at=now - 60, generator_url="penguin-tui://rule/Local")  # fmt: skip
    async with AlertmanagerPool(config(am_url)) as pool:
        await pool.post_alerts([firing])
        result = await eventually(pool.poll, lambda r: r.alerts, "posted alert")
        assert result.alerts[0].generator_url == "penguin-tui://rule/Local"
        assert result.alerts[0].starts_at == pytest.approx(now - 60, abs=0.001)
        resolved = Alert(fingerprint="", labels=firing.labels, starts_at=now - 60, ends_at=now - 1)
        await pool.post_alerts([resolved])
        await eventually(pool.poll, lambda r: not r.alerts, "resolved alert gone")


# --------------------------------------------------------------------------- auth


async def test_basic_auth_and_bearer_reach_the_server(hostile, tmp_path, monkeypatch):
    hostile.routes["/am/api/v2/alerts"] = (200, "application/json", b"[]")
    hostile.routes["/am/api/v2/silences"] = (200, "application/json", b"[]")
    hostile.routes["/am/api/v2/status"] = (200, "application/json", b"{}")
    url = hostile.url("/am")
    pw = tmp_path / "pw"
    pw.write_text("correct horse\n")
    async with AlertmanagerPool(config(url, username="ops", password_file=pw)) as pool:
        assert (await pool.poll()).complete
        assert "correct horse" not in repr(pool.clients[0])
    # "ops:correct horse" in base64
    expected = "Basic b3BzOmNvcnJlY3QgaG9yc2U="
    assert {r.headers.get("authorization") for r in hostile.stats.requests} == {expected}

    hostile.stats.requests.clear()
    monkeypatch.setenv("PENGUIN_AM_TOKEN", "tok-123")
    async with AlertmanagerClient(url, config(url, bearer_token_env="PENGUIN_AM_TOKEN")) as c:
        await c.alerts()
    (request,) = hostile.stats.requests
    assert request.headers["authorization"] == "Bearer tok-123"
    assert request.path == "/am/api/v2/alerts"


async def test_missing_credential_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "token"
    with pytest.raises(AlertmanagerError) as err:
        AlertmanagerPool(config("http://127.0.0.1:9", bearer_token_file=missing))
    assert f"bearer_token_file: cannot read {missing}: No such file or directory" in str(err.value)
    with pytest.raises(AlertmanagerError, match="environment variable NOPE_NOT_SET is not set"):
        AlertmanagerClient("http://127.0.0.1:9", config(password_env="NOPE_NOT_SET"))


async def test_ca_file_is_trusted_and_nothing_else(tmp_path):
    ca = trustme.CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    async with HostileServer(ssl_context=ctx) as server:
        for path in ("/api/v2/alerts", "/api/v2/silences"):
            server.routes[path] = (200, "application/json", b"[]")
        server.routes["/api/v2/status"] = (200, "application/json", b"{}")
        url = server.url("")
        async with AlertmanagerPool(config(url, ca_file=pem)) as pool:
            assert (await pool.poll()).complete
        async with AlertmanagerPool(config(url)) as pool:
            result = await pool.poll()
        assert result.statuses[0].error.startswith("TLS error: certificate verify failed")
        async with AlertmanagerPool(config(url, verify_tls=False)) as pool:
            assert (await pool.poll()).complete


async def test_credentials_in_the_url_are_not_shown(hostile):
    hostile.routes["/api/v2/alerts"] = (503, "text/plain", b"not ready")
    secret_url = hostile.url("").replace("http://", "http://ops:hunter2@")
    async with AlertmanagerClient(secret_url, config()) as client:
        with pytest.raises(AlertmanagerError) as err:
            await client.alerts()
    assert "hunter2" not in str(err.value) and "hunter2" not in repr(client)
    assert str(err.value) == f"{hostile.url('')}: HTTP 503: not ready"


# --------------------------------------------------------------------------- hostile answers


async def status_of(hostile: HostileServer, **kw: Any) -> tuple[PollResult, float]:
    hostile.routes.setdefault("/api/v2/silences", (200, "application/json", b"[]"))
    hostile.routes.setdefault("/api/v2/status", (200, "application/json", b"{}"))
    url = hostile.url("")
    async with AlertmanagerPool(config(url, **kw)) as pool:
        started = time.perf_counter()
        result = await pool.poll()
        return result, time.perf_counter() - started


def alerts_route(hostile: HostileServer, body: object) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    hostile.routes["/api/v2/alerts"] = (200, "application/json", data)


async def test_malformed_json(hostile):
    alerts_route(hostile, b'[{"labels": {"alertname": "x"}, ')
    result, _ = await status_of(hostile)
    (status,) = result.statuses
    assert not result.complete
    assert status.error.startswith("the answer is not JSON (line 1, column 33): ")


async def test_wrong_schema(hostile):
    alerts_route(hostile, {"status": "success", "data": []})  # an API v1 answer
    result, _ = await status_of(hostile)
    assert result.statuses[0].error == (
        "not an Alertmanager API v2 answer: expected a list of alerts, got an object"
    )
    alerts_route(hostile, [{"metric": "up"}, {"metric": "down"}])  # Prometheus, say
    result, _ = await status_of(hostile)
    assert "none of the 2 items looks like an alert" in result.statuses[0].error


async def test_some_bad_items_are_skipped_and_reported(hostile):
    good = {"labels": {"alertname": "Good"}}
    alerts_route(hostile, [good, {"labels": {"bad name": "x"}}, [1, 2], {"labels": {"a": 1}}])
    result, _ = await status_of(hostile)
    assert result.complete
    assert [a.alertname for a in result.alerts] == ["Good"]
    (problem,) = result.problems
    assert problem.startswith(f"{hostile.url('')}: 3 alerts skipped: ")


async def test_50_mb_answer_is_cut_off_early(hostile):
    size = 50 * 1024 * 1024
    hostile.big_routes["/api/v2/alerts"] = size
    result, elapsed = await status_of(hostile, max_response_bytes=4 * 1024 * 1024)
    assert result.statuses[0].error == "response larger than 4 MiB, cut off"
    assert elapsed < 2.0
    # Back-pressure: the server could only write what we read, plus socket buffers.
    assert hostile.stats.big_bytes_sent < 12 * 1024 * 1024


async def test_50_mb_answer_under_the_default_cap_is_read_and_refused_fast(hostile):
    hostile.big_routes["/api/v2/alerts"] = 50 * 1024 * 1024
    result, elapsed = await status_of(hostile)  # default cap: 64 MiB
    assert result.statuses[0].error.startswith("the answer is not JSON")
    assert elapsed < 2.0


async def test_hostile_labels_are_sanitised_and_capped(hostile):
    labels = {
        "alertname": "[bold red]Boom[/bold red]",
        "service": "\x1b[2J\x1b[31msmtp\x1b[0m",
        "instance": "a\x1b]52;c;cm0gLXJmIH4K\x07b",
        "huge": "x" * 10_000,
    }
    annotations = {"summary": "\x1b]0;pwned\x07title", "description": "d" * 10_000}
    alerts_route(hostile, [{"labels": labels, "annotations": annotations}])
    result, _ = await status_of(hostile)
    (a,) = result.alerts
    assert a.labels["alertname"] == "[bold red]Boom[/bold red]"  # literal; shown as Text
    assert a.labels["service"] == "smtp"
    assert a.labels["instance"] == "ab"
    assert len(a.labels["huge"]) == MAX_LABEL_VALUE
    assert a.annotations["summary"] == "title"
    assert len(a.annotations["description"]) == 4000
    assert a.fingerprint == fingerprint(labels)
    assert any("label values cut to 1000 characters" in p for p in result.problems)
    assert any("annotation values cut to 4000 characters" in p for p in result.problems)


async def test_old_alertmanager_answer(hostile):
    # Alertmanager 0.20: no mutedBy, no updatedAt; and an older one without fingerprints.
    alerts_route(
        hostile,
        [
            {
                "annotations": {},
                "endsAt": "2024-05-01T08:05:00.000Z",
                "fingerprint": "d3b4c5a6e7f80912",
                "receivers": [{"name": "team"}],
                "startsAt": "2024-05-01T08:00:00.000Z",
                "status": {"inhibitedBy": [], "silencedBy": [], "state": "active"},
                "generatorURL": "",
                "labels": {"alertname": "Old"},
            },
            {"labels": {"alertname": "Older"}, "status": {"state": "unprocessed"}},
        ],
    )
    silences = [
        {
            "id": "s-old",
            "matchers": [{"name": "alertname", "value": "Old", "isRegex": False}],
            "startsAt": "2024-05-01T08:00:00Z",
            "endsAt": "2024-05-01T09:00:00Z",
            "createdBy": "x",
            "comment": "y",
            "status": {"state": "active"},
        }
    ]
    hostile.routes["/api/v2/silences"] = (200, "application/json", json.dumps(silences).encode())
    result, _ = await status_of(hostile)
    assert result.complete and result.problems == []
    alerts = by_name(result.alerts)
    assert alerts["Old"].updated_at is None and alerts["Old"].muted_by == ()
    assert alerts["Old"].fingerprint == "d3b4c5a6e7f80912"
    assert alerts["Older"].fingerprint == fingerprint({"alertname": "Older"})
    assert alerts["Older"].am_state == "unprocessed"
    (silence,) = result.silences
    assert silence.matchers == (Matcher.equal("alertname", "Old"),)
    assert silence.updated_at is None


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (503, b"Alertmanager is not ready\n", "HTTP 503: Alertmanager is not ready"),
        (500, b'{"code":500,"message":"\\u001b[31mboom"}', "HTTP 500: boom"),
        (404, b"", "HTTP 404"),
        (502, b"<html>" + b"x" * 5000, "HTTP 502: <html>" + "x" * 193 + "…"),
    ],
)
async def test_error_statuses(hostile, status, body, expected):
    hostile.routes["/api/v2/alerts"] = (status, "text/plain", body)
    result, _ = await status_of(hostile)
    assert result.statuses[0].error == expected


async def test_silences_failing_alone_is_not_complete(hostile):
    alerts_route(hostile, [{"labels": {"alertname": "A"}}])
    hostile.routes["/api/v2/silences"] = (500, "text/plain", b"db locked")
    result, _ = await status_of(hostile)
    assert not result.complete
    assert [a.alertname for a in result.alerts] == ["A"]  # what did answer is kept
    assert result.statuses[0].error == "silences: HTTP 500: db locked"


async def test_status_is_asked_now_and_then(hostile):
    alerts_route(hostile, [])
    hostile.routes["/api/v2/silences"] = (200, "application/json", b"[]")
    info = {"versionInfo": {"version": "0.27.0"}, "cluster": {"status": "ready", "peers": []},
            "config": {"original": "password: hunter2"}}  # fmt: skip
    hostile.routes["/api/v2/status"] = (200, "application/json", json.dumps(info).encode())
    async with AlertmanagerPool(config(hostile.url(""))) as pool:
        for _ in range(STATUS_EVERY + 1):
            result = await pool.poll()
    assert hostile.stats.hits["/api/v2/alerts"] == STATUS_EVERY + 1
    assert hostile.stats.hits["/api/v2/status"] == 2
    assert (result.statuses[0].version, result.statuses[0].cluster) == ("0.27.0", "ready")
    assert "hunter2" not in repr(result)


async def test_post_alerts_fails_only_when_every_url_fails(hostile):
    sock, port = refusing_port()
    hostile.routes["/api/v2/alerts"] = (200, "application/json", b"")
    down = f"http://127.0.0.1:{port}"
    alert = Alert(fingerprint="", labels={"alertname": "Local", "severity": "warning"},
                  annotations={"summary": "s"}, starts_at=0.0)  # fmt: skip
    with sock:
        async with AlertmanagerPool(config(down, hostile.url(""))) as pool:
            await pool.post_alerts([alert])
        (request,) = hostile.stats.requests
        assert request.method == "POST"
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.body) == [
            {
                "labels": {"alertname": "Local", "severity": "warning"},
                "annotations": {"summary": "s"},
                "startsAt": "1970-01-01T00:00:00.000Z",
            }
        ]
        hostile.routes["/api/v2/alerts"] = (503, "text/plain", b"overloaded")
        async with AlertmanagerPool(config(down, hostile.url(""))) as pool:
            with pytest.raises(AlertmanagerError) as err:
                await pool.post_alerts([alert])
    message = str(err.value)
    assert message.startswith("no Alertmanager could post the alerts: ")
    assert f"{down}: connection refused" in message
    assert "HTTP 503: overloaded" in message
