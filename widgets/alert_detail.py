"""The alert detail pane: everything known about the selected alert, as text to read and copy.

Labels and annotations in full (long values wrapped and capped), ``runbook_url`` and
``generatorURL`` as plain text an operator can select, where the alert comes from, the
silences and inhibitions that apply (with author, comment, end), and the alert's own history
from the cache. Every value is sanitised and shown as rich ``Text``, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text

from penguin_tui.alerts.model import Alert, AlertChange, AlertSource, Silence
from penguin_tui.alerts.view import AlertRow, AlertsData, GroupRow, alert_started, coarse_age
from penguin_tui.fmt import local_time
from penguin_tui.text import sanitize
from penguin_tui.widgets.alert_table import STATE_STYLE, severity_text
from penguin_tui.widgets.text_pane import TextPane

VALUE_MAX = 2000  # a 10,000-character label is cut here (the cut is marked with …)
URL_MAX = 2000
LINK_ANNOTATIONS = ("runbook_url", "runbook", "dashboard", "dashboard_url")
MAINT_PREFIX = "maint:"


def _line(text: object, max_len: int = 200) -> str:
    return sanitize(text, single_line=True, max_len=max_len)


def _when(ts: float | None, now: float) -> str:
    if ts is None:
        return "—"
    age = coarse_age(max(0.0, now - ts))
    return f"{local_time(ts, now)} ({'just now' if age == 'now' else age + ' ago'})"


def _section(text: Text, title: str) -> None:
    text.append(f"\n{title}\n", style="bold underline")


def _pairs(text: Text, pairs: Sequence[tuple[str, str]]) -> None:
    width = min(24, max((len(k) for k, _ in pairs), default=0))
    for name, value in pairs:
        text.append(f"  {_line(name, 60).ljust(width)}  ", style="bold")
        # Multi-line annotations keep their lines (descriptions are written so); escape
        # sequences and control characters are gone either way.
        text.append(sanitize(value, max_len=VALUE_MAX) + "\n")


def silence_line(sid: str, silences: Mapping[str, Silence], now: float) -> str:
    """``3f2a…  alice until 10:00 (in 2h): deploy`` — or what is known of an unknown id."""
    if sid.startswith(MAINT_PREFIX):
        return f"maintenance window #{_line(sid[len(MAINT_PREFIX) :], 20)}"
    short = _line(sid, 12) if len(sid) <= 12 else _line(sid[:8], 8) + "…"
    silence = silences.get(sid)
    if silence is None:
        return f"{short}  (not in the cache yet)"
    left = silence.ends_at - now
    until = local_time(silence.ends_at, now)
    ends = f"until {until} (in {coarse_age(left)})" if left > 0 else f"ended {until}"
    author = _line(silence.created_by, 40) or "?"
    comment = _line(silence.comment, 300)
    return f"{short}  {author} {ends}: {comment}"


def _history_line(change: AlertChange, now: float) -> Text:
    line = Text(f"  {local_time(change.ts, now)}  ", style="dim")
    if change.old is None:
        line.append(f"{change.new} (first seen)")
    else:
        line.append(f"{change.old} → {change.new}")
    # The store words every change; "firing" or "resolved" only repeats the state.
    if change.detail and change.detail != change.new:
        line.append(f"  {_line(change.detail, 300)}", style="dim")
    return line


def alert_detail_text(
    row: AlertRow,
    data: AlertsData | None,
    history: Sequence[AlertChange] | None,
    now: float,
) -> Text:
    """The detail of one alert as Text (plain text, wrapped by the pane)."""
    alert = row.alert
    silences = data.silences if data is not None else {}
    text = Text()
    text.append_text(severity_text(alert.severity))
    text.append("  ")
    text.append(row.state.value, style=STATE_STYLE[row.state])
    text.append("  ")
    text.append(_line(alert.alertname or "(no alertname)", 120), style="bold")
    if alert.subject:
        text.append(f"  {_line(alert.subject, 120)}")
    text.append("\n")
    if row.overlay:
        text.append(f"Pending: {_line(row.overlay, 200)} (until the next poll confirms it)\n")
    if alert.stale:
        text.append(
            "Last known copy: its source could not be reached at the last poll.\n",
            style="yellow",
        )
    if alert.summary:
        text.append(sanitize(alert.summary, max_len=VALUE_MAX) + "\n")
    text.append(f"Started  {_when(alert_started(alert), now)}", style="dim")
    if alert.stale or alert.resolved_at is not None:
        # Only then is it news: an active alert is seen at every poll, and the copy held here
        # is refreshed only when the alert changes, so its last_seen would read ever older.
        text.append(f" · last seen {_when(alert.last_seen, now)}", style="dim")
    if alert.resolved_at is not None:
        text.append(f" · resolved {_when(alert.resolved_at, now)}", style="dim")
    text.append("\n")
    text.append(_source(alert) + "\n", style="dim")
    _section(text, "Labels")
    labels = sorted(alert.labels.items(), key=lambda kv: (kv[0] != "alertname", kv[0]))
    _pairs(text, labels)
    notes = [(k, v) for k, v in sorted(alert.annotations.items()) if k not in LINK_ANNOTATIONS]
    if notes:
        _section(text, "Annotations")
        _pairs(text, notes)
    links = [(k, v) for k, v in sorted(alert.annotations.items()) if k in LINK_ANNOTATIONS]
    if alert.generator_url:
        links.append(("generatorURL", alert.generator_url))
    if links:
        _section(text, "Links (select to copy)")
        for name, url in links:
            text.append(f"  {_line(name, 40)}\n", style="bold")
            # On a line of their own and unstyled: a terminal selection copies them whole.
            text.append(f"  {_line(url, URL_MAX)}\n")
    if alert.silenced_by:
        _section(text, "Silenced by")
        for sid in alert.silenced_by:
            text.append(f"  {silence_line(sid, silences, now)}\n")
    if alert.inhibited_by:
        _section(text, "Inhibited by")
        known = data.alerts if data is not None else {}
        for fp in alert.inhibited_by:
            other = known.get(fp)
            name = _line(other.alertname, 80) if other is not None else "an alert not listed"
            subject = (
                f" ({_line(other.subject, 60)})" if other is not None and other.subject else ""
            )
            text.append(f"  {name}{subject}  ", style="bold" if other is not None else "")
            text.append(f"{_line(fp, 40)}\n", style="dim")
    if alert.muted_by:
        _section(text, "Muted by time intervals")
        for name in alert.muted_by:
            text.append(f"  {_line(name, 80)}\n")
    _section(text, "History")
    if history is None:
        text.append("  reading…\n", style="dim")
    elif not history:
        text.append("  no changes recorded yet\n", style="dim")
    else:
        for change in history:
            text.append_text(_history_line(change, now))
            text.append("\n")
    text.rstrip()
    return text


def _source(alert: Alert) -> str:
    if alert.source is AlertSource.LOCAL:
        return "Source   local rule (evaluated by penguin-tui's recorder)"
    origins = ", ".join(_line(o, 120) for o in alert.origins) or "Alertmanager"
    receivers = ", ".join(_line(r, 60) for r in alert.receivers)
    line = f"Source   Alertmanager {origins}"
    return f"{line} · receivers {receivers}" if receivers else line


def group_detail_text(row: GroupRow) -> Text:
    """What a group header stands for, and how to fold it."""
    value = _line(row.value, 200) or f"(no {row.label})"
    text = Text()
    text.append(f"{_line(row.label, 60)} = {value}\n", style="bold")
    text.append(f"{row.firing} firing of {row.total} shown · worst ")
    text.append_text(severity_text(row.worst))
    text.append("\nenter folds or unfolds the group; g groups by another label.", style="dim")
    return text


class AlertDetail(TextPane):
    """The selected row's detail, as text to read and copy. A ``TextPane``: another alert's
    detail repaints the pane alone (no layout of the screen); a new row's detail shows from
    its top, the same row's (its history arriving) where the operator left it."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._key: str | None = None

    def show_alert(
        self,
        row: AlertRow,
        data: AlertsData | None,
        history: Sequence[AlertChange] | None,
        now: float,
    ) -> None:
        """Show one alert (``history`` None while it is being read)."""
        self._show(row.key, alert_detail_text(row, data, history, now))

    def show_group(self, row: GroupRow) -> None:
        self._show(row.key, group_detail_text(row))

    def show_nothing(self, message: str = "No alert selected.") -> None:
        self._show(None, Text(message, style="dim"))

    def _show(self, key: str | None, text: Text) -> None:
        same = key is not None and key == self._key
        self._key = key
        self.set_text(text, keep_place=same)

    @property
    def text(self) -> str:
        """The plain text shown (tests, and what a copy of the pane would hold)."""
        return self.shown_text.plain
