"""A deterministic set of incidents for UI tests, written through the real Store methods.

On top of the health and alert seeds (tests/ui/seed.py, alert_seed.py), at 08:00 UTC:

- ``BOUNCE``: Critical, Identified, declared 07:35 (its first update is due 08:05), services
  smtp-relay and api, commander alice; notes (one hostile), a pinned finding, a correction,
  the HighBounceRate alert linked.
- ``WEBHOOK``: High, Investigating, declared 06:40 with no update since: OVERDUE 20m.
- ``DNS``: Medium, Resolved yesterday. ``OLD``: Low, Closed three days ago.
"""

from __future__ import annotations

from pathlib import Path

from penguin_tui.alerts.model import Severity
from penguin_tui.incidents import entries as E
from penguin_tui.incidents.model import IncidentStatus
from penguin_tui.store import Store
from tests.ui.alert_seed import BOUNCE_2, seed_alerts
from tests.ui.seed import HOUR, NOW

MIN = 60.0
HOSTILE_NOTE = "[bold red]PWNED[/]\x1b[31mred\x1b]52;c;ZXZpbA==\x07\x1b]8;;http://evil\x07link"

BOUNCE = "INC-2026-11-21-1"
WEBHOOK = "INC-2026-11-21-2"  # ids count in the order of declaring, not of the time
DNS = "INC-2026-11-20-1"
OLD = "INC-2026-11-18-1"


def seed_incidents(path: Path, *, alerts: bool = True, many: int = 0) -> dict[str, int]:
    """Write the incidents (health and alert history first, when asked); returns entry ids
    worth knowing (``pinned``, ``corrected``, ``hostile``). ``many``: extra notes on BOUNCE."""
    if alerts:
        seed_alerts(path)
    store = Store.open(path)
    ids: dict[str, int] = {}
    try:
        bounce = store.declare_incident(
            E.declare(
                "SMTP relay bouncing mail",
                Severity.CRITICAL,
                ts=NOW - 25 * MIN,
                author="alice",
                host="bastion-1",
                summary="Hard bounces above 10% on smtp-relay",
                impact="Customers' mail to Gmail delayed or bounced",
                services=("smtp-relay", "api"),
                commander="alice",
            )
        )
        webhook = store.declare_incident(
            E.declare(
                "Webhook dispatcher down",
                Severity.HIGH,
                ts=NOW - 80 * MIN,
                author="bob",
                services=("webhook-dispatcher",),
            )
        )
        assert (bounce.id, webhook.id) == (BOUNCE, WEBHOOK), (bounce.id, webhook.id)

        def add(incident_id: str, build) -> int:  # type: ignore[no-untyped-def]
            _, entry = store.append_incident_entry(incident_id, build)
            return entry.id or 0

        t = NOW - 24 * MIN
        add(BOUNCE, lambda i: E.note(i, "bounces started after the 07:30 deploy", ts=t,
                                     author="alice"))  # fmt: skip
        ids["corrected"] = add(
            BOUNCE, lambda i: E.note(i, "relay-1 blocklisted by Spamhaus", ts=t + 60, author="bob")
        )
        ids["hostile"] = add(
            BOUNCE, lambda i: E.note(i, HOSTILE_NOTE, ts=t + 120, author="mallory")
        )
        add(BOUNCE, lambda i: E.link_alert(i, BOUNCE_2, ts=t + 180, author="alice"))
        ids["pinned"] = add(
            BOUNCE,
            lambda i: E.note(i, "relay-2 IP on a blocklist: rotate the sending IP", ts=t + 240,
                             author="bob"),
        )  # fmt: skip
        pinned = store.incident_entries(BOUNCE, ids["pinned"] - 1)[0]
        add(BOUNCE, lambda i: E.pin(i, pinned, ts=t + 300, author="alice"))
        corrected = next(e for e in store.incident_entries(BOUNCE) if e.id == ids["corrected"])
        add(BOUNCE, lambda i: E.correction(i, corrected, "it was relay-2, not relay-1",
                                           ts=t + 360, author="bob"))  # fmt: skip
        add(BOUNCE, lambda i: E.role(i, "scribe", "bob", ts=t + 420, author="alice"))
        add(BOUNCE, lambda i: E.status(i, IncidentStatus.IDENTIFIED, ts=t + 480, author="alice",
                                       text="blocklisted sending IP"))  # fmt: skip
        add(BOUNCE, lambda i: E.note(i, "ticket opened with Spamhaus; rotating to the spare IP "
                                        "pool on relay-2 while we wait, expect recovery in 20 "
                                        "minutes", ts=t + 540, author="alice"))  # fmt: skip
        for n in range(many):
            add(BOUNCE, lambda i, n=n: E.note(i, f"note {n}: still bouncing", ts=t + 600 + n,
                                              author="carol"))  # fmt: skip
        add(WEBHOOK, lambda i: E.note(i, "pods crash-looping on OOM", ts=NOW - 70 * MIN,
                                      author="bob"))  # fmt: skip

        dns = store.declare_incident(
            E.declare("DNS resolution slow", Severity.MEDIUM, ts=NOW - 30 * HOUR, author="dave")
        )
        store.append_incident_entry(
            dns.id,
            lambda i: E.status(i, IncidentStatus.RESOLVED, ts=NOW - 29 * HOUR, author="dave"),
        )
        old = store.declare_incident(
            E.declare("Old certificate warning", Severity.LOW, ts=NOW - 74 * HOUR, author="erin")
        )
        for status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
            store.append_incident_entry(
                old.id, lambda i, s=status: E.status(i, s, ts=NOW - 73 * HOUR, author="erin")
            )
        assert (dns.id, old.id) == (DNS, OLD), (dns.id, old.id)
    finally:
        store.close()
    return ids
