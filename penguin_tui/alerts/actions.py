"""What an operator does to alerts: ack, silence, expire, maintenance windows; copy as text.

No Textual here. Alertmanager is only talked to when acting (the recorder does the polling),
through an ``AlertmanagerPool`` made on first use; local acks and maintenance windows are
written to the cache through the console's ``CacheReader`` (its one connection and thread).
Every method raises a ``PenguinError`` (an ``AlertmanagerError`` or ``ActionError``) whose
message is plain words for the operator; nothing here needs a traceback to be understood.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from penguin_tui.alerts.matchers import Matcher, MatchOp
from penguin_tui.alerts.model import (
    ACK_PREFIX,
    Alert,
    AlertSource,
    AlertState,
    LocalAck,
    MaintenanceWindow,
    Silence,
    SilenceDraft,
)
from penguin_tui.config_model import Config
from penguin_tui.durations import format_duration
from penguin_tui.errors import PenguinError
from penguin_tui.fmt import local_datetime
from penguin_tui.signoff import current_user
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    from penguin_tui.alerts.am_client import AlertmanagerPool
    from penguin_tui.reader import CacheReader

MAINTENANCE_PREFIX = "Maintenance: "
AUTHOR_MAX = 100
TEXT_VALUE_MAX = 2000  # per label/annotation value in a copied alert: a paste, not a dump


class ActionError(PenguinError):
    """An action that cannot be done as asked; the message says why, in plain words."""


def short_id(silence_id: str) -> str:
    """``3f2a9c1e…``: enough of a silence id to tell it apart on screen."""
    clean = sanitize(silence_id, single_line=True)
    return clean if len(clean) <= 8 else clean[:8] + "…"


def ack_draft(alert: Alert, author: str, now: float, duration_s: float) -> SilenceDraft:
    """A silence on the alert's exact labels (one ``=`` matcher each), commented "ACK by"."""
    matchers = tuple(Matcher.equal(name, value) for name, value in sorted(alert.labels.items()))
    return SilenceDraft(matchers, now, now + duration_s, author, f"{ACK_PREFIX}{author}")


def service_matcher(services: Sequence[str]) -> Matcher:
    """``service="a"`` for one service, ``service=~"a|b"`` (each regex-escaped) for several."""
    if len(services) == 1:
        return Matcher.equal("service", services[0])
    return Matcher("service", MatchOp.RE, "|".join(re.escape(s) for s in services))


