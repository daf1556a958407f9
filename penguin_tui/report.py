"""The morning report as text (terminals, cron mail), JSON (machines) and Markdown (tickets, chat).

All three render the same ``check.Report``; every string that came from the network or a config
goes through ``sanitize`` here, and Markdown escapes what would change the document's structure.
"""

from __future__ import annotations

import json
import re
from typing import Any

from penguin_tui.alerts.matchers import format_matchers
from penguin_tui.alerts.model import AlertSummary, MaintenanceWindow, Severity
from penguin_tui.check import Report, ReportItem
from penguin_tui.fmt import format_value, iso, local_datetime, local_time
from penguin_tui.incidents.model import Incident
from penguin_tui.maintenance import effective_end
from penguin_tui.model import Event, EventKind, Status
from penguin_tui.text import sanitize

TITLE = "PenguinMails morning check"


def render(report: Report, fmt: str) -> str:
    """The report in ``fmt`` (text, json or markdown), ending with a newline."""
    if fmt == "json":
        return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    return render_text(report)


def _clean(text: str, max_len: int = 200) -> str:
    return sanitize(text, max_len=max_len, single_line=True)


def _duration(seconds: float) -> str:
    from penguin_tui.durations import format_duration

    return format_duration(max(0.0, seconds))


def counts_line(report: Report) -> str:
    """``12 OK · 1 WARN · 1 CRIT · 0 UNKNOWN · 0 STALE``."""
    counts = report.counts()
    # MAINT only when some item is in maintenance: most mornings it is noise.
    shown = [s for s in Status if s is not Status.MAINT or counts[s]]
    return " · ".join(f"{counts[s]} {s.value}" for s in shown)


def alerts_line(summary: AlertSummary) -> str:
    """``12 fired (2 critical) · 10 resolved · 3 firing``."""
    critical = summary.fired_by_severity.get(Severity.CRITICAL, 0)
    fired = f"{summary.fired} fired" + (f" ({critical} critical)" if critical else "")
    return f"{fired} · {summary.resolved} resolved · {summary.still_firing} firing"


def incident_text(inc: Incident, since: float) -> str:
    """``INC-2026-11-21-1 opened · Critical · Investigating · SMTP relay queue stuck``."""
    resolved_at = inc.milestones.get("resolved")
    if inc.declared_at >= since:
        what = "opened"
    elif resolved_at is not None and resolved_at >= since and not inc.is_open:
        what = "resolved"
    else:
        what = "updated"
    return f"{inc.id} {what} · {inc.severity.title} · {inc.status.value} · {_clean(inc.title, 120)}"


def critical_text(alertname: str, subject: str) -> str:
    """``DiskFull db1`` for one of the newest critical alerts."""
    name = _clean(alertname, 60) or "(no alertname)"
    return f"{name} {_clean(subject, 60)}".rstrip()


def maintenance_text(window: MaintenanceWindow, now: float) -> str:
    """``12:00–14:00 db upgrade (ana): postgres, {section="Databases"}``, without a symbol."""
    what = [_clean(s, 60) for s in window.services]
    if window.matchers:
        what.append(_clean(format_matchers(window.matchers), 200))
    state = "" if window.active(now) else "planned "
    span = f"{local_time(window.start, now)}–{local_time(effective_end(window), now)}"
    text = f"{state}{span} {_clean(window.reason, 120)} ({_clean(window.author, 40)})"
    return text + (f": {', '.join(what)}" if what else "")


def event_text(event: Event, names: dict[str, str], units: dict[str, str] | None = None) -> str:
    """One line describing an event, without its time."""
    name = _clean(names.get(event.key, event.key), 60)
    reason = _clean(event.reason)
    if event.kind == EventKind.SIGNOFF:
        return f"signed off: {reason}"
    if event.kind == EventKind.NOTE:
        return reason
    change = f"{event.old.value if event.old else '—'} → {event.new.value if event.new else '—'}"
    if event.kind == EventKind.BREACH and event.value is not None:
        unit = (units or {}).get(event.key, "")
        return f"{name}: {change} at {format_value(event.value, unit)}"
    return f"{name}: {change}{' — ' + reason if reason else ''}"


# --- text -----------------------------------------------------------------------------------


