"""The stakeholder update's first draft, for the incident commander to edit before it goes out.

What stakeholders ask is always the same: what is the status, who is affected, what is being
done, and when will we hear from you next. The draft answers from the timeline: the latest
notes and actions (as corrected, when someone corrected them) are what is being done, and the
next update is due one cadence of the incident's severity from now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from penguin_tui.alerts.model import Severity
from penguin_tui.incidents.model import DEFAULT_CADENCE_S, Entry, EntryType, Incident
from penguin_tui.incidents.view import span_text
from penguin_tui.text import sanitize

DOING_MAX = 3  # latest notes and actions in the draft
LINE_MAX = 300

_DOING = (EntryType.NOTE, EntryType.ACTION)


def _one_line(text: str, limit: int = LINE_MAX) -> str:
    return sanitize(text, single_line=True, max_len=limit).strip()


def latest_doings(entries: Sequence[Entry], limit: int = DOING_MAX) -> list[str]:
    """The newest ``limit`` notes and actions, oldest of them first, each as corrected."""
    corrected: dict[int, str] = {}
    for e in entries:
        if e.type is EntryType.CORRECTION and e.refers_to is not None:
            corrected[e.refers_to] = e.text
    found = [corrected.get(e.id or -1, e.text) for e in entries if e.type in _DOING]
    return [_one_line(t) for t in found[-limit:] if t.strip()]


def clock_text(ts: float) -> str:
    """``14:35 UTC``: local time with the zone, since stakeholders may be elsewhere."""
    return dt.datetime.fromtimestamp(ts).astimezone().strftime("%H:%M %Z")


def draft_update(
    inc: Incident,
    entries: Sequence[Entry],
    now: float,
    cadence: Mapping[Severity, float] = DEFAULT_CADENCE_S,
) -> str:
    """The draft text: status, impact, what is being done and the next update's time."""
    lines = [
        f"[{inc.id}] {inc.severity.title} incident: {_one_line(inc.title, 200)}",
        f"Status: {inc.status.value}",
        f"Impact: {_one_line(inc.impact) or 'being assessed'}",
    ]
    if inc.services:
        lines.append("Affected: " + ", ".join(_one_line(s, 60) for s in inc.services))
    doings = latest_doings(entries)
    lines.append("What is being done:")
    lines += [f"- {d}" for d in doings] or ["- investigating"]
    if inc.is_open:
        step = cadence.get(inc.severity, DEFAULT_CADENCE_S[inc.severity])
        lines.append(f"Next update: by {clock_text(now + step)} (in {span_text(step)})")
    else:
        lines.append("This incident is resolved; no further updates unless it reopens.")
    return "\n".join(lines)
