"""Building and recording a sign-off, on a real cache file."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.check import Report, ReportItem
from penguin_tui.model import EventKind, Status
from penguin_tui.signoff import (
    SIGNOFF_EVENT_KEY,
    build_signoff,
    record_signoff,
    signoff_event,
)
from penguin_tui.store import Store

NOW = 1_795_248_000.0


def _row(key: str, status: Status, reason: str = "") -> ReportItem:
    return ReportItem(key, "Services", key, status, None, "ms", reason, NOW - 60, NOW)


REPORT = Report(
    checked_at=NOW,
    since=NOW - 12 * 3600,
    since_reason="default",
    items=[
        _row("check:api", Status.OK),
        _row("check:smtp", Status.WARN, "slow\x1b[31m\nsecond line"),
        _row("check:db", Status.CRIT, "connection refused"),
    ],
)


def test_build_records_status_and_every_not_ok_item_worst_first() -> None:
    signoff = build_signoff(
        REPORT, NOW, "  all\x1b]52;c;ZXZpbA==\x07 fine \n", user="ann", host="bastion\x1b[2J-1"
    )
    assert (signoff.ts, signoff.user, signoff.host) == (NOW, "ann", "bastion-1")
    assert signoff.status == Status.CRIT
    assert signoff.not_ok == (
        "check:db CRIT connection refused",
        "check:smtp WARN slow second line",
    )
    assert signoff.note == "all fine"


def test_the_event_line_names_who_and_what() -> None:
    event = signoff_event(build_signoff(REPORT, NOW, "quiet", user="ann", host="b1"))
    assert (event.ts, event.key, event.kind, event.new) == (
        NOW,
        SIGNOFF_EVENT_KEY,
        EventKind.SIGNOFF,
        Status.CRIT,
    )
    assert event.reason == "ann@b1 (CRIT, 2 not OK): quiet"
    clean = Report(NOW, NOW - 60, "x", [_row("check:api", Status.OK)])
    assert signoff_event(build_signoff(clean, NOW, user="ann", host="b1")).reason == "ann@b1 (OK)"


def test_record_writes_the_signoff_and_one_event(tmp_path: Path) -> None:
    with Store.open(tmp_path / "cache.db") as store:
        signoff = build_signoff(REPORT, NOW, "quiet", user="ann", host="b1")
        signoff_id = record_signoff(store, signoff)
        assert store.last_signoff() is not None
        assert store.last_signoff().id == signoff_id
        assert [e.reason for e in store.events(NOW, NOW)] == ["ann@b1 (CRIT, 2 not OK): quiet"]


def test_record_writes_signoff_and_event_together(tmp_path: Path) -> None:
    """One transaction: another console never sees the sign-off without its overnight entry."""
    with Store.open(tmp_path / "cache.db") as store:
        signoff = build_signoff(REPORT, NOW, user="ann", host="b1")
        record_signoff(store, signoff)
        (event,) = store.events(NOW, NOW)
        assert event.kind is EventKind.SIGNOFF and "ann@b1" in event.reason
        assert len(store.signoffs()) == 1