def render_text(report: Report) -> str:
    """Plain text for a terminal or a cron mail; status carried by words and symbols."""
    now = report.checked_at
    lines = [
        f"{TITLE}: {report.status.symbol} {report.status.value}   ({local_datetime(now)})",
        f"  {counts_line(report)}",
    ]
    section = None
    width = max((len(_clean(r.name, 32)) for r in report.items), default=10)
    for row in report.items:
        if row.section != section:
            section = row.section
            lines += ["", section]
        lines.append("  " + _text_row(row, width, now))
    lines += ["", f"Overnight since {local_datetime(report.since)} ({_clean(report.since_reason)})"]
    if not report.events:
        lines.append("  no state changes or threshold breaches")
    for event in report.events:
        lines.append(
            f"  {local_time(event.ts, now):>9}  {event_text(event, report.names, report.units)}"
        )
    if report.alerts is not None:
        lines += ["", f"Alerts: {alerts_line(report.alerts)}"]
        for alertname, subject, ts in report.alerts.critical:
            lines.append(
                f"  {local_time(ts, now):>9}  {Severity.CRITICAL.symbol} "
                f"{critical_text(alertname, subject)}"
            )
    if report.incidents:
        lines += ["", "Incidents"]
        for inc in report.incidents:
            lines.append(f"  {incident_text(inc, report.since)}")
    if report.maintenance:
        lines += ["", "Maintenance"]
        for window in report.maintenance:
            lines.append(f"  {Status.MAINT.symbol} {maintenance_text(window, now)}")
    if report.worst_values:
        lines += ["", "Worst values in the window"]
        for w in report.worst_values:
            flag = f"  {w.status.symbol} {w.status.value}" if w.status != Status.OK else ""
            lines.append(
                f"  {_clean(w.name, 32):<{width}}  {format_value(w.value, w.unit):>12}  "
                f"at {local_time(w.ts, now)}{flag}"
            )
    if report.last_signoff is not None:
        s = report.last_signoff
        lines += [
            "",
            f"Last sign-off: {_clean(s.user)}@{_clean(s.host)} at "
            f"{local_datetime(s.ts)} ({s.status.value})",
        ]
    for note in report.notes:
        lines += ["", f"Note: {note}"]
    return "\n".join(lines) + "\n"


def _since(row: ReportItem, now: float) -> str:
    if row.since is None:
        return ""
    age = now - row.since
    return "new" if age < 60 else f"for {_duration(age)}"


def _text_row(row: ReportItem, width: int, now: float) -> str:
    since = _since(row, now)
    reason = f"  {_clean(row.reason, 120)}" if row.reason else ""
    return (
        f"{row.status.symbol} {row.status.value:<7} {_clean(row.name, 32):<{width}}  "
        f"{format_value(row.value, row.unit):>12}  {since}{reason}"
    ).rstrip()


# --- json -----------------------------------------------------------------------------------


def event_json(event: Event, names: dict[str, str], *, reason_len: int = 200) -> dict[str, Any]:
    """One event as JSON data: the same shape in the morning report and the shift report."""
    return {
        "ts": iso(event.ts),
        "key": event.key,
        "name": _clean(names.get(event.key, event.key)),
        "kind": event.kind.value,
        "old": event.old.value if event.old else None,
        "new": event.new.value if event.new else None,
        "value": event.value,
        "reason": _clean(event.reason, reason_len),
    }


