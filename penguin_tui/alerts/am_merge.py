"""Merging what the Alertmanagers of an HA cluster report into one stream.

Every instance of a cluster holds (nearly) the same alerts and silences; gossip makes them
converge but not at the same instant. An alert is one alert however many instances report
it: the copy updated last wins its fields, and what any instance says suppresses it
(silenced_by, inhibited_by, muted_by) is kept, so a silence still on its way to one peer does
not make the alert flicker back to "firing".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from penguin_tui.alerts.model import Alert, Silence

_NEVER = float("-inf")


def _union(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """Items of every group, each once, in first-seen order."""
    return tuple(dict.fromkeys(item for group in groups for item in group))


def merge_alerts(copies: Iterable[Alert]) -> list[Alert]:
    """One alert per fingerprint, from copies listed in the configured URL order.

    The newest ``updated_at`` wins (ties and unknown times: the earlier URL); origins and
    the suppressing ids are the union of every copy.
    """
    merged: dict[str, Alert] = {}
    for alert in copies:
        seen = merged.get(alert.fingerprint)
        if seen is None:
            merged[alert.fingerprint] = alert
            continue
        newer = (alert.updated_at or _NEVER) > (seen.updated_at or _NEVER)
        winner, other = (alert, seen) if newer else (seen, alert)
        # The union is taken in (earlier, later) order so origins keep the URL order.
        first, second = seen, alert
        silenced = _union(first.silenced_by, second.silenced_by)
        inhibited = _union(first.inhibited_by, second.inhibited_by)
        muted = _union(first.muted_by, second.muted_by)
        am_state = winner.am_state
        if (silenced or inhibited or muted) and am_state == "active":
            am_state = "suppressed"  # one instance already knows it is suppressed
        merged[alert.fingerprint] = replace(
            winner,
            origins=_union(first.origins, second.origins),
            receivers=_union(winner.receivers, other.receivers),
            silenced_by=silenced,
            inhibited_by=inhibited,
            muted_by=muted,
            am_state=am_state,
        )
    return list(merged.values())


def merge_silences(copies: Iterable[Silence]) -> list[Silence]:
    """One silence per id: the copy with the newest ``updated_at`` (ties: the earlier URL)."""
    merged: dict[str, Silence] = {}
    for silence in copies:
        seen = merged.get(silence.id)
        if seen is None or (silence.updated_at or _NEVER) > (seen.updated_at or _NEVER):
            merged[silence.id] = silence
    return list(merged.values())
