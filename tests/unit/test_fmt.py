"""Numbers and times as operators read them."""

import os
import time

import pytest

from penguin_tui.fmt import format_value, iso, local_time
from penguin_tui.model import Status, worst


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (812.4, "ms", "812 ms"),
        (97.345, "%", "97.3%"),
        (3.14159, "%", "3.14%"),
        (12.34, "%", "12.3%"),
        (4, "", "4"),
        (15000, "", "15,000"),
        (None, "ms", "—"),
        (2048, "B/s", "2.0 KiB/s"),
        (512, "B", "512 B"),
    ],
)
def test_format_value(value: float | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def test_iso_is_utc_with_z() -> None:
    assert iso(0) == "1970-01-01T00:00:00Z"
    assert iso(None) is None


def test_local_time_today_and_older(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        now = 1_790_000_000.0  # Monday 14:13 UTC
        assert local_time(now - 60, now) == "14:12"
        assert local_time(now - 86400, now).startswith("Sun ")
        assert local_time(now - 30 * 86400, now).startswith("2026-")
    finally:
        os.environ.pop("TZ", None)
        time.tzset()


def test_status_order_symbols_and_exit_codes() -> None:
    assert worst([Status.OK, Status.WARN, Status.STALE]) is Status.WARN
    assert worst([Status.UNKNOWN, Status.CRIT]) is Status.CRIT
    assert worst([]) is Status.OK
    assert [s.exit_code for s in Status] == [0, 1, 2, 3, 3, 0]
    assert len({s.symbol for s in Status}) == len(Status)


def test_maint_ranks_just_above_ok_and_exits_zero() -> None:
    from rich.cells import cell_len

    assert worst([Status.OK, Status.MAINT]) is Status.MAINT
    assert worst([Status.MAINT, Status.STALE]) is Status.STALE
    assert sorted(Status, key=lambda s: s.rank)[:2] == [Status.OK, Status.MAINT]
    assert Status.MAINT.exit_code == 0
    # One terminal cell, as every other status symbol: the checklist's columns stay aligned.
    assert all(cell_len(s.symbol) == 1 for s in Status)
