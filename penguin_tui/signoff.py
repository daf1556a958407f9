"""Signing the morning check off: who, where, when, and what was not OK at that moment.

A sign-off is evidence ("ann looked at 08:04 and knew smtp-relay was WARN"), so it records the
items that were not OK as plain lines, not references to states that will have moved on. It
also starts the next overnight window, for every console on the same cache.
"""

from __future__ import annotations

import getpass
import os
import socket
from typing import TYPE_CHECKING

from penguin_tui.check import Report
from penguin_tui.model import Event, EventKind, SignOff, Status
from penguin_tui.text import sanitize

if TYPE_CHECKING:
    from penguin_tui.store import Store

SIGNOFF_EVENT_KEY = "signoff"  # events of kind SIGNOFF belong to no checklist item
NOTE_MAX = 2000  # characters of an operator's note kept (the store keeps up to 4000)


def current_user() -> str:
    """The OS user signing off (``getpass`` reads LOGNAME/USER first, as ``whoami`` would)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        # No passwd entry (containers running as an arbitrary uid): the uid still identifies.
        return f"uid {os.getuid()}"


def current_host() -> str:
    """This machine's host name (the bastion the operator is on)."""
    return socket.gethostname() or "unknown host"


def not_ok_lines(report: Report) -> tuple[str, ...]:
    """``"<key> <STATUS> <reason>"`` for every item that is not OK, worst first."""
    rows = sorted((r for r in report.items if r.status != Status.OK), key=lambda r: -r.status.rank)
    lines = []
    for row in rows:
        reason = sanitize(row.reason, single_line=True, max_len=300)
        lines.append(f"{row.key} {row.status.value} {reason}".rstrip())
    return tuple(lines)


def build_signoff(
    report: Report,
    now: float,
    note: str = "",
    *,
    user: str | None = None,
    host: str | None = None,
) -> SignOff:
    """A sign-off of ``report`` at ``now``; ``user``/``host`` default to this process's."""
    return SignOff(
        ts=now,
        user=sanitize(user if user is not None else current_user(), single_line=True, max_len=100),
        host=sanitize(host if host is not None else current_host(), single_line=True, max_len=255),
        status=report.status,
        note=sanitize(note.strip(), max_len=NOTE_MAX),
        not_ok=not_ok_lines(report),
    )


def signoff_event(signoff: SignOff) -> Event:
    """The overnight-list entry for a sign-off: ``ann@bastion (WARN, 2 not OK): note``."""
    count = len(signoff.not_ok)
    reason = f"{signoff.user}@{signoff.host} ({signoff.status.value}"
    reason += f", {count} not OK)" if count else ")"
    if signoff.note:
        reason += f": {sanitize(signoff.note, single_line=True)}"
    return Event(
        signoff.ts, SIGNOFF_EVENT_KEY, EventKind.SIGNOFF, None, signoff.status, reason=reason
    )


def record_signoff(store: Store, signoff: SignOff) -> int:
    """Store the sign-off and its SIGNOFF event (what other consoles' overnight lists show)."""
    return store.add_signoff(signoff, signoff_event(signoff))
