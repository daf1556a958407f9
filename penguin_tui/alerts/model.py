"""The alert stream's nouns. Plain data: no SQLite, no network, no Textual.

Times are Unix epoch seconds (float). Every text field of an ``Alert`` or ``Silence`` has been
sanitised and capped by whoever built it (``am_parse`` for Alertmanager, ``rules`` for local
alerts, the store when reading back), so screens may show them as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from penguin_tui.alerts.matchers import Matcher

ACK_PREFIX = "ACK by "  # karma's convention: a silence whose comment starts so is an ack


class Severity(enum.IntEnum):
    """Critical/High/Medium/Low, mapped from an alert's ``severity`` label (higher is worse)."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def title(self) -> str:
        return self.name.capitalize()

    @property
    def symbol(self) -> str:
        """A glyph that carries the severity without colour."""
        return _SEV_SYMBOL[self]

    @classmethod
    def from_label(cls, value: str | None) -> Severity:
        """Map a ``severity`` label value ("critical", "page", "warning", "P2", ...)."""
        if not value:
            return cls.LOW
        return _SEVERITY_WORDS.get(value.strip().lower(), cls.MEDIUM)


_SEV_SYMBOL = {
    Severity.CRITICAL: "✖",
    Severity.HIGH: "▲",
    Severity.MEDIUM: "◆",
    Severity.LOW: "·",
}

# Words teams use in the severity label. An unknown word is Medium, not Low: an alert whose
# severity we cannot read must not sink out of sight.
_SEVERITY_WORDS: dict[str, Severity] = {
    **dict.fromkeys(
        ("critical", "crit", "page", "p1", "sev1", "emergency", "fatal"), Severity.CRITICAL
    ),
    **dict.fromkeys(("high", "error", "major", "p2", "sev2", "urgent"), Severity.HIGH),
    **dict.fromkeys(("medium", "warning", "warn", "p3", "sev3", "moderate"), Severity.MEDIUM),
    **dict.fromkeys(
        ("low", "info", "informational", "minor", "p4", "p5", "sev4", "none", "notice", "debug"),
        Severity.LOW,
    ),
}


class AlertState(enum.StrEnum):
    """What an operator needs to know about an alert now, worst-to-act-on first."""

    FIRING = "firing"
    ACKED = "acked"
    SILENCED = "silenced"
    INHIBITED = "inhibited"
    RESOLVED = "resolved"


class AlertSource(enum.StrEnum):
    """Where an alert came from."""

    ALERTMANAGER = "alertmanager"
    LOCAL = "local"  # a [[rule]] of this config, evaluated by the recorder


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert, as merged from every Alertmanager of an HA pair, or from a local rule.

    ``first_seen``/``last_seen``/``resolved_at`` are penguin-tui's own observations (the
    cache's history); the rest is what the source said. ``stale`` is set when the source could
    not be reached at the last poll: the alert is the last known copy, kept, not dropped.
    """

    fingerprint: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str] = field(default_factory=dict)
    starts_at: float | None = None
    ends_at: float | None = None
    updated_at: float | None = None
    generator_url: str = ""
    receivers: tuple[str, ...] = ()
    am_state: str = "active"  # Alertmanager's status.state: active, suppressed, unprocessed
    silenced_by: tuple[str, ...] = ()
    inhibited_by: tuple[str, ...] = ()
    muted_by: tuple[str, ...] = ()  # time intervals (Alertmanager >= 0.25)
    source: AlertSource = AlertSource.ALERTMANAGER
    origins: tuple[str, ...] = ()  # the Alertmanager URLs (or "local") that reported it
    first_seen: float | None = None
    last_seen: float | None = None
    resolved_at: float | None = None
    stale: bool = False

    @property
    def alertname(self) -> str:
        return self.labels.get("alertname", "")

    @property
    def severity(self) -> Severity:
        return Severity.from_label(self.labels.get("severity"))

    @property
    def subject(self) -> str:
        """The service or instance the alert is about (first of those labels present)."""
        for name in ("service", "job", "instance", "host"):
            value = self.labels.get(name)
            if value:
                return value
        return ""

    @property
    def summary(self) -> str:
        for name in ("summary", "description", "message"):
            value = self.annotations.get(name)
            if value:
                return value
        return ""

    def state(
        self,
        silences: Mapping[str, Silence] | None = None,
        locally_acked: bool = False,
    ) -> AlertState:
        """The state shown: resolved, acked (local ack or an "ACK by" silence), silenced,
        inhibited, else firing. ``silences`` maps silence id to Silence (to spot acks)."""
        if self.resolved_at is not None:
            return AlertState.RESOLVED
        if locally_acked:
            return AlertState.ACKED
        if self.silenced_by:
            known = silences or {}
            for sid in self.silenced_by:
                silence = known.get(sid)
                if silence is not None and silence.is_ack:
                    return AlertState.ACKED
            return AlertState.SILENCED
        if self.inhibited_by:
            return AlertState.INHIBITED
        return AlertState.FIRING


class SilenceState(enum.StrEnum):
    ACTIVE = "active"
    PENDING = "pending"  # starts in the future (a scheduled maintenance window)
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Silence:
    """An Alertmanager silence (``GET /api/v2/silences``)."""

    id: str
    matchers: tuple[Matcher, ...]
    starts_at: float
    ends_at: float
    created_by: str = ""
    comment: str = ""
    state: SilenceState = SilenceState.ACTIVE
    updated_at: float | None = None
    origin: str = ""  # the Alertmanager URL it was read from

    @property
    def is_ack(self) -> bool:
        return self.comment.startswith(ACK_PREFIX)

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(m.matches(labels) for m in self.matchers)


@dataclass(frozen=True, slots=True)
class SilenceDraft:
    """A silence to create (``POST /api/v2/silences``); ``validate()`` lists what is wrong."""

    matchers: tuple[Matcher, ...]
    starts_at: float
    ends_at: float
    created_by: str
    comment: str

    def validate(self, now: float) -> list[str]:
        """Plain-words problems, empty when the draft may be posted."""
        problems = []
        if not self.matchers:
            problems.append("at least one matcher is needed")
        elif all(m.matches_empty() for m in self.matchers):
            problems.append("the matchers would match every alert; add one that needs a value")
        if not self.comment.strip():
            problems.append("a comment is required")
        if not self.created_by.strip():
            problems.append("an author is required")
        if self.ends_at <= self.starts_at:
            problems.append("the end must be after the start")
        elif self.ends_at <= now:
            problems.append("the end is in the past")
        return problems


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """How the last poll of one alert source went (an Alertmanager URL, or "local")."""

    name: str
    ok: bool
    checked_at: float
    error: str = ""  # plain words, sanitised
    down_since: float | None = None  # first failed poll of the current outage
    version: str = ""  # Alertmanager's versionInfo.version when known
    cluster: str = ""  # Alertmanager's cluster.status ("ready", "settling", "disabled")


@dataclass(frozen=True, slots=True)
class AlertChange:
    """One step of an alert's own history, as the cache records it."""

    ts: float
    fingerprint: str
    old: str | None  # AlertState value, None when first seen
    new: str
    detail: str = ""  # e.g. "silenced by 3f2a… (alice: deploy)" or "ack by bob"


