"""Durations as written in config and on the command line, and as shown to operators."""

from __future__ import annotations

import pytest

from penguin_tui.durations import format_age, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("5m", 300),
        ("1h30m", 5400),
        ("48h", 172_800),
        ("14d", 1_209_600),
        ("2w", 1_209_600),
        ("250ms", 0.25),
        ("1.5h", 5400),
        ("2d 12h", 216_000),
        (" 5m ", 300),
        ("1M", 60),  # units are case-insensitive: "1M" is a minute, never a month
        ("0s", 0),
        ("1h0m5s", 3605),
        ("1s500ms", 1.5),
    ],
)
def test_parse_duration_accepts_the_documented_forms(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30", '"30" has no unit (write e.g. 30s, 5m, 1h30m, 48h, 14d, 2w or 250ms)'),
        ("", "empty duration (write e.g. 30s, 5m, 1h30m, 48h, 14d, 2w or 250ms)"),
        ("5x", '"5x" is not a duration (write e.g. 30s, 5m, 1h30m, 48h, 14d, 2w or 250ms)'),
        (
            "1h junk",
            '"1h junk" is not a duration (write e.g. 30s, 5m, 1h30m, 48h, 14d, 2w or 250ms)',
        ),
        ("-5s", '"-5s": a duration cannot be negative'),
        ("1m1h", '"1m1h": units must go from largest to smallest, each once (like 1h30m)'),
        ("5s5s", '"5s5s": units must go from largest to smallest, each once (like 1h30m)'),
        ("\x1b[31m5s", "a duration cannot contain control characters"),
    ],
)
def test_parse_duration_refuses_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert str(info.value) == message


def test_parse_duration_refuses_non_text() -> None:
    with pytest.raises(ValueError, match='must be text like "30s", not int'):
        parse_duration(30)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.25, "250ms"),
        (0.9996, "1s"),
        (1, "1s"),
        (59.9, "59s"),  # truncated: 59.9 s has not yet been a minute
        (125, "2m 5s"),
        (3599, "59m 59s"),
        (3600, "1h"),
        (7500, "2h 5m"),
        (86_400 + 300, "1d"),  # "1d 5m" would hide the zero hours between
        (90_061, "1d 1h"),
        (30 * 86_400, "30d"),
        (-125, "-2m 5s"),
        (float("inf"), "∞"),
    ],
)
def test_format_duration_is_compact_with_two_adjacent_units(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_duration_parts() -> None:
    assert format_duration(90_061, parts=1) == "1d"
    assert format_duration(90_061, parts=4) == "1d 1h 1m 1s"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "just now"),
        (4.9, "just now"),
        (-3, "just now"),  # two hosts' clocks a little apart
        (42, "42s ago"),
        (200, "3m ago"),
        (7500, "2h 5m ago"),
        (3 * 86_400, "3d ago"),
        (-300, "in 5m"),
        (float("inf"), "never"),
    ],
)
def test_format_age(seconds: float, text: str) -> None:
    assert format_age(seconds) == text


def test_round_trip_of_formatted_durations() -> None:
    for seconds in (1, 59, 60, 3600, 5400, 86_400, 1_209_600):
        assert parse_duration(format_duration(seconds, parts=4).replace(" ", "")) == seconds
