"""The double writes times and durations in Go's formats, as Vault does."""

from __future__ import annotations

import pytest

from penguin_tui.vaultdouble.timefmt import go_duration, parse_duration, rfc3339nano


@pytest.mark.parametrize(
    ("epoch", "text"),
    [
        (0, "1970-01-01T00:00:00Z"),
        (1_700_000_000, "2023-11-14T22:13:20Z"),
        (1_700_000_000.5, "2023-11-14T22:13:20.5Z"),  # trailing zeros trimmed, as Go does
        (1_700_000_000.123456789, "2023-11-14T22:13:20.123456768Z"),  # as close as a float gets
    ],
)
def test_rfc3339nano(epoch: float, text: str) -> None:
    assert rfc3339nano(epoch) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59, "59s"), (90, "1m30s"), (3600, "1h0m0s"), (12319, "3h25m19s"),
     (2_764_800, "768h0m0s")],
)  # fmt: skip
def test_go_duration(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(30, 30.0), ("30", 30.0), ("0s", 0.0), ("1h", 3600.0), ("3h25m19s", 12319.0),
     ("1.5h", 5400.0), ("768h0m0s", 2_764_800.0), ("250ms", 0.25)],
)  # fmt: skip
def test_parse_duration(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["1d", "abc", "1h junk", -5, True, None, [1]])
def test_parse_duration_refuses_what_vault_refuses(value: object) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(value)