@dataclass(frozen=True, slots=True)
class LocalAck:
    """An ack of a local-rule alert, kept in the cache (Alertmanager does not know them)."""

    fingerprint: str
    user: str
    ts: float
    until: float
    comment: str = ""


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    """Planned work: alerts it matches are silenced, health rows show MAINT, uptime excuses it.

    ``services`` are checklist item names (or keys); ``matchers`` apply to alert labels and to
    the labels every checklist item carries (``service``, ``section``, ``item``).
    """

    start: float
    end: float
    reason: str
    author: str
    matchers: tuple[Matcher, ...] = ()
    services: tuple[str, ...] = ()
    silence_id: str = ""  # the Alertmanager silence it became ("" when none could be made)
    id: int | None = None
    cancelled_at: float | None = None

    def active(self, now: float) -> bool:
        end = self.end if self.cancelled_at is None else min(self.end, self.cancelled_at)
        return self.start <= now < end

    def covers_item(self, key: str, name: str, section: str) -> bool:
        """True when the window names the item or its matchers select the item's labels."""
        if name in self.services or key in self.services:
            return True
        if not self.matchers:
            return False
        return all(m.matches(item_labels(key, name, section)) for m in self.matchers)

    def covers_alert(self, labels: Mapping[str, str]) -> bool:
        if self.matchers and all(m.matches(labels) for m in self.matchers):
            return True
        return bool(self.services) and labels.get("service", "") in self.services


def item_labels(key: str, name: str, section: str) -> dict[str, str]:
    """The labels a checklist item carries for matchers: service, section and item key."""
    return {"service": name, "section": section, "item": key}


def counts_by_severity(alerts: Iterable[tuple[Alert, AlertState]]) -> dict[Severity, int]:
    """How many alerts of each severity need attention (firing; not acked/silenced/resolved)."""
    counts = dict.fromkeys(Severity, 0)
    for alert, state in alerts:
        if state is AlertState.FIRING:
            counts[alert.severity] += 1
    return counts


@dataclass(frozen=True, slots=True)
class AlertSummary:
    """What the alert stream did in a window (the overnight panel and the reports)."""

    since: float
    until: float
    fired: int = 0  # alerts first seen in the window
    fired_by_severity: Mapping[Severity, int] = field(default_factory=dict)
    resolved: int = 0  # alerts resolved in the window
    still_firing: int = 0  # firing now
    critical: tuple[tuple[str, str, float], ...] = ()  # newest few: (alertname, subject, ts)
