"""Untrusted text never reaches the terminal with its escape sequences or control characters."""

import pytest

from penguin_tui.text import sanitize

HOSTILE = [
    ("\x1b[31mred\x1b[0m", "red"),
    ("before\x1b]52;c;ZXZpbA==\x07after", "beforeafter"),  # OSC 52 clipboard write
    ("x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\y", "xlinky"),  # OSC 8 hyperlink
    ("bell\x07 null\x00 del\x7f", "bell null del"),
    ("c1\x9b31mcsi", "c1csi"),
    ("\x1bPdcs payload\x1b\\ok", "ok"),
    ("[bold]markup stays literal[/bold]", "[bold]markup stays literal[/bold]"),
]


@pytest.mark.parametrize(("raw", "expected"), HOSTILE)
def test_sanitize_strips_sequences_and_controls(raw: str, expected: str) -> None:
    assert sanitize(raw) == expected


def test_no_escape_or_control_survives_any_byte() -> None:
    raw = "".join(chr(i) for i in range(0x00, 0xA0)) + "tail"
    out = sanitize(raw)
    assert not any(ord(c) < 0x20 and c not in "\t\n" for c in out)
    assert not any(0x7F <= ord(c) <= 0x9F for c in out)
    assert out.endswith("tail")


def test_single_line_and_cap() -> None:
    assert sanitize("a\nb\tc\r", single_line=True) == "a b c"
    assert sanitize("x" * 50, max_len=10) == "x" * 9 + "…"
    assert sanitize(42) == "42"
