"""When the console rings: a Critical alert that starts firing while the operator watches.

An operator who opens the console at the start of a shift is not rung at for what already
burned overnight (the alerts screen lists those), only for what starts while they watch. The
cache's ``first_seen`` alone cannot tell: a console recording for itself after a night without
a recorder sees the night's alerts for the first time at its first poll. So an alert rings when
it is news to this console (first seen, or started again, after the console started) and it
began no longer than ``BURNING_S`` before the console did. Each firing rings once per console;
an alert that resolves and fires again (a new start) rings again.
"""

from __future__ import annotations

from penguin_tui.alerts.model import Alert, AlertState, Severity
from penguin_tui.alerts.view import AlertsData, alert_started
from penguin_tui.text import sanitize

# An alert that began longer than this before the console started was already burning when
# the operator sat down. Not less than a few poll intervals plus the longest usual "for" of a
# rule: those make an alert's start precede the moment the console can first see it.
BURNING_S = 30 * 60.0


class CriticalBell:
    """Picks the alerts of a load that deserve the bell; remembers those it rang for."""

    def __init__(self, started_at: float) -> None:
        self.started_at = started_at
        self._rung: set[tuple[str, float]] = set()  # (fingerprint, start of that firing)

    def new_criticals(self, data: AlertsData) -> list[Alert]:
        """Critical alerts of ``data.changed`` that started firing while the console ran.

        Silenced, inhibited and acked alerts do not ring: somebody already handles them.
        """
        found = []
        for fp in sorted(data.changed):
            alert = data.alerts.get(fp)
            if alert is None or alert.severity is not Severity.CRITICAL:
                continue
            started = alert_started(alert)
            if started is None or not self._is_news(alert, started):
                continue
            if (fp, started) in self._rung:
                continue
            if alert.state(data.silences, fp in data.acks) is not AlertState.FIRING:
                continue
            self._rung.add((fp, started))
            found.append(alert)
        return found

    def _is_news(self, alert: Alert, started: float) -> bool:
        if started < self.started_at - BURNING_S:
            return False  # burning long before the console started, however late it was seen
        first_seen = alert.first_seen
        # New to the cache since the console started, or known but started again since.
        return started >= self.started_at or (
            first_seen is not None and first_seen >= self.started_at
        )


def bell_message(alerts: list[Alert], limit: int = 3) -> str:
    """``HighBounceRate (smtp-relay), DiskFull (db1) and 2 more``: one line for the toast."""
    names = []
    for alert in alerts[:limit]:
        name = sanitize(alert.alertname or alert.fingerprint, single_line=True, max_len=40)
        subject = sanitize(alert.subject, single_line=True, max_len=30)
        names.append(f"{name} ({subject})" if subject else name)
    more = len(alerts) - limit
    text = ", ".join(names)
    return f"{text} and {more} more" if more > 0 else text