class AlertActions:
    """The console's actions on alerts, as ``config.alerts.author`` or the OS user."""

    def __init__(
        self,
        config: Config,
        reader: CacheReader,
        *,
        clock: Callable[[], float] = time.time,
        user: str | None = None,
    ) -> None:
        self.config = config
        self.reader = reader
        self.clock = clock
        who = user or config.alerts.author or current_user()
        self.author = sanitize(who, single_line=True, max_len=AUTHOR_MAX).strip() or "unknown"
        self._pool: AlertmanagerPool | None = None

    @property
    def has_alertmanager(self) -> bool:
        return self.config.alertmanager.enabled

    @property
    def ack_duration_s(self) -> float:
        return self.config.alerts.ack_duration_s

    def pool(self) -> AlertmanagerPool:
        """The Alertmanager pool, made on first use (a console that never acts opens none)."""
        if not self.has_alertmanager:
            raise ActionError(
                "no Alertmanager is configured ([alertmanager] urls), so there is nowhere to "
                "create or expire a silence"
            )
        if self._pool is None:
            from penguin_tui.alerts.am_client import AlertmanagerPool

            self._pool = AlertmanagerPool(self.config.alertmanager, clock=self.clock)
        return self._pool

    async def aclose(self) -> None:
        """Close the pool's connections (when the screen that acts goes away)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.aclose()

    # --- acks and silences --------------------------------------------------------------------

    async def ack(self, alert: Alert) -> str:
        """Ack ``alert`` for ``[alerts].ack_duration``; returns what was done, in words.

        An Alertmanager alert gets a silence on its exact labels, as karma acks; a local rule's
        alert (Alertmanager does not know it) gets a ``LocalAck`` in the cache.
        """
        now = self.clock()
        duration = self.ack_duration_s
        span = format_duration(duration)
        if alert.source is AlertSource.LOCAL:
            ack = LocalAck(
                alert.fingerprint, self.author, now, now + duration, f"{ACK_PREFIX}{self.author}"
            )
            await self.reader.call(lambda store: store.add_local_ack(ack))
            return f"acked locally for {span} (a local rule: Alertmanager does not know it)"
        silence_id = await self.silence(ack_draft(alert, self.author, now, duration))
        return f"acked for {span} (silence {short_id(silence_id)})"

    async def silence(self, draft: SilenceDraft) -> str:
        """Create the silence after checking the draft; returns its id."""
        problems = draft.validate(self.clock())
        if problems:
            raise ActionError("; ".join(problems))
        return await self.pool().create_silence(draft)

    async def expire(self, silence_id: str) -> None:
        """Expire a silence now (Alertmanager keeps it, expired, for its retention)."""
        await self.pool().expire_silence(silence_id)

    # --- maintenance windows ------------------------------------------------------------------

    def window_matchers(self, window: MaintenanceWindow) -> tuple[Matcher, ...]:
        """The Alertmanager matchers a window becomes: its matchers, or its services' names."""
        if window.matchers:
            return window.matchers
        names = {item.key: item.name for item in self.config.items()}
        return (service_matcher([names.get(s, s) for s in window.services]),)

    def check_window(self, window: MaintenanceWindow, now: float) -> list[str]:
        """Plain-words problems with a window, empty when it may be scheduled."""
        problems = []
        if window.matchers and window.services:
            # A silence ANDs its matchers, a window ORs matchers and services: one of them.
            problems.append("give matchers or services, not both")
        elif not window.matchers and not window.services:
            problems.append("name the services, or give matchers, the window applies to")
        elif window.matchers and all(m.matches_empty() for m in window.matchers):
            problems.append("the matchers would match everything; add one that needs a value")
        if not window.reason.strip():
            problems.append("a reason is required")
        if window.end <= window.start:
            problems.append("the end must be after the start")
        elif window.end <= now:
            problems.append("the end is in the past")
        return problems

    async def schedule_maintenance(self, window: MaintenanceWindow) -> MaintenanceWindow:
        """Store the window (and first make it an Alertmanager silence when one is configured).

        A window starting later becomes a pending silence. Without Alertmanager it is stored
        only: local rules and the health screen still honour it. Returns it with its id (and
        ``silence_id``).
        """
        now = self.clock()
        problems = self.check_window(window, now)
        if problems:
            raise ActionError("; ".join(problems))
        author = window.author.strip() or self.author
        window = dataclasses.replace(window, author=author)
        silence_id = ""
        if self.has_alertmanager:
            draft = SilenceDraft(
                self.window_matchers(window),
                max(window.start, now),  # Alertmanager moves a past start to now anyway
                window.end,
                author,
                f"{MAINTENANCE_PREFIX}{window.reason.strip()}",
            )
            silence_id = await self.silence(draft)
            window = dataclasses.replace(window, silence_id=silence_id)
        stored = window
        try:
            window_id = await self.reader.call(lambda store: store.add_maintenance(stored))
        except Exception as exc:
            if silence_id:
                # A silence nobody can see as a window would mute alerts unexplained: undo it.
                await self._expire_quietly(silence_id)
            raise ActionError(
                "the maintenance window could not be stored in the cache: "
                f"{sanitize(exc, single_line=True, max_len=200)}"
                + (" (its Alertmanager silence was expired again)" if silence_id else "")
            ) from None
        return dataclasses.replace(window, id=window_id)

    async def cancel_maintenance(self, window: MaintenanceWindow) -> None:
        """End a window now: expire its silence, then mark it cancelled in the cache."""
        if window.id is None:
            raise ActionError("this maintenance window was never stored, so it cannot be cancelled")
        if window.silence_id and self.has_alertmanager:
            await self.expire(window.silence_id)
        window_id, now = window.id, self.clock()
        await self.reader.call(lambda store: store.cancel_maintenance(window_id, now))

    async def _expire_quietly(self, silence_id: str) -> None:
        # The error being raised already tells the operator what went wrong.
        with contextlib.suppress(PenguinError):
            await self.expire(silence_id)


# --- copy as text -----------------------------------------------------------------------------


def _value(text: str) -> str:
    return sanitize(text, single_line=True, max_len=TEXT_VALUE_MAX)


def alert_as_text(alert: Alert, state: AlertState, silences: Mapping[str, Silence]) -> str:
    """The alert as plain text for the clipboard: what a colleague needs in a chat message."""
    head = f"{_value(alert.alertname) or '(no alertname)'} [{alert.severity.title}] {state.value}"
    if alert.stale:
        head += " (last known: the source is unreachable)"
    lines = [head, "labels:"]
    lines += [f"  {_value(k)}={_value(v)}" for k, v in sorted(alert.labels.items())]
    if alert.annotations:
        lines.append("annotations:")
        lines += [f"  {_value(k)}: {_value(v)}" for k, v in sorted(alert.annotations.items())]
    if alert.starts_at is not None:
        lines.append(f"starts: {local_datetime(alert.starts_at)}")
    if alert.resolved_at is not None:
        lines.append(f"resolved: {local_datetime(alert.resolved_at)}")
    if alert.source is AlertSource.LOCAL:
        source = "local rule (penguin-tui)"
    else:
        source = "Alertmanager " + ", ".join(_value(o) for o in alert.origins)
    lines.append(f"source: {source.strip()}")
    runbook = alert.annotations.get("runbook_url") or alert.annotations.get("runbook")
    if runbook:
        lines.append(f"runbook: {_value(runbook)}")
    if alert.generator_url:
        lines.append(f"generator: {_value(alert.generator_url)}")
    for sid in alert.silenced_by:
        silence = silences.get(sid)
        if silence is None:
            lines.append(f"silenced by {_value(sid)}")
            continue
        lines.append(
            f"silenced by {_value(sid)}: {_value(silence.created_by)}, "
            f'"{_value(silence.comment)}", until {local_datetime(silence.ends_at)}'
        )
    if alert.inhibited_by:
        lines.append("inhibited by " + ", ".join(_value(f) for f in alert.inhibited_by))
    return "\n".join(lines) + "\n"
