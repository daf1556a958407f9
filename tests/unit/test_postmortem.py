"""The postmortem draft, compared line by line with an expected document."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.alerts.model import Alert, Severity
from penguin_tui.incidents import entries as E
from penguin_tui.incidents.model import IncidentStatus
from penguin_tui.incidents.postmortem import render_postmortem
from penguin_tui.store import Store

T0 = 1_795_248_000.0  # 2026-11-21 08:00 UTC
EXPECTED = Path(__file__).parent.parent / "data" / "postmortem_expected.md"


pytestmark = pytest.mark.usefixtures("utc")  # the draft's local times


def build(tmp_path: Path) -> str:
    alert = Alert(
        "a1b2c3d4e5f60718",
        {"alertname": "QueueBacklog", "severity": "critical", "service": "smtp-relay"},
        {"summary": "Outbound queue above 50k"},
        starts_at=T0 - 600,
    )
    with Store.open(tmp_path / "cache.db") as store:
        inc = store.declare_incident(E.declare_from_alert(alert, ts=T0, author="ann"))
        steps = [
            lambda i: E.role(i, "commander", "bob", ts=T0 + 120, author="ann"),
            lambda i: E.role(i, "scribe", "cy | <b>", ts=T0 + 130, author="bob"),
            lambda i: E.note(
                i,
                "# not a heading\n[click](http://evil) <script>x</script> *a*",
                ts=T0 + 300,
                author="cy",
            ),
            lambda i: E.status(i, IncidentStatus.IDENTIFIED, ts=T0 + 900, author="bob"),
            lambda i: E.stakeholder_update(
                i, "Mail delayed ~20 min; fix in progress.", ts=T0 + 1000, author="bob"
            ),
            lambda i: E.status(i, IncidentStatus.MONITORING, ts=T0 + 1800, author="bob"),
            lambda i: E.status(i, IncidentStatus.RESOLVED, ts=T0 + 3600, author="bob"),
        ]
        for step in steps:
            inc, _ = store.append_incident_entry(inc.id, step)
        note = store.incident_entries(inc.id)[3]
        inc, _ = store.append_incident_entry(inc.id, lambda i: E.pin(i, note, ts=T0 + 3700,
                                                                     author="bob"))  # fmt: skip
        inc, _ = store.append_incident_entry(
            inc.id, lambda i: E.correction(i, note, "it was relay-2", ts=T0 + 3800, author="cy")
        )
        entries = store.incident_entries(inc.id)
    return render_postmortem(inc, entries, {alert.fingerprint: alert})


def test_postmortem_matches_the_expected_document(tmp_path: Path) -> None:
    assert build(tmp_path).splitlines() == EXPECTED.read_text().splitlines()


def test_hostile_text_cannot_change_the_document_structure(tmp_path: Path) -> None:
    text = build(tmp_path)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Postmortem: INC-2026-11-21-1 Outbound queue above 50k \\(smtp-relay\\)",
        "## Summary", "## Customer impact", "## Roles", "## Milestones and durations",
        "## Key findings (pinned)", "## Linked alerts", "## Timeline", "## Root cause",
        "## Contributing factors", "## Action items",
    ]  # fmt: skip
    assert "<script>" not in text and "[click](" not in text
    assert Severity.CRITICAL.title in text
