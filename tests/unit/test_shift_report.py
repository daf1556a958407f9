"""The end-of-shift report: figures from a real cache, the window's edges, hostile text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from penguin_tui.config_model import CheckConfig, Config, MetricConfig
from penguin_tui.model import Batch, Event, EventKind, Reading, Sample, SignOff, Status
from penguin_tui.shift_report import (
    SECTION_PROVIDERS,
    ShiftSection,
    build_shift_report,
    render_shift,
)
from penguin_tui.store import Store

H = 3600
NOW = 1_700_000_000
SHIFT = 12 * H
HOSTILE = "HTTP 503 \x1b[31m[bold]pwn[/bold]\x1b]52;c;ZXZpbA==\x07 | # x"

CONFIG = Config(
    checks=(
        CheckConfig("api", "http://127.0.0.1:1/health"),
        CheckConfig("postgres", "tcp://127.0.0.1:5432", section="Databases"),
    ),
    metrics=(
        MetricConfig(
            "api_p95", section="API", unit="ms", source="json", json="http://x/s", field="a"
        ),
        MetricConfig(
            "delivery_rate",
            section="Email deliverability",
            unit="%",
            source="json",
            json="http://x/s",
            field="d",
            warn=97.0,
            crit=95.0,
            direction="below",
            title="Delivery rate",
        ),
        MetricConfig(
            "bounce_rate",
            section="Email deliverability",
            unit="%",
            source="json",
            json="http://x/s",
            field="b",
            warn=3.0,
            crit=5.0,
            title="Bounce rate",
        ),
    ),
)


def _series(key: str, value_at) -> list[Sample]:
    """One sample a minute over the last 14 h (2 h before the shift, to test its edge)."""
    return [Sample(key, NOW - 30 - i * 60, value_at(NOW - 30 - i * 60)) for i in range(14 * 60)]


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "cache.db")
    s.sync_items(CONFIG.items())
    samples = _series(
        "check:api", lambda ts: {NOW - 3 * H - 30: 900.0, NOW - 13 * H - 30: 5000.0}.get(ts, 50.0)
    )
    down = {NOW - 3 * H - 30 + k * 60 for k in range(6)} | {NOW - 13 * H - 30}
    samples += _series("check:api:up", lambda ts: 0.0 if ts in down else 1.0)
    samples += _series(
        "metric:delivery_rate",
        lambda ts: {NOW - 2 * H - 30: 94.0, NOW - 13 * H - 30: 90.0}.get(ts, 99.0),
    )
    samples += _series("metric:bounce_rate", lambda ts: 1.0)
    s.write(Batch(samples=samples))
    s.write(
        Batch(
            readings=[
                Reading("check:api", NOW - 30, Status.OK, 50.0),
                Reading(
                    "check:postgres", NOW - 30, Status.CRIT, None, reason=HOSTILE, probe_ok=False
                ),
                Reading("metric:delivery_rate", NOW - 30, Status.OK, 99.0),
                Reading("metric:bounce_rate", NOW - 30, Status.OK, 1.0),
            ]
        )
    )
    s.write(
        Batch(
            events=[
                Event(
                    NOW - 13 * H, "check:api", EventKind.STATE, Status.OK, Status.CRIT, reason="old"
                ),
                Event(
                    NOW - 3 * H,
                    "check:api",
                    EventKind.STATE,
                    Status.OK,
                    Status.CRIT,
                    reason=HOSTILE,
                ),
                Event(NOW - 3 * H + 400, "check:api", EventKind.STATE, Status.CRIT, Status.OK),
                Event(
                    NOW - 2 * H,
                    "metric:delivery_rate",
                    EventKind.BREACH,
                    Status.OK,
                    Status.CRIT,
                    value=94.0,
                ),
                Event(
                    NOW - 1 * H, "recorder", EventKind.NOTE, None, None, reason="recorder started"
                ),
                Event(NOW - 11 * H, "signoff", EventKind.SIGNOFF, None, Status.WARN, reason="ann"),
            ]
        )
    )
    s.add_signoff(SignOff(NOW - 20 * H, "bob", "bastion", Status.OK, note="yesterday"))
    s.add_signoff(
        SignOff(
            NOW - 11 * H,
            "ann",
            "bastion-1",
            Status.WARN,
            note="smtp slow | see # ticket\x1b]52;c;ZXZpbA==\x07",
            not_ok=("check:smtp WARN [link=http://evil]slow[/link]",),
        )
    )
    yield s
    s.close()


def test_figures_come_from_the_shift_window_only(store: Store) -> None:
    report = build_shift_report(store, CONFIG, NOW, SHIFT)
    assert (report.start, report.end, report.target_pct) == (NOW - SHIFT, NOW, 99.9)

    api, postgres = report.services
    assert api.name == "api" and api.status == Status.OK
    # 720 probes in the shift, 6 failed; the failure 13 h ago is outside it.
    assert api.uptime == pytest.approx(1 - 6 / 720)
    assert api.downtime_s == 360.0
    # The slowest response of the shift, not the 5 s one before it started.
    assert api.worst_latency == (NOW - 3 * H - 30, 900.0)
    assert api.avg_latency == pytest.approx((719 * 50 + 900) / 720)
    assert postgres.status == Status.CRIT and postgres.uptime is None
    assert postgres.worst_latency is None

    # Only the deliverability section, in config order; lower is worse for the delivery rate.
    delivery, bounce = report.deliverability
    assert delivery.name == "Delivery rate" and bounce.name == "Bounce rate"
    assert delivery.current == 99.0 and delivery.worst == (NOW - 2 * H - 30, 94.0)
    assert delivery.worst_status == Status.CRIT
    assert delivery.average == pytest.approx((719 * 99 + 94) / 720)
    assert bounce.worst_status == Status.OK and bounce.average == pytest.approx(1.0)

    # State changes and breaches of the shift, oldest first; notes and sign-off events are not.
    assert [(e.ts, e.kind) for e in report.events] == [
        (NOW - 3 * H, EventKind.STATE),
        (NOW - 3 * H + 400, EventKind.STATE),
        (NOW - 2 * H, EventKind.BREACH),
    ]
    assert [s.user for s in report.signoffs] == ["ann"]
    assert report.status == Status.CRIT  # postgres is down now
    assert report.sections == []


def test_markdown_is_complete_and_hostile_text_is_inert(store: Store) -> None:
    text = render_shift(build_shift_report(store, CONFIG, NOW, SHIFT), "markdown")
    assert text.startswith("# PenguinMails shift report: ✖ CRIT\n")
    assert "| api | ✔ OK | 99.17% | 6m | 900 ms |" in text
    assert "| postgres | ✖ CRIT | — | — | — |" in text
    assert "| Delivery rate | ✔ OK | 99% | 94% ✖ |" in text
    assert "## State changes and alerts (3)" in text
    assert "api: OK → CRIT — HTTP 503 \\[bold\\]pwn\\[/bold\\] \\| \\# x" in text
    assert "Delivery rate: OK → CRIT at 94%" in text
    assert "## Sign-offs (1)" in text
    assert "ann@bastion-1: ▲ WARN" in text
    assert "  - not OK: check:smtp WARN \\[link=http://evil\\]slow\\[/link\\]" in text
    assert "  > smtp slow \\| see \\# ticket" in text
    assert "yesterday" not in text and "recorder started" not in text
    for bad in ("\x1b", "\x07", "ZXZpbA", "[bold]", "| # x"):
        assert bad not in text, bad


def test_json_carries_the_same_figures(store: Store) -> None:
    data = json.loads(render_shift(build_shift_report(store, CONFIG, NOW, SHIFT), "json"))
    assert data["status"] == "CRIT"
    assert data["start"] == "2023-11-14T10:13:20Z" and data["end"] == "2023-11-14T22:13:20Z"
    api = data["services"][0]
    assert api["uptime"] == pytest.approx(1 - 6 / 720)
    assert api["worst_latency_ms"] == {"ts": "2023-11-14T19:12:50Z", "value": 900.0}
    assert [f["key"] for f in data["deliverability"]] == [
        "metric:delivery_rate",
        "metric:bounce_rate",
    ]
    assert data["deliverability"][0]["worst"]["value"] == 94.0
    assert [e["kind"] for e in data["events"]] == ["state", "state", "breach"]
    assert "\x1b" not in json.dumps(data) and "ZXZpbA" not in json.dumps(data)
    assert data["signoffs"][0]["not_ok"] == ["check:smtp WARN [link=http://evil]slow[/link]"]
    assert data["sections"] == []


def test_sections_from_providers_are_rendered_and_escaped(store: Store) -> None:
    seen = []

    def incidents(_store: Store, _config: Config, start: float, end: float) -> ShiftSection:
        seen.append((start, end))
        return ShiftSection("Incidents touched", ("INC-7 [link=x]mail delay[/link]",), ({"id": 7},))

    def nothing(*_args: object) -> None:
        return None

    report = build_shift_report(store, CONFIG, NOW, SHIFT, providers=[incidents, nothing])
    assert seen == [(NOW - SHIFT, NOW)]
    text = render_shift(report, "markdown")
    assert text.rstrip().endswith(
        "## Incidents touched\n\n- INC-7 \\[link=x\\]mail delay\\[/link\\]"
    )
    data = json.loads(render_shift(report, "json"))
    assert data["sections"] == [
        {
            "title": "Incidents touched",
            "lines": ["INC-7 [link=x]mail delay[/link]"],
            "data": [{"id": 7}],
        }
    ]
    assert SECTION_PROVIDERS == []  # nothing registered itself as a side effect


def test_an_empty_cache_still_gives_a_readable_report(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty.db") as empty:
        report = build_shift_report(empty, CONFIG, NOW, SHIFT)
    assert [s.status for s in report.services] == [Status.UNKNOWN, Status.UNKNOWN]
    text = render_shift(report, "markdown")
    assert "No state changes or threshold breaches during the shift." in text
    assert "Nobody signed off during the shift." in text
