"""When the console rings: a Critical alert that is new, firing, and not yet rung for.

"New" means first seen after the console started: an operator who opens the console at the
start of a shift is not rung at for what already burned overnight (the alerts screen lists
those), only for what starts while they watch. Each alert rings once per console.
"""

from __future__ import annotations

from penguin_tui.alerts.model import Alert, AlertState, Severity
from penguin_tui.alerts.view import AlertsData
from penguin_tui.text import sanitize


class CriticalBell:
    """Picks the alerts of a load that deserve the bell; remembers those it rang for."""

    def __init__(self, started_at: float) -> None:
        self.started_at = started_at
        self._rung: set[str] = set()

    def new_criticals(self, data: AlertsData) -> list[Alert]:
        """Critical alerts of ``data.changed`` first seen since start, firing, not rung yet.

        Silenced, inhibited and acked alerts do not ring: somebody already handles them.
        """
        found = []
        for fp in sorted(data.changed):
            alert = data.alerts.get(fp)
            if alert is None or fp in self._rung or alert.severity is not Severity.CRITICAL:
                continue
            if alert.first_seen is None or alert.first_seen < self.started_at:
                continue
            if alert.state(data.silences, fp in data.acks) is not AlertState.FIRING:
                continue
            self._rung.add(fp)
            found.append(alert)
        return found


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