def to_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON data (times in ISO 8601 UTC)."""
    return {
        "status": report.status.value,
        "exit_code": report.status.exit_code,
        "checked_at": iso(report.checked_at),
        "counts": {s.value: n for s, n in report.counts().items()},
        "items": [
            {
                "section": r.section,
                "name": _clean(r.name),
                "key": r.key,
                "status": r.status.value,
                "value": r.value,
                "unit": r.unit,
                "reason": _clean(r.reason, 500),
                "since": iso(r.since),
                "checked_at": iso(r.checked_at),
            }
            for r in report.items
        ],
        "overnight": {
            "since": iso(report.since),
            "since_reason": report.since_reason,
            "events": [event_json(e, report.names, reason_len=500) for e in report.events],
            "worst": [
                {
                    "key": w.key,
                    "name": _clean(w.name),
                    "value": w.value,
                    "unit": w.unit,
                    "ts": iso(w.ts),
                    "status": w.status.value,
                }
                for w in report.worst_values
            ],
        },
        "last_signoff": None
        if report.last_signoff is None
        else {
            "ts": iso(report.last_signoff.ts),
            "user": _clean(report.last_signoff.user),
            "host": _clean(report.last_signoff.host),
            "status": report.last_signoff.status.value,
            "note": _clean(report.last_signoff.note, 2000),
        },
        "alerts": None if report.alerts is None else alerts_json(report.alerts),
        "maintenance": [maintenance_json(w, report.checked_at) for w in report.maintenance],
        "incidents": [
            {
                "id": inc.id,
                "title": _clean(inc.title),
                "severity": inc.severity.title,
                "status": inc.status.value,
                "declared_at": iso(inc.declared_at),
                "updated_at": iso(inc.updated_at),
                "summary": incident_text(inc, report.since),
            }
            for inc in report.incidents
        ],
        "notes": report.notes,
    }


def alerts_json(summary: AlertSummary) -> dict[str, Any]:
    """The alert summary as JSON data (severity words as keys, every severity present)."""
    return {
        "since": iso(summary.since),
        "until": iso(summary.until),
        "fired": summary.fired,
        "fired_by_severity": {
            sev.name.lower(): summary.fired_by_severity.get(sev, 0) for sev in Severity
        },
        "resolved": summary.resolved,
        "still_firing": summary.still_firing,
        "critical": [
            {"alertname": _clean(name), "subject": _clean(subject), "ts": iso(ts)}
            for name, subject, ts in summary.critical
        ],
    }


def maintenance_json(window: MaintenanceWindow, now: float) -> dict[str, Any]:
    """One maintenance window as JSON data."""
    return {
        "id": window.id,
        "start": iso(window.start),
        "end": iso(effective_end(window)),
        "active": window.active(now),
        "reason": _clean(window.reason, 500),
        "author": _clean(window.author),
        "services": [_clean(s) for s in window.services],
        "matchers": [_clean(str(m), 500) for m in window.matchers],
        "silence_id": _clean(window.silence_id) or None,
    }


# --- markdown -------------------------------------------------------------------------------

# Characters that would start emphasis, code, links, HTML, headings or table cells.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def md_escape(text: str, max_len: int = 300) -> str:
    """Untrusted text made inert inside a Markdown table cell or line."""
    return _MD_SPECIAL.sub(r"\\\1", _clean(text, max_len))


def render_markdown(report: Report) -> str:
    """A Markdown document for a ticket, a wiki page or a chat message."""
    now = report.checked_at
    out = [
        f"# {TITLE}: {report.status.symbol} {report.status.value}",
        "",
        f"Checked {local_datetime(now)}. {counts_line(report)}.",
        "",
        "| Section | Status | Item | Value | For | Reason |",
        "|---|---|---|---:|---|---|",
    ]
    for r in report.items:
        since = _since(r, now)
        out.append(
            f"| {r.section} | {r.status.symbol} {r.status.value} | {md_escape(r.name, 60)} | "
            f"{format_value(r.value, r.unit)} | {since} | {md_escape(r.reason)} |"
        )
    out += [
        "",
        f"## Overnight since {local_datetime(report.since)}",
        "",
        f"_{md_escape(report.since_reason)}_",
        "",
    ]
    if not report.events:
        out.append("No state changes or threshold breaches.")
    for e in report.events:
        out.append(
            f"- **{local_time(e.ts, now)}** "
            f"{md_escape(event_text(e, report.names, report.units), 400)}"
        )
    if report.alerts is not None:
        out += ["", "## Alerts", "", f"{alerts_line(report.alerts)}."]
        if report.alerts.critical:
            out.append("")
        for alertname, subject, ts in report.alerts.critical:
            out.append(
                f"- **{local_time(ts, now)}** {Severity.CRITICAL.symbol} "
                f"{md_escape(critical_text(alertname, subject))}"
            )
    if report.incidents:
        out += ["", "## Incidents", ""]
        for inc in report.incidents:
            out.append(f"- {md_escape(incident_text(inc, report.since), 400)}")
    if report.maintenance:
        out += ["", "## Maintenance", ""]
        for window in report.maintenance:
            out.append(f"- {Status.MAINT.symbol} {md_escape(maintenance_text(window, now), 500)}")
    if report.worst_values:
        out += ["", "## Worst values", "", "| Item | Worst | At | Status |", "|---|---:|---|---|"]
        for w in report.worst_values:
            out.append(
                f"| {md_escape(w.name, 60)} | {format_value(w.value, w.unit)} | "
                f"{local_time(w.ts, now)} | {w.status.value} |"
            )
    if report.last_signoff is not None:
        s = report.last_signoff
        out += [
            "",
            f"Last sign-off: {md_escape(s.user)}@{md_escape(s.host)} at "
            f"{local_datetime(s.ts)} ({s.status.value}).",
        ]
        if s.note:
            out.append(f"> {md_escape(s.note, 2000)}")
    for note in report.notes:
        out += ["", f"_Note: {md_escape(note)}_"]
    return "\n".join(out) + "\n"
