"""Scripted episodes of the demo platform: when trouble starts, how hard, and for how long.

An episode is a trapezoid in time: it ramps from 0 to 1, holds, and ramps back. ``level(t)``
says how strong it is at ``t``; ``area(t)`` is its integral up to ``t``, which is what lets
the Prometheus counters stay pure functions of time (extra bounces during a bounce-rate climb
are the climb's area times a rate). Everything here is closed-form, so asking about any
instant costs the same and the history prefill can ask 50,000 times in a fraction of a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The kinds the scenario reacts to (see scenario.py for what each one does to the numbers).
SMTP_LATENCY = "smtp_latency"  # smtp-relay answers slowly, then reports itself degraded
SMTP_DOWN = "smtp_down"  # smtp-relay answers 503 "down"
BOUNCE_CLIMB = "bounce_climb"  # hard and soft bounces and complaints climb (a bad list import)
WEBHOOK_FLAP = "webhook_flap"  # webhook-dispatcher goes up and down every few tens of seconds
QUEUE_BACKLOG = "queue_backlog"  # the outbound queue backs up; API latency and errors follow
REDIS_DOWN = "redis_down"  # the redis listener is closed (connection refused)
POSTGRES_DOWN = "postgres_down"  # the postgres listener is closed; the API reports degraded

KINDS = (
    SMTP_LATENCY,
    SMTP_DOWN,
    BOUNCE_CLIMB,
    WEBHOOK_FLAP,
    QUEUE_BACKLOG,
    REDIS_DOWN,
    POSTGRES_DOWN,
)


@dataclass(frozen=True, slots=True)
class Episode:
    """One stretch of trouble of one ``kind``, starting at ``start`` (seconds).

    ``start`` is absolute epoch seconds for one-off episodes, and an offset into the cycle
    for cyclic ones. The level is 1 for ``duration - 2 * ramp`` seconds in the middle.
    """

    kind: str
    start: float
    duration: float
    ramp: float = 0.0
    title: str = ""

    @property
    def end(self) -> float:
        return self.start + self.duration

    def level(self, t: float) -> float:
        """How strong the episode is at ``t``: 0 outside, 1 at full strength."""
        x = t - self.start
        # Half-open [start, end): a zero-ramp episode is fully on at its first instant.
        if x < 0.0 or x >= self.duration:
            return 0.0
        r = min(self.ramp, self.duration / 2)
        if r <= 0.0:
            return 1.0
        return min(1.0, x / r, (self.duration - x) / r)

    @property
    def full_area(self) -> float:
        """The integral of the level over the whole episode (second-strengths)."""
        return self.duration - min(self.ramp, self.duration / 2)

    def area(self, t: float) -> float:
        """The integral of the level from the episode's start up to ``t``."""
        x = t - self.start
        if x <= 0.0:
            return 0.0
        d = self.duration
        r = min(self.ramp, d / 2)
        if x >= d:
            return self.full_area
        if r <= 0.0:
            return x
        if x <= r:
            return x * x / (2 * r)
        if x <= d - r:
            return r / 2 + (x - r)
        y = d - x  # time left; the tail still missing is y^2 / 2r
        return self.full_area - y * y / (2 * r)


# The live loop: every episode comes and goes within a few minutes, so an operator watching
# the demo for a quarter of an hour sees each one. Offsets are seconds into the cycle.
LIVE_CYCLE_S = 720.0
LIVE_CYCLE = (
    Episode(SMTP_LATENCY, 30, 150, 20, "latency spike on smtp-relay"),
    Episode(BOUNCE_CLIMB, 200, 180, 60, "bounce-rate climb"),
    Episode(WEBHOOK_FLAP, 400, 125, 0, "webhook-dispatcher flapping"),
    Episode(QUEUE_BACKLOG, 520, 170, 60, "outbound queue backlog"),
    Episode(REDIS_DOWN, 682, 30, 0, "redis restart"),
)


def overnight(origin: float) -> tuple[Episode, ...]:
    """A couple of overnight incidents in the 12 hours before ``origin`` (demo start).

    The story the morning check should tell: smtp-relay fell over at night and the queue
    backed up behind it; later a bad list import made bounces climb; near dawn postgres
    failed over for a few minutes.
    """
    h = 3600.0
    return (
        Episode(SMTP_DOWN, origin - 8.25 * h, 14 * 60, 0, "smtp-relay outage"),
        Episode(QUEUE_BACKLOG, origin - 8.25 * h + 120, 40 * 60, 10 * 60, "queue backlog"),
        Episode(BOUNCE_CLIMB, origin - 4.6 * h, 35 * 60, 10 * 60, "bounce-rate climb"),
        Episode(POSTGRES_DOWN, origin - 2.1 * h, 3 * 60, 0, "postgres failover"),
    )


class Schedule:
    """All episodes of a scenario: one-off ones, plus the live cycle from ``origin`` on."""

    def __init__(
        self,
        origin: float,
        one_off: tuple[Episode, ...] = (),
        cycle: tuple[Episode, ...] = LIVE_CYCLE,
        cycle_s: float = LIVE_CYCLE_S,
    ) -> None:
        if cycle and max(e.end for e in cycle) > cycle_s:
            raise ValueError("a cyclic episode runs past the end of its cycle")
        self.origin = origin
        self.cycle_s = cycle_s
        self.one_off = one_off
        self.cycle = cycle
        # Per-kind lists so level()/area() only look at the episodes that matter.
        self._one_off = {k: tuple(e for e in one_off if e.kind == k) for k in KINDS}
        self._cycle = {k: tuple(e for e in cycle if e.kind == k) for k in KINDS}
        self._cycle_area = {k: sum(e.full_area for e in v) for k, v in self._cycle.items()}

    def _phase(self, t: float) -> tuple[int, float]:
        n = math.floor((t - self.origin) / self.cycle_s)
        return n, t - self.origin - n * self.cycle_s

    def level(self, kind: str, t: float) -> float:
        """The strongest episode of ``kind`` at ``t`` (0..1)."""
        best = 0.0
        for e in self._one_off[kind]:
            v = e.level(t)
            if v > best:
                best = v
        if t >= self.origin and self._cycle[kind]:
            _, phase = self._phase(t)
            for e in self._cycle[kind]:
                v = e.level(phase)
                if v > best:
                    best = v
        return best

    def area(self, kind: str, t: float) -> float:
        """The integral of all episodes of ``kind`` up to ``t`` (episodes add up, for counters)."""
        total = 0.0
        for e in self._one_off[kind]:
            total += e.area(t)
        if t > self.origin and self._cycle[kind]:
            n, phase = self._phase(t)
            total += n * self._cycle_area[kind]
            for e in self._cycle[kind]:
                total += e.area(phase)
        return total

    def started_at(self, kind: str, t: float) -> float | None:
        """When the episode of ``kind`` active at ``t`` began (None when none is)."""
        for e in self._one_off[kind]:
            if e.start <= t < e.end:
                return e.start
        if t >= self.origin:
            n, phase = self._phase(t)
            for e in self._cycle[kind]:
                if e.start <= phase < e.end:
                    return self.origin + n * self.cycle_s + e.start
        return None

    def active(self, t: float) -> list[Episode]:
        """The episodes active at ``t``, cyclic ones with absolute start times."""
        found = [e for e in self.one_off if e.start <= t < e.end]
        if t >= self.origin:
            n, phase = self._phase(t)
            base = self.origin + n * self.cycle_s
            found += [
                Episode(e.kind, base + e.start, e.duration, e.ramp, e.title)
                for e in self.cycle
                if e.start <= phase < e.end
            ]
        return found
