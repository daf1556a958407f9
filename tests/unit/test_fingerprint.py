"""alerts/fingerprint.py: Alertmanager's label-set fingerprint, pinned.

The values below are what a real Alertmanager 0.25 reports for these label sets;
tests/integration/test_alertmanager_client.py posts each set and compares, so a pin that
drifted from Alertmanager fails there, and a change to our hash fails here.
"""

from __future__ import annotations

import pytest

from penguin_tui.alerts.fingerprint import fingerprint

# (labels, fingerprint Alertmanager gives them)
KNOWN: list[tuple[dict[str, str], str]] = [
    ({"alertname": "A", "service": "x", "severity": "critical"}, "21488ca1a70069e0"),
    ({"alertname": "Watchdog", "severity": "none"}, "448881ef475b9b26"),
    (
        {
            "alertname": "SMTPRelayQueueGrowing",
            "service": "smtp-relay",
            "severity": "critical",
            "instance": "relay-1:9100",
        },
        "98aacf7f0237389a",
    ),
    (
        {"alertname": "Disk", "service": "x", "severity": "critical", "uni": "ünï ☃"},
        "22817afcc8f2be58",
    ),
    ({"alertname": "日本語", "team": "ops", "a_b": 'x="y",z'}, "3642248d2160f059"),
    ({"alertname": "Long", "value": "v" * 1000}, "0c8a7abf799bdcd1"),
]


@pytest.mark.parametrize(("labels", "expected"), KNOWN, ids=lambda v: str(v)[:30])
def test_known_label_sets(labels, expected):
    assert fingerprint(labels) == expected


def test_order_of_labels_does_not_matter():
    labels = {"b": "2", "a": "1", "c": "3"}
    assert fingerprint(labels) == fingerprint(dict(reversed(list(labels.items()))))


def test_name_value_boundary_is_part_of_the_hash():
    # The separator byte keeps {"ab": "c"} and {"a": "bc"} apart.
    assert fingerprint({"ab": "c"}) != fingerprint({"a": "bc"})
    assert fingerprint({"a": "b", "c": "d"}) != fingerprint({"a": "bc", "": "d"})


def test_shape():
    fp = fingerprint({"alertname": "x"})
    assert len(fp) == 16
    assert int(fp, 16) >= 0
    # The empty set is FNV-1a's offset basis: nothing was hashed.
    assert fingerprint({}) == "cbf29ce484222325"
