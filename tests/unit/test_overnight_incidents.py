"""The morning check's overnight part lists incidents opened, updated or resolved in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from penguin_tui.alerts.model import Severity
from penguin_tui.check import build_report
from penguin_tui.config_model import Config, HostConfig
from penguin_tui.incidents import entries as E
from penguin_tui.incidents.model import IncidentStatus
from penguin_tui.report import render
from penguin_tui.store import Store

NOW = 1_795_248_000.0
H = 3600.0


@pytest.fixture
def store(tmp_path: Path, utc: None) -> Store:
    s = Store.open(tmp_path / "cache.db")
    yield s
    s.close()


def test_incidents_of_the_window_are_in_every_format(store: Store) -> None:
    old = store.declare_incident(E.declare("old and closed", Severity.LOW, ts=NOW - 72 * H,
                                           author="a"))  # fmt: skip
    resolved = store.declare_incident(E.declare("relay down", Severity.HIGH, ts=NOW - 30 * H,
                                                author="a"))  # fmt: skip
    store.append_incident_entry(
        resolved.id, lambda i: E.status(i, IncidentStatus.RESOLVED, ts=NOW - 2 * H, author="a")
    )
    opened = store.declare_incident(
        E.declare("queue [b]stuck[/b] | # x", Severity.CRITICAL, ts=NOW - H, author="a")
    )
    report = build_report(store, Config(host=HostConfig(enabled=False)), NOW, 12 * H)
    assert [i.id for i in report.incidents] == [opened.id, resolved.id]
    assert old.id not in {i.id for i in report.incidents}
    text = render(report, "text")
    assert f"{opened.id} opened · Critical · Investigating · queue [b]stuck[/b] | # x" in text
    assert f"{resolved.id} resolved · High · Resolved" in text
    data = json.loads(render(report, "json"))
    assert [i["id"] for i in data["incidents"]] == [opened.id, resolved.id]
    markdown = render(report, "markdown")
    assert "## Incidents" in markdown
    assert r"queue \[b\]stuck\[/b\] \| \# x" in markdown
