"""Making untrusted text safe for a terminal.

Everything from the network, Vault, config files or other operators' notes passes through
``sanitize`` before it is shown. Markup is a separate concern: the UI renders such strings as
``rich.text.Text`` (never parsed as markup), so ``[bold]`` stays literal there.
"""

from __future__ import annotations

import re

# C0 controls except TAB and LF, DEL, and C1 controls (0x80-0x9f, which include the 8-bit CSI
# and OSC introducers). ESC (0x1b) is in C0, so escape sequences lose their introducer.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Whole ANSI/VT sequences: CSI ... final byte, OSC ... BEL/ST, and two-byte ESC sequences.
# Removing them whole keeps the visible text readable ("\x1b[31mred" -> "red"). String
# sequences (OSC, DCS) only match when terminated: an unterminated one loses its introducer
# below and its payload stays visible as inert text instead of swallowing the rest.
_ESCAPE_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC (incl. OSC 52 clipboard writes)
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)"  # 8-bit OSC
)


def sanitize(text: object, *, max_len: int | None = None, single_line: bool = False) -> str:
    """Return ``text`` as a string with escape sequences and control characters removed.

    ``single_line`` also folds newlines and tabs to spaces (for table cells and one-line
    reasons). ``max_len`` cuts the result and marks the cut with an ellipsis.
    """
    s = text if isinstance(text, str) else str(text)
    s = _ESCAPE_SEQ.sub("", s)
    s = _CONTROL.sub("", s)
    if single_line:
        s = s.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    else:
        s = s.replace("\r", "")
    if max_len is not None and len(s) > max_len:
        s = s[: max(0, max_len - 1)] + "…"
    return s
