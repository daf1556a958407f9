"""A deterministic cache for UI tests: fixed clock, fixed items, a night with a few episodes.

Written through the real Store API into a real SQLite file, the way the recorder writes it.
"""

from __future__ import annotations

import math
from pathlib import Path

from penguin_tui.config_model import CheckConfig, Config, HostConfig, MetricConfig
from penguin_tui.model import (
    Batch,
    ConditionResult,
    Event,
    EventKind,
    ItemInfo,
    ItemKind,
    Reading,
    Sample,
    Status,
)
from penguin_tui.store import Store

# 2026-11-21 08:00:00 UTC: the morning check.
NOW = 1_795_248_000.0
HOUR = 3600.0

HOSTILE_NAME = "evil[bold]\x1b[31mred\x1b]52;c;ZXZpbA==\x07"


def seed_config(*, hostile: bool = False) -> Config:
    """The configuration the seeded cache belongs to."""
    checks = (
        CheckConfig("api", "http://api.internal/health", section="Services"),
        CheckConfig("smtp-relay", "http://smtp.internal/health", section="Services"),
        CheckConfig("webhook-dispatcher", "http://hooks.internal/health", section="Services"),
        CheckConfig(
            "postgres",
            "tcp://db.internal:5432",
            section="Databases",
            conditions=("[CONNECTED] == true",),
        ),
    )
    if hostile:
        checks += (CheckConfig(HOSTILE_NAME, "http://x.internal/", section="Services"),)
    metrics = (
        MetricConfig(
            "api_p95",
            section="API",
            unit="ms",
            source="json",
            json="http://a/s",
            field="p95",
            warn=300,
            crit=800,
            title="API p95 latency",
        ),
        MetricConfig(
            "delivery_rate",
            section="Email deliverability",
            unit="%",
            source="json",
            json="http://a/s",
            field="d",
            warn=97,
            crit=95,
            direction="below",
            title="Delivery rate",
        ),
        MetricConfig(
            "queue_depth",
            section="Email deliverability",
            unit="mails",
            source="json",
            json="http://a/s",
            field="q",
            warn=5000,
            crit=20000,
            title="Send queue depth",
        ),
    )
    return Config(checks=checks, metrics=metrics, host=HostConfig(enabled=False))


def _series(t: float, base: float, amp: float, spike_at: float | None = None) -> float:
    value = base + amp * math.sin(t / 5400.0)
    if spike_at is not None and abs(t - spike_at) < 1800:
        value *= 4
    return round(value, 2)


def seed_cache(path: Path, *, hostile: bool = False, now: float = NOW) -> Config:
    """Write 24 h of history ending at ``now`` and return the config it belongs to."""
    config = seed_config(hostile=hostile)
    store = Store.open(path)
    try:
        items: list[ItemInfo] = config.items()
        store.sync_items(items)
        samples: list[Sample] = []
        step = 300.0
        start = now - 24 * HOUR
        t = start
        spike = now - 5 * HOUR  # 03:00: smtp-relay latency spike
        while t <= now:
            samples.append(Sample("check:api", t, _series(t, 40, 8)))
            samples.append(Sample("check:smtp-relay", t, _series(t, 60, 10, spike)))
            samples.append(Sample("check:webhook-dispatcher", t, _series(t, 30, 5)))
            samples.append(Sample("check:postgres", t, _series(t, 2, 0.5)))
            for key in ("api", "smtp-relay", "postgres"):
                samples.append(Sample(f"check:{key}:up", t, 1.0))
            down = now - 40 * 60 <= t  # webhook-dispatcher down for the last 40 minutes
            samples.append(Sample("check:webhook-dispatcher:up", t, 0.0 if down else 1.0))
            samples.append(Sample("metric:api_p95", t, _series(t, 180, 60, spike)))
            samples.append(Sample("metric:delivery_rate", t, _series(t, 98.5, 0.6)))
            samples.append(Sample("metric:queue_depth", t, _series(t, 900, 300)))
            if hostile:
                samples.append(Sample(f"check:{HOSTILE_NAME}", t, 10.0))
            t += step
        store.write(Batch(samples=samples))
        ok = ConditionResult("[STATUS] == 200", True, "200")
        bad = ConditionResult("[STATUS] == 200", False, "503")
        readings = [
            Reading("check:api", now - 20, Status.OK, 41.0, conditions=(ok,)),
            Reading("check:smtp-relay", now - 20, Status.OK, 62.0, conditions=(ok,)),
            Reading(
                "check:webhook-dispatcher",
                now - 40 * 60,
                Status.CRIT,
                None,
                "HTTP 503",
                probe_ok=False,
                conditions=(bad,),
            ),
            Reading(
                "check:webhook-dispatcher",
                now - 20,
                Status.CRIT,
                None,
                "HTTP 503",
                probe_ok=False,
                conditions=(bad,),
            ),
            Reading("check:postgres", now - 20, Status.OK, 2.1),
            Reading("metric:api_p95", now - 20, Status.WARN, 342.0, "342 ms >= warn 300 ms"),
            Reading("metric:delivery_rate", now - 20, Status.OK, 98.4),
            Reading("metric:queue_depth", now - 20, Status.OK, 880.0),
        ]
        if hostile:
            readings.append(
                Reading(
                    f"check:{HOSTILE_NAME}",
                    now - 20,
                    Status.CRIT,
                    10.0,
                    "[link=http://evil]click[/link]\x1b[2J\x1b]52;c;cGF5bG9hZA==\x07",
                    probe_ok=False,
                )
            )
        events = [
            Event(
                spike - 600,
                "metric:api_p95",
                EventKind.BREACH,
                Status.OK,
                Status.CRIT,
                812.0,
                "812 ms >= crit 800 ms",
            ),
            Event(
                spike + 1800, "metric:api_p95", EventKind.BREACH, Status.CRIT, Status.OK, 210.0, ""
            ),
            Event(
                now - 40 * 60,
                "check:webhook-dispatcher",
                EventKind.STATE,
                Status.OK,
                Status.CRIT,
                None,
                "HTTP 503",
            ),
            Event(
                now - 30 * 60,
                "metric:api_p95",
                EventKind.BREACH,
                Status.OK,
                Status.WARN,
                342.0,
                "342 ms >= warn 300 ms",
            ),
        ]
        store.write(Batch(readings=readings, events=events))
        store.maintain(now)
    finally:
        store.close()
    return config


__all__ = ["HOSTILE_NAME", "NOW", "ItemKind", "seed_cache", "seed_config"]
