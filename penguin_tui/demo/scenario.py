"""The simulated PenguinMails platform as a pure, seeded function of time.

``Scenario(origin, seed)`` answers "what does the platform look like at t" for any t: health
of each service, whether the database listeners are up, Prometheus counters and gauges, and
the derived figures of ``/stats``. Nothing is stored between calls, so the live servers, the
history prefill and the tests all see exactly the same platform, and a test can jump to the
middle of an episode by asking about that instant.

Traffic follows a daily curve (UTC, quietest around 03:00, busiest around 15:00) with smooth
seeded noise on top; episodes (episodes.py) bend it. Counters are closed-form integrals of the
rates since the simulated process start, floored to whole numbers, so they only ever grow.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from penguin_tui.demo import episodes as ep
from penguin_tui.demo.episodes import Episode, Schedule

SERVICES = ("api", "smtp-relay", "bounce-processor", "webhook-dispatcher")
DATABASES = ("postgres", "redis")
VERSIONS = {
    "api": "2.14.3",
    "smtp-relay": "1.9.0",
    "bounce-processor": "0.8.2",
    "webhook-dispatcher": "1.3.1",
}

DAY_S = 86400.0
_OMEGA = 2 * math.pi / DAY_S
_PHASE = 0.75 * math.pi  # puts the peak of the daily curve at 15:00 UTC
_SWING = 0.6  # traffic runs between 0.4x and 1.6x of its mean

SEND_PER_S = 25.0  # emails handed to the relay per second, daily mean
REQUESTS_PER_S = 60.0  # API requests per second, daily mean
LOGINS_PER_S = 0.35  # customer logins per second, daily mean (about 1,260 an hour)

# Shares of sent mail in quiet times.
HARD_BOUNCE = 0.004
SOFT_BOUNCE = 0.008
DEFERRED = 0.006
COMPLAINTS = 0.0003
# Extra events per second at full episode strength, as multiples of the mean send rate. They
# must stay below the quietest send rate (0.4x) so "delivered" never runs backwards.
_BOUNCE_EXTRA_HARD = 0.028
_BOUNCE_EXTRA_SOFT = 0.022
_BOUNCE_EXTRA_COMPLAINTS = 0.006
_DEFERRED_EXTRA_SMTP_DOWN = 0.25
_DEFERRED_EXTRA_BACKLOG = 0.10

# API responses by code in quiet times; episode extras are multiples of the mean request rate.
_CODES = (("200", 0.985), ("400", 0.004), ("401", 0.006), ("429", 0.003), ("500", 0.002))
_ERRORS_503_BACKLOG = 0.03  # the API sheds load while the queue is backed up
_ERRORS_502_FLAP = 0.004  # webhook registration calls fail while the dispatcher flaps

# Request-duration histogram: cumulative shares per bucket for ordinary requests and for the
# slow ones an episode adds (shed or timed-out requests).
BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_CDF_BASE = (0.18, 0.45, 0.78, 0.95, 0.99, 0.997, 0.9995, 0.9999, 1.0)
_CDF_SLOW = (0.0, 0.0, 0.01, 0.05, 0.2, 0.5, 0.85, 0.97, 1.0)
_MEAN_BASE_S = 0.085
_MEAN_SLOW_S = 1.6

STATS_WINDOW_S = 120.0  # /stats rates are over the last two minutes of the counters
# Complaints are rare (a few per hour at night): over two minutes the rate would jump between
# 0 and several times the warning line. Mailbox providers judge it over days; 15 min will do.
COMPLAINT_WINDOW_S = 900.0
FLAP_PERIOD_S = 40.0  # webhook-dispatcher: down for the first FLAP_DOWN_S of every period
FLAP_DOWN_S = 22.0
PROCESS_AGE_S = 31.3 * 3600  # the simulated API started this long before the demo origin

_MASK = (1 << 64) - 1


def diurnal(t: float) -> float:
    """The daily traffic curve at ``t``: 1.0 on average, 0.4 at 03:00 UTC, 1.6 at 15:00."""
    return 1.0 + _SWING * math.sin(_OMEGA * t - _PHASE)


def diurnal_integral(t: float) -> float:
    """An antiderivative of ``diurnal``: counters are differences of it."""
    return t - _SWING / _OMEGA * math.cos(_OMEGA * t - _PHASE)


def _mix(n: int) -> float:
    """splitmix64 finaliser, mapped to [-1, 1): cheap, stateless, well spread."""
    n &= _MASK
    n = ((n ^ (n >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    n = ((n ^ (n >> 27)) * 0x94D049BB133111EB) & _MASK
    n ^= n >> 31
    return n / 9223372036854775808.0 - 1.0


@dataclass(frozen=True, slots=True)
class Health:
    """What a service's ``/health`` says at one instant."""

    status: str  # "ok", "degraded" or "down"
    code: int  # HTTP status: 200, or 503 when down
    latency_ms: float  # how long the answer takes (the server really waits this long)
    version: str

    def body(self) -> bytes:
        """The JSON body the endpoint sends (the history prefill judges the same bytes)."""
        doc = {"status": self.status, "version": self.version, "latency_ms": self.latency_ms}
        return json.dumps(doc, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class Counters:
    """Every Prometheus counter of the platform at one instant (whole numbers)."""

    sent: float
    delivered: float
    bounced_hard: float
    bounced_soft: float
    complaints: float
    deferred: float
    logins: float
    requests: dict[str, float]  # by HTTP code
    buckets: tuple[float, ...]  # cumulative request counts per BUCKETS entry
    duration_sum: float

    @property
    def requests_total(self) -> float:
        return sum(self.requests.values())

    @property
    def errors(self) -> float:
        return sum(v for code, v in self.requests.items() if code.startswith("5"))


@dataclass(frozen=True, slots=True)
class Gauges:
    """The platform's gauges at one instant."""

    api_p95_ms: float
    db_connect_ms: float
    queue_depth: float
    open_tickets: float


class Scenario:
    """The demo platform's behaviour; ``origin`` is when the demo (and its live loop) starts.

    Before ``origin`` the platform is quiet apart from a few overnight episodes (when
    ``overnight``); from ``origin`` on the live loop of episodes repeats every ``cycle_s``.
    """

    def __init__(
        self,
        origin: float,
        seed: int = 7,
        *,
        overnight: bool = True,
        one_off: tuple[Episode, ...] | None = None,
        cycle: tuple[Episode, ...] = ep.LIVE_CYCLE,
        cycle_s: float = ep.LIVE_CYCLE_S,
    ) -> None:
        if one_off is None:
            one_off = ep.overnight(origin) if overnight else ()
        self.origin = origin
        self.seed = seed
        self.schedule = Schedule(origin, one_off, cycle, cycle_s)
        self.process_start = origin - PROCESS_AGE_S
        self._d0 = diurnal_integral(self.process_start)
        self._salt = (seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & _MASK

    # -- building blocks -------------------------------------------------------------------

    def noise(self, channel: int, t: float, period: float = 20.0) -> float:
        """Smooth seeded noise in [-1, 1] for one ``channel``, changing over ``period`` s."""
        x = t / period
        i = math.floor(x)
        f = x - i
        f = f * f * (3.0 - 2.0 * f)
        base = self._salt + channel * 0xD1B54A32D192ED03
        a = _mix(base + i * 0x9E3779B97F4A7C15)
        b = _mix(base + (i + 1) * 0x9E3779B97F4A7C15)
        return a + (b - a) * f

    def level(self, kind: str, t: float) -> float:
        """How strong episodes of ``kind`` are at ``t`` (0..1)."""
        return self.schedule.level(kind, t)

    def active(self, t: float) -> list[Episode]:
        """The episodes under way at ``t`` (absolute start times)."""
        return self.schedule.active(t)

    # -- services --------------------------------------------------------------------------

    def health(self, service: str, t: float) -> Health:
        """What ``service``'s health endpoint answers at ``t``."""
        lvl = self.schedule.level
        version = VERSIONS[service]
        if service == "api":
            ms = 18 + 10 * diurnal(t) + 4 * self.noise(0, t) + 160 * lvl(ep.QUEUE_BACKLOG, t)
            status = "degraded" if lvl(ep.POSTGRES_DOWN, t) > 0 else "ok"
            return Health(status, 200, _ms(ms), version)
        if service == "smtp-relay":
            if lvl(ep.SMTP_DOWN, t) > 0:
                return Health("down", 503, _ms(4 + self.noise(1, t)), version)
            spike = lvl(ep.SMTP_LATENCY, t)
            ms = 24 + 6 * self.noise(1, t) + 1400 * spike
            return Health("degraded" if spike >= 0.5 else "ok", 200, _ms(ms), version)
        if service == "bounce-processor":
            ms = 14 + 4 * self.noise(2, t) + 180 * lvl(ep.BOUNCE_CLIMB, t)
            return Health("ok", 200, _ms(ms), version)
        if service == "webhook-dispatcher":
            start = self.schedule.started_at(ep.WEBHOOK_FLAP, t)
            if start is not None and (t - start) % FLAP_PERIOD_S < FLAP_DOWN_S:
                return Health("down", 503, _ms(3 + self.noise(3, t)), version)
            return Health("ok", 200, _ms(20 + 6 * self.noise(3, t)), version)
        raise KeyError(service)

    def tcp_up(self, name: str, t: float) -> bool:
        """Whether the ``postgres`` or ``redis`` listener accepts connections at ``t``."""
        kind = {"postgres": ep.POSTGRES_DOWN, "redis": ep.REDIS_DOWN}[name]
        return self.schedule.level(kind, t) <= 0.0

    # -- numbers ---------------------------------------------------------------------------

    def counters(self, t: float) -> Counters:
        """Every counter at ``t``, counted since the simulated process start."""
        area = self.schedule.area
        base = diurnal_integral(t) - self._d0  # mean-rate seconds since process start
        sent = SEND_PER_S * base
        bounce = SEND_PER_S * area(ep.BOUNCE_CLIMB, t)
        hard = HARD_BOUNCE * sent + _BOUNCE_EXTRA_HARD * bounce
        soft = SOFT_BOUNCE * sent + _BOUNCE_EXTRA_SOFT * bounce
        deferred = (
            DEFERRED * sent
            + _DEFERRED_EXTRA_SMTP_DOWN * SEND_PER_S * area(ep.SMTP_DOWN, t)
            + _DEFERRED_EXTRA_BACKLOG * SEND_PER_S * area(ep.QUEUE_BACKLOG, t)
        )
        complaints = COMPLAINTS * sent + _BOUNCE_EXTRA_COMPLAINTS * bounce
        f = math.floor
        sent_i, hard_i, soft_i, deferred_i = f(sent), f(hard), f(soft), f(deferred)

        req = REQUESTS_PER_S * base
        shed = _ERRORS_503_BACKLOG * REQUESTS_PER_S * area(ep.QUEUE_BACKLOG, t)
        bad_gateway = _ERRORS_502_FLAP * REQUESTS_PER_S * area(ep.WEBHOOK_FLAP, t)
        requests = {code: float(f(share * req)) for code, share in _CODES}
        requests["502"] = float(f(bad_gateway))
        requests["503"] = float(f(shed))
        slow = shed + bad_gateway
        buckets = tuple(
            float(f(req * a) + f(slow * b)) for a, b in zip(_CDF_BASE, _CDF_SLOW, strict=True)
        )
        return Counters(
            sent=float(sent_i),
            # Floored on its own (not sent_i - hard_i - ...), which could step back by one.
            delivered=float(f(sent - hard - soft - deferred)),
            bounced_hard=float(hard_i),
            bounced_soft=float(soft_i),
            complaints=float(f(complaints)),
            deferred=float(deferred_i),
            logins=float(f(LOGINS_PER_S * base)),
            requests=requests,
            buckets=buckets,
            duration_sum=round(req * _MEAN_BASE_S + slow * _MEAN_SLOW_S, 3),
        )

    def gauges(self, t: float) -> Gauges:
        """Every gauge at ``t``."""
        lvl = self.schedule.level
        d = diurnal(t)
        backlog = lvl(ep.QUEUE_BACKLOG, t)
        p95 = 95 + 45 * d + 12 * self.noise(10, t) + 420 * backlog
        db_ms = 2.5 + 0.8 * d + 0.6 * self.noise(11, t) + 35 * backlog
        if lvl(ep.POSTGRES_DOWN, t) > 0:
            db_ms = 3000.0  # the API's connect timeout: it never gets through
        queue = 400 + 600 * d + 80 * self.noise(12, t) + 24000 * backlog
        tickets = (
            18
            + 6 * self.noise(13, t, 1800.0)
            + 2 * self.noise(14, t, 300.0)
            + 12 * lvl(ep.BOUNCE_CLIMB, t)
            + 10 * lvl(ep.SMTP_DOWN, t)
            + 8 * backlog
        )
        return Gauges(
            api_p95_ms=round(p95, 1),
            db_connect_ms=round(db_ms, 2),
            queue_depth=float(round(queue)),
            open_tickets=float(round(tickets)),
        )

    def stats(self, t: float) -> dict[str, dict[str, float]]:
        """The JSON of the api's ``/stats``: figures derived over the last two minutes."""
        now, then = self.counters(t), self.counters(t - STATS_WINDOW_S)
        long_ago = self.counters(t - COMPLAINT_WINDOW_S)
        g = self.gauges(t)
        sent = now.sent - then.sent
        delivered = now.delivered - then.delivered
        bounced = now.bounced_hard + now.bounced_soft - then.bounced_hard - then.bounced_soft
        requests = now.requests_total - then.requests_total
        logins = now.logins - then.logins
        return {
            "api": {
                "latency_p95_ms": g.api_p95_ms,
                "error_rate": _ratio(now.errors - then.errors, requests),
                "requests_per_s": round(requests / STATS_WINDOW_S, 2),
            },
            "db": {"connect_ms": g.db_connect_ms},
            "email": {
                "delivery_rate": _ratio(delivered, sent, empty=1.0),
                "bounce_rate": _ratio(bounced, sent),
                "complaint_rate": _ratio(
                    now.complaints - long_ago.complaints, now.delivered - long_ago.delivered
                ),
                "sent_per_min": round(sent * 60 / STATS_WINDOW_S, 1),
            },
            "queue": {"depth": g.queue_depth},
            "logins": {"per_hour": round(logins * 3600 / STATS_WINDOW_S, 1)},
            "support": {"open_tickets": g.open_tickets},
        }


def _ms(value: float) -> float:
    return round(max(1.0, value), 1)


def _ratio(part: float, whole: float, *, empty: float = 0.0) -> float:
    return round(part / whole, 6) if whole > 0 else empty
