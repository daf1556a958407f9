"""The postmortem's skeleton: an incident and its timeline as a Markdown document.

Everything an operator typed is untrusted here: it is sanitised and its Markdown special
characters escaped (``report.md_escape``), so a note cannot add headings, links, HTML or table
cells to the document. The sections people fill in afterwards are left empty on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from penguin_tui.alerts.model import Alert
from penguin_tui.durations import format_duration
from penguin_tui.fmt import local_datetime
from penguin_tui.incidents.model import MILESTONES, ROLES, Entry, EntryType, Incident
from penguin_tui.report import md_escape

_LONG = 10_000  # notes are at most this long; keep them whole in the document


def _span(seconds: float | None) -> str:
    return "—" if seconds is None else format_duration(seconds)


def _line(text: str) -> str:
    """A multi-line note as one escaped paragraph (a newline could start a heading)."""
    return " ".join(md_escape(part, _LONG) for part in text.splitlines() if part.strip())


def render_postmortem(
    inc: Incident,
    entries: Sequence[Entry],
    alerts: Mapping[str, Alert] | None = None,
) -> str:
    """The Markdown postmortem draft of ``inc`` (``entries`` oldest first)."""
    alerts = alerts or {}
    by_id = {e.id: e for e in entries if e.id is not None}
    out = [
        f"# Postmortem: {inc.id} {md_escape(inc.title, 200)}",
        "",
        f"- **Severity:** {inc.severity.title}",
        f"- **Status:** {inc.status.value}",
        f"- **Declared:** {local_datetime(inc.declared_at)} by {md_escape(inc.declared_by, 100)}",
        f"- **Affected services:** {', '.join(md_escape(s, 100) for s in inc.services) or '—'}",
        "",
        "## Summary",
        "",
        _line(inc.summary) or "_To be written._",
        "",
        "## Customer impact",
        "",
        _line(inc.impact) or "_To be written._",
        "",
        "## Roles",
        "",
        "| Role | Name |",
        "|---|---|",
    ]
    out += [f"| {r} | {md_escape(inc.roles.get(r, '—'), 100)} |" for r in ROLES]
    out += ["", "## Milestones and durations", "", "| Milestone | Time |", "|---|---|"]
    for name in MILESTONES:
        at = inc.milestones.get(name)
        out.append(f"| {name} | {local_datetime(at) if at is not None else '—'} |")
    out += [
        "",
        f"- Time to acknowledge: {_span(inc.time_to_acknowledge)}",
        f"- Time to mitigate: {_span(inc.time_to_mitigate)}",
        f"- Time to resolve: {_span(inc.time_to_resolve)}",
        "",
        "## Key findings (pinned)",
        "",
    ]
    pinned = [by_id[p] for p in inc.pinned if p in by_id]
    out += [f"- {_entry_line(e, by_id)}" for e in pinned] or ["_None pinned._"]
    out += ["", "## Linked alerts", ""]
    if inc.alerts:
        out += ["| Alert | Severity | Service | Fingerprint |", "|---|---|---|---|"]
        for fp in inc.alerts:
            alert = alerts.get(fp)
            if alert is None:
                out.append(f"| — | — | — | `{md_escape(fp, 40)}` |")
                continue
            out.append(
                f"| {md_escape(alert.alertname, 100)} | {alert.severity.title} | "
                f"{md_escape(alert.subject, 100)} | `{md_escape(fp, 40)}` |"
            )
    else:
        out.append("_No alerts linked._")
    out += ["", "## Timeline", ""]
    out += [f"- {_entry_line(e, by_id)}" for e in entries]
    out += [
        "",
        "## Root cause",
        "",
        "_To be written._",
        "",
        "## Contributing factors",
        "",
        "_To be written._",
        "",
        "## Action items",
        "",
        "| Action | Owner | Due | Ticket |",
        "|---|---|---|---|",
        "| | | | |",
        "",
    ]
    return "\n".join(out)


def _entry_line(e: Entry, by_id: Mapping[int | None, Entry]) -> str:
    when = local_datetime(e.ts)
    who = md_escape(e.author, 100)
    text = _line(e.text)
    if e.type is EntryType.CORRECTION and e.refers_to in by_id:
        text = f"correction of #{e.refers_to}: {text}"
    return f"{when} · **{e.type.value}** · {who} · #{e.id}: {text}"
